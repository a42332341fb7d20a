"""sim.engine.portfolio: an office of people with portfolios, exact timings with deterministic work."""
from __future__ import annotations

import pytest

from sim.engine.core import Engine
from sim.engine.portfolio import PortfolioPool

URGENT, NORMAL = 0, 1


class Ent:
    def __init__(self, i: int, priority: int = NORMAL) -> None:
        self.id, self.priority = i, priority


def _office(people=1, cases=(), **kw):
    """cases: (start day, effort, waits, desk, pooled, priority). Returns finish days, start days, the pool."""
    eng = Engine()
    pool = PortfolioPool(eng.env, "office", people, **kw)
    for i, (start, effort, waits, desk, pooled, prio) in enumerate(cases):
        def flow(i=i, start=start, effort=effort, waits=waits, desk=desk, pooled=pooled, prio=prio):
            yield eng.env.timeout(start)
            yield from eng.portfolio_work(Ent(i, prio), "s", pool, effort, waits, desk, pooled)
        eng.env.process(flow())
    eng.env.run()
    by = {v[0]: v for v in eng.visits}
    return [by[i][5] for i in range(len(cases))], [by[i][4] for i in range(len(cases))], pool, eng


def test_one_person_shares_effort_between_their_cases():
    finish, _, _, _ = _office(1, [(0, 10, 0, 0.5, False, NORMAL), (0, 10, 0, 0.5, False, NORMAL)])
    assert finish == [20, 20]


def test_desks_keep_cases_apart_and_pooling_spreads_them():
    two_desks = [(0, 10, 0, 0.1, False, NORMAL), (0, 10, 0, 0.6, False, NORMAL)]
    assert _office(2, two_desks)[0] == [10, 10]
    same_desk = [(0, 10, 0, 0.1, False, NORMAL), (0, 10, 0, 0.1, False, NORMAL)]
    assert _office(2, same_desk)[0] == [20, 20]  # both on person 0's desk; person 1 idle
    pooled = [(0, 10, 0, 0.1, True, NORMAL), (0, 10, 0, 0.1, True, NORMAL)]
    assert _office(2, pooled)[0] == [10, 10]  # the second goes to the least-loaded person


def test_waits_on_others_take_no_effort_but_the_case_stays_in_the_portfolio():
    # A waits 10 days (held), then 2 of effort; B needs 3 of effort at once. Comfortable with 1 case, each
    # extra costs half: B runs at 1/1.5 while A is held, so B ends at 4.5; A then works alone: 10 + 2 = 12
    finish, started, pool, eng = _office(1, [(0, 2, 10, 0.5, False, NORMAL), (0, 3, 0, 0.5, False, NORMAL)],
                                         caseload=1, switching_cost=0.5)
    assert finish == pytest.approx([12, 4.5])
    assert started == [0, 0]
    a = [v for v in eng.visits if v[0] == 0][0]
    assert a[6:] == (10, 2)  # waits, effort recorded with the visit


def test_priority_cases_get_more_attention():
    finish, *_ = _office(1, [(0, 6, 0, 0.5, False, URGENT), (0, 6, 0, 0.5, False, NORMAL)],
                         attention={URGENT: 2.0})
    assert finish == pytest.approx([9, 12])  # urgent gets 2/3 until done at 9; the other's last 3 alone


def test_cap_sends_cases_to_the_backlog_by_priority_then_arrival():
    cases = [(0, 10, 0, 0.5, False, NORMAL), (1, 5, 0, 0.5, False, NORMAL), (2, 5, 0, 0.5, False, URGENT)]
    finish, started, pool, _ = _office(1, cases, max_cases=1)
    assert started == [0, 15, 10]  # the urgent case jumps the backlog when the first leaves at 10
    assert finish == [10, 20, 15]
    snap = pool.snapshot()
    assert snap.queue_area == pytest.approx(9 + 8 + 5)  # backlog 1 on [1,2), 2 on [2,10), 1 on [10,15)
    assert (snap.requests, snap.starts, snap.releases) == (3, 3, 3)


