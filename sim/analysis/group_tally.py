"""Lead times and open cases by partner, partner group, LOA group, platform and queue priority, added up as each
case finishes (as ``tally`` does for the whole cohort), so a study with no case table still answers "who gains and
who loses" (a reform that puts some partners first, ``priority_partners``, moves the others back).

A case counts in one group of each dimension (``DIMENSIONS``), named ``<dimension>=<value>``: ``partner=Japan``,
``partner_group=nato5``, ``loa_group=B``, ``platform=fighter_aircraft`` (``platform=none`` for cases that buy no
major platform) and ``priority=urgent`` or ``priority=normal``.  Per group and replication: the cohort cases, the
mean of each lead time over the cohort cases that reached it (sums in the order the cases finish, as ``tally``),
how many reached it, and the group's cases open at the horizon.
"""
from __future__ import annotations

import math

from sim.analysis.metrics import LEAD_TIMES
from sim.model.entities import URGENT, Case

DIMENSIONS = ("partner", "partner_group", "loa_group", "platform", "priority")


def groups_of(case: Case) -> tuple[str, ...]:
    """The groups ``case`` counts in, one per dimension."""
    return (f"partner={case.partner}", f"partner_group={case.partner_group}", f"loa_group={case.loa_group}",
            f"platform={case.platform or 'none'}", f"priority={'urgent' if case.priority == URGENT else 'normal'}")


class GroupTally:
    """One replication's per-group counts and lead-time sums (the module's docstring)."""

    def __init__(self) -> None:
        self.cohort: dict[str, int] = {}
        self.open: dict[str, int] = {}
        self.sums: dict[str, dict[str, list[float]]] = {}  # group -> lead time -> [sum of days, cases reached]

    def add_cohort(self, case: Case, days: dict[str, float]) -> None:
        """A cohort case with the lead times it reached (days, by lead time name)."""
        for g in groups_of(case):
            self.cohort[g] = self.cohort.get(g, 0) + 1
            mine = self.sums.setdefault(g, {})
            for name, d in days.items():
                acc = mine.setdefault(name, [0.0, 0.0])
                acc[0] += d
                acc[1] += 1

    def add_open(self, case: Case) -> None:
        """A case open at the horizon."""
        for g in groups_of(case):
            self.open[g] = self.open.get(g, 0) + 1

    def result(self) -> dict[str, dict[str, float]]:
        """Group -> ``cohort``, ``open_cases_at_horizon``, and per lead time its mean (NaN when no case reached it)
        and ``<lead>.reached``; groups in name order."""
        out: dict[str, dict[str, float]] = {}
        for g in sorted(set(self.cohort) | set(self.open)):
            row = {"cohort": float(self.cohort.get(g, 0)), "open_cases_at_horizon": float(self.open.get(g, 0))}
            for name in LEAD_TIMES:
                total, n = self.sums.get(g, {}).get(name, [0.0, 0.0])
                row[name] = total / n if n else math.nan
                row[f"{name}.reached"] = n
            out[g] = row
        return out
