"""An office of named people, each working on a portfolio of cases at once (the ``portfolio`` discipline).

A :class:`PortfolioPool` holds ``people`` :class:`~sim.engine.sharing.SharedServer` s (:mod:`sim.engine.people`).
A case entering an office stage **joins** one person's portfolio and stays with them to the end of the stage
(unless that person leaves):

- **Assignment.** Each case carries a desk position in [0, 1) (its partner's place on the office's desk circle) and
  a ``pooled`` flag.  A pooled case goes to the person with the fewest cases (ties: the lowest index); any other
  case goes to the desk owner, person ``floor(desk x people)``: the desks are divided evenly over the people on
  hand at the moment of assignment, so a new hire takes a share of them and a leaver's share goes to the others.
- **Cap and backlog.** A person holds at most ``max_cases`` cases.  A case whose desk owner is full goes to the
  person with the fewest cases; when everyone is full it waits in the office's backlog, by priority (lower
  first) then first come first served, and the first place to free takes the head of the backlog.
- **Sharing.** A case in a portfolio is either *held* (waiting on others: it counts toward the portfolio and its
  juggling cost but takes no effort) or *worked on*: the person's productivity is shared among the cases worked
  on in proportion to their attention weights (``attention[priority]``, 1 if absent).  Productivity is
  ``productivity / (1 + switching_cost x max(0, portfolio - caseload))`` (``caseload`` is the comfortable number
  of cases): sustained overload compounds.
- **People change** (:meth:`hire`, :meth:`leave`, :meth:`set_productivity`): a hire starts with an empty portfolio
  (and takes cases from the backlog); a leaver's cases are handed, in the order they joined, each to the person
  with the fewest cases, keeping the work already done.

Every join, hand-over and departure costs O(log n) (a heap of finishing marks per person; a lazily updated heap of
portfolio sizes for pooled assignment), except a leaver's hand-over, O(cases x log n).  The pool keeps the time
integrals of the backlog, of busy people (working on at least one case) and of people, and arrival / start /
departure counts, as :class:`~sim.engine.pool.PoolSnapshot` s, so pool statistics read the same as slot pools'
(utilisation = share of person-time spent working).
"""
from __future__ import annotations

import heapq
import itertools
import math
from typing import Mapping, Optional

import simpy

from sim.engine.people import Job, Person, has_joined
from sim.engine.pool import PoolSnapshot
from sim.engine.sharing import SharedServer, juggling


