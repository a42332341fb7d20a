"""Runs stopped by a signal say so and leave no process behind (subprocesses: a real signal is the point)."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _processes_naming(text: str) -> list[int]:
    """Pids whose command line contains ``text`` (the run directory is unique to each test)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if text in (d / "cmdline").read_bytes().decode(errors="replace"):
                    out.append(int(d.name))
            except OSError:
                continue
    return out


@pytest.mark.slow
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_run_marks_it_failed_and_leaves_no_worker(tmp_path, signum, code):
    run = tmp_path / f"run_{signum}"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "debug=tiny", "run.jobs=2", "run.replications=4",
                             "run.horizon_years=6", f"hydra.run.dir={run}"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while len(_processes_naming(str(run))) < 3 and time.time() < deadline:  # the run and its 2 workers
        time.sleep(0.2)
    assert len(_processes_naming(str(run))) >= 3, "the workers never started"
    time.sleep(0.5)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.strip().splitlines()[-1] == (f"fms-sim: stopped by {signal.Signals(signum).name}; "
                                            "the run's manifest.json says failed")
    assert "Traceback" not in err
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert manifest["error"] == ("sim.runner.Stopped: stopped by SIGTERM" if signum == signal.SIGTERM
                                 else "KeyboardInterrupt")
    time.sleep(0.5)
    assert _processes_naming(str(run)) == [], "orphaned worker processes"


def test_stopped_survives_being_rebuilt_from_its_message():
    """SimPy re-raises an exception from inside a process as type(e)(*e.args): Stopped must take that."""
    from sim.runner import Stopped

    e = Stopped(signal.SIGTERM)
    again = type(e)(*e.args)
    assert again.signum == signal.SIGTERM and str(again) == "stopped by SIGTERM"
