"""Time-varying staffing: hires, attrition, backfill with a productivity ramp, exact capacities."""
from __future__ import annotations

import math

import pytest
import simpy

from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.pool import Pool
from sim.model.params import Hire, StaffPlan
from sim.model.staff_plans import Workforce, productivity, staff_plan


def test_productivity_ramps_linearly_to_one():
    plan = StaffPlan(ramp_years=1.0, ramp_start=0.25)
    assert productivity(0, plan) == 0.25
    assert productivity(DAYS_PER_YEAR / 2, plan) == pytest.approx(0.625)
    assert productivity(DAYS_PER_YEAR * 3, plan) == 1.0
    assert productivity(math.inf, plan) == 1.0
    assert productivity(0, StaffPlan()) == 1.0


def _capacity_log(plan: StaffPlan, headcount: int, caseload: int, times: list[float]) -> list[int]:
    env = simpy.Environment()
    pool = Pool(env, "p", headcount * caseload)
    env.process(staff_plan(env, pool, headcount, caseload, plan, step=30))
    log = []
    for t in times:
        env.run(until=t + 1e-9)
        log.append(pool.capacity)
    return log


def test_a_hire_adds_capacity_on_its_date_growing_as_hires_train():
    plan = StaffPlan(hires=[Hire(year=1.0, headcount=10)], ramp_years=1.0, ramp_start=0.5)
    y = DAYS_PER_YEAR
    caps = _capacity_log(plan, headcount=20, caseload=2, times=[0, y - 1, y, y + y / 2, 2 * y + 1])
    assert caps == [40, 40, 40 + 10, 40 + 15, 40 + 20]  # 10 hires x caseload 2 x productivity 0.5, 0.75, 1


def test_attrition_without_backfill_shrinks_capacity():
    plan = StaffPlan(attrition_per_year=0.2)
    caps = _capacity_log(plan, headcount=100, caseload=1, times=[0, DAYS_PER_YEAR * 2 + 1])
    # 100 x 0.8^2 = 64 after two years, to the nearest step of 30 days
    assert caps[0] == 100
    assert abs(caps[1] - 64) <= 1


def test_backfilled_attrition_keeps_headcount_but_loses_output_while_new_hires_train():
    wf = Workforce(100, StaffPlan(attrition_per_year=0.2, backfill=True, ramp_years=1.0, ramp_start=0.5))
    for t in range(0, 731, 30):
        wf.advance(float(t))
    assert wf.headcount == pytest.approx(100.0)
    assert 85 < wf.effective(730.0) < 100


def test_a_cut_is_taken_from_every_cohort():
    wf = Workforce(10, StaffPlan())
    wf.hire(0.0, 10)
    wf.hire(1.0, -5)
    assert wf.headcount == pytest.approx(15)


def test_capacity_reduction_lets_cases_in_service_finish():
    env = simpy.Environment()
    pool = Pool(env, "p", 2)
    plan = StaffPlan(hires=[Hire(year=1 / DAYS_PER_YEAR, headcount=-1)])  # a cut on day 1
    env.process(staff_plan(env, pool, 2, 1, plan, step=100))
    log = []

    def job(name, t0, d):
        yield env.timeout(t0)
        yield pool.request()
        s = env.now
        yield env.timeout(d)
        pool.release()
        log.append((name, s, env.now))

    for name, t0, d in [("a", 0, 5), ("b", 0, 5), ("c", 2, 1)]:
        env.process(job(name, t0, d))
    env.run(until=50)
    assert pool.capacity == 1
    assert log == [("a", 0, 5), ("b", 0, 5), ("c", 5, 6)]  # c waits: both in service finish first


def test_planned_pool_in_the_model(compose):
    from sim.runner import simulate

    p = compose("debug=tiny", "run.replications=1", "run.records=full", "staffing=slots",
                "staffing.plans.case_writers.hires=[{year: 1, headcount: 40}]",
                "staffing.plans.case_writers.ramp_years=0")  # fully productive at once
    res = simulate(p, 0)
    cap = res.pools[res.pools["pool"] == "case_writers"].set_index("day")["capacity"]
    assert cap[cap.index < DAYS_PER_YEAR].eq(204 * 4).all()
    assert cap[cap.index >= DAYS_PER_YEAR + 1].eq(204 * 4 + 160).all()


