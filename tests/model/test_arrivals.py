"""LOR arrivals: the rate function, reproducibility, Poisson counts, CRN pairing by thinning, demand shocks."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import replace

import pytest

from sim.config import compose_config, to_params
from sim.engine.clock import DAYS_PER_MONTH, DAYS_PER_YEAR, month_of
from sim.engine.rng import RandomStreams
from sim.model.arrivals import LorRate, expected_lors, lor_times
from sim.model.checks import validate_params as validate
from sim.model.params import Shock

YEARS = 10
HORIZON = YEARS * DAYS_PER_YEAR


@pytest.fixture(scope="module")
def params():
    return to_params(compose_config([]))


@pytest.fixture(scope="module")
def flat(params):
    """Baseline demand without BPC cases: 2000 LORs/year, flat seasonality, no growth, envelope 2."""
    d = params.demand
    assert (d.lor_per_year, d.growth_per_year, d.seasonal, d.envelope) == (2000.0, 0.0, [1.0] * 12, 2.0)
    return replace(d, bpc=replace(d.bpc, share=0.0))


def valid(params, demand, years=YEARS):
    """The demand inside otherwise-baseline params passes validation (incl. the envelope check)."""
    p = replace(params, demand=demand, run=replace(params.run, horizon_years=years, warmup_years=0.0,
                                                     drain_years=0.0))  # the LORs these tests draw stop at the horizon
    assert validate(p) == []
    return demand


def arrivals(demand, seed=1, rep=0, horizon=HORIZON):
    """(case id, day) of every LOR; every one is partner-funded while ``demand.bpc.share`` is 0."""
    out = list(lor_times(demand, RandomStreams(seed, rep), horizon))
    if demand.bpc.share == 0:
        assert {f for _, _, f in out} <= {"fms"}
    return [(k, t) for k, t, _ in out]


# ---------------------------------------------------------------- the rate
def test_lor_rate_normalises_seasonality_and_compounds_growth(flat):
    d = replace(flat, seasonal=[3.0] + [1.0] * 11, growth_per_year=0.1, envelope=4.0)
    rate = LorRate(d)
    mean = 14 / 12
    assert rate.base == 2000.0 / DAYS_PER_YEAR
    assert rate.relative(0.0) == pytest.approx(3.0 / mean, rel=1e-15)
    t = DAYS_PER_MONTH + 1  # month 1, weight 1
    assert rate.relative(t) == pytest.approx(1.1 ** (t / DAYS_PER_YEAR) / mean, rel=1e-14)
    assert LorRate(flat).relative(t) == 1.0
    assert rate.relative(DAYS_PER_YEAR + 1) == pytest.approx(1.1 ** ((DAYS_PER_YEAR + 1) / DAYS_PER_YEAR) * 3 / mean)
    assert rate.per_day(2 * DAYS_PER_YEAR + 100) == pytest.approx(
        2000.0 / DAYS_PER_YEAR * 1.21 * 1.1 ** (100 / DAYS_PER_YEAR) / mean, rel=1e-12)


def test_expected_lors_flat_rate_over_whole_days(flat):
    assert expected_lors(flat, 0.0, 730.0) == pytest.approx(730 * 2000 / DAYS_PER_YEAR, rel=1e-12)
    assert expected_lors(flat, 100.0, 130.0) == pytest.approx(30 * 2000 / DAYS_PER_YEAR, rel=1e-12)


def test_expected_lors_partial_last_step(flat):
    """Regression: whole-step midpoints used to run past ``end`` (366 days for a 365.25-day year)."""
    assert expected_lors(flat, 0.0, DAYS_PER_YEAR) == pytest.approx(2000.0, rel=1e-12)
    assert expected_lors(flat, 10.0, 10.3) == pytest.approx(0.3 * 2000 / DAYS_PER_YEAR, rel=1e-12)
    assert expected_lors(flat, 0.0, 3 * DAYS_PER_YEAR, step=7.0) == pytest.approx(6000.0, rel=1e-12)


# ---------------------------------------------------------------- the stream
def test_deterministic_for_a_seed_and_different_for_another(flat):
    a = arrivals(flat, seed=5)
    assert a == arrivals(flat, seed=5)
    assert a != arrivals(flat, seed=6)
    assert a != arrivals(flat, seed=5, rep=1)


def test_ids_and_times_strictly_increasing_within_horizon(flat):
    a = arrivals(flat, horizon=3 * DAYS_PER_YEAR)
    ids = [k for k, _ in a]
    times = [t for _, t in a]
    assert all(x < y for x, y in zip(ids, ids[1:]))
    assert all(x < y for x, y in zip(times, times[1:]))
    assert 0 < times[0] and times[-1] < 3 * DAYS_PER_YEAR
    # thinning at envelope 2 with flat rate keeps about half the candidates: ids skip numbers
    assert ids[-1] + 1 > len(ids)


def within_poisson(count, expected, sigmas=4.0):
    return abs(count - expected) <= sigmas * math.sqrt(expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_count_over_ten_years_within_4_sigma_of_expected(flat, seed):
    n = len(arrivals(flat, seed=seed))
    expected = 2000.0 * YEARS
    assert within_poisson(n, expected), (n, expected)


def test_seasonal_growth_counts_within_4_sigma_per_window(params, flat):
    d = valid(params, replace(flat, seasonal=[3.0] + [1.0] * 11, growth_per_year=0.03, envelope=3.5))
    times = [t for _, t in arrivals(d, seed=8)]
    total = expected_lors(d, 0.0, HORIZON)
    n_total = len(times)
    assert within_poisson(n_total, total), (n_total, total)
    # the high month (index 0) on its own: about 3/14 of the year, growing
    starts = [y * DAYS_PER_YEAR for y in range(YEARS)]
    windows = [(s + 1, s + 30) for s in starts]  # whole days inside month 0
    exp_m0 = sum(expected_lors(d, a, b) for a, b in windows)
    n_m0 = sum(any(a <= t < b for a, b in windows) for t in times)
    assert within_poisson(n_m0, exp_m0), (n_m0, exp_m0)
    # relative to the same-length windows in month 6, the rate is 3x
    windows6 = [(s + 6 * DAYS_PER_MONTH + 1, s + 6 * DAYS_PER_MONTH + 30) for s in starts]
    exp_m6 = sum(expected_lors(d, a, b) for a, b in windows6)
    assert exp_m0 / exp_m6 == pytest.approx(3 * 1.03 ** (-6 * DAYS_PER_MONTH / DAYS_PER_YEAR), rel=1e-3)
    n_m6 = sum(any(a <= t < b for a, b in windows6) for t in times)
    assert within_poisson(n_m6, exp_m6), (n_m6, exp_m6)


# ---------------------------------------------------------------- pairing (common random numbers)
def test_growth_keeps_every_case_of_the_no_growth_stream(params, flat):
    grown = valid(params, replace(flat, growth_per_year=0.05))  # 1.05**10 = 1.63 <= envelope 2
    low, high = arrivals(flat, seed=4), arrivals(grown, seed=4)
    high_map = dict(high)
    assert all(high_map.get(k) == t for k, t in low)  # same id, identical time
    assert len(high) > len(low) * 1.15  # and the higher rate adds cases (mean growth ~1.28)


def test_seasonal_change_pairs_cases_month_by_month(params, flat):
    """Seasonal weights are normalised, so raising months 0-1 lowers the others: the lower-rate
    stream is a subset in each month, in whichever direction the rate moved."""
    peaky = valid(params, replace(flat, seasonal=[2.0, 2.0] + [1.0] * 10))
    base, alt = dict(arrivals(flat, seed=4)), dict(arrivals(peaky, seed=4))
    for k in base.keys() & alt.keys():
        assert base[k] == alt[k]  # a shared candidate has one arrival time
    raised = lambda t: month_of(t) in (0, 1)  # noqa: E731 -- relative rate 12/7 vs 1
    assert {k for k, t in base.items() if raised(t)} < {k for k, t in alt.items() if raised(t)}
    assert {k for k, t in alt.items() if not raised(t)} < {k for k, t in base.items() if not raised(t)}


def test_shorter_horizon_is_a_prefix(flat):
    long = arrivals(flat, seed=2)
    short = arrivals(flat, seed=2, horizon=1000.0)
    assert short == [a for a in long if a[1] < 1000.0]


# ---------------------------------------------------------------- demand shocks (the LOR rate ramps as configured;
# the baseline's cases stay a subset of a surge's)
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
    assert set(a) <= set(b)  # the same ids, days and funding
    extra = len(b) - len(a)
    want = expected_lors(surge, 0, horizon) - expected_lors(base, 0, horizon)
    assert abs(extra - want) < 4 * want ** 0.5


def test_envelope_must_cover_the_shock(compose):
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="demand.envelope=2.0 is below the peak"):
        compose("demand.shocks=[{start_year: 1, ramp_years: 1, multiplier: 2.5}]")


# ---------------------------------------------------------------- BPC cases and growth by fiscal year
def test_bpc_share_and_end_of_year_bunching(params):
    """BPC LORs are their share of all LORs over a year and follow their own monthly profile (October first)."""
    d = params.demand
    assert d.bpc.share > 0 and d.bpc.seasonal[11] > d.bpc.seasonal[0]
    got = list(lor_times(d, RandomStreams(4, 0), HORIZON))
    bpc = [t for _, t, f in got if f == "bpc"]
    fms = [t for _, t, f in got if f == "fms"]
    want_bpc = d.lor_per_year * YEARS * d.bpc.share
    assert abs(len(bpc) - want_bpc) < 4 * math.sqrt(want_bpc)
    assert abs(len(fms) - d.lor_per_year * YEARS * (1 - d.bpc.share)) < 4 * math.sqrt(len(fms))
    mean = sum(d.bpc.seasonal) / 12
    for month in (0, 11):  # October and September
        n = sum(1 for t in bpc if month_of(t) == month)
        want = want_bpc / 12 * d.bpc.seasonal[month] / mean
        assert abs(n - want) < 4 * math.sqrt(want), (month, n, want)
    sept = sum(1 for t in bpc if month_of(t) == 11)
    octo = sum(1 for t in bpc if month_of(t) == 0)
    assert sept > 2 * octo  # expiring appropriations: September well above October


def test_a_flat_bpc_share_keeps_the_lors_and_only_labels_some_bpc(flat):
    """With flat profiles the LORs (ids and days) do not depend on the BPC share; a larger share only turns
    more of them into BPC cases, and every BPC case of the smaller share stays BPC."""
    only = arrivals(flat, seed=9)
    runs = [list(lor_times(replace(flat, bpc=replace(flat.bpc, share=s, seasonal=[1.0] * 12)),
                           RandomStreams(9, 0), HORIZON)) for s in (0.1, 0.2)]
    for run in runs:
        assert [(k, t) for k, t, _ in run] == only
    bpc = [{k for k, _, f in run if f == "bpc"} for run in runs]
    assert bpc[0] < bpc[1]
    assert abs(len(bpc[1]) / len(only) - 0.2) < 0.02


def test_growth_by_fiscal_year_compounds_from_its_year(flat):
    """FY2010 is day 0: 10% a year from FY2012 on; the rate two years later is 1.1^2 times the start."""
    from sim.model.params import Growth
    d = replace(flat, growth_by_fiscal_year=[Growth(from_fiscal_year=2012, per_year=0.1)], envelope=4.0)
    rate = LorRate(d, start_fiscal_year=2010)
    assert rate.relative(1.5 * DAYS_PER_YEAR) == 1.0
    assert rate.relative(2 * DAYS_PER_YEAR) == pytest.approx(1.0, rel=1e-12)
    assert rate.relative(4 * DAYS_PER_YEAR) == pytest.approx(1.21, rel=1e-12)
    # a growth entry before the start applies from day 0; a later entry replaces it from its own year
    d2 = replace(flat, growth_by_fiscal_year=[Growth(2000, 0.05), Growth(2011, 0.0)], envelope=4.0)
    r2 = LorRate(d2, start_fiscal_year=2010)
    assert r2.relative(DAYS_PER_YEAR) == pytest.approx(1.05, rel=1e-12)
    assert r2.relative(5 * DAYS_PER_YEAR) == pytest.approx(1.05, rel=1e-12)
