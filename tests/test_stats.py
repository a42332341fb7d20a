"""Pure statistics on small hand-made tables, checked against hand computations."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis.dynamics import open_cases_at, open_cases_series
from sim.analysis.intervals import mean_ci
from sim.analysis.lead_times import histogram, lead_time_summary, outcome_counts
from sim.analysis.pools import pool_window_stats
from sim.analysis.stages import stage_times, stage_totals

NAN = math.nan


# ---------------------------------------------------------------- mean_ci
def test_mean_ci_matches_hand_computation():
    x = [1.0, 2.0, 3.0, 4.0, 10.0]
    mean = 4.0
    sd = math.sqrt(((1 - 4) ** 2 + (2 - 4) ** 2 + (3 - 4) ** 2 + 0 + (10 - 4) ** 2) / 4)  # sqrt(12.5)
    hw = sps.t.ppf(0.975, 4) * sd / math.sqrt(5)  # 2.776445 * 3.535534 / 2.236068 = 4.389945
    r = mean_ci(x)
    assert r["n"] == 5 and r["mean"] == mean
    assert r["half_width"] == pytest.approx(hw, rel=1e-12)
    assert r["half_width"] == pytest.approx(4.389945, abs=1e-6)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((mean - hw, mean + hw), rel=1e-12)


def test_mean_ci_other_level_and_missing_values_dropped():
    r = mean_ci([2.0, None, NAN, 4.0, 9.0], level=0.9)
    sd = math.sqrt((3**2 + 1**2 + 4**2) / 2)  # values 2, 4, 9 around 5
    assert r["n"] == 3 and r["mean"] == 5.0
    assert r["half_width"] == pytest.approx(sps.t.ppf(0.95, 2) * sd / math.sqrt(3), rel=1e-12)


def test_mean_ci_with_one_or_no_values():
    assert mean_ci([7.0, NAN]) == {"mean": 7.0, "ci_low": None, "ci_high": None, "half_width": None, "n": 1}
    assert mean_ci([NAN]) == {"mean": None, "ci_low": None, "ci_high": None, "half_width": None, "n": 0}


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


# ---------------------------------------------------------------- open cases
def test_open_cases_at():
    df = pd.DataFrame({
        "replication": [0, 0, 0, 0, 0, 1, 1, 1],
        "lor_received": [10.0, 20.0, 30.0, 60.0, 40.0, 5.0, 45.0, 44.0],
        "closed": [50.0, NAN, NAN, 100.0, 45.0, 45.0, NAN, NAN],
        "withdrawn": [NAN, 40.0, NAN, NAN, 50.0, NAN, NAN, 46.0],
    })
    # day 45, rep 0: open (closes 50); withdrawn 40; open (no end); not yet received; closed at 45
    #         rep 1: closed exactly at 45 -> not open; received exactly at 45 -> open; withdrawn 46 -> open
    got = open_cases_at(df, 45.0)
    assert got.to_dict() == {0: 2, 1: 2}
    assert open_cases_at(df, 0.0).to_dict() == {0: 0, 1: 0}
    assert open_cases_at(df, 1000.0).to_dict() == {0: 1, 1: 1}
    # the series uses the same rule, averaged over replications
    days = [0.0, 5.0, 40.0, 44.0, 45.0, 46.0, 50.0, 100.0, 1000.0]
    assert open_cases_series(df, days) == [float(open_cases_at(df, t).mean()) for t in days]
    assert open_cases_series(df, [45.0]) == [2.0]


# ---------------------------------------------------------------- pool windows
def _window_rows():
    cols = ["replication", "at", "pool", "day", "queue_area", "busy_area", "capacity_area",
            "requests", "starts", "releases", "queue", "busy", "capacity"]
    rows = [
        (0, "warmup", "A", 100.0, 50.0, 300.0, 400.0, 12, 10, 8, 2, 2, 4),
        (0, "warmup", "B", 100.0, 0.0, 50.0, 100.0, 3, 3, 3, 0, 0, 1),
        (0, "horizon", "A", 300.0, 250.0, 1100.0, 1400.0, 55, 50, 47, 5, 3, 5),
        (0, "horizon", "B", 300.0, 20.0, 150.0, 300.0, 9, 9, 8, 0, 1, 1),
        (0, "end", "A", 900.0, 999.0, 9999.0, 99999.0, 99, 99, 99, 0, 0, 5),  # ignored
        (1, "warmup", "A", 100.0, 0.0, 0.0, 400.0, 0, 0, 0, 0, 0, 4),
        (1, "warmup", "B", 100.0, 10.0, 10.0, 100.0, 1, 1, 1, 0, 0, 1),
        (1, "horizon", "A", 300.0, 600.0, 900.0, 1400.0, 60, 30, 27, 30, 3, 5),
        (1, "horizon", "B", 300.0, 10.0, 110.0, 300.0, 5, 5, 5, 0, 0, 1),
    ]
    return pd.DataFrame(rows, columns=cols)


def test_pool_window_stats_utilisation_queue_and_throughput():
    out = pool_window_stats(_window_rows())
    assert [p["pool"] for p in out] == ["A", "B"]
    a, b = out
    # A: rep 0 (1100-300)/(1400-400) = 0.8, rep 1 900/1000 = 0.9
    assert a["per_replication_utilisation"] == pytest.approx([0.8, 0.9], rel=1e-12)
    assert a["utilisation"]["mean"] == pytest.approx(0.85, rel=1e-12)
    assert a["capacity"] == 5  # at the end of the window
    # mean queue: (250-50)/200 = 1.0, 600/200 = 3.0
    assert a["mean_queue"]["mean"] == pytest.approx(2.0, rel=1e-12)
    assert a["mean_queue"]["half_width"] == pytest.approx(
        sps.t.ppf(0.975, 1) * np.std([1.0, 3.0], ddof=1) / math.sqrt(2), rel=1e-12)
    # starts per year: 40/200*365.25 = 73.05, 30/200*365.25 = 54.7875
    assert a["starts_per_year"]["mean"] == pytest.approx((73.05 + 54.7875) / 2, rel=1e-12)
    # B: 100/200 = 0.5 both replications
    assert b["per_replication_utilisation"] == pytest.approx([0.5, 0.5], rel=1e-12)
    assert b["utilisation"]["half_width"] == 0.0
    assert b["capacity"] == 1
    assert b["mean_queue"]["mean"] == pytest.approx((20 / 200 + 0.0) / 2, rel=1e-12)


def test_pool_window_stats_other_window():
    rows = _window_rows()
    out = pool_window_stats(rows[(rows["replication"] == 0) & (rows["pool"] == "A")], start="horizon", end="end")
    a = out[0]
    assert a["per_replication_utilisation"] == pytest.approx([(9999 - 1100) / (99999 - 1400)], rel=1e-12)
    assert a["utilisation"]["n"] == 1


# ---------------------------------------------------------------- stage times and outcomes
def test_stage_totals_and_stage_times_per_cohort_case():
    cases = pd.DataFrame({"replication": [0, 0, 0, 1], "case_id": [1, 2, 3, 1],
                          "in_cohort": [True, True, False, True]})
    visits = pd.DataFrame(
        [(0, 1, "lor_intake", "case_managers", 0.0, 2.0, 5.0),  # wait 2, work 3
         (0, 1, "lor_intake", "case_managers", 10.0, 11.0, 12.0),  # wait 1, work 1 (second visit)
         (0, 2, "lor_intake", "case_managers", 0.0, 0.0, 4.0),  # wait 0, work 4
         (0, 3, "lor_intake", "case_managers", 0.0, 100.0, 200.0),  # not in the cohort
         (0, 1, "tech_release", "tech_reviewers", 5.0, 5.0, 10.0),  # work 5; rep 1 never visits
         (0, 2, "production_line", "line:F-16", 20.0, 25.0, 30.0),  # wait 5, work 5
         (1, 1, "production_line", "line:C-130", 20.0, 20.0, 40.0),  # wait 0, work 20
         (1, 1, "lor_intake", "case_managers", 0.0, 6.0, 7.0)],  # wait 6, work 1
        columns=["replication", "case_id", "stage", "pool", "arrived", "started", "finished"])
    totals = stage_totals(cases, visits)
    intake_totals = totals[totals["stage"] == "lor_intake"].set_index("replication")
    assert intake_totals.loc[0, ["wait", "work", "visits", "cohort"]].tolist() == [3.0, 8.0, 3, 2]
    assert intake_totals.loc[1, ["wait", "work", "visits", "cohort"]].tolist() == [6.0, 1.0, 1, 1]

    out = stage_times(totals, [0, 1])
    assert [s["stage"] for s in out] == ["lor_intake", "tech_release", "production_line"]  # process order
    intake, tech, line = out
    assert (intake["pool"], tech["pool"], line["pool"]) == ("case_managers", "tech_reviewers", "production lines")
    assert intake["wait_per_case"]["mean"] == pytest.approx((3 / 2 + 6) / 2)
    assert intake["work_per_case"]["mean"] == pytest.approx((8 / 2 + 1) / 2)
    assert intake["visits_per_case"] == pytest.approx((3 / 2 + 1) / 2)
    assert tech["wait_per_case"]["mean"] == 0.0
    assert tech["work_per_case"]["mean"] == pytest.approx((5 / 2 + 0) / 2)  # rep 1 counts as zero
    assert tech["work_per_case"]["n"] == 2
    assert tech["visits_per_case"] == pytest.approx((1 / 2 + 0) / 2)
    assert line["wait_per_case"]["mean"] == pytest.approx((5 / 2 + 0) / 2)
    assert line["work_per_case"]["mean"] == pytest.approx((5 / 2 + 20) / 2)


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
