"""How many replications each scenario of a study needs for a stated precision of its paired change.

A precision study (``hydra/sweeper=precision``) asks for a half-width instead of a replication count.  Every
scenario runs a pilot of replications 0..pilot-1; then, round after round, each scenario whose paired change
against the reference is still wider than the target gets more replications, up to a maximum.  The reference
runs every replication that any scenario runs, so every added replication has its pair.

This module is the arithmetic only (no file, no Hydra): ``paired_half_widths`` from per-replication values
keyed by replication number, ``replications_needed`` (the smallest n whose t-interval would meet the target
at the observed spread), and ``plan_round`` (the blocks of the next round).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import numpy as np
from scipy import stats as sps

LEVEL = 0.95


@dataclass(frozen=True)
class Target:
    """What a precision study asks for (the ``precision`` config node)."""

    half_width: float  # in the metric's unit (days for a lead time)
    metrics: tuple[str, ...]
    pilot: int
    max_replications: int


@dataclass(frozen=True)
class Block:
    """Replications ``first`` .. ``first + count - 1`` of scenario ``scenario``."""

    scenario: int
    first: int
    count: int


@dataclass
class Precision:
    """The paired change of one scenario and metric so far."""

    half_width: Optional[float]  # None: fewer than 2 pairs with values
    pairs: int
    diffs: list[float] = field(default_factory=list, repr=False)

    def met(self, target: float) -> bool:
        return self.half_width is not None and self.half_width <= target


def t_half_width(sd: float, n: int, level: float = LEVEL) -> float:
    return float(sps.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n)


def paired_precision(values: Mapping[int, Optional[float]], reference: Mapping[int, Optional[float]]) -> Precision:
    """Half-width of the mean paired change over the replication numbers both have a value for."""
    diffs = [float(v) - float(reference[r]) for r, v in sorted(values.items())
             if v is not None and r in reference and reference[r] is not None
             and not math.isnan(float(v)) and not math.isnan(float(reference[r]))]  # type: ignore[arg-type]
    if len(diffs) < 2:
        return Precision(None, len(diffs), diffs)
    return Precision(t_half_width(float(np.std(diffs, ddof=1)), len(diffs)), len(diffs), diffs)


AIM = 0.9  # a round plans for 90% of the target half-width: the spread seen so far is itself uncertain, and
#            aiming exactly at the target often leaves it a hair short, which costs a whole extra round


def replications_needed(p: Precision, target: float, done: int, most: int) -> int:
    """Replications (in all) for ``p`` to meet ``target``: the smallest n > done with t(n-1) s / sqrt(n) <= AIM *
    target at the spread s seen so far, at most ``most``; ``done`` when already met.  With fewer than 2 pairs
    (no spread known yet) it asks for as many again."""
    if p.met(target):
        return done
    if p.half_width is None or len(p.diffs) < 2:
        return min(most, max(done + 1, 2 * done))
    sd = float(np.std(p.diffs, ddof=1))
    n = done + 1
    while n < most and t_half_width(sd, n) > AIM * target:
        n += 1
    return min(n, most)


def plan_round(done: Sequence[int], precision: Sequence[Mapping[str, Precision]], reference: int,
               target: Target) -> tuple[list[Block], list[int]]:
    """The blocks of the next round and the replications each scenario will then have.

    ``done[i]`` is how many replications (0..done[i]-1) scenario i has; ``precision[i]`` its paired precision
    per metric (ignored for the reference).  A scenario short of the target on any metric grows to the
    largest number its metrics need; the reference grows to the most any scenario has.  No block: the study
    is done (every target met, or every scenario short of it at ``max_replications``)."""
    want = list(done)
    for i, prec in enumerate(precision):
        if i == reference:
            continue
        for metric in target.metrics:
            p = prec.get(metric)
            if p is None:
                continue
            want[i] = max(want[i], replications_needed(p, target.half_width, done[i], target.max_replications))
    want[reference] = max(want)
    blocks = [Block(i, done[i], want[i] - done[i]) for i in range(len(done)) if want[i] > done[i]]
    return blocks, want
