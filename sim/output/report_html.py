"""The HTML page of a multirun report (report.html), built from the comparison table.

The page is self-contained: images embedded as data URIs, inline CSS, no script and no
external resource.  ``render_html`` builds the whole page; ``settings_rows`` (run control,
warm-up check, unstable queues), the results, sensitivity and jobs tables and the image embedding
are its parts (numbers are formatted by ``sim.output.formatting``).  ``CENSORED_WARN`` is the censored share above which
a mean is flagged, and ``CSS`` the page's style sheet.
"""
from __future__ import annotations

import base64
import html
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from sim.analysis.comparison import Reference, complete_jobs, scenario_labels
from sim.output.formatting import number
from sim.output.ranking import replications_text
from sim.output.report_answer import answer_section, group_section, ranked_table
from sim.output.report_sections import (
    CENSORED_WARN,
    jobs_table,
    precision_section,
    results_table,
    year_changes,
)
from sim.output.report_sections import (
    prcc_table as prcc_html,
)


def _setting(values: list[Any], unit: str = "") -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return "–"
    uniq = list(dict.fromkeys(vals))
    show = lambda v: f"{v:g}{unit}" if isinstance(v, float) else f"{v}{unit}"  # noqa: E731
    if len(uniq) == 1:
        return html.escape(show(uniq[0]))
    more = f", … ({len(uniq)} values)" if len(uniq) > 6 else ""
    return "varies: " + html.escape(", ".join(show(v) for v in uniq[:6]) + more)


def settings_rows(jobs: Sequence[Mapping], labels: Mapping[int, str]) -> list[tuple[str, str]]:
    """(setting, value) pairs for the report: run control, warm-up check, unstable pools."""
    ok = complete_jobs(jobs)
    run = [j["summary"].get("run") or {} for j in ok]
    rows = [
        ("replications per scenario", _setting([j["summary"].get("replications") for j in ok])),
        ("horizon (LORs arrive from day 0 until then)", _setting([r.get("horizon_years") for r in run], " years")),
        ("warm-up (LORs before it are not measured)", _setting([r.get("warmup_years") for r in run], " years")),
        ("drain (run continues after the horizon for up to)", _setting([r.get("drain_years") for r in run], " years")),
        ("seed (common random numbers when equal)", _setting([j["summary"].get("seed") for j in ok])),
    ]
    settle = {r.get("settle_years") for r in run} - {None}
    if settle:  # run.settle_years: enacted, from the cached state without it, not always in effect
        rows.append(("settling (run.settle_years)", f"{_setting(sorted(settle), ' years')}: each reform was enacted "
                     "that long before the warm-up ended, its run starting from the cached state of its scenario "
                     "without it (the reference from the warm-up's end, the same run as warming up). Lead times then "
                     "match the reform always in effect within a few days; open cases at the horizon do not yet "
                     "(closures take longer than the settling): benchmarks/SETTLE_CHECK.md"))
    checks = [(j, j["summary"]["warmup_check"]) for j in ok if isinstance(j["summary"].get("warmup_check"), dict)]
    started = [(j, c) for j, c in checks if j["summary"].get("start") and not j["summary"]["run"].get("warmup_years")]
    if started:  # a run from a state reports its transient on purpose: the year by year is the answer
        cuts = [c.get("truncation_day") for _, c in started if c.get("truncation_day") is not None]
        rows.append(("warm-up", f"none in the {len(started)} job(s) started from a state, by design: the state is the "
                     "warm system and the first years are the transient the year by year shows"
                     + (f" (MSER-5 would cut up to day {number(max(cuts))} of a steady-state measure)" if cuts
                        else "")))
        checks = [(j, c) for j, c in checks if not any(j is k for k, _ in started)]
    unjudged = [(j, c) for j, c in checks if c.get("adequate") is None]
    if unjudged:
        rows.append(("warm-up check not made", "<span class='warn'>" + "; ".join(
            f"{html.escape(labels[j['job']])}: {html.escape(str(c.get('note')))}" for j, c in unjudged) + "</span>"))
    checks = [(j, c) for j, c in checks if c.get("adequate") is not None]
    if checks:
        method = html.escape(str(checks[0][1].get("method", "warm-up check")))
        bad = [(j, c) for j, c in checks if c.get("adequate") is False]
        if not bad:
            text = f"{method}: warm-up adequate in all {len(checks)} checked job(s)"
        else:
            items = "; ".join(f"{html.escape(labels[j['job']])} (truncation day {number(c.get('truncation_day'))}, "
                              f"warm-up day {number(c.get('warmup_day'))})" for j, c in bad)
            text = (f"<span class='warn'>{method}: warm-up too short in {len(bad)} of {len(checks)} job(s): "
                    f"{items}</span>")
        rows.append(("warm-up check", text))
    flagged = [(j, j["summary"].get("unstable")) for j in ok if "unstable" in j["summary"]]
    if flagged:
        bad = [(j, u) for j, u in flagged if u]
        text = ("none: every queue settles" if not bad else "<span class='warn'>" + "; ".join(
            f"{html.escape(labels[j['job']])}: {html.escape(', '.join(map(str, u)))}" for j, u in bad)
            + " (queues that keep growing: their lead times depend on the run length)</span>")
        rows.append(("unstable queues", text))
    return rows


