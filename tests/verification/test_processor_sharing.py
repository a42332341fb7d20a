"""Verification of the processor-sharing disciplines of the network runner (``Engine.share`` on
``SharedServer``s) against exact timings and against theory.

* exact: hand-computed timings of the runner's shared servers, and every visit of a simulated run equal
  to an event-by-event egalitarian processor-sharing recursion run on the same arrival times and service
  requirements (one queue per station for ``shared``, one per desk for ``desks``); the service draws and
  the desks come from the banks they should;
* statistical: M/G/1-PS mean sojourn E[S]/(1 - rho) with deterministic, exponential and lognormal (cv 2)
  work (insensitivity); E[T | S = x] = x / (1 - rho) (the line of T on S, and by size band); c servers
  shared equally give M/M/c's mean sojourn and number in system; c random desks give c M/M/1-PS queues at
  lambda / c, measurably worse than sharing the same servers.  Each check is a Student-t interval across a
  few independent replications at level 99.9%, and each asserts that its interval is narrow enough to
  fail on a real error.

Seeds are constants fixed here before any result was looked at.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from sim.analysis.intervals import t_interval
from sim.engine.core import Engine
from sim.engine.rng import RandomStreams
from sim.engine.sharing import SharedServer
from sim.verification.networks import (
    Customer,
    conditional_sojourn,
    desk_name,
    run_network,
    service_dist,
    shared_rate,
    simulate_network,
    station_name,
    summarise_visits,
)
from sim.verification.queueing import (
    desks_sojourn,
    jackson_series,
    mg1_ps_conditional_sojourn,
    mg1_ps_sojourn,
    mmc_wait,
    shared_number,
    shared_sojourn,
)
from sim.verification.table import NETWORKS, Network

EXACT_SEED = 17
STAT_SEED = 20260410
LEVEL = 0.999
REPS = 10


# ----------------------------------------------------------------------------- exact checks
def ps_finish_times(arrived: np.ndarray, work: np.ndarray, c: int) -> np.ndarray:
    """Departure times of egalitarian processor sharing on c servers (each of the n jobs present served at
    min(1, c/n)), event by event from the arrival times and the work: an independent reference."""
    order = np.argsort(arrived, kind="stable")
    finish = np.full(len(arrived), np.nan)
    present: dict[int, float] = {}  # job -> remaining work
    t, i = 0.0, 0
    while i < len(order) or present:
        next_arrival = float(arrived[order[i]]) if i < len(order) else math.inf
        rate = min(1.0, c / len(present)) if present else 0.0
        first = min(present, key=present.__getitem__) if present else -1
        next_finish = t + present[first] / rate if present else math.inf
        t_next = min(next_arrival, next_finish)
        for j in present:
            present[j] -= rate * (t_next - t)
        t = t_next
        if next_finish <= next_arrival:
            for j in [j for j, r in present.items() if j == first or r <= 1e-12]:
                finish[j] = t
                del present[j]
        else:
            j = int(order[i])
            present[j] = float(work[j])
            i += 1
    return finish


def test_reference_recursion_on_hand_computed_cases():
    # one server: A (work 2) alone for 1 day, then A and B (work 1) at half speed each: both leave on day 3
    np.testing.assert_allclose(ps_finish_times(np.array([0.0, 1.0]), np.array([2.0, 1.0]), 1), [3.0, 3.0])
    # two servers: both at full speed
    np.testing.assert_allclose(ps_finish_times(np.array([0.0, 1.0]), np.array([2.0, 1.0]), 2), [2.0, 2.0])
    # three jobs at 0 with work 1, 2, 3 on one server: 1/3 each until day 3, then 1/2 until 5, then alone to 6
    np.testing.assert_allclose(ps_finish_times(np.zeros(3), np.array([1.0, 2.0, 3.0]), 1), [3.0, 5.0, 6.0])


@pytest.mark.parametrize("c, expected", [(1, [3.0, 5.0, 6.0]), (2, [1.5, 2.5, 3.5]), (3, [1.0, 2.0, 3.0])])
def test_the_runners_shared_server_gives_hand_computed_timings(c, expected):
    """Three customers join at day 0 with work 1, 2, 3: with c = 2, each of three gets 2/3 of a server until
    day 1.5, then the two left get a server each (day 2.5), then the last one (day 3.5)."""
    eng = Engine()
    server = SharedServer(eng.env, "s", rate=shared_rate(c))
    for cid, work in enumerate((1.0, 2.0, 3.0)):
        eng.env.process(eng.share(Customer(cid), "s", server, work))
    eng.env.run()
    finished = {v[0]: v[5] for v in eng.visits}
    assert [finished[i] for i in range(3)] == pytest.approx(expected, abs=1e-12)
    assert all(v[3] == v[4] == 0.0 for v in eng.visits)  # nobody waits to join


@pytest.mark.parametrize("discipline, servers, rates, cv", [
    ("shared", [1], [1.0], 0.0), ("shared", [1], [1.0], 2.0), ("shared", [3], [0.35], 1.0),
    ("desks", [3], [0.35], 0.0), (["shared", "desks", "slots"], [2, 3, 1], [0.6, 0.4, 1.5], 2.0),
])
def test_visits_follow_the_processor_sharing_recursion_exactly(discipline, servers, rates, cv):
    run = run_network(0.8, servers, rates, horizon=400.0, seed=EXACT_SEED, discipline=discipline, service_cv=cv)
    visits, n = run.engine.visits, len(run.arrivals)
    req = np.asarray(run.requirements)
    assert req.shape == (n, len(servers)) and len(visits) == n * len(servers)
    prev_finish = np.asarray(run.arrivals)
    for k, (c, d) in enumerate(zip(servers, run.disciplines)):
        rows = sorted((v for v in visits if v[1] == station_name(k)), key=lambda v: v[0])
        ids = np.asarray([v[0] for v in rows])
        pools = [v[2] for v in rows]
        a, s, f = (np.asarray([v[j] for v in rows]) for j in (3, 4, 5))
        assert (ids == np.arange(n)).all()
        np.testing.assert_allclose(a, prev_finish, rtol=0, atol=1e-9)  # leave station k-1, reach station k
        if d == "slots":
            np.testing.assert_allclose(f - s, req[:, k], rtol=0, atol=1e-9)
        elif d == "shared":
            assert (s == a).all() and set(pools) == {station_name(k)}
            np.testing.assert_allclose(f, ps_finish_times(a, req[:, k], c), rtol=0, atol=1e-6)
        else:  # desks: the desk drawn from its own bank by customer id; each desk is one M/G/1-PS queue
            bank = RandomStreams(EXACT_SEED, 0).bank(f"desk:{station_name(k)}", 1, 1)
            assert pools == [desk_name(k, min(int(bank.u(i) * c), c - 1)) for i in range(n)]
            assert (s == a).all() and len(set(pools)) == c
            for desk in set(pools):
                m = np.asarray([p == desk for p in pools])
                np.testing.assert_allclose(f[m], ps_finish_times(a[m], req[m, k], 1), rtol=0, atol=1e-6)
        prev_finish = f


def test_service_draws_do_not_depend_on_the_discipline_and_follow_the_requested_law():
    """The requirement of (customer, station) is the service bank's draw, whatever the discipline (the
    desks have a bank of their own); cv 1 gives today's exponential durations, cv 0 the mean exactly."""
    args = (0.9, [2, 3], [0.6, 0.4], 300.0, EXACT_SEED)
    base = run_network(*args)
    for d in ("shared", "desks", ["desks", "shared"]):
        assert run_network(*args, discipline=d).requirements == base.requirements
    slot_durations = {(v[0], v[1]): v[5] - v[4] for v in base.engine.visits}
    for cid, need in enumerate(base.requirements):
        for k, x in enumerate(need):
            assert slot_durations[(cid, station_name(k))] == pytest.approx(x, rel=0, abs=1e-9)
    det = run_network(*args, service_cv=0.0, discipline="desks")
    assert {x for need in det.requirements for x in need} == {1 / 0.6, 1 / 0.4}
    u = RandomStreams(EXACT_SEED, 0).bank("service:station_2", 1, 1).u(5)
    lognormal = run_network(*args, service_cv=2.0, discipline="shared")
    assert lognormal.requirements[5][1] == service_dist(1 / 0.4, 2.0).from_uniform(u)


