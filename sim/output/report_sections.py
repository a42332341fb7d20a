"""The tables of a multirun report (report.html): results, costs, jobs, sensitivity, precision and year by year."""
from __future__ import annotations

import html
import math
from typing import Any, Mapping, Sequence

import pandas as pd

from sim.analysis.comparison import Reference
from sim.analysis.metrics import TITLES as METRIC_TITLES
from sim.analysis.metrics import UNITS as METRIC_UNITS
from sim.output.formatting import digits_for, interval, number
from sim.output.ranking import places

CENSORED_WARN = 0.05  # above this share the mean of the cases that got there is biased low


def results_table(table: pd.DataFrame, ref: Reference) -> str:
    ok = table[table["status"] == "complete"]
    costs = "cost_musd" in ok.columns
    head = ("<tr><th>scenario</th><th>measure</th><th>mean [95% CI]</th>"
            f"<th>change vs '{html.escape(ref.label)}' [95% CI]</th><th>censored share</th>"
            + ("<th>cost $M a year · days saved per $10M [at high, low cost]</th>" if costs else "") + "</tr>")
    body, by_hand = [], staffing_by_hand(ok) if costs else set()
    for r in ok.itertuples(index=False):
        unit = " d" if METRIC_UNITS.get(r.metric) == "days" else ""
        d = digits_for(r.mean)
        mean = f"{number(r.mean, d)}{unit}{interval(r.ci_low, r.ci_high)}"
        if ref.job is not None and int(r.job) in (set(ref.by_job.values()) or {ref.job}):
            change = "reference"
        elif math.isnan(r.diff_mean):
            change = "–"
        else:
            dd = places(r.diff_mean, r.diff_ci_low, r.diff_ci_high)  # as the ranking shows it
            pct = "" if math.isnan(r.diff_pct) else f" ({number(r.diff_pct, 1, True)}%)"
            span = "" if math.isnan(r.diff_ci_low) else (f" [{number(r.diff_ci_low, dd, True)}, "
                                                         f"{number(r.diff_ci_high, dd, True)}]")
            change = f"{number(r.diff_mean, dd, True)}{unit}{span}{pct}"
        cs = r.censored_share
        cens = "–" if math.isnan(cs) else f"{100 * cs:.1f}%"
        if not math.isnan(cs) and cs > CENSORED_WARN:
            cens = f"<span class='warn'>{cens} (!)</span>"
        cls = " class='ref'" if ref.job is not None and int(r.job) in (set(ref.by_job.values()) or {ref.job}) else ""
        body.append(f"<tr{cls}><td>{html.escape(str(r.label))}</td><td>{METRIC_TITLES.get(r.metric, r.metric)}</td>"
                    f"<td class='num'>{mean}</td><td class='num'>{change}</td><td class='num'>{cens}</td>"
                    + (f"<td class='num'>{cost(r, by_hand)}</td>" if costs else "") + "</tr>")
    return f"<table>{head}{''.join(body)}</table>"


NOT_COSTED = "not costed: settings changed by hand"
COSTED = ("reform=", "reform.", "seed=", "experiment=")  # what the cost model prices (or what changes no cost)


def staffing_by_hand(table: pd.DataFrame) -> set[int]:
    """The jobs whose settings other than their reforms (``staffing.*``, ``process.*``, ...) differ from their
    reference job's: their cost is the reform's alone (a staffing sweep's 'none' at x0.5 case writers, a threshold
    sweep's 'none' at a $50M threshold, both cost 0.00), so it is not shown as theirs."""
    overrides = dict(zip(table["job"].astype(int), table["overrides"].astype(str)))
    setting = {job: sorted(w for w in o.split() if not w.lstrip("+~").startswith(COSTED))
               for job, o in overrides.items()}
    return {int(job) for job, ref in zip(table["job"], table["reference_job"])
            if not pd.isna(ref) and setting.get(int(job)) != setting.get(int(ref))}


def cost(r: Any, by_hand: frozenset[int] | set[int] = frozenset()) -> str:
    """A row's cost a year and, for time to delivery, the days saved per $10M a year (``sim.analysis.costs``)."""
    if int(r.job) in by_hand:
        return NOT_COSTED
    if math.isnan(r.cost_musd):
        return "unknown"
    ratio = getattr(r, "days_per_10musd", math.nan)
    per = "" if r.metric != "lor_to_delivery" or math.isnan(ratio) else f" · {per_10m(r)}"
    return f"{musd(r.cost_musd)}{per}"


def musd(cost: float) -> str:
    """A cost in $M a year: two decimals under $1M (0.25 showed as 0.2), one above."""
    return "unknown" if math.isnan(cost) else f"{cost:.2f}" if abs(cost) < 1 else f"{cost:.1f}"


def per_10m(r: Any) -> str:
    """Days saved per $10M a year with its range at the high and the low cost; a low cost of zero (a change of
    statute) has no upper end, said so rather than shown as nan."""
    get = r.get if hasattr(r, "get") else lambda k, d=math.nan: getattr(r, k, d)
    ratio, low, high = (float(get(k, math.nan)) for k in ("days_per_10musd", "days_per_10musd_low",
                                                          "days_per_10musd_high"))
    if math.isnan(ratio):
        return "-"
    change, half = float(get("diff_mean", math.nan)), float(get("diff_half_width", math.nan))
    if not abs(change) > half:  # a ratio of a saving that may be noise would rank it by its cost alone
        return "- (the saving is not told apart from 0)"
    top = f"{high:.1f}" if not math.isnan(high) else "no upper end: the low cost is $0"
    return f"{ratio:.1f} [{low:.1f}, {top}]"


def jobs_table(jobs: Sequence[Mapping], labels: Mapping[int, str]) -> str:
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


def prcc_table(pr: pd.DataFrame) -> str:
    rows = ["<tr><th>lead time</th><th>factor</th><th>PRCC</th><th>p-value</th><th>points</th></tr>"]
    for r in pr.itertuples(index=False):
        p = "–" if math.isnan(r.p_value) else f"{r.p_value:.3g}"
        rows.append(f"<tr><td>{METRIC_TITLES.get(r.metric, r.metric)}</td><td><code>{html.escape(str(r.factor))}"
                    f"</code></td><td class='num'>{number(r.prcc, 2, True)}</td><td class='num'>{p}</td>"
                    f"<td class='num'>{r.n_points}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def precision_section(p: Mapping[str, Any]) -> str:
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


def signed(x: float, digits: int) -> str:
    """``x`` with its sign, rounded; a value that rounds to zero is 0 (never -0)."""
    r = round(float(x), digits)
    return f"{r + 0.0:+,.{digits}f}" if r != 0 else f"{0:.{digits}f}"


def year_changes(yearly: pd.DataFrame, ref: Reference, effective: float) -> str:
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
        cells = {int(r.fiscal_year): f"{signed(r.diff_mean, k)} [{signed(r.diff_ci_low, k)}, "
                                     f"{signed(r.diff_ci_high, k)}]" if r.diff_ci_low == r.diff_ci_low
                 else signed(r.diff_mean, k) for r in g.itertuples()}
        rows.append(f"<tr><td>{html.escape(str(label))}</td><td>{html.escape(YEAR_CHANGES[metric])}</td>"
                    + "".join(f"<td>{cells.get(y, '')}</td>" for y in years) + "</tr>")
    return (f"<p class='small'>Change against <b>{html.escape(ref.label)}</b>, paired by replication, with its 95% "
            "interval (all years and measures: yearly.csv).</p><table><tr><th>scenario</th><th>measure</th>"
            f"{head}</tr>" + "".join(rows) + "</table>")
