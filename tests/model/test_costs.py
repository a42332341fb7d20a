"""sim.model.costs: what a reform costs a year, from added people and its own cost, or unknown (issue 23, item 6)."""
from __future__ import annotations

import pytest

from sim.config import ConfigError
from sim.model.costs import added_people, reform_cost
from sim.model.levers import ReformLevers
from sim.model.reform import staffed

TINY = ("debug=tiny",)


def test_no_reform_costs_nothing(compose):
    c = reform_cost(compose(*TINY))
    assert c["known"] and c["likely"] == c["low"] == c["high"] == 0.0 and c["added_people"] == {}


def test_added_staff_cost_their_person_years_at_each_end(compose):
    p = compose(*TINY, "reform=more_contracting_officers")
    base = staffed(p.staffing, ReformLevers())["contracting_officers"].headcount
    added = added_people(p)["contracting_officers"]
    assert added == round(base * 1.2) - base and added > 0
    item = p.staffing.person_year_cost["contracting_officers"]
    c = reform_cost(p)
    assert c["known"] and c["likely"] == pytest.approx(added * item.likely)
    assert (c["low"], c["high"]) == pytest.approx((added * item.low, added * item.high))
    half = reform_cost(compose(*TINY, "reform=more_contracting_officers", "reform.strength=0.5"))
    assert half["likely"] == pytest.approx(c["likely"] / 2)


def test_a_package_adds_its_reforms_costs(compose):
    parts = [reform_cost(compose(*TINY, f"reform={r}")) for r in ("more_staff_offices", "more_contracting_officers")]
    whole = reform_cost(compose(*TINY, "reform=more_staff"))
    assert whole["likely"] == pytest.approx(sum(p["likely"] for p in parts))
    both = reform_cost(compose(*TINY, "reform=[sdaf_prebuy,dscs_workforce]"))
    assert both["likely"] == pytest.approx(22 + 45) and both["high"] == pytest.approx(40 + 90)


def test_a_reform_without_a_cost_figure_has_an_unknown_cost_not_zero(compose):
    for reform in ("contracting_standards", "tiger_team_package"):
        c = reform_cost(compose(*TINY, f"reform={reform}"))
        assert not c["known"] and c["likely"] is None and "contracting_standards" in c["unknown"]


@pytest.mark.parametrize("override,words", [
    ("reform.levers.sdaf_prebuy.cost.low=30", "reform.levers.sdaf_prebuy.cost: low=30.0, likely=22.0, high=40.0; "
                                              "allowed: 0 <= low <= likely <= high"),
    ("reform.levers.sdaf_prebuy.cost.tag=GUESS", "reform.levers.sdaf_prebuy.cost.tag='GUESS'; allowed: STATUTE"),
    ("reform.levers.sdaf_prebuy.cost.scales_with=line_rate_factor",
     "reform.levers.sdaf_prebuy.cost.scales_with='line_rate_factor': not a lever the reform sizes; allowed: "
     "sdaf_share, sdaf_days_saved"),
])
def test_bad_cost_figures_are_named(compose, override, words):
    with pytest.raises(ConfigError) as e:
        compose(*TINY, "reform=sdaf_prebuy", override)
    assert words in str(e.value)


def test_the_cost_follows_the_levers_and_offices_the_run_has(compose):
    """At reform.assume=high the SDAF share doubles (0.1 -> 0.2) and so does its capital; at an uncertainty point the
    offices are re-sized, and the added people are counted on them."""
    from sim.model.uncertainty import at_point

    assert reform_cost(compose(*TINY, "reform=sdaf_prebuy", "reform.assume=high"))["likely"] == pytest.approx(44.0)
    p = compose(*TINY, "reform=more_staff_offices", "uncertainty.point=0")
    drawn = at_point(p)
    base = staffed(drawn.staffing, ReformLevers())
    full = staffed(drawn.staffing, drawn.reform.levers["more_staff_offices"])
    expected = {o: full[o].headcount - base[o].headcount for o in full if full[o].headcount != base[o].headcount}
    assert added_people(p) == expected
    assert expected != added_people(compose(*TINY, "reform=more_staff_offices"))  # the re-sized offices differ
