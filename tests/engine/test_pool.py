"""Pool: capacity, priority-then-FIFO order, capacity changes, time integrals, work conservation.

Scenarios use tiny SimPy processes that append (name, env.now) to a log; the tests assert the
exact log.
"""
from __future__ import annotations

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.pool import Pool, PoolSnapshot


def job(env, pool, log, name, arrive, hold, priority=1, ends=None):
    """Arrive at ``arrive``, queue at ``pool``, log the start, hold ``hold`` days, release."""
    yield env.timeout(arrive)
    yield pool.request(priority)
    log.append((name, env.now))
    yield env.timeout(hold)
    pool.release()
    if ends is not None:
        ends.append((name, env.now))


def at(env, t, action):
    yield env.timeout(t)
    action()


# ---------------------------------------------------------------- capacity and order
def test_capacity_is_respected_and_waiting_requests_start_as_slots_free():
    env = simpy.Environment()
    pool = Pool(env, "p", 2)
    log, busy_seen = [], []
    for name in "abcde":
        env.process(job(env, pool, log, name, 0, 10))

    def watch():  # samples at 0.5, 1.5, ... never coincide with an event
        yield env.timeout(0.5)
        while True:
            busy_seen.append(pool.busy)
            yield env.timeout(1)

    env.process(watch())
    env.run(until=60)
    assert log == [("a", 0), ("b", 0), ("c", 10), ("d", 10), ("e", 20)]
    assert busy_seen[:31] == [2] * 20 + [1] * 10 + [0]  # at 0.5, 1.5, ..., 30.5


def test_lower_priority_number_first_then_fifo_including_arrivals_while_busy():
    env = simpy.Environment()
    pool = Pool(env, "p", 1)
    log = []
    env.process(job(env, pool, log, "occupant", 0, 10))
    # (name, arrival, priority); all arrive while the single slot is busy
    for name, t, prio in [("lo1", 1, 2), ("hi1", 2, 0), ("lo2", 3, 2), ("mid", 4, 1),
                          ("hi2", 5, 0), ("hi3", 12, 0), ("dflt", 13, 1)]:
        env.process(job(env, pool, log, name, t, 5, prio))
    env.run()
    # hi3 arrives at 12 while hi1 is in service and overtakes mid/lo*; dflt (priority 1 by
    # default) queues behind mid, which came first with the same priority.
    assert log == [("occupant", 0), ("hi1", 10), ("hi2", 15), ("hi3", 20), ("mid", 25),
                   ("dflt", 30), ("lo1", 35), ("lo2", 40)]


def test_default_priority_is_one():
    env = simpy.Environment()
    pool = Pool(env, "p", 1)
    log = []
    env.process(job(env, pool, log, "occupant", 0, 10))
    env.process(job(env, pool, log, "two", 1, 1, priority=2))
    env.process(job(env, pool, log, "default", 2, 1))  # priority omitted -> 1
    env.process(job(env, pool, log, "one", 3, 1, priority=1))
    env.run()
    assert log == [("occupant", 0), ("default", 10), ("one", 11), ("two", 12)]


def test_twenty_thousand_queued_requests_served_in_exact_priority_fifo_order():
    """Not a timing test: the heap must give the exact (priority, arrival) order at scale."""
    n = 20_000
    prios = np.random.default_rng(123).integers(0, 5, n).tolist()
    env = simpy.Environment()
    pool = Pool(env, "p", 1)
    assert pool.request(0).triggered  # occupy the slot; released at t=1
    env.process(at(env, 1, pool.release))
    starts = []

    def client(i, prio):
        yield pool.request(prio)
        starts.append((i, env.now))
        yield env.timeout(1)
        pool.release()

    for i, p in enumerate(prios):
        env.process(client(i, p))
    env.run()
    expected_order = sorted(range(n), key=lambda i: (prios[i], i))
    assert [i for i, _ in starts] == expected_order
    assert [t for _, t in starts] == [float(k + 1) for k in range(n)]
    snap = pool.snapshot()
    assert (snap.requests, snap.starts, snap.releases, snap.queue, snap.busy) == (n + 1, n + 1, n + 1, 0, 0)


# ---------------------------------------------------------------- capacity changes
def test_capacity_increase_starts_waiting_requests_at_that_time():
    env = simpy.Environment()
    pool = Pool(env, "p", 1)
    log = []
    for name in "abcd":
        env.process(job(env, pool, log, name, 0, 10))
    env.process(at(env, 3, lambda: pool.set_capacity(3)))
    env.run()
    assert log == [("a", 0), ("b", 3), ("c", 3), ("d", 10)]


def test_capacity_decrease_lets_cases_in_service_finish_and_later_requests_wait():
    env = simpy.Environment()
    pool = Pool(env, "p", 3)
    log, ends, seen = [], [], []
    for name, hold in [("a", 10), ("b", 20), ("c", 30)]:
        env.process(job(env, pool, log, name, 0, hold, ends=ends))
    env.process(at(env, 5, lambda: pool.set_capacity(1)))
    env.process(job(env, pool, log, "d", 6, 5, ends=ends))
    env.process(job(env, pool, log, "e", 7, 5, ends=ends))
    env.process(at(env, 8, lambda: seen.append((pool.busy, pool.capacity, pool.queue_length))))
    env.process(at(env, 15, lambda: seen.append((pool.busy, pool.capacity, pool.queue_length))))
    env.run()
    # no preemption: a, b, c keep their slots; d and e wait until busy drops below 1
    assert ends[:3] == [("a", 10), ("b", 20), ("c", 30)]
    assert log == [("a", 0), ("b", 0), ("c", 0), ("d", 30), ("e", 35)]
    assert ends[3:] == [("d", 35), ("e", 40)]
    assert seen == [(3, 1, 2), (2, 1, 2)]


