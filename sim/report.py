"""Compare the jobs of a multirun: ``python -m sim.report <multirun dir> [--reference LABEL]``.

A multirun (``python -m sim -m ...``) leaves one run directory per job in ``<dir>/<job number>/``.
This module gathers them and writes, into ``<dir>``:

* ``comparison.csv``: one row per (job, metric) for the three lead times and the open cases at
  the horizon: the job's mean and 95% interval, and its **paired** change against a reference
  scenario.  Replication *r* of every scenario sees the same cases and draws (common random
  numbers), so the change is computed replication by replication (scenario minus reference)
  and its 95% Student-t interval is taken over those per-replication differences.  A failed
  job gets one row with its error; it never stops the report.
* ``sensitivity_prcc.csv`` for a sensitivity study (jobs whose summary has a ``sensitivity`` key):
  partial rank correlation of each lead time with each factor (:mod:`sim.sensitivity`).
* ``figures/`` (:mod:`sim.report_figures`), ``report.html`` (self-contained: images embedded as
  data URIs, inline CSS, no script and no external resource) and ``report.json`` (status, jobs
  that worked or failed, files written).

The reference is ``--reference`` if given, else the ``reference`` key of the summaries, else
``"none"``.  Gathering (``read_jobs``) is the only part that reads files; ``comparison_table``
and the functions it calls take plain job records and return DataFrames, so they are tested on
hand-made numbers.  ``ReportCallback`` runs the report at the end of a Hydra multirun.
"""
from __future__ import annotations

import argparse
import base64
import html
import math
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from sim.results_io import read_json, write_json
from sim.stats import mean_ci

LEAD_TIMES = ("lor_to_offer", "lor_to_contract", "lor_to_delivery")
METRICS = (*LEAD_TIMES, "open_cases_at_horizon")
METRIC_TITLES = {
    "lor_to_offer": "LOR to LOA offer",
    "lor_to_contract": "LOR to contract award",
    "lor_to_delivery": "LOR to delivery",
    "open_cases_at_horizon": "open cases at the horizon",
}
METRIC_UNITS = {"lor_to_offer": "days", "lor_to_contract": "days", "lor_to_delivery": "days",
                "open_cases_at_horizon": "cases"}
DEFAULT_REFERENCE = "none"
COLUMNS = ["job", "scenario", "label", "status", "error", "metric", "mean", "ci_low", "ci_high",
           "half_width", "n_reps", "median", "p90", "censored_share", "reference", "reference_job",
           "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct",
           "seed", "overrides", "point"]
NUMERIC = ["mean", "ci_low", "ci_high", "half_width", "median", "p90", "censored_share",
           "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_pct"]
COUNTS = ["n_reps", "reference_job", "diff_n", "seed", "point"]  # whole numbers, possibly missing
CENSORED_WARN = 0.05  # above this share the mean of the cases that got there is biased low


class ReportError(Exception):
    """A problem with the multirun directory itself (not with one job): exit code 2."""


@dataclass(frozen=True)
class Reference:
    """The scenario every job is compared with."""

    label: str
    job: Optional[int]      # the job whose replications are the reference; None if no job has the label
    source: str             # "--reference", "summaries" or "default"
    note: Optional[str]     # said in the report (label not found, ambiguous, ...)


# --------------------------------------------------------------------------- gathering (I/O)

def job_dirs(multirun_dir: Path) -> list[Path]:
    """The job subfolders of a multirun (numeric names), sorted numerically."""
    return sorted((p for p in Path(multirun_dir).iterdir() if p.is_dir() and p.name.isdigit()),
                  key=lambda p: int(p.name))


def _hydra_overrides(job_dir: Path) -> list[str]:
    """Hydra's ``.hydra/overrides.yaml`` (a YAML list of strings), without a YAML dependency."""
    path = job_dir / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return []
    out = []
    for line in path.read_text().splitlines():
        if line.startswith("- "):
            item = line[2:].strip()
            if len(item) >= 2 and item[0] == item[-1] and item[0] in "'\"":
                item = item[1:-1]
            out.append(item)
    return out


