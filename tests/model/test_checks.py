"""sim.model.checks: every rule on parameter values, one line per problem naming the key."""
from __future__ import annotations

import copy

import pytest

from helpers import deterministic_params
from sim.engine.distributions import KINDS, Dist, fixed
from sim.model.checks import dist_problems, validate_params
from sim.model.params import ReformLevers

LOGN = Dist(kind="lognormal", median=40.0, sigma=0.6)
TRI = Dist(kind="triangular", low=10.0, mode=25.0, high=70.0)
UNI = Dist(kind="uniform", low=5.0, high=45.0)
EXPO = Dist(kind="exponential", mean=30.0)
FIX = fixed(12.5)


@pytest.mark.parametrize("dist, fields", [
    (Dist(kind="fixed", value=-1.0), ["value"]),
    (Dist(kind="lognormal", median=0.0, sigma=0.5), ["median"]),
    (Dist(kind="lognormal", median=-3.0, sigma=-0.1), ["median", "sigma"]),
    (Dist(kind="triangular", low=-1.0, mode=0.0, high=2.0), ["low"]),
    (Dist(kind="triangular", low=1.0, mode=5.0, high=3.0), ["mode"]),
    (Dist(kind="triangular", low=1.0, mode=0.5, high=3.0), ["mode"]),
    (Dist(kind="triangular", low=4.0, mode=4.0, high=3.0), ["high", "mode"]),
    (Dist(kind="uniform", low=-2.0, high=1.0), ["low"]),
    (Dist(kind="uniform", low=2.0, high=1.0, mode=99.0), ["high"]),  # mode is irrelevant for uniform
    (Dist(kind="exponential", mean=0.0), ["mean"]),
    (Dist(kind="exponential", mean=-5.0), ["mean"]),
    (Dist(kind="fixed", value=1.0, cap=-1.0), ["cap"]),
    (Dist(kind="gamma", value=-1.0), ["kind"]),  # unknown kind: only the kind is reported
    (Dist(kind="lognormal", median=40.0, sigma=60.0), ["sigma"]),  # draws up to e^500 days (issue 21)
    (Dist(kind="lognormal", median=1e8, sigma=5), [" has mean 2.68e+13; allowed: a mean (or a cap) of at most 1e+09"]),
    (Dist(kind="exponential", mean=1e300), [" has mean 1e+300; allowed: a mean (or a cap) of at most 1e+09"]),
    (Dist(kind="uniform", low=0.0, high=1e300), [" has mean 5e+299; allowed: a mean (or a cap) of at most 1e+09"]),
])
def test_problems_name_each_invalid_key(dist, fields):
    msgs = dist_problems(dist, "process.stage.work")
    derived = " has mean"  # a rule on a derived quantity names the distribution, then the whole message
    assert [m.split("=", 1)[0] for m in msgs] == [
        f"process.stage.work{f}" if f.startswith(derived) else f"process.stage.work.{f}" for f in fields]


def test_a_cap_bounds_the_draws_so_a_wide_distribution_with_a_cap_is_allowed():
    assert dist_problems(Dist(kind="lognormal", median=1e8, sigma=5.0, cap=1e9), "k") == []
    assert dist_problems(Dist(kind="lognormal", median=1e8, sigma=5.0, cap=1e10), "k") == [
        "k has mean 2.68e+13; allowed: a mean (or a cap) of at most 1e+09"]


def test_problems_unknown_kind_lists_allowed_kinds():
    (msg,) = dist_problems(Dist(kind="gamma"), "k")
    assert msg.startswith("k.kind='gamma' ")
    assert all(kind in msg for kind in KINDS)


@pytest.mark.parametrize("dist", [LOGN, TRI, UNI, EXPO, FIX, Dist(), Dist(kind="triangular", low=2, mode=2, high=2),
                                  Dist(kind="uniform", low=0, high=0), Dist(kind="fixed", value=0, cap=0.0)])
