"""Shared fixtures: composed baseline params, deterministic params, and a fake draw bank."""
from __future__ import annotations

import copy
from typing import Callable

import pytest

from sim.config import compose_config, to_params
from sim.model.params import Params

# every duration fixed and every branch probability 0: a case's path and times are exact
DETERMINISTIC = [
    "process.lor_intake.work={kind:fixed,value:3}",
    "process.lor_intake.p_incomplete=0",
    "process.lor_intake.rework={kind:fixed,value:20}",
    "process.tech_release.work={kind:fixed,value:30}",
    "process.loa_development.work.A={kind:fixed,value:50}",
    "process.loa_development.work.B={kind:fixed,value:100}",
    "process.loa_development.work.C={kind:fixed,value:200}",
    "process.policy_review.share_of_loa_work=0.2",
    "process.congressional_review.p_hold=0",
    "process.congressional_review.hold={kind:fixed,value:100}",
    "process.offer_acceptance.acceptance={kind:fixed,value:45}",
    "process.offer_acceptance.p_expire=0",
    "process.offer_acceptance.restate_share=0.5",
    "process.implementation.work={kind:fixed,value:14}",
    "process.contracting.work.on_contract={kind:fixed,value:45}",
    "process.contracting.work.new_procurement={kind:fixed,value:240}",
    "process.contracting.p_requirement_change=0",
    "process.contracting.change_delay={kind:fixed,value:60}",
    "process.contracting.change_rework_share=0.5",
    "process.production.lead_time.standard={kind:fixed,value:365}",
    "process.production.lead_time.major_platform={kind:fixed,value:1000}",
    "process.delivery.work={kind:fixed,value:45}",
    "process.closure.work={kind:fixed,value:365}",
    "run.replications=1",
    "run.horizon_years=1",
    "run.warmup_years=0",
    "run.drain_years=10",
    "run.jobs=1",
]

TINY = ["debug=tiny"]


@pytest.fixture(scope="session")
def baseline_params() -> Params:
    return to_params(compose_config([]))


@pytest.fixture(scope="session")
def _det_params() -> Params:
    return to_params(compose_config(DETERMINISTIC))


@pytest.fixture
def det_params(_det_params: Params) -> Params:
    """Deterministic params; a fresh deep copy each test, so tests may edit it."""
    return copy.deepcopy(_det_params)


@pytest.fixture(scope="session")
def compose() -> Callable[..., Params]:
    def _compose(*overrides: str) -> Params:
        return to_params(compose_config(list(overrides)))

    return _compose
