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
import math
import time
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from sim.analysis.comparison import Reference, complete_jobs, scenario_labels
from sim.analysis.metrics import TITLES as METRIC_TITLES
from sim.analysis.metrics import UNITS as METRIC_UNITS
from sim.output.formatting import digits_for, interval, number

CENSORED_WARN = 0.05  # above this share the mean of the cases that got there is biased low


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

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;margin:2em auto;
max-width:1100px;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
.question{font-size:1.1em;font-style:italic;color:#333}.note{background:#fff7e0;border-left:4px solid #e0a800;
padding:.4em .8em}.warn{color:#a33}table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.ref td{background:#f4f8ff}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.92em;color:#444;margin-top:.3em}code{font-size:.9em}.small{font-size:.85em;color:#555}
"""


def _results_table(table: pd.DataFrame, ref: Reference) -> str:
    ok = table[table["status"] == "complete"]
    costs = "cost_musd" in ok.columns
    head = ("<tr><th>scenario</th><th>measure</th><th>mean [95% CI]</th>"
            f"<th>change vs '{html.escape(ref.label)}' [95% CI]</th><th>censored share</th>"
            + ("<th>cost $M a year · days saved per $10M [at high, low cost]</th>" if costs else "") + "</tr>")
    body = []
    for r in ok.itertuples(index=False):
        unit = " d" if METRIC_UNITS.get(r.metric) == "days" else ""
        d = digits_for(r.mean)
        mean = f"{number(r.mean, d)}{unit}{interval(r.ci_low, r.ci_high)}"
        if ref.job is not None and int(r.job) in (set(ref.by_job.values()) or {ref.job}):
            change = "reference"
        elif math.isnan(r.diff_mean):
            change = "–"
        else:
            dd = digits_for(r.diff_mean)
            pct = "" if math.isnan(r.diff_pct) else f" ({number(r.diff_pct, 1, True)}%)"
            change = f"{number(r.diff_mean, dd, True)}{unit}{interval(r.diff_ci_low, r.diff_ci_high, True)}{pct}"
        cs = r.censored_share
        cens = "–" if math.isnan(cs) else f"{100 * cs:.1f}%"
        if not math.isnan(cs) and cs > CENSORED_WARN:
            cens = f"<span class='warn'>{cens} (!)</span>"
        cls = " class='ref'" if ref.job is not None and int(r.job) in (set(ref.by_job.values()) or {ref.job}) else ""
        body.append(f"<tr{cls}><td>{html.escape(str(r.label))}</td><td>{METRIC_TITLES.get(r.metric, r.metric)}</td>"
                    f"<td class='num'>{mean}</td><td class='num'>{change}</td><td class='num'>{cens}</td>"
                    + (f"<td class='num'>{_cost(r)}</td>" if costs else "") + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _cost(r: Any) -> str:
    """A row's cost a year and, for time to delivery, the days saved per $10M a year (``sim.analysis.costs``)."""
    if math.isnan(r.cost_musd):
        return "unknown"
    ratio = getattr(r, "days_per_10musd", math.nan)
    per = "" if r.metric != "lor_to_delivery" or math.isnan(ratio) else (
        f" · {ratio:.1f} [{r.days_per_10musd_low:.1f}, {r.days_per_10musd_high:.1f}]")
    return f"{r.cost_musd:.1f}{per}"


def _jobs_table(jobs: Sequence[Mapping], labels: Mapping[int, str]) -> str:
    rows = ["<tr><th>job</th><th>scenario</th><th>reforms</th><th>levers changed</th><th>overrides</th>"
            "<th>status</th></tr>"]
    for j in jobs:
        s = j.get("summary") or {}
        reforms = ", ".join(map(str, s.get("reforms") or [])) or "–"
        levers = "; ".join(f"{k} = {v}" for k, v in (s.get("levers") or {}).items()) or "–"
        status = ("complete" if j.get("status") == "complete"
                  else f"<span class='warn'>{html.escape(str(j.get('status') or 'failed'))}</span>")
        rows.append(f"<tr><td class='num'>{j['job']}</td><td>{html.escape(labels[j['job']])}</td>"
                    f"<td>{html.escape(reforms)}</td><td>{html.escape(levers)}</td>"
                    f"<td><code>{html.escape(' '.join(j.get('overrides') or []))}</code></td><td>{status}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _prcc_table(pr: pd.DataFrame) -> str:
    rows = ["<tr><th>lead time</th><th>factor</th><th>PRCC</th><th>p-value</th><th>points</th></tr>"]
    for r in pr.itertuples(index=False):
        p = "–" if math.isnan(r.p_value) else f"{r.p_value:.3g}"
        rows.append(f"<tr><td>{METRIC_TITLES.get(r.metric, r.metric)}</td><td><code>{html.escape(str(r.factor))}"
                    f"</code></td><td class='num'>{number(r.prcc, 2, True)}</td><td class='num'>{p}</td>"
                    f"<td class='num'>{r.n_points}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _precision_section(p: Mapping[str, Any]) -> str:
    """What a precision study asked for and reached, and the replications each scenario needed."""
    t = p.get("target") or {}
    metrics = list(t.get("metrics") or [])
    target = float(t.get("half_width") or 0.0)
    others = [r for r in p.get("scenarios") or [] if not r.get("reference")]
    met = sum(1 for r in others if r.get("met"))
    verdict = ("every paired change is within the target" if p.get("all_met") else
               f"<span class='warn'>{len(others) - met} of {len(others)} scenario(s) short of the target</span>")
    head = (f"<h2>Precision</h2><p>Asked: every paired change on {', '.join(METRIC_TITLES.get(m, m) for m in metrics)}"
            f" within ±{number(target, 1)} days (95%), pilot {t.get('pilot')} replications, at most "
            f"{t.get('max_replications')}. Reached after {p.get('rounds')} round(s) and "
            f"{p.get('replications_total')} replications in all: {verdict}; the widest half-width is "
            f"±{number(p.get('widest_half_width'), 1)} days. The reference ran every replication any scenario ran. "
            "Each scenario's mean in the results is over its own replications, and its change is paired over those "
            "same replications of the reference; so where scenarios ran different numbers of replications, "
            "subtracting the two means does not give the change.</p>")
    if p.get("stopped"):
        head += f"<p class='warn'>The rounds stopped early: {html.escape(str(p['stopped']))}</p>"
    rows = ["<tr><th>scenario</th><th>replications</th><th>jobs (blocks)</th>"
            + "".join(f"<th>± {html.escape(METRIC_TITLES.get(m, m))}</th>" for m in metrics) + "<th>target</th></tr>"]
    for r in p.get("scenarios") or []:
        widths = "".join(f"<td>{number((r.get('half_width') or {}).get(m), 1)}</td>" for m in metrics)
        state = "reference" if r.get("reference") else ("met" if r.get("met") else "<span class='warn'>short</span>")
        rows.append(f"<tr><td>{html.escape(str(r.get('label')))}</td><td>{r.get('replications')}</td>"
                    f"<td>{', '.join(map(str, r.get('blocks') or []))}</td>{widths}<td>{state}</td></tr>")
    return head + "<table>" + "".join(rows) + "</table>"


YEAR_CHANGES = {"year.open_cases": "open cases at the year's end", "year.in_process": "cases not yet delivered",
                "year.undelivered_value": "value accepted, not delivered ($B)",
                "year.by_lor.lor_to_offer": "LOR to offer (days), by LOR year",
                "year.by_lor.lor_to_delivery": "LOR to delivery (days), by LOR year"}


def _figure(multirun_dir: Path, fig: Any) -> str:
    src, title = _img(Path(multirun_dir) / fig.path), html.escape(fig.title)
    return (f"<figure><img src='{src}' alt='{title}'><figcaption><b>{title}.</b> "
            f"{html.escape(fig.caption)}</figcaption></figure>")


def _signed(x: float, digits: int) -> str:
    """``x`` with its sign, rounded; a value that rounds to zero is 0 (never -0)."""
    r = round(float(x), digits)
    return f"{r + 0.0:+,.{digits}f}" if r != 0 else f"{0:.{digits}f}"


def _year_changes(yearly: pd.DataFrame, ref: Reference, effective: float) -> str:
    """Each scenario's paired change in the main measures, per fiscal year from the one before the first a reform
    takes effect (cases received before the date gain too)."""
    t = yearly[yearly["metric"].isin(YEAR_CHANGES) & yearly["diff_mean"].notna() & (yearly["job"] != ref.job)
               & (yearly["fiscal_year"] >= int(effective) - 1)]
    if t.empty:
        return ""
    years = sorted(set(t["fiscal_year"]))
    head = "".join(f"<th>FY{y}</th>" for y in years)
    rows = []
    for (label, metric), g in t.groupby(["label", "metric"], sort=False):
        k = 1 if metric == "year.undelivered_value" else 0
        cells = {int(r.fiscal_year): f"{_signed(r.diff_mean, k)} [{_signed(r.diff_ci_low, k)}, "
                                     f"{_signed(r.diff_ci_high, k)}]" if r.diff_ci_low == r.diff_ci_low
                 else _signed(r.diff_mean, k) for r in g.itertuples()}
        rows.append(f"<tr><td>{html.escape(str(label))}</td><td>{html.escape(YEAR_CHANGES[metric])}</td>"
                    + "".join(f"<td>{cells.get(y, '')}</td>" for y in years) + "</tr>")
    return (f"<p class='small'>Change against <b>{html.escape(ref.label)}</b>, paired by replication, with its 95% "
            "interval (all years and measures: yearly.csv).</p><table><tr><th>scenario</th><th>measure</th>"
            f"{head}</tr>" + "".join(rows) + "</table>")


def render_html(multirun_dir: Path, jobs: Sequence[Mapping], table: pd.DataFrame, ref: Reference,
                figures: Sequence[Any], prcc_table: Optional[pd.DataFrame] = None,
                precision: Optional[Mapping[str, Any]] = None, yearly: Optional[pd.DataFrame] = None,
                effective: Optional[Mapping[int, float]] = None) -> str:
    """The whole report page as one string (figures read from disk and embedded); a dated study (``effective``:
    per dated job, the fiscal year its reforms take effect) opens with its year-by-year trajectory and changes."""
    ok = complete_jobs(jobs)
    failed = [j for j in jobs if j not in ok]
    labels = scenario_labels(jobs)
    studies = list(dict.fromkeys(str(j["summary"].get("study")) for j in ok if j["summary"].get("study")))
    study = ", ".join(studies) or Path(multirun_dir).name
    question = next((j["summary"]["question"] for j in ok if j["summary"].get("question")), None)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>FMS simulation report: {html.escape(study)}</title><style>{CSS}</style></head><body>",
             f"<h1>FMS simulation report: {html.escape(study)}</h1>"]
    if question:
        parts.append(f"<p class='question'>Question: {html.escape(str(question))}</p>")
    ref_text = (f"Changes are measured against the reference scenario <b>{html.escape(ref.label)}</b> "
                f"(job {ref.job}), replication by replication (common random numbers)."
                if ref.job is not None else "")
    parts.append(f"<p>{len(jobs)} job(s): {len(ok)} complete, {len(failed)} failed. {ref_text} "
                 f"<span class='small'>Folder: <code>{html.escape(str(multirun_dir))}</code></span></p>")
    if ref.note:
        parts.append(f"<p class='note'>Note: {html.escape(ref.note)}.</p>")
    fewest = min((int(j["summary"].get("replications") or 0) for j in ok), default=0)
    if 0 < fewest < FEW_REPLICATIONS:
        parts.append(f"<p class='warn'>Only {fewest} replication(s) in some scenario: a 95% interval from fewer than "
                     f"{FEW_REPLICATIONS} rests on too few differences to be trusted (identical paired differences "
                     "even give a zero-width interval); run more replications before reading a change as known.</p>")
    if ref.job is not None and len(ref.by_seed) > 1:  # a sweep over seeds: one reference job per seed
        per_seed = ", ".join(f"seed {seed}: job {job}" for seed, job in sorted(ref.by_seed.items()))
        parts.append("<p class='note'>Note: the jobs ran with several seeds; each is paired with the reference "
                     f"run with its own seed ({html.escape(per_seed)}), so every change has common random "
                     "numbers.</p>")
    lead = [f for f in figures if effective and f.path.endswith(("trajectory.png", "trajectory_change.png"))]
    if lead and effective:
        dates = sorted({int(fy) for fy in effective.values()})
        when = f"from FY{dates[0]}" if len(dates) == 1 else "reforms dated " + ", ".join(f"FY{d}" for d in dates)
        parts.append(f"<h2>Year by year, {when}</h2>" + "".join(_figure(multirun_dir, f) for f in lead))
        if yearly is not None and ref.job is not None:
            parts.append(_year_changes(yearly, ref, min(effective.values())))
    figures = [f for f in figures if f not in lead]
    parts.append("<h2>Settings</h2><table>" + "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in settings_rows(jobs, labels)) + "</table>")
    parts.append("<h2>Results</h2><p class='small'>Lead times are for the cohort of LORs received between the "
                 "end of the warm-up and the horizon; mean [95% interval across replications]. The change is "
                 "the scenario minus the reference, paired by replication, with its 95% interval; if the "
                 "interval excludes 0 the change is unlikely to be noise. Censored share: cohort cases that "
                 "had not reached the milestone when the run ended (marked (!) above "
                 f"{100 * CENSORED_WARN:.0f}%: the mean then understates the lead time).</p>")
    parts.append(_results_table(table, ref) if ok else "<p class='warn'>No job completed.</p>")
    if precision:
        parts.append(_precision_section(precision))
    if prcc_table is not None and len(prcc_table):
        parts.append("<h2>Sensitivity (partial rank correlation)</h2><p class='small'>PRCC runs from -1 to +1: "
                     "how strongly a lead time rises (+) or falls (-) with a factor once the other factors are "
                     "accounted for; a p-value below 0.05 means the effect is unlikely to be noise.</p>")
        parts.append(_prcc_table(prcc_table))
    parts.append("<h2>Jobs</h2>" + _jobs_table(jobs, labels))
    parts.append("<h2>Failed jobs</h2>")
    if failed:
        parts.append("<ul>" + "".join(
            f"<li>job {j['job']} ({html.escape(labels[j['job']])}): <code>{html.escape(str(j.get('error')))}"
            f"</code></li>" for j in failed) + "</ul>")
    else:
        parts.append("<p>None.</p>")
    if figures:
        parts.append("<h2>Figures</h2>")
        parts.extend(_figure(multirun_dir, fig) for fig in figures)
    parts.append(f"<p class='small'>Made by <code>python -m sim report</code> on "
                 f"{time.strftime('%Y-%m-%d %H:%M')}. The numbers are in comparison.csv next to this page; "
                 "kpi_comparison.csv compares every other measure (notifications, offices, workload) the same way.</p>"
                 "</body></html>")
    return "\n".join(parts)
