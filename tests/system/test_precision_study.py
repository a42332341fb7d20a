"""sim.precision_study.PrecisionStudy with a stand-in launcher: rounds, the plan file, failed blocks (no simulation)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from report_fixtures import fake_summary
from sim.analysis.precision import Target
from sim.config import ConfigError
from sim.output.run_dir import write_json
from sim.precision_study import PrecisionStudy, block_overrides, pilot_jobs, target_of

# per scenario, the LOR-to-delivery value of replication r: the reference is 700 + 10 sin(r); "steady" moves it by
# a constant (no spread: the pilot settles it); "noisy" by a spread of about 30 days (needs more replications)
VALUE = {
    "none": lambda r: 700.0 + 10 * math.sin(r),
    "steady": lambda r: 690.0 + 10 * math.sin(r),
    "noisy": lambda r: 700.0 + 10 * math.sin(r) + 30.0 * math.cos(3.7 * r),
}
SCENARIOS = [["reform=none"], ["reform=steady"], ["reform=noisy"]]
LABELS = ["none", "steady", "noisy"]


class FakeLauncher:
    """Writes what a job would: a complete manifest and a summary of its block of replications."""

    def __init__(self, root: Path, fail: tuple[int, ...] = (), rows: bool = True, summary_shift: float = 0.0) -> None:
        self.root, self.fail, self.batches = root, fail, []
        self.rows, self.summary_shift = rows, summary_shift  # summary_shift: a summary that disagrees with the rows

    def __call__(self, batch, first_job):
        self.batches.append((first_job, [list(b) for b in batch]))
        for k, job in enumerate(batch):
            num = first_job + k
            label = job[0].split("=")[1]
            first = int(next(o for o in job if o.startswith("run.first_replication=")).split("=")[1])
            n = int(next(o for o in job if o.startswith("run.replications=")).split("=")[1])
            ids = list(range(first, first + n))
            d = self.root / str(num)
            d.mkdir(parents=True)
            if num in self.fail:
                write_json(d / "manifest.json", {"status": "failed", "error": "boom", "overrides": job})
                continue
            delivery = [VALUE[label](r) for r in ids]
            shift = self.summary_shift if label == "noisy" else 0.0
            shifted = [v + shift * (-1) ** r for v, r in zip(delivery, ids)]
            write_json(d / "summary.json", fake_summary(label, [v - 600 for v in shifted], delivery=shifted,
                                                        replication_ids=ids))
            if self.rows:  # the record the study reads: one row per replication and metric
                pd.DataFrame({"scenario": label, "seed": 1, "replication": ids, "metric": "lor_to_delivery",
                              "value": delivery}).to_parquet(d / "kpis.parquet")
            write_json(d / "manifest.json", {"status": "complete", "overrides": job})


def _study(tmp_path, half_width=5.0, most=12, fail=(), **launcher_kw):
    target = Target(half_width, ("lor_to_delivery",), 3, most)
    launcher = FakeLauncher(tmp_path, fail, **launcher_kw)
    study = PrecisionStudy(tmp_path, SCENARIOS, LABELS, "none", target)
    return study, launcher, study.run(launcher)


def test_rounds_grow_only_the_scenarios_short_of_the_target_and_the_reference(tmp_path):
    study, launcher, plan = _study(tmp_path)
    first_round = launcher.batches[0][1]
    assert first_round == [block_overrides(s, b) for s, b in zip(SCENARIOS, [b for b in _pilot_blocks()])]
    later = [job for _, batch in launcher.batches[1:] for job in batch]
    assert later and all(job[0] in ("reform=none", "reform=noisy") for job in later)  # steady met at the pilot
    by = {s["label"]: s for s in plan["scenarios"]}
    assert by["steady"]["replications"] == 3 and by["steady"]["status"] == "met"
    assert by["none"]["replications"] == by["noisy"]["replications"] > 3  # the reference pairs every replication
    assert by["noisy"]["status"] in ("met", "short at max_replications")
    assert by["noisy"]["precision"]["lor_to_delivery"]["pairs"] == by["noisy"]["replications"]
    # job numbers run on across rounds; the pilot of scenario i is job i
    nums = [j["job"] for rnd in plan["rounds"] for j in rnd]
    assert nums == list(range(len(nums))) and [s["jobs"][0] for s in plan["scenarios"]] == [0, 1, 2]
    assert json.loads((tmp_path / "precision_plan.json").read_text()) == plan


def _pilot_blocks():
    from sim.analysis.precision import Block

    return [Block(i, 0, 3) for i in range(3)]


def test_blocks_continue_where_the_scenario_stopped(tmp_path):
    _, launcher, plan = _study(tmp_path, half_width=1.0, most=9)
    firsts = {}
    for _, batch in launcher.batches:
        for job in batch:
            first = int(job[-2].split("=")[1])
            assert first == firsts.get(job[0], 0)  # no replication twice, no gap
            firsts[job[0]] = first + int(job[-1].split("=")[1])
    by = {s["label"]: s for s in plan["scenarios"]}
    assert by["noisy"]["replications"] == 9 and by["noisy"]["status"] == "short at max_replications"
    assert plan["met"] is False


def test_a_failed_block_stops_its_scenario_and_a_failed_reference_stops_the_study(tmp_path):
    _, launcher, plan = _study(tmp_path / "a", fail=(2,))
    by = {s["label"]: s for s in plan["scenarios"]}
    assert by["noisy"]["status"] == "failed" and "job 2 failed: boom" in by["noisy"]["error"]
    assert all(job[0] != "reform=noisy" for _, batch in launcher.batches[1:] for job in batch)
    _, launcher, plan = _study(tmp_path / "b", fail=(0,))
    assert len(launcher.batches) == 1 and plan["status"] == "complete" and plan["met"] is False


def test_pilot_jobs_and_target_checks():
    target = Target(10.0, ("lor_to_delivery",), 4, 8)
    assert pilot_jobs([["reform=a", "run.replications=7"]], target) == [
        ["reform=a", "run.first_replication=0", "run.replications=4"]]

    class Node:
        half_width, metrics, pilot, max_replications = 10.0, ["lor_to_offer"], 3, 3

    assert target_of(Node()) == Target(10.0, ("lor_to_offer",), 3, 3)
    Node.max_replications = 2
    with pytest.raises(ConfigError, match="max_replications=2"):
        target_of(Node())


def test_a_round_that_cannot_run_stops_the_rounds_with_the_reason(tmp_path):
    target = Target(0.01, ("lor_to_delivery",), 3, 12)
    launcher = FakeLauncher(tmp_path)
    calls = []

    def validate(batch):
        calls.append(batch)
        if len(calls) == 2:
            raise ConfigError("run.replications=9: too large")

    plan = PrecisionStudy(tmp_path, SCENARIOS, LABELS, "none", target).run(launcher, validate)
    assert len(launcher.batches) == 1 and plan["status"] == "complete" and plan["met"] is False
    assert plan["stopped"] == "round 2 could not run: run.replications=9: too large"


def test_a_plan_left_by_a_precision_study_is_ignored_by_a_later_plain_sweep(tmp_path):
    from sim.output.multirun import read_plan

    write_json(tmp_path / "precision_plan.json", {"sweeper": "precision", "scenarios": [{"label": "none"}],
                                                  "rounds": [], "target": {"half_width": 1.0, "metrics": ["x"]}})
    assert read_plan(tmp_path) is not None  # no multirun.yaml to say otherwise
    (tmp_path / "multirun.yaml").write_text("hydra:\n  sweeper:\n    _target_: hydra._internal.core_plugins."
                                            "basic_sweeper.BasicSweeper\n")
    assert read_plan(tmp_path) is None


def test_rounds_are_planned_from_the_jobs_tidy_rows_not_their_summaries(tmp_path):
    """The rows are the record (issue 21): a summary that disagrees is not read; a folder without rows (written
    before kpis.parquet existed) is read from its summary's lists, the same numbers; damaged rows stop the
    scenario with the reason."""
    _, _, from_rows = _study(tmp_path / "rows", summary_shift=25.0)  # noisy's summaries: a wider spread
    _, _, plain = _study(tmp_path / "plain")
    _, _, from_summaries = _study(tmp_path / "old", rows=False)
    assert from_rows["scenarios"] == plain["scenarios"] == from_summaries["scenarios"]
    _, _, misread = _study(tmp_path / "misread", summary_shift=25.0, rows=False)
    assert misread["scenarios"] != plain["scenarios"]  # the shifted summaries would have planned other rounds

    class Damaging(FakeLauncher):
        def __call__(self, batch, first_job):
            super().__call__(batch, first_job)
            if first_job == 0:
                (self.root / "2" / "kpis.parquet").write_bytes(b"not parquet")

    target = Target(5.0, ("lor_to_delivery",), 3, 12)
    plan = PrecisionStudy(tmp_path / "bad", SCENARIOS, LABELS, "none", target).run(Damaging(tmp_path / "bad"))
    noisy = {s["label"]: s for s in plan["scenarios"]}["noisy"]
    assert noisy["status"] == "failed" and noisy["error"].startswith("job 2: kpis.parquet cannot be read")
