"""Blocks of replications merge into the summary of one run of all of them."""
from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.intervals import mean_ci
from sim.analysis.merge import MergeError, merge_histograms, merge_intervals, merge_summaries


@pytest.mark.parametrize("sizes", [(1, 3), (2, 2, 5), (4,), (1, 1, 1)])
def test_merged_intervals_equal_the_interval_of_all_values(sizes):
    rng = np.random.default_rng(7)
    values = rng.normal(100.0, 15.0, sum(sizes)).tolist()
    parts, at = [], 0
    for k in sizes:
        parts.append(mean_ci(values[at:at + k]))
        at += k
    merged, whole = merge_intervals(parts), mean_ci(values)
    assert merged["n"] == whole["n"]
    for key in ("mean", "half_width", "ci_low", "ci_high"):
        assert merged[key] == pytest.approx(whole[key], rel=1e-9)


def test_merged_intervals_leave_out_empty_parts():
    assert merge_intervals([mean_ci([]), mean_ci([5.0])]) == mean_ci([5.0])
    assert merge_intervals([mean_ci([])])["mean"] is None


def test_histograms_of_different_lengths_add_up():
    a = {"bin_days": 30.0, "edges": [0.0, 30.0, 60.0], "counts": [1, 2]}
    b = {"bin_days": 30.0, "edges": [0.0, 30.0, 60.0, 90.0], "counts": [0, 1, 4]}
    assert merge_histograms([a, b]) == {"bin_days": 30.0, "edges": [0.0, 30.0, 60.0, 90.0], "counts": [1, 3, 4]}
    with pytest.raises(MergeError, match="bin widths"):
        merge_histograms([a, {**b, "bin_days": 10.0}])


@pytest.fixture(scope="module")
def runs():
    """Replications 0-3 in one run, and the same as the blocks {0} and {1, 2, 3}."""
    from sim.config import load_params
    from sim.job import summarise_results
    from sim.runner import run_replications

    def run(first, n):
        p = load_params(["debug=tiny", "run.jobs=1", "run.records=summary", "run.horizon_years=1.5",
                         f"run.first_replication={first}", f"run.replications={n}"])
        return summarise_results(p, run_replications(p))

    return run(0, 4), run(0, 1), run(1, 3)


@pytest.mark.slow
def test_blocks_merge_into_the_run_of_all_their_replications(runs):
    whole, first, rest = runs
    assert rest["replication_ids"] == [1, 2, 3]
    merged = merge_summaries([rest, first])  # any order
    assert merged["replication_ids"] == whole["replication_ids"] == [0, 1, 2, 3]
    assert merged["replications"] == 4 and merged["merged"]["blocks"] == 2
    assert merged["run"]["first_replication"] == 0 and merged["run"]["replications"] == 4
    for name, lt in whole["lead_times"].items():
        m = merged["lead_times"][name]
        # replication r has the same random numbers whatever block it ran in
        assert m["per_replication"] == lt["per_replication"]
        assert m["cases"] == lt["cases"] and m["reached"] == lt["reached"] and m["censored"] == lt["censored"]
        assert m["histogram"] == lt["histogram"] and m["day_counts"] == lt["day_counts"]
        for key in ("mean", "half_width"):
            assert m[key] == pytest.approx(lt[key], rel=1e-12)
        assert abs(m["median"] - lt["median"]) <= 1.0 and abs(m["p90"] - lt["p90"]) <= 1.0
    assert merged["open_cases_at_horizon"]["per_replication"] == whole["open_cases_at_horizon"]["per_replication"]
    assert merged["cases"]["delivered"] == whole["cases"]["delivered"]
    for a, b in zip(merged["stages"], whole["stages"]):
        assert a["stage"] == b["stage"]
        for key in ("work_per_case", "wait_per_case", "hands_on_per_case"):
            for k in ("mean", "half_width"):
                assert a[key][k] == pytest.approx(b[key][k], rel=1e-6, abs=1e-9)
    assert merged["end_day_per_replication"] == whole["end_day_per_replication"]
    assert "pools" in merged["merged"]["sections_from_first_block"]


@pytest.mark.slow
def test_blocks_that_are_not_one_scenario_do_not_merge(runs):
    _, first, rest = runs
    with pytest.raises(MergeError, match="more than one block"):
        merge_summaries([first, first])
    with pytest.raises(MergeError, match="seed"):
        merge_summaries([first, {**rest, "seed": 1}])
    with pytest.raises(MergeError, match="run settings"):
        merge_summaries([first, {**rest, "run": {**rest["run"], "horizon_years": 9}}])
