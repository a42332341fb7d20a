"""The report's lead figure: each scenario's paired change in each lead time against the reference, ranked.

Rows follow the ranking (``sim.output.ranking``: single reforms, then packages, then other scenarios, each by its
saving in time to delivery), with a heading per group; each dot carries its value and its share of the
reference's mean, and each panel spans at least ``MIN_SHARE`` of that mean either side of zero, so a change of a
day is drawn as small as it is.  A second axis on top reads the change as a share of the reference.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Optional

import pandas as pd
from matplotlib.lines import Line2D

from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.metrics import TITLES as METRIC_TITLES
from sim.analysis.reference import Reference
from sim.output import plotting
from sim.output.ranking import KIND_TITLES, distinct

MAX_ROWS = 40  # rows drawn; the rest (the smallest changes) are counted in the caption
MIN_SHARE = 0.05  # each panel spans at least 5% of the reference's mean either side of zero
FASTER, SLOWER, UNCLEAR = "tab:blue", "tab:red", "0.45"


def change_figure(ranked: pd.DataFrame, ref: Reference, out: Path) -> Optional[tuple[str, str, str]]:
    """Draw ``figures/change_vs_reference.png``; (path, title, caption), or None with nothing to compare."""
    if ranked.empty or ref.job is None:
        return None
    metrics = [m for m in LEAD_TIMES if m in ranked.columns]
    note = ""
    if len(ranked) > MAX_ROWS:  # keep the largest changes in the ranking's own order
        by = str(ranked["rank_by"].iloc[0])
        keep = set(ranked[by + "_pct"].abs().sort_values(ascending=False).index[:MAX_ROWS])
        note = f" Only the {MAX_ROWS} scenarios that change {METRIC_TITLES[by]} most of {len(ranked)} are drawn."
        ranked = ranked.loc[sorted(keep)]
    rows: list[tuple[str, Optional[dict]]] = []  # (label, record) top to bottom; a heading has no record
    for kind, group in ranked.groupby("kind", sort=False):
        if ranked["kind"].nunique() > 1:
            rows.append((KIND_TITLES.get(str(kind), str(kind)).capitalize(), None))
        rows += [(str(r["label"]), r) for r in group.to_dict("records")]
    y = {i: len(rows) - 1 - i for i in range(len(rows))}
    fig, axes = plotting.new_figure(ncols=len(metrics), figsize=(4.3 * len(metrics) + 2.6, 0.42 * len(rows) + 2.4),
                                    sharey=True, squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        ref_mean = float(ranked[metric + "_ref"].dropna().iloc[0]) if ranked[metric + "_ref"].notna().any() else 0.0
        reach = MIN_SHARE * abs(ref_mean)
        for i, (_, r) in enumerate(rows):
            if r is None or math.isnan(r[metric]):
                continue
            x, lo, hi = r[metric], r[metric + "_low"], r[metric + "_high"]
            has_ci = not (math.isnan(lo) or math.isnan(hi))
            colour = (FASTER if distinct(r, metric) and x < 0 else SLOWER if distinct(r, metric) else UNCLEAR)
            ax.errorbar(x, y[i], xerr=[[x - lo], [hi - x]] if has_ci else None, fmt="o", color=colour, capsize=3,
                        markersize=5)
            right = hi if has_ci else x
            reach = max(reach, abs(lo) if has_ci else 0.0, abs(right))
            pct = "" if math.isnan(r[metric + "_pct"]) else f" ({r[metric + '_pct']:+.1f}%)"
            ax.annotate(f"{x:+.1f}{pct}" if abs(x) < 10 else f"{x:+.0f}{pct}", (right, y[i]), xytext=(4, 3),
                        textcoords="offset points", fontsize=7, color=colour)
        ax.set_xlim(-1.35 * reach, 1.35 * reach)  # room on the right for the labels
        ax.axvline(0, color="k", linewidth=1)
        for i, (_, r) in enumerate(rows):
            if r is None:
                ax.axhline(y[i], color="0.85", linewidth=6, zorder=0)
        ax.set_title(METRIC_TITLES[metric], fontsize=10, pad=22)
        ax.set_xlabel("change in mean (days), 95% interval,\npaired by replication", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        if ref_mean:
            top = ax.secondary_xaxis("top", functions=(lambda d, m=ref_mean: 100 * d / m,
                                                       lambda p, m=ref_mean: p * m / 100))
            top.set_xlabel(f"% of the reference's {ref_mean:,.0f} days", fontsize=7)
            top.tick_params(labelsize=7)
    axes[0][0].set_yticks(list(y.values()), [plotting.wrap_label(t) for t, _ in rows], fontsize=8)
    for tick, (_, r) in zip(axes[0][0].get_yticklabels(), rows):
        if r is None:
            tick.set_fontweight("bold")
    axes[0][0].set_ylim(-0.7, len(rows) - 0.3)
    handles = [Line2D([], [], marker="o", linestyle="", color=c, label=t) for c, t in (
        (FASTER, "faster: interval below 0"), (SLOWER, "slower: interval above 0"),
        (UNCLEAR, "interval includes 0 (no clear change)"))]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(textwrap.fill(f"Change in mean lead time against the reference '{ref.label}', ranked", 90),
                 fontsize=11)
    plotting.save(fig, Path(out) / "change_vs_reference.png", min(0.3, 0.45 / fig.get_figheight()))
    caption = (f"Each dot is a scenario's mean change against '{ref.label}', in days and as a share of its mean, with "
               "its 95% interval as a bar: left of the zero line is faster, and a bar that does not cross zero is "
               "unlikely to be noise. Scenarios are ranked by their saving in time to delivery, single reforms "
               "before packages; each panel spans at least 5% of the reference's mean either side of zero, so "
               "small changes look small." + note)
    return "figures/change_vs_reference.png", "Change in lead time against the reference, ranked", caption