def test_a_full_desk_overflows_to_whoever_has_room():
    cases = [(0, 10, 0, 0.1, False, NORMAL), (0, 10, 0, 0.1, False, NORMAL)]
    finish, started, _, _ = _office(2, cases, max_cases=1)
    assert finish == [10, 10] and started == [0, 0]


def test_utilisation_is_the_share_of_person_time_spent_working():
    _, _, pool, eng = _office(2, [(0, 4, 0, 0.1, False, NORMAL), (0, 2, 6, 0.6, False, NORMAL)])
    snap = pool.snapshot()
    # person 0 works 0-4, person 1 waits 0-6 then works 6-8: busy 6 person-days out of 2 x 8
    assert snap.busy_area == pytest.approx(6) and snap.capacity_area == pytest.approx(16)
    assert snap.cases_area == pytest.approx(4 + 8)  # cases in portfolios, working or waiting on others


def test_a_leaver_hands_over_cases_with_the_work_done():
    eng = Engine()
    pool = PortfolioPool(eng.env, "office", 2)
    done = {}

    def flow(i, desk, effort, waits):
        yield from eng.portfolio_work(Ent(i), "s", pool, effort, waits, desk, False)
        done[i] = eng.env.now

    eng.env.process(flow(0, 0.1, 10, 0))  # person 0 (longest-serving, lowest uid)
    eng.env.process(flow(1, 0.1, 4, 5))  # person 0, waiting on others until 5
    eng.env.process(flow(2, 0.6, 10, 0))  # person 1

    def leaver():
        yield eng.env.timeout(4)
        pool.leave()  # person 0 leaves at 4: case 0 has 6 left, case 1 still waits

    eng.env.process(leaver())
    eng.env.run()
    # from 4, person 1 shares between case 2 (6 left) and case 0 (6 left); case 1 joins the work at 5 with 4:
    # 4-5: two cases at 1/2 -> 5.5 left each; then three at 1/3: case 1 (4) done at 5 + 12 = 17, the others have
    # 1.5 left, shared by two: done at 20
    assert done == pytest.approx({0: 20, 1: 17, 2: 20})
    assert pool.headcount == 1


def test_a_hire_takes_the_backlog_at_once():
    eng = Engine()
    pool = PortfolioPool(eng.env, "office", 1, max_cases=1)
    done = {}

    def flow(i):
        yield from eng.portfolio_work(Ent(i), "s", pool, 10, 0, 0.5, False)
        done[i] = eng.env.now

    eng.env.process(flow(0))
    eng.env.process(flow(1))

    def hire():
        yield eng.env.timeout(3)
        pool.hire(productivity=0.5)

    eng.env.process(hire())
    eng.env.run()
    assert done == {0: 10, 1: 23}  # the new hire at half productivity: 10 of effort from day 3


def test_a_person_can_not_be_the_last_to_leave():
    eng = Engine()
    pool = PortfolioPool(eng.env, "office", 1)
    with pytest.raises(ValueError, match="last person"):
        pool.leave()


def test_a_leavers_cases_beyond_everyone_elses_cap_wait_in_the_backlog_and_resume():
    """Two people, cap 1: person 0 leaves at day 2 with a case half worked (4 of 8 left) while person 1 is
    full; it waits in the backlog until person 1's case ends at day 5, then its last 4 take to day 9.  A case
    that was waiting on others when handed over has its effort worked once placed."""
    eng = Engine()
    pool = PortfolioPool(eng.env, "office", 2, max_cases=1)
    done = {}

    def flow(i, desk, effort, waits, at=0.0):
        yield eng.env.timeout(at)
        yield from eng.portfolio_work(Ent(i), "s", pool, effort, waits, desk, False)
        done[i] = eng.env.now

    def leaver():
        yield eng.env.timeout(2)
        pool.leave()

    eng.env.process(flow(0, 0.1, 6, 0))  # person 0
    eng.env.process(flow(1, 0.6, 5, 0))  # person 1
    eng.env.process(leaver())
    eng.env.run()
    assert done == pytest.approx({0: 9, 1: 5})
    assert pool.max_portfolio() == 0 and pool.in_portfolios == 0 and pool.queue_length == 0
    snap = pool.snapshot()
    # back in the backlog from 2 to 5, but started already: office time (cases_area), not backlog wait, as
    # its visit record has it (started at its first join)
    assert snap.queue_area == 0 and snap.cases_area == pytest.approx(9 + 5)

    eng = Engine()
    pool = PortfolioPool(eng.env, "office", 2, max_cases=1)
    done = {}
    eng.env.process(flow(0, 0.1, 2, 4))  # person 0, waiting on others until 4
    eng.env.process(flow(1, 0.6, 10, 0))  # person 1, full until 10
    eng.env.process(leaver())
    eng.env.run()
    assert done == pytest.approx({0: 12, 1: 10})  # its waits end at 4 in the backlog; placed at 10, worked 2


