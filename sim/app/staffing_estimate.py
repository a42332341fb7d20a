"""The screening estimate of a headcount change: a per-person steady state of the portfolio offices' juggling rule.

An office of ``c`` people with pure desks (``pooling`` 0) is taken as ``c`` independent desks (each case's desk is
uniform over the people: Poisson splitting).  A case at a person's desk first waits on others (held: its drawn
stage time ``D`` x ``wait_share``, which does not depend on the headcount), then has its hands-on effort
``effort_share x D`` worked on, shared with the person's other cases being worked on (``sim.engine.portfolio``).
The person's productivity depends on how many cases they hold, *held ones included*:
``1 / (1 + switching_cost x max(0, portfolio - caseload))`` (``sim.engine.sharing.juggling``), and they hold at
most ``max_cases``.  Per person, with ``a = stage-days per day / c`` drawn stage-days arriving a day and the load
``rho = effort_share x a`` (hands-on effort arriving per day):

- the cases waiting on others ``h`` are Poisson(``a x wait_share``) (an infinite-server wait);
- given ``h``, the cases being worked on ``m`` follow the birth-death chain of processor sharing whose rate is the
  productivity at ``h + m`` cases: ``P(m | h)`` proportional to
  ``prod_{j=1..m} rho x (1 + switching_cost x max(0, h + j - caseload))``, for ``h + m <= max_cases`` (a case that
  finds the person full goes elsewhere);
- a case's hands-on work takes ``stretch = E[m] / rho`` times its effort on average (Little's law: the mean number
  worked on over the effort arriving per day).

Without the juggling cost the stretch is the processor-sharing ``1 / (1 - rho)`` exactly (no cap); with it the
slowdown feeds back (more cases, slower work, more cases), and at the baseline's design load 0.75 the stretch is
about 4.4 rather than 4.0.  Going from ``c0`` to ``c1`` people changes the mean time of a lead time by

    effort_share x (drawn office days on its path) x (stretch(c1) - stretch(c0))

(the drawn days: ``sim.app.paths``), summed over the offices changed.

It is an approximation, not the engine's exact steady state: the desks are taken as independent and equally
loaded (the partners' desks are not), arrivals as Poisson, the chain of ``m`` given ``h`` as settled while ``h``
stands still (the cases waiting on others in fact feed the worked-on ones at a rate that moves with ``h``: an exact
Markov chain with exponential waits and efforts stretches 1% more at the design load, 3% more at load 0.82), and
a case's stretch as the same multiple of its effort whatever the effort (processor sharing's insensitivity to the
effort distribution is exact only when the rate does not depend on the state; here a case's wait and effort are
also the same drawn ``D``).  An office simulated on its own with the engine's pool (Poisson arrivals, the case
writers' drawn times; 8 runs of 30 years, 95% intervals) stretched 4.55 +- 0.15 at 90 case writers, 2.98 +- 0.05 at
103 and 6.48 +- 0.20 at 84, against 4.39, 2.96 and 6.10 here: the estimate's change of stretch from 90 was 8% small
for 103 and 12% small for 84 (``1 / (1 - rho)``, without the juggling feedback: 29% and 42%).  Against the full
model's paired simulations it was inside every interval and within 10% of most points
(``docs/how-to/what-if-page.md``).  :func:`office_change` says why there is no estimate where it does not hold:

- **portfolio discipline and pure desks**: slots are first-come-first-served, and pooling sends cases to whoever
  has fewest (no longer independent desks);
- **load below 1** at both headcounts: otherwise the office cannot keep up and its backlog grows;
- **steady staff**: no hires, cuts or attrition in ``staffing.plans`` (the estimate is a steady state);
- **a steady state** at both headcounts: without a cap the juggling cost makes a large enough portfolio run away
  (past ``caseload + (1 / rho - 1) / switching_cost`` cases, work arrives faster than the slowed person does it);
  the distribution is taken to where it is negligible (below ``TAIL``), and there is no estimate when its terms
  turn upward before that;
- **rarely at the cap**: a person is at ``max_cases`` less than ``CAP_LIMIT`` of the time (beyond, cases go to
  others and, when everyone is full, wait in the backlog: waits the estimate leaves out).

Urgent cases' extra attention (``staffing.priority_attention``) moves time between cases; the estimate treats all
cases alike.  Pure functions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Optional

from sim.model.params import PoolStaff, StaffPlan

CAP_LIMIT = 0.01  # the most time a person may spend at max_cases (then cases go elsewhere or queue in the backlog)
TAIL = 1e-12  # probability below which the rest of a distribution is left out


@dataclass(frozen=True)
class OfficeChange:
    """One office's headcount change: the loads, the change in a case's hands-on stretch (``stretch_after -
    stretch_before``; None when the estimate does not hold, ``why`` says why)."""

    office: str
    before: int
    after: int
    load_before: float
    load_after: float
    stretch_change: Optional[float]
    why: str = ""
    stretch_before: float = math.nan
    stretch_after: float = math.nan


@dataclass(frozen=True)
class Desk:
    """One person's steady state (module docstring): the stretch of hands-on work (``inf``: no steady state), the
    mean cases waiting on others and being worked on, and the share of time at ``max_cases``."""

    stretch: float
    held: float
    worked: float
    at_cap: float


def _worked_on(staff: PoolStaff, held: int, load: float, weight: float) -> tuple[float, float]:
    """(E[m | h], P(h + m = max_cases | h)) for ``h = held`` cases waiting on others, of probability ``weight``;
    ``(inf, nan)`` when, without a cap, the terms of ``P(h, m)`` turn upward before they are negligible (no steady
    state)."""
    cap = math.inf if staff.max_cases is None else staff.max_cases
    if held >= cap:
        return 0.0, 1.0
    k = staff.switching_cost
    if k == 0 and math.isinf(cap):
        return load / (1.0 - load), 0.0  # geometric(load): plain processor sharing
    # the ratio of successive terms only grows with m: where it stays below 1 up to the cap, a negligible term
    # ends the sum; otherwise (a cap the terms may climb back to) it runs to the cap
    falls_to_cap = math.isinf(cap) or load * (1.0 + k * max(0, cap - staff.caseload)) < 1.0
    term, total, first = 1.0, 1.0, 0.0
    m = 0
    while held + m < cap:
        if falls_to_cap and weight * term < TAIL * total:
            break  # negligible (without a cap the terms would turn upward far beyond: module docstring)
        ratio = load * (1.0 + k * max(0, held + m + 1 - staff.caseload))
        if ratio >= 1.0 and math.isinf(cap):
            return math.inf, math.nan  # not negligible, and growing from here on: no steady state
        m += 1
        term *= ratio
        total += term
        first += m * term
        if total > 1e200:  # rescaled, for a high cap the terms climb towards
            term, total, first = term / total, 1.0, first / total
    full = term / total if held + m >= cap else 0.0
    return first / total, full


def desk(staff: PoolStaff, per_person_days: float, load: float) -> Desk:
    """A person's steady state for ``staff`` carrying ``per_person_days`` drawn stage-days per day at the per-person
    ``load`` (module docstring)."""
    if load <= 0:
        return Desk(1.0, per_person_days * staff.wait_share(), 0.0, 0.0)
    if load >= 1.0:
        return Desk(math.inf, math.nan, math.inf, math.nan)
    mean_held = per_person_days * staff.wait_share()
    cap = math.inf if staff.max_cases is None else staff.max_cases
    worked = at_cap = seen = 0.0
    h = 0
    while h < cap:
        p = math.exp(h * math.log(mean_held) - mean_held - math.lgamma(h + 1)) if mean_held > 0 else float(h == 0)
        if h > mean_held and p < TAIL:
            worked /= seen  # over the h kept: the rest is negligible
            break
        if p > 0:
            m, full = _worked_on(staff, h, load, p)
            if math.isinf(m):
                return Desk(math.inf, mean_held, math.inf, math.nan)
            worked += p * m
            at_cap += p * full
            seen += p
        h += 1
    else:  # h reached the cap: the rest of the Poisson tail is at the cap, with nothing worked on
        at_cap += max(0.0, 1.0 - seen)
    return Desk(worked / load, mean_held, worked, at_cap)


def office_change(office: str, staff: PoolStaff, plan: Optional[StaffPlan], stage_days_per_day: Optional[float],
                  headcount: int) -> OfficeChange:
    """The estimate's change for ``office`` going from ``staff.headcount`` to ``headcount`` people, or why it does
    not hold (``stretch_change`` None)."""
    c0, c1 = int(staff.headcount), int(headcount)

    def refused(why: str, rho0: float = math.nan, rho1: float = math.nan) -> OfficeChange:
        return OfficeChange(office, c0, c1, rho0, rho1, None, why)

    if staff.discipline != "portfolio":
        return refused(f"{staff.discipline} discipline: first come first served, not processor sharing")
    if staff.pooling > 0:
        return refused(f"pooling {staff.pooling:g}: cases go to whoever has fewest, not to independent desks")
    if plan is not None and (plan.hires or plan.attrition_per_year > 0):
        return refused("staff change during the run (staffing.plans): the estimate is a steady state")
    if not stage_days_per_day or stage_days_per_day <= 0 or c0 < 1 or c1 < 1:
        return refused("no measured stage-days per day for this office, or no people")
    s = staff.effort_share
    rho0, rho1 = s * stage_days_per_day / c0, s * stage_days_per_day / c1
    if max(rho0, rho1) >= 1.0:
        return refused(f"load {max(rho0, rho1):.2f} at {c0 if rho0 >= rho1 else c1} people: at or above 1, the "
                       "office cannot keep up and its backlog grows", rho0, rho1)
    desks = []
    for c, rho in ((c0, rho0), (c1, rho1)):
        d = desk(staff, stage_days_per_day / c, rho)
        if math.isinf(d.stretch):
            runaway = staff.caseload + (1.0 / rho - 1.0) / staff.switching_cost
            return refused(f"at {c} people, with no cap, a person past {runaway:.0f} cases (juggling above the "
                           f"caseload {staff.caseload}) gets work faster than they do it: no steady state", rho0, rho1)
        if d.at_cap >= CAP_LIMIT:
            return refused(f"at {c} people a person is at the cap ({staff.max_cases} cases) {100 * d.at_cap:.2f}% "
                           f"of the time (the estimate allows less than {100 * CAP_LIMIT:g}%): cases would go "
                           "elsewhere or wait in the backlog", rho0, rho1)
        desks.append(d)
    return OfficeChange(office, c0, c1, rho0, rho1, desks[1].stretch - desks[0].stretch,
                        stretch_before=desks[0].stretch, stretch_after=desks[1].stretch)


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
