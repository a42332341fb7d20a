"""The building blocks of the parameter rules, shared by :mod:`sim.model.checks` and
:mod:`sim.model.checks_workload`: each appends one line naming the dotted key, the value and what is allowed."""
from __future__ import annotations

from typing import Mapping, Sequence

from sim.engine.distributions import KINDS, Dist
from sim.engine.portable_math import exp, plain_sum
from sim.model.params import PARTNER_GROUPS, Partner

SHARE_TOL = 1e-6
WEIGHT_MAX = 1e12  # relative weights: far above any useful ratio, far below where their sum overflows
DIST_MAX = 1e9  # days, $M or units: a distribution's bounds and mean (1e9 days is 2.7 million years)
SIGMA_MAX = 5.0  # a lognormal's sigma: at 5 the mean is already 268,000 times the median


def _flag(out: list[str], bad: bool, message: str) -> None:
    """Report ``message`` when ``bad`` (the rule's condition for a problem)."""
    if bad:
        out.append(message)


def dist_problems(d: Dist, key: str) -> list[str]:
    """Return one message per invalid field, each naming its dotted key."""
    out: list[str] = []
    if d.kind not in KINDS:
        return [f"{key}.kind={d.kind!r} is not a distribution; allowed: {', '.join(KINDS)}"]
    _flag(out, d.kind == "fixed" and d.value < 0, f"{key}.value={d.value} must be >= 0")
    if d.kind == "lognormal":
        _flag(out, d.median <= 0, f"{key}.median={d.median} must be > 0 for a lognormal")
        _flag(out, not 0 <= d.sigma <= SIGMA_MAX, f"{key}.sigma={d.sigma}; allowed: 0 to {SIGMA_MAX:g}")
    if d.kind in ("triangular", "uniform"):
        _flag(out, d.low < 0, f"{key}.low={d.low} must be >= 0")
        _flag(out, d.high < d.low, f"{key}.high={d.high} must be >= low ({d.low})")
    if d.kind == "triangular" and not (d.low <= d.mode <= d.high):
        out.append(f"{key}.mode={d.mode} must lie between low ({d.low}) and high ({d.high})")
    _flag(out, d.kind == "exponential" and d.mean <= 0, f"{key}.mean={d.mean} must be > 0 for an exponential")
    _flag(out, d.cap is not None and d.cap < 0, f"{key}.cap={d.cap} must be >= 0 or null")
    if not out:  # derived: the mean (or the cap that bounds every draw) must stay far from overflow
        mean = d.median * exp(d.sigma * d.sigma / 2) if d.kind == "lognormal" else d.expected()
        bound = mean if d.cap is None else min(mean, d.cap)
        _flag(out, not bound <= DIST_MAX,
              f"{key} has mean {mean:.3g}; allowed: a mean (or a cap) of at most {DIST_MAX:g}")
    return out


def _prob(out: list[str], key: str, value: float) -> None:
    _flag(out, not 0.0 <= value <= 1.0, f"{key}={value} is not a probability; allowed: 0 to 1")


def _nonneg(out: list[str], key: str, value: float) -> None:
    _flag(out, value < 0, f"{key}={value} must be >= 0")


def _keys(out: list[str], key: str, mapping: Mapping[str, object], allowed: tuple[str, ...]) -> bool:
    """Report unless ``mapping`` has exactly the ``allowed`` keys; return whether it has them."""
    have = list(mapping)
    exact = sorted(have) == sorted(allowed)
    _flag(out, not exact, f"{key} has keys {have}; required exactly: {list(allowed)}")
    return exact


def _dists(out: list[str], key: str, dists: Mapping[str, Dist], allowed: tuple[str, ...]) -> None:
    """A mapping of distributions: exactly the ``allowed`` keys, then each distribution's own rules."""
    _keys(out, key, dists, allowed)
    for name, dist in dists.items():
        out.extend(dist_problems(dist, f"{key}.{name}"))


def _shares(out: list[str], key: str, values: list[float]) -> None:
    for i, v in enumerate(values):
        _nonneg(out, f"{key}[{i}]", v)
    if abs(plain_sum(values) - 1.0) > SHARE_TOL:
        out.append(f"{key} sums to {plain_sum(values):.6g}; shares must sum to 1")


def _unique(out: list[str], key: str, names: list[str], what: str = "names") -> None:
    _flag(out, len(set(names)) != len(names), f"{key} has duplicate {what}: {names}")


def _partners(out: list[str], key: str, partners: Sequence[Partner]) -> None:
    """A partner list: names present and unique, known groups, weights >= 0."""
    for i, p in enumerate(partners):
        k = f"{key}[{i}]"
        _flag(out, not p.name, f"{k}.name is empty")
        _flag(out, p.group not in PARTNER_GROUPS, f"{k}.group={p.group!r}; allowed: {', '.join(PARTNER_GROUPS)}")
        _flag(out, not 0 <= p.weight <= WEIGHT_MAX, f"{k}.weight={p.weight}; allowed: 0 to {WEIGHT_MAX:g}")
    _unique(out, key, [p.name for p in partners])