@pytest.mark.parametrize("cv", [0.0, 0.5, 1.0, 2.0, 4.0])
def test_service_dist_has_the_requested_mean_and_cv(cv):
    dist = service_dist(2.5, cv)
    assert dist.expected() == pytest.approx(2.5, rel=1e-12)
    assert dist.kind == {0.0: "fixed", 1.0: "exponential"}.get(cv, "lognormal")
    if dist.kind == "lognormal":
        assert math.sqrt(math.expm1(dist.sigma**2)) == pytest.approx(cv, rel=1e-12)
    u = (np.arange(200_000) + 0.5) / 200_000  # a fine quadrature of the inverse CDF
    x = np.array([dist.from_uniform(float(v)) for v in u[::10]])
    assert x.mean() == pytest.approx(2.5, rel=0.02)
    assert (np.diff(x) >= 0).all()  # inverse CDF: monotone in u (common random numbers)


def test_wait_is_time_at_the_station_beyond_the_requirement_and_details_agree():
    kw = dict(arrival_rate=0.8, servers=[2, 1], service_rates=[0.5, 1.0], horizon=600.0, warmup=100.0,
              seed=EXACT_SEED)
    for d in ("slots", "shared", "desks"):
        res = simulate_network(**kw, discipline=d, service_cv=2.0, details=True)
        assert res["time"].shape == res["requirement"].shape == (res["n"], 2)
        np.testing.assert_allclose(res["time"].sum(axis=1), res["sojourn"], rtol=1e-12)
        assert res["mean_sojourn"] == pytest.approx(res["sojourn"].mean(), rel=1e-12)
        assert res["mean_wait"] == pytest.approx(list((res["time"] - res["requirement"]).mean(axis=0)), rel=1e-9)
        assert res["mean_service"] == pytest.approx(list(res["requirement"].mean(axis=0)), rel=1e-9)
        assert min(res["mean_wait"]) > 0
    # the defaults are today's FCFS M/M/c run, number for number
    plain = simulate_network(**kw)
    assert simulate_network(**kw, discipline="slots", service_cv=1.0) == plain
    assert "time" not in plain