def read_job(job_dir: Path) -> dict:
    """One job's record: job, path, status ("complete" or "failed"), error, overrides, summary.

    A job is a result only if its manifest says ``complete`` and its summary.json can be read;
    anything else is "failed" with the reason.
    """
    job_dir = Path(job_dir)
    rec: dict[str, Any] = {"job": int(job_dir.name), "path": str(job_dir), "status": "failed", "error": None,
                           "overrides": _hydra_overrides(job_dir), "summary": None, "scenario": None}
    manifest_path = job_dir / "manifest.json"
    if not manifest_path.is_file():
        rec["error"] = "no manifest"
        return rec
    try:
        manifest = read_json(manifest_path)
    except (OSError, ValueError) as e:
        rec["error"] = f"manifest.json unreadable: {e}"
        return rec
    rec["overrides"] = list(manifest.get("overrides") or rec["overrides"])
    label = ((manifest.get("config") or {}).get("reform") or {}).get("label")
    rec["scenario"] = label if isinstance(label, str) else None
    status = manifest.get("status")
    if status != "complete":
        rec["error"] = manifest.get("error") or f"run did not finish (manifest status {status!r})"
        return rec
    summary_path = job_dir / "summary.json"
    if not summary_path.is_file():
        rec["error"] = "no summary.json"
        return rec
    try:
        rec["summary"] = read_json(summary_path)
    except (OSError, ValueError) as e:
        rec["error"] = f"summary.json unreadable: {e}"
        return rec
    rec["status"] = "complete"
    rec["scenario"] = rec["summary"].get("scenario", rec["scenario"])
    return rec


def read_jobs(multirun_dir: Path) -> list[dict]:
    """Every job of a multirun; ReportError if the directory has none."""
    multirun_dir = Path(multirun_dir)
    if not multirun_dir.is_dir():
        raise ReportError(f"{multirun_dir} is not a directory; pass a multirun directory "
                          "(results/multiruns/<timestamp>)")
    dirs = job_dirs(multirun_dir)
    if not dirs:
        raise ReportError(f"{multirun_dir} has no job folders (0/, 1/, ...); pass a multirun directory")
    return [read_job(d) for d in dirs]


# --------------------------------------------------------------------------- pure computations

def _ok(jobs: Iterable[Mapping]) -> list[Mapping]:
    return [j for j in jobs if j.get("status") == "complete" and j.get("summary") is not None]


def _num(x: Any) -> float:
    """A float, NaN for a missing (or non-numeric) value."""
    try:
        return math.nan if x is None else float(x)
    except (TypeError, ValueError):
        return math.nan


def scenario_labels(jobs: Sequence[Mapping]) -> dict[int, str]:
    """A distinct display label per job: the scenario, plus what sets it apart if it is shared.

    Jobs that share a scenario label (a sweep over a parameter that the label does not name) get,
    in brackets, their overrides that not every job with that label has, or ``(job N)`` if none;
    sensitivity-study points get ``(point N)``.
    """
    scen = {j["job"]: (j.get("scenario") or "(scenario unknown)") for j in jobs}
    groups: dict[str, list[set[str]]] = {}
    for j in jobs:
        groups.setdefault(scen[j["job"]], []).append(set(j.get("overrides") or []))
    out = {}
    for j in jobs:
        s = scen[j["job"]]
        if len(groups[s]) == 1:
            out[j["job"]] = s
            continue
        point = ((j.get("summary") or {}).get("sensitivity") or {}).get("point")
        if point is not None:
            out[j["job"]] = f"{s} (point {point})"
            continue
        common = set.intersection(*groups[s])
        own = [o for o in (j.get("overrides") or []) if o not in common]
        out[j["job"]] = f"{s} [{', '.join(own)}]" if own else f"{s} (job {j['job']})"
    # two jobs can still collide (identical overrides): fall back to the job number
    seen = Counter(out.values())
    return {k: (v if seen[v] == 1 else f"{v} (job {k})") for k, v in out.items()}


