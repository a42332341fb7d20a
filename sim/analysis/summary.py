"""Everything ``summary.json`` holds about a run's results: case measures from each replication's tally, pool
and stage measures from the combined tables."""
from __future__ import annotations

import math
from typing import Optional, Sequence

import pandas as pd

from sim.analysis import tally
from sim.analysis.dynamics import warmup_check, yearly_flow
from sim.analysis.intervals import mean_ci
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.pools import pool_window_stats, queue_series, unstable_pools
from sim.analysis.stages import stage_times
from sim.analysis.summary_schema import Results
from sim.analysis.tally import RepTally
from sim.engine.clock import DAYS_PER_YEAR


def summarise(tallies: Sequence[RepTally], totals: pd.DataFrame, pools: pd.DataFrame, windows: pd.DataFrame,
              warmup: float, horizon: float, flow: Optional[pd.DataFrame] = None,
              start_fiscal_year: int = 0) -> Results:
    """Everything ``summary.json`` holds, from each replication's case tally (``sim.analysis.tally``, in
    replication order: every per-replication list follows it) and the combined pool and stage tables."""
    years = int(math.ceil(horizon / DAYS_PER_YEAR))
    open_h = [t.open_at_horizon for t in tallies]
    days = sorted(pools["day"].unique().tolist())  # the longest replication's: the others' are its first ones
    in_process = tally.open_series(tallies, len(days), in_process=True)
    pool_stats = pool_window_stats(windows)
    return {
        "lead_times": {name: tally.lead_time(tallies, name) for name in LEAD_TIMES},
        "cases": tally.outcomes(tallies),
        "open_cases_at_horizon": {**mean_ci(open_h), "per_replication": open_h},
        "pools": pool_stats,
        "unstable": unstable_pools(pool_stats),
        "warmup_check": warmup_check(days, in_process, warmup, horizon),
        "yearly_flow": {} if flow is None else yearly_flow(flow, years, start_fiscal_year),
        "fiscal_years": tally.fiscal_years(tallies, start_fiscal_year, years),
        "workload": tally.workload(tallies, warmup, horizon),
        "loa_metric": tally.loa_metric(tallies),
        "stages": stage_times(totals, [t.replication for t in tallies]),
        "series": {"day": days, "open_cases": tally.open_series(tallies, len(days)), "in_process": in_process,
                   "pools": queue_series(pools)},
        "window": {"warmup_day": warmup, "horizon_day": horizon},
    }
