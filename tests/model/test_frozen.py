"""sim.model.frozen: a resolved scenario's parameters are read-only all the way down (issue 21: ``Params`` stayed
mutable after validation, so a caller could run values no check had seen)."""
from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from sim.model.frozen import FrozenDict, FrozenList, freeze, is_frozen, thaw
from sim.model.scenario import resolve


@pytest.fixture(scope="module")
def scenario(compose_module):
    return resolve(compose_module("debug=tiny", "reform=more_staff"))


@pytest.fixture(scope="module")
def compose_module():
    from sim.config import load_params

    return lambda *overrides: load_params(list(overrides))


EDITS = [
    lambda p: setattr(p, "seed", 3),
    lambda p: setattr(p.run, "horizon_years", 1.0),
    lambda p: setattr(p.staffing.pools["case_writers"], "headcount", 5),
    lambda p: delattr(p.run, "horizon_years"),
    lambda p: p.staffing.pools.__setitem__("x", None),
    lambda p: p.staffing.pools.pop("case_writers"),
    lambda p: p.staffing.pools.update({}),
    lambda p: p.demand.partners.append(None),
    lambda p: p.demand.partners.__setitem__(0, None),
    lambda p: p.demand.partners.sort(),
    lambda p: p.demand.seasonal.__init__([9.0] * 12),  # re-initialising is editing
    lambda p: p.staffing.pools["case_writers"].__init__(headcount=3),
    lambda p: p.staffing.scale.__init__({}),
    lambda p: setattr(p.process.contracting.work["default"] if "default" in p.process.contracting.work else
                      next(iter(p.process.contracting.work.values())), "median", 1.0),
]


@pytest.mark.parametrize("edit", range(len(EDITS)))
@pytest.mark.parametrize("part", ["given", "params"])
def test_every_level_refuses_an_edit_and_says_how_to_change_a_scenario(scenario, part, edit):
    params = getattr(scenario, part)
    before = thaw(params)
    with pytest.raises((AttributeError, TypeError), match=r"read-only.*thaw\(scenario.given\)"):
        EDITS[edit](params)
    assert params == before  # nothing changed, not even half


def test_a_frozen_copy_reads_as_the_original(scenario, compose_module):
    given = compose_module("debug=tiny", "reform=more_staff")
    p = scenario.given
    assert type(p) is not type(given) and isinstance(p, type(given)) and p == given and given == p
    assert dataclasses.asdict(p) == dataclasses.asdict(given)
    assert isinstance(p.staffing.pools, dict) and isinstance(p.demand.partners, list)
    assert p.staffing.pools == given.staffing.pools and p.demand.partners == given.demand.partners
    assert resolve(given).params == scenario.params  # the same scenario resolved twice
    assert dataclasses.asdict(given)["staffing"] == dataclasses.asdict(scenario.given)["staffing"]


def test_copies_and_pickles_stay_frozen_and_equal(scenario):
    for copied in (copy.deepcopy(scenario.params), pickle.loads(pickle.dumps(scenario.params)),
                   copy.copy(scenario.params)):
        assert copied == scenario.params and is_frozen(copied)
        assert type(copied.staffing.pools) is FrozenDict and type(copied.demand.partners) is FrozenList
        with pytest.raises(AttributeError):
            copied.seed = 1
    again = pickle.loads(pickle.dumps(scenario))  # what a worker process receives
    assert again.params == scenario.params and dict(again.headcounts) == dict(scenario.headcounts)


def test_thaw_gives_an_editable_copy_that_resolves_to_a_new_scenario(scenario):
    p = thaw(scenario.given)
    assert not is_frozen(p) and type(p.staffing.pools) is dict and type(p.demand.partners) is list
    p.staffing.pools["case_writers"].headcount = 7
    assert scenario.given.staffing.pools["case_writers"].headcount == 90  # the scenario's own stay as checked
    assert scenario.headcounts["case_writers"] == 108  # 90 x 1.2 (more_staff)
    assert resolve(p).headcounts["case_writers"] == 8  # 7 x 1.2 = 8.4, rounded
    p.reform.levers = {}
    assert resolve(p).headcounts["case_writers"] == 7
    r = dataclasses.replace(scenario.params.run, horizon_years=3.5)  # replace: a frozen copy with the change
    assert r.horizon_years == 3.5 and is_frozen(r) and scenario.params.run.horizon_years == 2.0


def test_freeze_leaves_the_original_editable_and_plain_values_alone():
    @dataclasses.dataclass
    class Box:
        items: list
        table: dict
        pair: tuple

    box = Box([1, [2]], {"a": {"b": 1}}, (1, [2]))
    frozen = freeze(box)
    box.items.append(3)
    assert frozen.items == [1, [2]] and type(frozen.items[1]) is FrozenList
    assert type(frozen.table["a"]) is FrozenDict and type(frozen.pair[1]) is FrozenList
    assert freeze(3) == 3 and freeze("x") == "x" and freeze(None) is None
    assert freeze(frozen) == frozen and thaw(frozen) == Box([1, [2]], {"a": {"b": 1}}, (1, [2]))


def test_frozen_parameters_resolve_and_resolved_ones_are_refused(scenario, compose_module):
    """A breaker's find: resolve(scenario.given) crashed (the reforms edited a frozen copy), and
    resolve(thaw(scenario.params)) applied the reforms and staffing multipliers a second time (108 case writers
    became 130)."""
    assert resolve(scenario.given).params == scenario.params
    assert resolve(freeze(compose_module("debug=tiny", "reform=more_staff"))).headcounts == scenario.headcounts
    assert resolve(dataclasses.replace(scenario.given, seed=5)).seed == 5
    for resolved in (scenario.params, thaw(scenario.params), copy.deepcopy(scenario.params),
                     pickle.loads(pickle.dumps(scenario.params))):
        with pytest.raises(ValueError, match=r"resolved ones \(scenario.params\).*thaw\(scenario.given\)"):
            resolve(resolved)
    mixed = compose_module("debug=tiny")
    mixed.process = scenario.params.process  # a plain Params holding a frozen part
    assert resolve(mixed).params.process == scenario.params.process


def test_exported_copies_are_plain_and_derived_ones_frozen(scenario):
    import yaml

    exported = dataclasses.asdict(scenario.given)  # a copy to edit and serialise
    assert type(exported["demand"]["seasonal"]) is list and type(exported["staffing"]["pools"]) is dict
    exported["demand"]["seasonal"][0] = 2.0
    assert yaml.safe_load(yaml.safe_dump(exported))["demand"]["seasonal"][0] == 2.0
    derived = dataclasses.replace(scenario.params, staffing=thaw(scenario.params.staffing))
    assert is_frozen(derived.staffing) and type(derived.staffing.pools) is FrozenDict
    assert pickle.loads(pickle.dumps(type(scenario.params))) is type(scenario.params)
