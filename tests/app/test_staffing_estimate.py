"""The screening estimate of a headcount change: processor sharing with the juggling cost, by hand, against the
reviewer's values and the simulations, and where it is refused."""
from __future__ import annotations

import copy
import math

import pytest

from helpers import stretch_by_hand
from sim.app.choices import Choice
from sim.app.paths import MEASURES, path_days
from sim.app.screening import screen
from sim.app.staffing_estimate import desk, lead_time_changes, office_change
from sim.model.params import Hire, PoolStaff, StaffPlan


def _office(**kw) -> PoolStaff:
    base = dict(discipline="portfolio", headcount=14, effort_share=0.1, design_load=0.75, caseload=15,
                max_cases=30, switching_cost=0.02, pooling=0.0)
    return PoolStaff(**{**base, **kw})


def test_without_the_juggling_cost_the_stretch_is_processor_sharings():
    """No switching cost, no cap: cases waiting on others do not slow anyone, and the cases worked on are
    geometric(load): the stretch is 1 / (1 - load), exactly; with a cap far out, nearly so."""
    for load in (0.1, 0.5, 0.75, 0.9, 0.99):
        d = desk(_office(switching_cost=0.0, max_cases=None), 7.5, load)
        assert d.stretch == pytest.approx(1 / (1 - load), rel=1e-12)
        assert d.held == pytest.approx(7.5 * 0.6) and d.at_cap == 0.0  # waits on others: 1 - 0.1 / 0.25 of D
    far = desk(_office(switching_cost=0.0, max_cases=400), 7.5, 0.75)
    assert far.stretch == pytest.approx(4.0, rel=1e-8) and far.at_cap < 1e-12


def test_the_juggling_rule_by_hand():
    """No waits on others (effort share 0.5 at design load 0.5), comfortable with 1 case, each case above it costing
    all of the productivity again (switching cost 1), at most 3 cases, load 0.5: the terms are 1, 0.5, 0.5 x 0.5 x 2,
    0.5 x 0.5 x 3 x 0.5 x 2 = 1, 0.5, 0.5, 0.75 (sum 2.75): 1.36 cases worked on, a stretch of 2.73 (processor
    sharing alone: 2) and a person full 0.75 / 2.75 of the time."""
    office = _office(effort_share=0.5, design_load=0.5, caseload=1, switching_cost=1.0, max_cases=3)
    d = desk(office, 1.0, 0.5)
    assert d.held == 0.0
    assert d.worked == pytest.approx((0.5 + 2 * 0.5 + 3 * 0.75) / 2.75)
    assert d.stretch == pytest.approx((0.5 + 2 * 0.5 + 3 * 0.75) / 2.75 / 0.5)
    assert d.at_cap == pytest.approx(0.75 / 2.75)


def test_the_juggling_feeds_back():
    """100 drawn stage-days a day at effort share 0.1: 10 person-days of effort a day; 14 people run at 10/14, 16 at
    10/16.  Processor sharing alone stretches 14/4 = 3.5 and 16/6 = 2.67; the juggling cost (caseload 15, 0.02 a
    case) more, and more so at the higher load: the change is larger than processor sharing's."""
    ch = office_change("x", _office(), None, 100.0, 16)
    assert ch.load_before == pytest.approx(10 / 14) and ch.load_after == pytest.approx(10 / 16)
    by_hand = [stretch_by_hand(10 / c, 100 / c * 0.6, 15, 0.02, 30) for c in (14, 16)]
    assert ch.stretch_before == pytest.approx(by_hand[0], rel=1e-9)
    assert ch.stretch_after == pytest.approx(by_hand[1], rel=1e-9)
    assert ch.stretch_before > 14 / 4 and ch.stretch_after > 16 / 6
    assert ch.stretch_change == pytest.approx(by_hand[1] - by_hand[0], rel=1e-9)
    assert ch.stretch_change < 16 / 6 - 14 / 4
    plain = office_change("x", _office(switching_cost=0.0, max_cases=None), None, 100.0, 16)
    assert plain.stretch_change == pytest.approx(16 / 6 - 14 / 4, rel=1e-12)
    days = lead_time_changes({"x": plain}, {"x": _office()}, {"x": {"m": 50.0}}, ("m",))
    assert days["m"] == pytest.approx(0.1 * 50.0 * (16 / 6 - 14 / 4))  # -4.17 days


def test_more_case_managers_in_the_baseline_by_hand(baseline_params):
    """LOR intake is on every lead time's path: triangular(1, 3, 10) days, repeated for an incomplete LOR (p 0.25),
    34.0 drawn stage-days a day at effort share 0.1 (waits on others 1 - 0.1 / (1 - 0.68) of them); 5 -> 6 case
    managers, caseload 15, switching cost 0.02, at most 30 cases."""
    intake = (1 + 3 + 10) / 3 / (1 - 0.25)
    wait = 1 - 0.1 / (1 - 0.68)
    stretch = [stretch_by_hand(3.4 / c, 34.0 / c * wait, 15, 0.02, 30) for c in (5, 6)]
    expected = 0.1 * intake * (stretch[1] - stretch[0])
    estimates, changes = screen(baseline_params, Choice(headcounts={"case_managers": 6}), None)
    assert [e.measure for e in estimates] == list(MEASURES)
    assert all(e.days == pytest.approx(expected, rel=1e-9) and e.error is None for e in estimates)
    assert changes["case_managers"].load_after == pytest.approx(3.4 / 6)


