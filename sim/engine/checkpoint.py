"""The engine's state at one instant, as plain data, and back: the clock, the pending events, pools and people.

A run stopped at day ``T`` (``env.run(until=T)``: no event of day ``T`` is processed yet) is saved as numbers and
lists that JSON keeps exactly (a float's repr reads back to the same float); restored, it goes on **exactly** as the
run would have: the same events at the same times, in the same order.  SimPy orders events of one instant by
priority, then by a counter given when each was scheduled (its *eid*), so every pending event keeps its
``(time, priority, eid)`` and the counter goes on from where it stood; events scheduled after the restore come
after every restored one, as they did.  A server's stale wake-ups (superseded, they would do nothing) are dropped.

Only what the model needs is saved: what waits on an event (a case's process) is the model's to save
(``sim.model.checkpoint``); here an untriggered event (a request in a pool's line, a job's ``joined`` and ``done``)
is named by its place (a pool and a sequence number), and a pending one by its ``(time, priority, eid)``.
"""
from __future__ import annotations

import heapq
import itertools
from typing import Any, Callable, Iterator, Optional

import simpy

from sim.engine.people import Job, Person
from sim.engine.pool import Pool
from sim.engine.portfolio import PortfolioPool
from sim.engine.sharing import SharedServer, Wake, juggling

When = tuple[float, int, int]  # (time, priority, eid) of a pending event
Pending = dict[simpy.Event, When]


def pending(env: simpy.Environment) -> Pending:
    """Every event in the queue and when it is due."""
    return {event: (t, priority, eid) for t, priority, eid, event in env._queue}


def _peek(counter: Iterator[int]) -> tuple[int, "itertools.count[int]"]:
    """The next number of an ``itertools.count`` without using it up: (number, the counter to keep)."""
    n = next(counter)
    return n, itertools.count(n)


def clock(env: simpy.Environment) -> dict[str, Any]:
    eid, env._eid = _peek(env._eid)
    return {"now": env.now, "eid": eid}


def set_clock(env: simpy.Environment, data: dict[str, Any]) -> None:
    """``env`` at the saved instant, its event counter where it stood (only before anything is scheduled)."""
    if env._queue:
        raise ValueError("set_clock: the environment has events already; allowed: a fresh one")
    env._now = float(data["now"])
    env._eid = itertools.count(int(data["eid"]))


def due(env: simpy.Environment, when: When | list[Any], callback: Optional[Callable[[simpy.Event], None]] = None
        ) -> simpy.Event:
    """A restored pending event: triggered, due at the saved time with the saved priority and eid."""
    t, priority, eid = when
    event = simpy.Event(env)
    event._ok, event._value = True, None
    if callback is not None:
        event.callbacks.append(callback)
    queue: list[Any] = env._queue
    heapq.heappush(queue, (float(t), int(priority), int(eid), event))
    return event


def is_stale_wake(event: simpy.Event) -> bool:
    """A server's superseded wake-up (its callback would do nothing), or an event nothing waits on."""
    callbacks = event.callbacks or []
    if not callbacks:
        return True
    return (len(callbacks) == 1 and isinstance(callbacks[0], Wake)
            and callbacks[0].generation != callbacks[0].server._generation)


# ---------------------------------------------------------------------------------------------- slot pools
def pool_state(pool: Pool, requests: dict[simpy.Event, tuple[str, int]]) -> dict[str, Any]:
    """A slot pool (or production line); ``requests`` gets each waiting request event -> (pool name, seq).  Nothing
    is brought up to date first (its integrals would then be summed over two intervals, not one: other floats)."""
    for priority, seq, event in pool._heap:
        requests[event] = (pool.name, seq)
    return {"capacity": pool.capacity, "busy": pool.busy, "line": [[p, s] for p, s, _ in pool._heap],
            "seq": pool._seq, "last": pool._last, "areas": [pool.queue_area, pool.busy_area, pool.capacity_area],
            "counts": [pool.requests, pool.starts, pool.releases]}


def set_pool_state(pool: Pool, data: dict[str, Any]) -> dict[int, simpy.Event]:
    """Restore a slot pool; returns its waiting requests by seq (fresh events, for the cases that wait on them)."""
    env = pool.env
    pool.capacity, pool.busy, pool._seq, pool._last = (int(data["capacity"]), int(data["busy"]), int(data["seq"]),
                                                       float(data["last"]))
    pool.queue_area, pool.busy_area, pool.capacity_area = map(float, data["areas"])
    pool.requests, pool.starts, pool.releases = map(int, data["counts"])
    pool._heap = []
    waiting = {}
    for priority, seq in data["line"]:  # the heap's own array order: the same pops
        waiting[seq] = event = env.event()
        pool._heap.append((int(priority), int(seq), event))
    return waiting


