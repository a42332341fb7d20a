"""Staffing that changes over time: hires, attrition, and new hires' productivity ramp.

SimPy capacities are fixed, so a planned pool is a :class:`~sim.engine.pool.Pool` whose capacity
this process resets every ``step`` days (and on each hiring date) to

    round(caseload x sum over hiring cohorts of (people left x productivity at their age)).

Staff on hand at the start are fully productive.  Attrition removes a constant share per year
from every cohort (continuously, in expectation: no random draws, so scenarios stay paired);
with ``backfill`` each leaver is replaced at once by a new hire, who starts at ``ramp_start`` of
a trained person's productivity and reaches 1 after ``ramp_years``.  A negative hire is a cut,
taken proportionally from every cohort.  Reductions let cases in service finish (no preemption).

A ``portfolio`` pool is made of whole people, so :func:`people_plan` acts on people, by these rules (still no
random draws):

- **attrition**: the expected leavers accumulate (``people x (1 - exp(-rate x dt))`` per step); each time they
  reach one person, the longest-serving person leaves (earliest hire, initial staff first in list order) and,
  with ``backfill``, a new hire joins the same day, just before, and so takes over the leaver's cases (the
  least-loaded person); without backfill the last person never leaves;
- **hires**: a positive hire adds that many people on its date; a negative one (a cut) removes the most recent
  hires first (last in, first out), never the last person;
- a leaver's cases go, in the order they joined, each to the person with the fewest cases, with the work done
  kept (``PortfolioPool.leave``); a hire starts with an empty portfolio, takes the backlog's head at once and
  an equal share of the desks from then on;
- a new hire's productivity follows the ramp (``productivity``), updated every ``step`` days.
"""
from __future__ import annotations

import math
from typing import Optional

import simpy

from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.core import Process
from sim.engine.pool import Pool
from sim.engine.portable_math import exp, log, plain_sum
from sim.engine.portfolio import PortfolioPool
from sim.model.params import StaffPlan


def productivity(age_days: float, plan: StaffPlan) -> float:
    """Share of a trained person's output at ``age_days`` since hiring."""
    if plan.ramp_years <= 0 or age_days == math.inf:
        return 1.0
    return min(1.0, plan.ramp_start + (1.0 - plan.ramp_start) * age_days / (plan.ramp_years * DAYS_PER_YEAR))


class Workforce:
    """Hiring cohorts of one pool: [hire day, people] pairs (day -inf: the initial staff)."""

    def __init__(self, headcount: int, plan: StaffPlan) -> None:
        self.plan = plan
        self.cohorts: list[list[float]] = [[-math.inf, float(headcount)]]
        self.rate = -log(1.0 - plan.attrition_per_year) / DAYS_PER_YEAR if plan.attrition_per_year else 0.0
        self.last = 0.0

    @property
    def headcount(self) -> float:
        return plain_sum(n for _, n in self.cohorts)

    def advance(self, now: float) -> None:
        dt = now - self.last
        if self.rate and dt > 0:
            keep = exp(-self.rate * dt)
            leavers = self.headcount * (1.0 - keep)
            for c in self.cohorts:
                c[1] *= keep
            if self.plan.backfill and leavers > 0:
                self.cohorts.append([now, leavers])
        self.last = now

    def hire(self, now: float, people: float) -> None:
        if people >= 0:
            self.cohorts.append([now, float(people)])
            return
        total = self.headcount
        keep = max(0.0, total + people) / total if total > 0 else 0.0
        for c in self.cohorts:
            c[1] *= keep

    def effective(self, now: float) -> float:
        return plain_sum(n * productivity(now - t, self.plan) for t, n in self.cohorts)


def staff_plan(env: simpy.Environment, pool: Pool, headcount: int, caseload: int, plan: StaffPlan, step: float,
               resume: Optional[tuple[list[list[float]], float, list[tuple[float, int]], simpy.Event]] = None
               ) -> Process:
    """Process that keeps ``pool``'s capacity in line with the plan.  ``resume``: (the cohorts, the day they were
    brought up to, the hires still to come, the event of the next step) saved at an instant (``sim.model.resume``)."""
    wf = Workforce(headcount, plan)
    hires = sorted(((h.year * DAYS_PER_YEAR, h.headcount) for h in plan.hires), key=lambda x: x[0])
    wait = None
    if resume is not None:
        wf.cohorts, wf.last, hires, wait = resume
    while True:
        if wait is not None:
            yield wait
            wait = None
        now = env.now
        wf.advance(now)
        while hires and hires[0][0] <= now:
            wf.hire(now, hires.pop(0)[1])
        pool.set_capacity(max(0, int(math.floor(wf.effective(now) * caseload + 0.5))))
        nxt = now + step
        if hires:
            nxt = min(nxt, hires[0][0])
        yield env.timeout(nxt - now)


def people_plan(env: simpy.Environment, pool: PortfolioPool, plan: StaffPlan, step: float,
                resume: Optional[tuple[float, float, list[tuple[float, int]], simpy.Event]] = None) -> Process:
    """Process that hires, loses and ramps up the people of a portfolio pool (rules in the module docstring).
    ``resume``: (the leavers owed, the day they were counted to, the hires still to come, the event of the next
    step) saved at an instant (``sim.model.resume``)."""
    rate = -log(1.0 - plan.attrition_per_year) / DAYS_PER_YEAR if plan.attrition_per_year else 0.0
    hires = sorted(((h.year * DAYS_PER_YEAR, h.headcount) for h in plan.hires), key=lambda x: x[0])
    debt, last = 0.0, env.now
    wait = None
    if resume is not None:
        debt, last, hires, wait = resume
    while True:
        if wait is not None:
            yield wait
            wait = None
        now = env.now
        if rate and now > last:
            debt += pool.headcount * (1.0 - exp(-rate * (now - last)))
            while debt >= 1.0 - 1e-9:
                debt -= 1.0
                if plan.backfill:  # the replacement joins first and takes over the leaver's cases
                    leaver = min(pool.people, key=lambda p: (p.hired, p.uid))
                    pool.hire(productivity(0.0, plan))
                    pool.leave(leaver)
                elif pool.headcount > 1:
                    pool.leave()
        last = now
        while hires and hires[0][0] <= now:
            n = hires.pop(0)[1]
            for _ in range(max(0, n)):
                pool.hire(productivity(0.0, plan))
            for _ in range(max(0, -n)):
                if pool.headcount > 1:
                    pool.leave(max(pool.people, key=lambda p: (p.hired, p.uid)))
        for person in pool.people:
            if person.hired > -math.inf:
                pool.set_productivity(person, productivity(now - person.hired, plan))
        nxt = now + step
        if hires:
            nxt = min(nxt, hires[0][0])
        yield env.timeout(nxt - now)
