"""The summary's case measures added up as each case finishes, so no case table is kept (flat memory).

A replication hands every case, with its amendments and modifications, to a :class:`CaseTally` once the case
is done (and the cases still open when the run ends).  The tally keeps counters, sums per fiscal year, counts
over the sample days, and one number per cohort case and lead time (the pooled median and p90 need the values
themselves): 24 bytes per cohort case instead of a row of every milestone and a row per document.
``CaseTally.result`` gives a small :class:`RepTally`; ``sim.analysis.summary.summarise`` turns a list of them
into the summary's case sections.

The measures are those of the table-based functions in ``lead_times``, ``dynamics`` and ``workload`` (which
``sim validate`` still uses on saved tables), with the same rules: the cohort is the LORs received in
[warm-up, horizon); a case is open at a day when its LOR was received by then and it was neither closed nor
withdrawn by then.  Counts and lead-time values are the same numbers; sums of dollar values are added in
the order cases finish, which can move them in the last bits against a sum over a sorted table.
"""
from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.analysis.group_tally import GroupTally
from sim.analysis.lead_times import lead_time_record
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.summary_schema import LeadTime
from sim.analysis.workload import GOAL_DAYS, GROUPS, MEASURES
from sim.analysis.year_tally import YearTally, full_years
from sim.engine.clock import DAYS_PER_YEAR
from sim.model.entities import Case, Document

CLOCKS = ("lor_received", "lor_complete")  # LOA metric: the clock of an LOA starts at one of these
OUTCOMES = ("delivered", "withdrawn", "in_progress")


@dataclass
class LeadTally:
    """One lead time of one replication: the reached values in case-id order, the cohort cases for which it
    applies, and those censored (neither reached nor withdrawn when the run ended)."""

    values: npt.NDArray[np.float64]
    cases: int
    censored: int


@dataclass
class RepTally:
    """What one replication contributes to the summary's case sections (see the module's docstring)."""

    replication: int
    lead_times: dict[str, LeadTally]
    outcomes: dict[str, int]  # delivered, withdrawn, in_progress, cohort: cohort cases
    fms_cohort: int  # partner-funded cohort cases, and of them those notified
    fms_notified: int
    open_at_horizon: int
    open_value_at_horizon: float  # $B: value of the open cases plus their amendments accepted by then
    # per day of the sampling grid (at least the days this replication sampled; the counts hold after the last)
    open_started: npt.NDArray[np.int64]  # LORs received by then
    open_ended: npt.NDArray[np.int64]  # closed or withdrawn by then
    process_ended: npt.NDArray[np.int64]  # delivered or withdrawn by then
    fiscal: dict[str, npt.NDArray[np.float64]]  # measure -> amount per simulation year (0 .. years-1)
    window: dict[str, float]  # measure -> total over [warm-up, horizon)
    loa: dict[str, dict[str, list[int]]]  # clock -> part -> [within goal, all]
    loa_documents: dict[str, int]  # loas, amendments
    yearly: dict[str, list[float]] = field(default_factory=dict)  # year-by-year measures (``year_tally``)
    groups: dict[str, dict[str, float]] = field(default_factory=dict)  # by partner, platform, ... (``group_tally``)


