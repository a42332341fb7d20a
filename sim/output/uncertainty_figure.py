"""An uncertainty study's answer as one figure (``sim.analysis.uncertainty``): each reform's change at its likely
inputs with its interval, beside the spread of the change over the plausible ranges of its inputs."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.output.plotting import new_figure
from sim.output.report_figures import ReportFigure, _save

PANELS = ("lor_to_offer", "lor_to_contract", "lor_to_delivery")


def _n(x: float, sign: bool = True) -> str:
    """Days for a label: tenths under ten, whole above."""
    digits = 1 if abs(x) < 10 else 0
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def _title(metric: str) -> str:
    return metric.replace("_", " ").replace("lor", "LOR")


def uncertainty_figure(levers: pd.DataFrame, out: Path) -> ReportFigure:
    """One panel per lead time, one row per reform (largest saving to delivery first): a thick bar for the 95%
    interval at likely, a thin line from the 5th to the 95th percentile over the design points, a dot at the
    median; value labels give both."""
    metrics = [m for m in PANELS if m in set(levers["metric"])]
    key = "lor_to_delivery" if "lor_to_delivery" in metrics else metrics[-1]
    order = (levers[levers["metric"] == key].sort_values("lever_p50", ascending=False)["reform"].tolist())
    fig, axes = new_figure(ncols=len(metrics), figsize=(4.8 * len(metrics), 1.2 + 0.55 * len(order)),
                           squeeze=False, sharey=True)
    y = np.arange(len(order))
    for ax, metric in zip(axes[0], metrics):
        d = levers[levers["metric"] == metric].set_index("reform").reindex(order)
        lo, hi = d["lever_p05"].to_numpy(float), d["lever_p95"].to_numpy(float)
        ax.hlines(y, lo, hi, color="0.35", linewidth=1.2, label="5th to 95th percentile over the ranges")
        ax.plot(d["lever_p50"].to_numpy(float), y, "o", color="0.2", markersize=4, label="median over the ranges")
        likely, half = d["likely_change"].to_numpy(float), d["likely_half_width"].to_numpy(float)
        ax.barh(y, 2 * half, left=likely - half, height=0.35, color="tab:blue", alpha=0.6,
                label="95% interval at likely")
        ax.axvline(0, color="k", linewidth=0.8)
        for i, (a, b, m, h) in enumerate(zip(lo, hi, likely, half)):
            text = f"{_n(m)} ±{_n(h, False)}" if np.isfinite(m) else "no likely run"
            ax.annotate(f"{text}   p05-p95 [{_n(a)}, {_n(b)}]", (np.nanmax([a, b, m + h]), i), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize=7)
        ax.plot(likely, y, "|", color="tab:blue", markersize=12, label="change at likely")
        ax.set_title(f"{_title(metric)} (days)", fontsize=10)
        ax.set_yticks(y, order, fontsize=8)
        ax.invert_yaxis()
        ax.margins(x=0.35)
    axes[0][0].legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    n = int(levers["points"].max())
    design = int(levers["design_points"].max()) if levers["design_points"].notna().any() else n
    partial = "" if n >= design else f" (only {n} of the {design} design points ran)"
    fig.suptitle(f"Change against the reference (days; negative: sooner): at likely, and over {n} design points of "
                 f"the lever and staffing ranges{partial}", fontsize=10)
    path = _save(fig, out, "uncertainty.png")
    return ReportFigure(path, "How far each reform's effect rests on its assumptions",
                        "Blue bar: the paired change with every input at its likely value and its 95% interval "
                        "(Monte Carlo noise only), its mean marked. Dark line: the 5th to 95th percentile of the "
                        "paired change over "
                        f"{n} Latin-hypercube points of the inputs' plausible ranges (the reforms' lever ranges and "
                        "the offices' effort share and load), each point against the reference run at the same "
                        "point with the same seeds; dot: the median. With few points the 5th and 95th percentiles "
                        "rest on the most extreme points: uncertainty.csv gives each with its own Monte Carlo noise "
                        "(*_mc), and uncertainty_drivers.csv the inputs that drive the spread. A dark line much "
                        "wider than the blue bar is an answer that rests on estimates, not on the simulation; "
                        "where the blue bar is as wide (few replications), the spread cannot be told from the "
                        "simulation's noise.")
