"""``fms-sim figures <run dir> ...``: redraw a run's figures from its saved files."""
from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: fms-sim figures <run dir> [<run dir> ...]", file=sys.stderr)
        return 2
    from sim.figures import make_figures

    for arg in argv:
        run_dir = Path(arg)
        if not (run_dir / "summary.json").is_file():
            print(f"fms-sim: error: {run_dir} has no summary.json; pass a run directory", file=sys.stderr)
            return 2
        for f in make_figures(run_dir):
            print(run_dir / f)
    return 0