def test_new_hires_ramp_in_by_default(compose):
    """The default ramp (configs/staffing: half productive on day one, full after a year [ESTIMATE]): the 40 hires'
    160 slots come in as 80 on the hiring day and all of them a year later, rising at each monthly update."""
    from sim.runner import simulate

    p = compose("debug=tiny", "run.replications=1", "staffing=slots",
                "staffing.plans.case_writers.hires=[{year: 1, headcount: 40}]")
    assert (p.staffing.plans["case_writers"].ramp_years, p.staffing.plans["case_writers"].ramp_start) == (1.0, 0.5)
    cap = simulate(p, 0).pools.query("pool == 'case_writers'").set_index("day")["capacity"]
    assert cap[cap.index < DAYS_PER_YEAR].eq(204 * 4).all()
    year = cap[(cap.index >= DAYS_PER_YEAR) & (cap.index < 2 * DAYS_PER_YEAR)]
    assert year.iloc[0] == 204 * 4 + 80 and year.is_monotonic_increasing and year.iloc[-1] < 204 * 4 + 160
    assert cap[cap.index >= 2 * DAYS_PER_YEAR + 30].eq(204 * 4 + 160).all()


def test_planned_office_of_people_in_the_model(compose):
    """A portfolio office's capacity is its people: 40 hires join on their date."""
    from sim.runner import simulate

    p = compose("debug=tiny", "run.replications=1", "staffing.plans.case_writers.hires=[{year: 1, headcount: 40}]")
    n = p.staffing.pools["case_writers"].headcount
    res = simulate(p, 0)
    cap = res.pools[res.pools["pool"] == "case_writers"].set_index("day")["capacity"]
    assert cap[cap.index < DAYS_PER_YEAR].eq(n).all()
    assert cap[cap.index >= DAYS_PER_YEAR + 1].eq(n + 40).all()


# ---------------------------------------------------------------- portfolio pools: plans act on people
def _people_log(plan: StaffPlan, people: int, times: list[float]):
    from sim.engine.portfolio import PortfolioPool
    from sim.model.staff_plans import people_plan

    env = simpy.Environment()
    pool = PortfolioPool(env, "p", people)
    env.process(people_plan(env, pool, plan, step=30))
    log = []
    for t in times:
        env.run(until=t + 1e-9)
        log.append([(p.uid, p.productivity) for p in pool.people])
    return log


def test_hires_join_on_their_date_and_ramp_up_and_cuts_take_the_latest_hires_first():
    y = DAYS_PER_YEAR
    plan = StaffPlan(hires=[Hire(year=1.0, headcount=2), Hire(year=2.0, headcount=-3)], ramp_years=1.0,
                     ramp_start=0.5)
    log = _people_log(plan, 3, [0, y, y + 6 * 30, 2 * y])
    assert log[0] == [(0, 1.0), (1, 1.0), (2, 1.0)]
    assert log[1] == [(0, 1.0), (1, 1.0), (2, 1.0), (3, 0.5), (4, 0.5)]
    assert [u for u, _ in log[2]] == [0, 1, 2, 3, 4]
    assert log[2][3][1] == pytest.approx(0.5 + 0.5 * 180 / y)  # ramp updated every step
    assert log[3] == [(0, 1.0), (1, 1.0)]  # the cut of 3: hires 4 and 3 (last in, first out), then person 2


def test_attrition_removes_the_longest_serving_and_backfill_hires_in_their_place():
    y = DAYS_PER_YEAR
    plan = StaffPlan(attrition_per_year=0.5, backfill=True, ramp_years=1.0, ramp_start=0.5)
    log = _people_log(plan, 10, [y])
    uids = [u for u, _ in log[0]]
    assert len(uids) == 10  # backfilled
    # about 10 x (1 - 0.5) = 5 leavers in a year, whole people, the initial staff in order 0, 1, ...
    leavers = [u for u in range(10) if u not in uids]
    assert leavers == list(range(len(leavers))) and 4 <= len(leavers) <= 6
    assert all(p < 1.0 for u, p in log[0] if u >= 10)  # the new hires are still ramping up


def test_attrition_without_backfill_shrinks_the_office_but_never_below_one():
    plan = StaffPlan(attrition_per_year=0.9)
    log = _people_log(plan, 3, [10 * DAYS_PER_YEAR])
    assert len(log[0]) == 1
