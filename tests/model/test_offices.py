"""Offices with the portfolio discipline inside the FMS model: effort and waits, desks, pools by discipline."""
from __future__ import annotations

import math

import pytest

from helpers import make_case, model, start, timeline
from sim.engine.pool import Pool
from sim.engine.portfolio import PortfolioPool
from sim.model.offices import desk_arcs
from sim.model.params import BpcParams, DemandParams, Partner, PoolStaff


def _portfolio(det_params, pool="case_writers", **kw):
    staff = det_params.staffing.pools[pool]
    det_params.staffing.pools[pool] = PoolStaff(headcount=kw.pop("headcount", 1), caseload=staff.caseload,
                                                discipline="portfolio", **kw)
    return det_params


def test_wait_share_keeps_the_stage_time_at_the_design_load():
    s = PoolStaff(discipline="portfolio", effort_share=0.1, design_load=0.8)
    assert s.wait_share() == pytest.approx(0.5)  # 0.1 effort stretched 5-fold at load 0.8 + 0.5 waits = 1
    assert PoolStaff(discipline="portfolio", effort_share=1.0).wait_share() == 0.0


def test_a_lone_case_takes_its_drawn_stage_time_split_into_waits_and_effort(det_params):
    # group B content 100, writing 80: effort 0.25 x 80 = 20, waits 80 x (1 - 0.25 / 0.5) = 40
    m = model(_portfolio(det_params, effort_share=0.25, design_load=0.5))
    start(m, make_case(0), at=0)
    m.env.run()
    assert timeline(m, 0)[1] == ("loa_development", 3, 3, 63)
    v = [x for x in m.visits if x[1] == "loa_development"][0]
    assert v[2] == "case_writers" and v[6:] == (40, 20)
    assert isinstance(m.pools["case_writers"], PortfolioPool) and isinstance(m.pools["policy_reviewers"], Pool)


def test_two_cases_of_one_writer_share_the_effort(det_params):
    m = model(_portfolio(det_params, effort_share=0.25, design_load=0.5))
    start(m, make_case(0), at=0)
    start(m, make_case(1), at=0)
    m.env.run()
    # intake: 3 days each (slots); both wait 40, then 20 of effort each at half speed: 40 more
    assert [timeline(m, c)[1] for c in (0, 1)] == [("loa_development", 3, 3, 83)] * 2


def test_two_writers_with_desks_work_in_parallel(det_params):
    m = model(_portfolio(det_params, headcount=2, effort_share=0.25, design_load=0.5, pooling=1.0))
    start(m, make_case(0), at=0)
    start(m, make_case(1), at=0)
    m.env.run()
    assert [timeline(m, c)[1] for c in (0, 1)] == [("loa_development", 3, 3, 63)] * 2  # pooled: one each


def test_desk_arcs_follow_each_partners_share_of_all_lors():
    d = DemandParams(partners=[Partner("A", "other", 3.0), Partner("B", "other", 1.0)],
                     bpc=BpcParams(share=0.2, partners=[Partner("B", "other", 1.0), Partner("C", "other", 1.0)]))
    arcs = desk_arcs(d)
    assert arcs["A"] == pytest.approx((0.0, 0.6))
    assert arcs["B"] == pytest.approx((0.6, 0.2 + 0.1))
    assert arcs["C"] == pytest.approx((0.9, 0.1))


def test_portfolio_parameters_are_checked(det_params):
    from sim.model.checks import validate_params

    _portfolio(det_params, effort_share=0.5, design_load=0.8, pooling=1.5, max_cases=0, switching_cost=-1)
    problems = "; ".join(validate_params(det_params))
    assert "effort_share=0.5 at design_load=0.8 is infeasible" in problems
    assert "allowed: effort_share <= 1 - design_load (0.2)" in problems
    assert "staffing.pools.case_writers.pooling=1.5; allowed: 0 <= share <= 1" in problems
    assert "staffing.pools.case_writers.max_cases=0" in problems
    assert "staffing.pools.case_writers.switching_cost" in problems
    det_params.staffing.pools["case_writers"].discipline = "queue"
    assert "discipline='queue'; allowed: slots, portfolio" in "; ".join(validate_params(det_params))