FEW_REPLICATIONS = 3  # below this an interval's spread is not estimated well enough to read
# figures that are not a study's own answer (drawn by sim.output.report_figures; the rest come from the study)
OTHER_FIGURES = ("figures/change_vs_reference", "figures/lead_time_distributions", "figures/where_time_goes",
                 "figures/sensitivity", "figures/prcc", "figures/trajectory")

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
.question{font-size:1.1em;font-style:italic;color:#333}.note{background:#fff7e0;border-left:4px solid #e0a800;
padding:.4em .8em}.warn{color:#a33}table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.ref td{background:#f4f8ff}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
ul.answer li{margin:.3em 0;font-size:1.02em}h3{font-size:1.05em}
figcaption{font-size:.92em;color:#444;margin-top:.3em}code{font-size:.9em}.small{font-size:.85em;color:#555}
"""


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _figure(multirun_dir: Path, fig: Any) -> str:
    src, title = _img(Path(multirun_dir) / fig.path), html.escape(fig.title)
    return (f"<figure><img src='{src}' alt='{title}'><figcaption><b>{title}.</b> "
            f"{html.escape(fig.caption)}</figcaption></figure>")


def render_html(multirun_dir: Path, jobs: Sequence[Mapping], table: pd.DataFrame, ref: Reference,
                figures: Sequence[Any], prcc_table: Optional[pd.DataFrame] = None,
                precision: Optional[Mapping[str, Any]] = None, yearly: Optional[pd.DataFrame] = None,
                effective: Optional[Mapping[int, float]] = None, ranked: Optional[pd.DataFrame] = None,
                answers: Sequence[str] = (), groups: Optional[pd.DataFrame] = None) -> str:
    """The whole report page as one string (figures read from disk and embedded), the answer first: the question,
    one sentence per lead time and the study's own figure or the ranked change figure; then the ranked table, who
    gains and who loses, the full results and the other figures; settings and jobs at the end.  A dated study
    (``effective``: per dated job, the fiscal year its reforms take effect) shows its year by year after the
    answer."""
    ok = complete_jobs(jobs)
    failed = [j for j in jobs if j not in ok]
    labels = scenario_labels(jobs)
    studies = list(dict.fromkeys(str(j["summary"].get("study")) for j in ok if j["summary"].get("study")))
    study = ", ".join(studies) or Path(multirun_dir).name
    if study == "baseline" and len(ok) > 1:  # the default study's name: an ad-hoc comparison, named by its folder
        study = f"comparison of {len(ok)} scenarios ({Path(multirun_dir).name})"
    question = next((j["summary"]["question"] for j in ok if j["summary"].get("question")), None)
    if not question and ref.job is not None:  # an ad-hoc comparison: its question is the comparison itself
        question = f"How does each scenario change the lead times against '{ref.label}'?"
    fewest = min((int(j["summary"].get("replications") or 0) for j in ok), default=0)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>FMS simulation report: {html.escape(study)}</title><style>{CSS}</style></head><body>",
             f"<h1>FMS simulation report: {html.escape(study)}</h1>"]
    if question:
        parts.append(f"<p class='question'>Question: {html.escape(' '.join(str(question).split()))}</p>")
    parts.append(answer_section(answers, ref, replications_text([int(j["summary"].get("replications") or 0)
                                                                 for j in ok])))
    if failed:
        parts.append(f"<p class='warn'>{len(failed)} of {len(jobs)} job(s) failed or never ran (listed at the end): "
                     "the answer is from the others.</p>")
    if ref.note:
        parts.append(f"<p class='note'>Note: {html.escape(ref.note)}.</p>")
    if 0 < fewest < FEW_REPLICATIONS:
        where = ("per scenario" if len({int(j["summary"].get("replications") or 0) for j in ok}) == 1
                 else "in some scenario")
        parts.append(f"<p class='warn'>Only {fewest} replication(s) {where}: a 95% interval from fewer than "
                     f"{FEW_REPLICATIONS} rests on too few differences to be trusted (identical paired differences "
                     "even give a zero-width interval); run more replications before reading a change as known.</p>")
    if ref.job is not None and len(ref.by_seed) > 1:  # a sweep over seeds: one reference job per seed
        per_seed = ", ".join(f"seed {seed}: job {job}" for seed, job in sorted(ref.by_seed.items()))
        parts.append("<p class='note'>Note: the jobs ran with several seeds; each is paired with the reference "
                     f"run with its own seed ({html.escape(per_seed)}), so every change has common random "
                     "numbers.</p>")
    years = [f for f in figures if effective and f.path.endswith(("trajectory.png", "trajectory_change.png"))]
    own = [f for f in figures if f not in years and not f.path.startswith(OTHER_FIGURES)]  # the study's answer
    change = [f for f in figures if f.path.endswith("change_vs_reference.png")]
    parts.extend(_figure(multirun_dir, f) for f in (*own, *change))
    if years and effective:
        dates = sorted({int(fy) for fy in effective.values()})
        when = f"from FY{dates[0]}" if len(dates) == 1 else "reforms dated " + ", ".join(f"FY{d}" for d in dates)
        parts.append(f"<h2>Year by year, {when}</h2>" + "".join(_figure(multirun_dir, f) for f in years))
        if yearly is not None and ref.job is not None:
            parts.append(year_changes(yearly, ref, min(effective.values())))
    if ranked is not None:
        parts.append(ranked_table(ranked, ref))
        if groups is not None:
            parts.append(group_section(groups, ranked, ref))
    parts.append("<h2>All results</h2><p class='small'>Lead times are for the cohort of LORs received between the "
                 "end of the warm-up and the horizon; mean [95% interval across replications]. The change is "
                 "the scenario minus the reference, paired by replication, with its 95% interval; if the "
                 "interval excludes 0 the change is unlikely to be noise. Censored share: cohort cases that "
                 "had not reached the milestone when the run ended (marked (!) above "
                 f"{100 * CENSORED_WARN:.0f}%: the mean then understates the lead time).</p>")
    parts.append(results_table(table, ref) if ok else "<p class='warn'>No job completed.</p>")
    if precision:
        parts.append(precision_section(precision))
    if prcc_table is not None and len(prcc_table):
        parts.append("<h2>Sensitivity (partial rank correlation)</h2><p class='small'>PRCC runs from -1 to +1: "
                     "how strongly a lead time rises (+) or falls (-) with a factor once the other factors are "
                     "accounted for; a p-value below 0.05 means the effect is unlikely to be noise.</p>")
        parts.append(prcc_html(prcc_table))
    rest = [f for f in figures if f not in (*years, *own, *change)]
    if rest:
        parts.append("<h2>More figures</h2>")
        parts.extend(_figure(multirun_dir, fig) for fig in rest)
    parts.append("<h2>Settings</h2><table>" + "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in settings_rows(jobs, labels)) + "</table>")
    parts.append(f"<h2>Jobs</h2><p>{len(jobs)} job(s): {len(ok)} complete, {len(failed)} failed. "
                 f"<span class='small'>Folder: <code>{html.escape(str(multirun_dir))}</code></span></p>"
                 + jobs_table(jobs, labels))
    parts.append("<h2>Failed jobs</h2>")
    if failed:
        parts.append("<ul>" + "".join(
            f"<li>job {j['job']} ({html.escape(labels[j['job']])}): <code>{html.escape(str(j.get('error')))}"
            f"</code></li>" for j in failed) + "</ul>")
    else:
        parts.append("<p>None.</p>")
    parts.append(f"<p class='small'>Made by <code>python -m sim report</code> on "
                 f"{time.strftime('%Y-%m-%d %H:%M')}. The numbers are in comparison.csv and ranking.csv next to "
                 "this page; kpi_comparison.csv compares every other measure (notifications, offices, workload, "
                 "groups of cases) the same way, and by_group.csv holds the changes by partner, group and platform."
                 "</p></body></html>")
    return "\n".join(parts)
