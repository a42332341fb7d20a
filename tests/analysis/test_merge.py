"""sim.analysis.merge: blocks of replications merge into the run of all of them, every section from all the
blocks' tidy rows (issue 21: pools, workload and the rest were once the first block's only)."""
from __future__ import annotations

import pytest

from helpers import assert_close
from sim.analysis.merge import MergeError, merge_summaries


@pytest.fixture(scope="module")
def runs():
    """Replications 0-3 in one run, and the same as the blocks {0} and {1, 2, 3}: (summary, kpis) each."""
    from sim.config import load_params
    from sim.job import kpis_of, summarise_results
    from sim.runner import run_replications

    def run(first, n):
        p = load_params(["debug=tiny", "run.jobs=1", "run.records=summary", "run.horizon_years=1.5",
                         f"run.first_replication={first}", f"run.replications={n}"])
        results = run_replications(p)
        kpis = kpis_of(p, results)
        return summarise_results(p, results, kpis), kpis

    return run(0, 4), run(0, 1), run(1, 3)


@pytest.mark.slow
def test_blocks_merge_into_the_run_of_all_their_replications(runs):
    (whole, _), (first, k1), (rest, k2) = runs
    assert rest["replication_ids"] == [1, 2, 3]
    merged = merge_summaries([rest, first], [k2, k1])  # any order
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
    # every other section the rows hold is the whole run's, not the first block's
    for section in ("cases", "open_cases_at_horizon", "pools", "unstable", "workload", "fiscal_years", "loa_metric",
                    "stages", "yearly_flow", "end_day_per_replication", "stage_visits_per_replication", "series",
                    "warmup_check"):
        assert_close(merged[section], whole[section], section)
    # and nothing else differs from the whole run's summary but the lead times' medians and the merge's note
    assert set(merged) - {"merged"} == set(whole)
    for key in set(whole) - {"lead_times"}:
        assert_close(merged[key], whole[key], key)
    for section in ("pools", "yearly_flow", "series"):
        assert merged[section] != first[section], section
    assert merged["merged"] == {"blocks": 2}


@pytest.mark.slow
def test_blocks_that_are_not_one_scenario_do_not_merge(runs):
    _, (first, k1), (rest, k2) = runs
    with pytest.raises(MergeError, match="more than one block"):
        merge_summaries([first, first], [k1, k1])
    with pytest.raises(MergeError, match="seed"):
        merge_summaries([first, {**rest, "seed": 1}], [k1, k2])
    with pytest.raises(MergeError, match="run settings"):
        merge_summaries([first, {**rest, "run": {**rest["run"], "horizon_years": 9}}], [k1, k2])
    with pytest.raises(MergeError, match="not of the replications their summaries list"):
        merge_summaries([first, rest], [k1, k1])
    assert merge_summaries([first], [k1]) is first  # one block: the job's own summary, its medians exact
