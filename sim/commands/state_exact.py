"""``python -m sim state make <folder> --exact --at FY<year> [--replications N] [overrides]``: exact states.

Each replication runs from an empty system, on the scenario's own calendar, to the last day of fiscal year
``--at``, and is saved exactly (``sim.model.checkpoint.save``) as ``<folder>/rep-<r>.parquet``
(``sim.state_cache.write_exact``), with the model code's fingerprint.  A run started from the folder
(``start=<folder>``) with the same parameters (a reform dated on or after the state's day allowed, the calendar after
the day free) goes on as each replication would have, bit for bit; its tables leave out the fiscal years before the
day, which it did not see.  The folder appears whole or not at all.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm


def _checked(target: str, opts: dict[str, Any]) -> tuple[Path, Any, float, int, int]:
    """The folder, the resolved scenario, the state's day, the first replication and how many; ValueError or
    ConfigError naming what is wrong, before anything runs."""
    from sim.config import load_params
    from sim.engine.clock import DAYS_PER_YEAR
    from sim.model.scenario import resolve

    out = Path(target)
    if out.suffix.lower() in (".parquet", ".csv"):
        raise ValueError(f"{target}: --exact writes a folder, one file per replication (rep-<r>.parquet); allowed: a "
                         "folder name")
    if opts["at"] is None:
        raise ValueError("--at FY<year> is needed: the states are taken at the end of that fiscal year")
    if opts["replication"] is not None:
        raise ValueError("--replication with --exact; allowed: --replications N (from run.first_replication)")
    if out.is_symlink():
        raise ValueError(f"{out} is a link; allowed: a new folder (the states are written whole or not at all)")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} exists and is not an empty folder; allowed: a new folder (the states are written "
                         "whole or not at all)")
    params = load_params(opts["overrides"])
    if params.start:
        raise ValueError(f"start={params.start}: exact states are made by a run from an empty system; allowed: no "
                         "start")
    if params.run.after_horizon != "arrivals":
        raise ValueError(f"run.after_horizon={params.run.after_horizon}: a run that goes on from the state needs "
                         "LORs to go on arriving; allowed: arrivals")
    scenario = resolve(params)
    if scenario.epochs or scenario.prestart is not None:
        raise ValueError("a dated, partial or phased reform (reform.effective, strength, phase_in_years) or "
                         "run.settle_years: the state is of the run before any reform; allowed: none of them here "
                         "(date the reform on the run that starts from the state)")
    fy0, warmup = params.run.start_fiscal_year, params.run.warmup_years
    years = opts["at"] - fy0 + 1
    last = fy0 + int(warmup // 1) - 1  # the last fiscal year that ends by the warm-up's end
    if years < 1 or opts["at"] > last:
        raise ValueError(f"--at=FY{opts['at']}; allowed: FY{fy0} (the run's first) to FY{last} (the last to end by "
                         f"the warm-up's end, run.warmup_years={warmup:g}): a run from the states counts its cohort "
                         "from their day on, so they are taken at or before the warm-up's end (a longer "
                         "run.warmup_years allows later ones)" if last >= fy0 else
                         f"--at=FY{opts['at']}: run.warmup_years={warmup:g} ends before the first fiscal year does; "
                         "allowed: run.warmup_years=1 or more (the states are taken at or before the warm-up's end)")
    first, n = params.run.first_replication, opts["replications"] or 1
    if first + n > 2**32:
        raise ValueError(f"--replications={n} from run.first_replication={first}; allowed: replications below 2^32 "
                         f"({2**32 - first} from there)")
    return out, scenario, years * DAYS_PER_YEAR, first, n


def make_exact(target: str, opts: dict[str, Any]) -> int:
    from importlib.metadata import version

    from sim.config import ConfigError
    from sim.runner import Stopped, stop_on_signals
    from sim.state_cache import code_fingerprint, make_state, write_exact

    try:
        out, scenario, day, first, n = _checked(target, opts)  # a day by the warm-up's end is before the run's
    except (ConfigError, ValueError) as e:
        print(f"fms-sim state make: error: {e}", file=sys.stderr)
        return 2
    made = {"made_by": "python -m sim state make --exact", "version": version("fms-sim"), "at": opts["at"],
            "overrides": list(opts["overrides"]), "seed": scenario.seed, "code": code_fingerprint()}
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    open_cases = []
    try:
        try:
            tmp.mkdir(parents=True)
        except OSError as e:
            print(f"fms-sim state make: error: {out} cannot be written: {e.strerror or e}; allowed: a folder in a "
                  "place you can write", file=sys.stderr)
            return 2
        with stop_on_signals(), tqdm(total=n, desc=f"exact states at the end of FY{opts['at']}", unit="rep",
                                     file=sys.stderr) as bar:
            for r in range(first, first + n):
                state = make_state(scenario, r, day)
                open_cases.append(len(state["cases"]))
                write_exact(tmp / f"rep-{r}.parquet", {**state, "provenance": made})
                bar.update(1)
        if out.exists():
            out.rmdir()  # empty (checked): replaced by the whole folder at once
        os.replace(tmp, out)
    except OSError as e:  # a disk full, the place gone: nothing is left behind
        print(f"fms-sim state make: error: {out} could not be written: {e.strerror or e}; nothing written",
              file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Stopped) as e:
        print(f"fms-sim state make: {'stopped' if isinstance(e, Stopped) else 'interrupted'}; nothing written to "
              f"{out}", file=sys.stderr)
        return 143 if isinstance(e, Stopped) else 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mean = sum(open_cases) / len(open_cases)
    print(f"{out}: exact states of replication(s) {first}..{first + n - 1} at the end of FY{opts['at']} (day {day:g}), "
          f"{mean:,.0f} cases in the system on average")
    print(f"start a run from them: python -m sim start={out} run.replications={n}"
          + (f" run.first_replication={first}" if first else "")
          + f" reform=<name> reform.effective=FY{opts['at'] + 1} (the same overrides as here)")
    return 0
