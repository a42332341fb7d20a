"""``python -m sim state make``: a state of open cases made by a run (``sim.commands.state`` says how to call it).

One replication runs from an empty system through the end of the fiscal year ``--at`` (LORs arrive until then and
the run stops there: no drain), and the cases open at its end become a state file of milestone dates
(``sim.states.open_cases``), with what it was made from in the Parquet metadata.  It prints the answer first: how
many cases are open and what they are worth, beside the public figures where the run passes through their date.
"""
from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
from tqdm import tqdm

# public figures of the open cases: fiscal year -> (count, $B, source, what the comparison is)
PUBLIC = {2020: (15_365, 620.0, "DoD IG DODIG-2022-053 [MEASURED]",
                 "the count is an echo (the LOR rate and the closure time were fitted to it), the value a check")}


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
    if not digits.isdigit() or len(digits) != 4:
        raise ValueError(f"--at={text}; allowed: a fiscal year such as FY2026 (the state is its last day, "
                         "30 September)")
    return int(digits)


def _parse(args: list[str]) -> tuple[str, dict[str, Any]]:
    if not args or args[0].startswith("-"):
        raise ValueError("state make needs a shipped state's name or a file (.parquet or .csv)")
    target, rest, opts = args[0], args[1:], {"at": None, "replication": None, "overrides": []}
    while rest:
        a = rest.pop(0)
        key = a.split("=", 1)[0]
        if key in ("--at", "--replication"):
            value = a.split("=", 1)[1] if "=" in a else (rest.pop(0) if rest else "")
            if key == "--at":
                opts["at"] = _fiscal_year(value)
            elif not value.isdigit():
                raise ValueError(f"--replication={value}; allowed: a whole number >= 0")
            else:
                opts["replication"] = int(value)
        elif a.startswith("-"):
            raise ValueError(f"unknown option {a}; allowed: --at FY<year>, --replication R, then overrides key=value")
        else:
            opts["overrides"].append(a)
    return target, opts


def make(args: Sequence[str]) -> int:
    from importlib.metadata import version

    from sim.config import STATES_DIR, ConfigError, config_digest, load_params, state_recipe
    from sim.engine.clock import DAYS_PER_YEAR
    from sim.runner import simulate
    from sim.states import FORMATS, StateError, open_cases, write_state

    try:
        target, opts = _parse(list(args))
        recipe = state_recipe(target) if Path(target).suffix.lower() not in FORMATS else None
        if recipe is not None:
            if opts["at"] is not None or opts["replication"] is not None or opts["overrides"]:
                raise ValueError(f"{target} is made by its recipe ({STATES_DIR / target}.recipe.yaml): give no "
                                 "--at, --replication or overrides; write to a file of your own to change them")
            out, at_fy = STATES_DIR / f"{target}.parquet", _fiscal_year(str(recipe["at"]))
            replication, overrides = int(recipe["replication"]), [str(o) for o in recipe["overrides"]]
        else:
            if Path(target).suffix.lower() not in FORMATS:
                raise ValueError(f"no recipe configs/states/{target}.recipe.yaml and {target!r} is not a file "
                                 f"name ending {' or '.join(FORMATS)}")
            if opts["at"] is None:
                raise ValueError("--at FY<year> is needed: the state is taken at the end of that fiscal year")
            out, at_fy, replication, overrides = Path(target), opts["at"], opts["replication"] or 0, opts["overrides"]
        first = load_params(overrides)
        if first.start:
            raise ValueError(f"start={first.start}: a state is made by a run that starts from an empty system; "
                             "allowed: no start")
        years = at_fy - first.run.start_fiscal_year + 1
        if years < 1:
            raise ValueError(f"--at=FY{at_fy} is before the run's first fiscal year FY{first.run.start_fiscal_year}")
        params = load_params([*overrides, f"run.horizon_years={years}", "run.warmup_years=0", "run.drain_years=0",
                              "run.records=cases", "run.replications=1", f"run.first_replication={replication}"])
    except (ConfigError, ValueError, StateError) as e:
        print(f"fms-sim state make: error: {e}", file=sys.stderr)
        return 2
    as_of = dt.date(at_fy, 9, 30)
    at = years * DAYS_PER_YEAR
    months = int(at // 30.4375)
    with tqdm(total=months, desc=f"state at {as_of}: simulated months", unit="month", file=sys.stderr) as bar:
        rep = simulate(params, replication, observers=[_Progress(bar)])
        bar.update(months - bar.n)
    assert rep.cases is not None
    frame = open_cases(rep.cases, at, as_of)
    provenance = {"made_by": "python -m sim state make", "version": version("fms-sim"), "at": at_fy,
                  "replication": replication, "seed": params.seed, "overrides": overrides,
                  "config_sha256": config_digest(overrides)}
    write_state(frame, out, provenance)
    _answer(out, frame, rep.cases, params.run.start_fiscal_year, at_fy)
    return 0


def _answer(out: Path, frame: pd.DataFrame, cases: pd.DataFrame, first_fy: int, at_fy: int) -> None:
    from sim.engine.clock import DAYS_PER_YEAR
    from sim.model.state import STAGE_LABELS, stage_of

    value = float(frame["value_musd"].sum()) / 1000
    print(f"{out}: {len(frame):,} open cases worth ${value:,.0f}B at the end of FY{at_fy} (one replication: a "
          "sample of the enterprise, not a forecast)")
    stages = Counter(STAGE_LABELS[stage_of(r)] for r in frame.to_dict("records"))
    print("by stage: " + ", ".join(f"{k} {v:,}" for k, v in stages.most_common()))
    end = cases["closed"].fillna(cases["withdrawn"])
    for fy, (count, billions, source, kind) in PUBLIC.items():
        if not first_fy <= fy <= at_fy:
            continue
        day = (fy - first_fy + 1) * DAYS_PER_YEAR
        open_ = cases[(cases["lor_received"] <= day) & ~(end <= day)]
        worth = float(open_["value_musd"].sum()) / 1000
        print(f"end of FY{fy} in the same run: {len(open_):,} open cases worth ${worth:,.0f}B; "
              f"public: {count:,} worth ${billions:,.0f}B ({source}; {kind})")
