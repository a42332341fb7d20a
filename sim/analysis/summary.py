"""Everything ``summary.json`` holds about a run's results: the run's tidy rows grouped, the lead times' exact
medians from each replication's tally, and the series from the sampled tables."""
from __future__ import annotations

import math
from typing import Sequence

import pandas as pd

from sim.analysis import kpi_summary, tally
from sim.analysis.dynamics import warmup_check
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.pools import queue_series, unstable_pools
from sim.analysis.summary_schema import Results
from sim.analysis.tally import RepTally
from sim.engine.clock import DAYS_PER_YEAR


def summarise(tallies: Sequence[RepTally], kpis: pd.DataFrame, pools: pd.DataFrame, warmup: float, horizon: float,
              start_fiscal_year: int = 0) -> Results:
    """Everything ``summary.json`` holds: the sections the run's tidy rows hold as group-bys of them
    (``sim.analysis.kpi_summary``), the lead times' exact medians from each replication's case tally
    (``sim.analysis.tally``, in replication order), and the series from the sampled tables."""
    years = int(math.ceil(horizon / DAYS_PER_YEAR))
    days = sorted(pools["day"].unique().tolist())  # the longest replication's: the others' are its first ones
    in_process = tally.open_series(tallies, len(days), in_process=True)
    pool_stats = kpi_summary.pools(kpis)
    return {
        "lead_times": {name: tally.lead_time(tallies, name) for name in LEAD_TIMES},
        "cases": kpi_summary.outcomes(kpis),
        "open_cases_at_horizon": kpi_summary.open_cases(kpis),
        "pools": pool_stats,
        "unstable": unstable_pools(pool_stats),
        "warmup_check": warmup_check(days, in_process, warmup, horizon),
        "yearly_flow": kpi_summary.yearly_flow(kpis, years, start_fiscal_year),
        "fiscal_years": kpi_summary.fiscal_years(kpis, start_fiscal_year, years),
        "workload": kpi_summary.workload(kpis),
        "loa_metric": kpi_summary.loa_metric(kpis),
        "stages": kpi_summary.stages(kpis),
        "series": {"day": days, "open_cases": tally.open_series(tallies, len(days)), "in_process": in_process,
                   "pools": queue_series(pools)},
        "window": {"warmup_day": warmup, "horizon_day": horizon},
    }