def test_one_shared_server_is_one_desk():
    kw = dict(arrival_rate=0.7, servers=[1], service_rates=[1.0], horizon=500.0, warmup=50.0, seed=EXACT_SEED)
    for cv in (0.0, 2.0):
        shared = simulate_network(**kw, discipline="shared", service_cv=cv, details=True)
        desk = simulate_network(**kw, discipline="desks", service_cv=cv, details=True)
        np.testing.assert_allclose(shared["sojourn"], desk["sojourn"], rtol=1e-12)


@pytest.mark.parametrize("kw, match", [
    (dict(discipline="fcfs"), "discipline 'fcfs'; allowed: 'slots', 'shared', 'desks'"),
    (dict(discipline=["shared"]), "1 disciplines for 2 stations"),
    (dict(discipline=["shared", "ps"]), "discipline 'ps'"),
    (dict(service_cv=-0.5), "service_cv=-0.5; allowed"),
    (dict(service_cv=math.nan), "service_cv=nan"),
    (dict(service_cv=math.inf), "service_cv=inf"),
])
def test_invalid_disciplines_and_cvs_are_errors(kw, match):
    with pytest.raises(ValueError, match=match):
        simulate_network(0.5, [1, 2], [1.0, 1.0], 100.0, 0.0, 1, **kw)


def test_the_lower_level_runner_checks_its_inputs_too():
    with pytest.raises(ValueError, match="service_cv=-1"):
        run_network(0.5, [1], [1.0], 10.0, 1, service_cv=-1.0)
    with pytest.raises(ValueError, match="allowed: 'slots', 'shared', 'desks'"):
        run_network(0.5, [1], [1.0], 10.0, 1, discipline="random")
    with pytest.raises(ValueError, match="service_cv"):
        service_dist(1.0, math.inf)


def test_summarising_a_sharing_station_needs_the_requirements():
    run = run_network(0.5, [1], [1.0], 50.0, EXACT_SEED, discipline="shared")
    with pytest.raises(ValueError, match="requirements"):
        summarise_visits(run.engine.visits, run.arrivals, 1, 0.0, 50.0, run.engine.env.now, disciplines=["shared"])


def test_conditional_sojourn_bins_and_fits_a_line():
    x = np.array([0.1, 0.2, 1.0, 1.5, 3.0, 5.0])
    out = conditional_sojourn(x, 2.5 * x, [0.0, 0.5, 2.0, 10.0])
    assert out["n"] == [2, 2, 2]
    assert out["requirement"] == pytest.approx([0.15, 1.25, 4.0])
    assert out["time"] == pytest.approx([0.375, 3.125, 10.0])
    assert out["slope"] == pytest.approx(2.5) and out["intercept"] == pytest.approx(0.0, abs=1e-12)
    assert conditional_sojourn(x, x, [10.0, 20.0])["n"] == [0]
    with pytest.raises(ValueError):
        conditional_sojourn(x, x[:-1], [0.0, 1.0])
    with pytest.raises(ValueError):
        conditional_sojourn(x, x, [1.0, 0.5])


