"""Rework loops (incomplete LOR, expired offer, requirement change) with preset draws."""
from __future__ import annotations

import math

import pytest

from helpers import FakeBank, make_case, model, start, timeline


def test_incomplete_lor_goes_back_to_the_partner_until_complete(det_params):
    det_params.process.lor_intake.p_incomplete = 0.3
    m = model(det_params)
    # slot 1 < 0.3 means incomplete: visits 0 and 1 incomplete, visit 2 complete
    m.banks["lor_intake"] = FakeBank({0: [0.5, 0.1, 0.5], 1: [0.5, 0.2, 0.5], 2: [0.5, 0.9, 0.5]})
    start(m, make_case())
    m.env.run()
    assert timeline(m, 0)[:6] == [
        ("lor_intake", 0, 0, 3), ("lor_rework", 3, 3, 23),
        ("lor_intake", 23, 23, 26), ("lor_rework", 26, 26, 46),
        ("lor_intake", 46, 46, 49),
        ("loa_development", 49, 49, 129),
    ]


def test_expired_offer_is_restated_then_accepted(det_params):
    o = det_params.process.offer_acceptance
    o.p_expire, o.p_restate, o.p_withdraw = 0.5, 0.5, 0.5
    m = model(det_params)
    # visit 0: expires (slot0 < .5), restated (slot2 < .5); visit 1: accepted
    m.banks["offer_acceptance"] = FakeBank({0: [0.1, 0.5, 0.1], 1: [0.9, 0.5, 0.9]})
    c = start(m, make_case())
    m.env.run()
    t = timeline(m, 0)
    i = [s for s, *_ in t].index("offer_acceptance")
    assert t[i:i + 4] == [
        ("offer_acceptance", 103, 103, 188),  # waits the full 85-day OED
        ("restatement", 188, 188, 228),  # 50% of content 100, writing share 80% -> 40
        ("restatement", 228, 228, 238),  # review share 20% of 50 -> 10
        ("offer_acceptance", 238, 238, 283),
    ]
    assert c.loa_offered == 103  # the first offer
    assert c.loa_accepted == 283


def test_expired_offer_can_end_in_withdrawal(det_params):
    o = det_params.process.offer_acceptance
    o.p_expire, o.p_restate, o.p_withdraw = 0.5, 0.5, 0.5
    m = model(det_params)
    m.banks["offer_acceptance"] = FakeBank({0: [0.1, 0.5, 0.9]})
    c = start(m, make_case())
    m.env.run()
    assert c.withdrawn == 103 + 85
    assert math.isnan(c.loa_accepted) and math.isnan(c.delivered) and math.isnan(c.closed)
    assert m.open_cases == 0


def test_requirement_change_adds_partner_delay_and_partial_rework(det_params):
    det_params.process.contracting.p_requirement_change = 0.5
    m = model(det_params)
    m.banks["contracting"] = FakeBank({0: [0.5, 0.1, 0.5], 1: [0.5, 0.9, 0.5]})
    c = start(m, make_case(acquisition="new_procurement"))
    m.env.run()
    t = [v for v in timeline(m, 0) if v[0] in ("contracting", "requirement_change")]
    assert t == [
        ("contracting", 162, 162, 402),
        ("requirement_change", 402, 402, 462),
        ("contracting", 462, 462, 582),  # half of a fresh 240-day draw
    ]
    assert c.contract_awarded == 582


@pytest.mark.parametrize("hold_u, expected_end", [(0.05, 133 + 40 + 100 + 30), (0.5, 133 + 40 + 30)])
def test_hold_in_tiered_review(det_params, hold_u, expected_end):
    det_params.process.congressional_review.p_hold = 0.1
    m = model(det_params)
    m.banks["congressional_review"] = FakeBank({0: [hold_u, 0.5]}, slots=2)
    start(m, make_case(value_musd=60.0, tech_release=True))
    m.env.run()
    review = [v for v in timeline(m, 0) if v[0] == "congressional_review"]
    assert review == [("congressional_review", 133, 133, expected_end)]
