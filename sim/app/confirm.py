"""A confirmation running in the background: the worker process (``sim.app.worker``) and what the page reads of it.

:class:`Confirmation` starts ``python -m sim.app.worker`` on a folder of its own with the two runs' overrides and
reads its files: :meth:`progress` (replications done of all, which run, the time so far and an estimate of the time
left), :meth:`result` and :meth:`error`.  The page polls them; nothing here blocks.  :meth:`stop` ends the worker
(SIGTERM: it stops its own worker processes); every one still running is stopped when the server exits.
"""
from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from sim.app.choices import Choice, run_overrides

_STARTED: list["Confirmation"] = []  # stopped when the server exits, so no worker outlives the page


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    running: str
    seconds: float

    def left(self) -> Optional[float]:
        """Seconds still to go at the pace so far (None before the first replication ends)."""
        return None if self.done == 0 else self.seconds / self.done * (self.total - self.done)


class Confirmation:
    """One confirmation of ``choice``: the reference and the scenario, paired, in a worker process."""

    def __init__(self, choice: Choice) -> None:
        self.choice = choice
        self.reference, self.scenario = run_overrides(choice)
        self.folder = Path(tempfile.mkdtemp(prefix="fms-whatif-"))
        (self.folder / "spec.json").write_text(json.dumps({"reference": self.reference, "scenario": self.scenario}))
        self.started = time.monotonic()
        with open(self.folder / "worker.log", "wb") as log:  # the worker's own messages (states made, warnings)
            self.process = subprocess.Popen([sys.executable, "-m", "sim.app.worker", str(self.folder)],
                                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _STARTED.append(self)

    def _read(self, name: str) -> Optional[dict[str, Any]]:
        try:
            data = json.loads((self.folder / name).read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def running(self) -> bool:
        return self.process.poll() is None

    def progress(self) -> Progress:
        p = self._read("progress.json") or {}
        total = int(p.get("total", 2 * self.choice.replications))
        return Progress(int(p.get("done", 0)), total, str(p.get("running", "starting")),
                        time.monotonic() - self.started)

    def result(self) -> Optional[dict[str, Any]]:
        return None if self.running() else self._read("result.json")

    def error(self) -> Optional[str]:
        """Why the worker ended without a result (None while it runs or when it has one)."""
        if self.running() or self._read("result.json") is not None:
            return None
        e = self._read("error.json")
        if e is not None:
            return str(e.get("error"))
        try:
            tail = (self.folder / "worker.log").read_text().strip().splitlines()[-1:]
        except OSError:
            tail = []
        return f"the worker ended with code {self.process.returncode}" + (f": {tail[0]}" if tail else "")

    def stop(self) -> None:
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        """Stop it and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self in _STARTED:
            _STARTED.remove(self)


@atexit.register
def _stop_all() -> None:
    for job in list(_STARTED):
        job.close()