class CaseTally:
    """Adds up one replication's cases as they are done (``add``); ``result`` when the run is over."""

    def __init__(self, replication: int, warmup: float, horizon: float, years: int, sample_step: float,
                 goal: float = GOAL_DAYS) -> None:
        """``sample_step``: the days between the run's pool samples (``run.sample_days``); the sample days are
        0, 0 + step, ... added up as the sampler's clock adds them, as far as the cases need (a long drain that
        ends early costs nothing)."""
        self.replication = replication
        self.warmup, self.horizon, self.years, self.goal = warmup, horizon, years, goal
        self.step = sample_step
        self.days = [0.0]
        self.ids = {name: array("q") for name in LEAD_TIMES}
        self.values = {name: array("d") for name in LEAD_TIMES}
        self.applies = dict.fromkeys(LEAD_TIMES, 0)
        self.censored = dict.fromkeys(LEAD_TIMES, 0)
        self.outcomes = dict.fromkeys((*OUTCOMES, "cohort"), 0)
        self.fms_cohort = self.fms_notified = self.open_h = 0
        self.open_value_h = 0.0
        # sample day index -> cases that started (ended) after the day before and by this one
        self.started: dict[int, int] = {}
        self.ended: dict[int, int] = {}
        self.process_ended: dict[int, int] = {}
        self.fiscal = {m: np.zeros(years) for m in MEASURES}
        self.window = dict.fromkeys(MEASURES, 0.0)
        self.loa = {clock: {"all": [0, 0], "loas": [0, 0], "amendments": [0, 0],
                            **{f"group:{g}": [0, 0] for g in GROUPS}} for clock in CLOCKS}
        self.loa_documents = {"loas": 0, "amendments": 0}
        self.by_year = YearTally(full_years(horizon))
        self.by_group = GroupTally()

    # ------------------------------------------------------------------ adding a case
    def _grid_to(self, n: int = 0, day: float = -math.inf) -> None:
        """Sample days until there are ``n`` of them and the last is at or after ``day``."""
        days, step = self.days, self.step
        while len(days) < n or days[-1] < day:
            days.append(days[-1] + step)

    def _count(self, counts: dict[int, int], day: float) -> None:
        """One more case from the first sample day at or after ``day`` on (nothing when ``day`` is NaN)."""
        if day == day:
            self._grid_to(day=day)
            i = bisect_left(self.days, day)
            counts[i] = counts.get(i, 0) + 1

    def _dated(self, measure: str, day: float, amount: float) -> None:
        """``amount`` of ``measure`` on ``day`` (nothing when the day is missing: the milestone never came)."""
        if day != day:  # NaN
            return
        year = int(day // DAYS_PER_YEAR)
        if 0 <= year < self.years:
            self.fiscal[measure][year] += amount
        if self.warmup <= day < self.horizon:
            self.window[measure] += amount

    def _accepted(self, offered: float, accepted: float, value: float, bpc: bool, notified: bool) -> None:
        """What an LOA and an amendment both count: value accepted (of BPC cases too), and notified documents."""
        self._dated("value_accepted", accepted, value)
        if bpc:
            self._dated("bpc_value_accepted", accepted, value)
        if notified:
            self._dated("notified", offered, 1.0)
            self._dated("value_notified", offered, value)

    def _counted(self, part: Optional[list[int]], days: float) -> None:
        if part is not None and days == days:  # offered, the clock started (and a group reported: A-D)
            part[0] += days <= self.goal
            part[1] += 1

    def add(self, case: Case, documents: Iterable[Document] = ()) -> None:
        """Count ``case`` as it is now, with the amendments and modifications it had.  A case received after the
        horizon is not the run's (it only loads the offices while the cohort finishes) and is not counted."""
        lor = case.lor_received
        if lor >= self.horizon:
            return
        self.by_year.add(case)
        cohort = self.warmup <= lor < self.horizon
        bpc = case.funding == "bpc"
        value = case.value_musd / 1e3
        if cohort:
            self._cohort(case, lor)
        # when it was open: a case ends when it closes, or when it is withdrawn
        end = case.closed if case.closed == case.closed else case.withdrawn
        self._count(self.started, lor)
        self._count(self.ended, end)
        self._count(self.process_ended, case.delivered if case.delivered == case.delivered else case.withdrawn)
        is_open = lor <= self.horizon and not end <= self.horizon
        self.open_h += is_open
        open_value = value
        # LOAs: offered, accepted, delivered
        self._dated("loas_offered", case.loa_offered, 1.0)
        self._dated("loa_value_accepted", case.loa_accepted, value)
        self._accepted(case.loa_offered, case.loa_accepted, value, bpc, case.notified)
        self._dated("value_delivered", case.delivered, value)
        for d in documents:
            if d.accepted <= self.horizon:
                open_value += d.value_musd / 1e3
            if d.kind == "modification":
                self._dated("modifications_offered", d.offered, 1.0)
                continue
            if d.kind != "amendment":
                continue
            v = d.value_musd / 1e3
            self._dated("amendments_offered", d.offered, 1.0)
            self._dated("amendment_value_offered", d.offered, v)
            self._accepted(d.offered, d.accepted, v, bpc, d.notified)
            if self.warmup <= d.arrived < self.horizon and d.offered == d.offered:
                self.loa_documents["amendments"] += 1
                days = d.offered - d.arrived
                for clock in CLOCKS:
                    parts = self.loa[clock]
                    for part in (parts["all"], parts["amendments"], parts.get(f"group:{case.loa_group}")):
                        self._counted(part, days)
        if is_open:
            self.open_value_h += open_value
            self.by_group.add_open(case)

    def _cohort(self, case: Case, lor: float) -> None:
        self.outcomes["cohort"] += 1
        if case.delivered == case.delivered:
            self.outcomes["delivered"] += 1
        elif case.withdrawn == case.withdrawn:
            self.outcomes["withdrawn"] += 1
        else:
            self.outcomes["in_progress"] += 1
        if case.funding == "fms":
            self.fms_cohort += 1
            self.fms_notified += bool(case.notified)
        reached = {}
        for name, milestone in LEAD_TIMES.items():
            if milestone == "contract_awarded" and case.acquisition == "stock":
                continue  # stock items are never put on contract
            self.applies[name] += 1
            days = getattr(case, milestone) - lor
            if days == days:
                self.ids[name].append(case.id)
                self.values[name].append(days)
                reached[name] = days
            elif case.withdrawn != case.withdrawn:
                self.censored[name] += 1
        self.by_group.add_cohort(case, reached)
        if case.loa_offered == case.loa_offered:
            self.loa_documents["loas"] += 1
            for clock in CLOCKS:
                parts = self.loa[clock]
                days = case.loa_offered - getattr(case, clock)
                for part in (parts["all"], parts["loas"], parts.get(f"group:{case.loa_group}")):
                    self._counted(part, days)

    # ------------------------------------------------------------------ the result
    def _cumulative(self, counts: dict[int, int]) -> npt.NDArray[np.int64]:
        """Per day of the grid (as far as the run sampled or a case's time reached), the cases counted by then;
        after the last, nothing changes."""
        per_day = np.zeros(len(self.days), dtype=np.int64)
        for i, k in counts.items():
            per_day[i] += k
        return np.cumsum(per_day)

    def result(self, sampled: Sequence[float]) -> RepTally:
        """The replication's tally; ``sampled`` are the days the run sampled (the first days of the tally's
        grid: anything else is a programming error, and raises)."""
        n = len(sampled)
        self._grid_to(n)
        if list(sampled) != self.days[:n]:
            raise RuntimeError("the run sampled other days than the tally's grid: the open-case series would be wrong")
        lead = {}
        for name in LEAD_TIMES:
            ids = np.frombuffer(self.ids[name], dtype=np.int64)
            values = np.frombuffer(self.values[name], dtype=np.float64)
            lead[name] = LeadTally(values[np.argsort(ids, kind="stable")], self.applies[name], self.censored[name])
        return RepTally(
            replication=self.replication, lead_times=lead, outcomes=dict(self.outcomes),
            fms_cohort=self.fms_cohort, fms_notified=self.fms_notified, open_at_horizon=self.open_h,
            open_value_at_horizon=self.open_value_h,
            open_started=self._cumulative(self.started), open_ended=self._cumulative(self.ended),
            process_ended=self._cumulative(self.process_ended),
            fiscal=self.fiscal, window=self.window, loa=self.loa, loa_documents=self.loa_documents,
            yearly=self.by_year.result(), groups=self.by_group.result())


def share(part: Sequence[int]) -> float:
    """Share within the goal of ``[within, all]``; NaN without documents."""
    return part[0] / part[1] if part[1] else math.nan


# ---------------------------------------------------------------------- the summary's sections from tallies
def lead_time(tallies: Sequence[RepTally], name: str) -> LeadTime:
    """``lead_times.lead_time_summary`` from tallies: per-replication means (None for a replication where no
    cohort case reached the milestone), the pooled median, p90, histogram and day counts."""
    parts = [t.lead_times[name] for t in tallies]
    return lead_time_record(
        name, LEAD_TIMES[name], [float(pd.Series(p.values).mean()) if len(p.values) else None for p in parts],
        [p.censored / p.cases if p.cases else None for p in parts],
        np.concatenate([p.values for p in parts]) if parts else np.empty(0),
        sum(p.cases for p in parts), sum(p.censored for p in parts))
