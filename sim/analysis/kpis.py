"""A run's results as tidy rows, one per (replication, metric, keys): the record ``kpis.parquet`` holds.

Every number ``summary.json`` reports about cases, pools and workload is a group-by of these rows: a mean and its
interval over the replications of one metric (``interval``), a pooled median or percentile from the replications'
1-day counts of a lead time (``pooled_quantile``), a sum of counts.  Blocks of replications merge by concatenating
their rows, so nothing is rebuilt from half-widths.

Columns (``COLUMNS``): ``scenario``, ``seed``, ``replication``, ``metric``, the keys a metric needs (``stage``,
``office``, ``fiscal_year``, ``group``, ``day``; null where a metric has none) and ``value``.  The metrics
(``METRICS`` lists them with their keys and units):

* per lead time *L* (``lor_to_offer``, ``lor_to_contract``, ``lor_to_delivery``): ``L`` the replication's mean in
  days over the cohort cases that reached the milestone (NaN if none did), ``L.censored_share``, ``L.cases``,
  ``L.reached``, ``L.censored``, and ``L.day_count`` (key ``day``: cases whose lead time is in [day, day + 1));
* cohort outcomes ``cases.delivered``, ``cases.withdrawn``, ``cases.in_progress``, ``cases.cohort``,
  ``cases.fms_cohort``, ``cases.notified`` and ``notified_share``; ``open_cases_at_horizon``,
  ``open_value_at_horizon`` ($B);
* workload over [warm-up, horizon): ``<measure>_per_year`` and ``bpc_share_of_value_accepted``; per simulated
  fiscal year: ``fiscal.<measure>`` (key ``fiscal_year``);
* the LOA metric: ``loa.<clock>.within_goal`` and ``loa.<clock>.documents`` (key ``group``: ``all``, ``loas``,
  ``amendments`` or an LOA group A to D) and ``loa.<clock>.share``;
* each office or line (key ``office``) over [warm-up, horizon): ``pool.utilisation``, ``pool.mean_queue``,
  ``pool.starts_per_year``, ``pool.queue_growth``, ``pool.cases_per_person`` (portfolio offices),
  ``pool.requests``, ``pool.starts``, ``pool.capacity`` (at the horizon);
* each stage (key ``stage``; ``office``: the offices that do its work) per cohort case: ``stage.wait_per_case``,
  ``stage.work_per_case``, ``stage.hands_on_per_case``, ``stage.slowdown_per_case``,
  ``stage.waits_on_others_per_case``, ``stage.visits_per_case``;
* run control: ``end_day``, ``stage_visits``.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.analysis.lead_times import day_counts, day_counts_quantile, merge_day_counts
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.pools import pool_window_rows
from sim.analysis.stages import STAGE_MEASURES, stage_per_case
from sim.analysis.summary_schema import DayCounts, Interval
from sim.analysis.tally import CLOCKS, OUTCOMES, RepTally, share
from sim.analysis.workload import GROUPS, MEASURES
from sim.engine.clock import DAYS_PER_YEAR

COLUMNS = ["scenario", "seed", "replication", "metric", "stage", "office", "fiscal_year", "group", "day", "value"]
KEYS = ("stage", "office", "fiscal_year", "group", "day")
POOL_METRICS = ("utilisation", "mean_queue", "starts_per_year", "queue_growth", "cases_per_person", "requests",
                "starts", "capacity")
LOA_PARTS = ("all", "loas", "amendments", *(f"group:{g}" for g in GROUPS))


def _metrics() -> dict[str, tuple[tuple[str, ...], str]]:
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for lead in LEAD_TIMES:
        out.update({lead: ((), "days"), f"{lead}.censored_share": ((), "share"), f"{lead}.cases": ((), "cases"),
                    f"{lead}.reached": ((), "cases"), f"{lead}.censored": ((), "cases"),
                    f"{lead}.day_count": (("day",), "cases")})
    out.update({f"cases.{o}": ((), "cases") for o in (*OUTCOMES, "cohort", "fms_cohort", "notified")})
    out.update({"notified_share": ((), "share"), "open_cases_at_horizon": ((), "cases"),
                "open_value_at_horizon": ((), "$B")})
    out.update({f"{m}_per_year": ((), "per year") for m in MEASURES})
    out["bpc_share_of_value_accepted"] = ((), "share")
    out.update({f"fiscal.{m}": (("fiscal_year",), "per fiscal year") for m in MEASURES})
    for clock in CLOCKS:
        out.update({f"loa.{clock}.within_goal": (("group",), "documents"),
                    f"loa.{clock}.documents": (("group",), "documents"), f"loa.{clock}.share": ((), "share")})
    out.update({f"pool.{m}": (("office",), "see pool_window_rows") for m in POOL_METRICS})
    out.update({f"stage.{m}": (("stage", "office"), "visits" if m == "visits_per_case" else "days")
                for m in STAGE_MEASURES})
    out.update({"end_day": ((), "days"), "stage_visits": ((), "visits")})
    return out


METRICS = _metrics()  # metric -> (its keys, its unit)


def kpi_rows(tallies: Sequence[RepTally], windows: pd.DataFrame, *, scenario: str, seed: int, warmup: float,
             horizon: float, start_fiscal_year: int, end_days: Sequence[float] = (),
             events: Sequence[int] = (), totals: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The tidy rows of a run, replication by replication in the order of ``tallies`` (see the module);
    ``totals`` are the stage totals (``sim.analysis.stages.stage_totals``)."""
    rows: list[dict[str, Any]] = []
    yrs = (horizon - warmup) / DAYS_PER_YEAR
    pools = pool_window_rows(windows)
    stages = stage_per_case(totals, [t.replication for t in tallies]) if totals is not None else {}
    for i, t in enumerate(tallies):
        def add(metric: str, value: Optional[float], **keys: Any) -> None:
            rows.append({"replication": t.replication, "metric": metric,  # noqa: B023 (called in this iteration)
                         "value": math.nan if value is None else float(value), **keys})

        for lead, lt in t.lead_times.items():
            add(lead, float(pd.Series(lt.values).mean()) if len(lt.values) else None)
            add(f"{lead}.censored_share", lt.censored / lt.cases if lt.cases else None)
            add(f"{lead}.cases", lt.cases)
            add(f"{lead}.reached", len(lt.values))
            add(f"{lead}.censored", lt.censored)
            dc = day_counts(lt.values)
            for k, n in enumerate(dc["counts"]):
                if n:
                    add(f"{lead}.day_count", n, day=dc["first_day"] + k)
        for outcome in (*OUTCOMES, "cohort"):
            add(f"cases.{outcome}", t.outcomes[outcome])
        add("cases.fms_cohort", t.fms_cohort)
        add("cases.notified", t.fms_notified)
        add("notified_share", t.fms_notified / t.fms_cohort if t.fms_cohort else None)
        add("open_cases_at_horizon", t.open_at_horizon)
        add("open_value_at_horizon", t.open_value_at_horizon)
        for m in MEASURES:
            add(f"{m}_per_year", t.window[m] / yrs)
            for y, amount in enumerate(t.fiscal[m]):
                add(f"fiscal.{m}", amount, fiscal_year=start_fiscal_year + y)
        accepted = t.window["value_accepted"]
        add("bpc_share_of_value_accepted", t.window["bpc_value_accepted"] / accepted if accepted > 0 else None)
        for clock in CLOCKS:
            for part in LOA_PARTS:
                within, n = t.loa[clock][part]
                group = part.removeprefix("group:")
                add(f"loa.{clock}.within_goal", within, group=group)
                add(f"loa.{clock}.documents", n, group=group)
            add(f"loa.{clock}.share", share(t.loa[clock]["all"]))
        for rec in pools.get(t.replication, []):
            for m in POOL_METRICS:
                add(f"pool.{m}", rec[m], office=rec["pool"])
        for stage, (offices, values) in stages.items():
            for m in STAGE_MEASURES:
                add(f"stage.{m}", values[m].iloc[i], stage=stage, office=offices)
        if i < len(end_days):
            add("end_day", end_days[i])
        if i < len(events):
            add("stage_visits", events[i])
    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("scenario", "seed")])
    df.insert(0, "seed", np.int64(seed))
    df.insert(0, "scenario", scenario)
    df["fiscal_year"] = df["fiscal_year"].astype("Int64")
    df["day"] = df["day"].astype("Int64")
    df["replication"] = df["replication"].astype(np.int64)
    return df


