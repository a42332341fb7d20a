"""Verification: the FMS model's own engine run as a plain open queueing network, against theory.

``simulate_network`` builds stations in series from the very parts that simulate FMS cases: an
:class:`~sim.engine.core.Engine` and draws from :class:`~sim.engine.rng.RandomStreams` draw banks indexed
by customer id (one bank for the interarrival gaps, one per station for the service requirements, sampled
by inverse CDF with :class:`~sim.engine.distributions.Dist`), the common-random-numbers layout the model
uses.  A station's ``discipline`` says how its c servers work:

* ``slots`` (the default): first come first served, ``Engine.work`` on one :class:`~sim.engine.pool.Pool`
  of capacity c (queue, then hold one slot);
* ``shared``: the c servers shared equally by everybody at the station, each of n customers getting
  min(1, c/n) of a server: ``Engine.share`` on one :class:`~sim.engine.sharing.SharedServer` of rate
  min(n, c);
* ``desks``: each customer sent at random (its own draw bank, so the service draws do not move) to one of
  c single-server ``SharedServer`` desks, shared with that desk's other customers.

Service requirements have mean 1/rate and coefficient of variation ``service_cv``: exponential for 1
(the draws of M/M/c), deterministic for 0, lognormal otherwise.  Arrivals are Poisson and stop at
``horizon``; the run then drains until every customer has left, and the statistics come from the engine's
visit records of the customers that arrived in ``[warmup, horizon)`` - the cohort rule of the FMS model.
A sharing station's record has started == arrived, so its "wait" is the time there minus the customer's
service requirement (``T - S``), which the runner keeps per customer and station.

``conditional_sojourn`` bins customers by their requirement for the check of E[T | S = x].  The networks
checked and the table that compares them with theory are :mod:`sim.verification.table`.  It is pure: no
files, no printing (``python -m sim validate`` formats it).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import numpy as np

from sim.engine.core import Engine, Process
from sim.engine.distributions import Dist
from sim.engine.pool import Pool
from sim.engine.portable_math import log1p
from sim.engine.rng import RandomStreams
from sim.engine.sharing import RateFn, SharedServer, constant
from sim.verification.queueing import DISCIPLINES


class Customer:
    """An entity for ``Engine.work``: an id (indexes its draws) and a queue priority (all equal)."""

    __slots__ = ("id", "priority")

    def __init__(self, cid: int) -> None:
        self.id = cid
        self.priority = 1


def station_name(k: int) -> str:
    """Stage and pool name of station ``k`` (counted from 0) in the visit records."""
    return f"station_{k + 1}"


def desk_name(k: int, j: int) -> str:
    """Server name of desk ``j`` (counted from 0) of station ``k`` in the visit records."""
    return f"{station_name(k)}/desk_{j + 1}"


def station_disciplines(discipline: Union[str, Sequence[str]], stations: int) -> list[str]:
    ds = [discipline] * stations if isinstance(discipline, str) else list(discipline)
    if len(ds) != stations:
        raise ValueError(f"{len(ds)} disciplines for {stations} stations; allowed: one value, or one per station")
    for d in ds:
        if d not in DISCIPLINES:
            raise ValueError(f"discipline {d!r}; allowed: {', '.join(repr(x) for x in DISCIPLINES)}")
    return ds


def _check(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float],
           horizon: float, warmup: float, service_cv: float = 1.0) -> None:
    if len(servers) != len(service_rates) or not servers:
        raise ValueError("servers and service_rates must be equal, non-empty lists (one entry per station)")
    if not arrival_rate > 0 or any(not mu > 0 for mu in service_rates):
        raise ValueError("arrival and service rates must be > 0")
    if not 0 <= warmup < horizon:
        raise ValueError(f"need 0 <= warmup ({warmup}) < horizon ({horizon})")
    _check_cv(service_cv)


def _check_cv(cv: float) -> None:
    if not (cv >= 0 and math.isfinite(cv)):
        raise ValueError(f"service_cv={cv!r}; allowed: a finite number >= 0 (0 deterministic, 1 exponential)")


def service_dist(mean: float, cv: float) -> Dist:
    """Service requirements of mean ``mean`` and coefficient of variation ``cv``: exponential for cv 1 (the
    draws of M/M/c), fixed for cv 0, otherwise lognormal (sigma^2 = ln(1 + cv^2), median mean / sqrt(1 + cv^2))."""
    _check_cv(cv)
    if cv == 1.0:
        return Dist(kind="exponential", mean=mean)
    if cv == 0.0:
        return Dist(kind="fixed", value=mean)
    return Dist(kind="lognormal", median=mean / math.sqrt(1.0 + cv * cv), sigma=math.sqrt(log1p(cv * cv)))


def shared_rate(c: int) -> RateFn:
    """Total service rate of c servers shared equally: each of n customers gets min(1, c/n) of a server."""
    return lambda n: float(min(n, c))


@dataclass
class NetworkRun:
    """What :func:`run_network` leaves: the engine (its ``visits``), network arrival times by customer id, one
    resource per station (a ``Pool`` for ``slots``, a ``SharedServer`` for ``shared``, a tuple of desks for
    ``desks``), the disciplines, and the service requirement of every (customer, station)."""

    engine: Engine
    arrivals: list[float]
    stations: list[Any]
    disciplines: list[str]
    requirements: list[list[float]]


def run_network(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float], horizon: float,
                seed: int, replication: int = 0, discipline: Union[str, Sequence[str]] = "slots",
                service_cv: float = 1.0) -> NetworkRun:
    """Simulate the network on an :class:`Engine`.  Arrivals stop at ``horizon``; the run ends when every
    customer has left.  A ``slots`` station is visited with ``Engine.work`` on a ``Pool``; a ``shared`` or
    ``desks`` station with ``Engine.share`` on ``SharedServer``s (the desk drawn from its own bank)."""
    streams = RandomStreams(seed, replication)
    eng = Engine()
    env = eng.env
    ds = station_disciplines(discipline, len(servers))
    stations: list[Any] = []
    for k, (c, d) in enumerate(zip(servers, ds)):
        if d == "slots":
            stations.append(Pool(env, station_name(k), c))
        elif d == "shared":
            stations.append(SharedServer(env, station_name(k), rate=shared_rate(c)))
        else:
            stations.append(tuple(SharedServer(env, desk_name(k, j), rate=constant(1.0)) for j in range(c)))
    gap = Dist(kind="exponential", mean=1.0 / arrival_rate)
    services = [service_dist(1.0 / mu, service_cv) for mu in service_rates]
    gap_bank = streams.bank("interarrival", 1, 1)
    service_banks = [streams.bank(f"service:{station_name(k)}", 1, 1) for k in range(len(servers))]
    desk_banks = {k: streams.bank(f"desk:{station_name(k)}", 1, 1) for k, d in enumerate(ds) if d == "desks"}
    names = [station_name(k) for k in range(len(servers))]
    arrivals: list[float] = []
    requirements: list[list[float]] = []

    def customer(cid: int) -> Process:
        cust = Customer(cid)
        need = requirements[cid]
        for k, station in enumerate(stations):
            duration = services[k].from_uniform(service_banks[k].u(cid))
            need.append(duration)
            if ds[k] == "slots":
                yield from eng.work(cust, names[k], station, duration)
            elif ds[k] == "shared":
                yield from eng.share(cust, names[k], station, duration)
            else:
                j = min(int(desk_banks[k].u(cid) * len(station)), len(station) - 1)
                yield from eng.share(cust, names[k], station[j], duration)

    def source() -> Process:
        t = 0.0
        for cid in itertools.count():
            t += gap.from_uniform(gap_bank.u(cid))
            if t >= horizon:
                return
            yield env.timeout(t - env.now)
            arrivals.append(env.now)
            requirements.append([])
            env.process(customer(cid))

    env.process(source())
    env.run()
    return NetworkRun(eng, arrivals, stations, ds, requirements)


def run_engine(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float],
               horizon: float, seed: int, replication: int = 0, discipline: Union[str, Sequence[str]] = "slots",
               service_cv: float = 1.0) -> tuple[Engine, list[float], list[Any]]:
    """Simulate the network on an :class:`Engine`; return it (its ``visits``), network arrival times by
    customer id, and the stations' resources (pools for ``slots``; see :func:`run_network`)."""
    run = run_network(arrival_rate, servers, service_rates, horizon, seed, replication, discipline, service_cv)
    return run.engine, run.arrivals, run.stations


