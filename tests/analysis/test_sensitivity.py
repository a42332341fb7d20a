"""Latin hypercube designs and partial rank correlation (sim.analysis.sensitivity)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis.sensitivity import lhs_design, prcc

BOUNDS = {"staffing.scale.case_writers": (0.5, 1.5), "demand.lor_per_year": (1500.0, 3000.0),
          "process.offer_acceptance.p_expire": (0.0, 0.2)}


def test_lhs_has_one_point_in_every_stratum_of_every_factor():
    n = 12
    design = lhs_design(BOUNDS, n, seed=7)
    assert len(design) == n
    for name, (lo, hi) in BOUNDS.items():
        strata = sorted(int(math.floor((p[name] - lo) / (hi - lo) * n)) for p in design)
        assert strata == list(range(n)), name


def test_lhs_respects_bounds_and_key_order():
    design = lhs_design(BOUNDS, 50, seed=1)
    for p in design:
        assert list(p) == list(BOUNDS)
        for name, (lo, hi) in BOUNDS.items():
            assert lo <= p[name] <= hi
            assert isinstance(p[name], float)


def test_lhs_is_deterministic_for_a_seed():
    assert lhs_design(BOUNDS, 8, seed=3) == lhs_design(BOUNDS, 8, seed=3)
    assert lhs_design(BOUNDS, 8, seed=3) != lhs_design(BOUNDS, 8, seed=4)


def test_lhs_fixed_factor_and_bad_input():
    design = lhs_design({"a": (2.0, 2.0), "b": (0.0, 1.0)}, 4, seed=0)
    assert all(p["a"] == 2.0 for p in design)
    with pytest.raises(ValueError):
        lhs_design({"a": (1.0, 0.0)}, 4, seed=0)
    with pytest.raises(ValueError):
        lhs_design({"a": (0.0, 1.0)}, 0, seed=0)
    with pytest.raises(ValueError):
        lhs_design({}, 3, seed=0)


def _synthetic(n: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x1": rng.uniform(0, 1, n), "x2": rng.uniform(0, 1, n), "x3": rng.uniform(0, 1, n)})


def test_prcc_finds_the_monotone_factor_and_ignores_the_independent_one():
    X = _synthetic()
    rng = np.random.default_rng(2)
    y = pd.Series(np.exp(3 * X["x1"]) + rng.normal(0, 0.3, len(X)))  # monotone, not linear, in x1
    res = prcc(X[["x1", "x2"]], y).set_index("factor")
    assert res.loc["x1", "prcc"] > 0.9
    assert res.loc["x1", "p_value"] < 1e-6
    assert abs(res.loc["x2", "prcc"]) < 0.2
    assert res.loc["x2", "p_value"] > 0.01


def test_prcc_sign_of_a_decreasing_factor_and_order():
    X = _synthetic()
    y = 10 - 5 * X["x2"] + 1.0 * X["x3"] + np.random.default_rng(3).normal(0, 0.2, len(X))
    res = prcc(X, y)
    assert list(res.columns) == ["factor", "prcc", "p_value"]
    assert res["factor"].iloc[0] == "x2"               # sorted by |prcc|, largest first
    assert res.set_index("factor").loc["x2", "prcc"] < -0.9
    assert res.set_index("factor").loc["x3", "prcc"] > 0.5
    assert list(res["prcc"].abs()) == sorted(res["prcc"].abs(), reverse=True)


def test_prcc_hand_computed_case():
    """Ranks x1 = 1..5, x2 = (1,3,2,5,4), y = (2,1,4,3,5).

    Spearman correlations by 1 - 6 sum d^2 / (n (n^2 - 1)) = 1 - sum d^2 / 20:
    r_y1 = 1 - 4/20 = 0.8, r_12 = 1 - 4/20 = 0.8, r_y2 = 1 - 14/20 = 0.3.  Partial correlations:
    r_y1.2 = (0.8 - 0.3 * 0.8) / sqrt((1 - 0.09)(1 - 0.64)) = 0.56 / sqrt(0.3276),
    r_y2.1 = (0.3 - 0.8 * 0.8) / sqrt((1 - 0.64)(1 - 0.64)) = -0.34 / 0.36 = -17/18.
    With n - 2 - k = 2 degrees of freedom the two-sided t-test p-value is exactly 1 - |r|.
    """
    X = pd.DataFrame({"x1": [10.0, 20, 30, 40, 50], "x2": [0.1, 0.3, 0.2, 0.5, 0.4]})
    y = pd.Series([7.0, 3, 9, 8, 11])  # ranks 2, 1, 4, 3, 5
    res = prcc(X, y).set_index("factor")
    r1, r2 = 0.56 / math.sqrt(0.3276), -17 / 18
    assert res.loc["x1", "prcc"] == pytest.approx(r1, abs=1e-12)
    assert res.loc["x2", "prcc"] == pytest.approx(r2, abs=1e-12)
    assert res.loc["x1", "p_value"] == pytest.approx(1 - abs(r1), abs=1e-12)
    assert res.loc["x2", "p_value"] == pytest.approx(1 - abs(r2), abs=1e-12)
    # one factor: PRCC is Spearman's rho (0.8) with its usual t-test on n - 2 = 3 dof
    one = prcc(X[["x1"]], y).iloc[0]
    assert one["prcc"] == pytest.approx(0.8, abs=1e-12)
    t = 0.8 * math.sqrt(3 / (1 - 0.64))
    assert one["p_value"] == pytest.approx(2 * sps.t.sf(t, 3), abs=1e-12)
    assert one["p_value"] == pytest.approx(sps.spearmanr(X["x1"], y).pvalue, abs=1e-12)


def test_prcc_degenerate_inputs():
    X = pd.DataFrame({"const": [1.0] * 6, "x": [1.0, 2, 3, 4, 5, 6]})
    y = pd.Series([2.0, 1, 4, 3, 6, 5])
    res = prcc(X, y).set_index("factor")
    assert math.isnan(res.loc["const", "prcc"]) and math.isnan(res.loc["const", "p_value"])
    assert res.loc["x", "prcc"] == pytest.approx(sps.spearmanr(X["x"], y).statistic, abs=1e-12)
    with pytest.raises(ValueError):
        prcc(X, y.iloc[:3])
