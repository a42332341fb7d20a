"""Verification: the FMS model's own engine run as a plain open queueing network, against theory.

``simulate_network`` builds stations in series from the very parts that simulate FMS cases: an
:class:`~sim.engine.core.Engine` (whose ``work`` queues an entity at a pool and appends its visit record),
one :class:`~sim.engine.pool.Pool` per station (capacity = servers), and draws from
:class:`~sim.engine.rng.RandomStreams` draw banks indexed by customer id (one bank for the interarrival gaps,
one per station for the services, sampled by inverse CDF with :class:`~sim.engine.distributions.Dist`), the
common-random-numbers layout the model uses.  Arrivals are Poisson and stop at ``horizon``; the run
then drains until every customer has left, and the statistics come from the engine's visit records of
the customers that arrived in ``[warmup, horizon)`` - the cohort rule of the FMS model.

The analytic values come from ``sim.verification.queueing`` (Erlang C per station of a Jackson network).
``verification_table`` runs independent replications of each network in ``NETWORKS`` and compares,
per station, the simulated mean time in queue (and per network the mean sojourn) with theory, inside
Student-t intervals across replications whose level is Bonferroni-adjusted for the number of rows.
It is pure: no files, no printing (``python -m sim.validate`` formats it).
"""
from __future__ import annotations

import itertools
import math
import zlib
from dataclasses import dataclass
from typing import Generator, Optional, Sequence

import numpy as np

from sim.analysis.intervals import t_interval
from sim.engine.core import Engine
from sim.engine.distributions import Dist
from sim.engine.pool import Pool
from sim.engine.rng import RandomStreams
from sim.verification.queueing import jackson_series

SEED = 20260404  # fixed once, before any result was looked at
REPLICATIONS = 20
LEVEL = 0.95  # family-wise confidence level of the whole table


class Customer:
    """An entity for ``Engine.work``: an id (indexes its draws) and a queue priority (all equal)."""

    __slots__ = ("id", "priority")

    def __init__(self, cid: int) -> None:
        self.id = cid
        self.priority = 1


def station_name(k: int) -> str:
    """Stage and pool name of station ``k`` (counted from 0) in the visit records."""
    return f"station_{k + 1}"


def _check(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float],
           horizon: float, warmup: float) -> None:
    if len(servers) != len(service_rates) or not servers:
        raise ValueError("servers and service_rates must be equal, non-empty lists (one entry per station)")
    if not arrival_rate > 0 or any(not mu > 0 for mu in service_rates):
        raise ValueError("arrival and service rates must be > 0")
    if not 0 <= warmup < horizon:
        raise ValueError(f"need 0 <= warmup ({warmup}) < horizon ({horizon})")


def run_engine(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float],
               horizon: float, seed: int, replication: int = 0) -> tuple[Engine, list[float], list[Pool]]:
    """Simulate the network on an :class:`Engine`; return it (its ``visits``), network arrival times by
    customer id, and the pools.  Arrivals stop at ``horizon``; the run ends when every customer has left."""
    streams = RandomStreams(seed, replication)
    eng = Engine()
    env = eng.env
    pools = [Pool(env, station_name(k), c) for k, c in enumerate(servers)]
    gap = Dist(kind="exponential", mean=1.0 / arrival_rate)
    services = [Dist(kind="exponential", mean=1.0 / mu) for mu in service_rates]
    gap_bank = streams.bank("interarrival", 1, 1)
    service_banks = [streams.bank(f"service:{station_name(k)}", 1, 1) for k in range(len(servers))]
    names = [station_name(k) for k in range(len(servers))]
    arrivals: list[float] = []

    def customer(cid: int) -> Generator:
        cust = Customer(cid)
        for k, pool in enumerate(pools):
            duration = services[k].from_uniform(service_banks[k].u(cid))
            yield from eng.work(cust, names[k], pool, duration)

    def source() -> Generator:
        t = 0.0
        for cid in itertools.count():
            t += gap.from_uniform(gap_bank.u(cid))
            if t >= horizon:
                return
            yield env.timeout(t - env.now)
            arrivals.append(env.now)
            env.process(customer(cid))

    env.process(source())
    env.run()
    return eng, arrivals, pools


