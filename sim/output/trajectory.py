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
          "year.undelivered_value": "Value accepted, not yet delivered",
          "year.loas_accepted": "LOAs accepted in the year",
          "fiscal.notified": "LOAs and amendments notified to Congress",
          "year.by_lor.lor_to_delivery": "LOR to delivery, by the LOR's fiscal year",
          "year.by_end.lor_to_delivery": "LOR to delivery, by the delivery's fiscal year"}
MAX_LINES = 8


def draw(yearly: pd.DataFrame, order: Sequence[int], labels: Mapping[int, str], reference_job: Optional[int],
         colours: Mapping[int, str], effective: Optional[float], path: Path) -> Optional[str]:
    """Draw the panels into ``path``; ``effective``: the fiscal year (fractional: 2026.0 is 1 October 2025) the
    reforms take effect, marked on every panel.  None when the table has no year."""
    t = yearly[yearly["metric"].isin(TRAJECTORY) & yearly["office"].isna()]
    if t.empty:
        return None
    jobs = [j for j in order if j in set(t["job"])][:MAX_LINES]
    if reference_job in set(t["job"]) and reference_job not in jobs:
        jobs = [reference_job, *jobs[:MAX_LINES - 1]]
    fig, axes = plotting.new_figure(nrows=2, ncols=3, figsize=(13.5, 7.2))
    for ax, metric in zip(axes.flat, TRAJECTORY):
        m = t[t["metric"] == metric]
        for job in jobs:
            d = m[m["job"] == job].sort_values("fiscal_year")
            if d.empty:
                continue
            ref = job == reference_job
            ax.plot(d["fiscal_year"], d["mean"], color=colours.get(job, "tab:blue"), lw=2.2 if ref else 1.5,
                    marker="o", ms=3, label=labels.get(job, str(job)) + (" (reference)" if ref else ""))
            ax.fill_between(d["fiscal_year"], d["ci_low"], d["ci_high"], color=colours.get(job, "tab:blue"),
                            alpha=0.15, lw=0)
        if effective is not None:
            ax.axvline(effective - 0.5, color="dimgray", ls="--", lw=1)
        ax.set_title(TITLES.get(metric, metric), fontsize=10)
        ax.set_xlabel("fiscal year")
        ax.set_ylabel(METRICS[metric].unit)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
    handles, names = axes.flat[0].get_legend_handles_labels()
    if effective is not None:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color="dimgray", ls="--"))
        names.append(f"reforms in effect from FY{int(effective)}")
    fig.legend(handles, names, loc="lower center", ncol=min(4, len(names)), fontsize=9, frameon=False)
    plotting.save(fig, path, bottom=0.06 + 0.03 * ((len(names) - 1) // 4))
    return str(path)
