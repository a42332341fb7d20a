"""Every parameter holds the type its field names: a library caller's wrong type is named by key (issue 21)."""
from __future__ import annotations

import copy

import pytest

from helpers import deterministic_params
from sim.model.checks import validate_params
from sim.model.params import Shock
from sim.model.typecheck import basic_problems


def _set(p, path, value):
    *parents, last = path
    node = p
    for part in parents:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    if isinstance(node, dict):
        node[last] = value
    else:
        setattr(node, last, value)
    return p


@pytest.mark.parametrize("path, value, message", [
    (("staffing", "pools", "case_writers", "headcount"), 90.5,
     "staffing.pools.case_writers.headcount=90.5; allowed: an integer (not float)"),
    (("seed",), "5", "seed='5'; allowed: an integer (not str)"),
    (("seed",), True, "seed=True; allowed: an integer (not bool)"),
    (("run", "replications"), 2.0, "run.replications=2.0; allowed: an integer (not float)"),
    (("run", "allow_large"), 1, "run.allow_large=1; allowed: true or false (not int)"),
    (("demand", "lor_per_year"), "4000", "demand.lor_per_year='4000'; allowed: a number (not str)"),
    (("demand", "shocks"), [{"start_year": 1}],
     "demand.shocks[0]={'start_year': 1}; allowed: a table of Shock settings (not dict)"),
    (("demand", "shocks"), (Shock(start_year="1"),),
     "demand.shocks[0].start_year='1'; allowed: a number (not str)"),
    (("staffing", "scale"), {"case_writers": "x"}, "staffing.scale.case_writers='x'; allowed: a number (not str)"),
    (("staffing", "scale"), {1: 2.0}, "staffing.scale: the name 1; allowed: a string (not int)"),
    (("reform", "levers"), "none",
     "reform.levers='none'; allowed: a table of names, each a table of ReformLevers settings (not str)"),
    (("reform", "strength"), "half", "reform.strength='half'; allowed: a number (not str)"),
])
def test_a_wrong_type_is_named_by_its_key_and_reported_alone(path, value, message):
    p = _set(copy.deepcopy(deterministic_params()), path, value)
    assert validate_params(p) == [message]


def test_numbers_of_the_right_kind_pass():
    import numpy as np

    p = deterministic_params()
    p.demand.lor_per_year = 4000  # an int where a number is asked: fine
    p.run.sample_days = 30
    assert basic_problems(p) == []
    p.seed, p.demand.lor_per_year, p.run.allow_large = np.int64(5), np.float32(4000), np.True_  # numpy's scalars
    p.staffing.pools["case_writers"].headcount = np.int32(3)
    assert basic_problems(p) == []


def test_nan_is_reported_after_types_and_alone():
    p = deterministic_params()
    p.demand.lor_per_year = float("nan")
    assert validate_params(p) == ["demand.lor_per_year=nan: not a finite number; allowed: a finite number"]


def test_library_calls_refuse_what_is_not_a_scenario_or_a_replication_number():
    from sim.model.scenario import resolve
    from sim.runner import simulate

    with pytest.raises(ValueError, match=r"params=dict; allowed: a Params"):
        resolve({"seed": 1})
    with pytest.raises(ValueError, match=r"params=dict; allowed: a Params"):
        simulate({"seed": 1}, 0)
    with pytest.raises(ValueError, match=r"simulate: replication='1'; allowed: an integer from 0 to 4294967295"):
        simulate(deterministic_params(), "1")
