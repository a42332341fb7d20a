"""Technology-release / foreign-disclosure review, for cases flagged at creation."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case

POOL = "tech_reviewers"


def run(m: "StageContext", case: "Case") -> "Process":
    if not case.tech_release:
        return
    u = m.banks["tech_release"].row(case.id, case.next_visit("tech_release"))
    yield from m.work(case, "tech_release", m.pools[POOL], m.p.tech_release.work.from_uniform(u[0]))
