"""Policy review of the draft LOA by DSCA and the State Department (reviewer pool).

Its duration is the review share of the case's LOA work content (see ``loa_development``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case

POOL = "policy_reviewers"


def review_days(m: "StageContext", content: float) -> float:
    return content * m.p.policy_review.share_of_loa_work


def run(m: "StageContext", case: "Case", content: float, stage: str = "policy_review") -> "Process":
    days = review_days(m, content)
    if days > 0:
        yield from m.work(case, stage, m.pools[POOL], days)
