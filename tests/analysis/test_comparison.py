"""sim.analysis.comparison: paired differences, the reference and shared labels, on hand-made summaries."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from report_fixtures import (
    T_975_1,
    T_975_2,
    fake_summary,
    job,
    row,
)
from sim.analysis import comparison

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- paired differences

def test_paired_difference_hand_computed():
    """Reference 100/110/120, scenario 90/104/111: differences -10, -6, -9.

    mean = -25/3; sample variance = ((5/3)^2 + (7/3)^2 + (2/3)^2) / 2 = 13/3; half width =
    t(0.975, 2) * sqrt(13/3) / sqrt(3); change in % = mean / 110 (the paired reference mean).
    """
    jobs = [job(0, fake_summary("none", [100.0, 110.0, 120.0])),
            job(1, fake_summary("more_staff", [90.0, 104.0, 111.0]))]
    table, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source) == ("none", 0, "default")
    r = row(table, 1, "lor_to_offer")
    hw = T_975_2 * math.sqrt(13 / 3) / math.sqrt(3)
    assert r["diff_mean"] == pytest.approx(-25 / 3, abs=1e-12)
    assert r["diff_half_width"] == pytest.approx(hw, abs=1e-12)
    assert r["diff_ci_low"] == pytest.approx(-25 / 3 - hw, abs=1e-12)
    assert r["diff_ci_high"] == pytest.approx(-25 / 3 + hw, abs=1e-12)
    assert r["diff_pct"] == pytest.approx(100 * (-25 / 3) / 110, abs=1e-12)
    assert r["diff_n"] == 3 and r["n_reps"] == 3
    assert r["mean"] == pytest.approx(305 / 3) and r["reference"] == "none" and r["reference_job"] == 0
    # pairing removes the replication-to-replication spread the scenario shares with the reference
    assert r["diff_half_width"] < r["half_width"]
    # contract = offer + 300 in both jobs, so the same differences; the reference's own change is 0
    assert row(table, 1, "lor_to_contract")["diff_mean"] == pytest.approx(-25 / 3, abs=1e-9)
    ref_row = row(table, 0, "lor_to_offer")
    assert (ref_row["diff_mean"], ref_row["diff_half_width"]) == (0.0, 0.0)


def _rows(values: dict[int, float], seed: int = 0, metric: str = "lor_to_offer") -> pd.DataFrame:
    """A job's tidy rows of one metric (kpis.parquet's columns), replication -> value, in the order given."""
    return pd.DataFrame({"scenario": "x", "seed": seed, "replication": list(values), "metric": metric,
                         "value": list(values.values())})


def test_paired_changes_come_from_the_tidy_rows_when_a_job_has_them():
    """The rows are the record: where a job has them, its pairs are its rows' values (in replication order, whatever
    the order of the blocks' rows), and a job without rows (a folder older than kpis.parquet) gives its summary's."""
    jobs = [job(0, fake_summary("none", [100.0, 110.0, 120.0])),
            job(1, fake_summary("more_staff", [90.0, 104.0, 111.0])),
            job(2, fake_summary("other", [80.0, 90.0, 100.0]))]
    kpis = {0: _rows({2: 120.0, 0: 100.0, 1: 110.0}), 1: _rows({0: 95.0, 1: 105.0, 2: 115.0})}
    table, _ = comparison.comparison_table(jobs, kpis=kpis)
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(-5.0, abs=1e-12)  # rows: -5 each
    assert row(table, 1, "lor_to_offer")["diff_half_width"] == 0.0
    assert row(table, 2, "lor_to_offer")["diff_mean"] == pytest.approx(-20.0, abs=1e-12)  # its summary
    # lor_to_contract is not in job 1's rows: no pairs from its summary either (the rows are the whole record)
    assert math.isnan(row(table, 1, "lor_to_contract")["diff_mean"])
    same, _ = comparison.comparison_table(jobs)
    assert row(same, 1, "lor_to_offer")["diff_mean"] == pytest.approx(-25 / 3, abs=1e-12)


def test_pairs_are_matched_on_replication_numbers_not_positions():
    """The reference ran replications 0-4; the scenario only 2-4 (a later block): pairs are r2, r3, r4."""
    jobs = [job(0, fake_summary("none", [100.0, 110.0, 120.0, 130.0, 140.0], replication_ids=[0, 1, 2, 3, 4])),
            job(1, fake_summary("faster", [115.0, 126.0, 137.0], replication_ids=[2, 3, 4]))]
    table, _ = comparison.comparison_table(jobs)
    r = row(table, 1, "lor_to_offer")
    assert r["diff_n"] == 3
    assert r["diff_mean"] == pytest.approx(-4.0, abs=1e-12)  # -5, -4, -3 (by position it would be +15, +16, +17)
    assert r["diff_pct"] == pytest.approx(100 * -4.0 / 130.0, abs=1e-12)
    assert r["replications"] == "2-4" and row(table, 0, "lor_to_offer")["replications"] == "0-4"


def test_replication_numbers_print_as_ranges():
    assert comparison.id_ranges([5, 0, 1, 2, 6, 9]) == "0-2,5-6,9"
    assert comparison.id_ranges([]) == "" and comparison.id_ranges([3]) == "3"


def test_paired_difference_drops_unpaired_replications():
    """Reference 100/-/120/-, scenario 90/104/111/95/80: pairs r0 (-10) and r2 (-9) only."""
    jobs = [job(0, fake_summary("none", [100.0, None, 120.0, None])),
            job(1, fake_summary("faster", [90.0, 104.0, 111.0, 95.0, 80.0]))]
    table, _ = comparison.comparison_table(jobs)
    r = row(table, 1, "lor_to_offer")
    assert r["diff_n"] == 2
    assert r["diff_mean"] == pytest.approx(-9.5, abs=1e-12)
    assert r["diff_half_width"] == pytest.approx(T_975_1 * math.sqrt(0.5) / math.sqrt(2), abs=1e-12)
    assert r["diff_pct"] == pytest.approx(100 * -9.5 / 110, abs=1e-12)


def test_paired_differences_function_on_a_tidy_table():
    reps = pd.DataFrame({"job": [0, 0, 1, 1, 2], "metric": ["m"] * 5, "replication": [0, 1, 0, 1, 0],
                         "value": [10.0, 20.0, 13.0, 21.0, 5.0]})
    d = comparison.paired_differences(reps, reference_job=0).set_index("job")
    assert d.loc[1, "diff_mean"] == pytest.approx(2.0)                       # (3 + 1) / 2
    assert d.loc[1, "diff_half_width"] == pytest.approx(T_975_1 * math.sqrt(2.0) / math.sqrt(2))
    assert d.loc[2, "diff_mean"] == pytest.approx(-5.0) and d.loc[2, "diff_n"] == 1
    assert math.isnan(d.loc[2, "diff_ci_low"])                               # one pair: no interval


def test_reference_choice():
    a = fake_summary("none", [100.0, 110.0], reference="baseline_x")
    b = fake_summary("baseline_x", [90.0, 100.0], reference="baseline_x")
    jobs = [job(0, a), job(1, b)]
    _, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source) == ("baseline_x", 1, "summaries")
    table, ref = comparison.comparison_table(jobs, reference="none")
    assert (ref.label, ref.job, ref.source) == ("none", 0, "--reference")
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(-10.0)
    # a label no job has: no differences, and a note saying so
    table, ref = comparison.comparison_table(jobs, reference="nope")
    assert ref.job is None and "no completed job" in ref.note
    assert table["diff_mean"].isna().all() and (table["reference"] == "nope").all()


def test_shared_labels_are_told_apart_and_the_first_is_the_reference():
    jobs = [job(0, fake_summary("none", [100.0, 110.0]), overrides=["debug=tiny", "x.headcount=95"]),
            job(1, fake_summary("none", [130.0, 150.0]), overrides=["debug=tiny", "x.headcount=40"]),
            job(2, fake_summary("more_staff", [90.0, 95.0]), overrides=["debug=tiny", "reform=more_staff"])]
    labels = comparison.scenario_labels(jobs)
    assert labels == {0: "none [x.headcount=95]", 1: "none [x.headcount=40]", 2: "more_staff"}
    table, ref = comparison.comparison_table(jobs)
    assert ref.job == 0 and "2 jobs" in ref.note
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(35.0)
    assert comparison.scenario_order(table, 0) == [0, 1, 2]          # +29% before -11%
    points = [job(i, fake_summary("lhs", [1.0, 2.0], sensitivity={"point": i, "factors": {"a": i}}),
                  overrides=[f"a={i}"]) for i in range(2)]
    assert comparison.scenario_labels(points) == {0: "lhs (point 0)", 1: "lhs (point 1)"}


def test_labels_name_the_swept_keys_only_so_none_is_found_with_a_value_set_once():
    """``-m reform=none,more_staff demand.lor_per_year=900``: every job has the fixed value, so no label names it and
    'none' is the reference (a breaker's find: the first job stood in, named 'none demand.lor_per_year=900')."""
    fixed = "demand.lor_per_year=900"
    jobs = [job(0, fake_summary(f"none {fixed}", [100.0, 110.0]), overrides=["reform=none", fixed]),
            job(1, fake_summary(f"more_staff {fixed} x=1", [90.0, 95.0]),
                overrides=["reform=more_staff", fixed, "x=1"])]
    assert comparison.scenario_labels(jobs) == {0: "none", 1: "more_staff x=1"}
    table, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source, ref.note) == ("none", 0, "default", None)
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(-12.5)
    assert list(table["label"].unique()) == ["none", "more_staff x=1"]
    assert list(table["scenario"].unique()) == [f"none {fixed}", f"more_staff {fixed} x=1"]  # the jobs' own names
    (one,) = [job(0, fake_summary(f"none {fixed}", [1.0, 2.0]), overrides=["reform=none", fixed])]
    assert comparison.scenario_labels([one]) == {0: f"none {fixed}"}  # one job: nothing is swept, nothing dropped


