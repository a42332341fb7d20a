"""Verification of the engine as an open queueing network: exact checks, theory, and Ciw.

* exact: the waits in the engine's visit records equal the FIFO multi-server recursion
  (Kiefer-Wolfowitz) run on the same arrival and service times, station by station;
* statistical: on the default networks (light and heavy load, one and many servers, a series, and the
  processor-sharing rows: M/G/1-PS with deterministic and lognormal work, equal sharing, random desks)
  every simulated mean wait (T - S for sharing) and mean sojourn lies inside its Student-t interval across
  independent replications, Bonferroni-adjusted over all rows of the table (family level 95%);
* independent: Ciw (a test-only dependency) simulates the same network; Ciw against theory, ours
  against theory and Ciw against ours (Welch interval on the difference) all agree at a
  Bonferroni-adjusted family level of 95% over those comparisons.

Seeds are constants fixed here (and in ``sim.verification.table.SEED``) before any result was looked at.
The processor-sharing disciplines have exact and statistical checks of their own in ``test_processor_sharing``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from sim import engine
from sim.analysis.intervals import t_interval
from sim.engine.pool import Pool
from sim.verification import networks as validation
from sim.verification import table
from sim.verification.networks import run_engine, simulate_network
from sim.verification.queueing import jackson_series
from sim.verification.table import NETWORKS, Network, verification_table

TABLE_SEED = 20260404  # the default table's seed (sim.verification.table.SEED)
TABLE_REPLICATIONS = 20
EXACT_SEED = 11
CIW_SEED = 4242  # Ciw replication r uses ciw.seed(CIW_SEED + r)
OURS_SEED = 4343
CIW_NETWORK = Network("Ciw cross-check 1-3 (rho 0.7, 0.78)", 0.7, (1, 3), (1.0, 0.3),
                      horizon=15_000.0, warmup=1_000.0)
CIW_REPLICATIONS = 8
FAMILY_LEVEL = 0.95


# ----------------------------------------------------------------------------- exact checks
def fifo_starts(arrived: np.ndarray, service: np.ndarray, c: int) -> np.ndarray:
    """Start times in a FIFO c-server queue (Kiefer-Wolfowitz: each customer, in arrival order,
    takes the server that frees first)."""
    free = np.zeros(c)
    out = np.empty(len(arrived))
    for i in np.argsort(arrived, kind="stable"):
        k = int(np.argmin(free))
        out[i] = max(arrived[i], free[k])
        free[k] = out[i] + service[i]
    return out


@pytest.mark.parametrize("servers, rates", [((1,), (1.0,)), ((1, 3, 2), (1.2, 0.35, 0.6)), ((7,), (0.13,))])
def test_visit_records_follow_the_fifo_multiserver_recursion_exactly(servers, rates):
    eng, arrivals, pools = run_engine(0.9, servers, rates, horizon=2_000.0, seed=EXACT_SEED)
    v = eng.visits
    assert len(v) == len(arrivals) * len(servers)
    assert [p.capacity for p in pools] == list(servers)
    prev_finish = None
    for k, c in enumerate(servers):
        rows = sorted((x for x in v if x[1] == validation.station_name(k)), key=lambda x: x[0])
        ids = np.asarray([x[0] for x in rows])
        a, s, f = (np.asarray([x[j] for x in rows]) for j in (3, 4, 5))
        assert (ids == np.arange(len(arrivals))).all()
        # a customer reaches station k when it leaves station k-1 (the network entrance for k = 0)
        np.testing.assert_allclose(a, np.asarray(arrivals) if k == 0 else prev_finish, rtol=0, atol=1e-9)
        np.testing.assert_allclose(s, fifo_starts(a, f - s, c), rtol=0, atol=1e-9)
        prev_finish = f


def test_counts_cohort_drains_and_is_reproducible():
    kw = dict(arrival_rate=0.8, servers=[2, 1], service_rates=[0.5, 1.0], horizon=1_500.0, warmup=300.0)
    eng, arrivals, _ = run_engine(kw["arrival_rate"], kw["servers"], kw["service_rates"], kw["horizon"], EXACT_SEED)
    res = simulate_network(**kw, seed=EXACT_SEED)
    arr = np.asarray(arrivals)
    assert res["n"] == int(((arr >= 300.0) & (arr < 1_500.0)).sum()) > 0
    assert res["arrived"] == len(arrivals) and arr.max() < 1_500.0
    assert res["end"] == eng.env.now >= max(x[5] for x in eng.visits)  # drained: everybody left
    assert simulate_network(**kw, seed=EXACT_SEED) == res
    assert simulate_network(**kw, seed=EXACT_SEED, replication=1) != res
    assert len(res["mean_wait"]) == 2 and res["mean_sojourn"] > sum(res["mean_wait"])


def test_common_random_numbers_service_times_follow_the_customer_id():
    """As in the FMS model, a customer's draws depend on its id and station only: a higher arrival rate
    leaves every customer's service times unchanged."""
    def services(lam):
        eng, _, _ = run_engine(lam, [1, 2], [1.0, 0.6], horizon=300.0, seed=EXACT_SEED)
        return {(x[0], x[1]): x[5] - x[4] for x in eng.visits}

    low, high = services(0.5), services(0.8)
    assert set(low) < set(high)
    for key, d in low.items():
        assert high[key] == pytest.approx(d, rel=1e-12)


