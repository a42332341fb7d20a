"""One run per folder, for every command: where a command may write, and what it may do to an earlier run there.

A command's output folder is checked in two steps around its claim (``sim.output.claim``):

1. :func:`check_place`, before the claim and changing nothing: the folder can be made, is a folder, and is not the
   project's own sources;
2. :func:`take_over`, under the claim, so no other command can be writing it: it holds no other run (or, with
   ``run.overwrite=true``, the earlier run's own outputs are removed, and nothing else; with ``run.resume=true`` a
   multirun's complete jobs are kept).

Before issue 21's review both steps ran before the claim, so ``run.overwrite=true`` could delete the files of a run
that was still writing them.  Messages name the key: ``hydra.run.dir``, ``hydra.sweep.dir`` or ``--out``.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sim.output.claim import Claim, claim
from sim.output.run_dir import OUTPUTS, is_our_manifest

SOURCE_FOLDERS = ("sim", "configs", "experiments", "tests", "benchmarks", "hydra_plugins", "docs", ".ci", ".git")


def package_folders() -> list[Path]:
    """Where the code runs from, wherever it is installed (a wheel's ``site-packages/sim``): the ``sim`` package and
    each folder of the Hydra plugins' namespace package."""
    spec = importlib.util.find_spec("hydra_plugins")
    plugins = [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    return [Path(__file__).resolve().parents[1], *(p.resolve() for p in plugins if p.is_dir())]


class FolderError(ValueError):
    """The output folder cannot be used (a user mistake: one line, exit code 2)."""


@dataclass(frozen=True)
class OutputFolder:
    """The folder a command will write: its key, its path (any timestamp resolved once), whether its name came from a
    timestamp pattern (then a clash with another run moves to the next free name), and what to do to an earlier
    run there."""

    key: str
    path: Path
    timestamped: bool = False
    multirun: bool = False
    resume: bool = False
    overwrite: Optional[bool] = False  # None: the command has no such option (fms-sim validate)


def earlier_run(path: Path, multirun: bool) -> list[Path]:
    """What in ``path`` belongs to an earlier fms-sim run: its outputs and, for a sweep, its job folders."""
    if not path.is_dir():
        return []
    ours = is_our_manifest(path / "manifest.json") or (multirun and (path / "multirun.yaml").is_file())
    found = [path / name for name in OUTPUTS if ours and (path / name).is_file()]
    jobs = [p for p in path.iterdir() if p.is_dir() and p.name.isdigit()
            and ((p / ".hydra").is_dir() or is_our_manifest(p / "manifest.json"))]
    return found + (jobs if multirun else [])


def check_place(folder: OutputFolder, project: Path) -> None:
    """Step 1: ``folder`` can be made where it is named, and is not inside the project's sources (``project``)."""
    key, path = folder.key, folder.path
    if "\\" in str(path) or "'" in str(path):  # Hydra's quoted values would change them
        raise FolderError(f"{key}={path}: a backslash or a quote in the name; allowed: a folder name without them")
    try:
        if path.exists() and not path.is_dir():
            raise FolderError(f"{key}={path} exists and is not a folder; allowed: a new folder")
        where = path.resolve()
    except OSError as e:  # a name too long, a loop of links, ...
        raise FolderError(f"{key}={path}: {e.strerror or e}; allowed: a folder this system can make") from None
    sources = [project / f for f in SOURCE_FOLDERS] + package_folders()
    if where == project or any(where.is_relative_to(f) for f in sources):
        raise FolderError(f"{key}={path} is the project's own folder or sources; allowed: a folder for results "
                          "(results/... by default)")
    ancestor = next(p for p in [path, *path.parents] if p.exists())
    try:  # the only sure test that a folder can be made there is making one (removed at once)
        os.rmdir(tempfile.mkdtemp(dir=ancestor, prefix=".fms-sim-check-"))
    except OSError as e:
        raise FolderError(f"{key}={path}: cannot write there ({ancestor}: {e.strerror}); "
                          "allowed: a folder you can write to") from None
    if folder.resume and folder.overwrite:
        raise FolderError("run.resume=true and run.overwrite=true: one keeps the earlier jobs, the other removes "
                          "them; choose one")


def take_over(folder: OutputFolder, path: Path) -> None:
    """Step 2, on the claimed ``path``: refuse an earlier run there, or remove its outputs (``overwrite``), or keep a
    multirun's jobs (``resume``)."""
    key, multirun = folder.key, folder.multirun
    if path.is_dir() and any(is_our_manifest(p / "manifest.json") for p in path.iterdir() if p.is_dir()
                             and not p.name.isdigit()):
        raise FolderError(f"{key}={path} holds other runs in its subfolders; allowed: a folder of its own, "
                          f"such as {path / 'my_run'}")
    earlier = earlier_run(path, multirun)
    if not earlier or (multirun and folder.resume):
        return  # run.resume continues the multirun in this folder: its complete jobs are kept
    if not folder.overwrite:
        what = "another multirun" if multirun else "another run"
        also = "" if folder.overwrite is None else ", run.overwrite=true to replace it"
        also += " or run.resume=true to finish it" if multirun else ""
        raise FolderError(f"{key}={path} holds {what} ({earlier[0].name}); pass a new {key}=...{also}")
    for p in earlier:
        shutil.rmtree(p) if p.is_dir() else p.unlink()


def claim_folder(folder: OutputFolder) -> Claim:
    """Claim ``folder`` (``sim.output.claim``), then :func:`take_over` what is in it while no other command can be
    writing there.  A timestamped name taken by another run moves to the next free one, unless the command resumes
    or overwrites the run of that name."""
    held = claim(folder.path, timestamped=folder.timestamped and not (folder.resume or folder.overwrite),
                 key=folder.key)
    try:
        take_over(folder, held.path)
    except BaseException:
        held.release()
        raise
    return held
