"""sim.model.scenario: a scenario is checked once and resolved in one place, and stays as it was resolved."""
from __future__ import annotations

import dataclasses

import pytest

import sim
from sim.model import scenario as scenario_module
from sim.model.scenario import Scenario, resolve
from sim.runner import run_replications, simulate

SHORT = ("debug=tiny", "run.horizon_years=0.4", "run.warmup_years=0.1", "run.drain_years=0.2")


def test_resolve_applies_reforms_and_staffing_once_and_names_each_office_headcount(compose):
    p = compose(*SHORT, "reform=more_staff", "staffing.scale.case_writers=1.5")
    s = resolve(p)
    assert s.given == p and s.given is not p and s.seed == p.seed
    p.seed, p.staffing.scale["case_writers"] = 7, 9.0  # the caller's later edits do not reach the scenario
    assert s.seed != 7 and s.given.staffing.scale["case_writers"] == 1.5
    for name, staff in s.params.staffing.pools.items():
        assert s.headcounts[name] == staff.headcount
    base = resolve(compose(*SHORT)).headcounts["case_writers"]
    assert s.headcounts["case_writers"] > base  # more_staff and the scale, in one rounding
    assert resolve(s) is s  # a Scenario is already resolved
    assert sim.resolve is resolve and sim.Scenario is Scenario


def test_a_scenario_cannot_be_changed_after_it_is_resolved(compose):
    s = resolve(compose(*SHORT))
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.policy = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.headcounts["case_writers"] = 1  # type: ignore[index]
    import pickle

    again = pickle.loads(pickle.dumps(s))  # worker processes receive it (a mappingproxy could not be pickled)
    assert dict(again.headcounts) == dict(s.headcounts) and again.policy == s.policy


def test_a_run_checks_its_parameters_once_whatever_the_replications(compose, monkeypatch):
    """Issue 21: validate_params ran for every entry point; run_replications now resolves once for all."""
    p = compose(*SHORT, "run.replications=3", "run.jobs=1")
    calls = []
    real = scenario_module.validate_params
    monkeypatch.setattr(scenario_module, "validate_params", lambda params: calls.append(1) or real(params))
    results = run_replications(p)
    assert len(results) == 3 and len(calls) == 1
    resolved = resolve(p)
    assert len(calls) == 2
    assert simulate(resolved, 1).events == results[1].events and len(calls) == 2  # a Scenario is not checked again


def test_invalid_parameters_are_refused_naming_every_problem(compose):
    p = compose(*SHORT)
    p.demand.lor_per_year = -1.0
    with pytest.raises(ValueError, match=r"\(1 problem\(s\)\): demand.lor_per_year=-1.0 must be > 0"):
        resolve(p)