def test_statistics_come_from_engine_work_and_the_project_pool(monkeypatch):
    """Every visit is made by Engine.work on a sim.engine.pool.Pool of capacity = servers: count the calls,
    and a doubled duration inside Engine.work must show up as doubled mean service."""
    calls, capacities = [], []
    original_work, original_init = engine.Engine.work, Pool.__init__

    def work(self, entity, stage, pool, duration):
        calls.append((entity.id, stage, type(pool)))
        return original_work(self, entity, stage, pool, 2.0 * duration)

    def init(self, env, name, capacity):
        capacities.append(capacity)
        original_init(self, env, name, capacity)

    kw = dict(arrival_rate=0.1, servers=[3, 1], service_rates=[0.5, 1.0], horizon=3_000.0, warmup=0.0, seed=5)
    plain = simulate_network(**kw)
    monkeypatch.setattr(engine.Engine, "work", work)
    monkeypatch.setattr(Pool, "__init__", init)
    doubled = simulate_network(**kw)
    assert len(calls) == doubled["arrived"] * 2 and {c[2] for c in calls} == {Pool}
    assert capacities == [3, 1]
    assert doubled["mean_service"] == pytest.approx([2 * x for x in plain["mean_service"]], rel=1e-12)


@pytest.mark.parametrize("kw", [
    dict(servers=[1, 2], service_rates=[1.0]), dict(servers=[], service_rates=[]),
    dict(servers=[1], service_rates=[1.0], warmup=10.0, horizon=10.0), dict(servers=[1], service_rates=[0.0]),
])
def test_invalid_networks_are_errors(kw):
    args = {"arrival_rate": 0.5, "horizon": 100.0, "warmup": 0.0, "seed": 1, **kw}
    with pytest.raises(ValueError):
        simulate_network(**args)


def test_unstable_network_in_a_table_is_an_error():
    with pytest.raises(ValueError, match="unstable"):
        verification_table([Network("unstable", 1.0, (1,), (1.0,), 100.0, 10.0)], replications=2, seed=1)


# ----------------------------------------------------------------------------- against theory
@pytest.fixture(scope="module")
def table_runs():
    results = {net.name: table.replicate(net, TABLE_REPLICATIONS, TABLE_SEED) for net in NETWORKS}
    return results, verification_table(NETWORKS, TABLE_REPLICATIONS, TABLE_SEED, FAMILY_LEVEL, results=results)


def _print_rows(title, rows):
    print(f"\n{title}")
    for r in rows:
        print(f"  {r['network'][:38]:38s} {r['station']:22s} {r['measure']:7s} analytic {r['analytic']:9.4f} "
              f"simulated {r['simulated']:9.4f} [{r['ci_low']:.4f}, {r['ci_high']:.4f}] "
              f"gap {r['gap_pct']:+6.2f}% = {r['gap_half_widths']:+5.2f} half-widths "
              f"(95%: +/-{r['half_width_95']:.4f})")


@pytest.mark.slow
def test_simulated_waits_and_sojourns_match_erlang_c_within_bonferroni_intervals(table_runs):
    _, rows = table_runs
    _print_rows(f"verification table ({TABLE_REPLICATIONS} replications, family level {FAMILY_LEVEL})", rows)
    k = sum(len(n.servers) + 1 for n in NETWORKS)
    assert len(rows) == k
    for r in rows:
        assert r["level"] == pytest.approx(1 - (1 - FAMILY_LEVEL) / k)
        assert r["replications"] == TABLE_REPLICATIONS
        assert r["gap_pct"] == pytest.approx(100 * (r["simulated"] - r["analytic"]) / r["analytic"])
        assert r["gap_half_widths"] == pytest.approx((r["simulated"] - r["analytic"]) / r["half_width"])
        assert r["half_width"] > r["half_width_95"] > 0
    outside = [(r["network"], r["station"], r["measure"], round(r["gap_half_widths"], 2))
               for r in rows if not r["inside"]]
    assert outside == []
    # the heavy-load rows must be informative, not merely wide: 95% half-width below 15% of the value
    heavy = [r for r in rows if "M/M/1 heavy" in r["network"] or "M/M/20" in r["network"]]
    assert all(r["half_width_95"] < 0.15 * r["analytic"] for r in heavy), heavy


@pytest.mark.slow
def test_simulated_service_times_and_cohort_sizes_match_their_design(table_runs):
    """Services have the stated means 1 / mu (exponential, deterministic or lognormal), and each replication
    counts about lambda (horizon - warm-up) customers (95% Bonferroni intervals over all stations; Poisson
    count within 5 sd)."""
    results, _ = table_runs
    k = sum(len(n.servers) for n in NETWORKS)
    level = 1 - (1 - FAMILY_LEVEL) / k
    for net in NETWORKS:
        reps = results[net.name]
        for j, mu in enumerate(net.service_rates):
            if net.service_cv == 0:  # deterministic: every requirement is 1 / mu
                assert [r["mean_service"][j] for r in reps] == pytest.approx([1 / mu] * len(reps), rel=1e-12)
                continue
            mean, hw = t_interval([r["mean_service"][j] for r in reps], level)
            assert abs(mean - 1 / mu) <= hw, (net.name, j, mean, 1 / mu, hw)
        expected = net.arrival_rate * (net.horizon - net.warmup)
        for r in reps:
            assert abs(r["n"] - expected) <= 5 * math.sqrt(expected), (net.name, r["n"], expected)


