"""The opening of a report: the answer per measure, the ranked changes, and who gains and who loses.

The answer comes from ``sim.output.ranking`` (the same ranking the console prints); "who gains and who loses" from
the paired changes by group of cases in ``kpi_comparison.csv`` (partner, partner group, LOA group, platform,
queue priority; ``sim.analysis.group_tally``), also written as the tidy ``by_group.csv``.  Only places numbers.
"""
from __future__ import annotations

import html
import math
from typing import Optional, Sequence

import pandas as pd

from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.metrics import TITLES as METRIC_TITLES
from sim.analysis.reference import Reference
from sim.output.formatting import number
from sim.output.ranking import KIND_TITLES, distinct, places

GROUP_DIMENSIONS = {"partner_group": "partner group (NATO+5 or other)", "priority": "queue priority",
                    "loa_group": "LOA group (A, B, C: partner-funded, by complexity; D: BPC)",
                    "platform": "major platform bought",
                    "partner": "partner"}
GROUP_COLUMNS = ["job", "label", "dimension", "group", "metric", "mean", "reference_mean", "diff_mean", "diff_ci_low",
                 "diff_ci_high", "n_reps"]
SHOWN = 6  # scenarios in the group table (the top of the ranking); every one is in by_group.csv


def _cell(x: float, lo: float, hi: float, marked: bool) -> str:
    if math.isnan(x):
        return "–"
    d = places(x, lo, hi)
    span = "" if math.isnan(lo) or math.isnan(hi) else f" [{number(lo, d, True)}, {number(hi, d, True)}]"
    text = f"{number(x, d, True)}{span}"
    return f"<b>{text}</b>" if marked else text


def answer_section(answers: Sequence[str], ref: Reference, replications: Optional[str]) -> str:
    """The answer: one sentence per lead time, what it is measured against, and how."""
    if ref.job is None or not answers:
        return ("<h2>Answer</h2><p class='warn'>No paired changes: the sweep has no reference scenario "
                f"('{html.escape(ref.label)}' not found); the means of each job are below.</p>")
    reps = f"{replications} per scenario, " if replications else ""
    return ("<h2>Answer</h2><ul class='answer'>" + "".join(f"<li>{html.escape(a)}</li>" for a in answers)
            + f"</ul><p class='small'>Each change is a scenario's mean minus that of <b>{html.escape(ref.label)}</b> "
            f"(job {ref.job}), paired replication by replication (common random numbers; {reps}95% intervals). "
            "A change whose interval excludes zero is unlikely to be noise; a narrow interval is not knowledge "
            "of the real process: it holds under the model's assumptions.</p>")


def ranked_table(ranked: pd.DataFrame, ref: Reference) -> str:
    """The compact ranked table: per scenario the change in each lead time [95% interval] and as a share of the
    reference's mean; single reforms, then packages, then other scenarios."""
    if ranked.empty:
        return ""
    metrics = [m for m in LEAD_TIMES if m in ranked.columns]
    head = ("<tr><th>#</th><th>scenario</th>" + "".join(f"<th>{METRIC_TITLES[m]}: change, days [95% CI] (% of "
                                                         f"'{html.escape(ref.label)}')</th>" for m in metrics)
            + "</tr>")
    rows = []
    for kind, group in ranked.groupby("kind", sort=False):
        rows.append(f"<tr><th colspan='{len(metrics) + 2}'>{KIND_TITLES.get(str(kind), str(kind))}</th></tr>")
        for i, r in enumerate(group.to_dict("records"), 1):
            cells = "".join(
                f"<td class='num'>{_cell(r[m], r[m + '_low'], r[m + '_high'], distinct(r, m))} "
                f"({number(r[m + '_pct'], 1, True)}%)</td>" for m in metrics)
            rows.append(f"<tr><td class='num'>{i}</td><td>{html.escape(str(r['label']))}</td>{cells}</tr>")
    return ("<h2>Ranked changes</h2><p class='small'>Ranked by the change in "
            f"{METRIC_TITLES[str(ranked['rank_by'].iloc[0])]} (largest saving first); bold: the 95% interval "
            "excludes zero. The same table is ranking.csv; every measure is in kpi_comparison.csv.</p>"
            f"<table>{head}{''.join(rows)}</table>")


