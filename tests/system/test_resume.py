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
SWEEP = ["-m", "reform=none,more_staff", "debug=tiny", "run.replications=1",
         "run.horizon_years=0.6", "run.warmup_years=0.1", "run.drain_years=0.5", "run.jobs=1"]


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
    assert _status(broken / "0") == "complete" and _status(broken / "1") != "complete"

    # the interrupted study's report names the jobs that never ran (from the sweep in multirun.yaml)
    rep = subprocess.run([sys.executable, "-m", "sim", "report", str(broken)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    jobs = json.loads((broken / "report.json").read_text())["jobs"]
    assert jobs["total"] == 2 and jobs["ok"] + jobs["failed"] + jobs["missing"] == 2 and jobs["ok"] < 2
    assert jobs["missing"] >= 1 and "missing (never ran)" in rep.stdout

    assert _sim(*SWEEP, f"hydra.sweep.dir={broken}").returncode == 2  # a folder with a sweep: refused
    done = _sim(*SWEEP, "run.resume=true", f"hydra.sweep.dir={broken}")
    assert done.returncode == 0, done.stderr
    assert "job 0 complete already for this config (run.resume): skipped" in done.stderr
    assert all(_status(broken / str(n)) == "complete" for n in range(2))
    assert (broken / "comparison.csv").read_bytes() == (whole / "comparison.csv").read_bytes()


@pytest.mark.slow
def test_a_resume_with_another_config_is_refused_and_keeps_the_finished_jobs(tmp_path):
    """Before issue 21 a resumed sweep whose config differed silently ran the complete jobs again and replaced them."""
    small = ["-m", "reform=none,more_staff", "debug=tiny", "run.replications=1", "run.horizon_years=0.6",
             "run.warmup_years=0.1", "run.drain_years=0.5", f"hydra.sweep.dir={tmp_path}"]
    assert _sim(*small).returncode == 0
    before = {n: (tmp_path / str(n) / "summary.json").read_bytes() for n in (0, 1)}
    other = _sim(*small, "run.resume=true", "demand.lor_per_year=2500")
    assert other.returncode == 2 and other.stdout == ""
    assert other.stderr.startswith(f"fms-sim: error: run.resume=true: {tmp_path / '0'} holds a complete job made "
                                   "with another config (demand.lor_per_year: ")
    assert "-> 2500.0); allowed: the earlier command's settings, or a new hydra.sweep.dir" in other.stderr
    assert {n: (tmp_path / str(n) / "summary.json").read_bytes() for n in (0, 1)} == before
    same = _sim(*small, "run.resume=true", "run.jobs=2")  # run control changes no result: resumed, nothing rerun
    assert same.returncode == 0 and same.stderr.count("complete already for this config (run.resume): skipped") == 2


@pytest.mark.parametrize("subdir", ["0${hydra.job.num}", "job_${hydra.job.num}", "${now:%H}"])
def test_job_folders_named_otherwise_are_refused_before_anything_runs(tmp_path, subdir):
    """The report, run.resume and a precision study find a sweep's jobs in folders named by number: a subdir of
    one's own is refused in one line (it once left a sweep with no report, and a resume unchecked)."""
    r = _sim("-m", "reform=none,more_staff", "debug=tiny", f"hydra.sweep.dir={tmp_path / 'm'}",
             f"hydra.sweep.subdir={subdir}")
    assert r.returncode == 2 and r.stderr.strip() == (
        f"fms-sim: error: hydra.sweep.subdir={subdir}; allowed: ${{hydra.job.num}} (the default: the report, "
        "run.resume and precision studies find a sweep's jobs in folders named by number)")
    assert not (tmp_path / "m").exists()
