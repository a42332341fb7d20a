"""``fms-sim figures <run dir> ...`` (or ``python -m sim figures``): redraw a run's figures from its saved files."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        help_asked = bool(args)
        print("usage: fms-sim figures <run dir> [<run dir> ...]  (redraw a complete run's figures)",
              file=sys.stdout if help_asked else sys.stderr)
        return 0 if help_asked else 2
    from sim.output.run_figures import make_figures  # matplotlib only when figures are made

    for arg in args:
        run_dir = Path(arg)
        problem = _unusable(run_dir)
        if problem:
            print(f"fms-sim: error: {run_dir} {problem}", file=sys.stderr)
            return 2
        try:
            drawn = make_figures(run_dir)
        except (KeyError, TypeError, ValueError, IndexError) as e:  # a summary.json damaged by hand
            print(f"fms-sim: error: {run_dir}/summary.json is damaged ({type(e).__name__}: {e}); rerun the run",
                  file=sys.stderr)
            return 2
        for f in drawn:
            print(run_dir / f)
    return 0


def _unusable(run_dir: Path) -> Optional[str]:
    """Why figures cannot be drawn from ``run_dir`` (None if they can): only a complete run's summary."""
    from sim.output.run_dir import read_json

    if not (run_dir / "summary.json").is_file():
        return "has no summary.json; pass a run directory"
    try:
        manifest = read_json(run_dir / "manifest.json") if (run_dir / "manifest.json").is_file() else None
        summary = read_json(run_dir / "summary.json")
    except (OSError, ValueError) as e:
        return f"has an unreadable manifest.json or summary.json ({type(e).__name__}); rerun the run"
    if manifest is not None and (not isinstance(manifest, dict) or manifest.get("status") != "complete"):
        status = manifest.get("status") if isinstance(manifest, dict) else None
        return f"holds a run whose manifest says {status!r}, not 'complete': its summary.json is not its result"
    if not isinstance(summary, dict) or not isinstance(summary.get("lead_times"), dict):
        return "has a summary.json that fms-sim did not write (no lead_times); pass a run directory"
    return None


if __name__ == "__main__":
    sys.exit(main())
