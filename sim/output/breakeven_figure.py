"""Break-even sizes as a figure (``sim.analysis.breakeven``): each reform's paired change over its strengths, the
target line, and where (if anywhere) it is reached."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.output.plotting import new_figure
from sim.output.report_figures import ReportFigure, _save


def breakeven_figure(table: pd.DataFrame, out: Path) -> ReportFigure:
    """One panel per reform: the change (days) at each strength with its 95% interval, the target, and the
    break-even strength with its interval shaded (or the words "not reachable within the range")."""
    n = len(table)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = new_figure(nrows=rows, ncols=cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False, sharey=True)
    target = float(table["target_days"].iloc[0])
    for ax, row in zip(axes.flat, table.itertuples()):
        x = np.array([float(v) for v in row.grid.split()])
        y = np.array([float(v) for v in row.changes.split()])
        h = np.array([float(v) for v in row.half_widths.split()])
        ax.errorbar(x, y, yerr=np.nan_to_num(h), fmt="o-", color="tab:blue", markersize=3, capsize=2)
        ax.axhline(-target, color="tab:red", linestyle="--", linewidth=1, label=f"target: -{target:g} days")
        ax.axhline(0, color="k", linewidth=0.6)
        if row.status == "reached":
            lo = row.strength if pd.isna(row.strength_low) else row.strength_low
            hi = x.max() if pd.isna(row.strength_high) else row.strength_high  # None or NaN: beyond the range
            ax.axvspan(lo, hi, color="tab:red", alpha=0.12)
            ax.axvline(row.strength, color="tab:red", linewidth=1)
            staff = "" if row.added_staff != row.added_staff or row.added_staff is None else \
                f" (+{int(row.added_staff)} people)"
            note = f"break-even at {row.strength:.2f}{staff}"
        elif row.status == "only at the interval's edge":  # the optimistic edge reaches it, the change does not
            ax.axvline(row.strength_low, color="tab:red", linestyle=":", linewidth=1)
            note = f"only the optimistic edge, from {row.strength_low:.2f}"
        else:
            note = str(row.status)
        context = f" [{row.context}]" if getattr(row, "context", "") else ""
        ax.set_title(f"{row.reform}{context}\n{note}", fontsize=9)
        ax.set_xlabel("strength (share of the way to the range's high end)", fontsize=8)
    axes[0][0].legend(fontsize=7, loc="lower left")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    axes[0][0].set_ylabel(f"change, {str(table['metric'].iloc[0]).replace('_', ' ')} (days)", fontsize=8)
    path = _save(fig, out, "breakeven.png")
    return ReportFigure(path, f"How far each reform must go to save {target:g} days",
                        "Each panel: a reform's paired change against the reference at each strength (the same "
                        "seeds at every strength; bars: 95% intervals; strength 0 is the reference itself, exactly "
                        "no change by construction, not a run), the target as a "
                        "dashed line, and where a monotone fit of the change first reaches it (solid line), with the "
                        "strengths where its optimistic and pessimistic edges reach it shaded. 'Not reachable within "
                        "the range' is decided from the interval: not even the optimistic edge reaches the target "
                        "at the high end of the reform's lever ranges. breakeven.csv gives the levers and, for "
                        "added staff, the people at the break-even strength.")
