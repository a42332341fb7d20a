"""How long must a reform settle?  Steady-state studies from cached states (``run.settle_years``) against the same
reforms always in effect.

A study with ``run.settle_years=S`` starts each replication from the cached state of the scenario without its
reform, S years before the warm-up ends, and enacts the reform then (its people join through the hiring ramp), so
no scenario pays the warm-up.  The question it answers must stay that of a reform "always in effect": for each
reform and measure, the paired change against ``none`` (same replications) is computed both ways, and the
difference of the two changes (settled - always), paired by replication, with its 95% interval.  The reference
``none`` is the same run both ways (bit for bit: tests/system/test_state_cache.py).

    python benchmarks/settle_check.py                          # 3 replications, settle 3 and 6 years
    python benchmarks/settle_check.py --replications 2 --settle 5 --reforms more_staff,dscs_workforce debug=tiny
    python benchmarks/settle_check.py --report benchmarks/SETTLE_CHECK.md

Writes results/benchmarks/settle_check.csv and prints the answer first.  States go to a cache of their own under
results/benchmarks/settle_cache (cold at the start: the timing column shows the cost of making them).
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEASURES = ("lor_to_offer", "lor_to_contract", "lor_to_delivery", "open_cases_at_horizon")
REFORMS = ("more_staff", "tiger_team_package", "contracting_standards", "raise_thresholds_tiger")
MARGIN_DAYS, MARGIN_SHARE = 3.0, 0.10  # a settled change is as good as "always" within max(3 days, 10% of it)


def _run(task: tuple[str, list[str], int]) -> dict:
    from sim.config import load_params
    from sim.engine.collection import rare_collections
    from sim.job import kpis_of
    from sim.runner import simulate

    label, overrides, r = task
    params = load_params(overrides)
    t0 = time.time()
    with rare_collections():
        result = simulate(params, r)
    rows = kpis_of(params, [result])
    out = {"label": label, "replication": r, "seconds": time.time() - t0}
    for m in MEASURES:
        out[m] = float(rows.loc[rows["metric"] == m, "value"].iloc[0])
    return out


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean of b - a and its 95% t half-width (paired by replication)."""
    d = np.asarray(b, float) - np.asarray(a, float)
    if len(d) < 2:
        return float(d.mean()), math.nan
    return float(d.mean()), float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", type=int, default=3)
    ap.add_argument("--settle", default="3,6", help="settling periods to try, in years, comma-separated")
    ap.add_argument("--reforms", default=",".join(REFORMS), help="reforms to try, comma-separated")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--report", type=Path, default=None, help="also write the answer and table as Markdown here")
    ap.add_argument("overrides", nargs="*", help="config overrides of every run")
    args = ap.parse_args(argv)
    args.settle = [float(s) for s in args.settle.split(",")]
    args.reforms = args.reforms.split(",")
    dest = ROOT / "results" / "benchmarks"
    os.environ["FMS_SIM_CACHE"] = str(dest / "settle_cache")
    base = ["run.records=summary", "run.jobs=1", *args.overrides]
    tasks = []
    for r in range(args.replications):
        tasks.append(("none", base, r))
        tasks.append(("none@cache", [*base, f"run.settle_years={args.settle[0]}"], r))  # from the warm-up's end
        for s in args.settle:  # the first task of each setting makes the states its reforms start from
            tasks += [(f"{f}@{s:g}", [*base, f"reform={f}", f"run.settle_years={s}"], r) for f in args.reforms]
        tasks += [(f, [*base, f"reform={f}"], r) for f in args.reforms]
    t0 = time.time()
    done = []
    with get_context("spawn").Pool(args.jobs) as pool:
        for k, row in enumerate(pool.imap(_run, tasks), start=1):
            done.append(row)
            left = (time.time() - t0) / k * (len(tasks) - k)
            print(f"[{k}/{len(tasks)}] {row['label']} r{row['replication']}: {row['seconds']:.0f} s "
                  f"(about {left / 60:.0f} min left)", file=sys.stderr)
    runs = pd.DataFrame(done).set_index(["label", "replication"]).sort_index()
    runs.to_csv(dest / "settle_check_runs.csv")
    reps = list(range(args.replications))
    out = []
    for f in args.reforms:
        for m in MEASURES:
            base_v = runs.loc[[("none", r) for r in reps], m].to_numpy()
            always = runs.loc[[(f, r) for r in reps], m].to_numpy()
            ch_a, hw_a = paired(base_v, always)
            for s in args.settle:
                settled = runs.loc[[(f"{f}@{s:g}", r) for r in reps], m].to_numpy()
                ch_s, hw_s = paired(base_v, settled)
                diff, hw_d = paired(always, settled)
                margin = max(MARGIN_DAYS, MARGIN_SHARE * abs(ch_a)) if m != "open_cases_at_horizon" \
                    else MARGIN_SHARE * max(abs(ch_a), 1.0)
                out.append({"reform": f, "measure": m, "settle_years": s, "always": ch_a, "always_hw": hw_a,
                            "settled": ch_s, "settled_hw": hw_s, "difference": diff, "difference_hw": hw_d,
                            "margin": margin, "within": abs(diff) <= margin})
    table = pd.DataFrame(out)
    table.to_csv(dest / "settle_check.csv", index=False)
    secs = runs["seconds"].groupby(level=0).mean()
    always_s = float(np.mean([secs[f] for f in args.reforms]))
    lines = []
    for s in args.settle:
        t = table[table["settle_years"] == s]
        settled_s = float(np.mean([secs[f"{f}@{s:g}"] for f in args.reforms]))
        lines.append(f"settle {s:g} years: {int(t['within'].sum())} of {len(t)} paired changes within the margin "
                     f"of the reform always in effect; a reform's replication took {settled_s:.0f} s (states "
                     f"cached; always in effect {always_s:.0f} s)")
    same = sum(int(runs.loc[("none@cache", r), m] == runs.loc[("none", r), m]) for r in reps for m in MEASURES)
    lines.insert(0, f"the reference started from its cached state at the warm-up's end: {same} of "
                    f"{len(reps) * len(MEASURES)} measures identical to its own warm-up's "
                    f"({secs['none@cache']:.0f} s a replication against {secs['none']:.0f} s)")
    answer = "; ".join(lines) + f" ({args.replications} replications; {time.time() - t0:.0f} s in all)"
    from start_check import show  # this folder: the same answer-first output

    return show(answer, table, dest / "settle_check.csv", args.report, argv, write_report)


def write_report(path: Path, answer: str, table: pd.DataFrame, argv: list[str]) -> None:
    from start_check import made_by  # this folder: the same provenance sentence

    lines = ["# How long must a reform settle?  Cached states against the reform always in effect", "",
             f"**{answer[0].upper() + answer[1:]}.**", "",
             made_by("settle_check.py", argv),
             "Each row: a reform's paired change against `none` (days; open cases: cases) always in effect and "
             "enacted `settle_years` before the warm-up ends from the cached state, each with its 95% half-width, "
             f"and their difference (settled - always, paired by replication).  Margin: max({MARGIN_DAYS:g} days, "
             f"{MARGIN_SHARE:.0%} of the change).", "",
             "| reform | measure | settle (years) | always | settled | difference | margin |",
             "|---|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        flag = "" if r.within else " **outside**"
        lines.append(f"| {r.reform} | {r.measure} | {r.settle_years:g} | {r.always:+,.1f} ± {r.always_hw:,.1f} | "
                     f"{r.settled:+,.1f} ± {r.settled_hw:,.1f} | {r.difference:+,.1f} ± {r.difference_hw:,.1f}{flag} "
                     f"| {r.margin:,.1f} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