def simulate_network(arrival_rate: float, servers: Sequence[int], service_rates: Sequence[float],
                     horizon: float, warmup: float, seed: int, replication: int = 0,
                     discipline: Union[str, Sequence[str]] = "slots", service_cv: float = 1.0,
                     details: bool = False) -> dict[str, Any]:
    """One replication of Poisson arrivals through c-server stations in series.

    ``discipline`` (one for all stations, or one per station): ``"slots"`` - c servers, first come first
    served (``Engine.work`` on a ``Pool``); ``"shared"`` - the c servers shared equally by all the station's
    customers, each of n getting min(1, c/n) of a server (one ``SharedServer`` of rate min(n, c), visited
    with ``Engine.share``); ``"desks"`` - each customer sent at random to one of c single-server
    ``SharedServer``s and sharing it with that desk's other customers.  ``service_cv``: coefficient of
    variation of the service requirements (mean 1/rate): 1 exponential, 0 deterministic, otherwise
    lognormal (:func:`service_dist`).

    Returns ``mean_wait`` (per station: mean time in queue for ``slots``; mean time at the station minus the
    customer's service requirement for the sharing disciplines), ``mean_service`` (per station: time in
    service for ``slots``, the requirement otherwise), ``mean_sojourn`` (whole network: leaving the last station
    minus arriving at the first) and ``n`` (customers counted: those arriving in ``[warmup, horizon)``, each
    followed until it leaves), plus ``arrived`` (all customers) and ``end`` (the time the last one left).
    With ``details``, also the counted customers' arrays (in id order) ``time`` and ``requirement`` (customers x
    stations: time at each station and service requirement there) and ``sojourn``.
    """
    _check(arrival_rate, servers, service_rates, horizon, warmup, service_cv)
    run = run_network(arrival_rate, servers, service_rates, horizon, seed, replication, discipline, service_cv)
    return summarise_visits(run.engine.visits, run.arrivals, len(servers), warmup, horizon, run.engine.env.now,
                            disciplines=run.disciplines, requirements=run.requirements, details=details)