def test_network_analytic_and_the_table_design():
    plain = Network("p", 0.6, (1, 5, 1), (1.0, 0.15, 0.8), 10.0, 1.0)
    assert plain.analytic() == jackson_series(0.6, (1, 5, 1), (1.0, 0.15, 0.8))
    ps = Network("q", 0.7, (1,), (1.0,), 10.0, 1.0, discipline="shared", service_cv=2.0).analytic()
    assert ps["sojourn"] == pytest.approx(mg1_ps_sojourn(0.7, 1.0)) and ps["wq"] == pytest.approx([0.7 / 0.3])
    desks = Network("d", 2.8, (4,), (1.0,), 10.0, 1.0, discipline="desks").analytic()
    assert desks["sojourn"] == pytest.approx(10 / 3) and desks["wq"] == pytest.approx([7 / 3])
    shared = Network("s", 2.4, (3,), (1.0,), 10.0, 1.0, discipline="shared").analytic()
    assert shared["sojourn"] == pytest.approx(shared_sojourn(2.4, 1.0, 3))
    assert shared["wq"] == pytest.approx([mmc_wait(2.4, 1.0, 3)])
    with pytest.raises(ValueError, match="cv 2 at a slots"):
        Network("f", 0.5, (1,), (1.0,), 10.0, 1.0, service_cv=2.0).analytic()
    with pytest.raises(ValueError, match="allowed"):
        Network("x", 0.5, (1,), (1.0,), 10.0, 1.0, discipline="lifo").analytic()
    by_discipline = {d: [n for n in NETWORKS if d in n.disciplines()] for d in ("slots", "shared", "desks")}
    assert all(by_discipline.values())
    assert {n.service_cv for n in by_discipline["shared"]} >= {0.0, 1.0, 2.0}


# ----------------------------------------------------------------------------- against theory
def replications(lam, servers, rates, horizon, warmup, discipline, cv, seed=STAT_SEED, reps=REPS):
    """Independent replications, each with the per-customer arrays (``details``) and ``number``: the time
    average over [warmup, horizon] of the customers in the network, from the visit records."""
    out = []
    for r in range(reps):
        run = run_network(lam, servers, rates, horizon, seed, r, discipline, cv)
        res = summarise_visits(run.engine.visits, run.arrivals, len(servers), warmup, horizon, run.engine.env.now,
                               run.disciplines, run.requirements, details=True)
        a = np.asarray([v[3] for v in run.engine.visits])
        f = np.asarray([v[5] for v in run.engine.visits])
        res["number"] = float((np.clip(f, warmup, horizon) - np.clip(a, warmup, horizon)).sum() / (horizon - warmup))
        out.append(res)
    return out


def check(values, analytic, label, max_rel_hw=0.15):
    mean, hw = t_interval(values, LEVEL)
    print(f"  {label}: analytic {analytic:.4f} simulated {mean:.4f} +/- {hw:.4f} "
          f"({100 * (mean - analytic) / analytic if analytic else math.nan:+.2f}%)")
    assert hw < max_rel_hw * abs(analytic), (label, "interval too wide to be a check", hw)
    assert abs(mean - analytic) <= hw, (label, mean, analytic, hw)


@pytest.fixture(scope="module")
def mg1_ps():
    """M/G/1-PS at rho 0.6 (lambda 0.6, E[S] 1), by service cv: E[T] = 2.5 whatever the cv.  The more
    variable the work, the noisier the mean: the horizon grows with the cv (about 6,000 to 18,000 customers
    per replication)."""
    horizon = {0.0: 10_000.0, 1.0: 10_000.0, 2.0: 30_000.0}
    return {cv: replications(0.6, [1], [1.0], h, 500.0, "shared", cv, STAT_SEED + int(10 * cv))
            for cv, h in horizon.items()}


@pytest.mark.parametrize("cv", [0.0, 1.0, 2.0])
def test_mg1_ps_mean_sojourn_is_insensitive_to_the_service_distribution(mg1_ps, cv):
    reps = mg1_ps[cv]
    th = mg1_ps_sojourn(0.6, 1.0)
    check([r["mean_sojourn"] for r in reps], th, f"M/G/1-PS cv {cv} sojourn")
    check([r["mean_wait"][0] for r in reps], th - 1.0, f"M/G/1-PS cv {cv} T - S", max_rel_hw=0.3)
    # FCFS would differ: M/D/1 1.75, M/M/1 2.5, M/G/1 with cv 2 4.75 (Pollaczek-Khinchine)
    assert np.mean([r["mean_service"][0] for r in reps]) == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize("cv", [1.0, 2.0])