class PortfolioPool:
    """An office of ``people`` named people with portfolios of cases (see the module docstring)."""

    def __init__(self, env: simpy.Environment, name: str, people: int, caseload: int = 1,
                 switching_cost: float = 0.0, max_cases: Optional[int] = None,
                 attention: Optional[Mapping[int, float]] = None, productivity: float = 1.0) -> None:
        if people < 1:
            raise ValueError(f"pool {name}: people {people} must be >= 1")
        self.env, self.name = env, name
        self.caseload, self.switching_cost = int(caseload), float(switching_cost)
        self.max_cases = math.inf if max_cases is None else int(max_cases)
        self.attention = dict(attention or {})
        self._uid = itertools.count()
        self._seq = itertools.count()
        self.people: list[Person] = []
        self._backlog: list[tuple[int, int, Job]] = []
        self._sizes: list[tuple[int, int, int]] = []  # (cases, uid, stamp): lazily updated
        self._stamp: dict[int, int] = {}
        self._by_uid: dict[int, Person] = {}
        self._last = env.now
        self.queue_area = self.busy_area = self.capacity_area = self.cases_area = 0.0
        self.requests = self.starts = self.releases = 0
        self.busy_people = 0  # people working on at least one case (kept by _touch)
        self.in_portfolios = 0  # cases started in the office and not yet done (handed-over ones included)
        self._handed = 0  # of the backlog: cases handed over by a leaver, started already (not backlog wait)
        self.working = 0  # cases being worked on
        for _ in range(int(people)):
            self._add_person(-math.inf, productivity)

    # ------------------------------------------------------------------ people
    def _add_person(self, hired: float, productivity: float) -> Person:
        uid = next(self._uid)
        server = SharedServer(self.env, f"{self.name}#{uid}",
                              juggling(productivity, self.caseload, self.switching_cost))
        person = Person(uid, server, hired, productivity)
        self.people.append(person)
        self._by_uid[uid] = person
        self._stamp[uid] = 0
        self._push_size(person)
        return person

    def _push_size(self, person: Person) -> None:
        stamp = self._stamp[person.uid] + 1
        self._stamp[person.uid] = stamp
        heapq.heappush(self._sizes, (person.cases, person.uid, stamp))
        if len(self._sizes) > 8 * len(self.people) + 64:  # drop stale entries now and then
            self._sizes = [(p.cases, p.uid, self._stamp[p.uid]) for p in self.people]
            heapq.heapify(self._sizes)

    def least_loaded(self) -> Person:
        """The person with the fewest cases (ties: the earliest uid still on staff)."""
        while True:
            cases, uid, stamp = self._sizes[0]
            if self._stamp.get(uid) == stamp:
                return self._by_uid[uid]
            heapq.heappop(self._sizes)

    @property
    def headcount(self) -> int:
        return len(self.people)

    def hire(self, productivity: float = 1.0) -> Person:
        """A new person, who takes cases from the backlog at once."""
        self._advance()
        person = self._add_person(self.env.now, productivity)
        self._dispatch()
        return person

    def leave(self, person: Optional[Person] = None) -> None:
        """``person`` (default: the longest-serving: earliest hire, then lowest uid) leaves; their cases are
        handed, in the order they joined, each to the person with the fewest cases, keeping the work done; when
        everyone left is at ``max_cases``, the rest go to the backlog (by priority, then the order they first
        joined, so ahead of later cases of their priority) and resume where they stopped."""
        if len(self.people) <= 1:
            raise ValueError(f"pool {self.name}: the last person cannot leave")
        self._advance()
        if person is None:
            person = min(self.people, key=lambda p: (p.hired, p.uid))
        self.people.remove(person)
        del self._by_uid[person.uid], self._stamp[person.uid]
        if person.working:
            self.busy_people -= 1
        self._sizes = [(p.cases, p.uid, self._stamp[p.uid]) for p in self.people]
        heapq.heapify(self._sizes)
        for job in sorted(person.jobs.values(), key=lambda j: j.seq):
            target = self.least_loaded()
            if job.done.triggered:
                # its work ended this instant (the case leaves at once): it goes along whatever the cap
                if job.inner is not None:  # the finish is still to be processed: _worked counts it there
                    target.working += 1
                    if target.working == 1:
                        self.busy_people += 1
                self._place(job, target)
                continue
            left = None
            if job.inner is not None:  # being worked on: take the effort still to do along
                left = person.server.withdraw(job.inner)
                job.inner = None
                self.working -= 1
            elif job.held:
                person.server.release()
            if target.cases >= self.max_cases:  # everyone is full: to the backlog, ahead of later cases
                job.person, job.left = None, left
                self._handed += 1  # still started, in the office (cases_area), but without a person
                heapq.heappush(self._backlog, (job.priority, job.seq, job))
                continue
            self._place(job, target)
            if left is not None:
                self._work_on(job, left)
        person.jobs.clear()
        self._dispatch()

    def set_productivity(self, person: Person, productivity: float) -> None:
        """A person's productivity from now on (person-days per day at a comfortable caseload)."""
        if productivity != person.productivity:
            person.productivity = productivity
            person.server.set_rate(juggling(productivity, self.caseload, self.switching_cost))

    # ------------------------------------------------------------------ bookkeeping
    def _advance(self) -> None:
        now = self.env.now
        dt = now - self._last
        if dt:
            self.queue_area += dt * (len(self._backlog) - self._handed)
            self.busy_area += dt * self.busy_people
            self.capacity_area += dt * len(self.people)
            self.cases_area += dt * self.in_portfolios
            self._last = now

    @property
    def queue_length(self) -> int:
        """Cases waiting to start (the backlog, without cases a leaver handed back into it)."""
        return len(self._backlog) - self._handed

    @property
    def busy(self) -> int:
        return self.busy_people

    @property
    def capacity(self) -> int:
        return len(self.people)

    def snapshot(self) -> PoolSnapshot:
        self._advance()
        return PoolSnapshot(self.env.now, self.queue_area, self.busy_area, self.capacity_area, self.requests,
                            self.starts, self.releases, self.queue_length, self.busy_people, len(self.people),
                            self.cases_area)

    def max_portfolio(self) -> int:
        return max(p.cases for p in self.people)

    # ------------------------------------------------------------------ the case's side
    def join(self, priority: int, desk: float, pooled: bool) -> simpy.Event:
        """An event that fires with the case's :class:`Job` once it is in a person's portfolio (held, not yet
        worked on); pair it with :meth:`done`.  :meth:`enter` is the same without an event when there is room."""
        job = self.enter(priority, desk, pooled)
        if job.joined is not None:
            return job.joined
        joined = self.env.event()
        joined.succeed(job)
        return joined

    def enter(self, priority: int, desk: float, pooled: bool) -> Job:
        """The case's :class:`Job`, in a person's portfolio now (held, not yet worked on) when there is room;
        otherwise in the backlog, with ``job.joined`` an event that fires with it once it is placed (yield it
        first).  Pair it with :meth:`done`."""
        self._advance()
        self.requests += 1
        done = self.env.event()
        job = Job(next(self._seq), priority, self.attention.get(priority, 1.0), done)
        # the bookkeeping of a finish runs first among the callbacks of ``done``, before the case's process resumes
        done.callbacks.append(lambda _ev: self._worked(job))
        target = self.least_loaded() if pooled else self.people[min(len(self.people) - 1,
                                                                   int(desk * len(self.people)))]
        if not self._backlog:  # (a backlog means everyone is full)
            if target.cases >= self.max_cases:  # the desk is full: to whoever has room
                target = self.least_loaded()
            if target.cases < self.max_cases:
                self._start(job, target)
                return job
        job.joined = self.env.event()  # everyone is full: the backlog
        heapq.heappush(self._backlog, (priority, job.seq, job))
        return job

    def _start(self, job: Job, person: Person) -> None:
        self.starts += 1
        self.in_portfolios += 1
        self._place(job, person)

    def _place(self, job: Job, person: Person) -> None:
        job.person = person
        person.jobs[job.seq] = job
        if job.held:
            person.server.hold()
        self._push_size(person)

    def work(self, job: Job, effort: float) -> simpy.Event:
        """Stop waiting on others and have ``effort`` person-days worked on the case; the event fires when done."""
        assert job.held
        self._advance()
        job.held = False
        if job.person is None:  # handed over into the backlog while it waited on others: worked once placed
            job.left = effort
            return job.done
        job.person.server.release()
        self._work_on(job, effort)
        return job.done

    def _work_on(self, job: Job, effort: float) -> None:
        person = job.person
        assert person is not None
        self.working += 1
        person.working += 1
        if person.working == 1:
            self.busy_people += 1
        job.inner = person.server.work(effort, job.weight, job.done)

    def _worked(self, job: Job) -> None:
        """The server fired ``job.done``: the case's effort is delivered (runs before its process resumes)."""
        self._advance()
        self.working -= 1
        job.inner = None
        person = job.person
        assert person is not None
        person.working -= 1
        if person.working == 0:
            self.busy_people -= 1

    def done(self, job: Job) -> None:
        """The case leaves the stage (and the portfolio); the freed place takes the head of the backlog."""
        self._advance()
        person = job.person
        assert person is not None and job.inner is None
        if job.held:
            person.server.release()
        del person.jobs[job.seq]
        self.in_portfolios -= 1
        self.releases += 1
        self._push_size(person)
        self._dispatch()

    def _dispatch(self) -> None:
        while self._backlog:
            person = self.least_loaded()
            if person.cases >= self.max_cases:
                return
            _, _, job = heapq.heappop(self._backlog)
            if job.person is None and job.joined is None:  # handed over into the backlog: resume
                self._handed -= 1
                self._place(job, person)
                if job.left is not None:
                    left, job.left = job.left, None
                    self._work_on(job, left)
                continue
            self._start(job, person)
            has_joined(job)
