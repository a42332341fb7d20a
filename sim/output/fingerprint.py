"""A model's fingerprint: the code and the settings that shape a study's numbers, not the commit.

A finding (``python -m sim findings make``) is stamped with the fingerprint of the model that made it, and is
stale when the current model's differs (``findings check``).  Two parts:

- **code**: SHA-256 over the source files of ``sim/model``, ``sim/engine`` and ``sim/analysis`` (what simulates,
  and what turns replications into intervals, percentiles and break-even sizes) and the few modules outside them a
  study's numbers pass through (``CODE_FILES``: the runner, start states, summary, config bridge, the report's
  pairing and study tables), by path and bytes, leaving out the calibration table's modules (``NOT_SHAPING``).
  Every job's
  manifest records it (``model_code``); for a job made before that, the commit it names gives the same hash when
  its code was committed (``git_dirty`` false).  A documentation, test or report-layout commit leaves it alone.
- **settings**: each job's composed config without what names or steers a run (the run control keys, the study's
  name and question, the reference, the precision target, and every ``tag`` and ``source`` text: how a figure is
  sourced changes no number; a start state's folder path, which differs by clone, while its SHA-256 stays).

The current fingerprint composes each job's overrides again with today's defaults: a changed default that
reaches the study's jobs makes its findings stale, one that does not (another study's experiment file) does not.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

from sim.model.run_params import RUN_CONTROL

PACKAGE = Path(__file__).resolve().parents[1]  # sim/
CODE_FOLDERS = ("model", "engine", "analysis")
# the modules outside them that a study's numbers pass through: the runner and its start states, the summary, the
# config bridge (parameters from configs), and the report's pairing and study tables
CODE_FILES = ("runner.py", "state_cache.py", "states.py", "exact_start.py", "job.py", "config.py",
              "commands/report.py", "output/multirun.py", "output/study_tables.py")
# analysis modules no study number passes through: the calibration table of `python -m sim validate` and its series
NOT_SHAPING = ("analysis/calibration.py", "analysis/public_series.py")
LABELS = ("study", "question", "reference", "precision")  # name a run or decide what is compared, not its numbers
TEXT_KEYS = ("tag", "source")


def _hash_files(files: Iterable[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for path, data in sorted(files):
        h.update(path.encode())
        h.update(b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def working_code() -> str:
    """The code part of this installation's fingerprint (module docstring)."""
    files = [f for folder in CODE_FOLDERS for f in (PACKAGE / folder).rglob("*.py")]
    files += [PACKAGE / name for name in CODE_FILES]
    return _hash_files((f.relative_to(PACKAGE).as_posix(), f.read_bytes()) for f in files
                       if f.relative_to(PACKAGE).as_posix() not in NOT_SHAPING)


def commit_code(sha: str, repo: Path = PACKAGE.parent) -> Optional[str]:
    """The code part of the fingerprint of commit ``sha`` (from git), or None if git cannot say."""
    try:
        listing = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", sha, "--",
                                  *(f"sim/{f}" for f in (*CODE_FOLDERS, *CODE_FILES))],
                                 capture_output=True, text=True, check=True, timeout=60).stdout
        files = []
        for line in listing.splitlines():
            meta, path = line.split("\t", 1)
            if not path.endswith(".py") or path[len("sim/"):] in NOT_SHAPING:
                continue
            blob = meta.split()[2]
            data = subprocess.run(["git", "-C", str(repo), "cat-file", "blob", blob], capture_output=True,
                                  check=True, timeout=60).stdout
            files.append((path[len("sim/"):], data))
        return _hash_files(files) if files else None
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in TEXT_KEYS}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def numbers_config(config: dict) -> dict:
    """The part of a job's composed config that shapes its numbers (module docstring)."""
    out = {k: v for k, v in config.items() if k not in LABELS}
    out["run"] = {k: v for k, v in (config.get("run") or {}).items() if k not in RUN_CONTROL}
    if isinstance(out.get("start_state"), dict):
        out["start_state"] = {k: v for k, v in out["start_state"].items() if k != "path"}
    return _strip(out)  # type: ignore[no-any-return]


def fingerprint(code: str, configs: Iterable[dict]) -> str:
    """The fingerprint of a study: its code hash and its jobs' number-shaping configs (order kept: job order)."""
    blob = json.dumps({"code": code, "jobs": [numbers_config(c) for c in configs]}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
