"""sim.model.uncertainty: a point of the Latin hypercube over the lever and staffing ranges (issue 23, item 4)."""
from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.config import ConfigError
from sim.model.levers import LeverRange
from sim.model.scenario import resolve
from sim.model.uncertainty import _cdf, point_record, triangular, unit
from sim.runner import simulate

TINY = ("debug=tiny",)


def test_each_input_has_one_point_in_each_of_the_n_strata():
    for points in (1, 4, 10, 37):
        for name in ("staffing.effort_share", "reform.contracting_standards.contracting_work_factor"):
            q = np.array([unit(20261125, name, k, points) for k in range(points)])
            assert sorted(np.floor(q * points).astype(int)) == list(range(points))
            assert ((0 <= q) & (q < 1)).all()


def test_the_design_columns_are_apart_by_name_and_seed():
    a = [unit(1, "a", k, 10) for k in range(10)]
    assert a != [unit(1, "b", k, 10) for k in range(10)]
    assert a != [unit(2, "a", k, 10) for k in range(10)]
    assert a == [unit(1, "a", k, 10) for k in range(10)]


@pytest.mark.parametrize("low,likely,high", [(0.97, 0.8, 0.7), (0.6, 0.75, 0.85), (0.03, 0.1, 0.15), (1, 1, 2)])
def test_triangular_runs_from_low_through_likely_to_high(low, likely, high):
    assert triangular(0.0, low, likely, high) == pytest.approx(low)
    assert triangular(1.0, low, likely, high) == pytest.approx(high)
    c = (likely - low) / (high - low)
    assert triangular(c, low, likely, high) == pytest.approx(likely)
    lo, hi = min(low, high), max(low, high)
    if low < high:  # the distribution function inverts the quantile function
        for u in (0.1, 0.37, 0.5, 0.9):
            assert _cdf(triangular(u, lo, likely, hi), lo, likely, hi) == pytest.approx(u)


def test_a_range_without_width_is_the_likely_value_itself():
    assert triangular(0.3, 0.8, 0.8, 0.8) == 0.8


def test_reference_reform_and_package_share_their_draws(compose):
    """A point's value of an input does not depend on what else the sweep selects: the reference has the staffing
    draws of every reform at that point, and a package its reforms' lever draws."""
    none = point_record(compose(*TINY, "uncertainty.point=3"))
    alone = point_record(compose(*TINY, "reform=contracting_standards", "uncertainty.point=3"))
    pkg = point_record(compose(*TINY, "reform=tiger_team_package", "uncertainty.point=3"))
    staffing = {k: v for k, v in alone["values"].items() if k.startswith("staffing.")}
    assert staffing and staffing == none["values"]
    for key, value in alone["values"].items():
        assert pkg["values"][key] == value
    assert "reform.tiger_team_package.tech_release_work_factor" in pkg["values"]
    assert "reform.dscs_workforce.p_incomplete_factor" in pkg["values"]


def test_every_drawn_value_is_inside_its_range_and_reaches_the_run(compose):
    p = compose(*TINY, "reform=contracting_standards", "uncertainty.points=5")
    base = resolve(compose(*TINY)).params.process.contracting.work["new_procurement"].median
    for k in range(5):
        q = copy.deepcopy(p)
        q.uncertainty.point = k
        rec = point_record(q)
        factor = rec["values"]["reform.contracting_standards.contracting_work_factor"]
        assert 0.7 <= factor <= 0.97
        for office, ranges in p.staffing.ranges.items():
            share = rec["values"][f"staffing.{office}.effort_share"]
            assert ranges.effort_share.low <= share <= ranges.effort_share.high
        s = resolve(q)
        assert s.params.process.contracting.work["new_procurement"].median == pytest.approx(factor * base, rel=1e-12)
        writers = s.params.staffing.pools["case_writers"]
        assert writers.effort_share == rec["values"]["staffing.case_writers.effort_share"]
        days = p.staffing.stage_days_per_day["case_writers"]
        stated = p.staffing.pools["case_writers"]
        ratio = stated.headcount / np.ceil(stated.effort_share * days / stated.design_load - 1e-9)  # 90 / 91
        sized = np.ceil(writers.effort_share * days / rec["values"]["staffing.case_writers.design_load"] - 1e-9)
        assert writers.headcount == int(np.floor(sized * ratio + 0.5))


