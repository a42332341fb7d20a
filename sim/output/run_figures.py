"""Figures of one run, made from its saved summary.json (never from a live run).

``fms-sim figures <run dir>`` (``python -m sim figures``) redraws them; ``make_figures(run_dir)`` is
what a run calls after writing its files.  Every axis is labelled with its unit.
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.metrics import TITLES
from sim.analysis.summary_schema import Summary
from sim.engine.clock import DAYS_PER_YEAR
from sim.output import plotting
from sim.output.run_dir import read_json


def _name(s: Summary, width: int = 60) -> str:
    """The scenario label, broken over lines so that a long one (a dated, partial reform) is not cut off."""
    return "\n".join(textwrap.wrap(str(s["scenario"]), width)) or str(s["scenario"])


def _save(fig: Figure, path: Path) -> str:
    plotting.save(fig, path)
    return str(Path("figures") / path.name)


def lead_time_distributions(s: Summary, out: Path) -> str:
    lts = s["lead_times"]
    fig, axes = plotting.new_figure(ncols=len(lts), figsize=(4.2 * len(lts), 3.6))
    for ax, (name, lt) in zip(np.atleast_1d(axes), lts.items()):
        h = lt["histogram"]
        counts = np.asarray(h["counts"], dtype=float)
        if counts.sum() > 0:
            edges = np.asarray(h["edges"])
            ax.stairs(counts / counts.sum(), edges, fill=True, alpha=0.6)
            for q, style in ((lt["median"], "--"), (lt["p90"], ":")):
                ax.axvline(q, color="k", linestyle=style, linewidth=1)
        cs = lt["censored_share"]
        ax.set_title(f"{TITLES.get(name, name)}\nmedian {lt['median'] or 0:.0f} d (--), p90 {lt['p90'] or 0:.0f} d (:)"
                     + (f", {100 * cs:.1f}% censored" if cs else ""), fontsize=9)
        ax.set_xlabel("days since LOR received")
        ax.set_ylabel(f"share of cohort cases per {h['bin_days']:.0f}-day bin")
    fig.suptitle(f"Lead-time distributions, scenario '{_name(s)}' ({s['replications']} replications pooled)",
                 fontsize=10)
    return _save(fig, out / "lead_times.png")


SEGMENTS = (  # (summary key, legend, colour): how a stage's mean time per case splits
    ("hands_on_per_case", "hands-on work (a slot held; a person's effort)", "tab:blue"),
    ("slowdown_per_case", "slowdown: the person's attention shared with other cases", "tab:orange"),
    ("wait_per_case", "waiting to start (slot queue, office backlog, production line)", "tab:red"),
    ("waits_on_others_per_case", "waits on others (partner, Congress, other offices, industry, transport)", "0.65"),
)
APART = ("closure",)  # years, not days: drawn in a panel of its own so the others keep their scale


def _segments(stages: list) -> np.ndarray:
    """Rows: stages; columns: SEGMENTS (old summaries without the split: all work hands-on)."""
    rows = []
    for st in stages:
        work = st["work_per_case"]["mean"] or 0.0
        row = [(st.get(k) or {}).get("mean") or 0.0 for k, _, _ in SEGMENTS]
        if "hands_on_per_case" not in st:
            row[0] = work
        rows.append(row)
    return np.array(rows, dtype=float).reshape(len(stages), len(SEGMENTS))


def where_time_goes(s: Summary, out: Path) -> str:
    stages = [st for st in s["stages"] if st["stage"] not in APART]
    apart = [st for st in s["stages"] if st["stage"] in APART]
    fig, axes = plotting.new_figure(nrows=2, figsize=(8.5, 0.42 * len(stages) + 3.0), squeeze=False,
                                    gridspec_kw={"height_ratios": [max(1, len(stages)), max(1, len(apart)) + 0.6]})
    for ax, group, unit in ((axes[0][0], stages, 1.0), (axes[1][0], apart, 365.25)):
        names = [st["stage"].replace("_", " ") + (f"\n[{st['pool']}]" if st["pool"] else "") for st in group]
        seg = _segments(group) / unit
        y = np.arange(len(group))[::-1]
        left = np.zeros(len(group))
        for k, (_, label, colour) in enumerate(SEGMENTS):
            ax.barh(y, seg[:, k], left=left, color=colour, label=label)
            left += seg[:, k]
        ax.set_yticks(y, names, fontsize=7)
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_xlabel("mean days per cohort case (visits summed; stages a case skips count as 0;\n"
                          "amendment and modification stages: all of the case's documents, outside its lead times)",
                          fontsize=8)
    axes[1][0].set_xlabel("mean years per cohort case: closure comes after delivery, outside the lead times",
                          fontsize=8)
    axes[0][0].set_title(f"Where the time goes, scenario '{_name(s)}'", fontsize=10)
    axes[0][0].legend(fontsize=7, loc="lower right")
    return _save(fig, out / "where_time_goes.png")


def fiscal_axis(s: Summary, day: Any) -> np.ndarray:
    """Days from day 0 as fiscal years, each year's label at its middle: FY k spans [k - 0.5, k + 0.5)."""
    return s["run"]["start_fiscal_year"] - 0.5 + np.asarray(day, dtype=float) / DAYS_PER_YEAR


