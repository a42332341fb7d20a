"""Exact timing of Engine.work and Engine.delay with fixed durations."""
from __future__ import annotations

from dataclasses import dataclass

from sim.engine.core import Engine
from sim.engine.pool import Pool


@dataclass
class Ent:
    id: int
    priority: int = 1


def _arrive_and_work(eng: Engine, ent: Ent, at: float, stage: str, pool: Pool, duration: float):
    yield eng.env.timeout(at)
    yield from eng.work(ent, stage, pool, duration)


def _arrive_and_delay(eng: Engine, ent: Ent, at: float, stage: str, duration: float):
    yield eng.env.timeout(at)
    yield from eng.delay(ent, stage, duration)


def _by_id(visits):
    return {v[0]: v[:6] for v in visits}


def test_work_on_a_free_pool_records_the_exact_visit():
    eng = Engine()
    pool = Pool(eng.env, "writers", 1)
    eng.env.process(_arrive_and_work(eng, Ent(7), 2.5, "loa_development", pool, 10.0))
    eng.env.run()
    assert [v[:6] for v in eng.visits] == [(7, "loa_development", "writers", 2.5, 2.5, 12.5)]
    assert eng.env.now == 12.5
    assert (pool.busy, pool.queue_length, pool.starts, pool.releases) == (0, 0, 1, 1)


def test_busy_pool_serves_lower_priority_number_first_then_fifo():
    eng = Engine()
    pool = Pool(eng.env, "p", 1)
    # id, priority, arrival, duration
    plan = [(1, 1, 0.0, 10.0),  # in service 0-10, not preempted by the urgent arrival
            (2, 1, 1.0, 3.0),   # normal, first in line among normals
            (3, 1, 2.0, 5.0),   # normal, second
            (4, 0, 3.0, 4.0),   # urgent, arrives last but is served first when the slot frees
            (5, 0, 4.0, 1.0)]   # urgent, behind 4 (FIFO within priority 0)
    for i, prio, at, d in plan:
        eng.env.process(_arrive_and_work(eng, Ent(i, prio), at, "s", pool, d))
    eng.env.run()
    assert [v[:6] for v in eng.visits] == [
        (1, "s", "p", 0.0, 0.0, 10.0),
        (4, "s", "p", 3.0, 10.0, 14.0),
        (5, "s", "p", 4.0, 14.0, 15.0),
        (2, "s", "p", 1.0, 15.0, 18.0),
        (3, "s", "p", 2.0, 18.0, 23.0),
    ]


def test_fifo_within_one_priority_for_simultaneous_arrivals():
    eng = Engine()
    pool = Pool(eng.env, "p", 1)
    for i in range(4):
        eng.env.process(eng.work(Ent(i, 1), "s", pool, 2.0))
    eng.env.run()
    assert [(v[0], v[4], v[5]) for v in eng.visits] == [(0, 0.0, 2.0), (1, 2.0, 4.0), (2, 4.0, 6.0), (3, 6.0, 8.0)]
    assert all(v[3] == 0.0 for v in eng.visits)


def test_delay_records_empty_pool_and_uses_no_slot():
    eng = Engine()
    pool = Pool(eng.env, "p", 1)
    eng.env.process(_arrive_and_work(eng, Ent(1), 0.0, "work", pool, 100.0))  # the only slot busy 0-100
    eng.env.process(_arrive_and_delay(eng, Ent(2), 5.0, "congressional_review", 30.0))
    eng.env.process(_arrive_and_delay(eng, Ent(3), 6.0, "congressional_review", 15.0))
    eng.env.run()
    assert [v[:6] for v in eng.visits] == [
        (3, "congressional_review", "", 6.0, 6.0, 21.0),
        (2, "congressional_review", "", 5.0, 5.0, 35.0),
        (1, "work", "p", 0.0, 0.0, 100.0),
    ]
    assert pool.requests == 1  # delays never touch the pool


