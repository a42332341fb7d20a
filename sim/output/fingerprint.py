"""A model's fingerprint: the code and the settings that shape a study's numbers, not the commit.

A finding (``python -m sim findings make``) is stamped with the fingerprint of the model that made it, and is
stale when the current model's differs (``findings check``).  Three parts:

- **run code**: SHA-256 over the source files of ``sim/model`` and ``sim/engine`` (what simulates), the modules
  a job's saved results pass through (``RUN_FILES``: the runner, start states, the job, the config bridge) and the
  ``sim/analysis`` modules a job runs to write its summary and tidy rows (``job_analysis``: those ``sim/job.py``
  and ``sim/runner.py`` import, directly or not), by path and bytes.  Every job's manifest records it
  (``model_code``); for a job made before that, the commit it names gives the same hash when its code was committed
  (``git_dirty`` false).  When it changes, the saved results are out of date: the study must be run again.
- **analysis code**: the same over ``sim/analysis`` (what turns replications into intervals, percentiles and
  break-even sizes) and the modules that read the saved jobs and write the study tables (``ANALYSIS_FILES``),
  leaving out the calibration table's modules (``NOT_SHAPING``).  ``findings make`` makes the report again with
  today's analysis code, so when only this part changes the page is made again from the saved multirun, with no
  rerun.  The report's layout (``sim/commands/report.py``, ``sim/output/report_*``) is in neither part: it
  places numbers, it computes none.  A documentation, test or layout commit leaves both alone.
- **settings**: each job's composed config without what names or steers a run (the run control keys, the study's
  name and question, the reference, the precision target, and every ``tag`` and ``source`` text: how a figure is
  sourced changes no number; a start state's folder path, which differs by clone, while its SHA-256 stays).

The current fingerprint composes each job's overrides again with today's defaults: a changed default that
reaches the study's jobs makes its findings stale, one that does not (another study's experiment file) does not.
"""
from __future__ import annotations

import ast
import hashlib
import json
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

from sim.model.run_params import RUN_CONTROL

PACKAGE = Path(__file__).resolve().parents[1]  # sim/
RUN_FOLDERS = ("model", "engine")
# the modules outside them that a job's saved numbers pass through: the runner and its start states, the job and its
# summary, the config bridge (parameters from configs)
RUN_FILES = ("runner.py", "state_cache.py", "states.py", "exact_start.py", "job.py", "config.py")
JOB_ENTRIES = ("job.py", "runner.py")  # what a job runs starts here (job_analysis)
ANALYSIS_FOLDERS = ("analysis",)
# reading the saved jobs (merged replications, KPI tables) and writing the study tables
ANALYSIS_FILES = ("output/multirun.py", "output/study_tables.py")
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


def _working(folders: tuple[str, ...], names: tuple[str, ...]) -> str:
    files = [f for folder in folders for f in (PACKAGE / folder).rglob("*.py")]
    files += [PACKAGE / name for name in names]
    return _hash_files((f.relative_to(PACKAGE).as_posix(), f.read_bytes()) for f in files
                       if f.relative_to(PACKAGE).as_posix() not in NOT_SHAPING)


def _imports(path: Path) -> set[str]:
    """The ``sim.*`` modules a source file imports (every import statement, TYPE_CHECKING ones too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sim."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)  # ``from sim.analysis import tally``
    return found


@lru_cache(maxsize=1)
def job_analysis() -> tuple[str, ...]:
    """The ``sim/analysis`` files a job runs: reached by imports from ``JOB_ENTRIES``, transitively (paths relative
    to ``sim/``).  Read from this installation's sources; a commit is hashed with today's list."""
    todo = [PACKAGE / name for name in JOB_ENTRIES]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imports(path):
            rel = Path(*module.split(".")[1:])
            for candidate in (PACKAGE / rel.with_suffix(".py"), PACKAGE / rel / "__init__.py"):
                if candidate.is_file():
                    todo.append(candidate)
    return tuple(sorted(p.relative_to(PACKAGE).as_posix() for p in seen
                        if p.relative_to(PACKAGE).parts[0] == "analysis"
                        and p.relative_to(PACKAGE).as_posix() not in NOT_SHAPING))


@lru_cache(maxsize=1)
def working_code() -> str:
    """The run-code part of this installation's fingerprint (module docstring)."""
    return _working(RUN_FOLDERS, (*RUN_FILES, *job_analysis()))


@lru_cache(maxsize=1)
def analysis_code() -> str:
    """The analysis-code part of this installation's fingerprint (module docstring)."""
    return _working(ANALYSIS_FOLDERS, ANALYSIS_FILES)


def commit_code(sha: str, repo: Path = PACKAGE.parent) -> Optional[str]:
    """The run-code part of the fingerprint of commit ``sha`` (from git), or None if git cannot say."""
    try:
        listing = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", sha, "--",
                                  *(f"sim/{f}" for f in (*RUN_FOLDERS, *RUN_FILES, *job_analysis()))],
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


def fingerprint(code: str, analysis: str, configs: Iterable[dict]) -> str:
    """The fingerprint of a study: its run and analysis code hashes and its jobs' number-shaping configs (order
    kept: job order)."""
    blob = json.dumps({"code": code, "analysis": analysis, "jobs": [numbers_config(c) for c in configs]},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]
