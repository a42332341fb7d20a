"""Reforms with a date and a strength: ``reform.effective``, ``reform.strength`` and ``reform.phase_in_years``.

A reform is *enacted*: from the effective date (default: always in effect) its levers act at ``level(t)``, which
is 0 before the date, ``strength`` once phased in, and in between ramps linearly over ``phase_in_years`` in monthly
steps (each month at the ramp's mean over that month).  At a level below 1 (``sim.model.reform.at_level``):

- **multipliers** (``*_factor``, ``staff_factor``) are ``1 + level x (factor - 1)``; **set values** (thresholds,
  the informal-review clock, the hold cap) are ``neutral + level x (stated - neutral)``;
- **switches and lists** (``parallel_reviews``, ``priority_partners``, ``priority_platforms``) and the **SDAF
  coverage** reach a case when the case's own uniform draw is below ``level`` (the ``reform_uptake`` bank; the
  SDAF draw is the case's attribute draw against ``level x sdaf_share``), so uptake grows case by case, results are
  monotone in strength and every scenario keeps its pairing.

What happens to cases already in process on the date (and at each step of a phase-in):

====================================================  ========================================================
lever                                                 acts on
====================================================  ========================================================
``mde_threshold``, ``total_threshold``                cases and amendments reaching congressional review after
``informal_review_days``, ``p_hold_factor``, cap      reviews starting after it (a review under way keeps its)
``p_incomplete_factor``                               LOR validations finishing after it
``p_requirement_change_factor``                       contracting rounds finishing after it
``loa_work_factor``                                   LOA work drawn after it (at the end of LOR intake)
``tech_release_work_factor``, ``contracting_*``       stages starting after it
``line_rate_factor``                                  orders joining a production line after it
``staff_factor``                                      the added (or cut) people join on the date through the
                                                      people mechanism (``staffing.plans.<pool>``: its hiring
                                                      ramp), each month's share during a phase-in
``parallel_reviews``                                  cases starting their reviews after it
``priority_partners``, ``priority_platforms``          every open case from the date, at its next queue (a
                                                      place already held is kept), and new cases
``sdaf_share``                                        open cases not yet in production, and new cases
====================================================  ========================================================

With the defaults (``effective`` null, strength 1, no phase-in) there is one level, 1, from day 0: exactly the
reforms as they always were ("what if this had always been so?").  A date, day 0 included, means enacted then:
the levers switch on that day and the people a reform adds are hired then, through the ramp.  Plain Python:
``sim.model.scenario.resolve`` builds the schedule once per scenario.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Optional, Protocol

from sim.engine.clock import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.model import workforce_program
from sim.model.entities import S_SDAF, URGENT
from sim.model.frozen import freeze
from sim.model.levers import ReformParams
from sim.model.params import Hire, Params, ProcessParams, StaffPlan
from sim.model.reform import Policy, apply, selected

if TYPE_CHECKING:
    import simpy

    from sim.engine.core import Process
    from sim.model.entities import Case, CaseFactory


# route steps (sim.model.process.case_flow) before production: a case in one may still take up SDAF coverage
BEFORE_PRODUCTION = frozenset((None, "lor_intake", "reviews", "congressional_review", "offer_acceptance",
                               "implementation", "contracting"))


@dataclass(frozen=True)
class Epoch:
    """From ``day`` on, the stages see these process parameters, policy switches and production-line rates."""

    day: float
    process: ProcessParams
    policy: Policy
    line_rates: Mapping[str, float]


class Enacted(Protocol):
    """What ``take_effect`` changes of the model (``FmsModel`` satisfies it)."""

    env: "simpy.Environment"
    epochs: tuple[Epoch, ...]
    p: ProcessParams
    policy: Policy
    line_rate: dict[str, float]
    factory: "CaseFactory"
    live: dict[int, "Case"]


def levels(r: ReformParams) -> list[tuple[float, float]]:
    """The reforms' level as steps, ``[(day, level), ...]`` from day 0: 0 before ``effective``, each month of the
    phase-in at the linear ramp's mean over that month, then ``strength``.  ``effective`` null: always in effect
    (no neutral step; the people a reform adds are there from the start); a date, even day 0: enacted then (the
    people join through the hiring ramp)."""
    start = 0.0 if r.effective is None else float(r.effective) * DAYS_PER_YEAR
    span = r.phase_in_years * DAYS_PER_YEAR
    if span > 0:
        n = max(1, int(math.floor(span / DAYS_PER_MONTH + 0.5)))
        out = [(start + k * span / n, r.strength * (k + 0.5) / n) for k in range(n)]
        out.append((start + span, r.strength))
    else:
        out = [(start, r.strength)]
    if r.effective is not None:  # enacted on a date (day 0 too): neutral until then, the people it adds are hired
        out.insert(0, (0.0, 0.0))
    return out


def schedule(params: Params) -> list[tuple[float, float, Optional[dict[str, float]]]]:
    """``levels`` with, where a selected reform runs a workforce program (``sim.model.workforce_program``), each
    such reform's own level on each day: the reforms' level times the program's ramp from the effective date."""
    steps = levels(params.reform)
    programs = {n: lv.program for n, lv in selected(params).items() if lv.program is not None}
    if not programs:
        return [(day, value, None) for day, value in steps]
    start = 0.0 if params.reform.effective is None else float(params.reform.effective) * DAYS_PER_YEAR
    ramps = {n: workforce_program.steps(p, start) for n, p in programs.items()}
    days = sorted({d for d, _ in steps} | {d for ramp in ramps.values() for d, _ in ramp})

    def at(pairs: list[tuple[float, float]], day: float) -> float:
        return next((v for d, v in reversed(pairs) if d <= day), 0.0)

    return [(day, at(steps, day), {n: at(steps, day) * at(ramp, day) for n, ramp in ramps.items()}) for day in days]