def test_valid_distributions_have_no_problems(dist):
    assert dist_problems(dist, "k") == []


def test_the_reform_conflict_rule_is_part_of_validate_params():
    """Two selected reforms that set the same statutory value: validate_params says so (not only to_params)."""
    p = copy.deepcopy(deterministic_params())
    p.reform.levers = {"a": ReformLevers(total_threshold={"other": 100.0}),
                       "b": ReformLevers(total_threshold={"other": 80.0})}
    (msg,) = validate_params(p)
    assert ("reform.levers.b.total_threshold.other=80.0 conflicts with reform.levers.a.total_threshold.other=100.0"
            in msg)
    p.reform.levers["b"].total_threshold = {"nato5": 80.0}  # different keys: no conflict
    assert validate_params(p) == []


def test_problems_are_reported_in_order_with_the_first_one_first():
    p = copy.deepcopy(deterministic_params())
    p.run.replications = 0
    p.demand.lor_per_year = -1.0
    p.process.tech_release.work = Dist(kind="lognormal", median=0.0)
    problems = validate_params(p)
    assert problems[0].startswith("run.replications=0")
    assert any(m.startswith("demand.lor_per_year=-1.0") for m in problems)
    assert any(m.startswith("process.tech_release.work.median=0.0") for m in problems)


# ---------------------------------------------------------------- the whole workload (checks_workload)
def _bpc_partner():
    from sim.model.params import Partner
    return Partner(name="Iraq", group="other", weight=1.0)


@pytest.mark.parametrize("edit, key", [
    (lambda p: setattr(p.run, "start_fiscal_year", 0), "run.start_fiscal_year=0"),
    (lambda p: setattr(p.demand.groups["D"], "share", 0.1), "demand.groups.D.share=0.1"),
    (lambda p: p.demand.value_factor.update(nato6=1.0), "demand.value_factor.nato6"),
    (lambda p: p.demand.value_factor.update(other=0.0), "demand.value_factor.other=0.0"),
    (lambda p: setattr(p.demand.bpc, "share", 1.0), "demand.bpc.share=1.0"),
    (lambda p: setattr(p.demand.bpc, "seasonal", [1.0] * 11), "demand.bpc.seasonal has 11 entries"),
    (lambda p: setattr(p.demand.bpc, "seasonal", [0.0] * 12), "demand.bpc.seasonal=[0.0"),
    (lambda p: setattr(p.demand.bpc, "share", 0.1), "demand.bpc.share=0.1 but demand.bpc.partners"),
    (lambda p: setattr(p.demand.bpc, "partners", [_bpc_partner(), _bpc_partner()]),
     "demand.bpc.partners has duplicate"),
    (lambda p: p.process.amendments.per_year.update(E=1.0), "process.amendments.per_year has keys"),
    (lambda p: p.process.amendments.per_year.pop("A"), "process.amendments.per_year has keys"),
    (lambda p: p.demand.value_factor.update(nato5=1e307), "demand.value_factor / demand.groups.*.value"),
    (lambda p: p.process.modifications.per_year.update(A=-1.0), "process.modifications.per_year.A=-1.0"),
    (lambda p: setattr(p.process.amendments, "work_share", -0.5), "process.amendments.work_share=-0.5"),
    (lambda p: p.process.modifications.work_group.update(C="Z"), "process.modifications.work_group.C='Z'"),
    (lambda p: setattr(p.process.amendments, "p_enhancement", 1.5), "process.amendments.p_enhancement=1.5"),
    (lambda p: setattr(p.process.amendments, "value_share", Dist(kind="lognormal", median=0.0)),
     "process.amendments.value_share.median=0.0"),
    (lambda p: setattr(p.process.offer_acceptance, "bpc_offer_expiry_days", 0.0),
     "process.offer_acceptance.bpc_offer_expiry_days=0.0"),
    (lambda p: setattr(p.process.modifications, "value_share", Dist(kind="fixed", value=0.5)),
     "process.modifications.value_share={kind: fixed"),
    (lambda p: setattr(p.process.modifications, "p_enhancement", 0.5), "process.modifications.p_enhancement=0.5"),
])
def test_each_workload_rule_names_its_key(edit, key):
    p = copy.deepcopy(deterministic_params())
    assert validate_params(p) == []
    edit(p)
    problems = validate_params(p)
    assert any(m.startswith(key) for m in problems), problems


