"""Dist: inverse CDFs against closed forms / scipy, monotonicity, cap, validation messages, means."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sps

from sim.engine.distributions import Dist, fixed

LOGN = Dist(kind="lognormal", median=40.0, sigma=0.6)
TRI = Dist(kind="triangular", low=10.0, mode=25.0, high=70.0)
UNI = Dist(kind="uniform", low=5.0, high=45.0)
EXPO = Dist(kind="exponential", mean=30.0)
FIX = fixed(12.5)
US = [1e-9, 0.01, 0.2, 0.5, 0.77, 0.99, 1 - 1e-9]


# ---------------------------------------------------------------- inverse CDFs
def test_fixed_returns_value_for_every_u():
    assert FIX == Dist(kind="fixed", value=12.5)
    assert [FIX.from_uniform(u) for u in US] == [12.5] * len(US)


def test_lognormal_inverse_cdf():
    assert LOGN.from_uniform(0.5) == 40.0  # the median exactly
    assert LOGN.from_uniform(float(sps.norm.cdf(1.0))) == pytest.approx(40.0 * math.exp(0.6), rel=1e-12)
    assert LOGN.from_uniform(float(sps.norm.cdf(-2.0))) == pytest.approx(40.0 * math.exp(-1.2), rel=1e-12)
    ref = sps.lognorm(s=0.6, scale=40.0)
    for u in US:
        assert LOGN.from_uniform(u) == pytest.approx(ref.ppf(u), rel=1e-10)
    assert Dist(kind="lognormal", median=7.0, sigma=0.0).from_uniform(0.99) == 7.0


def test_triangular_inverse_cdf_ends_and_mode():
    a, c, b = 10.0, 25.0, 70.0
    fc = (c - a) / (b - a)
    assert TRI.from_uniform(0.0) == a
    assert TRI.from_uniform(1.0) == b
    assert TRI.from_uniform(fc) == pytest.approx(c, rel=1e-12)
    ref = sps.triang(c=fc, loc=a, scale=b - a)
    for u in US:
        assert TRI.from_uniform(u) == pytest.approx(ref.ppf(u), rel=1e-10)
    # mode at an end, and a degenerate triangle
    assert Dist(kind="triangular", low=0, mode=0, high=4).from_uniform(0.75) == pytest.approx(4 - 4 * 0.5)
    assert Dist(kind="triangular", low=0, mode=4, high=4).from_uniform(0.25) == pytest.approx(4 * 0.5)
    assert Dist(kind="triangular", low=3, mode=3, high=3).from_uniform(0.6) == 3


def test_uniform_inverse_cdf():
    assert [UNI.from_uniform(u) for u in (0.0, 0.25, 0.5, 1.0)] == [5.0, 15.0, 25.0, 45.0]


def test_exponential_inverse_cdf():
    for u in US:
        assert EXPO.from_uniform(u) == pytest.approx(-30.0 * math.log(1 - u), rel=1e-12)
    assert EXPO.from_uniform(0.5) == pytest.approx(30.0 * math.log(2), rel=1e-15)
    assert EXPO.from_uniform(1e-300) > 0  # log1p keeps tiny u accurate: ~ 30e-300
    assert EXPO.from_uniform(1e-300) == pytest.approx(30e-300, rel=1e-12)


# ---------------------------------------------------------------- monotone and cap
u_strategy = st.floats(min_value=1e-12, max_value=1 - 1e-12, allow_nan=False)


@given(u1=u_strategy, u2=u_strategy,
       dist=st.sampled_from([LOGN, TRI, UNI, EXPO, FIX,
                             Dist(kind="triangular", low=0.0, mode=0.3, high=1.0),
                             Dist(kind="lognormal", median=100.0, sigma=1.5, cap=300.0)]))
def test_from_uniform_is_monotone_in_u(u1, u2, dist):
    lo, hi = sorted((u1, u2))
    assert dist.from_uniform(lo) <= dist.from_uniform(hi)


def test_cap_is_applied_after_sampling():
    capped = Dist(kind="exponential", mean=30.0, cap=50.0)
    x_low = EXPO.from_uniform(0.5)  # 20.8 < cap
    assert capped.from_uniform(0.5) == x_low
    assert capped.from_uniform(0.99) == 50.0  # uncapped 138
    assert Dist(kind="fixed", value=9.0, cap=4.0).from_uniform(0.3) == 4.0
    assert Dist(kind="uniform", low=0.0, high=10.0, cap=0.0).from_uniform(0.7) == 0.0
    assert Dist(kind="lognormal", median=40.0, sigma=0.6, cap=40.0).from_uniform(0.9) == 40.0
    assert Dist(kind="lognormal", median=40.0, sigma=0.6, cap=40.0).from_uniform(0.1) == LOGN.from_uniform(0.1)


# ---------------------------------------------------------------- means
# Midpoint grid u_i = (i + 1/2)/N: the sample mean is a midpoint-rule quadrature of the
# inverse CDF.  With N = 100,000 its error is ~1e-9 relative for the triangular, zero for the
# uniform and fixed, (1 - ln 2)/(N * 1) ~ 3.5e-6 for the exponential (log singularity at u = 1)
# and ~6e-6 for the lognormal (sigma 0.6, mostly the tail beyond the last midpoint).
# Tolerance: 5e-5 relative -- ten times the largest quadrature error, far below any real
# mistake in a formula (e.g. using the median instead of the mean is 20% off).
N = 100_000
GRID = (np.arange(N) + 0.5) / N


@pytest.mark.parametrize("dist", [LOGN, TRI, UNI, EXPO, FIX], ids=lambda d: d.kind)
def test_grid_mean_matches_expected(dist):
    mean = math.fsum(dist.from_uniform(u) for u in GRID.tolist()) / N
    assert mean == pytest.approx(dist.expected(), rel=5e-5)


def test_expected_closed_forms_ignore_the_cap():
    assert LOGN.expected() == pytest.approx(40.0 * math.exp(0.18), rel=1e-15)
    assert TRI.expected() == 35.0
    assert UNI.expected() == 25.0
    assert EXPO.expected() == 30.0
    assert FIX.expected() == 12.5
    assert Dist(kind="exponential", mean=30.0, cap=10.0).expected() == 30.0


def test_grid_mean_of_capped_exponential_matches_closed_form():
    capped = Dist(kind="exponential", mean=30.0, cap=50.0)
    mean = math.fsum(capped.from_uniform(u) for u in GRID.tolist()) / N
    # E[min(X, c)] = mean * (1 - exp(-c / mean))
    assert mean == pytest.approx(30.0 * (1 - math.exp(-50.0 / 30.0)), rel=1e-5)


def test_triangular_is_monotone_across_the_mode_to_the_last_ulp():
    """Regression: unclamped branches gave 0.6999999999999998 just below fc and ...993 at fc."""
    d = Dist(kind="triangular", low=0.1, mode=0.7, high=9.3)
    fc = (d.mode - d.low) / (d.high - d.low)
    below, at = float(np.nextafter(fc, 0.0)), fc
    assert d.from_uniform(below) <= d.from_uniform(at)


def test_dist_scaled_and_spread():
    d = Dist(kind="lognormal", median=100, sigma=0.8, cap=500)
    s = d.scaled(0.5)
    assert (s.median, s.sigma, s.cap) == (50, 0.8, 250)
    assert s.from_uniform(0.9) == pytest.approx(0.5 * d.from_uniform(0.9))
    assert d.spread(0.5).sigma == 0.4 and d.spread(0.5).median == 100
    t = Dist(kind="triangular", low=10, mode=20, high=60).spread(0.5)
    assert (t.low, t.mode, t.high) == (15, 20, 40)
    assert Dist(kind="fixed", value=3).spread(0.1) == Dist(kind="fixed", value=3)

