"""Exact states named on the command line: ``start=<folder or file>`` (``python -m sim state make <folder> --exact``).

A folder holds one exact state per replication (``rep-<r>.parquet``, ``sim.state_cache.write_exact``); a single file
is its one replication's.  Before any output folder is made, :func:`exact_problems` says, one line each, why a run
cannot go on from them, in the terms the user typed: a reform that would act before the states' day (told the
fiscal year to date it), a cohort that would begin before it (its cases that ended earlier are not in the states,
so its lead times would be biased), parameters or a calendar other than the states', replications without a state,
states made by other model code, and files edited or damaged (each is read whole and its checksum compared).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Optional

from sim.engine.clock import DAYS_PER_YEAR, years
from sim.model.levers import ReformLevers
from sim.model.resume import unfit
from sim.model.scenario import Scenario
from sim.state_cache import bare_model, code_fingerprint, exact_meta, read_exact
from sim.states import StateError, state_path

REP_FILE = re.compile(r"rep-([0-9]+)", re.ASCII)


def exact_start(start: str, states_dir: Path) -> Optional[tuple[Path, dict[int, Path]]]:
    """The exact states ``start`` names (a file, or a folder of one per replication), by replication; None when it
    names a state of milestone dates, or nothing (``sim.states.read_state`` then says what is wrong)."""
    try:
        path = state_path(start, states_dir)
    except StateError:
        return None
    files = exact_files(path)
    return (path, files) if files else None


def exact_files(path: Path) -> Optional[dict[int, Path]]:
    """The exact states ``path`` names, by replication: a file (its one replication) or a folder of
    ``rep-<r>.parquet`` files; None when it names none."""
    if path.is_dir():
        found = {}
        for f in sorted(path.glob("rep-*.parquet")):
            m = REP_FILE.fullmatch(f.stem)
            if m and f.is_file():
                found[int(m.group(1))] = f
        return found or None
    meta = exact_meta(path) if path.suffix.lower() == ".parquet" and path.is_file() else None
    if meta is None:
        return None
    return {int(meta.get("fingerprint", {}).get("replication", -1)): path}


def day_words(day: float, start_fiscal_year: int) -> str:
    """A state's day as a reader names it: the end of a fiscal year when it is one, with the day."""
    whole = day / DAYS_PER_YEAR
    if float(whole).is_integer() and whole >= 1:
        return f"the end of FY{start_fiscal_year + int(whole) - 1}, day {day:g}"
    return f"day {day:g}, {whole:.2f} years from day 0"


def fiscal_year_after(day: float, start_fiscal_year: int) -> int:
    """The first fiscal year that begins on or after ``day``: the first a run from a state on that day sees whole."""
    return start_fiscal_year + int(-(-day // DAYS_PER_YEAR))


def exact_note(files: Mapping[int, Path], params: Any) -> str:
    """What a run from exact states covers, for its console: the states' day, and what its tables leave out."""
    meta = exact_meta(files[min(files)]) or {}
    day, fy0 = float(meta.get("clock", {}).get("now", 0.0)), params.run.start_fiscal_year
    return (f"exact states of {day_words(day, fy0)}: each replication goes on from its own as the run that made it "
            f"would have; the tables leave out the fiscal years before FY{fiscal_year_after(day, fy0)} and "
            "the cases that ended before that day")


def exact_problems(scenario: Scenario, path: Path, files: Mapping[int, Path], replications: list[int]) -> list[str]:
    """Why the run cannot go on from the exact states ``files`` (from ``path``), one line per problem; [] if it
    can (module docstring)."""
    missing = [r for r in replications if r not in files]
    if missing:
        return [f"start={path}: replication(s) {_spans(missing)} have no state there (it holds replication(s) "
                f"{_spans(sorted(files))}); allowed: run.first_replication and run.replications within them, or "
                "make more states (state make ... --exact --replications N)"]
    metas = {r: exact_meta(files[r]) for r in replications}
    out = [f"{files[r]}: not an exact state (damaged, or a state of milestone dates)" for r, m in metas.items()
           if m is None]
    if out:
        return out
    first = metas[replications[0]]
    assert first is not None
    for r, meta in metas.items():
        assert meta is not None
        if meta.get("fingerprint", {}).get("replication") != r:
            out.append(f"{files[r]}: the state of replication {meta.get('fingerprint', {}).get('replication')}, "
                       f"not {r}")
        made = (meta.get("provenance") or {}).get("code")
        if made != code_fingerprint():
            out.append(f"{files[r]}: made by {'another version of' if made else 'unrecorded'} model code, so the run "
                       "would not go on as it would have; allowed: states made by this version (python -m sim "
                       "state make <folder> --exact --at FY<year> ...)")
        elif ({**meta["fingerprint"], "replication": 0} != {**first["fingerprint"], "replication": 0}
              or meta["clock"]["now"] != first["clock"]["now"]):
            out.append(f"{files[r]}: made with other parameters or on another day than "
                       f"{files[replications[0]]}")
    if out:
        return out
    return _fit(scenario, path, replications[0], first) or _whole(files, replications)


def _fit(scenario: Scenario, path: Path, replication: int, meta: Mapping[str, Any]) -> list[str]:
    """The run's reform, cohort, parameters and calendar against the states'."""
    given = scenario.given
    day, fy0 = float(meta["clock"]["now"]), given.run.start_fiscal_year
    when, after = day_words(day, fy0), f"FY{fiscal_year_after(day, fy0)}"
    reformed = any(lv != ReformLevers(ranges=lv.ranges) for lv in given.reform.levers.values())
    if reformed and not scenario.epochs:
        return [f"start={path}: the reform has no reform.effective, so it would act from day 0, before the states' "
                f"day ({when}); allowed: reform.effective={after} or later"]
    if scenario.epochs and scenario.epochs[0].day < day:
        return [f"start={path}: reform.effective={given.reform.effective} takes effect on day "
                f"{scenario.epochs[0].day:g}, before the states' day ({when}); allowed: reform.effective={after} or "
                "later"]
    warmup = years(given.run.warmup_years)
    if warmup < day:
        return [f"start={path}: run.warmup_years={given.run.warmup_years:g} begins the cohort on day {warmup:g}, "
                f"before the states' day ({when}): its cases that ended before then are not in the states, so its "
                f"lead times would be biased; allowed: run.warmup_years={day / DAYS_PER_YEAR:g} or more (states made "
                "at or before the warm-up's end)"]
    problem = unfit(bare_model(scenario, replication), meta)
    if problem:
        made = (meta.get("provenance") or {}).get("overrides")
        said = f" (the states were made with: {' '.join(made) or 'the defaults'})" if made is not None else ""
        return [f"start={path}: {problem}{said}"]
    return []


def _whole(files: Mapping[int, Path], replications: list[int]) -> list[str]:
    """Each state read whole, its cases checked against the checksum written with them."""
    out = []
    for r in replications:
        try:
            read_exact(files[r])
        except ValueError as e:
            out.append(f"{e}; allowed: the file as state make wrote it (make it again)")
    return out


def _spans(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:8]) + (f", ... ({len(numbers)} in all)" if len(numbers) > 8 else "")
