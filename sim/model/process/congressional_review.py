"""Congressional review under AECA section 36(b).

A case is notified when its MDE value or its total value reaches (>=) the threshold for its
partner group.  Notified cases go through informal tiered review (a fixed period by partner
group), possibly a hold (probability ``p_hold``, heavy-tailed length), then the formal
notification period (15 or 30 days).  Cases below the thresholds skip the stage.  No pool:
committee time is a delay, not office capacity.
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


def review_days(m: "StageContext", case: "Case") -> float:
    c = m.p.congressional_review
    u = m.banks["congressional_review"].row(case.id, 0)
    hold = c.hold.from_uniform(u[1]) if u[0] < c.p_hold else 0.0
    g = case.partner_group
    return c.informal_days[g] + hold + c.formal_days[g]


def run(m: "StageContext", case: "Case") -> "Process":
    c = m.p.congressional_review
    case.notified = is_notified(c, case.partner_group, case.value_musd, case.mde_musd)
    if case.notified:
        yield from m.delay(case, "congressional_review", review_days(m, case))
