"""The sections of ``summary.json`` as group-bys of a run's tidy rows (``sim.analysis.kpis``).

A job's summary and a precision study's scenario merged from its blocks are made by the same functions, the
blocks' rows simply concatenated: every replication counts in every section, and nothing is rebuilt from
half-widths.  The rows must be in replication order (a job writes them so; ``in_replication_order`` sorts
concatenated blocks).  Counts come back as integers, as the summary has always written them.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis import dynamics
from sim.analysis.intervals import mean_ci
from sim.analysis.kpis import POOL_METRICS, interval, per_replication, pooled_day_counts, select
from sim.analysis.lead_times import HIST_BIN_DAYS, day_counts_quantile
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.pools import pool_stats, unstable_pools
from sim.analysis.stages import STAGE_MEASURES, stage_record
from sim.analysis.summary_schema import (
    FiscalYears,
    Histogram,
    IntervalSeries,
    LeadTime,
    LoaMetric,
    Outcomes,
    PoolStats,
    Series,
    StageTime,
    WarmupCheck,
    Workload,
)
from sim.analysis.tally import CLOCKS, OUTCOMES
from sim.analysis.workload import GOAL_DAYS, GROUPS, MEASURES
from sim.model.process import STAGES


def in_replication_order(kpis: pd.DataFrame) -> pd.DataFrame:
    """Concatenated blocks' rows sorted by replication, each replication's rows kept in their order."""
    return kpis.sort_values("replication", kind="stable").reset_index(drop=True)


def replication_ids(kpis: pd.DataFrame) -> list[int]:
    return [int(r) for r in dict.fromkeys(kpis["replication"])]


def _counts(kpis: pd.DataFrame, metric: str, **keys: Any) -> list[Any]:
    return [None if v is None else int(v) for v in per_replication(kpis, metric, **keys)]


def _series(values: Sequence[Any]) -> IntervalSeries:
    return {**mean_ci(values), "per_replication": list(values)}  # type: ignore[typeddict-item]


def outcomes(kpis: pd.DataFrame) -> Outcomes:
    """Cohort outcomes and the notified share, per replication and with intervals."""
    res: dict[str, Any] = {o: _series(_counts(kpis, f"cases.{o}")) for o in (*OUTCOMES, "cohort")}
    res["notified_share"] = _series([math.nan if v is None else v for v in per_replication(kpis, "notified_share")])
    return res  # type: ignore[return-value]


def open_cases(kpis: pd.DataFrame) -> IntervalSeries:
    return _series(_counts(kpis, "open_cases_at_horizon"))


def workload(kpis: pd.DataFrame) -> Workload:
    """Per-year means over [warm-up, horizon) with intervals, the BPC share of value accepted, the open value."""
    names = [f"{m}_per_year" for m in MEASURES] + ["bpc_share_of_value_accepted", "open_value_at_horizon"]
    return {name: interval(kpis, name) for name in names}  # type: ignore[return-value]


def fiscal_years(kpis: pd.DataFrame, start_fiscal_year: int, years: int) -> FiscalYears:
    """Per measure, the mean over replications of each simulated fiscal year's amount, placed by the rows' own
    fiscal year; NaN (null in JSON) for a year no replication has a row of (one before an exact state's day)."""
    reps = replication_ids(kpis)
    out: dict[str, list] = {"fiscal_year": [start_fiscal_year + y for y in range(years)]}
    for m in MEASURES:
        rows = select(kpis, f"fiscal.{m}")
        total, seen = np.zeros(years), np.zeros(years)
        for r in reps:
            mine = rows[rows["replication"] == r]
            at = (mine["fiscal_year"] - start_fiscal_year).to_numpy(dtype=np.int64)
            keep = (at >= 0) & (at < years)
            total[at[keep]] += mine["value"].to_numpy()[keep]
            seen[at[keep]] += 1
        out[m] = [t / n if n else float("nan") for t, n in zip(total.tolist(), seen.tolist())]
    return out  # type: ignore[return-value]


def _pooled(kpis: pd.DataFrame, clock: str, part: str) -> Optional[float]:
    group = part.removeprefix("group:")
    within = sum(_counts(kpis, f"loa.{clock}.within_goal", group=group))
    n = sum(_counts(kpis, f"loa.{clock}.documents", group=group))
    return within / n if n else None


def loa_metric(kpis: pd.DataFrame, goal: float = GOAL_DAYS) -> LoaMetric:
    """DSCA's LOA metric: the share offered within ``goal`` days, per replication and pooled by part and group."""
    out: dict[str, Any] = {"goal_days": goal, "documents": {
        k: sum(_counts(kpis, "loa.lor_received.documents", group=k)) for k in ("loas", "amendments")}}
    for clock in CLOCKS:
        out[clock] = {"loas_and_amendments": interval(kpis, f"loa.{clock}.share"),
                      "loas_only": _pooled(kpis, clock, "loas"),
                      "amendments_only": _pooled(kpis, clock, "amendments"),
                      "by_group": {g: _pooled(kpis, clock, f"group:{g}") for g in GROUPS}}
    return out  # type: ignore[return-value]


def pools(kpis: pd.DataFrame) -> list[PoolStats]:
    """Each office and line over [warm-up, horizon): utilisation, backlog, throughput, with intervals."""
    out = []
    for office in dict.fromkeys(select(kpis, "pool.utilisation")["office"]):
        columns = {m: select(kpis, f"pool.{m}", office=office)["value"].tolist() for m in POOL_METRICS}
        records = [dict(zip(columns, row)) for row in zip(*columns.values())]
        out.append(pool_stats(str(office), records))
    return out


def stages(kpis: pd.DataFrame) -> list[StageTime]:
    """Per stage, in process order: wait and work per cohort case, with intervals over replications.  A replication
    without rows of a stage (its cohort never visited it: in a merged study, a block where no replication did)
    counts as zero, or as no value if it had no cohort case, as in ``stages.stage_per_case``."""
    rows = kpis[kpis["metric"] == "stage.wait_per_case"]
    reps = replication_ids(kpis)
    cohort = select(kpis, "cases.cohort")
    has_cohort = dict(zip(cohort["replication"], cohort["value"] > 0))
    order = {s: i for i, s in enumerate(STAGES)}
    out = []
    for stage in sorted(dict.fromkeys(rows["stage"]), key=lambda s: order.get(str(s), len(order))):
        offices = list(dict.fromkeys(rows.loc[rows["stage"] == stage, "office"].astype(str)))
        values = {}
        for m in STAGE_MEASURES:
            mine = select(kpis, f"stage.{m}", stage=stage)
            by_rep = dict(zip(mine["replication"], mine["value"]))
            values[m] = [float(by_rep[r]) if r in by_rep else (0.0 if has_cohort.get(r) else math.nan) for r in reps]
        out.append(stage_record(str(stage), offices[0] if len(offices) == 1 else ", ".join(sorted(offices)), values))
    return out


def histogram(days: dict, bin_days: float = HIST_BIN_DAYS) -> Histogram:
    """The 30-day histogram from 1-day counts: exact, since each day lies within one bin."""
    counts = np.asarray(days["counts"], dtype=np.int64)
    if not counts.sum():
        return {"bin_days": bin_days, "edges": [0.0], "counts": []}
    last = days["first_day"] + len(counts)  # one past the last day with a case
    nbins = int(math.ceil(max(last, bin_days) / bin_days))
    binned = np.zeros(nbins, dtype=np.int64)
    np.add.at(binned, (days["first_day"] + np.arange(len(counts))) // int(bin_days), counts)
    return {"bin_days": bin_days, "edges": (np.arange(nbins + 1) * bin_days).tolist(), "counts": binned.tolist()}


def lead_time(kpis: pd.DataFrame, name: str) -> LeadTime:
    """A lead time from the rows: per-replication means and their interval, counts, and the pooled median, p90
    and histogram from the 1-day counts (where cases are many, within a day of those of the cases themselves)."""
    cases = sum(_counts(kpis, f"{name}.cases"))
    censored = sum(_counts(kpis, f"{name}.censored"))
    days = pooled_day_counts(kpis, name)
    per = per_replication(kpis, name)
    return {"name": name, "milestone": LEAD_TIMES[name], **mean_ci(per),  # type: ignore[typeddict-item]
            "median": day_counts_quantile(days, 0.5), "p90": day_counts_quantile(days, 0.9),
            "censored_share": censored / cases if cases else None, "cases": cases,
            "reached": sum(_counts(kpis, f"{name}.reached")), "per_replication": per,
            "per_replication_censored_share": per_replication(kpis, f"{name}.censored_share"),
            "censored": censored, "histogram": histogram(days), "day_counts": days}


def yearly_flow(kpis: pd.DataFrame, years: int, start_fiscal_year: int) -> dict[str, Any]:
    """Each stage's arrivals and completions by simulated year, means over replications (``dynamics.yearly_flow``
    on the flows the rows hold)."""
    rows = kpis[kpis["metric"].isin(("flow.arrivals", "flow.completions"))]
    if rows.empty:
        return {}
    flow = rows.pivot_table(index=["replication", "stage", "fiscal_year"], columns="metric", values="value",
                            aggfunc="first", sort=False).reset_index()
    flow = pd.DataFrame({"replication": flow["replication"], "stage": flow["stage"].astype(str),
                         "year": (flow["fiscal_year"] - start_fiscal_year).astype("int64"),
                         "arrivals": flow["flow.arrivals"], "completions": flow["flow.completions"]})
    return dynamics.yearly_flow(flow, years, start_fiscal_year)


def series(kpis: pd.DataFrame) -> Series:
    """The sampled series, means over replications per sample day: open cases and cases in process (every
    replication, a shorter one keeping its last counts to the last day: in a merged study, across blocks too) and
    each office's queue, busy share and capacity (the replications that sampled the day)."""
    days = sorted(kpis.loc[kpis["metric"] == "series.open_cases", "day"].unique().tolist())

    def mean(metric: str) -> list[float]:
        rows = kpis[kpis["metric"] == metric]
        wide = rows.pivot(index="day", columns="replication", values="value").reindex(days).ffill()
        return wide.mean(axis=1).tolist()

    rows = kpis[kpis["metric"].isin(("series.queue", "series.busy", "series.capacity"))]
    by = rows.groupby(["office", "day", "metric"], sort=False)["value"].mean()
    out: dict[str, Any] = {}
    for office in dict.fromkeys(rows["office"]):
        mine = by.loc[office].unstack("metric")
        out[str(office)] = {"day": mine.index.tolist(), "queue": mine["series.queue"].tolist(),
                            "busy": mine["series.busy"].tolist(), "capacity": mine["series.capacity"].tolist()}
    return {"day": days, "open_cases": mean("series.open_cases"), "in_process": mean("series.in_process"),
            "pools": out}  # type: ignore[typeddict-item]


def warmup_check(kpis: pd.DataFrame, warmup: float, horizon: float) -> WarmupCheck:
    """MSER-5 on the mean series of cases in process against the warm-up used (``dynamics.warmup_check``)."""
    s = series(kpis)
    return dynamics.warmup_check(s["day"], s["in_process"], warmup, horizon)


def sections(kpis: pd.DataFrame, start_fiscal_year: int, years: int, warmup: float, horizon: float) -> dict[str, Any]:
    """Every section of a summary that the rows hold (lead times from the 1-day counts)."""
    pool_stats = pools(kpis)
    return {
        "series": series(kpis), "warmup_check": warmup_check(kpis, warmup, horizon),
        "lead_times": {name: lead_time(kpis, name) for name in LEAD_TIMES},
        "cases": outcomes(kpis), "open_cases_at_horizon": open_cases(kpis), "pools": pool_stats,
        "unstable": unstable_pools(pool_stats), "fiscal_years": fiscal_years(kpis, start_fiscal_year, years),
        "workload": workload(kpis), "loa_metric": loa_metric(kpis), "stages": stages(kpis),
        "yearly_flow": yearly_flow(kpis, years, start_fiscal_year),
        "replication_ids": replication_ids(kpis), "end_day_per_replication": per_replication(kpis, "end_day"),
        "stage_visits_per_replication": _counts(kpis, "stage_visits"),
    }
