"""The staffing surface as a figure (``sim.analysis.surface``): one panel per reform, effort share by load."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from sim.output.plotting import new_figure
from sim.output.report_figures import ReportFigure, _save


def surface_figure(surface: pd.DataFrame, out: Path) -> ReportFigure:
    """Each reform's paired change in days at each (load, effort share), its half-width under it, the default
    point outlined; every panel on one colour scale (blue: sooner)."""
    reforms = list(dict.fromkeys(surface["reform"]))
    fig, axes = new_figure(ncols=len(reforms), figsize=(max(6.0, 4.6 * len(reforms)), 4.4), squeeze=False)
    lim = float(np.nanmax(np.abs(surface["change_days"].to_numpy(dtype=float)))) or 1.0
    image = None
    for ax, reform in zip(axes[0], reforms):
        d = surface[surface["reform"] == reform]
        xs, ys = sorted(d["load"].unique()), sorted(d["effort_share"].unique())
        grid = np.full((len(ys), len(xs)), np.nan)
        for row in d.itertuples():
            i, j = ys.index(row.effort_share), xs.index(row.load)
            grid[i, j] = row.change_days
            half = "" if pd.isna(row.half_width) else f"\n±{row.half_width:.1f}"
            dark = abs(row.change_days) > 0.6 * lim  # white on the deep colours, black on the pale ones
            ax.text(j, i, f"{row.change_days:+.1f}{half}", ha="center", va="center", fontsize=8,
                    color="white" if dark else "black")
            if pd.isna(row.half_width) or abs(row.change_days) <= row.half_width:  # not told apart from no change
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="0.5",
                                       linewidth=0))
            if row.default_point:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="k", linewidth=2))
        image = ax.imshow(grid, cmap="RdBu_r", vmin=-lim, vmax=lim, origin="lower", aspect="auto")
        ax.set_xticks(range(len(xs)), [f"{x:g}" for x in xs], fontsize=8)
        ax.set_yticks(range(len(ys)), [f"{y:g}" for y in ys], fontsize=8)
        ax.set_xlabel("per-person load the offices are staffed for", fontsize=8)
        ax.set_ylabel("effort share (hands-on share of elapsed time)", fontsize=8)
        ax.set_title(reform, fontsize=10)
    if image is not None:
        fig.colorbar(image, ax=axes[0][-1], label="change, LOR to delivery (days)")
    metric = str(surface["metric"].iloc[0]).replace("_", " ").replace("lor", "LOR")
    reference = ", ".join(sorted(set(surface["reference"]))) or "the reference"
    fig.suptitle(f"Change in {metric} (days) against {reference} at the same point\n(same seeds; outlined: the "
                 "default point)", fontsize=10)
    path = _save(fig, out, "staffing_surface.png")
    return ReportFigure(path, "What added staff saves depends on two assumptions",
                        "Each cell is a reform's paired change in days, from LOR to delivery, against the reference "
                        "run with the same effort share and load and the same seeds (± its 95% half-width); a "
                        "hatched cell's interval includes no change. The outlined cell is the default effort share "
                        "and load (0.10 and 0.75, both [ESTIMATE]), with every office re-sized to that load and "
                        "rounded up to whole people, so it is close to the default run, not the same run. Read the "
                        "spread across cells as how far the answer rests on those two numbers; surface.csv holds "
                        "the table, with each job's censored share (a high one: the change is of the early cases).")
