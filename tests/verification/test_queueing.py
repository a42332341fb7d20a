"""sim.verification.queueing against textbook values, an independent formula, limits and invalid input."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sim.verification.queueing import (
    erlang_b,
    erlang_c,
    jackson_series,
    mmc_queue_length,
    mmc_sojourn,
    mmc_wait,
)


def erlang_c_poisson(c: int, a: float) -> float:
    """Independent form: C = p(c) c/(c-a) / (P(N <= c-1) + p(c) c/(c-a)), N ~ Poisson(a) (scipy)."""
    tail = sps.poisson.pmf(c, a) * c / (c - a)
    return float(tail / (sps.poisson.cdf(c - 1, a) + tail))


def mmc_lq_textbook(lam: float, mu: float, c: int) -> float:
    """Textbook M/M/c: P0 = [sum_{n<c} a^n/n! + a^c/(c! (1-rho))]^-1, Lq = P0 a^c rho / (c! (1-rho)^2)."""
    a, rho = lam / mu, lam / (c * mu)
    p0 = 1.0 / (sum(a**n / math.factorial(n) for n in range(c)) + a**c / (math.factorial(c) * (1 - rho)))
    return p0 * a**c * rho / (math.factorial(c) * (1 - rho) ** 2)


# ------------------------------------------------------------------ textbook values
@pytest.mark.parametrize("c, a, expected, tol", [
    (10, 8.0, 0.4092, 5e-5),  # Erlang C table: 10 agents, 8 Erlangs
    (2, 1.0, 1 / 3, 1e-12),  # M/M/2 at rho 0.5: 2 rho^2 / (1 + rho)
    (11, 10.0, 0.6821, 5e-5),  # call-centre example: 10 Erlangs on 11 agents
    (1, 0.7, 0.7, 1e-12),  # M/M/1: P(wait) = rho
])
def test_erlang_c_textbook_values(c, a, expected, tol):
    assert erlang_c(c, a) == pytest.approx(expected, abs=tol)


@pytest.mark.parametrize("c, a, expected", [(5, 3.0, 0.1101), (10, 5.0, 0.0184), (1, 1.0, 0.5), (2, 2.0, 0.4)])
def test_erlang_b_textbook_values(c, a, expected):
    assert erlang_b(c, a) == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize("lam, mu", [(0.5, 1.0), (2.0, 3.0), (0.9, 1.0), (0.99, 1.0)])
def test_mm1_closed_form(lam, mu):
    rho = lam / mu
    assert mmc_wait(lam, mu, 1) == pytest.approx(rho / (mu - lam), rel=1e-12)
    assert mmc_sojourn(lam, mu, 1) == pytest.approx(1 / (mu - lam), rel=1e-12)
    assert mmc_queue_length(lam, mu, 1) == pytest.approx(rho**2 / (1 - rho), rel=1e-12)


def test_mm2_worked_example():
    # lambda = 1, mu = 0.75, c = 2: P0 = 0.2, Lq = 16/15, Wq = Lq / lambda, W = Wq + 4/3
    assert mmc_queue_length(1.0, 0.75, 2) == pytest.approx(16 / 15, rel=1e-12)
    assert mmc_wait(1.0, 0.75, 2) == pytest.approx(16 / 15, rel=1e-12)
    assert mmc_sojourn(1.0, 0.75, 2) == pytest.approx(16 / 15 + 4 / 3, rel=1e-12)


@given(c=st.integers(1, 60), frac=st.floats(0.0, 0.999))
@settings(max_examples=200, deadline=None)
def test_erlang_c_matches_independent_formulas(c, frac):
    a = frac * c
    if a == 0:
        assert erlang_c(c, a) == 0.0
        return
    assert erlang_c(c, a) == pytest.approx(erlang_c_poisson(c, a), rel=1e-9, abs=1e-300)
    if c <= 40:  # factorials stay finite
        assert mmc_queue_length(a, 1.0, c) == pytest.approx(mmc_lq_textbook(a, 1.0, c), rel=1e-9, abs=1e-300)


# ------------------------------------------------------------------ limits and large pools
def test_limits_and_monotonicity():
    assert erlang_c(5, 0.0) == 0.0
    assert erlang_c(5, 5 - 1e-9) == pytest.approx(1.0, abs=1e-8)
    values = [erlang_c(10, a) for a in (1, 3, 5, 7, 9, 9.9)]
    assert values == sorted(values)  # more load, more waiting
    by_servers = [erlang_c(c, 8.0) for c in (9, 10, 12, 16, 30)]
    assert by_servers == sorted(by_servers, reverse=True)  # more servers, less waiting


def test_thousands_of_servers_stay_finite_and_match_halfin_whitt():
    # c = a + beta sqrt(a): C -> [1 + beta Phi(beta) / phi(beta)]^-1 as a grows (Halfin and Whitt 1981)
    a, beta = 10_000.0, 1.0
    c = int(a + beta * math.sqrt(a))
    limit = 1.0 / (1.0 + beta * sps.norm.cdf(beta) / sps.norm.pdf(beta))
    assert erlang_c(c, a) == pytest.approx(limit, abs=5e-3)
    assert erlang_c(c, a) == pytest.approx(erlang_c_poisson(c, a), rel=1e-8)
    assert 0 < erlang_c(5000, 4990.0) < 1


def test_jackson_series_sums_station_sojourns():
    th = jackson_series(0.5, [1, 2, 1], [1.0, 0.5, 0.8])
    assert th["rho"] == pytest.approx([0.5, 0.5, 0.625])
    assert th["wq"][0] == pytest.approx(1.0)  # M/M/1: rho / (mu - lambda)
    assert th["wq"][1] == pytest.approx(erlang_c(2, 1.0) / (2 * 0.5 - 0.5))
    assert th["w"] == pytest.approx([wq + 1 / mu for wq, mu in zip(th["wq"], [1.0, 0.5, 0.8])])
    assert th["sojourn"] == pytest.approx(sum(th["w"]))
    assert th["total_wq"] == pytest.approx(sum(th["wq"]))
    assert th["lq"] == pytest.approx([0.5 * w for w in th["wq"]])


# ------------------------------------------------------------------ invalid input
@pytest.mark.parametrize("lam, mu, c", [(1.0, 1.0, 1), (2.5, 1.0, 2), (3.0, 1.0, 2)])
def test_unstable_station_is_an_error(lam, mu, c):
    with pytest.raises(ValueError, match="unstable"):
        mmc_wait(lam, mu, c)


@pytest.mark.parametrize("call", [
    lambda: erlang_c(0, 0.5), lambda: erlang_c(2.5, 1.0), lambda: erlang_c(3, -1.0), lambda: erlang_c(3, 3.0),
    lambda: erlang_b(True, 0.5), lambda: mmc_wait(1.0, 0.0, 2), lambda: mmc_wait(-1.0, 1.0, 1),
    lambda: jackson_series(1.0, [1, 2], [2.0]), lambda: jackson_series(1.0, [], []),
])
def test_invalid_input_is_an_error(call):
    with pytest.raises(ValueError):
        call()


def test_jackson_series_names_the_unstable_station():
    with pytest.raises(ValueError, match="station 2: unstable"):
        jackson_series(1.0, [1, 1, 3], [2.0, 1.0, 1.0])
