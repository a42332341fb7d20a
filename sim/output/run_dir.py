"""Write and read a run directory: Parquet tables, summary.json, manifest.json.

Layout of a run directory::

    manifest.json    status (running / complete / failed), config, seed, versions, timings, error
    summary.json     every number the figures and reports need (always written)
    cases.parquet    one row per case per replication    (run.records = cases or full)
    pools.parquet    pool time series                    (run.records = cases or full)
    visits.parquet   one row per stage visit             (run.records = full)
    figures/*.png    made from the files above by sim.output.run_figures

Tables are sorted before writing and written without pandas' index, so the same inputs give
byte-identical files.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import IO, Any, Callable, Optional

import pandas as pd

from sim.output.fingerprint import working_code

# every file a run or a multirun report writes (relative to its folder): what run.overwrite may remove
OUTPUTS = ("manifest.json", "summary.json", "cases.parquet", "documents.parquet", "pools.parquet", "visits.parquet",
           "comparison.csv", "sensitivity_prcc.csv", "report.html", "report.json", "multirun.yaml",
           "precision_plan.json", "kpis.parquet", "kpi_comparison.csv", "yearly.csv", "figures/trajectory.png",
           "figures/trajectory_change.png",
           "figures/lead_times.png", "figures/where_time_goes.png", "figures/queues_over_time.png",
           "figures/utilisation.png", "figures/workload.png", "figures/change_vs_reference.png",
           "figures/lead_time_distributions.png", "figures/sensitivity_prcc.png")


def is_our_manifest(path: Path) -> bool:
    """``path`` is a manifest.json written by fms-sim (not a user's file of that name)."""
    try:
        data = read_json(path)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "status" in data and "versions" in data and "started_unix" in data


# fms-sim first: a wheel installed without its git checkout has no git sha, so its version is the provenance
PACKAGES = ("fms-sim", "simpy", "numpy", "scipy", "pandas", "pyarrow", "matplotlib", "hydra-core", "omegaconf")


def _clean(x: Any) -> Any:
    """JSON-safe: NaN -> null, numpy scalars -> Python."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    return x


_UMASK = os.umask(0o022)
os.umask(_UMASK)  # read once: os.umask can only be read by setting it


def atomic_write(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through a new temporary file in the same folder, then rename it into place.

    The temporary file is created exclusively (``mkstemp``: a fresh name, never an existing file or a
    symlink someone left there), so nothing outside the folder can be overwritten; if writing fails (a
    full disk, an error in ``write``) it is removed and the error goes on, and ``path`` keeps its old
    content or stays absent.  Readers never see a half-written file.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes it owner-only; results follow the umask as usual
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(_clean(data), indent=2, sort_keys=False) + "\n")


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def write_table(df: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda f: df.to_parquet(f, index=False, engine="pyarrow", compression="zstd"))


def git_sha() -> Optional[str]:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def git_dirty() -> Optional[bool]:
    """Whether the package's code differs from ``git_sha`` (tracked files under sim/, configs/, experiments/ edited):
    then the commit alone does not say what produced the results.  None outside a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "sim", "configs",
                              "experiments", "hydra_plugins"], capture_output=True, text=True, timeout=5, cwd=root)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


PROGRESS_FILE = "progress.json"  # a running job's replications done (Manifest.progress)


class Manifest:
    """manifest.json, rewritten at each status change so a crash leaves an honest record."""

    def __init__(self, out_dir: Path, config: dict, overrides: list[str], seed: int) -> None:
        self.path = Path(out_dir) / "manifest.json"
        self.start = time.time()
        self.data: dict[str, Any] = {
            "status": "running",
            "started_unix": round(self.start, 3),
            "seed": seed,
            "overrides": overrides,
            "argv": sys.argv,
            "git_sha": git_sha(),
            "git_dirty": git_dirty(),  # True: uncommitted edits, so git_sha alone does not reproduce the results
            "versions": versions(),
            "model_code": working_code(),  # the code part of the model's fingerprint (sim.output.fingerprint)
            "config": config,
            "files": [],
            "error": None,
        }
        self.save()

    def save(self) -> None:
        write_json(self.path, self.data)

    def progress(self, done: int, total: int) -> None:
        """Replications done of ``total``, in progress.json beside the manifest (atomically): a multirun's progress
        bar reads it under any launcher (``sim.output.sweep_progress``), since a job in another process or on
        another machine can only say how far it is through the shared folder."""
        write_json(self.path.with_name(PROGRESS_FILE), {"done": done, "total": total,
                                                        "started_unix": round(self.start, 3),
                                                        "updated_unix": round(time.time(), 3)})

    def finish(self, status: str, files: list[str], error: Optional[str] = None, **extra: Any) -> None:
        self.data.update(status=status, files=files, error=error,
                         runtime_seconds=round(time.time() - self.start, 3), **extra)
        self.save()
        self.path.with_name(PROGRESS_FILE).unlink(missing_ok=True)  # only a running job has progress to read