def select(kpis: pd.DataFrame, metric: str, **keys: Any) -> pd.DataFrame:
    """The rows of one metric (and keys), in their order."""
    mask = kpis["metric"] == metric
    for k, v in keys.items():
        mask &= kpis[k] == v
    return kpis[mask]


def per_replication(kpis: pd.DataFrame, metric: str, **keys: Any) -> list[Optional[float]]:
    """One metric's value per replication, in row order (None for NaN)."""
    return [None if v != v else float(v) for v in select(kpis, metric, **keys)["value"]]


def interval(kpis: pd.DataFrame, metric: str, **keys: Any) -> Interval:
    """Mean and 95% Student-t interval over the replications of one metric (NaN replications left out)."""
    return mean_ci(per_replication(kpis, metric, **keys))


def pooled_day_counts(kpis: pd.DataFrame, lead: str) -> DayCounts:
    """The 1-day counts of a lead time over every replication in ``kpis``."""
    rows = select(kpis, f"{lead}.day_count")
    if rows.empty:
        return merge_day_counts([])
    total = rows.groupby("day", sort=True)["value"].sum()
    first = int(total.index.min())
    counts = np.zeros(int(total.index.max()) - first + 1, dtype=np.int64)
    counts[total.index.to_numpy(dtype=np.int64) - first] = total.to_numpy(dtype=np.int64)
    return {"first_day": first, "counts": counts.tolist()}


def pooled_quantile(kpis: pd.DataFrame, lead: str, q: float) -> Optional[float]:
    """The q-quantile of a lead time over every replication's cases, within one day of the exact one."""
    return day_counts_quantile(pooled_day_counts(kpis, lead), q)
