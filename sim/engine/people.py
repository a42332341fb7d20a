"""The people of a portfolio office (``sim.engine.portfolio``) and a case's place in one person's portfolio."""
from __future__ import annotations

from typing import Optional

import simpy

from sim.engine.sharing import SharedServer


class Job:
    """One case's place in a person's portfolio for one stage visit."""

    __slots__ = ("seq", "priority", "person", "done", "inner", "weight", "held", "joined", "left")

    def __init__(self, seq: int, priority: int, weight: float, done: simpy.Event) -> None:
        self.seq, self.priority, self.weight, self.done = seq, priority, weight, done
        # the event that fires, with this job, once it is in a portfolio, made only for a case that has to wait
        # for a place (:meth:`PortfolioPool.enter`); None once placed (the event holds the job as its value:
        # keeping both would make a reference cycle per visit, garbage only the collector frees)
        self.joined: Optional[simpy.Event] = None
        self.person: Optional[Person] = None
        # ``done`` while a person's server works on the case (the server fires ``done`` itself: one event per
        # finish, not one for the server and one for the case); None otherwise
        self.inner: Optional[simpy.Event] = None
        self.held = True  # in the portfolio, waiting on others (no effort)
        self.left: Optional[float] = None  # effort still to do of a case handed over into the backlog


def has_joined(job: Job) -> None:
    """``job`` is in a portfolio: its join event, if it waited for a place, fires with it."""
    joined, job.joined = job.joined, None
    if joined is not None:
        joined.succeed(job)


class Person:
    """One member of staff: a shared server, a hire day and a productivity (ramping up after a hire)."""

    __slots__ = ("uid", "server", "hired", "productivity", "jobs", "working")

    def __init__(self, uid: int, server: SharedServer, hired: float, productivity: float) -> None:
        self.uid, self.server, self.hired, self.productivity = uid, server, hired, productivity
        self.jobs: dict[int, Job] = {}  # by job seq: the cases in the portfolio
        self.working = 0  # of which being worked on

    @property
    def cases(self) -> int:
        return len(self.jobs)
