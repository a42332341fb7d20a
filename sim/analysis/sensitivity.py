"""Global sensitivity analysis: Latin hypercube designs and partial rank correlation (PRCC).

Pure functions, no I/O.  A sensitivity study draws ``n`` points from a Latin hypercube over the
factors' ranges (``lhs_design``), runs one job per point, and ranks the factors by how strongly
each one moves a lead time once the others are accounted for (``prcc``).

* **Latin hypercube**: each factor's range is cut into ``n`` equal strata and every stratum gets
  exactly one point, so ``n`` runs cover every factor's whole range.
* **PRCC** (Marino et al. 2008, J. Theor. Biol. 254:178): rank-transform the factors and the
  output, remove from the ranks of factor *j* and of the output what a linear fit on the other
  factors' ranks explains, and correlate the two residuals.  It measures monotone (not just
  linear) influence, between -1 and 1; the sign says whether the output rises with the factor.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.stats import qmc


def lhs_design(bounds: Mapping[str, tuple[float, float]], n: int, seed: int) -> list[dict[str, float]]:
    """``n`` Latin-hypercube points over ``bounds`` ({factor: (low, high)}), in the dict's key order.

    Deterministic for a given ``seed`` (scipy's ``LatinHypercube(d, rng=seed)``; scipy 1.15+
    renamed ``seed`` to ``rng``, and the two give different streams).  Each factor has exactly
    one point in each of its ``n`` equal-width strata.  ``low == high`` fixes a factor.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    names = list(bounds)
    if not names:
        raise ValueError("bounds is empty: give at least one factor")
    lows = np.array([float(bounds[k][0]) for k in names])
    highs = np.array([float(bounds[k][1]) for k in names])
    bad = [k for k, lo, hi in zip(names, lows, highs) if not (np.isfinite(lo) and np.isfinite(hi) and lo <= hi)]
    if bad:
        raise ValueError(f"bounds of {bad[0]!r} must be finite with low <= high, got {bounds[bad[0]]}")
    unit = qmc.LatinHypercube(d=len(names), rng=seed).random(n)
    points = lows + unit * (highs - lows)
    return [{k: float(v) for k, v in zip(names, row)} for row in points]


def _residuals(target: np.ndarray, others: np.ndarray) -> np.ndarray:
    """What a least-squares fit of ``target`` on an intercept and ``others`` leaves unexplained."""
    design = np.column_stack([np.ones(len(target)), others])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    return target - design @ coef


def prcc(X: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Partial rank correlation of ``y`` with each column of ``X``, with a two-sided p-value.

    Ranks are average ranks (ties share a rank).  The p-value tests PRCC = 0 with
    t = r * sqrt((n - 2 - k) / (1 - r^2)) on n - 2 - k degrees of freedom, where k is the number
    of other factors held fixed.  Rows with a missing value are dropped first.  Returns columns
    ``factor, prcc, p_value`` sorted by |prcc|, largest first; a factor with no spread (or too few
    rows for the test) gets NaN.
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    data = pd.concat([X.reset_index(drop=True), pd.Series(np.asarray(y, dtype=float), name="__y__")], axis=1)
    data = data.dropna()
    ranks = data.rank(method="average").to_numpy(dtype=float)
    ry, rx = ranks[:, -1], ranks[:, :-1]
    n, p = rx.shape
    k = p - 1
    dof = n - 2 - k
    rows = []
    for j, factor in enumerate(X.columns):
        others = np.delete(rx, j, axis=1)
        ex, ey = _residuals(rx[:, j], others), _residuals(ry, others)
        sx, sy = float(np.sqrt(ex @ ex)), float(np.sqrt(ey @ ey))
        tol = 1e-9 * max(n, 1)  # ranks are at most n: below this a residual is rounding noise
        if n < 2 or sx <= tol or sy <= tol:
            r = math.nan
        else:
            r = float(np.clip(ex @ ey / (sx * sy), -1.0, 1.0))
        if math.isnan(r) or dof < 1:
            pval = math.nan
        elif abs(r) >= 1.0:
            pval = 0.0
        else:
            t = r * math.sqrt(dof / (1.0 - r * r))
            pval = float(2.0 * sps.t.sf(abs(t), dof))
        rows.append({"factor": str(factor), "prcc": r, "p_value": pval})
    out = pd.DataFrame(rows, columns=["factor", "prcc", "p_value"])
    order = out["prcc"].abs().fillna(-1.0).sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)
