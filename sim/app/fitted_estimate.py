"""The screening estimate of a reform at a strength: a monotone curve fitted to a stored strength sweep.

A break-even study (``experiments/breakeven.yaml``) measured each reform's paired change of a lead time at a grid of
strengths (``reform.strength``, at the study's ``reform.assume``), with no change at strength 0 exactly.  A
:class:`Curve` holds one reform's measurements for one lead time; :func:`fit` is the least-squares **monotone**
(isotonic) fit through them, anchored at 0 for strength 0 (a reform carried further moves a lead time no less
far: the direction is the sign of the data's slope through the origin; bounded isotonic regression is the
unbounded one clipped at the anchor), and :func:`predict` interpolates it linearly in strength, **only inside the
grid** (outside: None).  :func:`loo_error` is its leave-one-out cross-validated error: each measured strength is
left out in turn, the curve fitted to the rest (and the anchor), and the root mean square of the misses at the left-
out strengths is the error shown beside the estimate.  The largest strength is never left out: without it the model
would refuse it (outside its range), so the error is the interpolation's, as the model is used.  With two
replications per point it holds the study's noise as well as the interpolation's.

The estimate is the settled effect of the reform at the study's settings; it ignores any effective date.  Pure
functions (numpy only).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import numpy.typing as npt

from sim.analysis.breakeven import monotone_decreasing

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Curve:
    """One reform's paired change of one lead time (days) at each strength of a study's grid (ascending; strength
    0, if present, must have change 0)."""

    reform: str
    measure: str
    strengths: tuple[float, ...]
    changes: tuple[float, ...]

    def measured(self) -> tuple[FloatArray, FloatArray]:
        """The strengths above 0 and their changes (strength 0 is the anchor, not a measurement)."""
        s, c = np.asarray(self.strengths, dtype=float), np.asarray(self.changes, dtype=float)
        keep = s > 0
        return s[keep], c[keep]


def fit(strengths: Sequence[float] | FloatArray, changes: Sequence[float] | FloatArray) -> FloatArray:
    """The least-squares monotone fit of ``changes`` at ``strengths`` (ascending, all above 0), anchored at no
    change at strength 0: non-increasing and at most 0 if the data's slope through the origin is negative or 0,
    else non-decreasing and at least 0."""
    s, c = np.asarray(strengths, dtype=float), np.asarray(changes, dtype=float)
    if len(c) == 0:
        return c
    if float(np.dot(s, c)) <= 0:
        out: FloatArray = np.minimum(monotone_decreasing(c.tolist()), 0.0)
    else:
        out = np.maximum(-monotone_decreasing((-c).tolist()), 0.0)
    return out


def _interpolate(strengths: FloatArray, fitted: FloatArray, at: float) -> float:
    return float(np.interp(at, np.concatenate([[0.0], strengths]), np.concatenate([[0.0], fitted])))


def predict(curve: Curve, strength: float) -> Optional[float]:
    """The fitted change at ``strength``; None outside ``[0, the grid's largest strength]`` or without data."""
    s, c = curve.measured()
    if len(s) == 0 or not (0.0 <= strength <= float(s.max())):
        return None
    return _interpolate(s, fit(s, c), strength)


def loo_error(curve: Curve) -> Optional[float]:
    """Leave-one-out cross-validated root-mean-square error of :func:`predict` over the measured strengths it can
    be checked at: every one but the largest (without it, the model would refuse it as outside its range); None
    with fewer than two measured strengths."""
    s, c = curve.measured()
    if len(s) < 2:
        return None
    misses = []
    for i in range(len(s) - 1):
        rest_s, rest_c = np.delete(s, i), np.delete(c, i)
        misses.append(_interpolate(rest_s, fit(rest_s, rest_c), float(s[i])) - float(c[i]))
    return math.sqrt(sum(m * m for m in misses) / len(misses))