def test_offices_resized_to_a_stated_load_keep_their_stage_times(compose):
    from sim.model.reform import apply
    from sim.model.sizing import resized

    p = compose("staffing.size_to_load=0.5", "staffing.pools.case_writers.effort_share=0.05")
    pools = resized(p.staffing)
    cw = pools["case_writers"]
    assert cw.headcount == math.ceil(0.05 * 676.7 / 0.5) == 68
    assert cw.design_load == pytest.approx(0.05 * 676.7 / 68)
    assert cw.wait_share() == pytest.approx(1 - 0.05 / (1 - 0.05 * 676.7 / 68))
    # multipliers act after the re-sizing and change the load, not the waits
    scaled, _ = apply(compose("staffing.size_to_load=0.5", "staffing.pools.case_writers.effort_share=0.05",
                              "reform=more_staff"))
    assert scaled.staffing.pools["case_writers"].headcount == round(68 * 1.2)
    assert scaled.staffing.pools["case_writers"].design_load == cw.design_load
    assert resized(compose().staffing) == compose().staffing.pools  # null: the stated headcounts


def test_a_resized_office_that_cannot_keep_its_stage_times_is_refused(compose):
    from sim.config import ConfigError, compose_config, to_params

    with pytest.raises(ConfigError, match=r"case_writers: effort_share=0.25 at design_load=0.846 \(re-sized by "
                                          r"staffing.size_to_load=0.85 to 200 people\) is infeasible"):
        to_params(compose_config(["staffing.size_to_load=0.85", "staffing.pools.case_writers.effort_share=0.25"]))
    with pytest.raises(ConfigError, match=r"staffing.size_to_load=1.5; allowed"):
        to_params(compose_config(["staffing.size_to_load=1.5"]))


def test_one_effort_share_for_every_office(compose):
    from sim.model.sizing import resized

    pools = resized(compose("staffing.effort_share=0.05").staffing)
    assert {s.effort_share for s in pools.values()} == {0.05}
    assert pools["case_writers"].headcount == compose().staffing.pools["case_writers"].headcount  # not re-sized


def test_a_small_effort_share_raises_the_comfortable_caseload_with_the_mean_portfolio(compose):
    """Found by a breaker review: at share 0.035 people carry ~21 cases, above the stated comfortable 15, so
    juggling costs stretched the stage times the re-sizing promises to keep."""
    from sim.model.sizing import resized

    cw = resized(compose("staffing.size_to_load=0.75", "staffing.effort_share=0.035").staffing)["case_writers"]
    assert cw.headcount == 32 and cw.caseload == math.ceil(2 * 676.7 / 32) and cw.max_cases == 2 * cw.caseload
    same = resized(compose("staffing.size_to_load=0.75", "staffing.effort_share=0.25").staffing)["case_writers"]
    assert (same.caseload, same.max_cases) == (15, 30)  # never below the stated ones


@pytest.mark.parametrize("override, needle", [
    ("staffing.size_to_load=1e-9", "people (headcount, staffing.size_to_load, staffing.scale and reforms together); "
                                   "allowed: at most 100,000"),
    ("staffing.scale.case_writers=10000", "staffing.pools.case_writers: 9e+05 people"),
    ("staffing.pools.case_writers.max_cases=5", "max_cases=5; allowed: null (no cap) or an integer >= caseload (15"),
])
def test_offices_too_large_to_simulate_or_with_a_cap_below_comfort_are_refused(override, needle):
    from sim.config import ConfigError, compose_config, to_params

    with pytest.raises(ConfigError) as e:
        to_params(compose_config([override]))
    assert needle in str(e.value)


def test_portfolio_keys_without_a_portfolio_office_are_refused():
    from sim.config import ConfigError, compose_config, to_params

    with pytest.raises(ConfigError, match="staffing.effort_share=0.05 has no effect: no office has discipline"):
        to_params(compose_config(["staffing=slots", "staffing.effort_share=0.05"]))
