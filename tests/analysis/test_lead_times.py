"""sim.analysis.lead_times: lead times, histograms and outcomes on small hand-made tables."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis.lead_times import histogram, lead_time_summary, outcome_counts

NAN = math.nan




# ---------------------------------------------------------------- lead times
@pytest.fixture
def cases():
    """Two replications.  Days after LOR to offer / contract in the comments."""
    cols = ["replication", "case_id", "in_cohort", "acquisition", "lor_received",
            "loa_offered", "contract_awarded", "delivered", "withdrawn"]
    rows = [
        (0, 0, True, "on_contract", 100.0, 160.0, 300.0, NAN, NAN),  # offer 60, contract 200
        (0, 1, True, "stock", 110.0, 140.0, NAN, NAN, NAN),  # offer 30; stock: no contract ever
        (0, 2, True, "on_contract", 120.0, NAN, NAN, NAN, NAN),  # censored
        (0, 3, True, "new_procurement", 130.0, NAN, NAN, NAN, 200.0),  # withdrawn: not censored
        (0, 4, False, "on_contract", 10.0, 1000.0, 1100.0, NAN, NAN),  # warm-up: not in cohort
        (1, 0, True, "new_procurement", 100.0, 190.0, NAN, NAN, NAN),  # offer 90; contract censored
        (1, 1, True, "stock", 105.0, 225.0, NAN, NAN, NAN),  # offer 120
        (1, 2, True, "on_contract", 110.0, NAN, NAN, NAN, NAN),  # censored
    ]
    return pd.DataFrame(rows, columns=cols)


def test_lead_time_to_offer(cases):
    s = lead_time_summary(cases, "lor_to_offer", "loa_offered")
    per_rep = [45.0, 105.0]  # rep 0: (60 + 30)/2, rep 1: (90 + 120)/2
    hw = sps.t.ppf(0.975, 1) * np.std(per_rep, ddof=1) / math.sqrt(2)
    assert s["name"] == "lor_to_offer" and s["milestone"] == "loa_offered"
    assert s["mean"] == 75.0 and s["n"] == 2
    assert s["half_width"] == pytest.approx(hw, rel=1e-12)
    assert s["per_replication"] == per_rep
    assert s["median"] == 75.0  # pooled 30, 60, 90, 120
    assert s["p90"] == pytest.approx(111.0, rel=1e-12)  # linear: 90 + 0.7 * 30
    assert (s["cases"], s["reached"]) == (7, 4)
    assert s["censored_share"] == pytest.approx(2 / 7, rel=1e-12)  # (0,2) and (1,2)
    assert s["per_replication_censored_share"] == pytest.approx([1 / 4, 1 / 3], rel=1e-12)
    assert s["histogram"] == {"bin_days": 30.0, "edges": [0.0, 30.0, 60.0, 90.0, 120.0], "counts": [0, 1, 1, 2]}


def test_lead_time_to_contract_excludes_stock(cases):
    s = lead_time_summary(cases, "lor_to_contract", "contract_awarded")
    # cohort without stock: rep 0 cases 0, 2, 3; rep 1 cases 0, 2
    assert (s["cases"], s["reached"]) == (5, 1)
    assert s["censored_share"] == pytest.approx(3 / 5, rel=1e-12)  # (0,2), (1,0), (1,2)
    assert s["per_replication_censored_share"] == pytest.approx([1 / 3, 1.0], rel=1e-12)
    assert s["per_replication"] == [200.0, None]
    assert (s["mean"], s["n"], s["half_width"]) == (200.0, 1, None)
    assert (s["median"], s["p90"]) == (200.0, 200.0)


def test_lead_time_with_no_case_reaching_the_milestone(cases):
    s = lead_time_summary(cases, "lor_to_delivery", "delivered")
    assert (s["cases"], s["reached"]) == (7, 0)
    assert (s["mean"], s["median"], s["p90"]) == (None, None, None)
    assert s["censored_share"] == pytest.approx(6 / 7, rel=1e-12)  # all but the withdrawn (0,3)
    assert s["per_replication"] == [None, None]
    assert s["histogram"] == {"bin_days": 30.0, "edges": [0.0], "counts": []}


# ---------------------------------------------------------------- histogram
def test_histogram_counts_and_edges():
    h = histogram(np.array([0.0, 29.9, 30.0, 59.99, 60.0, 61.0]))
    assert h == {"bin_days": 30.0, "edges": [0.0, 30.0, 60.0, 90.0], "counts": [2, 2, 2]}


def test_histogram_maximum_on_an_edge_goes_in_the_last_bin():
    assert histogram(np.array([0.0, 60.0]))["counts"] == [1, 1]
    assert histogram(np.array([0.0, 60.0]))["edges"] == [0.0, 30.0, 60.0]


def test_histogram_small_values_one_bin_and_custom_width():
    assert histogram(np.array([1.0, 2.0]))["counts"] == [2]
    h = histogram(np.array([5.0, 15.0, 15.0, 35.0]), bin_days=10.0)
    assert h == {"bin_days": 10.0, "edges": [0.0, 10.0, 20.0, 30.0, 40.0], "counts": [1, 2, 0, 1]}


def test_outcome_counts():
    cases = pd.DataFrame({
        "replication": [0, 0, 0, 0, 1, 1, 1],
        "in_cohort": [True, True, True, False, True, True, False],
        "outcome": ["delivered", "withdrawn", "delivered", "delivered", "in_progress", "delivered", "withdrawn"],
        "notified": [True, False, False, True, True, True, False],
    })
    r = outcome_counts(cases)
    assert r["delivered"]["per_replication"] == [2, 1]
    assert r["withdrawn"]["per_replication"] == [1, 0]
    assert r["in_progress"]["per_replication"] == [0, 1]
    assert r["cohort"]["per_replication"] == [3, 2]
    assert r["notified_share"]["per_replication"] == pytest.approx([1 / 3, 1.0])
    assert r["delivered"]["mean"] == 1.5


def test_day_counts_merge_and_give_quantiles_within_a_day():
    from sim.analysis.lead_times import day_counts, day_counts_quantile, merge_day_counts

    assert day_counts(np.array([2.5, 2.9, 4.0])) == {"first_day": 2, "counts": [2, 0, 1]}
    assert day_counts(np.array([])) == {"first_day": 0, "counts": []}
    assert day_counts_quantile({"first_day": 0, "counts": []}, 0.5) is None
    x = np.random.default_rng(3).lognormal(5.0, 1.0, 4000)
    merged = merge_day_counts([day_counts(x[:1000]), day_counts(x[1000:]), day_counts(x[:0])])
    assert merged == day_counts(x)
    for q in (0.1, 0.5, 0.9, 0.99):
        assert abs(day_counts_quantile(merged, q) - np.quantile(x, q)) <= 1.0
