"""Letters of Request arrive as a (possibly non-homogeneous) Poisson stream.

The stream is made by thinning: candidates arrive at a constant envelope rate
(``demand.envelope`` x the base rate) and candidate ``k`` is kept when its own uniform is
below rate(t) / envelope rate.  Candidate ``k`` is case id ``k``.  Because the candidates and
their uniforms do not depend on the rate, a scenario with a higher rate (a demand surge, a
growth trend) keeps every case of the lower-rate scenario, with the same id and therefore
the same attributes and draws: the pairing that common random numbers need.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from sim.engine.clock import DAYS_PER_YEAR, month_of
from sim.engine.rng import RandomStreams
from sim.model.params import DemandParams

CHUNK = 4096


class LorRate:
    """Relative and absolute LOR rate (per day) at a time, from the demand parameters."""

    def __init__(self, demand: DemandParams) -> None:
        mean = sum(demand.seasonal) / 12
        self.seasonal = [s / mean for s in demand.seasonal]
        self.base = demand.lor_per_year / DAYS_PER_YEAR
        self.growth = demand.growth_per_year
        self.envelope = demand.envelope
        self.shocks = [(sh.start_year * DAYS_PER_YEAR, sh.ramp_years * DAYS_PER_YEAR, sh.multiplier,
                        None if sh.end_year is None else sh.end_year * DAYS_PER_YEAR) for sh in demand.shocks]

    def shock_factor(self, t: float) -> float:
        f = 1.0
        for start, ramp, mult, end in self.shocks:
            if t < start or (end is not None and t >= end):
                continue
            frac = 1.0 if ramp <= 0 else min(1.0, (t - start) / ramp)
            f *= 1.0 + (mult - 1.0) * frac
        return f

    def relative(self, t: float) -> float:
        """Rate at day ``t`` relative to the base rate: growth x season x shocks."""
        f: float = (1 + self.growth) ** (t / DAYS_PER_YEAR) * self.seasonal[month_of(t)]
        return f * self.shock_factor(t) if self.shocks else f

    def per_day(self, t: float) -> float:
        return self.base * self.relative(t)


def lor_times(demand: DemandParams, streams: RandomStreams, horizon: float) -> Iterator[tuple[int, float]]:
    """Yield (case id, arrival day) for every LOR received before ``horizon``."""
    rate = LorRate(demand)
    env_rate = rate.base * rate.envelope
    gaps_rng, keep_rng = streams("arrivals"), streams("arrivals.thinning")
    t, k = 0.0, 0
    while True:
        gaps = gaps_rng.exponential(1.0 / env_rate, CHUNK)
        keeps = keep_rng.random(CHUNK)
        for gap, u in zip(gaps.tolist(), keeps.tolist()):
            t += gap
            if t >= horizon:
                return
            if u * rate.envelope < rate.relative(t):
                yield k, t
            k += 1


def peak_relative_rate(demand: DemandParams, horizon: float, step: float = 1.0) -> float:
    """The largest relative rate before ``horizon`` (checked on a daily grid, ends included)."""
    rate = LorRate(demand)
    ts = np.append(np.arange(0.0, horizon, step), max(horizon - 1e-9, 0.0))
    return float(max(rate.relative(t) for t in ts))


def expected_lors(demand: DemandParams, start: float, end: float, step: float = 1.0) -> float:
    """Expected number of LORs in [start, end) (numerical integral), for checks and tests."""
    rate = LorRate(demand)
    edges = np.append(np.arange(start, end, step), end)
    return float(sum(rate.per_day((a + b) / 2) * (b - a) for a, b in zip(edges[:-1], edges[1:])))