# ----------------------------------------------------------------------------- against Ciw
def ciw_replication(net: Network, seed: int) -> dict:
    import ciw

    stations = len(net.servers)
    routing = [[1.0 if j == i + 1 else 0.0 for j in range(stations)] for i in range(stations)]
    model = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(net.arrival_rate)] + [None] * (stations - 1),
        service_distributions=[ciw.dists.Exponential(mu) for mu in net.service_rates],
        number_of_servers=list(net.servers),
        routing=routing,
    )
    ciw.seed(seed)
    sim = ciw.Simulation(model)
    # arrivals go on after the horizon in Ciw; they cannot affect earlier customers' FIFO waits.  Run on
    # long enough for every counted customer to leave.
    sim.simulate_until_max_time(net.horizon + 0.2 * (net.horizon - net.warmup))
    recs = [r for r in sim.get_all_records() if r.record_type == "service"]
    first = {r.id_number: r.arrival_date for r in recs if r.node == 1}
    counted = {i for i, t in first.items() if net.warmup <= t < net.horizon}
    waits = [[] for _ in range(stations)]
    exits = {}
    for r in recs:
        if r.id_number in counted:
            waits[r.node - 1].append(r.waiting_time)
            if r.node == stations:
                exits[r.id_number] = r.exit_date
    assert all(len(w) == len(counted) for w in waits) and len(exits) == len(counted), "Ciw run too short"
    return {"mean_wait": [float(np.mean(w)) for w in waits],
            "mean_sojourn": float(np.mean([exits[i] - first[i] for i in counted])), "n": len(counted)}


def welch(x, y, level):
    """Difference of means and its Welch half-width at ``level``."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return float(x.mean() - y.mean()), float(sps.t.ppf(0.5 + level / 2, df) * math.sqrt(vx + vy))


@pytest.mark.slow
def test_ciw_and_this_engine_agree_with_each_other_and_with_theory():
    pytest.importorskip("ciw")
    net = CIW_NETWORK
    th = jackson_series(net.arrival_rate, net.servers, net.service_rates)
    ours = table.replicate(net, CIW_REPLICATIONS, OURS_SEED)
    theirs = [ciw_replication(net, CIW_SEED + r) for r in range(CIW_REPLICATIONS)]
    measures = [(f"Wq station {k + 1}", th["wq"][k], lambda r, k=k: r["mean_wait"][k])
                for k in range(len(net.servers))]
    measures.append(("sojourn", th["sojourn"], lambda r: r["mean_sojourn"]))
    level = 1 - (1 - FAMILY_LEVEL) / (3 * len(measures))  # three comparisons per measure
    print(f"\nCiw cross-check on {net.name}, {CIW_REPLICATIONS} replications each, "
          f"level {level:.4f} per comparison")
    failures = []
    for name, analytic, get in measures:
        o, c = [get(r) for r in ours], [get(r) for r in theirs]
        mo, ho = t_interval(o, level)
        mc, hc = t_interval(c, level)
        d, hd = welch(o, c, level)
        print(f"  {name:12s} analytic {analytic:8.4f}"
              f" | ours {mo:8.4f} +/- {ho:.4f} ({100 * (mo - analytic) / analytic:+.2f}%,"
              f" {(mo - analytic) / ho:+.2f} hw)"
              f" | Ciw {mc:8.4f} +/- {hc:.4f} ({100 * (mc - analytic) / analytic:+.2f}%,"
              f" {(mc - analytic) / hc:+.2f} hw)"
              f" | ours - Ciw {d:+.4f} +/- {hd:.4f} ({d / hd:+.2f} hw)")
        comparisons = (("ours-theory", mo - analytic, ho), ("Ciw-theory", mc - analytic, hc), ("ours-Ciw", d, hd))
        for label, gap, hw in comparisons:
            if abs(gap) > hw:
                failures.append((name, label, gap, hw))
    assert failures == []
    assert all(r["n"] > 0.9 * net.arrival_rate * (net.horizon - net.warmup) for r in theirs)


def test_sim_validation_still_exports_the_verification_network():
    """The docs' verification page (docs/verification/index.md) and the verification contract name
    ``from sim.validation import simulate_network``: the name the page gives must import."""
    from pathlib import Path

    import sim
    from sim import validation as shim

    page = Path(__file__).resolve().parents[2] / "docs" / "verification" / "index.md"
    assert "from sim.validation import simulate_network" in page.read_text()

    assert shim.simulate_network is simulate_network is sim.simulate_network
    assert shim.verification_table is verification_table