@pytest.mark.parametrize("edit, message", [
    # a hang: an urgent case 1e300 times more urgent leaves the others a share the shared clock cannot advance
    (lambda p: setattr(p.staffing, "priority_attention", 1e300),
     "staffing.priority_attention=1e+300; allowed: a weight from 1e-06 to 1e+06"),
    (lambda p: setattr(p.staffing, "priority_attention", 1e-7),
     "staffing.priority_attention=1e-07; allowed: a weight from 1e-06 to 1e+06"),
    # sums that overflow: two weights of 1e308 sum to inf and every partner's share becomes 0
    (lambda p: setattr(p.demand.partners[0], "weight", 1e308), "demand.partners[0].weight=1e+308; allowed: 0 to 1e+12"),
    (lambda p: setattr(p.demand.platforms[0], "weight", 1e13),
     "demand.platforms[0].weight=10000000000000.0; allowed: 0 to 1e+12"),
    (lambda p: p.demand.seasonal.__setitem__(0, 1e300), "demand.seasonal=[1e+300, "),
])
def test_derived_quantities_are_bounded_so_no_accepted_value_hangs_or_overflows(edit, message):
    p = copy.deepcopy(deterministic_params())
    edit(p)
    problems = validate_params(p)
    assert any(m.startswith(message) for m in problems), problems


def test_the_widest_allowed_weights_still_validate():
    p = copy.deepcopy(deterministic_params())
    p.staffing.priority_attention = 1e6
    p.demand.partners[0].weight = 1e12
    assert validate_params(p) == []


def test_growth_by_fiscal_year_rules():
    from sim.model.params import Growth
    p = copy.deepcopy(deterministic_params())
    p.demand.growth_by_fiscal_year = [Growth(2010, 0.1), Growth(2010, -1.0)]
    problems = validate_params(p)
    assert any("lists a fiscal year twice: [2010, 2010]" in m for m in problems)
    assert any(m.startswith("demand.growth_by_fiscal_year[1].per_year=-1.0") for m in problems)


def test_the_envelope_must_cover_the_bpc_peak():
    p = copy.deepcopy(deterministic_params())
    p.demand.bpc.share = 0.5
    p.demand.bpc.partners = [_bpc_partner()]
    p.demand.bpc.seasonal = [0.0] * 11 + [12.0]  # half the LORs, all in September: 0.5 + 6 = 6.5 x the base rate
    assert any(m.startswith("demand.envelope=2.0 is below the peak relative LOR rate 6.5") for m in validate_params(p))
    p.demand.envelope = 6.5
    assert validate_params(p) == []


@pytest.mark.parametrize("seed, first, n, key", [
    (2**32, 0, 2, "seed=4294967296"), (-1, 0, 2, "seed=-1"),
    (1, 2**32 - 1, 2, "run.first_replication=4294967295"), (1, -1, 2, "run.first_replication=-1"),
    (1, 0, 2**32, "run.replications=4294967296"),
])
def test_seed_and_replication_numbers_stay_below_two_to_the_32(seed, first, n, key):
    """Larger numbers would share numpy streams with others (issue 21; tests/engine/test_rng.py shows the collision)."""
    p = deterministic_params()
    p.seed, p.run.first_replication, p.run.replications = seed, first, n
    problems = validate_params(p)
    assert len(problems) == 1 and problems[0].startswith(f"{key}; allowed: ")
    assert problems[0].endswith({"seed": "(numpy splits larger numbers into 32-bit words, so two different seeds "
                                         "would draw the same streams)",
                                 "run.replications": "allowed: 1 to 4294967295"}.get(key.split("=")[0], ")"))
    p.seed, p.run.replications, p.run.first_replication = 2**32 - 1, 2, 2**32 - 2  # the largest allowed
    assert validate_params(p) == []


