"""sim.analysis.intervals: the Student-t interval across replications, against hand computations."""
from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from sim.analysis.intervals import mean_ci

NAN = math.nan




# ---------------------------------------------------------------- mean_ci
def test_mean_ci_matches_hand_computation():
    x = [1.0, 2.0, 3.0, 4.0, 10.0]
    mean = 4.0
    sd = math.sqrt(((1 - 4) ** 2 + (2 - 4) ** 2 + (3 - 4) ** 2 + 0 + (10 - 4) ** 2) / 4)  # sqrt(12.5)
    hw = sps.t.ppf(0.975, 4) * sd / math.sqrt(5)  # 2.776445 * 3.535534 / 2.236068 = 4.389945
    r = mean_ci(x)
    assert r["n"] == 5 and r["mean"] == mean
    assert r["half_width"] == pytest.approx(hw, rel=1e-12)
    assert r["half_width"] == pytest.approx(4.389945, abs=1e-6)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((mean - hw, mean + hw), rel=1e-12)


def test_mean_ci_other_level_and_missing_values_dropped():
    r = mean_ci([2.0, None, NAN, 4.0, 9.0], level=0.9)
    sd = math.sqrt((3**2 + 1**2 + 4**2) / 2)  # values 2, 4, 9 around 5
    assert r["n"] == 3 and r["mean"] == 5.0
    assert r["half_width"] == pytest.approx(sps.t.ppf(0.95, 2) * sd / math.sqrt(3), rel=1e-12)


def test_mean_ci_with_one_or_no_values():
    assert mean_ci([7.0, NAN]) == {"mean": 7.0, "ci_low": None, "ci_high": None, "half_width": None, "n": 1}
    assert mean_ci([NAN]) == {"mean": None, "ci_low": None, "ci_high": None, "half_width": None, "n": 0}