def sensitivity_factors(jobs: Sequence[Mapping]) -> list[str]:
    """The factor names of a sensitivity study, in first-seen order (empty if none)."""
    names: dict[str, None] = {}
    for j in _ok(jobs):
        sens = j["summary"].get("sensitivity") or {}
        for k in (sens.get("factors") or {}):
            names.setdefault(str(k), None)
    return list(names)


def factor_column(name: str) -> str:
    """The comparison.csv column of a sensitivity factor: its dotted key (prefixed if it would clash)."""
    return f"factor:{name}" if name in COLUMNS else name


def metric_rows(jobs: Sequence[Mapping]) -> pd.DataFrame:
    """One row per (job, metric) for complete jobs and one row per failed job (metric missing)."""
    labels = scenario_labels(jobs)
    factors = sensitivity_factors(jobs)
    rows = []
    for j in jobs:
        base = {"job": j["job"], "scenario": j.get("scenario"), "label": labels[j["job"]],
                "status": j.get("status", "failed"), "error": j.get("error"),
                "overrides": " ".join(j.get("overrides") or [])}
        s = j.get("summary")
        if base["status"] != "complete" or s is None:
            rows.append({**base, "status": "failed", "error": j.get("error") or "unknown error"})
            continue
        sens = s.get("sensitivity") or {}
        extra = {"seed": s.get("seed"), "point": sens.get("point")}
        for f in factors:
            extra[factor_column(f)] = _num((sens.get("factors") or {}).get(f))
        for metric in METRICS:
            m = s["lead_times"].get(metric) if metric in LEAD_TIMES else s.get(metric)
            if m is None:
                continue
            rows.append({**base, **extra, "metric": metric, "mean": _num(m.get("mean")),
                         "ci_low": _num(m.get("ci_low")), "ci_high": _num(m.get("ci_high")),
                         "half_width": _num(m.get("half_width")), "n_reps": _num(m.get("n")),
                         "median": _num(m.get("median")), "p90": _num(m.get("p90")),
                         "censored_share": _num(m.get("censored_share"))})
    df = pd.DataFrame(rows)
    for c in COLUMNS + [factor_column(f) for f in factors]:
        if c not in df.columns:
            df[c] = np.nan
    return df


def replication_rows(jobs: Sequence[Mapping]) -> pd.DataFrame:
    """Per-replication values: one row per (job, metric, replication); None becomes NaN."""
    rows = []
    for j in _ok(jobs):
        s = j["summary"]
        for metric in METRICS:
            m = s["lead_times"].get(metric) if metric in LEAD_TIMES else s.get(metric)
            for r, v in enumerate((m or {}).get("per_replication") or []):
                rows.append((j["job"], metric, r, _num(v)))
    return pd.DataFrame(rows, columns=["job", "metric", "replication", "value"]).astype(
        {"job": "int64", "replication": "int64", "value": "float64"})


def resolve_reference(jobs: Sequence[Mapping], requested: Optional[str] = None) -> Reference:
    """Which label is the reference, and which job carries it.

    The label: ``requested`` if given, else the summaries' ``reference`` key (the most common
    one if they disagree), else ``"none"``.  The job: the lowest-numbered complete job whose
    scenario (or display label) is that label.
    """
    ok = _ok(jobs)
    notes = []
    if requested:
        label, source = requested, "--reference"
    else:
        keys = [j["summary"]["reference"] for j in ok if j["summary"].get("reference")]
        if keys:
            label, source = Counter(keys).most_common(1)[0][0], "summaries"
            if len(set(keys)) > 1:
                notes.append(f"the summaries name different references ({', '.join(sorted(set(keys)))}); "
                             f"using the most common, '{label}'")
        else:
            label, source = DEFAULT_REFERENCE, "default"
    labels = scenario_labels(jobs)
    matches = [j["job"] for j in ok if j.get("scenario") == label] or \
              [j["job"] for j in ok if labels[j["job"]] == label]
    if not matches:
        failed = [j["job"] for j in jobs if j.get("scenario") == label and j.get("status") != "complete"]
        why = f" (job {failed[0]} has it but failed)" if failed else ""
        notes.append(f"no completed job has the reference scenario '{label}'{why}, so no changes "
                     "against a reference are shown")
        return Reference(label, None, source, "; ".join(notes) or None)
    if len(matches) > 1:
        notes.append(f"{len(matches)} jobs have the scenario label '{label}' (jobs "
                     f"{', '.join(map(str, matches))}); job {matches[0]} is the reference")
    return Reference(label, matches[0], source, "; ".join(notes) or None)


