"""sim.verification.queueing against textbook values, an independent formula, limits and invalid input;
processor sharing against closed forms and the birth-death chain of equal sharing."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sim.verification.queueing import (
    desks_sojourn,
    erlang_b,
    erlang_c,
    jackson_series,
    mg1_ps_conditional_sojourn,
    mg1_ps_sojourn,
    mg1_ps_wait,
    mmc_queue_length,
    mmc_sojourn,
    mmc_wait,
    series,
    shared_number,
    shared_sojourn,
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


# ------------------------------------------------------------------ processor sharing
def equal_sharing_number(lam: float, mu: float, c: int, n_max: int = 4000) -> float:
    """Mean number in system of the birth-death chain of c servers shared equally (births lam, deaths
    min(n, c) mu: each of n customers served at min(1, c/n)), by a truncated sum of its stationary law."""
    p, total, mean = 1.0, 1.0, 0.0
    for n in range(1, n_max):
        p *= lam / (min(n, c) * mu)
        total += p
        mean += n * p
    return mean / total


@pytest.mark.parametrize("lam, mu", [(0.5, 1.0), (0.7, 1.0), (1.2, 2.0), (0.09, 0.1)])
def test_mg1_processor_sharing_closed_forms(lam, mu):
    rho = lam / mu
    assert mg1_ps_sojourn(lam, mu) == pytest.approx((1 / mu) / (1 - rho), rel=1e-12)
    assert mg1_ps_wait(lam, mu) == pytest.approx((1 / mu) * rho / (1 - rho), rel=1e-12)
    # the M/M/1 mean sojourn is the same under FCFS and PS; the slowdown T/S is 1/(1-rho) for every size
    assert mg1_ps_sojourn(lam, mu) == pytest.approx(mmc_sojourn(lam, mu, 1), rel=1e-12)
    for x in (0.0, 0.3, 1.0, 17.0):
        assert mg1_ps_conditional_sojourn(lam, mu, x) == pytest.approx(x / (1 - rho), rel=1e-12, abs=0)
    assert mg1_ps_conditional_sojourn(lam, mu, 1 / mu) == pytest.approx(mg1_ps_sojourn(lam, mu), rel=1e-12)


def test_mg1_ps_worked_example():
    # lambda 0.7, E[S] 1: E[T] = 1/0.3 = 10/3, E[T - S] = 7/3, a job of 2 days takes 20/3 on average
    assert mg1_ps_sojourn(0.7, 1.0) == pytest.approx(10 / 3, rel=1e-12)
    assert mg1_ps_wait(0.7, 1.0) == pytest.approx(7 / 3, rel=1e-12)
    assert mg1_ps_conditional_sojourn(0.7, 1.0, 2.0) == pytest.approx(20 / 3, rel=1e-12)


@pytest.mark.parametrize("lam, mu, c", [(2.4, 1.0, 3), (0.5, 1.0, 1), (7.0, 0.5, 16), (1.0, 0.75, 2)])
def test_equal_sharing_has_the_mmc_number_in_system(lam, mu, c):
    """The birth-death chain of equal sharing is M/M/c's: same L, and W = L / lambda (Little)."""
    L = equal_sharing_number(lam, mu, c)
    assert shared_number(lam, mu, c) == pytest.approx(L, rel=1e-9)
    assert shared_number(lam, mu, c) == pytest.approx(mmc_queue_length(lam, mu, c) + lam / mu, rel=1e-12)
    assert shared_sojourn(lam, mu, c) == pytest.approx(L / lam, rel=1e-9)
    assert shared_sojourn(lam, mu, c) == mmc_sojourn(lam, mu, c)


def test_equal_sharing_worked_example():
    # M/M/2 with lambda 1, mu 0.75 (test_mm2_worked_example): W = 16/15 + 4/3 = 12/5, L = lambda W
    assert shared_sojourn(1.0, 0.75, 2) == pytest.approx(12 / 5, rel=1e-12)
    assert shared_number(1.0, 0.75, 2) == pytest.approx(12 / 5, rel=1e-12)


