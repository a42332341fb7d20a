"""``python -m sim state make``: a state of open cases made by a run (``sim.commands.state`` says how to call it).

One replication runs from an empty system through the end of the fiscal year ``--at`` (LORs arrive until then and
the run stops there: no drain), and the cases open at its end become a state file of milestone dates
(``sim.states.open_cases``), with what it was made from in the Parquet metadata.  It prints the answer first: how
many cases are open and what they are worth, beside the public figures where the run passes through their date.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from tqdm import tqdm


class _Progress:
    """An observer that moves a bar through the run's months as LORs arrive (``sim.model.observers``)."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def admitted(self, case: Any) -> None:
        month = int(case.lor_received // 30.4375)
        if month > self.bar.n:
            self.bar.update(min(month, self.bar.total) - self.bar.n)


def _fiscal_year(text: str) -> int:
    digits = text.upper().removeprefix("FY").strip()
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 4:
        raise ValueError(f"--at={text}; allowed: a fiscal year such as FY2026 (the state is its last day, "
                         "30 September)")
    return int(digits)


def _parse(args: list[str]) -> tuple[str, dict[str, Any]]:
    if not args or args[0].startswith("-"):
        raise ValueError("state make needs a shipped state's name or a file (.parquet or .csv)")
    target, rest = args[0], args[1:]
    opts: dict[str, Any] = {"at": None, "replication": None, "overrides": [], "exact": False, "replications": None}
    while rest:
        a = rest.pop(0)
        key = a.split("=", 1)[0]
        if a == "--exact":
            opts["exact"] = True
        elif key == "--replications":
            value = a.split("=", 1)[1] if "=" in a else (rest.pop(0) if rest else "")
            if not (value.isascii() and value.isdigit()) or int(value) < 1:
                raise ValueError(f"--replications={value}; allowed: a whole number >= 1 (with --exact)")
            opts["replications"] = int(value)
        elif key in ("--at", "--replication"):
            value = a.split("=", 1)[1] if "=" in a else (rest.pop(0) if rest else "")
            if key == "--at":
                opts["at"] = _fiscal_year(value)
            elif not (value.isascii() and value.isdigit()):
                raise ValueError(f"--replication={value}; allowed: a whole number >= 0")
            else:
                opts["replication"] = int(value)
        elif a.startswith("-"):
            raise ValueError(f"unknown option {a}; allowed: --at FY<year>, --replication R, --exact, --replications N, "
                             "then overrides key=value")
        else:
            opts["overrides"].append(a)
    if opts["replications"] is not None and not opts["exact"]:
        raise ValueError("--replications makes one exact state per replication; allowed: with --exact (a state of "
                         "milestone dates is one replication's: --replication R)")
    return target, opts


def make(args: Sequence[str]) -> int:
    from sim.config import STATES_DIR, ConfigError, compose_config, load_params, state_recipe
    from sim.states import FORMATS, StateError

    try:
        target, opts = _parse(list(args))
        if opts["exact"]:
            from sim.commands.state_exact import make_exact

            return make_exact(target, opts)
        recipe = state_recipe(target) if Path(target).suffix.lower() not in FORMATS else None
        if recipe is not None:
            if opts["at"] is not None or opts["replication"] is not None or opts["overrides"]:
                raise ValueError(f"{target} is made by its recipe ({STATES_DIR / target}.recipe.yaml): give no "
                                 "--at, --replication or overrides; write to a file of your own to change them")
            out, at_fy = STATES_DIR / f"{target}.parquet", _fiscal_year(str(recipe["at"]))
            replication, overrides = recipe["replication"], [str(o) for o in recipe["overrides"]]
            run_with = [str(o) for o in recipe.get("run_with", [])]
        else:
            if Path(target).suffix.lower() not in FORMATS:
                raise ValueError(f"no recipe configs/states/{target}.recipe.yaml and {target!r} is not a file "
                                 f"name ending {' or '.join(FORMATS)}")
            if opts["at"] is None:
                raise ValueError("--at FY<year> is needed: the state is taken at the end of that fiscal year")
            out, at_fy, replication, overrides = Path(target), opts["at"], opts["replication"], opts["overrides"]
            run_with = []
        first = compose_config(overrides)  # not checked yet: the run's window is set below
        if first.get("start"):
            raise ValueError(f"start={first.start}: a state is made by a run that starts from an empty system; "
                             "allowed: no start")
        start_fy = int(first.run.start_fiscal_year)
        years = at_fy - start_fy + 1
        if years < 1 or at_fy >= 9999:
            raise ValueError(f"--at=FY{at_fy}; allowed: a fiscal year from the run's first, FY{start_fy}, to FY9998")
        if replication is None:
            replication = int(first.run.first_replication)
        if isinstance(replication, bool) or not isinstance(replication, int) or replication < 0:
            raise ValueError(f"replication={replication!r} in the recipe; allowed: a whole number >= 0")
        params = load_params([*overrides, f"run.horizon_years={years}", "run.warmup_years=0", "run.drain_years=0",
                              "run.records=cases", "run.replications=1", f"run.first_replication={replication}"])
        _writable(out)
    except (ConfigError, ValueError, StateError) as e:
        print(f"fms-sim state make: error: {e}", file=sys.stderr)
        return 2
    try:
        return _run(params, replication, at_fy, years, out, overrides, run_with)
    except KeyboardInterrupt:
        print(f"fms-sim state make: interrupted; nothing written to {out}", file=sys.stderr)
        return 130


def _writable(out: Path) -> None:
    """ValueError, before the run, when the state cannot be written at ``out``."""
    if out.is_dir():
        raise ValueError(f"{out} is a folder; allowed: a file name ending .parquet or .csv")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        probe = out.with_name(f".{out.name}.probe-{os.getpid()}")
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ValueError(f"{out} cannot be written: {e.strerror or e}") from None


def _run(params: Any, replication: int, at_fy: int, years: int, out: Path, overrides: list[str],
         run_with: list[str]) -> int:
    from importlib.metadata import version

    from sim.config import config_digest
    from sim.engine.clock import DAYS_PER_YEAR
    from sim.runner import simulate
    from sim.states import open_cases, write_state

    as_of = dt.date(at_fy, 9, 30)
    at = years * DAYS_PER_YEAR
    months = int(at // 30.4375)
    with tqdm(total=months, desc=f"state at {as_of}: simulated months", unit="month", file=sys.stderr) as bar:
        rep = simulate(params, replication, observers=[_Progress(bar)])
        bar.update(months - bar.n)
    assert rep.cases is not None
    frame = open_cases(rep.cases, at, as_of)
    if frame.empty:
        print(f"fms-sim state make: error: no case is open at the end of FY{at_fy}: nothing written (a state has at "
              "least one open case)", file=sys.stderr)
        return 2
    provenance = {"made_by": "python -m sim state make", "version": version("fms-sim"), "at": at_fy,
                  "replication": replication, "seed": params.seed, "overrides": overrides,
                  "config_sha256": config_digest(overrides), "levels": levels_at(params, at), "run_with": run_with}
    write_state(frame, out, provenance)
    _answer(out, frame, rep.cases, params.run.start_fiscal_year, at_fy)
    _growing(params, rep)
    return 0


def _growing(params: Any, rep: Any) -> None:
    """A warning when a queue kept growing in the run: the state then holds a backlog the run's length decided."""
    from sim.analysis import kpi_summary
    from sim.analysis.pools import unstable_pools
    from sim.job import kpis_of

    growing = unstable_pools(kpi_summary.pools(kpis_of(params, [rep])))
    if growing:
        print(f"warning: queues kept growing in this run at {', '.join(growing)}: the state holds a backlog that "
              "grows with the run's length (check the scenario's staffing and lines against its demand)")


def _answer(out: Path, frame: pd.DataFrame, cases: pd.DataFrame, first_fy: int, at_fy: int) -> None:
    from sim.analysis.calibration import OPEN_CASES_FY2020, OPEN_VALUE_BAND, OPEN_VALUE_FY2020
    from sim.analysis.dynamics import is_open
    from sim.engine.clock import DAYS_PER_YEAR
    from sim.model.state import STAGE_LABELS, stage_of

    value = float(frame["value_musd"].sum()) / 1000
    print(f"{out}: {len(frame):,} open cases worth ${value:,.0f}B at the end of FY{at_fy} (one replication: a "
          "sample of the enterprise, not a forecast)")
    stages = Counter(STAGE_LABELS[stage_of(r)] for r in frame.to_dict("records"))
    print("by stage: " + ", ".join(f"{k} {v:,}" for k, v in stages.most_common()))
    if not first_fy <= 2020 <= at_fy:
        return
    open_ = cases[is_open(cases, (2020 - first_fy + 1) * DAYS_PER_YEAR)]
    worth = float(open_["value_musd"].sum()) / 1000
    low, high = OPEN_VALUE_BAND
    verdict = "inside" if low <= worth <= high else "OUTSIDE"
    print(f"end of FY2020 in the same run: {len(open_):,} open cases worth ${worth:,.0f}B; public: "
          f"{OPEN_CASES_FY2020:,} worth ${OPEN_VALUE_FY2020:,.0f}B (DoD IG DODIG-2022-053 [MEASURED]; the count is an "
          f"echo, the LOR rate and the closure time were fitted to it; the value a check: "
          f"{worth / OPEN_VALUE_FY2020 - 1:+.0%}, {verdict} the calibration band ${low:,.0f}-{high:,.0f}B)")


def levels_at(params: Any, at: float) -> dict[str, Any]:
    """The scenario's levels at day ``at`` (the state's date) as given, a reform's own changes aside (a run from the
    state is compared as given too), growth and hires included (``sim.states.level_mismatch``)."""
    from sim.engine.clock import DAYS_PER_YEAR
    from sim.model.arrivals import LorRate

    staffing = params.staffing
    rate = LorRate(params.demand, params.run.start_fiscal_year).growth(at) * params.demand.lor_per_year
    heads = {name: pool.headcount + sum(h.headcount for h in staffing.plans[name].hires if h.year * DAYS_PER_YEAR <= at)
             if name in staffing.plans else pool.headcount for name, pool in staffing.pools.items()}
    return {"lor_per_year": round(rate, 3), "headcount": heads, "production_lines": dict(staffing.production_lines)}
