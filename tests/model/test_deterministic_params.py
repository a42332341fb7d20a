"""The Python-built deterministic params (tests/helpers.py) stay valid and free of randomness in the process."""
from __future__ import annotations

import dataclasses

from helpers import deterministic_params
from sim.engine.distributions import Dist
from sim.model.checks import validate_params


def _dists(obj, path: str) -> list[tuple[str, Dist]]:
    """Every Dist inside ``obj`` (dataclasses, dicts and lists walked), with its dotted key."""
    if isinstance(obj, Dist):
        return [(path, obj)]
    if dataclasses.is_dataclass(obj):
        return [d for f in dataclasses.fields(obj) for d in _dists(getattr(obj, f.name), f"{path}.{f.name}")]
    if isinstance(obj, dict):
        return [d for k, v in obj.items() for d in _dists(v, f"{path}.{k}")]
    if isinstance(obj, (list, tuple)):
        return [d for i, v in enumerate(obj) for d in _dists(v, f"{path}[{i}]")]
    return []


def test_deterministic_params_are_valid():
    assert validate_params(deterministic_params()) == []


def test_every_process_duration_is_fixed():
    dists = _dists(deterministic_params().process, "process")
    assert len(dists) >= 16  # every stage's durations, not an empty walk
    assert [(key, d.kind) for key, d in dists if d.kind != "fixed"] == []


def test_every_branch_probability_is_zero():
    p = deterministic_params().process
    assert p.lor_intake.p_incomplete == 0
    assert p.congressional_review.p_hold == 0
    assert p.offer_acceptance.p_expire == 0
    assert p.contracting.p_requirement_change == 0


def test_each_call_builds_a_fresh_object():
    a, b = deterministic_params(), deterministic_params()
    assert a == b and a is not b
    a.process.lor_intake.work.value = 99
    assert b.process.lor_intake.work.value == 3