def test_capacity_zero_holds_everything_until_restored():
    env = simpy.Environment()
    pool = Pool(env, "p", 1)
    log = []
    env.process(at(env, 0, lambda: pool.set_capacity(0)))
    env.process(job(env, pool, log, "a", 1, 1))
    env.process(job(env, pool, log, "b", 2, 1, priority=0))
    env.process(at(env, 50, lambda: pool.set_capacity(2)))
    env.run()
    assert log == [("b", 50), ("a", 50)]


def test_invalid_capacities_raise():
    env = simpy.Environment()
    with pytest.raises(ValueError, match="capacity 0 must be >= 1"):
        Pool(env, "p", 0)
    pool = Pool(env, "p", 1)
    with pytest.raises(ValueError, match="capacity -1 must be >= 0"):
        pool.set_capacity(-1)


# ---------------------------------------------------------------- time integrals
def test_snapshot_integrals_and_counts_on_hand_computed_scenario():
    """capacity 2 -> 3 at t=5.

    a: arrives 0, serves [0, 4]      b: arrives 1, serves [1, 7]
    c: arrives 2, waits to 4 (a leaves), serves [4, 7]
    d: arrives 3, waits to 5 (capacity rises), serves [5, 7]
    queue: 1 on [2,3), 2 on [3,4), 1 on [4,5)          -> area 4 (= total wait 2 + 2)
    busy: 1 on [0,1), 2 on [1,5), 3 on [5,7), 0 after  -> area 1 + 8 + 6 = 15 (= 4+6+3+2)
    capacity: 2 on [0,5), 3 on [5,10)                 -> area 10 + 15 = 25
    At t=4.5: queue 1+2+0.5 = 3.5, busy 1+6+1 = 8, capacity 9.
    """
    env = simpy.Environment()
    pool = Pool(env, "p", 2)
    log, snaps = [], []
    for name, t, hold in [("a", 0, 4), ("b", 1, 6), ("c", 2, 3), ("d", 3, 2)]:
        env.process(job(env, pool, log, name, t, hold))
    env.process(at(env, 5, lambda: pool.set_capacity(3)))
    env.process(at(env, 4.5, lambda: snaps.append(pool.snapshot())))
    env.run(until=10)
    assert log == [("a", 0), ("b", 1), ("c", 4), ("d", 5)]
    assert snaps == [PoolSnapshot(time=4.5, queue_area=3.5, busy_area=8.0, capacity_area=9.0,
                                  requests=4, starts=3, releases=1, queue=1, busy=2, capacity=2)]
    end = pool.snapshot()
    assert end == PoolSnapshot(time=10, queue_area=4.0, busy_area=15.0, capacity_area=25.0,
                               requests=4, starts=4, releases=4, queue=0, busy=0, capacity=3)
    assert pool.snapshot() == end  # a second snapshot at the same instant adds nothing


def test_integrals_start_at_pool_creation_time():
    env = simpy.Environment(initial_time=100)
    pool = Pool(env, "p", 4)
    env.run(until=110)
    s = pool.snapshot()
    assert (s.time, s.queue_area, s.busy_area, s.capacity_area) == (110, 0.0, 0.0, 40.0)


# ---------------------------------------------------------------- work conservation
jobs_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 15), st.integers(0, 3)),  # arrival, hold, priority
    min_size=1, max_size=40,
)
changes_strategy = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 4)), max_size=6)


@settings(max_examples=150, deadline=None)
@given(jobs=jobs_strategy, start_cap=st.integers(1, 3), changes=changes_strategy)
def test_work_conservation_and_integrals_in_random_scenarios(jobs, start_cap, changes):
    env = simpy.Environment()
    pool = Pool(env, "p", start_cap)
    log, ends, violations = [], [], []
    for i, (t, hold, prio) in enumerate(jobs):
        env.process(job(env, pool, log, i, t, hold, prio, ends=ends))
    for t, cap in changes:
        env.process(at(env, t, lambda cap=cap: pool.set_capacity(cap)))
    # capacity must end >= 1 so every job finishes
    last = max((t for t, _ in changes), default=0) + 1
    env.process(at(env, last, lambda: pool.set_capacity(max(pool.capacity, 1))))

    def sampler():
        while True:
            if pool.queue_length > 0 and pool.busy < pool.capacity:
                violations.append((env.now, pool.queue_length, pool.busy, pool.capacity))
            yield env.timeout(0.5)

    env.process(sampler())
    horizon = 40 + 15 * len(jobs) + last + 1
    env.run(until=horizon)

    assert violations == []
    assert len(log) == len(ends) == len(jobs)
    start = dict(log)
    finish = dict(ends)
    waits = sum(start[i] - t for i, (t, _, _) in enumerate(jobs))
    service = sum(hold for _, hold, _ in jobs)
    assert all(finish[i] - start[i] == hold for i, (_, hold, _) in enumerate(jobs))
    s = pool.snapshot()
    assert s.queue_area == pytest.approx(waits, abs=1e-9)
    assert s.busy_area == pytest.approx(service, abs=1e-9)
    assert (s.requests, s.starts, s.releases, s.queue, s.busy) == (len(jobs),) * 3 + (0, 0)
