"""The screening estimate of a headcount change: the processor-sharing formula, by hand, and where it is refused."""
from __future__ import annotations

import copy
import math

import pytest

from sim.app.choices import Choice
from sim.app.paths import MEASURES, path_days
from sim.app.screening import screen
from sim.app.staffing_estimate import lead_time_changes, office_change, portfolio_pmf
from sim.model.params import Hire, PoolStaff, StaffPlan


def _office(**kw) -> PoolStaff:
    base = dict(discipline="portfolio", headcount=14, effort_share=0.1, design_load=0.75, caseload=15,
                max_cases=30, switching_cost=0.02, pooling=0.0)
    return PoolStaff(**{**base, **kw})


def test_the_formula_by_hand():
    """100 drawn stage-days a day at effort share 0.1: 10 person-days of effort a day; 14 people run at 10/14, 16 at
    10/16, and a case's hands-on work stretches by 1/(1 - load): 14/4 = 3.5 before, 16/6 after."""
    ch = office_change("x", _office(), None, 100.0, 16)
    assert ch.load_before == pytest.approx(10 / 14) and ch.load_after == pytest.approx(10 / 16)
    assert ch.stretch_change == pytest.approx(16 / 6 - 14 / 4)
    days = lead_time_changes({"x": ch}, {"x": _office()}, {"x": {"m": 50.0}}, ("m",))
    assert days["m"] == pytest.approx(0.1 * 50.0 * (16 / 6 - 14 / 4))  # -4.17 days


def test_more_case_managers_in_the_baseline_by_hand(baseline_params):
    """LOR intake is on every lead time's path: triangular(1, 3, 10) days, repeated for an incomplete LOR (p 0.25),
    34.0 drawn stage-days a day at effort share 0.1; 5 -> 6 case managers."""
    intake = (1 + 3 + 10) / 3 / (1 - 0.25)
    expected = 0.1 * intake * (1 / (1 - 3.4 / 6) - 1 / (1 - 3.4 / 5))
    estimates, changes = screen(baseline_params, Choice(headcounts={"case_managers": 6}), None)
    assert [e.measure for e in estimates] == list(MEASURES)
    assert all(e.days == pytest.approx(expected) and e.error is None for e in estimates)
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


def test_a_persons_portfolio_is_poisson_plus_geometric():
    pmf = portfolio_pmf(4.0, 0.6)
    assert sum(pmf) == pytest.approx(1.0, abs=1e-10)
    assert sum(k * p for k, p in enumerate(pmf)) == pytest.approx(4.0 + 0.6 / 0.4, rel=1e-9)
    assert pmf[0] == pytest.approx(0.4 * math.exp(-4.0))


@pytest.mark.parametrize("kw, plan, days, to, why", [
    ({"pooling": 0.3}, None, 100.0, 16, "pooling 0.3"),
    ({"discipline": "slots"}, None, 100.0, 16, "first come first served"),
    ({}, StaffPlan(hires=[Hire(year=3.0, headcount=2)]), 100.0, 16, "staffing.plans"),
    ({}, StaffPlan(attrition_per_year=0.05), 100.0, 16, "steady state"),
    ({}, None, 100.0, 10, "cannot keep up"),  # load 1.0 at 10 people
    ({}, None, 100.0, 11, "caseload"),  # load 0.91: portfolios above 15 cases too often
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