def test_with_backfill_a_one_person_office_stays_one_person():
    import simpy

    from sim.model.params import StaffPlan
    from sim.model.staff_plans import people_plan

    env = simpy.Environment()
    pool = PortfolioPool(env, "p", 1)
    env.process(people_plan(env, pool, StaffPlan(attrition_per_year=0.9, backfill=True), step=30))
    env.run(until=5 * 365.25)
    assert pool.headcount == 1 and pool.people[0].uid > 0  # replaced, never doubled


@pytest.mark.parametrize("extra_tick", [False, True])
def test_a_person_leaving_the_instant_a_case_is_worked_hands_it_over_finished(extra_tick):
    """Found by a breaker review: a leaver whose case finishes at the same instant (its finish not yet
    processed, or processed but the case not yet gone) crashed; the case now goes along finished, even to a
    full person, and leaves at once."""
    import simpy

    env = simpy.Environment()
    pool = PortfolioPool(env, "x", 2, max_cases=1)
    done = {}

    def case(i, desk, effort):
        job = yield pool.join(1, desk, False)
        yield pool.work(job, effort)
        pool.done(job)
        done[i] = env.now

    def leaver():
        yield env.timeout(0.5)
        yield env.timeout(0.5)
        if extra_tick:
            yield env.timeout(0)  # between the finish and the case's own step
        pool.leave()

    env.process(case(0, 0.0, 1.0))  # person 0, finishes at 1 as person 0 leaves
    env.process(case(1, 0.9, 5.0))  # person 1, full
    env.process(leaver())
    env.run()
    assert done == {0: 1.0, 1: 5.0}
    assert pool.in_portfolios == pool.working == pool.busy_people == 0 and pool.headcount == 1


def test_a_case_with_room_enters_without_an_event_and_its_finish_is_one_event():
    """Lean visits (issue 11): ``enter`` places a case at once when someone has room (no join event to step
    through), makes a join event only when everyone is full, and the person's server fires the case's own
    ``done`` event (no second event for the server's finish)."""
    import simpy

    env = simpy.Environment()
    pool = PortfolioPool(env, "x", 2, max_cases=1)
    first = pool.enter(NORMAL, 0.0, False)  # person 0's desk
    overflow = pool.enter(NORMAL, 0.0, False)  # person 0 is full: person 1 has room
    assert first.joined is None and overflow.joined is None
    assert (first.person.uid, overflow.person.uid) == (0, 1)
    waiting = pool.enter(NORMAL, 0.0, False)  # everyone full: the backlog, with an event to wait on
    assert waiting.joined is not None and waiting.person is None and pool.queue_length == 1
    joined = waiting.joined
    finished = pool.work(first, 2.0)
    assert finished is first.done and first.inner is first.done
    env.run(until=2.0)
    assert not finished.triggered
    env.run(until=2.5)
    assert finished.processed and first.inner is None and pool.working == 0  # bookkeeping done with the finish
    pool.done(first)
    assert waiting.joined is None and joined.triggered and joined.value is waiting and waiting.person.uid == 0
