"""A multirun's progress read from its job folders (sim/output/sweep_progress.py), as every launcher leaves them."""
from __future__ import annotations

import io
import json
import time

from sim.output.sweep_progress import SweepProgress, describe, snapshot


def _job(root, n, status, done=None, total=None):
    (root / str(n)).mkdir(parents=True)
    (root / str(n) / "manifest.json").write_text(json.dumps({"status": status}))
    if done is not None:
        (root / str(n) / "progress.json").write_text(json.dumps({"done": done, "total": total}))


def test_the_snapshot_counts_jobs_in_fractions_from_their_files(tmp_path):
    _job(tmp_path, 0, "complete")
    _job(tmp_path, 1, "failed")
    _job(tmp_path, 2, "running", 3, 4)
    _job(tmp_path, 3, "running")  # started, no replication done yet
    (tmp_path / "4").mkdir()  # a folder whose manifest is not written yet
    (tmp_path / ".hydra").mkdir()
    snap = snapshot(tmp_path)
    assert (snap["ended"], snap["failed"], snap["fraction"]) == (2, 1, 2.75)
    assert [r["job"] for r in snap["running"]] == [2, 3]
    line = describe(snap, 10, 110.0)
    assert line.startswith("multirun: 2 of 10 jobs ended, 1 failed; running job 2 at 3/4 replications")
    assert "1.8 min elapsed, about 5 min left" in line  # 2.75 jobs in 110 s: 7.25 jobs take 290 s
    assert "left" not in describe(snapshot(tmp_path / "none"), None, 5.0)


def test_a_log_gets_a_line_each_time_a_job_ends(tmp_path):
    out = io.StringIO()  # not a terminal: plain lines, no bar
    progress = SweepProgress(tmp_path, lambda: 2, stream=out, every=0.05, log_every=3600).start()
    _job(tmp_path, 0, "running", 1, 2)
    time.sleep(0.3)
    (tmp_path / "0" / "manifest.json").write_text(json.dumps({"status": "complete"}))
    time.sleep(0.3)
    progress.stop()
    lines = out.getvalue().splitlines()
    assert any(line.startswith("multirun: 1 of 2 jobs ended") for line in lines)
    assert lines[0].startswith("multirun: 0 of 2 jobs ended")
    assert lines[-1].startswith("multirun: 1 of 2 jobs ended")  # the last word, when the sweep stops


def test_a_terminal_gets_a_bar_and_an_unreadable_plan_only_loses_the_total(tmp_path):
    class Tty(io.StringIO):
        def isatty(self):
            return True

    def broken():
        raise ValueError("plan not written yet")

    out = Tty()
    _job(tmp_path, 0, "running", 1, 2)
    progress = SweepProgress(tmp_path, broken, stream=out, every=0.05).start()
    time.sleep(0.3)
    progress.stop()
    assert "multirun" in out.getvalue() and "job 0 1/2 reps" in out.getvalue()