def simulate_network(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float],
                     horizon: float, warmup: float, seed: int, replication: int = 0) -> dict:
    """One replication of Poisson arrivals through exponential M/M/c stations in series.

    Returns ``mean_wait`` (per station, mean time in queue), ``mean_service`` (per station),
    ``mean_sojourn`` (whole network: leaving the last station minus arriving at the first) and ``n``
    (customers counted: those arriving in ``[warmup, horizon)``, each followed until it leaves), plus
    ``arrived`` (all customers) and ``end`` (the time the last one left).
    """
    _check(arrival_rate, servers, service_rates, horizon, warmup)
    eng, arrivals, _ = run_engine(arrival_rate, servers, service_rates, horizon, seed, replication)
    return summarise_visits(eng.visits, arrivals, len(servers), warmup, horizon, eng.env.now)


def summarise_visits(visits: list, arrivals: list[float], stations: int, warmup: float, horizon: float,
                     end: float) -> dict:
    """Cohort statistics from ``Engine.visits`` records (customer id, stage, pool, arrived, started, finished)."""
    arr = np.asarray(arrivals, dtype=float)
    counted = (arr >= warmup) & (arr < horizon)
    n = int(counted.sum())
    if len(visits) != len(arrivals) * stations:
        raise RuntimeError(f"{len(visits)} visit records for {len(arrivals)} customers x {stations} stations")
    ids, stages, _pools, a, s, f = zip(*visits)
    ids = np.asarray(ids, dtype=np.int64)
    a, s, f = (np.asarray(x, dtype=float) for x in (a, s, f))
    stages = np.asarray(stages)
    keep = counted[ids]
    mean_wait, mean_service = [], []
    first_arrival = np.full(len(arrivals), np.nan)
    last_finish = np.full(len(arrivals), np.nan)
    for k in range(stations):
        sel = keep & (stages == station_name(k))
        if sel.sum() != n:
            raise RuntimeError(f"station {k + 1}: {int(sel.sum())} visits for {n} counted customers")
        mean_wait.append(float((s[sel] - a[sel]).mean()) if n else math.nan)
        mean_service.append(float((f[sel] - s[sel]).mean()) if n else math.nan)
        if k == 0:
            first_arrival[ids[sel]] = a[sel]
        if k == stations - 1:
            last_finish[ids[sel]] = f[sel]
    soj = (last_finish - first_arrival)[counted]
    return {"mean_wait": mean_wait, "mean_service": mean_service,
            "mean_sojourn": float(soj.mean()) if n else math.nan, "n": n,
            "arrived": len(arrivals), "end": float(end)}


# --------------------------------------------------------------------------- verification table
@dataclass(frozen=True)
class Network:
    """A named series network and the run design used to verify it (times in days)."""

    name: str
    arrival_rate: float
    servers: tuple[int, ...]
    service_rates: tuple[float, ...]
    horizon: float
    warmup: float

    def analytic(self) -> dict:
        return jackson_series(self.arrival_rate, self.servers, self.service_rates)


