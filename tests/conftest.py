"""Shared fixtures: composed baseline params, deterministic params (built in Python), and a composer."""
from __future__ import annotations

import copy
from typing import Callable

import pytest

from helpers import deterministic_params
from sim.config import compose_config, to_params
from sim.model.checks import validate_params
from sim.model.params import Params


def pytest_report_header(config: pytest.Config) -> list[str]:
    """The host's SIMD levels and C library on record in every run's header (issue 20: numpy and glibc pick their code
    by CPU, and the simulation must give the same history on any of them)."""
    import platform

    from helpers import dispatched_simd

    libc = " ".join(platform.libc_ver()) or "unknown"
    return [f"numpy SIMD above its baseline here: {' '.join(dispatched_simd()) or 'none'}; C library: {libc}"]


@pytest.fixture(scope="session")
def baseline_params() -> Params:
    return to_params(compose_config([]))


@pytest.fixture(scope="session")
def _det_params() -> Params:
    """Built in Python (tests/helpers.py), not composed from configs/: recalibrating a default there
    cannot change an exact timeline."""
    p = deterministic_params()
    assert validate_params(p) == []
    return p


@pytest.fixture
def det_params(_det_params: Params) -> Params:
    """Deterministic params; a fresh deep copy each test, so tests may edit it."""
    return copy.deepcopy(_det_params)


@pytest.fixture(scope="session")
def compose() -> Callable[..., Params]:
    def _compose(*overrides: str) -> Params:
        return to_params(compose_config(list(overrides)))

    return _compose
