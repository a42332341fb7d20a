"""Little's law and work conservation for every pool of the FMS model (and of random small pools).

Two bookkeeping paths are compared: each pool's own time integrals and counters
(``Pool.snapshot``) and the engine's visit records (arrived, started, finished).  Over any window
[t0, t1]:

* exactly, the integral of the queue length equals the sum over visits of the part of each wait
  inside the window, the integral of busy slots equals the same for services, and the requests
  counted equal the visits that arrived in the window;
* hence Little's law L = lambda W (L = mean number waiting, lambda = arrivals per day, W = mean wait
  of the visits arriving in the window) holds up to two edge terms: waits already under way at t0
  and waits still under way at t1.  The test asserts the exact decomposition, the bound the edges
  give, and reports each gap in percent and in half-widths of a batch-means interval.

Work conservation (no slot idle while a case waits) is checked at every request, release and
capacity change by an observer wrapped around ``Pool``, and again, independently of the pool's
internals, by a sweep over the visit records.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sim.config import compose_config, to_params
from sim.engine.core import Engine
from sim.engine.pool import Pool
from sim.engine.rng import RandomStreams
from sim.model import reform
from sim.model.fms_model import FmsModel

# a closed system (no LOR after the horizon, every case ends): the identities hold exactly over the whole run
TINY = ["debug=tiny", "run.replications=1", "run.records=full", "run.drain_years=40", "run.after_horizon=drain",
        "staffing=slots"]
# a staffing plan that cuts and rehires case managers, with attrition and backfill: capacity changes
# every plan step and drops below the cases in service, so queues form and reductions are exercised
PLAN = [
    "staffing.plans.case_managers.hires=[{year: 0.8, headcount: -2}, {year: 1.5, headcount: 2}]",
    "staffing.plans.case_managers.attrition_per_year=0.2",
    "staffing.plans.case_managers.backfill=true",
    "staffing.plans.case_managers.ramp_years=0.5",
]
BATCHES = 10  # batch-means interval for the statistical form of Little's law
FAMILY_LEVEL = 0.99  # over all pools together (Bonferroni)


# ----------------------------------------------------------------------------- helpers
class PoolObserver:
    """Wraps Pool.request / release / set_capacity; after each call checks work conservation and logs
    (time, queue, busy, capacity) per pool, so capacity over time and every state are known."""

    def __init__(self, mp: pytest.MonkeyPatch) -> None:
        self.log: dict[str, list[tuple[float, int, int, int]]] = defaultdict(list)
        self.violations: list[tuple] = []
        self.capacity_changes: dict[str, int] = defaultdict(int)
        for method in ("request", "release", "set_capacity"):
            mp.setattr(Pool, method, self._wrap(getattr(Pool, method), method))

    def _wrap(self, original, method):
        obs = self

        def wrapped(pool, *args, **kwargs):
            out = original(pool, *args, **kwargs)
            state = (pool.env.now, pool.queue_length, pool.busy, pool.capacity)
            obs.log[pool.name].append(state)
            if method == "set_capacity":
                obs.capacity_changes[pool.name] += 1
            if pool.queue_length > 0 and pool.busy < pool.capacity:
                obs.violations.append((pool.name, method, *state))
            return out

        return wrapped

    def capacity_at(self, name: str, initial: int):
        """Capacity of a pool as a right-continuous step function of time (from the log)."""
        log = self.log[name]
        times = np.asarray([s[0] for s in log], dtype=float)
        caps = np.asarray([s[3] for s in log], dtype=int)

        def f(t: np.ndarray) -> np.ndarray:
            i = np.searchsorted(times, t, side="right") - 1
            return np.where(i >= 0, caps[np.maximum(i, 0)], initial)

        return f


def run_model(overrides: list[str]):
    params = to_params(compose_config(overrides))
    scenario, policy = reform.apply(params)
    with pytest.MonkeyPatch.context() as mp:
        obs = PoolObserver(mp)
        model = FmsModel(scenario, RandomStreams(params.seed, 0), policy)
        initial = {name: p.capacity for name, p in model.all_pools().items()}
        model.run()
    return model, obs, initial


def visits_by_pool(visits) -> dict[str, np.ndarray]:
    """pool -> array of (arrived, started, finished) rows (delays, pool '', left out)."""
    out = defaultdict(list)
    for _cid, _stage, pool, a, s, f, *_ in visits:
        if pool:
            out[pool].append((a, s, f))
    return {k: np.asarray(v, dtype=float).reshape(-1, 3) for k, v in out.items()}


def overlap(lo: np.ndarray, hi: np.ndarray, t0: float, t1: float) -> float:
    """Sum over intervals [lo, hi] of their length inside [t0, t1]."""
    return float(np.clip(np.minimum(hi, t1) - np.maximum(lo, t0), 0.0, None).sum())


def little(v: np.ndarray, t0: float, t1: float) -> dict:
    """L, lambda, W of the queue over [t0, t1] and the two edge terms (exact: L - lambda W = (in - out) / dt)."""
    a, s = v[:, 0], v[:, 1]
    dt = t1 - t0
    inside = (a >= t0) & (a < t1)
    n = int(inside.sum())
    w = float((s[inside] - a[inside]).mean()) if n else 0.0
    edge_in = overlap(a[a < t0], s[a < t0], t0, t1)  # waits under way at t0
    edge_out = float(np.clip(s[inside] - t1, 0.0, None).sum())  # waits still under way at t1
    return {"L": overlap(a, s, t0, t1) / dt, "lam": n / dt, "W": w, "n": n,
            "edge_in": edge_in / dt, "edge_out": edge_out / dt}


def sweep_violations(v: np.ndarray, capacity) -> int:
    """Instants (between consecutive event times) where a visit waits while fewer than capacity are served."""
    a, s, f = np.sort(v[:, 0]), np.sort(v[:, 1]), np.sort(v[:, 2])
    times = np.unique(np.concatenate([a, s, f]))
    if len(times) < 2:
        return 0
    mid = (times[:-1] + times[1:]) / 2
    waiting = np.searchsorted(a, mid, side="right") - np.searchsorted(s, mid, side="right")
    busy = np.searchsorted(s, mid, side="right") - np.searchsorted(f, mid, side="right")
    return int(((waiting > 0) & (busy < capacity(mid))).sum())


# ----------------------------------------------------------------------------- the FMS model
@pytest.fixture(scope="module", params=["baseline", "staffing_plan", "portfolio", "portfolio_plan"])
def fms(request):
    """The slot offices (staffing=slots), with and without a plan; the default portfolio offices, likewise."""
    base = TINY if request.param in ("baseline", "staffing_plan") else TINY[:-1]
    overrides = base if request.param in ("baseline", "portfolio") else [*base, *PLAN]
    model, obs, initial = run_model(overrides)
    return request.param, model, obs, initial, visits_by_pool(model.visits)


def windows(model):
    t = {"start": 0.0, "warmup": model.warmup, "horizon": model.horizon, "end": model.end_time}
    return [("start", "warmup"), ("warmup", "horizon"), ("horizon", "end"), ("start", "end")], t


@pytest.mark.slow
def test_run_drains_and_every_request_has_a_visit_record(fms):
    name, model, obs, _, by_pool = fms
    assert model.end_time < model.end, "the tiny run must drain completely for the exact identities"
    assert model.open_cases == 0
    for pool, snap in model.snapshots["end"].items():
        n = len(by_pool.get(pool, ()))
        assert snap.requests == snap.starts == snap.releases == n, pool
        assert snap.queue == snap.busy == 0, pool
    if name == "portfolio_plan":
        office = model.pools["case_managers"]
        assert max(person.uid for person in office.people) >= 5  # hires and backfills joined the 5 at start
    if name == "staffing_plan":
        assert obs.capacity_changes["case_managers"] > 20
        assert max(q for _, q, _, _ in obs.log["case_managers"]) > 0  # the cut made a queue


@pytest.mark.slow
def test_pool_integrals_equal_the_visit_records_over_every_window(fms):
    """Exact identities: queue area = waits inside the window, busy area = services inside it (a portfolio
    office: its cases area = the time cases spent in portfolios), requests = visits arriving in it."""
    _, model, _, _, by_pool = fms
    pairs, t = windows(model)
    snaps = {**{k: model.snapshots[k] for k in ("warmup", "horizon", "end")}, "start": None}
    for pool in model.all_pools():
        v = by_pool.get(pool, np.zeros((0, 3)))
        for lo, hi in pairs:
            b = snaps[hi][pool]
            a = snaps[lo][pool] if snaps[lo] is not None else None
            dq = b.queue_area - (a.queue_area if a else 0.0)
            portfolio = b.cases_area is not None
            if portfolio:
                db = b.cases_area - (a.cases_area if a and a.cases_area is not None else 0.0)
            else:
                db = b.busy_area - (a.busy_area if a else 0.0)
            dn = b.requests - (a.requests if a else 0)
            t0, t1 = t[lo], t[hi]
            assert dq == pytest.approx(overlap(v[:, 0], v[:, 1], t0, t1), rel=1e-9, abs=1e-6), (pool, lo, hi)
            assert db == pytest.approx(overlap(v[:, 1], v[:, 2], t0, t1), rel=1e-9, abs=1e-6), (pool, lo, hi)
            assert dn == int(((v[:, 0] >= t0) & (v[:, 0] < t1)).sum()), (pool, lo, hi)


@pytest.mark.slow
def test_littles_law_for_every_pool_over_the_cohort_window(fms):
    """L = lambda W over [warm-up, horizon], from the pool's queue area and the visits' waits.

    The gap L - lambda W equals (edge_in - edge_out) / dt exactly, so its size is bounded by the edges;
    it is also reported in half-widths of a batch-means interval (BATCHES sub-windows, Bonferroni over
    pools), and that interval must contain 0.
    """
    name, model, _, _, by_pool = fms
    t0, t1 = model.warmup, model.horizon
    snap0, snap1 = model.snapshots["warmup"], model.snapshots["horizon"]
    pools = list(model.all_pools())
    level = 1 - (1 - FAMILY_LEVEL) / len(pools)
    report = []
    for pool in pools:
        v = by_pool.get(pool, np.zeros((0, 3)))
        lt = little(v, t0, t1)
        L_pool = (snap1[pool].queue_area - snap0[pool].queue_area) / (t1 - t0)
        assert L_pool == pytest.approx(lt["L"], rel=1e-9, abs=1e-9)  # the pool's own L
        gap = L_pool - lt["lam"] * lt["W"]
        assert gap == pytest.approx(lt["edge_in"] - lt["edge_out"], rel=1e-9, abs=1e-9)
        assert abs(gap) <= max(lt["edge_in"], lt["edge_out"]) + 1e-9
        edges = np.linspace(t0, t1, BATCHES + 1)
        d = []
        for b0, b1 in zip(edges[:-1], edges[1:]):
            lb = little(v, b0, b1)
            d.append(lb["L"] - lb["lam"] * lb["W"])
        d = np.asarray(d)
        hw = float(sps.t.ppf(0.5 + level / 2, BATCHES - 1) * d.std(ddof=1) / math.sqrt(BATCHES))
        pct = 100 * gap / L_pool if L_pool > 0 else 0.0
        in_hw = d.mean() / hw if hw > 0 else 0.0
        report.append((pool, L_pool, lt["lam"] * lt["W"], pct, in_hw, lt["n"]))
        assert abs(d.mean()) <= hw or hw == 0 == abs(d.mean()), (pool, d)
    print(f"\nLittle's law over [warm-up, horizon], {name}: pool, L, lambda W, gap %, batch gap / half-width, visits")
    for row in report:
        print("  %-22s L=%9.4f  lambda*W=%9.4f  gap=%7.3f%%  %6.2f hw  n=%d" % row)


@pytest.mark.slow
def test_every_pool_is_work_conserving(fms):
    """No slot idle while a case waits: at every pool event (observer) and, independently, between
    any two consecutive visit-record times (sweep with the logged capacity)."""
    _, model, obs, initial, by_pool = fms
    assert obs.violations == []
    for pool in [name for name, p in model.all_pools().items() if isinstance(p, Pool)]:
        assert len(obs.log[pool]) > 0, pool
        v = by_pool.get(pool, np.zeros((0, 3)))
        assert sweep_violations(v, obs.capacity_at(pool, initial[pool])) == 0, pool


# ----------------------------------------------------------------------------- random small pools
jobs_st = st.lists(
    st.tuples(st.floats(0, 50, allow_nan=False), st.floats(0.01, 20, allow_nan=False), st.integers(0, 2)),
    min_size=1, max_size=40)
caps_st = st.lists(st.tuples(st.floats(0, 80, allow_nan=False), st.integers(0, 4)), max_size=6)


@given(jobs=jobs_st, capacity=st.integers(1, 4), changes=caps_st,
       window=st.tuples(st.floats(0, 100), st.floats(0, 100)))
@settings(max_examples=150, deadline=None)
def test_random_pools_conserve_work_and_satisfy_the_identities(jobs, capacity, changes, window):
    """Random arrivals, durations, priorities and capacity changes (including to 0, as long as capacity
    comes back), through Engine.work: work conservation and the exact window identities."""
    changes = sorted(changes) + [(100.0, max(capacity, 1))]  # capacity is restored so everyone finishes
    t0, t1 = sorted(window)
    with pytest.MonkeyPatch.context() as mp:
        obs = PoolObserver(mp)
        eng = Engine()
        env = eng.env
        pool = Pool(env, "p", capacity)
        snaps = {}

        class Job:
            def __init__(self, i, prio):
                self.id, self.priority = i, prio

        def job(i, at, hold, prio):
            yield env.timeout(at)
            yield from eng.work(Job(i, prio), "s", pool, hold)

        def change(at, cap):
            yield env.timeout(at)
            pool.set_capacity(cap)

        def snap(label, at):
            yield env.timeout(at)
            snaps[label] = pool.snapshot()

        for i, (at, hold, prio) in enumerate(jobs):
            env.process(job(i, at, hold, prio))
        for at, cap in changes:
            env.process(change(at, cap))
        env.process(snap("t0", t0))
        env.process(snap("t1", t1))
        env.run()
    assert obs.violations == []
    v = visits_by_pool(eng.visits)["p"]
    assert len(v) == len(jobs)
    assert sweep_violations(v, obs.capacity_at("p", capacity)) == 0
    if t1 > t0:
        dq = snaps["t1"].queue_area - snaps["t0"].queue_area
        db = snaps["t1"].busy_area - snaps["t0"].busy_area
        assert dq == pytest.approx(overlap(v[:, 0], v[:, 1], t0, t1), rel=1e-9, abs=1e-9)
        assert db == pytest.approx(overlap(v[:, 1], v[:, 2], t0, t1), rel=1e-9, abs=1e-9)
