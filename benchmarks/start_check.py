"""Check the rule for starting from milestone dates (sim.model.start) against the model itself.

A continuous run goes from an empty system to its horizon.  At the end of fiscal year ``--at`` its open cases,
reduced to what a user's records would hold (attributes and the milestone dates reached), become a state per
replication; a second run starts from that state with the same seed and goes on to the same horizon.  If the rule
for the time left in a stage is right, the started run's year-by-year measures match the continuous run's for the
same years.  The two runs' new LORs are different draws (the started run's arrivals begin at its own day 0), so the
comparison is unpaired: each measure's difference of means with a Welch 95% interval.

    python benchmarks/start_check.py                       # 4 replications, default scenario, state at year 12
    python benchmarks/start_check.py --replications 2 --debug-tiny   # a quick look

Writes results/benchmarks/start_check.csv and prints the table, the answer first.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.analysis.year_tally import YEAR_METRICS  # noqa: E402
from sim.config import load_params  # noqa: E402
from sim.engine.clock import DAYS_PER_YEAR  # noqa: E402
from sim.job import kpis_of  # noqa: E402
from sim.runner import simulate  # noqa: E402
from sim.states import open_cases, read_state, write_state  # noqa: E402

MEASURES = ("year.open_cases", "year.undelivered_value", "year.loas_accepted", "fiscal.notified",
            "year.by_lor.lor_to_offer", "year.by_lor.lor_to_delivery")


def state_rows(cases: pd.DataFrame, at: float, as_of: dt.date, params, folder: Path) -> list[dict]:
    """The cases open at day ``at`` as a state file would hold them (``python -m sim state make``'s reduction to
    milestone dates, written and read back: whole days before day 0), checked as a user's file is."""
    path = folder / "state.parquet"
    write_state(open_cases(cases, at, as_of), path, {})
    return read_state(path, params).rows


def welch(a: list[float], b: list[float]) -> tuple[float, float]:
    """Difference of means (b - a) and its Welch 95% half-width."""
    a_, b_ = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    va, vb = a_.var(ddof=1) / len(a_), b_.var(ddof=1) / len(b_)
    dof = (va + vb) ** 2 / (va ** 2 / (len(a_) - 1) + vb ** 2 / (len(b_) - 1)) if va + vb > 0 else 1.0
    return float(b_.mean() - a_.mean()), float(stats.t.ppf(0.975, dof) * math.sqrt(va + vb))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=4)
    ap.add_argument("--at", type=int, default=12, help="the state is taken at the end of this simulation year")
    ap.add_argument("--debug-tiny", action="store_true", help="debug=tiny, state at year 2, horizon 5")
    ap.add_argument("--report", type=Path, default=None,
                    help="also write the answer and the table as Markdown here (benchmarks/START_CHECK.md)")
    ap.add_argument("overrides", nargs="*", help="config overrides of both runs")
    args = ap.parse_args(argv)
    base = ["run.records=cases", "run.after_horizon=arrivals", *args.overrides]
    at_year = 2 if args.debug_tiny else args.at
    if args.debug_tiny:
        base = ["debug=tiny", "run.horizon_years=5", "run.drain_years=6", *base]
    p = load_params(base)
    start_fy = p.run.start_fiscal_year
    later = load_params([*base, "run.warmup_years=0", f"run.horizon_years={p.run.horizon_years - at_year}",
                         f"run.start_fiscal_year={start_fy + at_year}"])
    at = at_year * DAYS_PER_YEAR
    t0 = time.time()
    whole, started = [], []
    for r in range(args.replications):
        full = simulate(p, r)
        with tempfile.TemporaryDirectory() as folder:
            rows = state_rows(full.cases, at, dt.date(start_fy + at_year - 1, 9, 30), later, Path(folder))
        whole.append(kpis_of(p, [full]))
        started.append(kpis_of(later, [simulate(later, r, start=rows)]))
        print(f"replication {r}: {len(rows)} open cases at the end of FY{start_fy + at_year - 1} "
              f"({time.time() - t0:.0f} s)", file=sys.stderr)
    a, b = pd.concat(whole), pd.concat(started)
    out = []
    for metric in MEASURES:
        for fy in sorted(set(b.loc[b["metric"] == metric, "fiscal_year"].dropna().astype(int))):
            va = a[(a["metric"] == metric) & (a["fiscal_year"] == fy)]["value"].dropna().tolist()
            vb = b[(b["metric"] == metric) & (b["fiscal_year"] == fy)]["value"].dropna().tolist()
            if len(va) < 2 or len(vb) < 2:
                continue
            d, hw = welch(va, vb)
            out.append({"measure": metric, "fiscal_year": fy, "continuous": float(np.mean(va)),
                        "started": float(np.mean(vb)), "difference": d, "half_width": hw,
                        "relative": d / float(np.mean(va)) if np.mean(va) else math.nan,
                        "unit": YEAR_METRICS[metric][1] if metric in YEAR_METRICS else ""})
    table = pd.DataFrame(out)
    dest = ROOT / "results" / "benchmarks"
    dest.mkdir(parents=True, exist_ok=True)
    table.to_csv(dest / "start_check.csv", index=False)
    inside = int((table["difference"].abs() <= table["half_width"]).sum())
    answer = (f"started from milestone dates at the end of FY{start_fy + at_year - 1}: {inside} of {len(table)} "
              f"year-by-year measures agree with the continuous run within their 95% interval "
              f"({args.replications} replications each; {time.time() - t0:.0f} s)")
    return show(answer, table, dest / "start_check.csv", args.report, argv, write_report)


def show(answer: str, table: pd.DataFrame, csv: Path, report: Path | None, argv: list[str] | None,
         write: Callable[[Path, str, pd.DataFrame, list[str]], None]) -> int:
    """Print the answer first, then the table; write the Markdown report if asked (``--report``)."""
    print(answer)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(table.round(2).to_string(index=False))
    print(f"written: {csv}")
    if report:
        write(report, answer, table, argv if argv is not None else sys.argv[1:])
        print(f"written: {report}")
    return 0


def made_by(script: str, argv: list[str]) -> str:
    """The sentence a generated report opens its detail with: the command (without ``--report``), commit, machine."""
    import platform
    import subprocess

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    shown = " ".join(a for i, a in enumerate(argv) if a != "--report" and not (i and argv[i - 1] == "--report"))
    return (f"Made by `python benchmarks/{script} {shown}`".rstrip() + f" at commit {commit} on "
            f"{platform.platform(terse=True)}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}.")


def write_report(path: Path, answer: str, table: pd.DataFrame, argv: list[str]) -> None:
    """The answer, then the table, as Markdown, with the command, commit and machine that made them."""
    lines = ["# Starting from milestone dates, checked against the model itself", "",
             f"**{answer[0].upper() + answer[1:]}.**", "",
             made_by("start_check.py", argv),
             "Each row: a measure of one fiscal year in the continuous run and in the run started from its open "
             "cases, the difference (started - continuous) and its Welch 95% half-width (unpaired: the two runs' new "
             "LORs are different draws).", "",
             "| measure | fiscal year | continuous | started | difference | 95% half-width | relative | unit |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        flag = "" if abs(r.difference) <= r.half_width else " **outside**"
        lines.append(f"| {r.measure} | FY{r.fiscal_year} | {r.continuous:,.1f} | {r.started:,.1f} | "
                     f"{r.difference:+,.1f}{flag} | {r.half_width:,.1f} | {r.relative:+.1%} | {r.unit} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
