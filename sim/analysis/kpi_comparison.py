"""Paired changes of any metric in the jobs' tidy rows (``kpis.parquet``), not only the lead times.

``comparison.csv`` compares the three lead times and the open cases; a study of notification thresholds asks how
many cases are notified, a staffing study how busy an office is.  :func:`kpi_comparison` compares every metric in
``COMPARED`` (and each office's measures in ``OFFICE_METRICS``) the same way: per job its mean and 95% interval
over replications, and the paired change against the reference job run with the same seed, replication by
replication (``sim.analysis.comparison.paired_differences``).  A pure function of rows: tested on hand-made ones.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.analysis.comparison import Reference, paired_differences
from sim.analysis.intervals import mean_ci
from sim.analysis.kpis import METRICS
from sim.analysis.metrics import LEAD_TIMES

# key-free metrics compared: lead times, outcomes, notification, backlog and workload (see sim.analysis.kpis)
COMPARED = tuple(m for m, metric in METRICS.items()
                 if not metric.keys and not m.startswith(("end_day", "stage_visits"))
                 and not m.endswith((".cases", ".reached", ".censored")))
OFFICE_METRICS = ("pool.utilisation", "pool.mean_queue", "pool.starts_per_year", "pool.cases_per_person")
# by group of cases (partner, partner group, LOA group, platform, priority; sim.analysis.group_tally)
GROUP_METRICS = (*(f"group.{lead}" for lead in LEAD_TIMES), "group.cohort", "group.open_cases_at_horizon")
GROUP_COUNTS = ("group.cohort{", "group.open_cases_at_horizon{")  # counts: a group absent from a replication has 0
COLUMNS = ["job", "label", "metric", "office", "group", "unit", "meaning", "mean", "ci_low", "ci_high", "half_width",
           "n_reps", "reference", "reference_job", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width",
           "diff_n", "diff_pct"]


def replication_values(kpis: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """One row per (job, metric, seed, replication) for the compared metrics; an office's measure is named
    ``pool.<measure>[<office>]``, a group's ``group.<measure>{<group>}``."""
    parts = []
    for job, rows in kpis.items():
        base = rows[rows["metric"].isin(COMPARED)]
        office = rows[rows["metric"].isin(OFFICE_METRICS)]
        office = office.assign(metric=office["metric"] + "[" + office["office"].astype(str) + "]")
        parts_of_job = [base, office]
        if "group" in rows.columns:  # rows made before groups were tallied have none
            group = rows[rows["metric"].isin(GROUP_METRICS)]
            parts_of_job.append(group.assign(metric=group["metric"] + "{" + group["group"].astype(str) + "}"))
        both = pd.concat(parts_of_job)[["metric", "seed", "replication", "value"]]
        parts.append(both.assign(job=np.int64(job)))
    cols = ["job", "metric", "seed", "replication", "value"]
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)[cols].astype(
        {"job": "int64", "seed": "int64", "replication": "int64", "value": "float64"})
    counts = out["metric"].str.startswith(GROUP_COUNTS)
    if counts.any():  # a group absent from a replication had none of its cases there: 0, not a missing value
        keys = ["job", "seed", "replication"]
        full = out[keys].drop_duplicates().merge(pd.DataFrame({"metric": out.loc[counts, "metric"].unique()}),
                                                 how="cross")
        filled = full.merge(out[counts], on=[*keys, "metric"], how="left").fillna({"value": 0.0})
        out = pd.concat([out[~counts], filled[cols]], ignore_index=True)
    return out


def _split(metric: str) -> tuple[str, str, str]:
    """(metric, office, group) of a compared metric's name."""
    name, _, group = metric.partition("{")
    name, _, office = name.partition("[")
    return name, office.rstrip("]"), group.rstrip("}")


def kpi_comparison(kpis: Mapping[int, pd.DataFrame], ref: Reference, labels: Mapping[int, str],
                   order: Sequence[int] = ()) -> pd.DataFrame:
    """Per job (in ``order``, else by number) and compared metric: mean and interval over replications, and the
    paired change against the reference (NaN where the job has no reference of its seed, or none exists)."""
    reps = replication_values(kpis)
    paired = ref.job is not None and len(reps)
    diffs = paired_differences(reps, ref.job, ref.by_seed, ref.by_job or None) if paired else None
    found = {}  # the first paired row of each (job, metric), looked up once (a filter per row was quadratic)
    if diffs is not None:
        for d in diffs.drop_duplicates(["job", "metric"]).to_dict("records"):
            found[(d.pop("job"), d.pop("metric"))] = d
    values = {key: v["value"].tolist() for key, v in reps.groupby(["job", "metric"], sort=False)}
    rows = []
    for job in list(order) or sorted(kpis):
        for metric in dict.fromkeys(reps.loc[reps["job"] == job, "metric"]):
            ci = mean_ci(values[(job, metric)])
            name, office, group = _split(metric)
            row = {"job": job, "label": labels.get(job, str(job)), "metric": name, "office": office or None,
                   "group": group or None,
                   "unit": METRICS[name].unit if name in METRICS else "",
                   "meaning": METRICS[name].meaning if name in METRICS else "", **{k: ci[k] for k in
                   ("mean", "ci_low", "ci_high", "half_width")}, "n_reps": ci["n"], "reference": ref.label,
                   "reference_job": ref.by_job.get(job) if ref.by_job else ref.job}
            row.update(found.get((job, metric), {}))
            rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    rank = {m: i for i, m in enumerate((*LEAD_TIMES, *COMPARED, *OFFICE_METRICS, *GROUP_METRICS))}  # lead times first
    position = {job: i for i, job in enumerate(list(order) or sorted(kpis))}
    table = table.assign(_r=table["metric"].map(rank), _o=table["office"].fillna("") + table["group"].fillna(""),
                         _j=table["job"].map(position))
    return table.sort_values(["_r", "_o", "_j"], kind="stable").drop(columns=["_r", "_o", "_j"]).astype(
        {"n_reps": "Int64", "reference_job": "Int64", "diff_n": "Int64"}).reset_index(drop=True)