def enact(params: Params) -> tuple[Params, Policy, tuple[Epoch, ...]]:
    """``params`` resolved as they stand on day 0 (``sim.model.reform.apply`` at the first level; the people a
    reform adds later appended to ``staffing.plans`` as hires), the policy on day 0, and the later epochs."""
    steps = schedule(params)
    applied, policy = apply(params, steps[0][1], steps[0][2])
    epochs = []
    before = applied
    for day, level, own in steps[1:]:
        now, pol = apply(params, level, own)
        epochs.append(Epoch(day, freeze(now.process), pol, freeze(dict(now.staffing.production_lines))))
        for name, staff in now.staffing.pools.items():
            added = staff.headcount - before.staffing.pools[name].headcount
            if added:
                plan = applied.staffing.plans.setdefault(name, StaffPlan())
                plan.hires = [*plan.hires, Hire(year=day / DAYS_PER_YEAR, headcount=added)]
        before = now
    return applied, policy, tuple(epochs)


def take_effect(m: Enacted, wait: "Optional[simpy.Event]" = None) -> "Process":
    """At each epoch, the stages see its parameters; open cases take up the priority lists and the SDAF coverage
    as far as its level reaches (rules in the module).  ``wait``: the first epoch's event, restored
    (``sim.model.resume``)."""
    for epoch in m.epochs:
        if wait is not None:
            yield wait
            wait = None
        else:
            yield m.env.timeout(epoch.day - m.env.now)
        m.p, m.policy, m.line_rate = epoch.process, epoch.policy, dict(epoch.line_rates)
        m.factory.policy = epoch.policy
        pol = epoch.policy
        for case in m.live.values() if pol.priority_partners or pol.priority_platforms or pol.sdaf_share > 0 else ():
            if case.priority != URGENT and m.factory.listed(case.id, case.partner, case.platform):
                case.priority = URGENT
            if (not case.sdaf and case.acquisition != "stock" and case.step in BEFORE_PRODUCTION
                    and m.factory.bank.row(case.id)[S_SDAF] < pol.sdaf_share):
                case.sdaf = True
