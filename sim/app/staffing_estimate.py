"""The screening estimate of a headcount change: the processor-sharing formula the portfolio offices follow.

An office of ``c`` people with pure desks (``pooling`` 0) is ``c`` independent M/G/1 processor-sharing queues
(each case's desk is uniform over the people: Poisson splitting; ``sim.verification.queueing.desks_sojourn``).
Its per-person load is ``rho = effort_share x stage_days_per_day / c`` (the hands-on effort arriving per day, per
person), and a case's hands-on effort ``effort_share x D`` takes ``1 / (1 - rho)`` times as long on average
(``mg1_ps_conditional_sojourn``), while its waits on others do not depend on the headcount.  So going from ``c0``
to ``c1`` people changes the mean time of a lead time by

    effort_share x (drawn office days on its path) x (1 / (1 - rho1) - 1 / (1 - rho0))

(the drawn days: ``sim.app.paths``), summed over the offices changed.  The formula is used only where it holds;
elsewhere :func:`office_change` says why there is no estimate:

- **portfolio discipline and pure desks**: slots are first-come-first-served, and pooling sends cases to whoever
  has fewest (no longer independent queues);
- **load below 1** at both headcounts: otherwise the office cannot keep up and its backlog grows;
- **steady staff**: no hires, cuts or attrition in ``staffing.plans`` (the formula is a steady state);
- **below the caseload and the cap**: the formula leaves out the juggling cost above ``caseload`` and the cap's
  backlog.  A person's portfolio is about Poisson(waits on others) plus geometric(``rho``) cases (both stages are
  product-form: an infinite-server wait, then processor sharing); the formula is used while the productivity
  juggling would take at that distribution stretches the hands-on work by less than ``JUGGLING_LIMIT`` and a
  person is at the cap less than ``CAP_LIMIT`` of the time.

Urgent cases' extra attention (``staffing.priority_attention``) moves time between cases; the formula treats all
cases alike.  Pure functions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Optional

from sim.model.params import PoolStaff, StaffPlan

JUGGLING_LIMIT = 0.05  # the most the juggling cost may stretch hands-on work for the formula to be used
CAP_LIMIT = 0.01  # the most time a person may spend at max_cases (then cases queue in the backlog)


@dataclass(frozen=True)
class OfficeChange:
    """One office's headcount change under the formula: the loads, the change in a case's hands-on stretch
    (``1 / (1 - rho1) - 1 / (1 - rho0)``; None when the formula does not hold, ``why`` says why)."""

    office: str
    before: int
    after: int
    load_before: float
    load_after: float
    stretch_change: Optional[float]
    why: str = ""


def portfolio_pmf(held: float, load: float, tail: float = 1e-12) -> list[float]:
    """The distribution of a person's cases: Poisson(``held``) waiting on others plus geometric(``load``) being
    worked on (``P(k) = (1 - load) load**k``), to where less than ``tail`` is left."""
    n = 1
    while True:  # far enough out for both parts
        if (load ** n < tail) and n > held + 12.0 * math.sqrt(held + 1.0) + 20:
            break
        n += 1
    poisson = [math.exp(-held)]
    for k in range(1, n):
        poisson.append(poisson[-1] * held / k)
    out, running = [], 0.0
    for k in range(n):  # sum over j <= k of poisson[j] load**(k - j), kept as it goes
        running = running * load + poisson[k]
        out.append((1.0 - load) * running)
    return out


def juggling(staff: PoolStaff, per_person_days: float, load: float) -> tuple[float, float]:
    """(The stretch of hands-on work the juggling cost adds, as a share of the formula's stretch; the share of time a
    person is at ``max_cases``) for a person of ``staff`` carrying ``per_person_days`` drawn stage-days per day at
    per-person ``load`` (module docstring)."""
    pmf = portfolio_pmf(per_person_days * staff.wait_share(), load)
    lost = sum(p * (1.0 - 1.0 / (1.0 + staff.switching_cost * max(0, k - staff.caseload))) for k, p in enumerate(pmf))
    slowed = load / (1.0 - lost) if lost < 1.0 else math.inf
    extra = math.inf if slowed >= 1.0 else (1.0 - load) / (1.0 - slowed) - 1.0
    cap = math.inf if staff.max_cases is None else staff.max_cases
    at_cap = sum(p for k, p in enumerate(pmf) if k >= cap)
    return extra, at_cap


def office_change(office: str, staff: PoolStaff, plan: Optional[StaffPlan], stage_days_per_day: Optional[float],
                  headcount: int) -> OfficeChange:
    """The formula's change for ``office`` going from ``staff.headcount`` to ``headcount`` people, or why it does
    not hold (``stretch_change`` None)."""
    c0, c1 = int(staff.headcount), int(headcount)

    def refused(why: str, rho0: float = math.nan, rho1: float = math.nan) -> OfficeChange:
        return OfficeChange(office, c0, c1, rho0, rho1, None, why)

    if staff.discipline != "portfolio":
        return refused(f"{staff.discipline} discipline: first come first served, not processor sharing")
    if staff.pooling > 0:
        return refused(f"pooling {staff.pooling:g}: cases go to whoever has fewest, not to independent desks")
    if plan is not None and (plan.hires or plan.attrition_per_year > 0):
        return refused("staff change during the run (staffing.plans): the formula is a steady state")
    if not stage_days_per_day or stage_days_per_day <= 0 or c0 < 1 or c1 < 1:
        return refused("no measured stage-days per day for this office, or no people")
    s = staff.effort_share
    rho0, rho1 = s * stage_days_per_day / c0, s * stage_days_per_day / c1
    if max(rho0, rho1) >= 1.0:
        return refused(f"load {max(rho0, rho1):.2f} at {c0 if rho0 >= rho1 else c1} people: at or above 1, the "
                       "office cannot keep up and its backlog grows", rho0, rho1)
    for c, rho in ((c0, rho0), (c1, rho1)):
        extra, at_cap = juggling(staff, stage_days_per_day / c, rho)
        if extra >= JUGGLING_LIMIT:
            much = ("past what the office can keep up with" if math.isinf(extra)
                    else f"{100 * extra:.0f}% beyond the formula's")
            return refused(f"at {c} people portfolios go above the caseload ({staff.caseload}) often enough that "
                           f"juggling would stretch the work {much}", rho0, rho1)
        if at_cap >= CAP_LIMIT:
            return refused(f"at {c} people a person is at the cap ({staff.max_cases} cases) {100 * at_cap:.1f}% of "
                           "the time: cases would wait in the backlog", rho0, rho1)
    return OfficeChange(office, c0, c1, rho0, rho1, 1.0 / (1.0 - rho1) - 1.0 / (1.0 - rho0))


def lead_time_changes(changes: Mapping[str, OfficeChange], pools: Mapping[str, PoolStaff],
                      days: Mapping[str, Mapping[str, float]], measures: tuple[str, ...]) -> dict[str, float]:
    """Each lead time's change in days: ``effort_share x path days x stretch change``, summed over the offices
    (every change must hold: the caller refuses otherwise)."""
    out = {m: 0.0 for m in measures}
    for office, ch in changes.items():
        assert ch.stretch_change is not None, office
        for m in measures:
            out[m] += pools[office].effort_share * days[office][m] * ch.stretch_change
    return out
