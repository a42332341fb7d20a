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
* stage flows (keys ``stage`` and ``fiscal_year``): ``flow.arrivals`` and ``flow.completions``, visits of all
  cases in each simulated fiscal year;
* the sampled series (key ``day``: the sample day, every ``run.sample_days`` from day 0): ``series.open_cases``
  and ``series.in_process`` (cases open, and cases not yet delivered or withdrawn; a replication that ended sooner
  keeps its last counts to the longest one's last day), and per office or line (key ``office``) ``series.queue``,
  ``series.busy`` (people working) and ``series.capacity`` as sampled;
* by group of cases (key ``group``: ``partner=<name>``, ``partner_group=``, ``loa_group=``, ``platform=``,
  ``priority=``; ``sim.analysis.group_tally``): ``group.<L>`` (mean days over the group's cohort cases that
  reached it), ``group.<L>.reached``, ``group.cohort`` and ``group.open_cases_at_horizon``;
* run control: ``end_day``, ``stage_visits``.

``day`` is a float column: the day of a lead time's 1-day count is a whole number, a sample day need not be.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple, Optional, Sequence

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
from sim.analysis.year_tally import YEAR_METRICS, year_rows
from sim.engine.clock import DAYS_PER_YEAR

COLUMNS = ["scenario", "seed", "replication", "metric", "stage", "office", "fiscal_year", "group", "day", "value"]
KEYS = ("stage", "office", "fiscal_year", "group", "day")
POOL_METRICS = ("utilisation", "mean_queue", "starts_per_year", "queue_growth", "cases_per_person", "requests",
                "starts", "capacity")
LOA_PARTS = ("all", "loas", "amendments", *(f"group:{g}" for g in GROUPS))


class Metric(NamedTuple):
    keys: tuple[str, ...]  # the key columns a row of this metric sets
    unit: str
    meaning: str


_VALUE = {"loas_offered": ("LOAs", "LOAs offered"), "loa_value_accepted": ("$B", "value of LOAs accepted"),
          "amendments_offered": ("amendments", "amendments offered"),
          "amendment_value_offered": ("$B", "value amendments add, offered"),
          "modifications_offered": ("modifications", "modifications offered"),
          "value_accepted": ("$B", "value accepted, LOAs and amendments"),
          "bpc_value_accepted": ("$B", "value accepted in BPC cases"),
          "notified": ("notifications", "LOAs and amendments notified to Congress (AECA 36(b))"),
          "value_notified": ("$B", "value notified to Congress"), "value_delivered": ("$B", "value delivered")}
_POOL = {"utilisation": ("share", "share of person-time (slot-time) working over [warm-up, horizon)"),
         "mean_queue": ("cases", "mean backlog (cases waiting to start)"),
         "starts_per_year": ("cases per year", "cases started"),
         "queue_growth": ("cases", "requests minus starts over [warm-up, horizon)"),
         "cases_per_person": ("cases", "mean portfolio per person (portfolio offices; NaN for slots and lines)"),
         "requests": ("cases", "requests over [warm-up, horizon)"), "starts": ("cases", "starts over the same"),
         "capacity": ("people", "people, slots or line lots at the horizon")}


def _metrics() -> dict[str, Metric]:
    out: dict[str, Metric] = {}
    for lead in LEAD_TIMES:
        out.update({
            lead: Metric((), "days", f"mean {lead} of the cohort cases that reached it (NaN if none did)"),
            f"{lead}.censored_share": Metric((), "share", "of cohort cases neither there nor withdrawn at the end"),
            f"{lead}.cases": Metric((), "cases", "cohort cases it applies to"),
            f"{lead}.reached": Metric((), "cases", "cohort cases that reached it"),
            f"{lead}.censored": Metric((), "cases", "cohort cases censored"),
            f"{lead}.day_count": Metric(("day",), "cases", "cohort cases whose lead time is in [day, day + 1)")})
    out.update({f"cases.{o}": Metric((), "cases", f"cohort cases {o.replace('_', ' ')} at the end") for o in OUTCOMES})
    out["cases.cohort"] = Metric((), "cases", "cohort cases: LORs received in [warm-up, horizon)")
    out["cases.fms_cohort"] = Metric((), "cases", "partner-funded (FMS, not BPC) cohort cases")
    out["cases.notified"] = Metric((), "cases", "of them, notified to Congress")
    out["notified_share"] = Metric((), "share", "cases.notified / cases.fms_cohort")
    out["open_cases_at_horizon"] = Metric((), "cases", "cases open at the horizon")
    out["open_value_at_horizon"] = Metric((), "$B", "value of the open cases and their accepted amendments")
    out.update({f"{m}_per_year": Metric((), f"{unit} per year", f"{text}, per year of [warm-up, horizon)")
                for m, (unit, text) in _VALUE.items()})
    out["bpc_share_of_value_accepted"] = Metric((), "share", "BPC value accepted / value accepted")
    out.update({f"fiscal.{m}": Metric(("fiscal_year",), unit, f"{text} in the fiscal year")
                for m, (unit, text) in _VALUE.items()})
    for clock in CLOCKS:
        out.update({
            f"loa.{clock}.within_goal": Metric(("group",), "documents", f"offered within the goal from {clock}"),
            f"loa.{clock}.documents": Metric(("group",), "documents", "LOAs and amendments offered"),
            f"loa.{clock}.share": Metric((), "share", f"LOAs and amendments offered within 120 days of {clock}")})
    out.update({f"pool.{m}": Metric(("office",), unit, text) for m, (unit, text) in _POOL.items()})
    out.update({f"stage.{m}": Metric(("stage", "office"), "visits" if m == "visits_per_case" else "days",
                                     f"{m.replace('_', ' ')} (a cohort case's, over its visits)")
                for m in STAGE_MEASURES})
    out.update({f"flow.{k}": Metric(("stage", "fiscal_year"), "visits", f"visits that {verb} the stage in the "
                                    "simulated fiscal year (all cases, drain included)")
                for k, verb in (("arrivals", "arrived at"), ("completions", "finished"))})
    out["series.open_cases"] = Metric(("day",), "cases", "cases open (LOR received, not closed or withdrawn)")
    out["series.in_process"] = Metric(("day",), "cases", "cases in process (LOR received, not yet delivered or "
                                      "withdrawn)")
    out.update({f"series.{m}": Metric(("office", "day"), unit, text) for m, unit, text in (
        ("queue", "cases", "cases waiting to start at the office or line"),
        ("busy", "people", "people (slots, line lots) working at the office or line"),
        ("capacity", "people", "people, slots or line lots"))})
    out.update({m: Metric(*spec) for m, spec in YEAR_METRICS.items()})
    for lead in LEAD_TIMES:
        out[f"group.{lead}"] = Metric(("group",), "days", f"mean {lead} of the group's cohort cases that reached it")
        out[f"group.{lead}.reached"] = Metric(("group",), "cases", "the group's cohort cases that reached it")
    out["group.cohort"] = Metric(("group",), "cases", "the group's cohort cases")
    out["group.open_cases_at_horizon"] = Metric(("group",), "cases", "the group's cases open at the horizon")
    out["end_day"] = Metric((), "days", "the day the replication ended (run control)")
    out["stage_visits"] = Metric((), "visits", "stage visits simulated (run control)")
    return out


METRICS = _metrics()  # metric -> its keys, unit and meaning


def kpi_rows(tallies: Sequence[RepTally], windows: pd.DataFrame, *, scenario: str, seed: int, warmup: float,
             horizon: float, start_fiscal_year: int, end_days: Sequence[float] = (),
             events: Sequence[int] = (), totals: Optional[pd.DataFrame] = None,
             flow: Optional[pd.DataFrame] = None, samples: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The tidy rows of a run, replication by replication in the order of ``tallies`` (see the module);
    ``totals`` are the stage totals (``sim.analysis.stages.stage_totals``), ``flow`` the stage flows
    (``sim.analysis.dynamics.stage_flow``), ``samples`` the sampled pools (day, pool, queue, busy, capacity)."""
    rows: list[dict[str, Any]] = []
    yrs = (horizon - warmup) / DAYS_PER_YEAR
    pools = pool_window_rows(windows)
    stages = stage_per_case(totals, [t.replication for t in tallies]) if totals is not None else {}
    flows = dict(tuple(flow.groupby("replication", sort=False))) if flow is not None and len(flow) else {}
    sampled = dict(tuple(samples.groupby("replication", sort=False))) if samples is not None and len(samples) \
        else {}
    days = sorted(samples["day"].unique().tolist()) if samples is not None and len(samples) else []
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
        mine = flows.get(t.replication)
        if mine is not None:
            for stage, year, arrived, finished in zip(mine["stage"], mine["year"], mine["arrivals"],
                                                      mine["completions"]):
                add("flow.arrivals", arrived, stage=stage, fiscal_year=start_fiscal_year + int(year))
                add("flow.completions", finished, stage=stage, fiscal_year=start_fiscal_year + int(year))
        for name, ended in (("open_cases", t.open_ended), ("in_process", t.process_ended)):
            for day, n in zip(days, _padded(t.open_started - ended, len(days))):
                add(f"series.{name}", n, day=day)
        mine = sampled.get(t.replication)
        for metric, value, keys in year_rows(t.yearly, mine, start_fiscal_year):
            add(metric, value, **keys)
        if mine is not None:
            for m in ("queue", "busy", "capacity"):
                for office, day, v in zip(mine["pool"], mine["day"], mine[m]):
                    add(f"series.{m}", v, office=office, day=day)
        for group, values in t.groups.items():
            for name, value in values.items():
                add(f"group.{name}", value, group=group)
        if i < len(end_days):
            add("end_day", end_days[i])
        if i < len(events):
            add("stage_visits", events[i])
    df = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("scenario", "seed")])
    df.insert(0, "seed", np.int64(seed))
    df.insert(0, "scenario", scenario)
    df["fiscal_year"] = df["fiscal_year"].astype("Int64")
    df["day"] = df["day"].astype("float64")
    df["replication"] = df["replication"].astype(np.int64)
    return df


def _padded(counts: np.ndarray, days: int) -> np.ndarray:
    """The first ``days`` counts; a replication that ended sooner keeps its last count."""
    if len(counts) >= days:
        return counts[:days]
    return np.concatenate([counts, np.full(days - len(counts), counts[-1] if len(counts) else 0)])


def select(kpis: pd.DataFrame, metric: str, **keys: Any) -> pd.DataFrame:
    """The rows of one metric (and keys), in their order."""
    mask = kpis["metric"] == metric
    for k, v in keys.items():
        mask &= kpis[k] == v
    return kpis[mask]


def _one_run(rows: pd.DataFrame, metric: str, per_replication: bool = True) -> pd.DataFrame:
    """``rows`` if they are of one scenario and seed (and, ``per_replication``, one per replication); ValueError
    otherwise: pooling two scenarios' replications would answer no question."""
    runs = rows[["scenario", "seed"]].drop_duplicates() if {"scenario", "seed"} <= set(rows.columns) else ()
    if len(runs) > 1:
        raise ValueError(f"{metric}: rows of {len(runs)} scenarios or seeds; allowed: one job's rows "
                         "(or one scenario's blocks), e.g. kpis[kpis['scenario'] == ...]")
    if per_replication and "replication" in rows.columns and rows["replication"].duplicated().any():
        raise ValueError(f"{metric}: a replication appears twice; allowed: one row per replication (add its keys)")
    return rows


def per_replication(kpis: pd.DataFrame, metric: str, **keys: Any) -> list[Optional[float]]:
    """One metric's value per replication, in row order (None for NaN); ValueError for rows of several scenarios
    or seeds, or a replication twice (a key left out)."""
    return [None if v != v else float(v) for v in _one_run(select(kpis, metric, **keys), metric)["value"]]


def interval(kpis: pd.DataFrame, metric: str, **keys: Any) -> Interval:
    """Mean and 95% Student-t interval over the replications of one metric (NaN replications left out)."""
    return mean_ci(per_replication(kpis, metric, **keys))


def pooled_day_counts(kpis: pd.DataFrame, lead: str) -> DayCounts:
    """The 1-day counts of a lead time over every replication in ``kpis``."""
    rows = _one_run(select(kpis, f"{lead}.day_count"), lead, per_replication=False)
    if rows.empty:
        return merge_day_counts([])
    total = rows.groupby("day", sort=True)["value"].sum()
    first = int(total.index.min())
    counts = np.zeros(int(total.index.max()) - first + 1, dtype=np.int64)
    counts[total.index.to_numpy(dtype=np.int64) - first] = total.to_numpy(dtype=np.int64)
    return {"first_day": first, "counts": counts.tolist()}


def pooled_quantile(kpis: pd.DataFrame, lead: str, q: float) -> Optional[float]:
    """The q-quantile of a lead time over every replication's cases (``lead_times.day_counts_quantile``: within a
    day of the exact one where the cases are many)."""
    return day_counts_quantile(pooled_day_counts(kpis, lead), q)