def queues_and_open_cases(s: Summary, out: Path) -> str:
    """Open cases, the offices' backlogs and the production lines' queues, each on its own axis (a line's queue of
    lots would hide an office's backlog of cases on a shared one)."""
    ser = s["series"]
    lines = {k: v for k, v in ser["pools"].items() if k.startswith("line:")}
    offices = {k: v for k, v in ser["pools"].items() if k not in lines}
    fig, axes = plotting.new_figure(nrows=3 if lines else 2, figsize=(8, 8.5 if lines else 6.5), sharex=True)
    ax1 = axes[0]
    t = fiscal_axis(s, ser["day"])
    ax1.plot(t, ser["open_cases"], color="k", label="open (LOR received, not closed or withdrawn)")
    if "in_process" in ser:
        ax1.plot(t, ser["in_process"], color="tab:blue", label="in process (not yet delivered or withdrawn)")
    ax1.set_ylabel("cases")
    ax1.legend(fontsize=7, loc="center right")
    fig.suptitle("\n".join(textwrap.wrap(f"Open cases and queues over time, scenario '{s['scenario']}' (mean of "
                                          "replications)", 90)), fontsize=10)
    for ax, pools, what in ((axes[1], offices, "cases waiting at the office"),
                            *(((axes[2], lines, "lots waiting for the line"),) if lines else ())):
        for pool, p in pools.items():
            ax.plot(fiscal_axis(s, p["day"]), p["queue"], label=pool.removeprefix("line:"), linewidth=1)
        ax.set_ylabel(what, fontsize=8)
        ax.legend(fontsize=7, ncol=2)
    axes[-1].set_xlabel("fiscal year")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    w = s["window"]
    effective = (s.get("enactment") or {}).get("effective_year")
    for ax in axes:
        ax.axvspan(*fiscal_axis(s, [w["warmup_day"], w["horizon_day"]]), color="tab:green", alpha=0.08, label=None)
        if effective is not None:
            ax.axvline(float(fiscal_axis(s, effective * DAYS_PER_YEAR)), color="dimgray", ls="--", lw=1)
    ax1.text(float(fiscal_axis(s, w["warmup_day"])), ax1.get_ylim()[1], " cohort window", va="top", fontsize=8)
    if effective is not None:
        ax1.text(float(fiscal_axis(s, effective * DAYS_PER_YEAR)), ax1.get_ylim()[0], " reforms in effect",
                 va="bottom", fontsize=8, color="dimgray")
    return _save(fig, out / "queues_over_time.png")


def utilisation(s: Summary, out: Path) -> str:
    pools = s["pools"]
    names = [p["pool"] for p in pools]
    means = np.array([p["utilisation"]["mean"] or 0 for p in pools]) * 100
    hw = np.array([p["utilisation"]["half_width"] or 0 for p in pools]) * 100
    fig, ax = plotting.new_figure(figsize=(8, 3.8))
    ax.bar(range(len(names)), means, yerr=hw, capsize=3, color="tab:gray")
    ax.axhline(100, color="tab:red", linewidth=1)
    ax.set_xticks(range(len(names)), [f"{n}\n(cap {p['capacity']})" for n, p in zip(names, pools)],
                  rotation=30, ha="right", fontsize=7)
    ax.set_ylabel("utilisation, % of capacity busy\n(warm-up to horizon, 95% CI)")
    ax.set_ylim(0, 110)
    ax.set_title(f"Utilisation by pool, scenario '{_name(s)}'", fontsize=10)
    return _save(fig, out / "utilisation.png")


def workload(s: Summary, out: Path) -> str:
    """Value and documents by fiscal year (means of replications); the cohort window shaded."""
    fy = s.get("fiscal_years")
    fig, (left, right) = plotting.new_figure(ncols=2, figsize=(11, 3.8))
    if fy and fy["fiscal_year"]:
        x = np.asarray(fy["fiscal_year"])
        for key, label in (("value_accepted", "accepted (LOAs + amendments)"), ("value_notified", "notified (36(b))"),
                           ("value_delivered", "delivered")):
            left.plot(x, fy[key], marker="o", markersize=3, label=label)
        for key, label in (("loas_offered", "LOAs"), ("amendments_offered", "amendments"),
                           ("modifications_offered", "modifications")):
            right.plot(x, fy[key], marker="o", markersize=3, label=label)
        start = x[0] + s["window"]["warmup_day"] / DAYS_PER_YEAR - 0.5
        for ax in (left, right):
            ax.axvspan(start, x[-1] + 0.5, color="0.92", zorder=0)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("fiscal year (shaded: cohort window)")
            ax.legend(fontsize=7)
    left.set_ylabel("$B per fiscal year (mean of replications)")
    left.set_title("Value by fiscal year", fontsize=10)
    right.set_ylabel("documents offered per fiscal year")
    right.set_title("Documents offered by fiscal year", fontsize=10)
    fig.suptitle(f"Workload, scenario '{_name(s)}'", fontsize=10)
    return _save(fig, out / "workload.png")


def make_figures(run_dir: Path) -> list[str]:
    run_dir = Path(run_dir)
    s = cast(Summary, read_json(run_dir / "summary.json"))
    out = run_dir / "figures"
    out.mkdir(exist_ok=True)
    made = [f(s, out) for f in (lead_time_distributions, where_time_goes, queues_and_open_cases, utilisation,
                                workload)]
    if (run_dir / "yearly.csv").is_file():  # the run's year by year, with 95% bands (sim.output.trajectory)
        from sim.analysis.yearly import effective_fiscal_years
        from sim.output import trajectory

        yearly = pd.read_csv(run_dir / "yearly.csv", dtype={"office": "string"})
        path = trajectory.draw(yearly, [0], {0: s["scenario"]}, None, {0: "tab:blue"},
                               effective_fiscal_years({0: s}), out / "trajectory.png")
        if path is not None:
            made.append(str(Path("figures") / "trajectory.png"))
    return made