def test_shared_draws_put_every_office_at_one_quantile_and_own_draws_apart(compose):
    shared = point_record(compose(*TINY, "uncertainty.point=2"))
    own = point_record(compose(*TINY, "uncertainty.point=2", "uncertainty.offices=own"))
    assert set(shared["quantiles"]) == {"staffing.effort_share", "staffing.design_load"}
    assert len(own["quantiles"]) == 10 and len(set(own["quantiles"].values())) == 10
    assert point_record(compose(*TINY, "reform=contracting_standards", "uncertainty.point=2",
                                "uncertainty.inputs=levers"))["quantiles"].keys() == {
        "reform.contracting_standards.contracting_work_factor", "reform.contracting_standards.contracting_sigma_factor"}


def test_every_point_is_feasible_even_where_the_ranges_are_not(compose):
    """Ranges that allow share > 1 - load: the load is drawn inside what the share leaves."""
    p = compose(*TINY, "uncertainty.points=40", "uncertainty.offices=own")
    for ranges in p.staffing.ranges.values():
        ranges.effort_share.high = 0.45
        ranges.design_load.high = 0.95
    for k in range(40):
        q = copy.deepcopy(p)
        q.uncertainty.point = k
        for staff in resolve(q).params.staffing.pools.values():
            assert staff.effort_share <= 1 - staff.design_load + 1e-12


def _zero_width(p):
    for lv in p.reform.levers.values():
        from sim.model.lever_ranges import sized

        levers = sized(lv)
        lv.ranges = {k: LeverRange(levers[k], levers[k], r.tag, r.source) for k, r in lv.ranges.items()}
    for office, ranges in p.staffing.ranges.items():
        staff = p.staffing.pools[office]
        ranges.effort_share = LeverRange(staff.effort_share, staff.effort_share, "ESTIMATE", "zero width")
        ranges.design_load = LeverRange(staff.design_load, staff.design_load, "ESTIMATE", "zero width")
    return p


def test_zero_width_ranges_give_exactly_the_point_runs_numbers(compose):
    point = _zero_width(compose(*TINY, "reform=contracting_standards"))
    drawn = copy.deepcopy(point)
    drawn.uncertainty.point = 1
    a, b = resolve(point), resolve(drawn)
    assert a.params.process == b.params.process and a.headcounts == b.headcounts and a.policy == b.policy
    ra, rb = simulate(a, 0), simulate(b, 0)
    assert ra.cases.equals(rb.cases) and ra.end_day == rb.end_day


@pytest.mark.parametrize("overrides,words", [
    (("uncertainty.point=10",), "uncertainty.point=10; allowed: null (every input at its likely value) or a point"
                                " of the design, 0 to 9"),
    (("uncertainty.points=0",), "uncertainty.points=0; allowed: a whole number of design points from 1"),
    (("uncertainty.offices=each",), "uncertainty.offices='each'; allowed: shared, own"),
    (("uncertainty.inputs=lever",), "uncertainty.inputs='lever'; allowed: all, levers, staffing"),
    (("uncertainty.point=1", "reform=contracting_standards", "reform.assume=high"),
     "reform.assume=high with uncertainty.point=1"),
    (("uncertainty.point=1", "staffing.size_to_load=0.7"), "staffing.size_to_load=0.7 with uncertainty.point=1"),
    (("breakeven.target_days=0",), "breakeven.target_days=0.0; allowed: the days to save, above 0"),
    (("breakeven.metric=open_cases",), "breakeven.metric='open_cases'; allowed: lor_to_offer, lor_to_contract"),
])
def test_bad_uncertainty_settings_are_named(compose, overrides, words):
    with pytest.raises(ConfigError) as e:  # the bridge checks as it composes: the first problem, in those words
        compose(*TINY, *overrides)
    assert words in str(e.value)


def test_a_headcount_set_by_hand_keeps_its_ratio_to_the_design(compose):
    """Twice the office's design headcount stays about twice the re-sized one at every point (it was replaced)."""
    for k in (1, 4):
        plain = resolve(compose(*TINY, f"uncertainty.point={k}")).headcounts["case_writers"]
        doubled = resolve(compose(*TINY, f"uncertainty.point={k}", "staffing.pools.case_writers.headcount=182"))
        assert abs(doubled.headcounts["case_writers"] - 2 * plain) <= 0.02 * 2 * plain  # 90 of 91 vs 182 of 91
