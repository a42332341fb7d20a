"""Analytic queueing formulas (pure math): Erlang B and C, M/M/c waits, Jackson series networks, processor sharing.

These are the reference values the verification network (``sim.verification.networks``) is checked against.

* Erlang B by the stable recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``: no factorials
  or powers, so it works for thousands of servers.
* Erlang C (probability that an arrival waits in an M/M/c queue with offered load ``a = lambda/mu``):
  ``C = c B / (c - a (1 - B))``, defined for ``a < c``.
* M/M/c mean time in queue ``Wq = C / (c mu - lambda)``; mean sojourn ``W = Wq + 1/mu``.
* A series of M/M/c stations fed by a Poisson stream is a Jackson network: by Burke's theorem each
  station sees a Poisson stream of the same rate, so each behaves as an M/M/c queue and the network
  sojourn is the sum of the stations' sojourns.

Processor sharing (a station whose customers all join the work at once, ``Engine.share``), with service
requirements of any distribution of mean ``1/mu`` (insensitivity):

* M/G/1-PS: mean sojourn ``E[T] = E[S] / (1 - rho)``, and for a customer with requirement ``x``
  ``E[T | S = x] = x / (1 - rho)`` (each job's slowdown is ``1 / (1 - rho)``); the time at the station
  beyond the requirement, ``T - S``, has mean ``E[S] rho / (1 - rho)``.
* c servers shared equally (each of ``n`` customers served at ``min(1, c/n)``; a symmetric queue with
  total rate ``min(n, c) mu``): the number in system has the M/M/c distribution, so the mean number is
  M/M/c's ``L = Lq + a`` and the mean sojourn is M/M/c's ``W`` (Little); ``T - S`` has mean M/M/c's ``Wq``.
* c desks with random assignment (each customer joins one of c single-server PS queues at random): by
  Poisson splitting, c independent M/G/1-PS queues of arrival rate ``lambda/c``:
  ``E[T] = (1/mu) / (1 - lambda/(c mu))``.
* PS stations are quasi-reversible (their departures are Poisson), so in a series of them, or of them
  and M/M/c stations, each station sees a Poisson stream and the network sojourn is the sum
  (``series``).  A first-come-first-served station is covered only with exponential services.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from sim.engine.portable_math import plain_sum


def _check_servers(c: int) -> int:
    if isinstance(c, bool) or int(c) != c or c < 1:
        raise ValueError(f"number of servers {c!r} must be an integer >= 1")
    return int(c)


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability of c servers with offered load a (Erlangs)."""
    c = _check_servers(c)
    if not (a >= 0 and math.isfinite(a)):
        raise ValueError(f"offered load {a!r} must be finite and >= 0")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in an M/M/c queue with offered load ``a = lambda/mu`` (needs a < c)."""
    c = _check_servers(c)
    if not (0 <= a < c):
        raise ValueError(f"offered load {a!r} must be in [0, c={c}) for a stable M/M/c queue")
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def _check_rates(lam: float, mu: float, c: int) -> None:
    if not (lam >= 0 and math.isfinite(lam)):
        raise ValueError(f"arrival rate {lam!r} must be finite and >= 0")
    if not (mu > 0 and math.isfinite(mu)):
        raise ValueError(f"service rate {mu!r} must be finite and > 0")
    if lam >= c * mu:
        raise ValueError(f"unstable station: utilisation rho = lambda/(c mu) = {lam / (c * mu):.4g} >= 1")


def mmc_wait(lam: float, mu: float, c: int) -> float:
    """Mean time in queue Wq of an M/M/c queue (arrival rate lam, service rate mu per server)."""
    c = _check_servers(c)
    _check_rates(lam, mu, c)
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_sojourn(lam: float, mu: float, c: int) -> float:
    """Mean time in system W = Wq + 1/mu of an M/M/c queue."""
    return mmc_wait(lam, mu, c) + 1.0 / mu


def mmc_queue_length(lam: float, mu: float, c: int) -> float:
    """Mean number waiting Lq = lam Wq (Little's law)."""
    return lam * mmc_wait(lam, mu, c)


def jackson_series(lam: float, servers: Sequence[int], rates: Sequence[float]) -> dict[str, Any]:
    """Stations in series, each M/M/c, fed by a Poisson stream of rate ``lam``.

    Returns per-station lists ``rho``, ``p_wait`` (Erlang C), ``wq`` (mean time in queue), ``w`` (mean
    time at the station), ``lq`` (mean number waiting), and the network's mean ``sojourn`` and mean
    total time in queue ``total_wq``.  ValueError if any station has
    rho >= 1 (the message names the station, counted from 1).
    """
    if len(servers) != len(rates) or not servers:
        raise ValueError(f"servers ({len(servers)}) and service rates ({len(rates)}) must be equal, non-empty lists")
    rho, p_wait, wq, w, lq = [], [], [], [], []
    for k, (c, mu) in enumerate(zip(servers, rates), start=1):
        try:
            c = _check_servers(c)
            _check_rates(lam, mu, c)
        except ValueError as e:
            raise ValueError(f"station {k}: {e}") from None
        rho.append(lam / (c * mu))
        p_wait.append(erlang_c(c, lam / mu))
        wq.append(mmc_wait(lam, mu, c))
        w.append(wq[-1] + 1.0 / mu)
        lq.append(lam * wq[-1])
    return {"rho": rho, "p_wait": p_wait, "wq": wq, "w": w, "lq": lq, "total_wq": plain_sum(wq),
            "sojourn": plain_sum(w)}


# ----------------------------------------------------------------------------- processor sharing
DISCIPLINES = ("slots", "shared", "desks")  # FCFS slots (M/M/c), c servers shared equally, c random desks


def _check_cv(cv: float) -> float:
    if not (cv >= 0 and math.isfinite(cv)):
        raise ValueError(f"service cv {cv!r} must be finite and >= 0")
    return float(cv)


def mg1_ps_sojourn(lam: float, mu: float) -> float:
    """Mean sojourn E[S] / (1 - rho) of an M/G/1 processor-sharing queue (any service distribution of mean 1/mu)."""
    _check_rates(lam, mu, 1)
    return (1.0 / mu) / (1.0 - lam / mu)


def mg1_ps_conditional_sojourn(lam: float, mu: float, x: float) -> float:
    """Mean sojourn x / (1 - rho) of a customer with service requirement ``x`` in an M/G/1-PS queue."""
    _check_rates(lam, mu, 1)
    if not (x >= 0 and math.isfinite(x)):
        raise ValueError(f"service requirement {x!r} must be finite and >= 0")
    return x / (1.0 - lam / mu)


def mg1_ps_wait(lam: float, mu: float) -> float:
    """Mean time beyond the requirement, E[T - S] = E[S] rho / (1 - rho), of an M/G/1-PS queue."""
    return mg1_ps_sojourn(lam, mu) - 1.0 / mu


def shared_sojourn(lam: float, mu: float, c: int) -> float:
    """Mean sojourn of c servers shared equally by all customers (each of n served at min(1, c/n)): M/M/c's W,
    for any service distribution of mean 1/mu."""
    return mmc_sojourn(lam, mu, c)


def shared_number(lam: float, mu: float, c: int) -> float:
    """Mean number in system of c servers shared equally: M/M/c's L = Lq + lam/mu = lam W."""
    return mmc_queue_length(lam, mu, c) + lam / mu


def desks_sojourn(lam: float, mu: float, c: int) -> float:
    """Mean sojourn with c desks, each customer sent at random to one and sharing it with the desk's other
    customers: c independent M/G/1-PS queues of arrival rate lam / c, (1/mu) / (1 - lam/(c mu))."""
    c = _check_servers(c)
    _check_rates(lam, mu, c)
    return mg1_ps_sojourn(lam / c, mu)


def series(lam: float, servers: Sequence[int], rates: Sequence[float], disciplines: Sequence[str],
           service_cvs: Sequence[float]) -> dict[str, Any]:
    """Stations in series fed by a Poisson stream of rate ``lam``, each with its discipline (``DISCIPLINES``)
    and coefficient of variation of its service requirements (mean 1/mu).

    Returns per-station lists ``rho``, ``wq`` (mean time at the station beyond the service requirement: the
    time in queue for ``slots``), ``w`` (mean time at the station) and ``lq`` (``lam wq``), and the network's
    ``sojourn`` and ``total_wq``.  All-``slots`` exponential stations give ``jackson_series``'s numbers.
    ValueError (naming the station, counted from 1) if a station is unstable, its discipline unknown, or it
    is a ``slots`` station with non-exponential services (M/G/c FCFS has no closed form used here).
    """
    n = len(servers)
    if not n or len(rates) != n or len(disciplines) != n or len(service_cvs) != n:
        raise ValueError(f"servers ({len(servers)}), service rates ({len(rates)}), disciplines ({len(disciplines)})"
                         f" and service cvs ({len(service_cvs)}) must be equal, non-empty lists")
    rho, wq, w, lq = [], [], [], []
    for k, (c, mu, d, cv) in enumerate(zip(servers, rates, disciplines, service_cvs), start=1):
        try:
            c = _check_servers(c)
            _check_rates(lam, mu, c)
            cv = _check_cv(cv)
            if d in ("slots", "shared"):
                if d == "slots" and cv != 1.0:
                    raise ValueError(f"service cv {cv:g} at a slots (FCFS) station: only exponential services "
                                     "(cv 1) have a formula here")
                wait = mmc_wait(lam, mu, c)  # equal sharing: T - S has mean M/M/c's Wq (insensitive)
            elif d == "desks":
                wait = desks_sojourn(lam, mu, c) - 1.0 / mu
            else:
                raise ValueError(f"discipline {d!r}; allowed: {', '.join(DISCIPLINES)}")
        except ValueError as e:
            raise ValueError(f"station {k}: {e}") from None
        rho.append(lam / (c * mu))
        wq.append(wait)
        w.append(wait + 1.0 / mu)
        lq.append(lam * wait)
    return {"rho": rho, "wq": wq, "w": w, "lq": lq, "total_wq": plain_sum(wq), "sojourn": plain_sum(w)}