# ---------------------------------------------------------------------------------------------- people
def _server_state(server: SharedServer, when: Pending) -> dict[str, Any]:
    seq, server._seq = _peek(server._seq)
    wake = server._wake_event
    return {"virtual": server.virtual, "updated": server.updated, "weight": server.weight, "held": server.held,
            "marks": [[mark, s, w] for mark, s, w, _ in server._marks], "seq": seq,
            "generation": server._generation, "effort_done": server.effort_done,
            "wake": None if wake is None else list(when[wake])}


def portfolio_state(pool: PortfolioPool, when: Pending) -> dict[str, Any]:
    """A portfolio office: its people (each a shared server), their cases' jobs, the backlog, the counters (as they
    stand: nothing is brought up to date, see :func:`pool_state`)."""
    uid, pool._uid = _peek(pool._uid)
    seq, pool._seq = _peek(pool._seq)
    jobs: list[Job] = [j for p in pool.people for j in p.jobs.values()] + [j for _, _, j in pool._backlog]
    job_of = {j.done: j.seq for j in jobs}
    people = []
    for person in pool.people:
        server = _server_state(person.server, when)
        server["marks"] = [[*m, job_of[e]] for m, (_, _, _, e) in zip(server["marks"], person.server._marks)]
        people.append({"uid": person.uid, "hired": person.hired, "productivity": person.productivity,
                       "working": person.working, "server": server, "jobs": list(person.jobs)})
    return {"uid": uid, "seq": seq, "last": pool._last,
            "areas": [pool.queue_area, pool.busy_area, pool.capacity_area, pool.cases_area],
            "counts": [pool.requests, pool.starts, pool.releases, pool.busy_people, pool.in_portfolios,
                       pool._handed, pool.working],
            "people": people, "backlog": [[p, s] for p, s, _ in pool._backlog],
            "jobs": [[j.seq, j.priority, j.weight, None if j.person is None else j.person.uid, j.held, j.left,
                      j.joined is not None, j.inner is not None] for j in sorted(jobs, key=lambda j: j.seq)]}


def set_portfolio_state(pool: PortfolioPool, data: dict[str, Any]) -> dict[int, Job]:
    """Restore a portfolio office built from the same staffing; returns its jobs by seq (for the cases in them)."""
    env = pool.env
    pool._uid, pool._seq = itertools.count(int(data["uid"])), itertools.count(int(data["seq"]))
    pool._last = float(data["last"])
    pool.queue_area, pool.busy_area, pool.capacity_area, pool.cases_area = map(float, data["areas"])
    (pool.requests, pool.starts, pool.releases, pool.busy_people, pool.in_portfolios, pool._handed,
     pool.working) = map(int, data["counts"])
    pool.people, pool._by_uid, pool._stamp = [], {}, {}
    for p in data["people"]:
        rate = juggling(float(p["productivity"]), pool.caseload, pool.switching_cost)
        person = Person(int(p["uid"]), SharedServer(env, f"{pool.name}#{p['uid']}", rate), float(p["hired"]),
                        float(p["productivity"]))
        person.working = int(p["working"])
        pool.people.append(person)
        pool._by_uid[person.uid] = person
        pool._stamp[person.uid] = 1
    jobs: dict[int, Job] = {}
    for seq, priority, weight, uid, held, left, waiting, worked in data["jobs"]:
        job = Job(int(seq), int(priority), float(weight), env.event())
        job.done.callbacks.append(_worked(pool, job))
        job.held, job.left = bool(held), None if left is None else float(left)
        if waiting:
            job.joined = env.event()
        if uid is not None:
            job.person = pool._by_uid[int(uid)]
        if worked:
            job.inner = job.done
        jobs[job.seq] = job
    pool._backlog = [(int(p), int(s), jobs[int(s)]) for p, s in data["backlog"]]
    for p, person in zip(data["people"], pool.people):
        person.jobs = {int(s): jobs[int(s)] for s in p["jobs"]}  # in the order they joined
        _set_server_state(person.server, p["server"], jobs)
    pool._sizes = [(person.cases, person.uid, 1) for person in pool.people]
    heapq.heapify(pool._sizes)
    return jobs


def _worked(pool: PortfolioPool, job: Job) -> Callable[[simpy.Event], None]:
    return lambda _ev: pool._worked(job)  # as PortfolioPool.enter: the finish's bookkeeping comes first


def _set_server_state(server: SharedServer, data: dict[str, Any], jobs: dict[int, Job]) -> None:
    server.virtual, server.updated = float(data["virtual"]), float(data["updated"])
    server.weight = float(data["weight"])
    server.held, server._generation = int(data["held"]), int(data["generation"])
    server.effort_done = float(data["effort_done"])
    server._seq = itertools.count(int(data["seq"]))
    server._marks = [(float(m), int(s), float(w), jobs[int(j)].done) for m, s, w, j in data["marks"]]
    server._wake_event = None
    if data["wake"] is not None:
        server._wake_event = due(server.env, data["wake"], Wake(server, server._generation))
