"""The machinery every model here runs on: a SimPy environment, pools, and visit records.

:class:`Engine` gives ``work`` (queue at a :class:`~sim.engine.pool.Pool` by priority, hold one slot
for a duration) and ``delay`` (time that passes without a resource), each handing one visit
record (entity id, stage, pool, arrived, started, finished, waits, effort) to ``record``: by default the
``visits`` list, or running totals that keep no record (``sim.engine.records.VisitTotals``).  The FMS model
(:class:`~sim.model.fms_model.FmsModel`) and the verification network (``sim.verification.networks``) are both built
on it, so the code that the queueing-theory checks exercise is the code that simulates cases.
"""
from __future__ import annotations

from typing import Any, Callable, Generator, Optional, Protocol

import simpy

from sim.engine.people import Job
from sim.engine.pool import Pool
from sim.engine.portfolio import PortfolioPool
from sim.engine.sharing import SharedServer

# (entity id, stage, pool, arrived, started, finished, waits on others, hands-on effort): for a slot pool the
# effort is the time held (finished - started); for a delay, the waits are the whole time; for a portfolio, the
# time from started to finished is the waits, the effort and the slowdown from shared attention.
Visit = tuple[int, str, str, float, float, float, float, float]
VISIT_COLUMNS = ("case_id", "stage", "pool", "arrived", "started", "finished", "waits", "effort")
# a SimPy process body: yields events, is sent their values; the one alias for every process here
Process = Generator[simpy.Event, Any, Any]


class Entity(Protocol):
    """Anything that queues: a case, or a document of a case (which borrows its parent's id and priority)."""

    @property
    def id(self) -> int: ...

    @property
    def priority(self) -> int: ...


class Engine:
    """A SimPy environment with visit records."""

    def __init__(self) -> None:
        self.env = simpy.Environment()
        self.visits: list[Visit] = []
        # where each visit record goes: the list above, or a model's running totals (sim.engine.records)
        self.record: Callable[[Visit], None] = self.visits.append

    def work(self, entity: Entity, stage: str, pool: Pool, duration: float) -> Process:
        """Queue at ``pool`` (by the entity's priority), hold one slot for ``duration``."""
        env = self.env
        arrived = env.now
        yield pool.request(entity.priority)
        started = env.now
        yield env.timeout(duration)
        pool.release()
        self.record((entity.id, stage, pool.name, arrived, started, env.now, 0.0, duration))

    def share(self, entity: Entity, stage: str, server: SharedServer, effort: float, weight: float = 1.0) -> Process:
        """Join ``server``'s shared work at once and leave when ``effort`` has been delivered (processor sharing).

        The visit record has ``started == arrived`` (nobody waits to join); its length is the sojourn.
        """
        env = self.env
        arrived = env.now
        yield server.work(effort, weight)
        self.record((entity.id, stage, server.name, arrived, arrived, env.now, 0.0, effort))

    def portfolio_work(self, entity: Entity, stage: str, pool: PortfolioPool, effort: float, waits: float,
                       desk: float, pooled: bool) -> Process:
        """Join a person's portfolio (after any backlog wait), wait on others for ``waits`` days (held: no
        effort, but counted in the portfolio), then have ``effort`` person-days worked on it, shared with the
        person's other cases; leave."""
        env = self.env
        arrived = env.now
        job = pool.enter(entity.priority, desk, pooled)
        if job.joined is not None:  # no room: wait in the backlog for a place
            yield job.joined
        started = env.now
        if waits > 0:
            yield env.timeout(waits)
        yield pool.work(job, effort)
        pool.done(job)
        self.record((entity.id, stage, pool.name, arrived, started, env.now, waits, effort))

    def delay(self, entity: Entity, stage: str, duration: float) -> Process:
        """Time that passes without a resource (partner actions, statutory periods, transport)."""
        env = self.env
        start = env.now
        yield env.timeout(duration)
        self.record((entity.id, stage, "", start, start, env.now, duration, 0.0))

    # ---------------------------------------------------------------- the same visits, resumed at a saved instant
    # (sim.engine.checkpoint): each goes on from the event it was waiting on, as the visit above would have
    def resume_work(self, entity: Entity, stage: str, pool: Pool, duration: float, arrived: float,
                    started: Optional[float], event: simpy.Event) -> Process:
        """:meth:`work` waiting for its slot (``started`` None: ``event`` is its request) or holding it (``event``
        is the end of the hold)."""
        env = self.env
        yield event
        if started is None:
            started = env.now
            yield env.timeout(duration)
        pool.release()
        self.record((entity.id, stage, pool.name, arrived, started, env.now, 0.0, duration))

    def resume_portfolio_work(self, entity: Entity, stage: str, pool: PortfolioPool, effort: float, waits: float,
                              arrived: float, started: Optional[float], job: Job, event: simpy.Event) -> Process:
        """:meth:`portfolio_work` waiting in the backlog (``started`` None: ``event`` is ``job.joined``), waiting on
        others (``event`` is the end of the waits) or being worked on (``event`` is ``job.done``)."""
        env = self.env
        if started is None:
            yield event
            started = env.now
            if waits > 0:
                yield env.timeout(waits)
            yield pool.work(job, effort)
        elif event is not job.done:
            yield event
            yield pool.work(job, effort)
        else:
            yield event
        pool.done(job)
        self.record((entity.id, stage, pool.name, arrived, started, env.now, waits, effort))

    def resume_delay(self, entity: Entity, stage: str, duration: float, start: float, event: simpy.Event) -> Process:
        """:meth:`delay` waiting for ``event``, its end."""
        yield event
        self.record((entity.id, stage, "", start, start, self.env.now, duration, 0.0))