# Run design: REPLICATIONS independent replications per network, each starting empty; the warm-up is
# many relaxation times of the slowest station (about 1 / (mu (1 - sqrt(rho))^2) for an M/M/1: 380 at
# rho 0.9, against a warm-up of 3,000), and the horizons give the heavy-load rows 95% half-widths of
# about 7% (M/M/1) and 10% (M/M/20) of the value.  The FMS-like station (7.5% of cases wait, briefly)
# is a check at scale: its Wq interval stays wide (about +/-25% at 95%) within this budget, its
# sojourn interval is tight.  The whole table takes about 30 s on one core (about 1.5 million visits).
NETWORKS: tuple[Network, ...] = (
    Network("M/M/1 light (rho 0.5)", 0.5, (1,), (1.0,), horizon=3_000.0, warmup=100.0),
    Network("M/M/1 heavy (rho 0.9)", 0.9, (1,), (1.0,), horizon=30_000.0, warmup=3_000.0),
    Network("M/M/20 heavy (rho 0.9)", 18.0, (20,), (1.0,), horizon=1_500.0, warmup=50.0),
    Network("series 1-5-1 (rho 0.6, 0.8, 0.75)", 0.6, (1, 5, 1), (1.0, 0.15, 0.8),
            horizon=8_000.0, warmup=1_000.0),
    Network("FMS-like pool M/M/100 (rho 0.85, 30-day work)", 85.0 / 30.0, (100,), (1.0 / 30.0,),
            horizon=3_000.0, warmup=300.0),
)


def network_seed(network: Network, seed: int) -> int:
    """The root seed of one network: ``seed`` plus the crc32 of its name, so that the networks of a
    table draw independent numbers (and a network's numbers do not depend on its place in the list)."""
    return int(seed) + zlib.crc32(network.name.encode("utf-8"))


def replicate(network: Network, replications: int = REPLICATIONS, seed: int = SEED) -> list[dict]:
    """Independent replications 0..replications-1 of one network (streams from (network seed, r))."""
    root = network_seed(network, seed)
    return [simulate_network(network.arrival_rate, network.servers, network.service_rates,
                             network.horizon, network.warmup, root, r) for r in range(replications)]


def compare(name: str, station: str, measure: str, analytic: float, values: Sequence[float],
            level: float, level_95: float = 0.95) -> dict:
    """One table row: the analytic value against the interval of the replication values."""
    mean, hw = t_interval(values, level)
    _, hw95 = t_interval(values, level_95)
    gap = mean - analytic
    return {
        "network": name, "station": station, "measure": measure, "analytic": analytic, "simulated": mean,
        "ci_low": mean - hw, "ci_high": mean + hw, "half_width": hw, "level": level,
        "half_width_95": hw95, "gap_pct": 100.0 * gap / analytic if analytic else math.nan,
        "gap_half_widths": gap / hw if hw > 0 else (0.0 if gap == 0 else math.inf),
        "inside": bool(abs(gap) <= hw), "replications": len(values),
    }


def verification_table(networks: Sequence[Network] = NETWORKS, replications: int = REPLICATIONS,
                       seed: int = SEED, level: float = LEVEL, results: Optional[dict] = None) -> list[dict]:
    """Rows of analytic against simulated values for every station's Wq and every network's sojourn.

    Each row's interval has level ``1 - (1 - level) / K`` for the K rows of the table (Bonferroni), so
    all rows hold together with probability at least ``level``.  Each row also carries ``half_width_95``
    (the unadjusted 95% half-width), ``gap_pct`` and ``gap_half_widths`` (simulated minus analytic, in
    percent of the analytic value and in adjusted half-widths).  ``results`` may hold the replications
    already run, by network name (as ``replicate`` returns them).
    """
    rows_spec = []
    for net in networks:
        th = net.analytic()
        reps = results[net.name] if results and net.name in results else replicate(net, replications, seed)
        for k, c in enumerate(net.servers):
            rows_spec.append((net, f"{k + 1} (c={c}, rho={th['rho'][k]:.2f})", "Wq", th["wq"][k],
                              [r["mean_wait"][k] for r in reps], reps))
        rows_spec.append((net, "network", "sojourn", th["sojourn"], [r["mean_sojourn"] for r in reps], reps))
    adjusted = 1.0 - (1.0 - level) / len(rows_spec)
    rows = []
    for net, station, measure, analytic, values, reps in rows_spec:
        row = compare(net.name, station, measure, analytic, values, adjusted)
        row["customers"] = float(np.mean([r["n"] for r in reps]))
        rows.append(row)
    return rows
