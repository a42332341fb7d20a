"""A multirun's progress, read from its job folders: job k of N, the running jobs' replications, the time left.

Every launcher writes its jobs into the sweep folder (the basic one in this process, joblib in worker processes,
Ray and SLURM on other machines over a shared file system), and every job records its status
(``manifest.json``) and, while it runs, its replications done (``progress.json``, ``sim.output.run_dir``).  So
one reader in the command's own process serves every launcher: :class:`SweepProgress` polls the folder in a
thread and draws a tqdm bar on a terminal, or writes a plain line into a log each time a job ends and at least
once a minute.  Jobs are counted in
fractions (a running job at 3 of 5 replications counts 0.6), so the time left moves while a long job runs.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from tqdm import tqdm

from sim.output.run_dir import PROGRESS_FILE

ENDED = ("complete", "failed")


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):  # not written yet, or being replaced
        return {}


def snapshot(sweep_dir: Path) -> dict[str, Any]:
    """What the job folders say now: jobs ended (complete or failed), the running ones with their replications
    done and planned, and the jobs' progress in fractions of a job."""
    ended, failed, running = 0, 0, []
    folders = sorted((p for p in Path(sweep_dir).iterdir() if p.is_dir() and p.name.isdigit()),
                     key=lambda p: int(p.name)) if Path(sweep_dir).is_dir() else []
    for folder in folders:
        status = _read(folder / "manifest.json").get("status")
        if status in ENDED:
            ended += 1
            failed += status == "failed"
        elif status == "running":
            p = _read(folder / PROGRESS_FILE)
            done, total = int(p.get("done") or 0), int(p.get("total") or 0)
            running.append({"job": int(folder.name), "done": done, "total": total})
    fraction = ended + sum(r["done"] / r["total"] for r in running if r["total"])
    return {"ended": ended, "failed": failed, "running": running, "fraction": fraction}


def describe(snap: dict[str, Any], total: Optional[int], elapsed: float, start_fraction: float = 0.0) -> str:
    """One line: jobs ended of N, the running jobs' replications, elapsed and (once something ended) time left."""
    of = f" of {total}" if total else ""
    running = ", ".join(f"job {r['job']} at {r['done']}/{r['total']} replications" for r in snap["running"][:3])
    failed = f", {snap['failed']} failed" if snap["failed"] else ""
    line = f"multirun: {snap['ended']}{of} jobs ended{failed}" + (f"; running {running}" if running else "")
    line += f"; {elapsed / 60:.1f} min elapsed"
    gained = snap["fraction"] - start_fraction
    if total and gained > 0 and snap["fraction"] < total:
        left = elapsed / gained * (total - snap["fraction"])
        line += f", about {left / 60:.0f} min left" if left >= 90 else f", about {left:.0f} s left"
    return line


class SweepProgress:
    """Polls ``sweep_dir`` every ``every`` seconds until :meth:`stop` (see the module's docstring)."""

    def __init__(self, sweep_dir: Path, total: Callable[[], Optional[int]], stream: TextIO = sys.stderr,
                 every: float = 2.0, log_every: float = 60.0) -> None:
        self.sweep_dir = Path(sweep_dir)
        self.total = total  # the planned job count, asked again until known (a sweep writes its plan as it starts)
        self.stream = stream
        self.every = every
        self.log_every = log_every
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> "SweepProgress":
        self._thread = threading.Thread(target=self._run, name="fms-sim sweep progress", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _total(self) -> Optional[int]:
        try:
            return self.total()
        except Exception:  # a plan that cannot be read yet: no total, still a count
            return None

    def _run(self) -> None:
        began = time.time()
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        first = snapshot(self.sweep_dir)["fraction"]  # resumed jobs ended before: not part of this run's rate
        total = self._total()
        bar = tqdm(total=total, initial=first, unit="job", desc="multirun", file=self.stream, dynamic_ncols=True,
                   bar_format="{l_bar}{bar}| {n:.1f}/{total_fmt} jobs [{elapsed}<{remaining}]{postfix}") \
            if tty else None
        last_line, last_ended = began, -1
        try:
            while not self._stop.wait(self.every):
                total = total or self._total()
                snap = snapshot(self.sweep_dir)
                if bar is not None:
                    if total and bar.total != total:
                        bar.total = total
                    bar.n = snap["fraction"]
                    bar.set_postfix_str(", ".join(f"job {r['job']} {r['done']}/{r['total']} reps"
                                                  for r in snap["running"][:3]), refresh=False)
                    bar.refresh()
                elif snap["ended"] != last_ended or time.time() - last_line >= self.log_every:
                    last_line, last_ended = time.time(), snap["ended"]
                    print(describe(snap, total, last_line - began, first), file=self.stream, flush=True)
        finally:
            if bar is not None:
                bar.close()
            else:  # the log's last word: how the sweep ended, before the report's lines
                print(describe(snapshot(self.sweep_dir), total, time.time() - began, first), file=self.stream,
                      flush=True)
