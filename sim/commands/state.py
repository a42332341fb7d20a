"""``python -m sim state check|make``: check a state file of open cases, or make one from a run (``sim.model.state``).

``state check <file> [overrides]`` prints the state's date, its cases by the stage they stand in, the columns
ignored and, for a model-made state, what it was made from and whether the defaults changed since; or every
problem, one per line, and exits 2.  Overrides (``demand=history``, ...) set the partners, groups and platforms a
file is checked against, as they would for a run.

``state make <name>`` regenerates a shipped state from its recipe (``configs/states/<name>.recipe.yaml``: the
fiscal year, the replication and the overrides); ``state make <file> --at FY2026 [--replication R] [overrides]``
makes one of your own.  Either runs one replication from an empty system through the end of that fiscal year and
writes its open cases as milestone dates (schema version 1, the same as a user-made state), whole or not at all.
With ``--exact`` it writes each replication's exact state instead, one file per replication in a folder, from which
``start=<folder>`` goes on bit for bit (``sim.commands.state_exact``).
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any, Optional, Sequence

USAGE = ("usage: python -m sim state check <state file (.parquet or .csv)> [overrides ...]\n"
         "       python -m sim state make <shipped name> | <file> --at FY<year> [--replication R] [overrides ...]\n"
         "       python -m sim state make <folder> --exact --at FY<year> [--replications N] [overrides ...]")



def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args[:2]):
        print(USAGE + "\n" + (__doc__ or ""))
        return 0
    if len(args) < 2 or args[0] not in ("check", "make"):
        print(f"fms-sim state: error: {USAGE}", file=sys.stderr)
        return 2
    if args[0] == "make":
        from sim.commands.state_make import make

        return make(args[1:])
    from sim.config import STATES_DIR, ConfigError, load_params
    from sim.exact_start import exact_start
    from sim.model.state import STAGE_LABELS, stage_of
    from sim.states import StateError, read_state, state_path

    exact = exact_start(args[1], STATES_DIR)
    if exact is not None:
        return _check_exact(args[1], *exact)
    try:
        params = load_params(args[2:])
        path = state_path(args[1], STATES_DIR)  # a file, or a state shipped by name
        st = read_state(path, params)
    except ConfigError as e:
        print(f"fms-sim state: error: {e}", file=sys.stderr)
        return 2
    except StateError as e:
        print(f"fms-sim state: error: {args[1]}: {len(e.lines)} problem line(s):", file=sys.stderr)
        for line in e.lines:
            print(f"  {line}", file=sys.stderr)
        return 2
    stages = Counter(STAGE_LABELS.get(s, s) for s in (stage_of(r) for r in st.rows))
    print(f"{args[1]}: {len(st.rows)} open case(s) as of {st.as_of} (a run from it starts FY{st.start_fiscal_year})")
    print("by stage: " + ", ".join(f"{k} {v}" for k, v in stages.most_common()))
    if st.ignored:
        print("ignored columns: " + ", ".join(st.ignored))
    if not _provenance(path, params):
        print(f"note: a state stands for the whole enterprise, every open case: the scenario's demand is "
              f"{params.demand.lor_per_year:,.0f} LORs a year and its offices are sized for them (about 15,400 "
              "cases were open at the end of FY2020 [MEASURED, DODIG-2022-053]); a file of one office's cases starts "
              "a nearly empty system that fills up")
    return 0


def _provenance(path: Path, params: Any) -> bool:
    """What a model-made state was made from, whether its recipe's config has changed since, and whether the
    scenario checked against carries on at the state's levels; False for a user-made state."""
    from sim.config import STATES_DIR, ConfigError, config_digest, state_recipe
    from sim.states import level_mismatch, provenance_of

    made = provenance_of(path)
    if not made:
        return False
    print(f"model-made: replication {made['replication']} of seed {made['seed']} through FY{made['at']}, "
          f"overrides {' '.join(made['overrides']) or 'none'} (fms-sim {made['version']})")
    try:
        recipe = state_recipe(path.stem) if path.parent.resolve() == STATES_DIR.resolve() else None
        digest = config_digest(recipe["overrides"]) if recipe is not None else None
    except ConfigError as e:
        print(f"recipe not usable: {e}")
        recipe = None
    if recipe is not None:
        if digest != made["config_sha256"]:
            print(f"out of date: the defaults changed since it was made; remake it: python -m sim state make "
                  f"{path.stem}")
        else:
            print(f"current: made from today's defaults with its recipe ({path.stem}.recipe.yaml)")
    differs = level_mismatch(made, params)
    levels = made.get("levels") or {}
    if differs:
        print(f"note: with these overrides a run would not carry on where the state stands: {differs}")
    elif levels:
        print(f"levels: these overrides carry on at the state's ({levels['lor_per_year']:,.0f} LORs a year, "
              "its headcounts and line rates)")
    return True


def _check_exact(name: str, path: Path, files: dict[int, Path]) -> int:
    """An exact state or a folder of them: their day, replications, what they were made from and whether this
    version of the model can go on from them (each file read whole, its checksum compared); exit 2 if not."""
    from sim.exact_start import day_words, fiscal_year_after
    from sim.state_cache import code_fingerprint, exact_meta, read_exact

    metas = {r: exact_meta(f) for r, f in sorted(files.items())}
    first = next(m for m in metas.values() if m is not None) if any(metas.values()) else {}
    made = first.get("provenance") or {}
    fy0 = int(first.get("fingerprint", {}).get("run", {}).get("start_fiscal_year", 0) or 0)
    day = float(first.get("clock", {}).get("now", 0.0))
    problems = []
    for r, f in sorted(files.items()):
        try:
            read_exact(f)
        except ValueError as e:
            problems.append(str(e))
    if made.get("code") != code_fingerprint():
        problems.append(f"made by {'another version of' if made.get('code') else 'unrecorded'} model code: a run "
                        "would not go on from them; make them again with this version")
    reps = sorted(files)
    print(f"{name}: exact states of replication(s) {', '.join(map(str, reps[:10]))}{' ...' if len(reps) > 10 else ''}"
          f" at {day_words(day, fy0)}, {len(reps)} file(s)")
    overrides = made.get("overrides")
    print(f"made by: {made.get('made_by', 'unknown')}, overrides {' '.join(overrides or []) or 'none'}, seed "
          f"{first.get('fingerprint', {}).get('seed')}")
    if problems:
        print(f"fms-sim state: error: {len(problems)} problem(s):", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 2
    after = f"FY{fiscal_year_after(day, fy0)}" if fy0 else "<the next fiscal year>"
    print(f"current: this version goes on from them; start a run: python -m sim start={name} "
          f"{' '.join(overrides or [])} run.replications={len(reps)} reform=<name> reform.effective={after}".rstrip())
    return 0
