"""Congressional review under AECA section 36(b).

A case is notified when its MDE value or its total value reaches (>=) the threshold for its
partner group.  Notified cases go through informal tiered review (a fixed period by partner
group), possibly a hold (probability ``p_hold``, heavy-tailed length), then the formal
notification period (15 or 30 days).  Cases below the thresholds skip the stage.  No pool:
committee time is a delay, not office capacity.  Building Partner Capacity cases are funded by U.S.
appropriations, not sold: they are not notified under 36(b) unless ``notify_bpc``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case
    from sim.model.params import CongressionalReviewParams


def is_notified(c: "CongressionalReviewParams", partner_group: str, value_musd: float, mde_musd: float) -> bool:
    """The 36(b) rule: MDE >= MDE threshold or total value >= total threshold."""
    return mde_musd >= c.mde_threshold[partner_group] or value_musd >= c.total_threshold[partner_group]


def case_notified(c: "CongressionalReviewParams", case: "Case") -> bool:
    """Whether ``case`` is notified: the 36(b) rule, for a sale (a BPC case only when ``notify_bpc``)."""
    notifiable = case.funding == "fms" or c.notify_bpc  # BPC cases are not sales under AECA 36(b)
    return notifiable and is_notified(c, case.partner_group, case.value_musd, case.mde_musd)


def period(c: "CongressionalReviewParams", partner_group: str, u_hold: float, u_length: float) -> float:
    """Informal review, a hold (when ``u_hold < p_hold``, of length drawn from ``u_length``), formal period."""
    hold = c.hold.from_uniform(u_length) if u_hold < c.p_hold else 0.0
    return c.informal_days[partner_group] + hold + c.formal_days[partner_group]


def review_days(m: "StageContext", case: "Case") -> float:
    u = m.banks["congressional_review"].row(case.id, 0)
    return period(m.p.congressional_review, case.partner_group, u[0], u[1])


def run(m: "StageContext", case: "Case") -> "Process":
    c = m.p.congressional_review
    case.notified = case_notified(c, case)
    if case.notified:
        yield from m.delay(case, "congressional_review", review_days(m, case))
