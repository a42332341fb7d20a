"""Visit totals kept as the run goes, instead of one record per visit.

A run that writes no ``visits.parquet`` (``run.records`` other than ``full``) needs only sums: per stage and
pool, the wait, work, waits on others, effort and count of the visits of cohort entities, and per stage and
year the visits that arrived and finished.  :class:`VisitTotals` takes the same visit tuples as
``Engine.visits`` (its ``append``), adds them up and drops them, so memory does not grow with the number of
visits.  Summation order differs from a sum over a sorted table only in the last bits of a float.
"""
from __future__ import annotations

from typing import Iterable

from sim.engine.clock import DAYS_PER_YEAR

# (entity id, stage, pool, arrived, started, finished, waits on others, effort): as sim.engine.core.Visit
VisitTuple = tuple[int, str, str, float, float, float, float, float]


class Cohort:
    """A set of entity ids (small non-negative integers) as one byte per id up to the largest: a set of a
    long run's 100,000 cohort cases would take several MB and grow with the horizon."""

    __slots__ = ("flags", "size")

    def __init__(self, ids: Iterable[int] = ()) -> None:
        self.flags = bytearray()
        self.size = 0
        for i in ids:
            self.add(i)

    def add(self, entity: int) -> None:
        if entity < 0:
            raise ValueError(f"an entity id is a non-negative integer, not {entity}")
        if entity >= len(self.flags):
            self.flags.extend(bytes(max(entity + 1 - len(self.flags), len(self.flags))))
        self.size += not self.flags[entity]
        self.flags[entity] = 1

    def __contains__(self, entity: object) -> bool:
        return isinstance(entity, int) and 0 <= entity < len(self.flags) and bool(self.flags[entity])

    def __len__(self) -> int:
        return self.size


class VisitTotals:
    """Sums of visit records: ``totals[(stage, pool)] = [wait, work, waits, effort, visits]`` over visits of
    entities whose id is in ``cohort`` (for a stage in ``windowed``: over the visits of all entities that ended in
    ``window``, [start, end)); ``arrivals[(stage, year)]`` and ``completions[(stage, year)]`` over all visits
    (years of ``DAYS_PER_YEAR`` days from day 0); ``count`` of all visits."""

    __slots__ = ("cohort", "totals", "arrivals", "completions", "count", "windowed", "window")

    def __init__(self, windowed: Iterable[str] = (), window: tuple[float, float] = (0.0, 0.0)) -> None:
        self.windowed = frozenset(windowed)
        self.window = window
        self.cohort = Cohort()
        self.totals: dict[tuple[str, str], list[float]] = {}
        self.arrivals: dict[tuple[str, int], int] = {}
        self.completions: dict[tuple[str, int], int] = {}
        self.count = 0

    def append(self, v: VisitTuple) -> None:
        entity, stage, pool, arrived, started, finished, waits, effort = v
        self.count += 1
        key = (stage, int(arrived // DAYS_PER_YEAR))
        self.arrivals[key] = self.arrivals.get(key, 0) + 1
        key = (stage, int(finished // DAYS_PER_YEAR))
        self.completions[key] = self.completions.get(key, 0) + 1
        c = self.cohort.flags
        if (self.window[0] <= finished < self.window[1]) if stage in self.windowed else \
                (entity < len(c) and c[entity]):
            t = self.totals.get((stage, pool))
            if t is None:
                t = self.totals[(stage, pool)] = [0.0, 0.0, 0.0, 0.0, 0.0]
            t[0] += started - arrived
            t[1] += finished - started
            t[2] += waits
            t[3] += effort
            t[4] += 1.0
