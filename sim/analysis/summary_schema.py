"""The typed schema of ``summary.json``: what the writer fills and every reader may rely on.

``summary.json`` is the one file from which a run's figures, the multirun report and the comparison are
made.  These ``TypedDict`` classes name every key and its type, so the writer
(:func:`sim.analysis.summary.summarise` and ``sim.job``) and the readers (``sim.output`` and
``sim.analysis.comparison``) share one definition instead of string keys spread over six modules.
Missing values are ``None`` (JSON null); times are in days.
"""
from __future__ import annotations

from typing import Any, NotRequired, Optional, TypedDict


class Interval(TypedDict):
    """A mean over replications with its 95% Student-t interval (``None`` where undefined)."""

    mean: Optional[float]
    ci_low: Optional[float]
    ci_high: Optional[float]
    half_width: Optional[float]
    n: int


class IntervalSeries(Interval):
    """An interval with the per-replication values it was computed from."""

    per_replication: list[Any]


class Histogram(TypedDict):
    bin_days: float
    edges: list[float]
    counts: list[int]


class DayCounts(TypedDict):
    """Cases per whole day of lead time: ``counts[k]`` fell in [first_day + k, first_day + k + 1)."""

    first_day: int
    counts: list[int]


class LeadTime(Interval):
    """One lead time over the cohort (``sim.analysis.lead_times.lead_time_summary``)."""

    name: str
    milestone: str
    median: Optional[float]
    p90: Optional[float]
    censored_share: Optional[float]
    cases: int
    reached: int
    per_replication: list[Optional[float]]
    per_replication_censored_share: list[Optional[float]]
    censored: int  # cohort cases neither at the milestone nor withdrawn when the run ended
    histogram: Histogram
    day_counts: DayCounts  # 1-day bins, so blocks of replications merge (medians within a day where cases are many)


class Outcomes(TypedDict):
    """Cohort outcomes per replication (``sim.analysis.lead_times.outcome_counts``)."""

    delivered: IntervalSeries
    withdrawn: IntervalSeries
    in_progress: IntervalSeries
    cohort: IntervalSeries
    notified_share: IntervalSeries  # of the partner-funded (fms) cohort cases


class PoolStats(TypedDict):
    """One pool between the warm-up and the horizon (``sim.analysis.pools.pool_stats``)."""

    pool: str
    capacity: Optional[int]
    utilisation: Interval
    mean_queue: Interval
    starts_per_year: Interval
    served_share: Optional[float]
    queue_growth: Interval
    per_replication_utilisation: list[float]
    cases_per_person: Optional[Interval]  # portfolio offices: mean cases in a person's portfolio (slots: None)


class StageTime(TypedDict):
    """Mean wait and work per cohort case at one stage (``sim.analysis.stages.stage_record``).

    ``wait``: before the visit started (a slot queue, an office's backlog); ``work``: the rest, split into
    ``hands_on`` (a slot held, a portfolio case's effort), ``slowdown`` (shared attention: portfolio pools only)
    and ``waits_on_others`` (delays, a portfolio case's waits on other offices and the partner)."""

    stage: str
    pool: str
    wait_per_case: Interval
    work_per_case: Interval
    hands_on_per_case: Interval
    slowdown_per_case: Interval
    waits_on_others_per_case: Interval
    visits_per_case: float


class WarmupCheck(TypedDict):
    method: str
    truncation_day: Optional[float]  # None (and adequate None, with a note) when too few samples to judge
    warmup_day: float
    adequate: Optional[bool]
    note: NotRequired[str]


class Flow(TypedDict):
    """Visits that arrived at and finished a stage, per simulated year (mean of replications)."""

    year: list[int]  # simulation year 0, 1, ...
    fiscal_year: list[int]  # the fiscal year it is (run.start_fiscal_year + year)
    arrivals: list[float]
    completions: list[float]
    ratio: list[Optional[float]]


class PoolSeries(TypedDict):
    day: list[float]
    queue: list[float]
    busy: list[float]
    capacity: list[float]


class Series(TypedDict):
    """Time series sampled every ``run.sample_days`` (mean of replications)."""

    day: list[float]
    open_cases: list[float]
    in_process: list[float]
    pools: dict[str, PoolSeries]


class FiscalYears(TypedDict):
    """Flows by fiscal year (means over replications; values in $B): ``sim.analysis.workload.fiscal_years``."""

    fiscal_year: list[int]
    loas_offered: list[float]
    loa_value_accepted: list[float]
    amendments_offered: list[float]
    amendment_value_offered: list[float]
    modifications_offered: list[float]
    value_accepted: list[float]  # LOAs and the value amendments add
    bpc_value_accepted: list[float]
    notified: list[float]  # LOAs and amendments notified to Congress
    value_notified: list[float]
    value_delivered: list[float]


# per-year means over the cohort window, each an Interval: "<measure>_per_year" for every FiscalYears
# measure, plus "bpc_share_of_value_accepted" and "open_value_at_horizon" ($B)
Workload = dict[str, Interval]


class LoaClock(TypedDict):
    loas_and_amendments: Interval  # share offered within the goal
    loas_only: Optional[float]
    amendments_only: Optional[float]
    by_group: dict[str, Optional[float]]  # A, B, C, D: LOAs and amendments of that group


class LoaMetric(TypedDict):
    """DSCA's timeliness metric: share of LOAs and amendments offered within ``goal_days``, on two clocks."""

    goal_days: float
    documents: dict[str, int]
    lor_received: LoaClock
    lor_complete: LoaClock


class Window(TypedDict):
    warmup_day: float
    horizon_day: float


class Results(TypedDict):
    """What :func:`sim.analysis.summary.summarise` computes from the replication tables."""

    lead_times: dict[str, LeadTime]
    cases: Outcomes
    open_cases_at_horizon: IntervalSeries
    pools: list[PoolStats]
    unstable: list[str]
    warmup_check: WarmupCheck
    yearly_flow: dict[str, Flow]
    fiscal_years: FiscalYears
    workload: Workload
    loa_metric: LoaMetric
    stages: list[StageTime]
    series: Series
    window: Window


class SensitivityPoint(TypedDict):
    point: int
    factors: dict[str, float]


class Enactment(TypedDict):
    """When and how far the reforms act (``reform.effective``, ``reform.strength``, ``reform.phase_in_years``)."""

    effective_year: Optional[float]  # simulation year; None: from the start
    effective_fiscal_year: Optional[int]  # the fiscal year it falls in
    strength: float
    phase_in_years: float
    settle_years: Optional[float]  # run.settle_years: started from the cached state without the reform, enacted then
    assume: str  # reform.assume: the sized levers at their likely size or the low or high end of their ranges


class Summary(Results):
    """The whole ``summary.json``: the run's identity (filled by ``sim.job``) and its results."""

    scenario: str
    reference: str
    study: str
    question: str
    reforms: list[str]
    levers: dict[str, Any]
    enactment: Enactment
    start: Optional[str]  # the state of open cases the run started from (None: an empty system)
    sensitivity: Optional[SensitivityPoint]
    seed: int
    replications: int
    replication_ids: list[int]  # the replication number of each entry of every per_replication list
    run: dict[str, Any]
    time_unit: str
    end_day_per_replication: list[float]
    stage_visits_per_replication: list[int]