def summarise_visits(visits: Sequence[Sequence[Any]], arrivals: list[float], stations: int, warmup: float,
                     horizon: float, end: float, disciplines: Optional[Sequence[str]] = None,
                     requirements: Optional[Sequence[Sequence[float]]] = None,
                     details: bool = False) -> dict[str, Any]:
    """Cohort statistics from ``Engine.visits`` records (customer id, stage, pool, arrived, started, finished, ...).

    ``disciplines`` (default all ``slots``) and ``requirements`` (service requirement by customer id and
    station, needed by a sharing station, whose records have started == arrived): see :func:`simulate_network`.
    """
    ds = list(disciplines) if disciplines is not None else ["slots"] * stations
    if len(ds) != stations:
        raise ValueError(f"{len(ds)} disciplines for {stations} stations")
    arr = np.asarray(arrivals, dtype=float)
    counted = (arr >= warmup) & (arr < horizon)
    n = int(counted.sum())
    if len(visits) != len(arrivals) * stations:
        raise RuntimeError(f"{len(visits)} visit records for {len(arrivals)} customers x {stations} stations")
    req = None
    if requirements is not None:
        req = np.asarray(requirements, dtype=float).reshape(len(arrivals), stations)
    elif any(d != "slots" for d in ds):
        raise ValueError("a sharing station needs the service requirements")
    # the first six fields of a record (later ones, if any, are not used here)
    id_list, stage_list, _pools, a_list, s_list, f_list = zip(*(v[:6] for v in visits))
    ids = np.asarray(id_list, dtype=np.int64)
    a, s, f = (np.asarray(x, dtype=float) for x in (a_list, s_list, f_list))
    stages = np.asarray(stage_list)
    keep = counted[ids]
    mean_wait: list[float] = []
    mean_service: list[float] = []
    first_arrival = np.full(len(arrivals), np.nan)
    last_finish = np.full(len(arrivals), np.nan)
    time_at = np.full((len(arrivals), stations), np.nan)
    for k in range(stations):
        sel = keep & (stages == station_name(k))
        if sel.sum() != n:
            raise RuntimeError(f"station {k + 1}: {int(sel.sum())} visits for {n} counted customers")
        if ds[k] == "slots":
            mean_wait.append(float((s[sel] - a[sel]).mean()) if n else math.nan)
            mean_service.append(float((f[sel] - s[sel]).mean()) if n else math.nan)
        else:
            assert req is not None
            need = req[ids[sel], k]
            mean_wait.append(float((f[sel] - a[sel] - need).mean()) if n else math.nan)
            mean_service.append(float(need.mean()) if n else math.nan)
        if details:
            time_at[ids[sel], k] = f[sel] - a[sel]
        if k == 0:
            first_arrival[ids[sel]] = a[sel]
        if k == stations - 1:
            last_finish[ids[sel]] = f[sel]
    soj = (last_finish - first_arrival)[counted]
    out = {"mean_wait": mean_wait, "mean_service": mean_service,
           "mean_sojourn": float(soj.mean()) if n else math.nan, "n": n,
           "arrived": len(arrivals), "end": float(end)}
    if details:
        out["time"] = time_at[counted]
        out["requirement"] = req[counted] if req is not None else np.full((n, stations), np.nan)
        out["sojourn"] = soj
    return out


def conditional_sojourn(requirement: Sequence[float], time: Sequence[float],
                        edges: Sequence[float]) -> dict[str, Any]:
    """Mean time at a station by service requirement: customers binned by requirement at ``edges``
    (``edges[i] <= S < edges[i + 1]``).  Returns per bin ``requirement`` (mean S), ``time`` (mean T) and
    ``n``, and the least-squares line of T on S over all customers (``slope``, ``intercept``): for M/G/1-PS
    ``E[T | S = x] = x / (1 - rho)``, a line through 0 of slope 1 / (1 - rho)."""
    x, y = np.asarray(requirement, dtype=float), np.asarray(time, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2:
        raise ValueError("requirement and time must be equal 1-D arrays of at least 2 customers")
    e = np.asarray(edges, dtype=float)
    if e.ndim != 1 or len(e) < 2 or np.any(np.diff(e) <= 0):
        raise ValueError("edges must be at least 2 increasing values")
    idx = np.searchsorted(e, x, side="right") - 1
    bins_x, bins_y, bins_n = [], [], []
    for i in range(len(e) - 1):
        m = idx == i
        bins_n.append(int(m.sum()))
        bins_x.append(float(x[m].mean()) if m.any() else math.nan)
        bins_y.append(float(y[m].mean()) if m.any() else math.nan)
    slope, intercept = np.polyfit(x, y, 1)
    return {"requirement": bins_x, "time": bins_y, "n": bins_n, "slope": float(slope), "intercept": float(intercept)}
