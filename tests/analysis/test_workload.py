"""Value and documents by fiscal year, the open value and DSCA's LOA metric, on hand-made tables."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.workload import fiscal_years, flows, loa_metric, open_value_at, workload
from sim.engine.clock import DAYS_PER_YEAR as Y

NAN = math.nan


def _cases():
    return pd.DataFrame({
        "replication": [0, 0, 0, 1],
        "case_id": [1, 2, 3, 1],
        "funding": ["fms", "bpc", "fms", "fms"],
        "loa_group": ["A", "D", "C", "A"],
        "in_cohort": [True, True, True, True],
        "notified": [False, False, True, False],
        "value_musd": [1000.0, 500.0, 4000.0, 2000.0],
        "lor_received": [10.0, 20.0, 30.0, 10.0],
        "lor_complete": [15.0, 20.0, 60.0, 40.0],
        "loa_offered": [100.0, 200.0, 300.0, 140.0],
        "loa_accepted": [150.0, 230.0, Y + 10, 150.0],
        "delivered": [Y + 100, NAN, NAN, NAN],
        "closed": [Y + 200, NAN, NAN, NAN],
        "withdrawn": [NAN, NAN, NAN, NAN],
    })


def _docs():
    return pd.DataFrame({
        "replication": [0, 0, 0, 1],
        "case_id": [1, 3, 3, 1],
        "document": ["amendment", "amendment", "modification", "amendment"],
        "seq": [1, 1, 1, 1],
        "value_musd": [100.0, 600.0, 0.0, 50.0],
        "mde_musd": [0.0, 0.0, 0.0, 0.0],
        "notified": [False, True, False, False],
        "arrived": [200.0, Y + 20, Y + 30, 200.0],
        "offered": [250.0, Y + 100, Y + 40, 400.0],
        "accepted": [300.0, Y + 150, Y + 40, 450.0],
        "finished": [300.0, Y + 150, Y + 40, 450.0],
    })


def test_flows_count_each_document_and_value_by_its_own_milestone():
    f = flows(_cases(), _docs(), 0.0, Y).set_index("replication")
    r0 = f.loc[0]
    assert r0["loas_offered"] == 3
    assert r0["loa_value_accepted"] == pytest.approx(1.5)  # cases 1 and 2 ($B); case 3 is accepted in year 2
    assert r0["value_accepted"] == pytest.approx(1.6)  # plus case 1's amendment
    assert r0["bpc_value_accepted"] == pytest.approx(0.5)
    assert (r0["notified"], r0["value_notified"]) == (1, pytest.approx(4.0))  # case 3, offered (notified) day 300
    assert (r0["amendments_offered"], r0["modifications_offered"]) == (1, 0)
    y2 = flows(_cases(), _docs(), Y, 2 * Y).set_index("replication").loc[0]
    assert (y2["notified"], y2["value_notified"]) == (1, pytest.approx(0.6))  # the notified amendment
    assert y2["value_accepted"] == pytest.approx(4.6) and y2["value_delivered"] == pytest.approx(1.0)
    assert y2["modifications_offered"] == 1


def test_fiscal_years_are_labelled_from_the_start_year_and_average_replications():
    fy = fiscal_years(_cases(), _docs(), 2016, 2)
    assert fy["fiscal_year"] == [2016, 2017]
    assert fy["loa_value_accepted"] == [pytest.approx((1.5 + 2.0) / 2), pytest.approx(4.0 / 2)]


def test_open_value_adds_the_amendments_accepted_by_then():
    v = open_value_at(_cases(), _docs(), Y + 160)
    # replication 0: cases 2 and 3 open (case 1 closed at Y+200? no: still open at Y+160), so 1 + 0.1 + 0.5 +
    # 4 + 0.6; replication 1: case 1 and its amendment
    assert v.to_dict() == {0: pytest.approx(1.0 + 0.1 + 0.5 + 4.0 + 0.6), 1: pytest.approx(2.05)}
    assert open_value_at(_cases(), _docs(), Y + 300).to_dict() == {0: pytest.approx(5.1), 1: pytest.approx(2.05)}


def test_workload_is_per_year_over_the_window_with_intervals():
    w = workload(_cases(), _docs(), 0.0, 2 * Y)
    assert w["loas_offered_per_year"]["mean"] == pytest.approx((3 + 1) / 2 / 2)
    assert w["open_value_at_horizon"]["n"] == 2


def test_loa_metric_has_two_clocks_loas_and_amendments_and_groups():
    m = loa_metric(_cases(), _docs(), 0.0, 2 * Y)
    assert m["documents"] == {"loas": 4, "amendments": 3}
    r = m["lor_received"]
    # LOAs from receipt: 90, 180, 270 (replication 0), 130 days; amendments: 50, 80 (replication 0), 200 days
    assert r["loas_only"] == pytest.approx(1 / 4) and r["amendments_only"] == pytest.approx(2 / 3)
    assert r["loas_and_amendments"]["mean"] == pytest.approx((3 / 5 + 0 / 2) / 2)
    assert r["loas_and_amendments"]["n"] == 2
    assert r["by_group"] == {"A": pytest.approx(2 / 4), "B": None, "C": pytest.approx(1 / 2), "D": pytest.approx(0.0)}
    c = m["lor_complete"]
    # from LOR complete: 85, 180, 240, 100 days
    assert c["loas_only"] == pytest.approx(2 / 4)
    assert c["by_group"]["A"] == pytest.approx(3 / 4)


def test_fiscal_years_agree_with_flows_year_by_year():
    fy = fiscal_years(_cases(), _docs(), 2016, 3)
    for y in range(3):
        f = flows(_cases(), _docs(), y * Y, (y + 1) * Y)
        for m in fy:
            if m != "fiscal_year":
                assert fy[m][y] == pytest.approx(f[m].mean()), (m, y)


def test_a_replication_without_cases_still_counts():
    """Replication 2 had no LOR at all: it is a zero in every mean, not a missing replication."""
    w = workload(_cases(), _docs(), 0.0, 2 * Y, replications=[0, 1, 2])
    assert w["loas_offered_per_year"]["n"] == 3
    assert w["loas_offered_per_year"]["mean"] == pytest.approx((1.5 + 0.5 + 0.0) / 3)
    fy = fiscal_years(_cases(), _docs(), 2016, 1, replications=[0, 1, 2])
    assert fy["loas_offered"] == [pytest.approx(4 / 3)]
    assert open_value_at(_cases(), _docs(), 50.0, [0, 1, 2]).to_dict() == {0: pytest.approx(5.5),
                                                                          1: pytest.approx(2.0), 2: 0.0}


def test_bpc_value_counts_the_amendments_of_bpc_cases():
    docs = _docs()
    docs.loc[0, "case_id"] = 2  # case 1's amendment now belongs to the BPC case 2
    f = flows(_cases(), docs, 0.0, Y).set_index("replication").loc[0]
    assert f["bpc_value_accepted"] == pytest.approx(0.5 + 0.1)