def test_capacity_two_pool_gives_exact_start_and_finish_times():
    eng = Engine()
    pool = Pool(eng.env, "p", 2)
    durations = [3.0, 5.0, 2.0, 4.0, 1.0]
    for i, d in enumerate(durations):
        eng.env.process(eng.work(Ent(i), "s", pool, d))
    eng.env.process(_arrive_and_work(eng, Ent(5), 7.0, "s", pool, 2.0))
    eng.env.run()
    # slots: 0 [0,3] then 2 [3,5]; 1 [0,5]; at 5 both free: 3 [5,9] and 4 [5,6]; 5 arrives at 7 to a free slot
    assert _by_id(eng.visits) == {
        0: (0, "s", "p", 0.0, 0.0, 3.0),
        1: (1, "s", "p", 0.0, 0.0, 5.0),
        2: (2, "s", "p", 0.0, 3.0, 5.0),
        3: (3, "s", "p", 0.0, 5.0, 9.0),
        4: (4, "s", "p", 0.0, 5.0, 6.0),
        5: (5, "s", "p", 7.0, 7.0, 9.0),
    }
    assert len(eng.visits) == 6
    finished = [v[5] for v in eng.visits]
    assert finished == sorted(finished)  # appended in the order services end
    assert (pool.busy, pool.queue_length, pool.starts, pool.releases) == (0, 0, 6, 6)


def test_visit_is_appended_only_when_service_ends():
    eng = Engine()
    pool = Pool(eng.env, "p", 1)
    eng.env.process(eng.work(Ent(1), "s", pool, 10.0))
    eng.env.process(eng.work(Ent(2), "s", pool, 10.0))
    eng.env.process(eng.delay(Ent(3), "d", 8.0))
    eng.env.run(until=5.0)
    assert [v[:6] for v in eng.visits] == []  # 1 in service, 2 queued, 3 delayed: nothing finished
    assert (pool.busy, pool.queue_length) == (1, 1)
    eng.env.run(until=9.0)
    assert [v[:6] for v in eng.visits] == [(3, "d", "", 0.0, 0.0, 8.0)]
    eng.env.run(until=15.0)
    assert [v[:6] for v in eng.visits[1:]] == [(1, "s", "p", 0.0, 0.0, 10.0)]  # 2 started at 10 but is not recorded yet
    assert (pool.busy, pool.queue_length) == (1, 0)
    eng.env.run()
    assert [v[:6] for v in eng.visits[2:]] == [(2, "s", "p", 0.0, 10.0, 20.0)]


def test_share_records_a_visit_whose_length_is_the_sojourn_under_processor_sharing():
    from sim.engine.sharing import SharedServer

    class Ent:
        def __init__(self, i):
            self.id, self.priority = i, 1

    eng = Engine()
    server = SharedServer(eng.env, "desk")
    eng.env.process(eng.share(Ent(1), "s", server, 2.0))
    eng.env.process(eng.share(Ent(2), "s", server, 1.0))
    eng.env.run()
    # both share one person: job 2 gets half of the effort until it finishes at t=2, job 1 then alone
    assert sorted(eng.visits) == [(1, "s", "desk", 0, 0, 3.0, 0.0, 2.0), (2, "s", "desk", 0, 0, 2.0, 0.0, 1.0)]


def test_visit_records_carry_waits_on_others_and_hands_on_effort():
    """A slot visit is all effort (the time held), a delay all waits; the split columns follow the times."""
    class Ent:
        id, priority = 5, 1

    eng = Engine()
    pool = Pool(eng.env, "p", 1)

    def flow():
        yield from eng.work(Ent(), "w", pool, 4.0)
        yield from eng.delay(Ent(), "d", 3.0)

    eng.env.process(flow())
    eng.env.run()
    assert eng.visits == [(5, "w", "p", 0.0, 0.0, 4.0, 0.0, 4.0), (5, "d", "", 4.0, 4.0, 7.0, 3.0, 0.0)]