def test_without_none_the_first_jobs_scenario_is_the_reference_for_every_seed():
    """``-m reform=a,b seed=1,2``: the first job's scenario stands in, run with each seed, so every job pairs (a
    breaker's find: only the first job stood in, and the jobs of seed 2 had no change)."""
    jobs = [job(n, fake_summary(r, vals, seed=seed), overrides=[f"reform={r}", f"seed={seed}"])
            for n, (r, seed, vals) in enumerate([("a", 1, [100.0, 110.0]), ("a", 2, [200.0, 210.0]),
                                                 ("b", 1, [90.0, 100.0]), ("b", 2, [180.0, 200.0])])]
    table, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source, dict(ref.by_seed)) == ("a", 0, "first job", {1: 0, 2: 1})
    assert "measured against the first job's scenario, 'a' (job 0)" in ref.note and "no reference job" not in ref.note
    assert row(table, 2, "lor_to_offer")["diff_mean"] == pytest.approx(-10.0)
    assert row(table, 3, "lor_to_offer")["diff_mean"] == pytest.approx(-15.0)


def test_the_reference_crossed_with_another_swept_key_pairs_each_job_with_its_own_values():
    """``-m reform=none,more_staff x=1,2``: more_staff at x=2 pairs with none at x=2, never with none at x=1 (a
    breaker's find: the first job stood in for all, mixing two changes)."""
    runs = [("none", "x=1", [100.0, 110.0]), ("none", "x=2", [200.0, 230.0]),
            ("more_staff", "x=1", [90.0, 100.0]), ("more_staff", "x=2", [185.0, 210.0])]
    jobs = [job(n, fake_summary(f"{r} {x}", vals), overrides=[f"reform={r}", x, "debug=tiny"])
            for n, (r, x, vals) in enumerate(runs)]
    table, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, dict(ref.by_job)) == ("none", 0, {0: 0, 1: 1, 2: 0, 3: 1})
    assert "each job is compared with the 'none' job of its own values and seed (jobs 0, 1)" in ref.note
    assert row(table, 2, "lor_to_offer")["diff_mean"] == pytest.approx(-10.0)
    assert row(table, 3, "lor_to_offer")["diff_mean"] == pytest.approx(-17.5)  # against job 1, not job 0
    assert row(table, 1, "lor_to_offer")["diff_mean"] == 0.0 and row(table, 3, "lor_to_offer")["reference_job"] == 1
    # a value the reference never ran with: no paired change, and the note says so
    jobs.append(job(4, fake_summary("more_staff x=3", [1.0, 2.0]),
                    overrides=["reform=more_staff", "x=3", "debug=tiny"]))
    table, ref = comparison.comparison_table(jobs)
    assert "no 'none' job ran with the values and seed of job(s) 4" in ref.note
    assert table.loc[table["job"] == 4, "diff_mean"].isna().all()


