"""Peak memory of one replication against its horizon (issue 11: a long run must not hold more and more).

Runs ``python -m sim`` with ``run.records=summary run.replications=1 run.jobs=1`` (the replication runs in the
main process) for each horizon in a fresh process, and reads that process's peak resident set size from
``getrusage(RUSAGE_CHILDREN)`` in a wrapper that starts only it.  Also reports the peak of a process that only
imports the stack, for reference.  Usage::

    python benchmarks/bench_memory.py --horizons 5 60 [--staffing slots]

Writes ``results/benchmarks/bench_memory.json`` and prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "benchmarks" / "bench_memory.json"
WRAP = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(r.stderr[-2000:] if r.returncode else ''); "
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
IMPORTS = "import sim.commands.run, sim.job, sim.runner, sim.output.run_figures, pandas, scipy.stats, matplotlib.pyplot"


def peak_mb(cmd: list[str]) -> tuple[float, float]:
    """(peak RSS of ``cmd`` in MB, wall seconds); RuntimeError if it fails."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", WRAP, *cmd], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    code, kb = out.stdout.split()[-2:]
    if int(code) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr[-1000:]}")
    return int(kb) / 1024, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--horizons", type=float, nargs="+", default=[5.0, 60.0])
    ap.add_argument("--warmup-years", type=float, default=2.0)
    ap.add_argument("--staffing", default="baseline")
    args = ap.parse_args()
    rows = []
    base, _ = peak_mb([sys.executable, "-c", IMPORTS])
    with tempfile.TemporaryDirectory() as tmp:
        for h in args.horizons:
            cmd = [sys.executable, "-m", "sim", "run.records=summary", "run.replications=1", "run.jobs=1",
                   f"run.horizon_years={h:g}", f"run.warmup_years={args.warmup_years:g}", "run.allow_large=true",
                   f"staffing={args.staffing}", f"hydra.run.dir={tmp}/h{h:g}"]
            mb, wall = peak_mb(cmd)
            summary = json.loads((Path(tmp) / f"h{h:g}" / "summary.json").read_text())
            rows.append({"horizon_years": h, "peak_mb": round(mb, 1), "wall_s": round(wall, 1),
                         "stage_visits": summary["stage_visits_per_replication"][0],
                         "cohort_cases": summary["cases"]["cohort"]["mean"]})
            print(f"horizon {h:g} y: peak {mb:.0f} MB, {wall:.0f} s", flush=True)
    print(f"\nimports only: peak {base:.0f} MB\n")
    print("| horizon (years) | stage visits | cohort cases | peak RSS (MB) | above imports (MB) | wall (s) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['horizon_years']:g} | {r['stage_visits']:,} | {r['cohort_cases']:,.0f} | {r['peak_mb']:.0f} | "
              f"{r['peak_mb'] - base:.0f} | {r['wall_s']:.0f} |")
    if len(rows) >= 2:
        print(f"\nlongest minus shortest horizon: {rows[-1]['peak_mb'] - rows[0]['peak_mb']:+.0f} MB")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"benchmark": "bench_memory", "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                               "imports_only_mb": round(base, 1), "staffing": args.staffing, "runs": rows,
                               "environment": {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                                               "platform": platform.platform()}}, indent=2) + "\n")
    print(f"\nwrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
