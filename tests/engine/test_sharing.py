"""sim.engine.sharing: exact timings of processor sharing with deterministic work, and M/G/1-PS theory."""
from __future__ import annotations

import numpy as np
import pytest
import simpy

from sim.engine.sharing import SharedServer, constant, juggling


def _run(jobs, rate=constant(), holds=()):
    """jobs: (start day, effort, weight); holds: (day, +n or -n). Returns each job's finish day."""
    env = simpy.Environment()
    server = SharedServer(env, "p", rate)
    done = {}

    def job(i, start, effort, weight):
        yield env.timeout(start)
        yield server.work(effort, weight)
        done[i] = env.now

    def hold(day, n):
        yield env.timeout(day)
        server.hold(n) if n > 0 else server.release(-n)

    for i, (start, effort, weight) in enumerate(jobs):
        env.process(job(i, start, effort, weight))
    for day, n in holds:
        env.process(hold(day, n))
    env.run()
    return [done[i] for i in range(len(jobs))], server


def test_one_job_takes_its_effort_over_the_productivity():
    assert _run([(0, 10, 1)])[0] == [10]
    assert _run([(0, 10, 1)], rate=constant(2.0))[0] == [5]


def test_two_jobs_share_equally():
    # both at half speed until the first is done (10 at day 20), then the second alone: 10 more days
    assert _run([(0, 10, 1), (0, 20, 1)])[0] == [20, 30]


def test_a_later_arrival_slows_the_first():
    # A alone 0-5 (5 done), then both at half speed: A's last 5 take 10 days (15); B has 5 left, alone: 20
    assert _run([(0, 10, 1), (5, 10, 1)])[0] == pytest.approx([15, 20])


def test_weights_share_attention():
    # A weight 2 gets 2/3 of the effort: its 6 take 9 days; B got 3 by then, its last 3 alone: day 12
    assert _run([(0, 6, 2), (0, 6, 1)])[0] == pytest.approx([9, 12])


def test_held_cases_take_no_effort_but_cost_productivity():
    """Comfortable with 1 case; each extra costs half: one job of 10 with one held case runs at 1/1.5."""
    assert _run([(0, 10, 1)], rate=juggling(1.0, 1, 0.5))[0] == [10]
    finish, server = _run([(0, 10, 1)], rate=juggling(1.0, 1, 0.5), holds=[(0, 1)])
    assert finish == pytest.approx([15])
    assert server.portfolio == 1 and server.active == 0
    # the held case leaves at day 6 (4 done): the last 6 at full speed, done on day 12
    assert _run([(0, 10, 1)], rate=juggling(1.0, 1, 0.5), holds=[(0, 1), (6, -1)])[0] == pytest.approx([12])


def test_effort_accounting_and_remaining_work():
    env = simpy.Environment()
    s = SharedServer(env, "p")
    a = s.work(10)
    s.work(30)
    env.run(until=8)
    assert s.remaining(a) == pytest.approx(6.0) and s.effort_done == pytest.approx(8.0)
    env.run()
    assert s.effort_done == pytest.approx(40.0) and s.active == 0 and s.weight == 0.0


def test_zero_effort_finishes_at_once_and_bad_weights_are_refused():
    env = simpy.Environment()
    s = SharedServer(env)
    assert s.work(0.0).triggered
    with pytest.raises(ValueError):
        s.work(1.0, weight=0.0)
    with pytest.raises(ValueError):
        s.release()


@pytest.mark.parametrize("kind", ["deterministic", "exponential", "lognormal"])
def test_mg1_processor_sharing_mean_sojourn_is_insensitive(kind):
    """M/G/1-PS: mean time in system E[S] / (1 - rho) whatever the work distribution, and E[T | S = x] =
    x / (1 - rho).  rho = 0.5, mean work 1: E[T] = 2."""
    rng = np.random.default_rng({"deterministic": 1, "exponential": 2, "lognormal": 3}[kind])
    n, lam = 40_000, 0.5
    gaps = rng.exponential(1 / lam, n)
    work = {"deterministic": np.ones(n), "exponential": rng.exponential(1.0, n),
            "lognormal": rng.lognormal(-0.5, 1.0, n)}[kind]  # lognormal with sigma 1 and mean 1
    env = simpy.Environment()
    s = SharedServer(env)
    sojourn = np.zeros(n)

    def customer(i):
        start = env.now
        yield s.work(float(work[i]))
        sojourn[i] = env.now - start

    def arrivals():
        for i in range(n):
            yield env.timeout(float(gaps[i]))
            env.process(customer(i))

    env.process(arrivals())
    env.run()
    keep = slice(n // 10, None)  # drop the first tenth (warm-up from empty)
    assert sojourn[keep].mean() == pytest.approx(work[keep].mean() / 0.5, rel=0.08)
    # slowdown T / S is 1 / (1 - rho) = 2 on average for every job size
    ratio = sojourn[keep] / work[keep]
    assert ratio.mean() == pytest.approx(2.0, rel=0.08)


def test_withdraw_returns_the_effort_left_and_the_others_speed_up():
    env = simpy.Environment()
    server = SharedServer(env, "p")
    a, b = server.work(10.0), server.work(10.0)
    env.run(until=4)  # each got 2 done
    assert server.withdraw(b) == pytest.approx(8.0)
    env.run(until=a)
    assert env.now == pytest.approx(12.0) and not b.triggered  # A's last 8 alone
    with pytest.raises(ValueError):
        server.withdraw(b)


def test_set_rate_keeps_the_work_done_so_far():
    env = simpy.Environment()
    server = SharedServer(env, "p", constant(0.5))
    a = server.work(10.0)
    env.run(until=10)  # 5 done
    server.set_rate(constant(1.0))
    env.run(until=a)
    assert env.now == pytest.approx(15.0)
