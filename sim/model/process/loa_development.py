"""LOA development: pricing and case writing by the case-writer pool.

The published LOA-development figures (by LOA group A/B/C) include the DSCA/State policy
review, so the model draws one *LOA work content* per case from its group's distribution and
splits it: ``1 - share`` is case writing (here), ``share`` is policy review
(``policy_review``).  Writing plus review therefore reproduces the published distribution when
nobody waits, and nothing is counted twice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case

POOL = "case_writers"


def work_content(m: "StageContext", case: "Case", visit: int = 0) -> float:
    """Total LOA work (writing + review) of this case's visit, in days."""
    u = m.banks["loa_development"].row(case.id, visit)
    return m.p.loa_development.work[case.loa_group].from_uniform(u[0])


def writing_days(m: "StageContext", content: float) -> float:
    return content * (1.0 - m.p.policy_review.share_of_loa_work)


def run(m: "StageContext", case: "Case", content: float, stage: str = "loa_development") -> "Process":
    yield from m.work(case, stage, m.pools[POOL], writing_days(m, content))
