"""A study killed with SIGKILL and rerun with run.resume=true finishes with the same report as one that ran
without a break; the report of the interrupted study names the jobs that never ran."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SWEEP = ["-m", "reform=none,more_staff,parallel_reviews", "debug=tiny", "run.replications=1",
         "run.horizon_years=1", "run.warmup_years=0.2", "run.drain_years=3", "run.jobs=1"]


def _sim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def _status(job: Path) -> str:
    try:
        return json.loads((job / "manifest.json").read_text())["status"]
    except (OSError, ValueError, KeyError):
        return ""


@pytest.mark.slow
def test_a_killed_study_resumes_to_the_same_comparison_as_an_unbroken_one(tmp_path):
    whole, broken = tmp_path / "whole", tmp_path / "broken"
    assert _sim(*SWEEP, f"hydra.sweep.dir={whole}").returncode == 0

    proc = subprocess.Popen([sys.executable, "-m", "sim", *SWEEP, f"hydra.sweep.dir={broken}"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while _status(broken / "0") != "complete" and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _status(broken / "0") == "complete" and _status(broken / "2") != "complete"

    # the interrupted study's report names the jobs that never ran (from the sweep in multirun.yaml)
    rep = subprocess.run([sys.executable, "-m", "sim.report", str(broken)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    jobs = json.loads((broken / "report.json").read_text())["jobs"]
    assert jobs["total"] == 3 and jobs["ok"] + jobs["failed"] + jobs["missing"] == 3 and jobs["ok"] < 3
    assert jobs["missing"] >= 1 and "missing (never ran)" in rep.stdout

    assert _sim(*SWEEP, f"hydra.sweep.dir={broken}").returncode == 2  # a folder with a sweep: refused
    done = _sim(*SWEEP, "run.resume=true", f"hydra.sweep.dir={broken}")
    assert done.returncode == 0, done.stderr
    assert "job 0 complete already for this config (run.resume): skipped" in done.stderr
    assert all(_status(broken / str(n)) == "complete" for n in range(3))
    assert (broken / "comparison.csv").read_bytes() == (whole / "comparison.csv").read_bytes()


def test_a_complete_job_counts_as_done_whatever_the_precision_target(tmp_path):
    """precision.* decides which jobs a precision study runs, not what a job computes: a job run under one target
    is reused under another; any other change of config runs it again."""
    from sim.cli import completed_summary
    from sim.output.run_dir import write_json

    config = {"seed": 1, "run": {"replications": 3, "jobs": 2}, "precision": {"half_width": 10.0}}
    write_json(tmp_path / "manifest.json", {"status": "complete", "config": config})
    write_json(tmp_path / "summary.json", {"lead_times": {"lor_to_delivery": {"mean": 700.0}}})
    assert completed_summary(tmp_path, {**config, "precision": {"half_width": 2.0}}) is not None
    assert completed_summary(tmp_path, {**config, "run": {"replications": 3, "jobs": 1}}) is not None  # run control
    assert completed_summary(tmp_path, {**config, "run": {"replications": 4, "jobs": 2}}) is None
