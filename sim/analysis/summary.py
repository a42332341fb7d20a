"""Everything ``summary.json`` holds about a run's results: the run's tidy rows grouped, and the lead times' exact
medians from each replication's tally."""
from __future__ import annotations

import math
from typing import Sequence

import pandas as pd

from sim.analysis import kpi_summary, tally
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.pools import unstable_pools
from sim.analysis.summary_schema import Results
from sim.analysis.tally import RepTally
from sim.engine.clock import DAYS_PER_YEAR


def summarise(tallies: Sequence[RepTally], kpis: pd.DataFrame, warmup: float, horizon: float,
              start_fiscal_year: int = 0) -> Results:
    """Everything ``summary.json`` holds: the sections the run's tidy rows hold as group-bys of them
    (``sim.analysis.kpi_summary``), the lead times' exact medians from each replication's case tally
    (``sim.analysis.tally``, in replication order)."""
    years = int(math.ceil(horizon / DAYS_PER_YEAR))
    pool_stats = kpi_summary.pools(kpis)
    return {
        "lead_times": {name: tally.lead_time(tallies, name) for name in LEAD_TIMES},
        "cases": kpi_summary.outcomes(kpis),
        "open_cases_at_horizon": kpi_summary.open_cases(kpis),
        "pools": pool_stats,
        "unstable": unstable_pools(pool_stats),
        "warmup_check": kpi_summary.warmup_check(kpis, warmup, horizon),
        "yearly_flow": kpi_summary.yearly_flow(kpis, years, start_fiscal_year),
        "fiscal_years": kpi_summary.fiscal_years(kpis, start_fiscal_year, years),
        "workload": kpi_summary.workload(kpis),
        "loa_metric": kpi_summary.loa_metric(kpis),
        "stages": kpi_summary.stages(kpis),
        "series": kpi_summary.series(kpis),
        "window": {"warmup_day": warmup, "horizon_day": horizon},
    }