def test_swept_only_drops_an_override_wherever_it_stands_in_the_label():
    from sim.model.reform import swept_only

    labels = ["none a=1 b=2 c=3", "x b=2 c=4 a=1", "mine"]  # the last: a study's own scenario name
    overrides = [["a=1", "b=2", "c=3"], ["b=2", "c=4", "a=1"], ["a=1", "b=2"]]
    assert swept_only(labels, overrides) == ["none c=3", "x c=4", "mine"]


def test_pairs_need_the_same_seed_as_well_as_the_same_replication():
    """A sweep over seeds and reforms: each reform job pairs with the reference job of its own seed (common random
    numbers); a job whose seed no reference job ran has no paired change, and the note names it."""
    jobs = [job(0, fake_summary("none", [100.0, 110.0], seed=1), overrides=["seed=1", "reform=none"]),
            job(1, fake_summary("none", [200.0, 220.0], seed=2), overrides=["seed=2", "reform=none"]),
            job(2, fake_summary("more_staff", [90.0, 104.0], seed=1), overrides=["seed=1", "reform=more_staff"]),
            job(3, fake_summary("more_staff", [190.0, 214.0], seed=2), overrides=["seed=2", "reform=more_staff"]),
            job(4, fake_summary("more_staff", [50.0, 60.0], seed=3), overrides=["seed=3", "reform=more_staff"])]
    table, ref = comparison.comparison_table(jobs)
    assert ref.job == 0 and dict(ref.by_seed) == {1: 0, 2: 1}
    assert row(table, 2, "lor_to_offer")["diff_mean"] == pytest.approx(-8.0)   # against job 0 (seed 1)
    assert row(table, 3, "lor_to_offer")["diff_mean"] == pytest.approx(-8.0)   # against job 1 (seed 2), not -63
    assert math.isnan(row(table, 4, "lor_to_offer")["diff_mean"])             # seed 3: no reference ran it
    assert "job(s) 4" in ref.note and "same seed" in ref.note
    assert [row(table, j, "lor_to_offer")["reference_job"] for j in (1, 2, 3)] == [1, 0, 1]  # its own seed's
    # one reference seed, a job with another: never paired across seeds
    table, ref = comparison.comparison_table([jobs[0], jobs[3]])
    assert math.isnan(row(table, 3, "lor_to_offer")["diff_mean"]) and "job(s) 3" in ref.note


def test_without_a_none_job_the_first_job_is_the_reference_and_the_note_says_so():
    jobs = [job(0, fake_summary("none", [100.0, 110.0]), overrides=["x.headcount=60"]),
            job(1, fake_summary("none", [90.0, 100.0]), overrides=["x.headcount=80"])]
    jobs[0]["scenario"] = jobs[0]["summary"]["scenario"] = "headcount_60"
    jobs[1]["scenario"] = jobs[1]["summary"]["scenario"] = "headcount_80"
    table, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source) == ("headcount_60", 0, "first job")
    assert "no completed job has the reference scenario 'none'" in ref.note and "(job 0)" in ref.note
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(-10.0)
    # asked for by name: never replaced
    _, ref = comparison.comparison_table(jobs, reference="none")
    assert ref.job is None and ref.source == "--reference"
