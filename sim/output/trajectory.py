"""The trajectory figure: year by year, one panel per measure, the reference and each scenario with its 95% band,
the reforms' effective date marked.  Drawn from the year-by-year table (``sim.analysis.yearly``), never a live run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence

import pandas as pd

from sim.analysis.kpis import METRICS
from sim.analysis.yearly import TRAJECTORY
from sim.output import plotting

TITLES = {"year.open_cases": "Open cases at the fiscal year's end",
          "year.in_process": "Cases not yet delivered, at the year's end",
          "year.by_lor.lor_to_offer": "LOR to LOA offer, by the LOR's fiscal year",
          "year.undelivered_value": "Value accepted, not yet delivered",
          "year.loas_accepted": "LOAs accepted in the year",
          "fiscal.notified": "LOAs and amendments notified to Congress",
          "year.by_lor.lor_to_delivery": "LOR to delivery, by the LOR's fiscal year",
          "year.by_end.lor_to_delivery": "LOR to delivery, by the delivery's fiscal year"}
MAX_LINES = 8


def ranked(jobs: Sequence[int], yearly: pd.DataFrame, reference_job: Optional[int]) -> list[int]:
    """``jobs`` with the scenarios that change LOR to delivery (by the LOR's year) most first, so the lines a figure
    has room for are the largest changes, not the first in the sweep (the outlook's figure left out the largest
    package); in their own order when there is nothing to rank by."""
    if reference_job is None or "diff_mean" not in yearly.columns:
        return list(jobs)
    d = yearly[(yearly["metric"] == "year.by_lor.lor_to_delivery") & yearly["office"].isna()]
    size = d.groupby("job")["diff_mean"].apply(lambda v: float(v.abs().mean()) if v.notna().any() else 0.0)
    return sorted(jobs, key=lambda j: -float(size.get(j, 0.0)))  # stable: ties keep the sweep's order


# measured at the year's end: drawn at the boundary between two years, not in the middle of one
STATES = ("year.open_cases", "year.in_process", "year.undelivered_value")


def draw(yearly: pd.DataFrame, order: Sequence[int], labels: Mapping[int, str], reference_job: Optional[int],
         colours: Mapping[int, str], effective: Mapping[int, float], path: Path, change: bool = False) -> Optional[str]:
    """Draw the panels into ``path``; ``effective``: per dated job, the fiscal year (fractional: 2026.0 is 1 October
    2025) its reforms take effect, marked on every panel (one grey line when every job shares the date, else one
    in each job's colour).  A fiscal year's flows sit at its label, states at its end; bands are clipped at 0 (every
    measure is >= 0).  ``change``: each scenario's paired change against the reference instead, with its 95%
    interval, around a zero line.  None when there is nothing to draw."""
    t = yearly[yearly["metric"].isin(TRAJECTORY) & yearly["office"].isna()]
    if change:
        t = t[(t["job"] != reference_job) & t["diff_mean"].notna()]
        t = t.assign(mean=t["diff_mean"], ci_low=t["diff_ci_low"], ci_high=t["diff_ci_high"])
    if t.empty:
        return None
    present = set(t["job"])
    others = ranked([j for j in order if j in present and j != reference_job], yearly, reference_job)
    jobs = ([reference_job] if reference_job in present else []) + others[:MAX_LINES - 1]
    dates = {j: d for j, d in effective.items() if j in jobs}
    shared = len(set(dates.values())) == 1
    first, last = float(t["fiscal_year"].min()) - 0.5, float(t["fiscal_year"].max()) + 0.5
    fig, axes = plotting.new_figure(nrows=2, ncols=4, figsize=(17, 7.4))
    for ax, metric in zip(axes.flat, TRAJECTORY):
        m = t[t["metric"] == metric]
        shift = 0.5 if metric in STATES else 0.0
        for job in jobs:
            d = m[m["job"] == job].sort_values("fiscal_year")
            if d.empty:
                continue
            ref = job == reference_job
            x, colour = d["fiscal_year"] + shift, colours.get(job, "tab:blue")
            ax.plot(x, d["mean"], color=colour, lw=2.4 if ref else 1.5, marker="o", ms=3, zorder=4 if ref else 3,
                    label=labels.get(job, str(job)) + (" (reference)" if ref else ""))
            low, high = d["ci_low"], d["ci_high"]
            if not change:
                low, high = low.clip(lower=0), high.clip(lower=0)
            ax.fill_between(x, low, high, color=colour, alpha=0.10 if ref else 0.15, lw=0, zorder=1)
        if change:
            ax.axhline(0, color="black", lw=0.8)
        for job, fy in dates.items():
            if first <= fy - 0.5 <= last + 0.5:
                ax.axvline(fy - 0.5, color="dimgray" if shared else colours.get(job, "dimgray"), ls="--", lw=1)
        ax.set_xlim(first - 0.1, last + 0.6)
        ax.set_title(("Change: " if change else "") + TITLES.get(metric, metric), fontsize=9.5)
        ax.set_xlabel("fiscal year" + (" (points at the year's end)" if shift else ""))
        ax.set_ylabel(METRICS[metric].unit)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    handles, names = axes.flat[0].get_legend_handles_labels()
    from matplotlib.lines import Line2D

    for job, fy in (list(dates.items())[:1] if shared else dates.items()):
        handles.append(Line2D([], [], color="dimgray" if shared else colours.get(job, "dimgray"), ls="--"))
        where = "" if first <= fy - 0.5 <= last + 0.5 else ", before the years shown"
        names.append(f"{'reforms' if shared else labels.get(job, str(job))}: in effect from FY{int(fy)}{where}")
    fig.legend(handles, names, loc="lower center", ncol=min(3, len(names)), fontsize=9, frameon=False)
    plotting.save(fig, path, bottom=0.06 + 0.03 * ((len(names) - 1) // 3))
    return str(path)
