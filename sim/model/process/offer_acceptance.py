"""LOA offer and acceptance, bounded by the offer expiration date (OED).

The partner signs and pays within the OED (acceptance time capped at it).  With
probability ``p_expire`` the offer expires at the OED instead; the expired offer is then
restated (probability ``p_restate``: a ``restate_share`` of LOA development and policy review
is redone, queueing at those pools again, with no second notification, and the LOA is offered
again) or the case is withdrawn (``p_withdraw``).  ``loa_offered`` keeps the first offer date.
Building Partner Capacity cases have their own acceptance time and a shorter offer expiration.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generator

import simpy

from sim.model.process import loa_development, policy_review

if TYPE_CHECKING:
    from sim.model.context import StageContext
    from sim.model.entities import Case


def run(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, bool]:
    """Returns (via StopIteration value) True if accepted, False if withdrawn."""
    o = m.p.offer_acceptance
    acceptance, oed = ((o.bpc_acceptance, o.bpc_offer_expiry_days) if case.funding == "bpc"
                       else (o.acceptance, o.offer_expiry_days))
    bank = m.banks["offer_acceptance"]
    if case.loa_offered != case.loa_offered:  # NaN: first offer
        case.loa_offered = m.env.now
    while True:
        u = bank.row(case.id, case.next_visit("offer_acceptance"))
        if u[0] >= o.p_expire:
            yield from m.delay(case, "offer_acceptance", min(acceptance.from_uniform(u[1]), oed))
            case.loa_accepted = m.env.now
            return True
        yield from m.delay(case, "offer_acceptance", oed)
        if not (yield from _restated(m, case, u[2])):
            return False


def _restated(m: "StageContext", case: "Case", u: float) -> Generator[simpy.Event, Any, bool]:
    """An expired offer: restated (its share of LOA development and policy review redone; True) or withdrawn."""
    o = m.p.offer_acceptance
    if u >= o.p_restate:
        return False
    visit = case.next_visit("loa_development")
    content = loa_development.work_content(m, case, visit) * o.restate_share
    yield from loa_development.run(m, case, content, stage="restatement")
    yield from policy_review.run(m, case, content, stage="restatement")
    return True


def after_expiry(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, bool]:
    """A start state's offer that has expired on the run's clock (``sim.model.start``): restated (True) or
    withdrawn, drawn from the stage's own bank as an offer cycle would."""
    u = m.banks["offer_acceptance"].row(case.id, case.next_visit("offer_acceptance"))
    return (yield from _restated(m, case, float(u[2])))
