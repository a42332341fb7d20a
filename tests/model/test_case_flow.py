"""Exact timings of whole case paths with deterministic durations (SimPy log style)."""
from __future__ import annotations

import math

from helpers import make_case, model, start, timeline


def test_notified_case_with_tech_release_follows_every_stage(det_params):
    m = model(det_params)
    # other partner, $60M total -> notified (>= $50M); tech release; on an existing contract
    c = start(m, make_case(value_musd=60.0, tech_release=True, acquisition="on_contract"))
    m.env.run()
    assert timeline(m, 0) == [
        ("lor_intake", 0, 0, 3),
        ("tech_release", 3, 3, 33),
        ("loa_development", 33, 33, 113),  # 80% of the group-B content 100
        ("policy_review", 113, 113, 133),  # 20% of it
        ("congressional_review", 133, 133, 203),  # informal 40 + formal 30 (other partners)
        ("offer_acceptance", 203, 203, 248),
        ("implementation", 248, 248, 262),
        ("contracting", 262, 262, 307),
        ("production", 307, 307, 672),
        ("delivery", 672, 672, 717),
        ("closure", 717, 717, 1082),
    ]
    assert c.notified
    assert (c.loa_offered, c.loa_accepted, c.contract_awarded, c.delivered, c.closed) == (203, 248, 307, 717, 1082)
    assert math.isnan(c.withdrawn)


def test_stock_case_below_thresholds_skips_review_contracting_and_production(det_params):
    m = model(det_params)
    c = start(m, make_case(loa_group="A", value_musd=5.0, acquisition="stock"))
    m.env.run()
    assert [s for s, *_ in timeline(m, 0)] == [
        "lor_intake", "loa_development", "policy_review", "offer_acceptance", "implementation", "delivery", "closure",
    ]
    assert not c.notified
    assert math.isnan(c.contract_awarded)
    # 3 + 40 + 10 + 45 + 14 + 45 = 157 to delivery, +365 to closure
    assert (c.loa_offered, c.delivered, c.closed) == (53, 157, 522)


def test_nato5_notification_uses_the_shorter_periods(det_params):
    m = model(det_params)
    c = start(m, make_case(partner_group="nato5", value_musd=100.0))
    m.env.run()
    review = [v for v in timeline(m, 0) if v[0] == "congressional_review"]
    assert review == [("congressional_review", 103, 103, 138)]  # informal 20 + formal 15
    assert c.notified


def test_major_platform_holds_its_line_for_quantity_over_rate(det_params):
    det_params.staffing.production_lines["fighter_aircraft"] = 36.525  # 0.1 unit a day
    m = model(det_params)
    a = start(m, make_case(0, acquisition="new_procurement", platform="fighter_aircraft", quantity=10))
    b = start(m, make_case(1, acquisition="new_procurement", platform="fighter_aircraft", quantity=5))
    m.env.run()
    line_a = [v for v in timeline(m, 0) if v[0] == "production_line"]
    line_b = [v for v in timeline(m, 1) if v[0] == "production_line"]
    # both reach production at 3+80+20+45+14+240 = 402; a holds the line 100 days, b waits then 50 days
    assert line_a == [("production_line", 402, 402, 502)]
    assert line_b == [("production_line", 402, 502, 552)]
    assert a.delivered == 502 + 1000 + 45
    assert b.delivered == 552 + 1000 + 45


def test_the_route_is_data_and_a_case_records_the_step_it_is_at(det_params):
    """Issue 21 item 4: where a case stands is state on the case (the step and since when, the LOA content handed
    on, the visit counters), not only a generator's position; stepping the clock shows it move along ROUTE."""
    from sim.model.process.case_flow import ROUTE

    assert [s.name for s in ROUTE] == ["lor_intake", "reviews", "congressional_review", "offer_acceptance",
                                       "implementation", "contracting", "production", "delivery", "closure"]
    m = model(det_params)
    c = start(m, make_case(value_musd=60.0, tech_release=True, acquisition="on_contract"))
    seen = []
    for day in (1, 50, 150, 220, 250, 280, 400, 700, 900):  # inside each step of the timeline above
        m.env.run(until=day)
        seen.append((c.step, c.step_since))
    assert seen == [("lor_intake", 0), ("reviews", 3), ("congressional_review", 133), ("offer_acceptance", 203),
                    ("implementation", 248), ("contracting", 262), ("production", 307), ("delivery", 672),
                    ("closure", 717)]
    assert c.loa_content == 100.0 and c.visits["loa_development"] == 1 and c.visits["lor_intake"] == 1
    m.env.run()
    assert c.step is None and c.closed == 1082  # done: off the route


def test_a_withdrawn_case_leaves_the_route_at_the_offer(det_params):
    det_params.process.offer_acceptance.p_expire = 0.999999  # the offer expires ...
    det_params.process.offer_acceptance.p_restate = 0.0  # ... and is withdrawn
    det_params.process.offer_acceptance.p_withdraw = 1.0
    m = model(det_params)
    c = start(m, make_case(loa_group="A", value_musd=5.0, acquisition="stock"))
    m.env.run()
    assert c.step is None and not math.isnan(c.withdrawn) and math.isnan(c.implemented)
