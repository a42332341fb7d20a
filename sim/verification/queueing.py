"""Analytic queueing formulas (pure math): Erlang B and C, M/M/c waits, Jackson series networks.

These are the reference values the verification network (``sim.verification.networks``) is checked against.

* Erlang B by the stable recursion ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``: no factorials
  or powers, so it works for thousands of servers.
* Erlang C (probability that an arrival waits in an M/M/c queue with offered load ``a = lambda/mu``):
  ``C = c B / (c - a (1 - B))``, defined for ``a < c``.
* M/M/c mean time in queue ``Wq = C / (c mu - lambda)``; mean sojourn ``W = Wq + 1/mu``.
* A series of M/M/c stations fed by a Poisson stream is a Jackson network: by Burke's theorem each
  station sees a Poisson stream of the same rate, so each behaves as an M/M/c queue and the network
  sojourn is the sum of the stations' sojourns.
"""
from __future__ import annotations

import math
from typing import Sequence


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


def jackson_series(lam: float, servers: Sequence[int], rates: Sequence[float]) -> dict:
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
    return {"rho": rho, "p_wait": p_wait, "wq": wq, "w": w, "lq": lq, "total_wq": sum(wq), "sojourn": sum(w)}
