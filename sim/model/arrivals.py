"""Letters of Request arrive as a (possibly non-homogeneous) Poisson stream of two kinds.

Partner-funded (FMS) LORs and Building Partner Capacity (BPC) requirements, which bunch toward the end
of the fiscal year when their appropriations expire, are two Poisson streams with their own monthly
profiles.  Both are made by one thinning: candidates arrive at a constant envelope rate
(``demand.envelope`` x the base rate) and candidate ``k`` is kept when its own uniform is below the
relative rate of all LORs at its time / envelope; a second uniform of its own makes it a BPC case with the
BPC share of the rate at that time.  Candidate ``k`` is case id ``k``.  A shock or growth scales both
streams alike, so it changes neither which candidates are kept before nor their funding.  Because the
candidates and their uniforms do not depend on the rate, a scenario with a higher rate (a demand surge, a
growth trend) keeps every case of the lower-rate scenario, with the same id and therefore the same
attributes and draws: the pairing that common random numbers need.

Month 0 is October: day 0 is 1 October of ``run.start_fiscal_year``.  Growth compounds from day 0 at
``growth_per_year`` and, from each fiscal year listed in ``growth_by_fiscal_year``, at that entry's rate.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np

from sim.engine.clock import DAYS_PER_YEAR, month_of
from sim.engine.portable_math import exp, log1p, plain_sum
from sim.engine.rng import RandomStreams
from sim.model.params import DemandParams

CHUNK = 4096


def _normalised(weights: list[float]) -> list[float]:
    mean = plain_sum(weights) / len(weights) if weights and plain_sum(weights) > 0 else 1.0
    return [w / mean for w in weights] if len(weights) == 12 else [1.0] * 12


class LorRate:
    """Relative and absolute LOR rate (per day) at a time, from the demand parameters."""

    def __init__(self, demand: DemandParams, start_fiscal_year: int = 0) -> None:
        share = demand.bpc.share
        self.fms = [(1.0 - share) * s for s in _normalised(demand.seasonal)]
        self.bpc = [share * s for s in _normalised(demand.bpc.seasonal)]
        self.base = demand.lor_per_year / DAYS_PER_YEAR
        self.envelope = demand.envelope
        # growth segments: (start day, log growth per day), the first from day 0
        steps = [(0.0, demand.growth_per_year)]
        for g in sorted(demand.growth_by_fiscal_year, key=lambda g: g.from_fiscal_year):
            day = max(0.0, (g.from_fiscal_year - start_fiscal_year) * DAYS_PER_YEAR)
            steps = [s for s in steps if s[0] < day] + [(day, g.per_year)]
        self.segments: list[tuple[float, float, float]] = []  # (start day, log level at start, log rate per day)
        level = 0.0
        for i, (day, rate) in enumerate(steps):
            per_day = log1p(rate) / DAYS_PER_YEAR
            self.segments.append((day, level, per_day))
            if i + 1 < len(steps):
                level += per_day * (steps[i + 1][0] - day)
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

    def growth(self, t: float) -> float:
        """Growth of the LOR rate from day 0 to day ``t`` (1 without growth)."""
        seg = self.segments[0]
        for s in self.segments:
            if s[0] <= t:
                seg = s
        day, level, per_day = seg
        return 1.0 if level == 0.0 and per_day == 0.0 else exp(level + per_day * (t - day))

    def split(self, t: float) -> tuple[float, float]:
        """FMS and BPC rates at day ``t``, relative to the base rate."""
        m = month_of(t)
        f = self.growth(t) * (self.shock_factor(t) if self.shocks else 1.0)
        return f * self.fms[m], f * self.bpc[m]

    def relative(self, t: float) -> float:
        """All LORs' rate at day ``t`` relative to the base rate: growth x season x shocks."""
        fms, bpc = self.split(t)
        return fms + bpc

    def per_day(self, t: float) -> float:
        return self.base * self.relative(t)


def lor_times(demand: DemandParams, streams: RandomStreams, horizon: float,
              start_fiscal_year: int = 0) -> Iterator[tuple[int, float, str]]:
    """Yield (case id, arrival day, funding ``fms`` or ``bpc``) for every LOR received before ``horizon``."""
    rate = LorRate(demand, start_fiscal_year)
    mean_gap = 1.0 / (rate.base * rate.envelope)
    gaps_rng, keep_rng, funding_rng = streams("arrivals"), streams("arrivals.thinning"), streams("arrivals.funding")
    t, k = 0.0, 0
    while True:
        # exponential gaps by inverse CDF from uniforms (not Generator.exponential, whose ziggurat calls the C
        # library's exp and log1p, which differ by CPU: sim.engine.portable_math)
        gaps = gaps_rng.random(CHUNK)
        keeps = keep_rng.random(CHUNK)
        funds = funding_rng.random(CHUNK)
        for g, u, v in zip(gaps.tolist(), keeps.tolist(), funds.tolist()):
            t += -mean_gap * log1p(-g)
            if t >= horizon:
                return
            fms, bpc = rate.split(t)
            if u * rate.envelope < fms + bpc:
                yield k, t, "bpc" if v * (fms + bpc) < bpc else "fms"
            k += 1


def peak_relative_rate(demand: DemandParams, horizon: float, step: float = 1.0, start_fiscal_year: int = 0) -> float:
    """The largest relative rate before ``horizon`` (checked on a daily grid, ends included)."""
    rate = LorRate(demand, start_fiscal_year)
    ts = np.append(np.arange(0.0, horizon, step), max(horizon - 1e-9, 0.0))
    return float(max(rate.relative(t) for t in ts))


def expected_lors(demand: DemandParams, start: float, end: float, step: float = 1.0,
                  start_fiscal_year: int = 0) -> float:
    """Expected number of LORs in [start, end) (numerical integral), for checks and tests."""
    rate = LorRate(demand, start_fiscal_year)
    edges = np.append(np.arange(start, end, step), end)
    return float(plain_sum(rate.per_day((a + b) / 2) * (b - a) for a, b in zip(edges[:-1], edges[1:])))