def paired_differences(reps: pd.DataFrame, reference_job: int) -> pd.DataFrame:
    """Paired change of every job against ``reference_job``, per metric.

    For each replication index present in both (and not missing in either), d_r = job_r -
    reference_r; ``diff_mean`` is the mean of d_r and the interval the 95% Student-t interval of
    the d_r (``sim.stats.mean_ci``).  ``diff_pct`` = 100 * diff_mean / (mean of the paired
    reference values).  Columns: job, metric, diff_mean, diff_ci_low, diff_ci_high,
    diff_half_width, diff_n, diff_pct.
    """
    cols = ["job", "metric", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct"]
    ref = reps.loc[reps["job"] == reference_job, ["metric", "replication", "value"]].rename(columns={"value": "ref"})
    pairs = reps.merge(ref, on=["metric", "replication"], how="inner").dropna(subset=["value", "ref"])
    pairs = pairs.assign(d=pairs["value"] - pairs["ref"])
    rows = []
    for (job, metric), g in pairs.groupby(["job", "metric"], sort=True):
        ci = mean_ci(g["d"].tolist())
        ref_mean = float(g["ref"].mean())
        rows.append({"job": int(job), "metric": metric, "diff_mean": _num(ci["mean"]),
                     "diff_ci_low": _num(ci["ci_low"]), "diff_ci_high": _num(ci["ci_high"]),
                     "diff_half_width": _num(ci["half_width"]), "diff_n": float(ci["n"]),
                     "diff_pct": 100.0 * _num(ci["mean"]) / ref_mean if ref_mean else math.nan})
    return pd.DataFrame(rows, columns=cols).astype({"job": "int64"})


def comparison_table(jobs: Sequence[Mapping], reference: Optional[str] = None) -> tuple[pd.DataFrame, Reference]:
    """The tidy comparison (one row per job and metric) and the reference it was computed against."""
    ref = resolve_reference(jobs, reference)
    table = metric_rows(jobs)
    table["reference"] = ref.label
    table["reference_job"] = pd.NA if ref.job is None else ref.job
    diff_cols = ["diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct"]
    if ref.job is not None and len(table):
        diffs = paired_differences(replication_rows(jobs), ref.job)
        table = table.drop(columns=diff_cols).merge(diffs, on=["job", "metric"], how="left")
    factors = [c for c in table.columns if c not in COLUMNS]
    table = table[COLUMNS + factors]
    table = table.astype({**{c: "float64" for c in NUMERIC + factors}, **{c: "Int64" for c in COUNTS}})
    return table.reset_index(drop=True), ref


def sensitivity_prcc(table: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """PRCC of each lead time's job mean with each factor over the complete sensitivity jobs.

    Columns: metric, factor, prcc, p_value, n_points.  A lead time is left out if it has fewer
    than (factors + 2) points: the test needs n - 2 - k >= 1 degrees of freedom, k = factors - 1.
    """
    from sim.sensitivity import prcc

    cols = ["metric", "factor", "prcc", "p_value", "n_points"]
    out = []
    fcols = [factor_column(f) for f in factors]
    for metric in LEAD_TIMES:
        t = table[(table["metric"] == metric) & (table["status"] == "complete")].dropna(subset=fcols + ["mean"])
        if not factors or len(t) < len(factors) + 2:
            continue
        res = prcc(t[fcols].set_axis(list(factors), axis=1), t["mean"])
        out.append(res.assign(metric=metric, n_points=len(t)))
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def scenario_order(table: pd.DataFrame, reference_job: Optional[int], limit: Optional[int] = None) -> list[int]:
    """Complete jobs, the reference first, then the most different (largest |% change| in any lead time)."""
    ok = table[(table["status"] == "complete") & table["metric"].isin(LEAD_TIMES)]
    jobs = list(dict.fromkeys(ok["job"].astype(int).tolist()))
    score = ok.assign(a=ok["diff_pct"].abs()).groupby("job")["a"].max().fillna(-1.0)
    rest = sorted((j for j in jobs if j != reference_job), key=lambda j: (-float(score.get(j, -1.0)), j))
    order = ([reference_job] if reference_job in jobs else []) + rest
    return order[:limit] if limit else order


# --------------------------------------------------------------------------- HTML

def _f(x: Any, digits: int = 0, sign: bool = False) -> str:
    """A number for people: thousands separators, fixed digits, '–' when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:{'+' if sign else ''},.{digits}f}"


def _digits(x: float) -> int:
    return 1 if (not math.isnan(x) and abs(x) < 10) else 0


def _interval(lo: float, hi: float, sign: bool = False) -> str:
    if math.isnan(lo) or math.isnan(hi):
        return ""
    d = max(_digits(lo), _digits(hi))
    return f" [{_f(lo, d, sign)}, {_f(hi, d, sign)}]"


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
    ok = _ok(jobs)
    run = [j["summary"].get("run") or {} for j in ok]
    rows = [
        ("replications per scenario", _setting([j["summary"].get("replications") for j in ok])),
        ("horizon (LORs arrive from day 0 until then)", _setting([r.get("horizon_years") for r in run], " years")),
        ("warm-up (LORs before it are not measured)", _setting([r.get("warmup_years") for r in run], " years")),
        ("drain (run continues after the horizon for up to)", _setting([r.get("drain_years") for r in run], " years")),
        ("seed (common random numbers when equal)", _setting([j["summary"].get("seed") for j in ok])),
    ]
    checks = [(j, j["summary"]["warmup_check"]) for j in ok if isinstance(j["summary"].get("warmup_check"), dict)]
    if checks:
        method = html.escape(str(checks[0][1].get("method", "warm-up check")))
        bad = [(j, c) for j, c in checks if c.get("adequate") is False]
        if not bad:
            text = f"{method}: warm-up adequate in all {len(checks)} checked job(s)"
        else:
            items = "; ".join(f"{html.escape(labels[j['job']])} (truncation day {_f(c.get('truncation_day'))}, "
                              f"warm-up day {_f(c.get('warmup_day'))})" for j, c in bad)
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
    head = ("<tr><th>scenario</th><th>measure</th><th>mean [95% CI]</th>"
            f"<th>change vs '{html.escape(ref.label)}' [95% CI]</th><th>censored share</th></tr>")
    body = []
    for r in ok.itertuples(index=False):
        unit = " d" if METRIC_UNITS.get(r.metric) == "days" else ""
        d = _digits(r.mean)
        mean = f"{_f(r.mean, d)}{unit}{_interval(r.ci_low, r.ci_high)}"
        if ref.job is not None and int(r.job) == ref.job:
            change = "reference"
        elif math.isnan(r.diff_mean):
            change = "–"
        else:
            dd = _digits(r.diff_mean)
            pct = "" if math.isnan(r.diff_pct) else f" ({_f(r.diff_pct, 1, True)}%)"
            change = f"{_f(r.diff_mean, dd, True)}{unit}{_interval(r.diff_ci_low, r.diff_ci_high, True)}{pct}"
        cs = r.censored_share
        cens = "–" if math.isnan(cs) else f"{100 * cs:.1f}%"
        if not math.isnan(cs) and cs > CENSORED_WARN:
            cens = f"<span class='warn'>{cens} (!)</span>"
        cls = " class='ref'" if ref.job is not None and int(r.job) == ref.job else ""
        body.append(f"<tr{cls}><td>{html.escape(str(r.label))}</td><td>{METRIC_TITLES.get(r.metric, r.metric)}</td>"
                    f"<td class='num'>{mean}</td><td class='num'>{change}</td><td class='num'>{cens}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _jobs_table(jobs: Sequence[Mapping], labels: Mapping[int, str]) -> str:
    rows = ["<tr><th>job</th><th>scenario</th><th>reforms</th><th>levers changed</th><th>overrides</th>"
            "<th>status</th></tr>"]
    for j in jobs:
        s = j.get("summary") or {}
        reforms = ", ".join(map(str, s.get("reforms") or [])) or "–"
        levers = "; ".join(f"{k} = {v}" for k, v in (s.get("levers") or {}).items()) or "–"
        status = "complete" if j.get("status") == "complete" else "<span class='warn'>failed</span>"
        rows.append(f"<tr><td class='num'>{j['job']}</td><td>{html.escape(labels[j['job']])}</td>"
                    f"<td>{html.escape(reforms)}</td><td>{html.escape(levers)}</td>"
                    f"<td><code>{html.escape(' '.join(j.get('overrides') or []))}</code></td><td>{status}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _prcc_table(pr: pd.DataFrame) -> str:
    rows = ["<tr><th>lead time</th><th>factor</th><th>PRCC</th><th>p-value</th><th>points</th></tr>"]
    for r in pr.itertuples(index=False):
        p = "–" if math.isnan(r.p_value) else f"{r.p_value:.3g}"
        rows.append(f"<tr><td>{METRIC_TITLES.get(r.metric, r.metric)}</td><td><code>{html.escape(str(r.factor))}"
                    f"</code></td><td class='num'>{_f(r.prcc, 2, True)}</td><td class='num'>{p}</td>"
                    f"<td class='num'>{r.n_points}</td></tr>")
    return f"<table>{''.join(rows)}</table>"


def _img(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render_html(multirun_dir: Path, jobs: Sequence[Mapping], table: pd.DataFrame, ref: Reference,
                figures: Sequence[Any], prcc_table: Optional[pd.DataFrame] = None) -> str:
    """The whole report page as one string (figures read from disk and embedded)."""
    ok = _ok(jobs)
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
    seeds = table.loc[table["status"] == "complete"].drop_duplicates("job")
    if ref.job is not None and seeds["seed"].nunique() > 1:
        ref_seed = seeds.loc[seeds["job"] == ref.job, "seed"].iloc[0]
        other = seeds.loc[seeds["seed"] != ref_seed, "label"].tolist()
        parts.append("<p class='note'>Note: " + html.escape(", ".join(map(str, other))) +
                     " used a different seed from the reference: their changes are still paired by replication, "
                     "but without common random numbers, so their intervals are wider.</p>")
    parts.append("<h2>Settings</h2><table>" + "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in settings_rows(jobs, labels)) + "</table>")
    parts.append("<h2>Results</h2><p class='small'>Lead times are for the cohort of LORs received between the "
                 "end of the warm-up and the horizon; mean [95% interval across replications]. The change is "
                 "the scenario minus the reference, paired by replication, with its 95% interval; if the "
                 "interval excludes 0 the change is unlikely to be noise. Censored share: cohort cases that "
                 "had not reached the milestone when the run ended (marked (!) above "
                 f"{100 * CENSORED_WARN:.0f}%: the mean then understates the lead time).</p>")
    parts.append(_results_table(table, ref) if ok else "<p class='warn'>No job completed.</p>")
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
        for fig in figures:
            src, title = _img(Path(multirun_dir) / fig.path), html.escape(fig.title)
            parts.append(f"<figure><img src='{src}' alt='{title}'><figcaption><b>{title}.</b> "
                         f"{html.escape(fig.caption)}</figcaption></figure>")
    parts.append(f"<p class='small'>Made by <code>python -m sim.report</code> on "
                 f"{time.strftime('%Y-%m-%d %H:%M')}. The numbers are in comparison.csv next to this page.</p>"
                 "</body></html>")
    return "\n".join(parts)


# --------------------------------------------------------------------------- the report

def make_report(multirun_dir: Path, reference: Optional[str] = None) -> dict:
    """Write comparison.csv, figures, report.html and report.json into ``multirun_dir``.

    Returns the report.json record.  ReportError if the directory holds no jobs; any other
    error is recorded in report.json (status "failed") and raised.
    """
    start = time.time()
    multirun_dir = Path(multirun_dir)
    jobs = read_jobs(multirun_dir)
    ok = _ok(jobs)
    record: dict[str, Any] = {
        "status": "running", "error": None, "multirun_dir": str(multirun_dir),
        "jobs": {"total": len(jobs), "ok": len(ok), "failed": len(jobs) - len(ok),
                 "failed_jobs": [{"job": j["job"], "error": j.get("error")} for j in jobs if j not in ok]},
        "reference": None, "files": [],
    }
    try:
        table, ref = comparison_table(jobs, reference)
        record["reference"] = {"label": ref.label, "job": ref.job, "source": ref.source, "note": ref.note}
        table.to_csv(multirun_dir / "comparison.csv", index=False)
        record["files"].append("comparison.csv")
        factors = sensitivity_factors(jobs)
        pr = sensitivity_prcc(table, factors) if factors else None
        if pr is not None:
            pr.to_csv(multirun_dir / "sensitivity_prcc.csv", index=False)
            record["files"].append("sensitivity_prcc.csv")
        from sim import report_figures  # matplotlib only when figures are made

        labels = scenario_labels(jobs)
        summaries = {j["job"]: j["summary"] for j in ok}
        figs = report_figures.make_report_figures(table, summaries, labels, ref, pr, multirun_dir / "figures")
        record["files"] += [str(f.path) for f in figs]
        (multirun_dir / "report.html").write_text(render_html(multirun_dir, jobs, table, ref, figs, pr),
                                                  encoding="utf-8")
        record["files"].append("report.html")
        record["status"] = "complete"
    except Exception as e:
        record.update(status="failed", error="".join(traceback.format_exception_only(type(e), e)).strip())
        raise
    finally:
        record["runtime_seconds"] = round(time.time() - start, 3)
        record["files"].append("report.json")
        write_json(multirun_dir / "report.json", record)
    return record


class ReportCallback:
    """Hydra callback: write the report when a multirun ends.  Never raises.

    It implements the interface of ``hydra.experimental.callback.Callback`` (Hydra 1.3) by duck
    typing: Hydra instantiates callbacks from ``_target_`` and calls their hooks by name, and only
    ``sim/config.py`` and ``sim/cli.py`` may import Hydra (tests/test_architecture.py).  Wire it
    with::

        hydra:
          callbacks:
            report:
              _target_: sim.report.ReportCallback
    """

    def __init__(self, reference: Optional[str] = None) -> None:
        self.reference = reference

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do before a single run."""

    def on_run_end(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do after a single run."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do before a multirun."""

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do before a job."""

    def on_job_end(self, config: Any, job_return: Any = None, **kwargs: Any) -> None:
        """Nothing to do after a job."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Report on ``config.hydra.sweep.dir``; print a one-line warning instead of raising."""
        try:
            sweep_dir = Path(str(config.hydra.sweep.dir))
            record = make_report(sweep_dir, self.reference)
            print(f"report: {sweep_dir / 'report.html'} ({record['jobs']['ok']} complete, "
                  f"{record['jobs']['failed']} failed)", file=sys.stderr)
        except Exception as e:  # a report must never turn a finished multirun into a failure
            msg = " ".join(str(e).split()) or type(e).__name__
            print(f"fms-sim report: warning: no report ({type(e).__name__}: {msg})", file=sys.stderr)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m sim.report <multirun dir> [--reference LABEL]``: 0 done, 2 bad directory, 1 error."""
    parser = argparse.ArgumentParser(prog="python -m sim.report",
                                     description="Compare the jobs of a multirun and write report.html.")
    parser.add_argument("multirun_dir", type=Path, help="a multirun directory (results/multiruns/<timestamp>)")
    parser.add_argument("--reference", default=None,
                        help="scenario label to compare against (default: the summaries' reference, else 'none')")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        record = make_report(args.multirun_dir, args.reference)
    except ReportError as e:
        print(f"fms-sim report: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        print(f"fms-sim report: error: {type(e).__name__}: {e} (details in report.json)", file=sys.stderr)
        return 1
    jobs = record["jobs"]
    print(f"{jobs['total']} job(s): {jobs['ok']} complete, {jobs['failed']} failed")
    if record["reference"]["note"]:
        print(f"note: {record['reference']['note']}")
    for f in record["files"]:
        print(args.multirun_dir / f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