def test_the_paths_by_hand(baseline_params):
    """Technology review on the way to offer: its share of cases by LOA group (A .05, B .2, C .6, D .05; A-C split
    90% of LORs 50/35/15, D the 10% BPC) times the mean of lognormal(30, 0.8)."""
    days = path_days(baseline_params)
    review = 30 * math.exp(0.8 ** 2 / 2)
    share = 0.9 * (0.5 * 0.05 + 0.35 * 0.2 + 0.15 * 0.6) + 0.1 * 0.05
    assert days["tech_reviewers"]["lor_to_offer"] == pytest.approx(share * review)
    assert days["case_managers"]["lor_to_delivery"] == pytest.approx(14 / 3 / 0.75)
    assert days["contracting_officers"]["lor_to_offer"] == 0  # contracting comes after the offer
    # a case's LOA work splits 80/20 between writers and reviewers
    assert days["case_writers"]["lor_to_offer"] == pytest.approx(4 * days["policy_reviewers"]["lor_to_offer"])


# the reviewer's measurements against the baseline (docs/how-to/what-if-page.md): the change, the lead time, the
# product form's value as the reviewer computed it, and the simulated paired change's 95% interval where there is one
@pytest.mark.parametrize("office, to, measure, corrected, interval", [
    ("case_writers", 103, "lor_to_offer", -8.5, (-9.9, -8.3)),
    ("case_writers", 112, "lor_to_offer", -11.0, (-35.9, 13.0)),
    ("case_writers", 135, "lor_to_offer", -14.2, None),
    ("contracting_officers", 134, "lor_to_delivery", -25.7, None),
    ("contracting_officers", 140, "lor_to_contract", -42.5, (-44.5, -18.1)),
    ("contracting_officers", 168, "lor_to_delivery", -36.7, (-42.2, -14.0)),
])
def test_the_baseline_estimates_against_the_reviewers_and_the_simulations(baseline_params, office, to, measure,
                                                                          corrected, interval):
    estimates, _ = screen(baseline_params, Choice(headcounts={office: to}), None)
    days = {e.measure: e.days for e in estimates}[measure]
    assert days == pytest.approx(corrected, abs=0.3)
    if interval:
        assert interval[0] <= days <= interval[1]


def test_a_cut_to_83_case_writers_is_refused_at_the_cap_but_the_product_form_gives_the_reviewers_value(
        baseline_params):
    """At 83 case writers (load 0.815) a person is at the 30-case cap 1.0003% of the time: the page refuses; the
    product form itself gives the reviewer's +12.6 days to the offer (simulated +11.2, one replication)."""
    estimates, _ = screen(baseline_params, Choice(headcounts={"case_writers": 83}), None)
    assert all(e.days is None and "at the cap" in e.note for e in estimates)
    office = baseline_params.staffing.pools["case_writers"]
    stage_days = baseline_params.staffing.stage_days_per_day["case_writers"]
    stretch = [desk(office, stage_days / c, 0.1 * stage_days / c).stretch for c in (90, 83)]
    offer = 0.1 * path_days(baseline_params)["case_writers"]["lor_to_offer"] * (stretch[1] - stretch[0])
    assert offer == pytest.approx(12.6, abs=0.3)
    estimates, _ = screen(baseline_params, Choice(headcounts={"case_writers": 84}), None)
    assert all(e.days is not None and e.days > 0 for e in estimates)  # one more person: an estimate


def test_a_cut_past_what_the_office_can_do_is_refused(baseline_params):
    """676.7 drawn stage-days a day at effort share 0.1: 67 case writers would run at load 1.01."""
    estimates, changes = screen(baseline_params, Choice(headcounts={"case_writers": 67}), None)
    assert changes["case_writers"].load_after == pytest.approx(67.67 / 67)
    assert all(e.days is None and "cannot keep up" in e.note for e in estimates)


@pytest.mark.parametrize("kw, plan, days, to, why", [
    ({"pooling": 0.3}, None, 100.0, 16, "pooling 0.3"),
    ({"discipline": "slots"}, None, 100.0, 16, "first come first served"),
    ({}, StaffPlan(hires=[Hire(year=3.0, headcount=2)]), 100.0, 16, "staffing.plans"),
    ({}, StaffPlan(attrition_per_year=0.05), 100.0, 16, "steady state"),
    ({}, None, 100.0, 10, "cannot keep up"),  # load 1.0 at 10 people
    ({}, None, 100.0, 12, "at the cap"),  # load 0.83: a person at 30 cases 1.5% of the time
    ({"max_cases": None}, None, 100.0, 16, "no steady state"),  # without a cap, past 28 cases juggling runs away
    ({"max_cases": 9, "caseload": 30}, None, 100.0, 16, "cap"),
    ({}, None, None, 16, "no measured stage-days"),
])
def test_no_estimate_where_the_formula_does_not_hold(kw, plan, days, to, why):
    ch = office_change("x", _office(**kw), plan, days, to)
    assert ch.stretch_change is None and why in ch.why


def test_the_page_says_no_estimate_and_why(baseline_params):
    estimates, _ = screen(baseline_params, Choice(headcounts={"case_managers": 4}), None)
    assert all(e.days is None and "no estimate" in e.note and "case managers" in e.note for e in estimates)
    pooled = copy.deepcopy(baseline_params)
    pooled.staffing.pools["case_writers"].pooling = 0.5
    estimates, _ = screen(pooled, Choice(headcounts={"case_writers": 100}), None)
    assert all(e.days is None and "pooling" in e.note for e in estimates)


def test_a_reform_with_a_headcount_change_has_no_estimate(baseline_params):
    estimates, _ = screen(baseline_params, Choice(reforms=("sdaf_prebuy",), headcounts={"case_writers": 100}), None)
    assert all(e.days is None and "interact" in e.note for e in estimates)
    estimates, _ = screen(baseline_params, Choice(), None)
    assert all(e.days == 0.0 for e in estimates)
