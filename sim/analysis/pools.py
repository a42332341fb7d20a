"""Staff pools and production lines: utilisation, queues and throughput between two snapshots."""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.analysis.summary_schema import PoolStats
from sim.engine.clock import DAYS_PER_YEAR


def _window_deltas(windows: pd.DataFrame, start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = windows[windows["at"] == start].set_index(["replication", "pool"])
    b = windows[windows["at"] == end].set_index(["replication", "pool"])
    cols = ["day", "queue_area", "busy_area", "capacity_area", "requests", "starts", "releases"]
    cols += ["cases_area"] if "cases_area" in windows.columns else []
    return b[cols] - a[cols], b


def pool_window_rows(windows: pd.DataFrame, start: str = "warmup", end: str = "horizon") -> dict[int, list[dict]]:
    """Per replication, each pool's measures between two snapshots: utilisation (share of person-time working),
    mean_queue (cases), starts_per_year, queue_growth (requests - starts, cases), cases_per_person (portfolio
    offices, else NaN), requests, starts and capacity (at ``end``)."""
    if windows.empty:
        return {}
    d, b = _window_deltas(windows, start, end)
    has_cases = "cases_area" in d.columns
    out: dict[int, list[dict]] = {}
    for (rep, pool), row in d.iterrows():
        cases = row["cases_area"] / row["capacity_area"] if has_cases and row["cases_area"] == row["cases_area"] \
            else float("nan")
        out.setdefault(int(rep), []).append({
            "pool": pool, "utilisation": row["busy_area"] / row["capacity_area"],
            "mean_queue": row["queue_area"] / row["day"], "starts_per_year": row["starts"] / row["day"] * DAYS_PER_YEAR,
            "queue_growth": row["requests"] - row["starts"], "cases_per_person": cases, "requests": row["requests"],
            "starts": row["starts"], "capacity": b.loc[(rep, pool), "capacity"]})
    return out


def pool_stats(pool: str, records: Sequence[Mapping[str, Any]]) -> PoolStats:
    """One pool's summary from its per-replication measures (:func:`pool_window_rows`' records, in replication
    order): intervals over replications, the share of requests started, and the capacity of the first."""
    def values(m: str) -> list[float]:
        return [float(r[m]) for r in records]

    requests = math.fsum(values("requests"))
    cases = values("cases_per_person")
    return {
        "pool": pool,
        "capacity": int(records[0]["capacity"]) if records else None,
        "utilisation": mean_ci(values("utilisation")),
        "mean_queue": mean_ci(values("mean_queue")),
        "starts_per_year": mean_ci(values("starts_per_year")),
        "served_share": math.fsum(values("starts")) / requests if requests else None,
        "queue_growth": mean_ci(values("queue_growth")),  # cases, warm-up to horizon
        "per_replication_utilisation": values("utilisation"),
        # portfolio offices: mean cases per person (in portfolios, worked on or waiting on others)
        "cases_per_person": mean_ci(cases) if cases and not any(math.isnan(c) for c in cases) else None,
    }


def pool_window_stats(windows: pd.DataFrame, start: str = "warmup", end: str = "horizon") -> list[PoolStats]:
    """Utilisation, mean queue and throughput of each pool between two snapshots, with intervals.

    For a portfolio office, ``utilisation`` is the share of person-time spent working on at least one case,
    ``mean_queue`` the office's backlog, and ``cases_per_person`` the mean portfolio (None for slot pools)."""
    by_pool: dict[str, list[dict]] = {}
    for records in pool_window_rows(windows, start, end).values():
        for rec in records:
            by_pool.setdefault(rec["pool"], []).append(rec)
    return [pool_stats(pool, recs) for pool, recs in by_pool.items()]


def unstable_pools(pools: list[PoolStats], utilisation_limit: float = 0.98, served_limit: float = 0.97,
                   min_growth: float = 10.0) -> list[str]:
    """Pools whose queue grows over the cohort window: nearly always busy, or starting clearly fewer
    cases than arrive (share below ``served_limit`` and a queue that grew by more than ``min_growth``)."""
    out = []
    for p in pools:
        busy = (p["utilisation"]["mean"] or 0) >= utilisation_limit
        growth = p.get("queue_growth", {}).get("mean") or 0
        lagging = p.get("served_share") is not None and p["served_share"] < served_limit and growth > min_growth
        if busy or lagging:
            out.append(p["pool"])
    return out
