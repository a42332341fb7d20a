"""Confidence intervals across independent replications (Student t, from ``scipy.stats``)."""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from scipy import stats as sps

from sim.analysis.summary_schema import Interval


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Mean and Student-t half-width at ``level`` of independent values (at least 2)."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    if n < 2:
        raise ValueError("an interval needs at least 2 replications")
    return float(x.mean()), float(sps.t.ppf(0.5 + level / 2, n - 1) * sps.sem(x))


def mean_ci(values: Sequence[Optional[float]], level: float = 0.95) -> Interval:
    """Mean and Student-t interval of independent replication values (None and NaN dropped)."""
    x = [float(v) for v in values if v is not None and not math.isnan(v)]
    n = len(x)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "half_width": None, "n": 0}
    if n < 2:
        return {"mean": x[0], "ci_low": None, "ci_high": None, "half_width": None, "n": 1}
    m, hw = t_interval(x, level)
    return {"mean": m, "ci_low": m - hw, "ci_high": m + hw, "half_width": hw, "n": n}
