"""One person who works on all their cases at once: (weighted) processor sharing with a virtual clock.

A :class:`SharedServer` splits its productivity (person-days of effort delivered per day) among the jobs
being worked on, in proportion to their weights: a job of weight ``w`` among jobs of total weight ``W``
receives ``productivity x w / W``.  Cases held in the portfolio but not being worked on (a case waiting on
others) count toward the portfolio size, which may lower productivity through ``rate(n)`` (the cost of
juggling), but take no effort.

Equal sharing makes every job's remaining work fall at the same rate per unit of weight, so one virtual
clock ``V`` per person, advancing at ``productivity / W``, is enough: a job that arrives with ``effort`` at
virtual time ``V0`` finishes when ``V`` reaches ``V0 + effort / w``.  A heap of those finishing marks gives
the next finish in O(log n), and each arrival or departure reschedules a single wake-up.

Nothing here knows about FMS; :mod:`sim.verification` checks it against M/G/1 processor-sharing theory.
"""
from __future__ import annotations

import heapq
import itertools
import math
from typing import Callable, Optional

import simpy

RateFn = Callable[[int], float]  # portfolio size -> person-days of effort per day


def constant(productivity: float = 1.0) -> RateFn:
    """A person whose productivity does not depend on how many cases they hold."""
    return lambda n: productivity


def juggling(productivity: float, comfortable: int, switching_cost: float) -> RateFn:
    """Full ``productivity`` up to ``comfortable`` cases; above it, each extra case costs ``switching_cost`` of
    it: ``productivity / (1 + switching_cost x (n - comfortable))``, so sustained overload compounds."""
    def rate(n: int) -> float:
        return productivity / (1.0 + switching_cost * max(0, n - comfortable))
    return rate


class Wake:
    """The callback of a server's wake-up: it acts only if no later arrival or departure superseded it (a class, not
    a closure, so a saved state can tell a server's pending wake-up from a stale one: ``sim.engine.checkpoint``)."""

    __slots__ = ("server", "generation")

    def __init__(self, server: "SharedServer", generation: int) -> None:
        self.server, self.generation = server, generation

    def __call__(self, _event: simpy.Event) -> None:
        self.server._wake(self.generation)


class SharedServer:
    """One person: jobs share their effort by weight; ``hold`` / ``release`` count waiting cases."""

    def __init__(self, env: simpy.Environment, name: str = "", rate: RateFn = constant()) -> None:
        self.env, self.name, self.rate = env, name, rate
        self.virtual = 0.0  # V at ``self.updated``
        self.updated = 0.0
        self.weight = 0.0  # total weight of the jobs being worked on
        self.held = 0  # cases in the portfolio that are not being worked on
        self._marks: list[tuple[float, int, float, simpy.Event]] = []  # (finish mark, seq, weight, event)
        self._seq = itertools.count()
        self._generation = 0  # the wake-up that is still valid
        self._wake_event: Optional[simpy.Event] = None  # the pending wake-up of that generation (None: none due)
        self.effort_done = 0.0  # person-days delivered so far (for utilisation)

    # ------------------------------------------------------------------ state
    @property
    def active(self) -> int:
        """Jobs being worked on."""
        return len(self._marks)

    @property
    def portfolio(self) -> int:
        """Cases in the portfolio: being worked on or held."""
        return len(self._marks) + self.held

    def productivity(self) -> float:
        """Person-days of effort delivered per day now (0 when there is nothing to work on)."""
        return self.rate(self.portfolio) if self._marks else 0.0

    def _advance(self) -> None:
        now = self.env.now
        if self._marks and now > self.updated:
            p = self.rate(self.portfolio)
            self.virtual += (now - self.updated) * p / self.weight
            self.effort_done += (now - self.updated) * p
        self.updated = now

    def _reschedule(self) -> None:
        self._generation += 1
        self._wake_event = None
        if not self._marks:
            return
        mark = self._marks[0][0]
        p = self.rate(self.portfolio)
        delay = max(0.0, (mark - self.virtual) * self.weight / p) if p > 0 else math.inf
        if math.isinf(delay):
            return  # no productivity: nothing finishes until the portfolio changes
        event = self._wake_event = self.env.timeout(delay)
        event.callbacks.append(Wake(self, self._generation))

    def _wake(self, generation: int) -> None:
        if generation != self._generation:
            return  # superseded by a later arrival or departure
        self._advance()
        eps = 1e-9 * max(1.0, abs(self.virtual))
        while self._marks and self._marks[0][0] <= self.virtual + eps:
            _, _, w, event = heapq.heappop(self._marks)
            self.weight -= w
            event.succeed()
        if not self._marks:
            self.weight = 0.0  # no drift from repeated additions and subtractions
        self._reschedule()

    # ------------------------------------------------------------------ use
    def work(self, effort: float, weight: float = 1.0, event: Optional[simpy.Event] = None) -> simpy.Event:
        """An event (``event``, or a new one) that fires when ``effort`` person-days have been delivered to this
        job."""
        if weight <= 0:
            raise ValueError(f"weight={weight}; allowed: > 0")
        if event is None:
            event = self.env.event()
        if effort <= 0:
            event.succeed()
            return event
        self._advance()
        heapq.heappush(self._marks, (self.virtual + effort / weight, next(self._seq), weight, event))
        self.weight += weight
        self._reschedule()
        return event

    def hold(self, n: int = 1) -> None:
        """``n`` more cases in the portfolio that take no effort now (waiting on others)."""
        self._change_held(n)

    def release(self, n: int = 1) -> None:
        """``n`` held cases leave the portfolio (or start being worked on through :meth:`work`)."""
        if n > self.held:
            raise ValueError(f"release({n}) with only {self.held} held")
        self._change_held(-n)

    def _change_held(self, n: int) -> None:
        if not self._marks or self.rate(self.portfolio + n) == self.rate(self.portfolio):
            self.held += n  # nothing worked on, or the same productivity: every finishing time stands
            return
        self._advance()  # at the old productivity up to now
        self.held += n
        self._reschedule()  # at the new one from now

    def set_rate(self, rate: RateFn) -> None:
        """A new productivity rule from now on (a new hire ramping up); work done so far is kept."""
        self._advance()
        self.rate = rate
        self._reschedule()

    def withdraw(self, event: simpy.Event) -> float:
        """Take the job of ``event`` away (its case is handed to someone else) and return the effort it
        still needs; its event will not fire from here.  O(n): only for hand-overs, which are rare."""
        self._advance()
        for k, (mark, _, w, e) in enumerate(self._marks):
            if e is event:
                self._marks[k] = self._marks[-1]
                self._marks.pop()
                heapq.heapify(self._marks)
                self.weight -= w
                if not self._marks:
                    self.weight = 0.0
                self._reschedule()
                return max(0.0, (mark - self.virtual) * w)
        raise ValueError("withdraw: the job is not being worked on here")

    def remaining(self, event: simpy.Event) -> Optional[float]:
        """Effort still to deliver to the job of ``event`` (None if it is not being worked on)."""
        self._advance()
        for mark, _, w, e in self._marks:
            if e is event:
                return max(0.0, (mark - self.virtual) * w)
        return None
