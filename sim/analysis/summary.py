"""Everything ``summary.json`` holds about a run's results, from the combined replication tables."""
from __future__ import annotations

import math
from typing import Optional, Sequence

import pandas as pd

from sim.analysis.dynamics import open_cases_at, open_cases_series, warmup_check, yearly_flow
from sim.analysis.intervals import mean_ci
from sim.analysis.lead_times import lead_time_summary, outcome_counts
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.pools import pool_window_stats, queue_series, unstable_pools
from sim.analysis.stages import stage_times
from sim.analysis.summary_schema import Results
from sim.analysis.workload import DOCUMENT_DTYPES, fiscal_years, loa_metric, workload
from sim.engine.clock import DAYS_PER_YEAR


def summarise(cases: pd.DataFrame, totals: pd.DataFrame, pools: pd.DataFrame, windows: pd.DataFrame,
              warmup: float, horizon: float, flow: Optional[pd.DataFrame] = None,
              sample_days: Optional[Sequence[float]] = None, documents: Optional[pd.DataFrame] = None,
              start_fiscal_year: int = 0, replications: Optional[Sequence[int]] = None) -> Results:
    """Everything ``summary.json`` holds, from the combined replication tables."""
    if documents is None or documents.empty:
        documents = pd.DataFrame({c: pd.Series(dtype=t) for c, t in DOCUMENT_DTYPES.items()})
    years = int(math.ceil(horizon / DAYS_PER_YEAR))
    open_h = open_cases_at(cases, horizon, replications)
    days = sorted(pools["day"].unique().tolist()) if sample_days is None else list(sample_days)
    open_series = open_cases_series(cases, days)
    in_process = open_cases_series(cases, days, until=("delivered", "withdrawn"))
    pool_stats = pool_window_stats(windows)
    return {
        "lead_times": {name: lead_time_summary(cases, name, m, replications) for name, m in LEAD_TIMES.items()},
        "cases": outcome_counts(cases, replications),
        "open_cases_at_horizon": {**mean_ci(open_h.tolist()), "per_replication": [int(x) for x in open_h]},
        "pools": pool_stats,
        "unstable": unstable_pools(pool_stats),
        "warmup_check": warmup_check(days, in_process, warmup, horizon),
        "yearly_flow": {} if flow is None else yearly_flow(flow, years, start_fiscal_year),
        "fiscal_years": fiscal_years(cases, documents, start_fiscal_year, years, replications),
        "workload": workload(cases, documents, warmup, horizon, replications),
        "loa_metric": loa_metric(cases, documents, warmup, horizon, replications=replications),
        "stages": stage_times(totals, sorted(cases["replication"].unique().tolist())),
        "series": {"day": days, "open_cases": open_series, "in_process": in_process, "pools": queue_series(pools)},
        "window": {"warmup_day": warmup, "horizon_day": horizon},
    }
