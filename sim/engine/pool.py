"""Staff pools and production lines: capacity-limited resources with a heap-based queue.

A :class:`Pool` has ``capacity`` concurrent slots (headcount x caseload for an office, one
slot for a production line).  Requests are served by priority (lower first), then first come
first served; the waiting line is a binary heap, so a request costs O(log n) even when tens of
thousands of cases wait (``simpy.PriorityResource`` re-sorts the whole queue each time).
``set_capacity`` changes capacity during a run: an increase starts waiting requests at once,
a decrease lets the cases in service finish (no preemption).

The pool keeps time integrals of its queue length and busy slots, plus arrival and departure
counts, so utilisation and Little's law can be computed over any window from snapshots.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Optional

import simpy


@dataclass(frozen=True)
class PoolSnapshot:
    """Cumulative counters of a pool at one instant."""

    time: float
    queue_area: float  # integral of queue length dt
    busy_area: float  # integral of busy slots dt
    capacity_area: float  # integral of capacity dt
    requests: int  # requests made so far
    starts: int  # requests that started service so far
    releases: int  # services finished so far
    queue: int
    busy: int
    capacity: int
    cases_area: Optional[float] = None  # portfolio pools: integral of cases in portfolios dt (slots: None)


class Pool:
    """A priority-then-FIFO resource with settable capacity."""

    def __init__(self, env: simpy.Environment, name: str, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"pool {name}: capacity {capacity} must be >= 1")
        self.env, self.name = env, name
        self.capacity = int(capacity)
        self.busy = 0
        self._heap: list[tuple[int, int, simpy.Event]] = []
        self._seq = 0
        self._last = env.now
        self.queue_area = self.busy_area = self.capacity_area = 0.0
        self.requests = self.starts = self.releases = 0

    # -- bookkeeping
    def _advance(self) -> None:
        now = self.env.now
        dt = now - self._last
        if dt:
            self.queue_area += dt * len(self._heap)
            self.busy_area += dt * self.busy
            self.capacity_area += dt * self.capacity
            self._last = now

    @property
    def queue_length(self) -> int:
        return len(self._heap)

    def snapshot(self) -> PoolSnapshot:
        self._advance()
        return PoolSnapshot(
            self.env.now, self.queue_area, self.busy_area, self.capacity_area,
            self.requests, self.starts, self.releases, len(self._heap), self.busy, self.capacity,
        )

    # -- the resource protocol
    def request(self, priority: int = 1) -> simpy.Event:
        """An event that fires when a slot is granted; pair every grant with ``release()``."""
        self._advance()
        self.requests += 1
        ev = self.env.event()
        if self.busy < self.capacity and not self._heap:
            self.busy += 1
            self.starts += 1
            ev.succeed()
        else:
            self._seq += 1
            heapq.heappush(self._heap, (priority, self._seq, ev))
        return ev

    def release(self) -> None:
        self._advance()
        self.busy -= 1
        self.releases += 1
        self._dispatch()

    def set_capacity(self, capacity: int) -> None:
        """Change capacity now; reductions take effect as cases in service finish."""
        if capacity < 0:
            raise ValueError(f"pool {self.name}: capacity {capacity} must be >= 0")
        if capacity == self.capacity:
            return  # nothing changes (its integrals are not cut at a moment that changes nothing: other floats)
        self._advance()
        self.capacity = int(capacity)
        self._dispatch()

    def _dispatch(self) -> None:
        while self._heap and self.busy < self.capacity:
            _, _, ev = heapq.heappop(self._heap)
            self.busy += 1
            self.starts += 1
            ev.succeed()