def test_the_sensitivity_design_seed_is_bounded_like_the_seed():
    from sim.model.run_params import SensitivityPoint

    p = deterministic_params()
    p.sensitivity = SensitivityPoint(points=4, point=0, design_seed=-1)
    (problem,) = validate_params(p)
    assert problem.startswith("sensitivity.design_seed=-1; allowed: an integer from 0 to 4294967295 (numpy splits")


@pytest.mark.parametrize("factor, value, message", [
    ("loa_work_factor", 1e300, "reform=more_staff: with its loa_work_factor, process.loa_development.work.A has mean "),
    ("contracting_sigma_factor", 100.0, "reform=more_staff: with its contracting_work_factor and "
     "contracting_sigma_factor, process.contracting.work.on_contract.sigma="),
])
def test_distributions_are_checked_once_a_reform_scales_them(factor, value, message):
    """A breaker's find: factors were only checked to be >= 0, so a valid distribution times 1e300 ran (every lead
    time censored)."""
    from sim.model.params import ReformLevers

    p = copy.deepcopy(deterministic_params())
    p.process.loa_development.work = {g: Dist(kind="lognormal", median=10.0, sigma=0.5)
                                      for g in p.process.loa_development.work}
    p.process.contracting.work = {k: Dist(kind="lognormal", median=10.0, sigma=0.8) for k in p.process.contracting.work}
    p.reform.levers = {"more_staff": ReformLevers(**{factor: value})}
    problems = validate_params(p)
    assert problems and problems[0].startswith(message), problems
    p.reform.levers = {"more_staff": ReformLevers(**{factor: 2.0})}
    assert validate_params(p) == []


def test_bpc_seasonal_weights_are_bounded_like_the_fms_ones():
    p = copy.deepcopy(deterministic_params())
    p.demand.bpc.seasonal = [1e308] + [1.0] * 11  # the sum overflowed and every month's weight became 0: no BPC case
    assert any(m.startswith("demand.bpc.seasonal=[1e+308, ") and "allowed: weights 0 to 1e+12" in m
               for m in validate_params(p))


def test_the_checks_and_the_run_count_an_office_with_one_rounding_rule(compose):
    """An office's headcount times staffing.scale and a reform's staff_factor is rounded once, the same way for the
    limit on people and for the run (issue 21: a float product in the check, floor(x + 0.5) in the run)."""
    from sim.model.checks import MAX_PEOPLE
    from sim.model.reform import apply, effective_headcount

    p = compose("debug=tiny", "run.allow_large=true")
    name = "case_writers"
    assert p.staffing.pools[name].discipline == "portfolio"
    p.staffing.pools[name].headcount = 10 * MAX_PEOPLE + 4
    p.staffing.scale = {name: 0.1}  # 100,000.4 people: 100,000 in the run, so allowed
    assert validate_params(p) == [] and apply(p)[0].staffing.pools[name].headcount == MAX_PEOPLE
    p.staffing.pools[name].headcount = 10 * MAX_PEOPLE + 5  # 100,000.5: 100,001 in the run, so refused
    (problem,) = validate_params(p)
    assert problem.startswith(f"staffing.pools.{name}: 1e+05 people") and "at most 100,000" in problem
    assert effective_headcount(3, 0.5) == 2 and effective_headcount(1, 0.01) == 1  # halves up; at least one
    assert effective_headcount(10, 1e308 * 10) == 2**62  # an infinite product is refused, not an OverflowError
