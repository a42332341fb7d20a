"""Demand shocks: the LOR rate ramps as configured, and the baseline's cases stay a subset."""
from __future__ import annotations

import dataclasses

import pytest

from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.rng import RandomStreams
from sim.model.arrivals import LorRate, expected_lors, lor_times
from sim.model.params import Shock


def _with_shock(demand, **kw):
    return dataclasses.replace(demand, shocks=[Shock(**kw)])


def test_shock_factor_ramps_holds_and_ends(baseline_params):
    d = _with_shock(baseline_params.demand, start_year=1, ramp_years=2, multiplier=1.5, end_year=5)
    r = LorRate(d)
    y = DAYS_PER_YEAR
    assert r.shock_factor(0.5 * y) == 1.0
    assert r.shock_factor(2 * y) == pytest.approx(1.25)
    assert r.shock_factor(3 * y) == pytest.approx(1.5)
    assert r.shock_factor(4.9 * y) == pytest.approx(1.5)
    assert r.shock_factor(5 * y) == 1.0


def test_surge_keeps_every_baseline_lor(baseline_params):
    base = baseline_params.demand
    surge = _with_shock(base, start_year=0.5, ramp_years=1, multiplier=1.5)
    horizon = 3 * DAYS_PER_YEAR
    a = list(lor_times(base, RandomStreams(3, 0), horizon))
    b = list(lor_times(surge, RandomStreams(3, 0), horizon))
    assert set(a) <= set(b)
    extra = len(b) - len(a)
    want = expected_lors(surge, 0, horizon) - expected_lors(base, 0, horizon)
    assert abs(extra - want) < 4 * want ** 0.5


def test_envelope_must_cover_the_shock(compose):
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="demand.envelope=2.0 is below the peak"):
        compose("demand.shocks=[{start_year: 1, ramp_years: 1, multiplier: 2.5}]")
