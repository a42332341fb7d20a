"""Figures of a multirun report, drawn from the comparison table and the jobs' summaries.

Each function draws one figure into ``out`` and returns a :class:`ReportFigure` (path relative to the
multirun directory, title, and a one-sentence caption saying how to read it), or ``None`` when
there is nothing to draw.  Every axis is labelled with its unit; ``sim.output.report_html`` embeds the
images in report.html.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.comparison import Reference, scenario_order
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.metrics import TITLES as METRIC_TITLES
from sim.analysis.summary_schema import Summary
from sim.output import plotting
from sim.output.change_figure import change_figure

MAX_SCENARIOS = 8     # stage bars: more bars than this per stage are unreadable
MAX_DISTRIBUTIONS = 5  # lead-time distributions: the reference and the 4 that differ most (more lines overlap)
REFERENCE_COLOUR = "black"
PALETTE = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink",
           "tab:olive", "tab:cyan", "tab:gray"]


@dataclass(frozen=True)
class ReportFigure:
    """A drawn figure: ``path`` relative to the multirun directory."""

    path: str
    title: str
    caption: str


def _save(fig: Figure, out: Path, name: str, bottom: float = 0.0) -> str:
    """Lay out (leaving ``bottom`` of the height for a figure legend) and write the PNG."""
    plotting.save(fig, out / name, bottom)
    return f"figures/{name}"


def _colours(jobs: Sequence[int], reference_job: Optional[int]) -> dict[int, str]:
    """One colour per job, black for the reference, the same in every figure."""
    others = [j for j in jobs if j != reference_job]
    out = {j: PALETTE[i % len(PALETTE)] for i, j in enumerate(others)}
    if reference_job is not None:
        out[reference_job] = REFERENCE_COLOUR
    return out


def change(ranked: Optional[pd.DataFrame], ref: Reference, out: Path) -> Optional[ReportFigure]:
    """The ranked change figure (``sim.output.change_figure``)."""
    drawn = change_figure(ranked, ref, out) if ranked is not None else None
    return ReportFigure(*drawn) if drawn else None


def _upper_day(summaries: Mapping[int, Summary], jobs: Sequence[int], metric: str, q: float = 0.99) -> float:
    """A day by which every shown scenario has ``q`` of its cases (cuts the long tails)."""
    top = 0.0
    for j in jobs:
        h = summaries[j]["lead_times"][metric]["histogram"]
        counts = np.asarray(h["counts"], dtype=float)
        if counts.sum() > 0:
            i = int(np.searchsorted(np.cumsum(counts) / counts.sum(), q))
            top = max(top, float(h["edges"][min(i + 1, len(h["edges"]) - 1)]))
    return top


def distributions(summaries: Mapping[int, Summary], order: Sequence[int], labels: Mapping[int, str],
                  ref: Reference, out: Path, total: int) -> Optional[ReportFigure]:
    """Overlaid lead-time distributions (share of cases per bin), one panel per lead time."""
    jobs = [j for j in order if j in summaries][:MAX_DISTRIBUTIONS]
    if not jobs:
        return None
    colours = _colours(jobs, ref.job)
    fig, axes = plotting.new_figure(ncols=len(LEAD_TIMES), figsize=(4.4 * len(LEAD_TIMES), 4.2), squeeze=False)
    for ax, metric in zip(axes[0], LEAD_TIMES):
        for j in jobs:
            lt = summaries[j]["lead_times"].get(metric)
            if not lt or not lt["histogram"]["counts"]:
                continue
            h = lt["histogram"]
            counts = np.asarray(h["counts"], dtype=float)
            ax.stairs(counts / counts.sum(), np.asarray(h["edges"]), color=colours[j],
                      linewidth=2.0 if j == ref.job else 1.3, label=plotting.wrap_label(labels[j], 40))
        top = _upper_day(summaries, jobs, metric)
        if top > 0:
            ax.set_xlim(0, top)
        bin_days = summaries[jobs[0]]["lead_times"][metric]["histogram"]["bin_days"]
        ax.set_title(METRIC_TITLES[metric], fontsize=10)
        ax.set_xlabel("days since LOR received")
        ax.set_ylabel(f"share of cohort cases per {bin_days:.0f}-day bin")
        ax.grid(alpha=0.3)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(4, max(1, len(names))), fontsize=8, frameon=False)
    lines = sum(max(1, n.count("\n") + 1) for n in names[::4]) if names else 0
    fig.suptitle("Lead-time distributions by scenario (replications pooled; 99% of cases shown)", fontsize=11)
    path = _save(fig, out, "lead_time_distributions.png", bottom=min(0.4, (0.2 + 0.17 * lines) / fig.get_figheight()))
    more = (f" Only the {len(jobs)} scenarios that differ most from the reference (of {total}) are drawn."
            if total > len(jobs) else "")
    ref_txt = f" The thick black line is the reference '{ref.label}'." if ref.job in jobs else ""
    return ReportFigure(path, "How lead times are spread",
                  "Each line shows how a scenario's lead times are spread (share of cohort cases in each bin): "
                  "a line shifted right means slower cases, and a longer right tail means more very late cases."
                  + ref_txt + more)


# the three panels of "where the time goes": (title, x label, how a stage's mean per case is read from a summary)
_PANELS = (
    ("worked on, or waiting on others", "days per cohort case: hands-on work, partner or statutory delays,\n"
     "other offices' inputs (a slot pool: the whole time held)",
     lambda st: (st["work_per_case"]["mean"] or 0.0) - ((st.get("slowdown_per_case") or {}).get("mean") or 0.0)),
    ("slowed by shared attention", "days per cohort case: a person's effort shared with their other cases\n"
     "(portfolio offices only)", lambda st: (st.get("slowdown_per_case") or {}).get("mean") or 0.0),
    ("waiting to start", "days per cohort case in a slot queue, an office's backlog\nor a production line's queue",
     lambda st: st["wait_per_case"]["mean"] or 0.0),
)
_APART = ("closure",)  # years long, after delivery: its values go in the caption, not on the days axis


def where_time_goes(summaries: Mapping[int, Summary], order: Sequence[int], labels: Mapping[int, str],
                    ref: Reference, out: Path) -> Optional[ReportFigure]:
    """Per stage and scenario: time worked on or waiting on others, slowdown from shared attention, and time
    waiting to start; closure (years, after delivery) is left out of the axes and given in the caption."""
    jobs = [j for j in order if j in summaries and summaries[j].get("stages")]
    if not jobs:
        return None
    stages: dict[str, str] = {}
    for j in jobs:
        for st in summaries[j]["stages"]:
            stages.setdefault(st["stage"], st.get("pool") or "")
    value = {(j, st["stage"], k): max(0.0, read(st)) for j in jobs for st in summaries[j]["stages"]
             for k, (_, _, read) in enumerate(_PANELS)}
    names = [s for s in stages if s not in _APART
             and any(value.get((j, s, k), 0.0) > 0 for j in jobs for k in range(len(_PANELS)))]
    if not names:
        return None
    colours = _colours(jobs, ref.job)
    colours = {j: ("0.3" if c == REFERENCE_COLOUR else c) for j, c in colours.items()}
    n = len(jobs)
    height = 0.8 / n
    fig, axes = plotting.new_figure(ncols=3, figsize=(15, min(18.0, max(4.0, len(names) * (0.16 * n + 0.2) + 2.2))),
                                    sharey=True, sharex=True)  # one scale: an office's days and a line's alike
    for k, (ax, (title, xlabel, _)) in enumerate(zip(axes, _PANELS)):
        for i, j in enumerate(jobs):
            ys = [len(names) - 1 - q + 0.4 - height * (i + 0.5) for q in range(len(names))]
            ax.barh(ys, [value.get((j, s, k), 0.0) for s in names], height=height * 0.95, color=colours[j],
                    label=plotting.wrap_label(labels[j], 40))
        ax.set_xlabel(f"{xlabel}\n(mean; visits summed; a skipped stage counts as 0)", fontsize=8)
        ax.set_title(title, fontsize=10, pad=8)
        ax.grid(axis="x", alpha=0.3)
    ticks = [s.replace("_", " ") + (f"\n[{stages[s]}]" if stages[s] else "") for s in names]
    axes[0].set_yticks([len(names) - 1 - q for q in range(len(names))], ticks, fontsize=8)
    axes[0].set_ylabel("stage of the case flow (staff pool)")
    handles, labs = axes[0].get_legend_handles_labels()
    fig.legend(handles, labs, loc="lower center", ncol=min(4, n), fontsize=8, frameon=False)
    lines = sum(max(1, x.count("\n") + 1) for x in labs[::4])
    fig.suptitle("Where the time goes, per stage and scenario (one days scale in all three panels)", fontsize=11,
                 y=1.0, va="bottom")
    path = _save(fig, out, "where_time_goes.png", bottom=min(0.3, (0.2 + 0.17 * lines) / fig.get_figheight()))
    closure = [f"{plotting.wrap_label(labels[j], 40)} {(st['work_per_case']['mean'] or 0.0) / 365.25:.1f}"
               for j in jobs for st in summaries[j]["stages"] if st["stage"] in _APART]
    apart = (" Closure, after delivery and outside the lead times, is left off the axes (years, not days): "
             + "; ".join(closure) + " years per case.") if closure else ""
    return ReportFigure(path, "Where the time goes",
                  "For each stage, one bar per scenario gives the mean days a case spends worked on or waiting on "
                  "others (left), slowed because its person shares their attention with other cases (middle: "
                  "portfolio offices), and waiting to start in a queue or backlog (right); a scenario that helps "
                  "shows shorter bars at the stage it targets. The three panels share one scale, so an office's and a "
                  "production line's days compare directly." + apart)


def prcc_chart(pr: Optional[pd.DataFrame], out: Path) -> Optional[ReportFigure]:
    """Tornado chart of the partial rank correlation of each lead time with each factor."""
    if pr is None or pr.empty:
        return None
    metrics = [m for m in LEAD_TIMES if m in set(pr["metric"].tolist())]
    factors = list(dict.fromkeys(pr["factor"].tolist()))
    fig, axes = plotting.new_figure(ncols=len(metrics), figsize=(4.2 * len(metrics) + 2.5, 0.45 * len(factors) + 2.0),
                             squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        m = pr[pr["metric"] == metric]
        m = m.assign(a=m["prcc"].abs().fillna(0.0)).sort_values("a", kind="stable")  # largest at the top
        vals = m["prcc"].fillna(0.0).to_numpy()
        ax.barh(range(len(m)), vals, color=["tab:red" if v > 0 else "tab:blue" for v in vals])
        for k, (r, p) in enumerate(zip(m["prcc"].to_numpy(), m["p_value"].to_numpy())):
            # the p-value on the other side of the zero line, clear of the bar and the tick labels
            text = "n/a" if math.isnan(r) else ("p<0.001" if p < 0.001 else f"p={p:.2g}") if not math.isnan(p) else ""
            right = math.isnan(r) or r < 0
            ax.text(0.04 if right else -0.04, k, text, va="center", fontsize=7, ha="left" if right else "right")
        ax.set_yticks(range(len(m)), [plotting.wrap_label(f, 30) for f in m["factor"]], fontsize=8)
        ax.axvline(0, color="k", linewidth=1)
        ax.set_xlim(-1.25, 1.25)
        ax.set_title(f"{METRIC_TITLES[metric]} ({int(m['n_points'].iloc[0])} points)", fontsize=10)
        ax.set_xlabel("partial rank correlation (-1 to +1)\nred: longer lead time as the factor rises", fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("Which factors move the lead times (sensitivity study)", fontsize=11)
    path = _save(fig, out, "sensitivity_prcc.png")
    return ReportFigure(path, "Which factors matter",
                  "Each bar is a factor's partial rank correlation with a lead time, longest bars at the top: "
                  "red bars lengthen the lead time as the factor rises, blue bars shorten it, and a bar near "
                  "zero (or with p above 0.05) means the factor hardly matters over the range studied.")


def trajectory_figures(yearly: Optional[pd.DataFrame], jobs: Sequence[int], labels: Mapping[int, str],
                       ref: Reference, effective: Mapping[int, float], out: Path) -> list[ReportFigure]:
    """Year by year, each scenario and the reference with 95% bands, then each scenario's paired change
    (``sim.output.trajectory``)."""
    if yearly is None or yearly.empty:
        return []
    from sim.output import trajectory

    dates = sorted({f"FY{int(fy)}" for fy in effective.values()})
    when = f" Dashed lines: the date the reforms take effect ({', '.join(dates)})." if dates else ""
    colours = _colours(jobs, ref.job)
    figs = []
    if trajectory.draw(yearly, jobs, labels, ref.job, colours, effective, out / "trajectory.png") is not None:
        figs.append(ReportFigure(
            "figures/trajectory.png", "Year by year",
            "Each panel follows one measure through the fiscal years after the warm-up: a line per scenario (the "
            "reference in black, drawn on top) with its 95% band across replications (clipped at 0). Open cases "
            "include delivered cases awaiting closure; cases not yet delivered are the backlog a reform can shorten. "
            "Lead times by LOR year are censored in the last years (yearly.csv gives the share of cases that got "
            f"there); by delivery year they include only the cases fast enough to be delivered in the run.{when}"))
    if ref.job is not None and trajectory.draw(yearly, jobs, labels, ref.job, colours, effective,
                                               out / "trajectory_change.png", change=True) is not None:
        figs.append(ReportFigure(
            "figures/trajectory_change.png", "Year by year: the change against the reference",
            f"Each scenario minus '{ref.label}', paired replication by replication, with its 95% interval: a band "
            "that leaves the zero line is a change unlikely to be noise, however wide the bands of the levels "
            f"above.{when} At most {trajectory.MAX_LINES - 1} scenarios are drawn, those that change LOR to "
            "delivery most; the numbers of every scenario are in yearly.csv."))
    return figs


def make_report_figures(table: pd.DataFrame, summaries: Mapping[int, Summary], labels: Mapping[int, str],
                        ref: Reference, pr: Optional[pd.DataFrame], out: Path, yearly: Optional[pd.DataFrame] = None,
                        effective: Optional[Mapping[int, float]] = None,
                        ranked: Optional[pd.DataFrame] = None) -> list[ReportFigure]:
    """Every report figure that has something to show, in reading order: a dated study (``effective``: per dated
    job, the fiscal year its reforms take effect) opens with the year-by-year trajectory, other studies show it
    last."""
    out = Path(out)
    order = scenario_order(table, ref.job)
    shown = order[:MAX_SCENARIOS]
    years = trajectory_figures(yearly, sorted(summaries), labels, ref, effective or {}, out)
    figs = [
        *(years if effective else []),
        change(ranked, ref, out),
        distributions(summaries, shown, labels, ref, out, total=len(order)),
        where_time_goes(summaries, shown, labels, ref, out),
        prcc_chart(pr, out),
        *(years if not effective else []),
    ]
    return [f for f in figs if f is not None]
