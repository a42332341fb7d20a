"""The run's own processes: LOR arrivals, the horizon, the pools' sampler and snapshots, and the deadline.

Each is a process of :class:`~sim.model.fms_model.FmsModel`; each can also begin by waiting on a restored event
(``wait``), so a run resumed from a saved state goes on as the saved run would have (``sim.model.resume``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import simpy

from sim.engine.portfolio import PortfolioPool
from sim.model.arrivals import lor_times

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
