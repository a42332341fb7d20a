"""``fms-sim figures <run dir> ...`` (or ``python -m sim.figures``): redraw a run's figures from its saved files."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print("usage: fms-sim figures <run dir> [<run dir> ...]", file=sys.stderr)
        return 2
    from sim.output.run_figures import make_figures  # matplotlib only when figures are made

    for arg in args:
        run_dir = Path(arg)
        if not (run_dir / "summary.json").is_file():
            print(f"fms-sim: error: {run_dir} has no summary.json; pass a run directory", file=sys.stderr)
            return 2
        for f in make_figures(run_dir):
            print(run_dir / f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
