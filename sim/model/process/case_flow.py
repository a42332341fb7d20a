"""The life of one case: the stages chained in process order (SimPy's "car" process)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.process import (
    congressional_review,
    contracting,
    delivery,
    documents,
    implementation,
    loa_development,
    lor_intake,
    offer_acceptance,
    policy_review,
    production,
    tech_release,
)

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case


def _reviews_in_sequence(m: "StageContext", case: "Case", content: float) -> "Process":
    yield from tech_release.run(m, case)
    yield from loa_development.run(m, case, content)
    yield from policy_review.run(m, case, content)


def _reviews_in_parallel(m: "StageContext", case: "Case", content: float) -> "Process":
    """Technology release and policy review overlap LOA development: the longest branch decides."""
    env = m.env
    branches = [env.process(tech_release.run(m, case)), env.process(loa_development.run(m, case, content)),
                env.process(policy_review.run(m, case, content))]
    yield env.all_of(branches)


def case_flow(m: "StageContext", case: "Case") -> "Process":
    yield from lor_intake.run(m, case)
    content = loa_development.work_content(m, case, case.next_visit("loa_development"))
    if m.policy.parallel_reviews:
        yield from _reviews_in_parallel(m, case, content)
    else:
        yield from _reviews_in_sequence(m, case, content)
    yield from congressional_review.run(m, case)
    accepted = yield from offer_acceptance.run(m, case)
    if not accepted:
        case.withdrawn = m.env.now
        m.case_done(case)
        return
    yield from implementation.run(m, case)
    if case.documents:
        m.env.process(documents.schedule(m, case))
    yield from contracting.run(m, case)
    yield from production.run(m, case)
    yield from delivery.run(m, case)
    yield from delivery.close(m, case)
    m.case_done(case)
