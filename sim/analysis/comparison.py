"""The comparison of a multirun's jobs: pure computations on job records (no file is read here).

Job records are plain dicts (``job``, ``status``, ``error``, ``overrides``, ``scenario`` and the job's
``summary``: a :class:`~sim.analysis.summary_schema.Summary`), as ``sim.output.multirun`` reads them.
The functions return DataFrames or plain values, so they are tested on hand-made numbers: the columns
of comparison.csv (``COLUMNS``, ``NUMERIC``, ``COUNTS``), ``metric_rows``, ``replication_rows``,
``paired_differences``, ``comparison_table``, ``sensitivity_prcc`` and ``scenario_order``; the reference comes
from ``sim.analysis.reference`` (re-exported here).

The change against the reference is **paired**: replication *r* of every scenario sees the same
cases and draws (common random numbers), so the change is computed replication by replication
(scenario minus reference), and its 95% Student-t interval is taken over those
per-replication differences.  The per-replication values are the jobs' tidy rows (``kpis.parquet``, the record)
where the caller passes them; the means and intervals of each job are its summary's, a group-by of the same
rows.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.analysis.labels import scenario_labels
from sim.analysis.metrics import LEAD_TIMES, METRICS
from sim.analysis.reference import (  # noqa: F401 (part of this module's interface)
    DEFAULT_REFERENCE,
    Reference,
    complete_jobs,
    resolve_reference,
    seed_of,
    sensitivity_factors,
)
from sim.analysis.sensitivity import prcc

COLUMNS = ["job", "scenario", "label", "status", "error", "metric", "mean", "ci_low", "ci_high",
           "half_width", "n_reps", "replications", "median", "p90", "censored_share", "reference", "reference_job",
           "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct",
           "seed", "overrides", "point"]
NUMERIC = ["mean", "ci_low", "ci_high", "half_width", "median", "p90", "censored_share",
           "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_pct"]
COUNTS = ["n_reps", "reference_job", "diff_n", "seed", "point"]  # whole numbers, possibly missing


def _num(x: Any) -> float:
    """A float, NaN for a missing (or non-numeric) value."""
    try:
        return math.nan if x is None else float(x)
    except (TypeError, ValueError):
        return math.nan


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
            status = "missing" if base["status"] == "missing" else "failed"
            rows.append({**base, "status": status, "error": j.get("error") or "unknown error"})
            continue
        sens = s.get("sensitivity") or {}
        extra = {"seed": s.get("seed"), "point": sens.get("point"),
                 "replications": id_ranges(replication_ids(s, int(s.get("replications") or 0)))}
        for f in factors:
            extra[factor_column(f)] = _num((sens.get("factors") or {}).get(f))
        extra.update(uncertainty_columns(s))
        extra.update(cost_columns(s))
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


def uncertainty_columns(summary: Mapping) -> dict[str, Any]:
    """A job's point of an uncertainty study (``u_point`` of ``u_points``) and each input's quantile there
    (``q:<input>``), for ``sim.analysis.uncertainty``; nothing for a job of another study."""
    u = summary.get("uncertainty")
    if not u:
        return {}
    return {"u_point": u.get("point"), "u_points": u.get("points"),
            **{f"q:{k}": _num(v) for k, v in (u.get("quantiles") or {}).items()}}


def cost_columns(summary: Mapping) -> dict[str, Any]:
    """A job's cost a year in $M (``cost_musd``, ``cost_low``, ``cost_high``; NaN when unknown), from its summary
    (``sim.model.costs``); nothing for a summary written before costs were recorded."""
    c = summary.get("cost")
    if not c:
        return {}
    return {"cost_musd": _num(c.get("likely")), "cost_low": _num(c.get("low")), "cost_high": _num(c.get("high"))}


def id_ranges(ids: Iterable[int]) -> str:
    """Replication numbers as ranges: [0, 1, 2, 5, 6] -> "0-2,5-6"."""
    out: list[str] = []
    for r in sorted(set(int(i) for i in ids)):
        if out and int(out[-1].split("-")[-1]) == r - 1:
            out[-1] = f"{out[-1].split('-')[0]}-{r}"
        else:
            out.append(str(r))
    return ",".join(out)


def replication_ids(summary: Mapping, n: int) -> list[int]:
    """The replication number of each of ``n`` per_replication entries: ``replication_ids``, or 0..n-1 for a
    summary written before it existed (every run then started at replication 0)."""
    ids = summary.get("replication_ids")
    return [int(r) for r in ids] if ids is not None and len(ids) == n else list(range(n))


def replication_rows(jobs: Sequence[Mapping], kpis: Optional[Mapping[int, pd.DataFrame]] = None) -> pd.DataFrame:
    """Per-replication values: one row per (job, metric, seed, replication number); None becomes NaN.

    A job's values are its tidy rows' (``kpis[job]``, the record); a job without rows there (a folder written
    before ``kpis.parquet`` existed, a hand-made record) gives its summary's ``per_replication`` lists, which are
    the same numbers grouped.  Pairs are matched on the seed and the replication number, never on the position in
    a list, so a scenario that ran replications 3..5 pairs with replications 3..5 of the reference run with the
    same seed (the same random streams: common random numbers)."""
    cols = ["job", "metric", "seed", "replication", "value"]
    parts, rows = [], []
    for j in complete_jobs(jobs):
        s = j["summary"]
        seed = seed_of(s)
        mine = (kpis or {}).get(j["job"])
        if mine is not None:
            picked = mine[mine["metric"].isin(METRICS)].sort_values("replication", kind="stable")
            parts.append(pd.DataFrame({"job": j["job"], "metric": picked["metric"], "seed": seed,
                                       "replication": picked["replication"], "value": picked["value"]}))
            continue
        for metric in METRICS:
            m = s["lead_times"].get(metric) if metric in LEAD_TIMES else s.get(metric)
            values = (m or {}).get("per_replication") or []
            for r, v in zip(replication_ids(s, len(values)), values):
                rows.append((j["job"], metric, seed, r, _num(v)))
    parts.append(pd.DataFrame(rows, columns=cols))
    return pd.concat([p for p in parts if len(p)] or parts[-1:], ignore_index=True)[cols].astype(
        {"job": "int64", "seed": "int64", "replication": "int64", "value": "float64"})


def paired_differences(reps: pd.DataFrame, reference_job: int, by_seed: Optional[Mapping[int, int]] = None,
                       by_job: Optional[Mapping[int, int]] = None) -> pd.DataFrame:
    """Paired change of every job against ``reference_job`` (with ``by_seed``, against the reference job run with
    the job's own seed; with ``by_job``, against the job it names), per metric.

    For each (seed, replication) present in both (and not missing in either), d_r = job_r -
    reference_r; ``diff_mean`` is the mean of d_r and the interval the 95% Student-t interval of
    the d_r (``sim.analysis.intervals.mean_ci``).  ``diff_pct`` = 100 * diff_mean / (mean of the paired
    reference values).  Columns: job, metric, diff_mean, diff_ci_low, diff_ci_high,
    diff_half_width, diff_n, diff_pct.
    """
    cols = ["job", "metric", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct"]
    if "seed" not in reps:
        reps = reps.assign(seed=np.int64(-1))
    if by_job is None:  # one reference job, or one per seed
        seeds = reps.drop_duplicates("job").set_index("job")["seed"]
        by_job = {int(j): (by_seed.get(int(sd)) if by_seed else reference_job) for j, sd in seeds.items()}
    ref = reps.loc[reps["job"].isin(set(by_job.values())), ["job", "metric", "seed", "replication", "value"]]\
        .rename(columns={"job": "ref_job", "value": "ref"})
    mine = reps.assign(ref_job=reps["job"].map(by_job)).dropna(subset=["ref_job"]).astype({"ref_job": "int64"})
    pairs = mine.merge(ref, on=["ref_job", "metric", "seed", "replication"], how="inner").dropna(
        subset=["value", "ref"])
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


def comparison_table(jobs: Sequence[Mapping], reference: Optional[str] = None,
                     kpis: Optional[Mapping[int, pd.DataFrame]] = None) -> tuple[pd.DataFrame, Reference]:
    """The tidy comparison (one row per job and metric) and the reference it was computed against; the paired
    changes from the jobs' tidy rows (``kpis``: job -> its rows) where given (``replication_rows``)."""
    ref = resolve_reference(jobs, reference)
    table = metric_rows(jobs)
    table["reference"] = ref.label
    # the job each row is paired with: the reference run with the row's own seed (the first reference job if
    # the summaries name no seeds)
    table["reference_job"] = pd.NA if ref.job is None else (
        table["job"].map(ref.by_job).astype("Int64") if ref.by_job else ref.job)
    diff_cols = ["diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct"]
    if ref.job is not None and len(table):
        diffs = paired_differences(replication_rows(jobs, kpis), ref.job, ref.by_seed, ref.by_job or None)
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