def group_changes(kpi_table: Optional[pd.DataFrame]) -> pd.DataFrame:
    """Tidy changes by group of cases (``by_group.csv``): one row per job, group and lead time."""
    if kpi_table is None or "group" not in kpi_table.columns:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    t = kpi_table[kpi_table["group"].notna() & kpi_table["metric"].isin([f"group.{m}" for m in LEAD_TIMES])]
    if t.empty:
        return pd.DataFrame(columns=GROUP_COLUMNS)
    parts = t["group"].astype(str).str.split("=", n=1, expand=True)
    return pd.DataFrame({"job": t["job"], "label": t["label"], "dimension": parts[0], "group": parts[1],
                         "metric": t["metric"].str.removeprefix("group."), "mean": t["mean"],
                         "reference_mean": t["mean"] - t["diff_mean"], "diff_mean": t["diff_mean"],
                         "diff_ci_low": t["diff_ci_low"], "diff_ci_high": t["diff_ci_high"],
                         "n_reps": t["n_reps"]}).reset_index(drop=True)


def _change(r: object) -> str:
    lo, hi = float(getattr(r, "diff_ci_low")), float(getattr(r, "diff_ci_high"))
    return _cell(float(getattr(r, "diff_mean")), lo, hi, not (math.isnan(lo) or math.isnan(hi)) and (hi < 0 or lo > 0))


SHOWN_AS = {"nato5": "NATO+5", "other": "other partners", "none": "no major platform", "urgent": "urgent",
            "normal": "normal"}


def _dimension_table(g: pd.DataFrame, jobs: Sequence[int], labels: dict[int, str], ref: Reference) -> str:
    head = ("<tr><th>group</th><th>mean under the reference (days)</th>"
            + "".join(f"<th>{html.escape(labels[j])}</th>" for j in jobs) + "</tr>")
    rows = []
    for group, rows_g in g.groupby("group", sort=True):
        by_job = {int(r.job): r for r in rows_g.itertuples(index=False)}
        ref_row = next(iter(by_job.values()))
        cells = "".join("<td class='num'>–</td>" if j not in by_job else f"<td class='num'>{_change(by_job[j])}</td>"
                        for j in jobs)
        name = html.escape(SHOWN_AS.get(str(group), str(group)).replace("_", " "))
        rows.append(f"<tr><td>{name}</td><td class='num'>{number(ref_row.reference_mean)}</td>{cells}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def group_section(groups: pd.DataFrame, ranked: pd.DataFrame, ref: Reference, metric: str = "lor_to_delivery") -> str:
    """Who gains and who loses: per dimension, each group's paired change in ``metric`` under the top-ranked
    scenarios (bold where the interval excludes zero); partners in a folded table."""
    if groups.empty or ranked.empty or ref.job is None:
        return ""
    jobs = [int(j) for j in ranked["job"]][:SHOWN]
    labels = {int(r.job): str(r.label) for r in ranked.itertuples(index=False)}
    mine = groups[(groups["metric"] == metric) & groups["job"].isin(jobs)]
    if mine.empty:
        return ""
    parts = [f"<h2>Who gains and who loses</h2><p class='small'>Change in {METRIC_TITLES[metric]} (days, 95% "
             f"interval, paired by replication) by group of cohort cases, against '{html.escape(ref.label)}'; bold: "
             "the interval excludes zero. A reform that puts some cases first moves others back: compare the "
             "groups. Small groups (a platform, a partner) have few cases and wide intervals; a change without an "
             "interval rests on one replication, and – means no case of the group reached the milestone. "
             + (f"The top {SHOWN} scenarios of the ranking are shown; " if len(ranked) > SHOWN else "")
             + "by_group.csv has every scenario, group and lead time.</p>"]
    for dim, title in GROUP_DIMENSIONS.items():
        g = mine[mine["dimension"] == dim]
        if g.empty:
            continue
        table = _dimension_table(g, [j for j in jobs if j in set(g["job"])], labels, ref)
        if dim == "partner":
            parts.append(f"<details><summary>By {title} ({g['group'].nunique()} partners)</summary>{table}</details>")
        else:
            parts.append(f"<h3>By {title}</h3>{table}")
    return "".join(parts)
