"""The run's own processes: LOR arrivals, the horizon, the pools' sampler and snapshots, and the deadline.

Each is a process of :class:`~sim.model.fms_model.FmsModel`; each can also begin by waiting on a restored event
(``wait``), so a run resumed from a saved state goes on as the saved run would have (``sim.model.resume``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

import simpy
from simpy.events import NORMAL

from sim.engine.checkpoint import due
from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.portfolio import PortfolioPool
from sim.model.arrivals import lor_times
from sim.model.enactment import take_effect
from sim.model.staff_plans import people_plan, staff_plan

if TYPE_CHECKING:
    from sim.engine.core import Process

Model = Any  # a sim.model.fms_model.FmsModel (which imports this module: no import back)


def arrivals(m: Model, resume: Optional[tuple[int, simpy.Event]] = None) -> "Process":
    """Each LOR at its time.  ``resume``: (the id of the LOR due next, the event of its time); the stream is drawn
    again from day 0 up to it (the same numbers: it is a named stream of its own)."""
    env = m.env
    times = lor_times(m.params.demand, m.streams, m.horizon if m.drain else m.end, m.params.run.start_fiscal_year)
    if resume is not None:
        due, wait = resume
        for case_id, t, funding in times:
            if case_id == due:
                break
        else:
            raise ValueError(f"resume: LOR {due} is not in the arrival stream")
        yield wait
        m.admit(m.factory.make(case_id, funding))
    for case_id, t, funding in times:
        yield env.timeout(t - env.now)
        m.admit(m.factory.make(case_id, funding))
    if m.drain:
        yield env.timeout(m.horizon - env.now)
        m.arrivals_done = True
        m._admitting(m.admitting_block + 1 + max(m.open_in_block, default=0))  # no block gets a case
        if m.open_cases == 0 and not m.finished.triggered:
            m.finished.succeed()


def horizon(m: Model, wait: Optional[simpy.Event] = None) -> "Process":
    """The cohort is complete at the horizon; the run may end as soon as all of it is through."""
    yield m.env.timeout(m.horizon) if wait is None else wait
    m.cohort_complete = True
    m._end_if_through()


def sampler(m: Model, wait: Optional[simpy.Event] = None) -> "Process":
    env, step = m.env, m.params.run.sample_days
    pools = list(m.all_pools().values())
    if wait is not None:
        yield wait
    while True:
        for pool in pools:
            if isinstance(pool, PortfolioPool):
                m.samples.append((env.now, pool.name, pool.queue_length, pool.busy, pool.capacity,
                                  pool.in_portfolios, pool.working, pool.max_portfolio()))
            else:
                m.samples.append((env.now, pool.name, pool.queue_length, pool.busy, pool.capacity,
                                  pool.busy, pool.busy, -1))
        yield env.timeout(step)


def snapshot_at(m: Model, label: str, t: float, wait: Optional[simpy.Event] = None) -> "Process":
    yield m.env.timeout(t) if wait is None else wait
    m.snapshots[label] = {name: pool.snapshot() for name, pool in m.all_pools().items()}


def deadline(m: Model, wait: Optional[simpy.Event] = None) -> "Process":
    yield m.env.timeout(m.end) if wait is None else wait
    if not m.finished.triggered:
        m.finished.succeed()


def restore(m: Model, state: Mapping[str, Any]) -> None:
    """The run's own processes of a state (``sim.model.resume``), each waiting on its saved event."""
    env, system, saved = m.env, m.system, state["system"]

    def wait(name: str) -> Any:
        return None if saved.get(name) is None else due(env, saved[name]["at"])

    if saved.get("arrivals") is not None:
        system["arrivals"] = env.process(arrivals(m, (int(saved["arrivals"]["next"]), wait("arrivals"))))
    if saved.get("sampler") is not None:
        system["sampler"] = env.process(sampler(m, wait("sampler")))
    # the run's calendar may differ from the saved run's after the state's day (a longer horizon or run): each of
    # these processes waits, from day 0, for its day; one whose day moved waits for the new one (an eid below every
    # saved event's, as a process made on day 0 would have)
    was = state["calendar"]

    def make(name: str, w: simpy.Event) -> "Process":
        if name.startswith("snapshot:"):
            label = name.split(":")[1]
            return snapshot_at(m, label, m.warmup if label == "warmup" else m.horizon, w)
        return horizon(m, w) if name == "horizon" else deadline(m, w)

    for k, (name, t, old) in enumerate((("horizon", m.horizon, was["horizon"]),
                                        ("snapshot:warmup", m.warmup, was["warmup"]),
                                        ("snapshot:horizon", m.horizon, was["horizon"]),
                                        ("deadline", m.end, was["end"]))):
        if t == old:
            if saved.get(name) is not None:
                system[name] = env.process(make(name, wait(name)))
        elif t < env.now or old < env.now:  # calendar_problem says so before any resume
            raise ValueError(f"resume: {calendar_problem(m, state)}")
        else:
            system[name] = env.process(make(name, due(env, (0.0 + (t - 0.0), NORMAL, -2 * 10**9 + k))))
    # a reform dated on or after the state's day, and the plans only a reform has, were processes of the saved run's
    # scenario from day 0: their events come before those scheduled later, so they take eids below every saved one
    eid = -10**9
    if m.epochs:
        system["epochs"] = env.process(take_effect(m, due(env, (0.0 + (m.epochs[0].day - 0.0), NORMAL, eid))))
    step = m.params.staffing.plan_step_days
    for name, plan in m.params.staffing.plans.items():
        if not plan.hires and not plan.attrition_per_year:
            continue
        pool, s = m.pools[name], saved.get(f"plan:{name}")
        hires = sorted(((h.year * DAYS_PER_YEAR, h.headcount) for h in plan.hires), key=lambda x: x[0])
        if s is None:  # a plan the saved run did not have (a reform's hires): its steps from day 0 up to now
            last, debt, cohorts = 0.0, 0.0, None
            now = 0.0
            while True:
                nxt = now + step
                later = [h for h in hires if h[0] > now]
                if later:
                    nxt = min(nxt, later[0][0])
                when = now + (nxt - now)
                if when >= env.now:
                    break
                now = when
            eid += 1
            last, at = now, [now + (nxt - now), NORMAL, eid]
        else:
            last, at = float(s["last"]), s["at"]
            debt, cohorts = s.get("debt", 0.0), s.get("cohorts")
            later = [h for h in hires if h[0] > last]
            if later and later[0][0] < at[0]:  # a reform's hire comes first: the step the saved run would have had
                at = [last + (later[0][0] - last), at[1], at[2]]
        remaining = [h for h in hires if h[0] > last]
        if isinstance(pool, PortfolioPool):
            system[f"plan:{name}"] = env.process(people_plan(env, pool, plan, step,
                                                             (float(debt), last, remaining, due(env, at))))
        else:
            staff = m.params.staffing.pools[name]
            wf_cohorts = cohorts if cohorts is not None else [[float("-inf"), float(staff.headcount)]]
            system[f"plan:{name}"] = env.process(staff_plan(env, pool, staff.headcount, staff.caseload, plan, step,
                                                            ([list(c) for c in wf_cohorts], last, remaining,
                                                             due(env, at))))


CALENDAR_KEYS = {"horizon": "run.horizon_years", "warmup": "run.warmup_years",
                 "end": "run.horizon_years + run.drain_years"}


def calendar_problem(m: Model, state: Mapping[str, Any]) -> Optional[str]:
    """Why the run's calendar cannot follow the saved run's from its day, or None: a day of the calendar (warm-up
    end, horizon, end) may move only if it is after the state's day in both (what came before has happened)."""
    was, now = state["calendar"], float(state["clock"]["now"])
    for name, t in (("warmup", m.warmup), ("horizon", m.horizon), ("end", m.end)):
        old = float(was[name])
        if t != old and (t < now or old < now):
            return (f"the run's {name} (day {t:g}, set by {CALENDAR_KEYS[name]}) and the state's (day {old:g}) differ "
                    f"and are not both after the state's day {now:g}; allowed: the same, or both after it")
    return None