@given(c=st.integers(1, 50), rho=st.floats(0.01, 0.98), mu=st.floats(0.05, 20.0))
@settings(max_examples=200, deadline=None)
def test_random_desks_are_c_mg1_ps_queues_and_never_beat_sharing(c, rho, mu):
    lam = rho * c * mu
    assert desks_sojourn(lam, mu, c) == pytest.approx(mg1_ps_sojourn(lam / c, mu), rel=1e-12)
    assert desks_sojourn(lam, mu, c) == pytest.approx((1 / mu) / (1 - rho), rel=1e-9)
    # pooling: c servers shared by everyone beat c separate desks (equal for one server)
    if c == 1:
        assert shared_sojourn(lam, mu, c) == pytest.approx(desks_sojourn(lam, mu, c), rel=1e-9)
    else:
        assert shared_sojourn(lam, mu, c) < desks_sojourn(lam, mu, c)


def test_series_of_fcfs_exponential_stations_is_jacksons_exactly():
    args = (0.6, [1, 5, 1], [1.0, 0.15, 0.8])
    th, jk = series(*args, ["slots"] * 3, [1.0] * 3), jackson_series(*args)
    for key in ("rho", "wq", "w", "lq", "total_wq", "sojourn"):
        assert th[key] == jk[key]


def test_series_mixes_disciplines_and_is_insensitive_for_sharing():
    lam = 0.7
    th = series(lam, [1, 3, 4], [1.0, 0.3, 0.25], ["slots", "shared", "desks"], [1.0, 2.0, 0.0])
    assert th["rho"] == pytest.approx([0.7, 0.7 / 0.9, 0.7])
    assert th["wq"] == pytest.approx([mmc_wait(lam, 1.0, 1), mmc_wait(lam, 0.3, 3), mg1_ps_wait(lam / 4, 0.25)])
    assert th["w"] == pytest.approx([mmc_sojourn(lam, 1.0, 1), shared_sojourn(lam, 0.3, 3),
                                     desks_sojourn(lam, 0.25, 4)])
    assert th["sojourn"] == pytest.approx(sum(th["w"]))
    assert th["total_wq"] == pytest.approx(sum(th["wq"]))
    assert th["lq"] == pytest.approx([lam * w for w in th["wq"]])
    for cv in (0.0, 0.5, 3.0):  # the service cv does not matter under sharing
        assert series(lam, [3], [0.3], ["shared"], [cv]) == series(lam, [3], [0.3], ["shared"], [1.0])


@pytest.mark.parametrize("call, match", [
    (lambda: series(0.5, [1], [1.0], ["fcfs"], [1.0]), "station 1: discipline 'fcfs'; allowed: slots, shared, desks"),
    (lambda: series(0.5, [1, 1], [1.0, 1.0], ["shared", "slots"], [1.0, 0.5]), "station 2: service cv 0.5 at a slots"),
    (lambda: series(0.5, [1], [1.0], ["shared"], [-0.1]), "station 1: service cv -0.1 must be"),
    (lambda: series(0.5, [1], [1.0], ["shared"], [math.nan]), "service cv nan"),
    (lambda: series(2.0, [1, 1], [3.0, 1.0], ["shared", "desks"], [1.0, 1.0]), "station 2: unstable"),
    (lambda: series(0.5, [1], [1.0], ["shared", "shared"], [1.0]), "equal, non-empty"),
    (lambda: series(0.5, [], [], [], []), "equal, non-empty"),
    (lambda: desks_sojourn(4.0, 1.0, 4), "unstable"),
    (lambda: desks_sojourn(1.0, 1.0, 0), "integer >= 1"),
    (lambda: mg1_ps_sojourn(1.0, 1.0), "unstable"),
    (lambda: mg1_ps_conditional_sojourn(0.5, 1.0, -1.0), "requirement"),
])
def test_invalid_processor_sharing_input_is_an_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
