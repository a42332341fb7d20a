"""Duration and value distributions, sampled by inverse CDF from a given uniform.

Every random quantity in the model is computed as ``dist.from_uniform(u)`` where ``u`` is
a uniform number pre-drawn for that case, stage and visit (see ``sim.engine.rng``).  Inverse-CDF
sampling keeps common random numbers exact: a reform that changes a distribution's
parameters moves each case's draw monotonically instead of re-shuffling who gets what.

One flat dataclass covers every kind so that Hydra's structured configs can type-check it
(OmegaConf has no tagged unions); ``sim.model.checks`` says which fields each kind needs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Optional

from sim.engine.portable_math import exp, log1p, ndtri

KINDS = ("fixed", "lognormal", "triangular", "uniform", "exponential")


@dataclass
class Dist:
    """A non-negative distribution, in days (durations) or $M (values).

    kind: one of ``fixed`` (value), ``lognormal`` (median, sigma), ``triangular``
    (low, mode, high), ``uniform`` (low, high), ``exponential`` (mean).
    cap: optional upper bound applied after sampling (e.g. a hold that ends by a cap).
    """

    kind: str = "fixed"
    value: float = 0.0
    median: float = 0.0
    sigma: float = 0.0
    low: float = 0.0
    mode: float = 0.0
    high: float = 0.0
    mean: float = 0.0
    cap: Optional[float] = None

    def from_uniform(self, u: float) -> float:
        """Inverse CDF at ``u`` in (0, 1), then the cap."""
        k = self.kind
        if k == "fixed":
            x = self.value
        elif k == "lognormal":
            x = self.median * exp(self.sigma * ndtri(u)) if self.sigma > 0 else self.median
        elif k == "triangular":
            a, c, b = self.low, self.mode, self.high
            if b == a:
                x = a
            else:
                fc = (c - a) / (b - a)
                # each branch clamped at the mode so rounding cannot break monotonicity where they meet
                if u < fc:
                    x = min(a + math.sqrt(u * (b - a) * (c - a)), c)
                else:
                    x = max(b - math.sqrt((1 - u) * (b - a) * (b - c)), c)
        elif k == "uniform":
            x = self.low + u * (self.high - self.low)
        else:  # exponential
            x = -self.mean * log1p(-u)
        if self.cap is not None and x > self.cap:
            x = self.cap
        return x

    def scaled(self, factor: float) -> "Dist":
        """The same shape with every duration (and the cap) multiplied by ``factor``."""
        cap = None if self.cap is None else self.cap * factor
        return replace(self, value=self.value * factor, median=self.median * factor, low=self.low * factor,
                       mode=self.mode * factor, high=self.high * factor, mean=self.mean * factor, cap=cap)

    def spread(self, factor: float) -> "Dist":
        """Less (factor < 1) or more variable around the same median: scales a lognormal's sigma,
        or a triangular/uniform's distance from its mode/centre."""
        if self.kind == "lognormal":
            return replace(self, sigma=self.sigma * factor)
        if self.kind in ("triangular", "uniform"):
            c = self.mode if self.kind == "triangular" else (self.low + self.high) / 2
            return replace(self, low=max(0.0, c - (c - self.low) * factor), high=c + (self.high - c) * factor)
        return self

    def expected(self) -> float:
        """Mean before the cap (used for sizing checks and documentation, not in the model)."""
        k = self.kind
        if k == "fixed":
            return self.value
        if k == "lognormal":
            return self.median * exp(self.sigma * self.sigma / 2)
        if k == "triangular":
            return (self.low + self.mode + self.high) / 3
        if k == "uniform":
            return (self.low + self.high) / 2
        return self.mean


def fixed(value: float) -> Dist:
    """A deterministic duration, handy in tests."""
    return Dist(kind="fixed", value=value)
