"""``python -m sim state check <file> [overrides]``: check a state file of open cases (``sim.model.state``).

Prints the state's date, its cases by the stage they stand in, and the columns ignored; or every problem, one per
line, and exits 2.  Overrides (``demand=history``, ...) set the partners, groups and platforms a file is checked
against, as they would for a run.
"""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Optional, Sequence

USAGE = "usage: python -m sim state check <state file (.parquet or .csv)> [overrides ...]"
# the route step a case stands in, as a user reads it
LABELS = {"lor_intake": "LOR intake", "reviews": "LOA development and reviews (to the offer)",
          "offer_acceptance": "offer (to acceptance)", "implementation": "implementation",
          "contracting": "contracting", "production": "production and delivery", "closure": "closure"}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args[:2]):
        print(USAGE + "\n" + (__doc__ or ""))
        return 0
    if len(args) < 2 or args[0] != "check":
        print(f"fms-sim state: error: {USAGE}", file=sys.stderr)
        return 2
    from sim.config import ConfigError, load_params
    from sim.model.state import stage_of
    from sim.states import StateError, read_state

    try:
        params = load_params(args[2:])
        st = read_state(Path(args[1]), params)
    except ConfigError as e:
        print(f"fms-sim state: error: {e}", file=sys.stderr)
        return 2
    except StateError as e:
        print(f"fms-sim state: error: {args[1]}: {len(e.lines)} problem line(s):", file=sys.stderr)
        for line in e.lines:
            print(f"  {line}", file=sys.stderr)
        return 2
    stages = Counter(LABELS.get(s, s) for s in (stage_of(r) for r in st.rows))
    print(f"{args[1]}: {len(st.rows)} open case(s) as of {st.as_of} (a run from it starts FY{st.start_fiscal_year})")
    print("by stage: " + ", ".join(f"{k} {v}" for k, v in stages.most_common()))
    print(f"note: a state stands for the whole enterprise, every open case: the scenario's demand is "
          f"{params.demand.lor_per_year:,.0f} LORs a year and its offices are sized for them (about 15,400 cases "
          "were open at the end of FY2020 [MEASURED, DODIG-2022-053]); a file of one office's cases starts a nearly "
          "empty system that fills up")
    if st.ignored:
        print("ignored columns: " + ", ".join(st.ignored))
    return 0


if __name__ == "__main__":
    sys.exit(main())