def test_mg1_ps_conditional_sojourn_is_linear_in_the_requirement(mg1_ps, cv):
    """E[T | S = x] = x / (1 - rho): the least-squares line of T on S in each replication has slope 2.5 and
    intercept 0, and in each band of S the mean of T is 2.5 times the mean of S."""
    reps = mg1_ps[cv]
    edges = [0.0, 0.5, 2.0, math.inf]
    fits = [conditional_sojourn(r["requirement"][:, 0], r["time"][:, 0], edges) for r in reps]
    slope = mg1_ps_conditional_sojourn(0.6, 1.0, 1.0)
    check([f["slope"] for f in fits], slope, f"cv {cv} slope of T on S")
    mean, hw = t_interval([f["intercept"] for f in fits], LEVEL)
    print(f"  cv {cv} intercept {mean:+.4f} +/- {hw:.4f}")
    # informative: FCFS would give T = Wq + S, a line of slope 1 and intercept Wq = 1.5
    assert abs(mean) <= hw < 0.25
    for b in range(len(edges) - 1):
        gaps = [f["time"][b] - slope * f["requirement"][b] for f in fits]
        mean, hw = t_interval(gaps, LEVEL)
        size = np.mean([f["requirement"][b] for f in fits])
        print(f"  cv {cv} band {edges[b]}-{edges[b + 1]} (mean S {size:.3f}): T - 2.5 S {mean:+.4f} +/- {hw:.4f}")
        assert abs(mean) <= hw < 0.25 + 0.2 * slope * size


@pytest.mark.parametrize("cv", [1.0, 2.0])
def test_equal_sharing_of_c_servers_gives_the_mmc_mean_sojourn(cv):
    """c = 3 at rho 0.7: mean sojourn M/M/c's W, mean number in system M/M/c's L (time average over the
    window, from the visit records), for exponential and, by insensitivity, lognormal work."""
    lam, c, horizon, warmup = 2.1, 3, 3_000.0, 200.0
    reps = replications(lam, [c], [1.0], horizon, warmup, "shared", cv, STAT_SEED + 100 + int(cv))
    print(f"\nM/M/{c} equal sharing, cv {cv}")
    check([r["mean_sojourn"] for r in reps], shared_sojourn(lam, 1.0, c), "sojourn")
    check([r["mean_wait"][0] for r in reps], mmc_wait(lam, 1.0, c), "T - S (M/M/c Wq)", max_rel_hw=0.3)
    check([r["number"] for r in reps], shared_number(lam, 1.0, c), "number in system (M/M/c L)")


def test_random_desks_are_separate_mg1_ps_queues_and_worse_than_sharing():
    """c = 4 desks at rho 0.7: each an M/M/1-PS queue at lambda / 4, mean sojourn 1 / 0.3; sharing the same
    four servers among everyone (same arrivals and work: common random numbers) is measurably better."""
    lam, c, horizon, warmup = 2.8, 4, 3_000.0, 200.0
    desks = replications(lam, [c], [1.0], horizon, warmup, "desks", 1.0, STAT_SEED + 300)
    shared = replications(lam, [c], [1.0], horizon, warmup, "shared", 1.0, STAT_SEED + 300)
    print("\n4 random desks against 4 shared servers")
    check([r["mean_sojourn"] for r in desks], desks_sojourn(lam, 1.0, c), "desks sojourn")
    check([r["mean_sojourn"] for r in shared], shared_sojourn(lam, 1.0, c), "shared sojourn")
    gain = desks_sojourn(lam, 1.0, c) - shared_sojourn(lam, 1.0, c)
    diffs = [d["mean_sojourn"] - s["mean_sojourn"] for d, s in zip(desks, shared)]
    check(diffs, gain, "desks - shared (paired)", max_rel_hw=0.3)
    assert t_interval(diffs, LEVEL)[0] - t_interval(diffs, LEVEL)[1] > 0  # pooling helps
    # each desk gets a quarter of the customers
    for r in range(2):
        run = run_network(lam, [c], [1.0], horizon, STAT_SEED + 400 + r, discipline="desks")
        n = len(run.arrivals)
        counts = np.bincount([int(v[2].rsplit("_", 1)[1]) - 1 for v in run.engine.visits], minlength=c)
        assert np.all(np.abs(counts - n / c) <= 5 * math.sqrt(n * (1 / c) * (1 - 1 / c))), counts
