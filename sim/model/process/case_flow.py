"""The life of one case: a route of steps in process order (SimPy's "car" process, with its place as data).

``ROUTE`` lists the steps; ``case_flow`` walks it, and before each step records on the case where it stands
(``case.step`` and ``case.step_since``) and what one step hands the next (``case.loa_content``, the LOA work
drawn after intake).  Together with each stage's visit counters (``case.visits``, which fix the draws of every
loop round) this is the case's progress as data: the next issue saves and resumes it.  A step returns False to
end the case early (an expired offer withdrawn); a step's branches (the reviews in sequence or in parallel) are
chosen by the policy.  No step adds a SimPy event of its own, so the route changes no number.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Generator, Optional

import simpy

from sim.model.process import (
    UPTAKE,
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

# a resumed case's segment is a path of parts (sim.model.segment_paths): the stage, the office that works it ("" for
# time that holds none) and its nominal days; an offer path that ends at the offer's expiry ends in OFFER_EXPIRES
Part = tuple[str, str, float]
OFFER_EXPIRES = "offer_expires"

if TYPE_CHECKING:
    from sim.model.context import StageContext
    from sim.model.entities import Case

StepRun = Callable[["StageContext", "Case"], Generator[simpy.Event, Any, Optional[bool]]]


@dataclass(frozen=True)
class Step:
    name: str
    run: StepRun


def _intake(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, None]:
    yield from lor_intake.run(m, case)
    case.loa_content = loa_development.work_content(m, case, case.next_visit("loa_development"))


def _reviews(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, None]:
    """Technology release, LOA development and policy review: in sequence, or (``parallel_reviews``) overlapping,
    the longest branch deciding."""
    content = case.loa_content
    pol = m.policy
    if pol.parallel_reviews and (pol.uptake >= 1.0 or m.banks[UPTAKE].row(case.id)[1] < pol.uptake):
        env = m.env
        yield env.all_of([env.process(tech_release.run(m, case)),
                          env.process(loa_development.run(m, case, content)),
                          env.process(policy_review.run(m, case, content))])
    else:
        yield from tech_release.run(m, case)
        yield from loa_development.run(m, case, content)
        yield from policy_review.run(m, case, content)


def _offer(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, bool]:
    accepted = yield from offer_acceptance.run(m, case)
    if not accepted:
        case.withdrawn = m.env.now
        m.through(case)
    return accepted


def _delivery(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, None]:
    yield from delivery.run(m, case)
    m.through(case)


def _implementation(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, None]:
    yield from implementation.run(m, case)
    if case.documents:  # amendments and modifications run beside the case from now on
        case.schedule = m.env.process(documents.schedule(m, case))


ROUTE: tuple[Step, ...] = (
    Step("lor_intake", _intake),
    Step("reviews", _reviews),
    Step("congressional_review", congressional_review.run),
    Step("offer_acceptance", _offer),
    Step("implementation", _implementation),
    Step("contracting", contracting.run),
    Step("production", production.run),
    Step("delivery", _delivery),
    Step("closure", delivery.close),
)


def case_flow(m: "StageContext", case: "Case") -> Generator[simpy.Event, Any, None]:
    yield from _walk(m, case, 0)


def _walk(m: "StageContext", case: "Case", first: int,
          replay: Optional["StageContext"] = None) -> Generator[simpy.Event, Any, None]:
    """The route from step ``first``; ``replay``: that step is under way at a saved instant, and goes on through
    this view of the model, which replays it to where it stood (``sim.model.resume``)."""
    for step in ROUTE[first:]:
        if replay is None:
            case.step, case.step_since, case.step_visits = step.name, m.env.now, case.visits.copy()
            if (yield from step.run(m, case)) is False:
                break
        else:
            context, replay = replay, None
            if (yield from step.run(context, case)) is False:
                break
    case.step = None
    m.case_done(case)


def continue_walk(m: "StageContext", case: "Case", step: str,
                  replay: "StageContext") -> Generator[simpy.Event, Any, None]:
    """A case of an exact state (``sim.model.resume``): its step ``step`` replayed through ``replay`` to the
    instant saved, then the route on from there."""
    yield from _walk(m, case, STEP_INDEX[step], replay)


STEP_INDEX = {step.name: k for k, step in enumerate(ROUTE)}
# the parallel reviews' branches (``_reviews``): a saved state names a finished one by its (stage, office)
REVIEW_BRANCHES = {tech_release.run.__code__: ("tech_release", tech_release.POOL),
                   loa_development.run.__code__: ("loa_development", loa_development.POOL),
                   policy_review.run.__code__: ("policy_review", policy_review.POOL)}

# a resumed case (sim.model.start): after the segment it stands in, the route goes on from this step
RESUME_AT = {"lor_intake": "reviews", "reviews": "offer_acceptance", "offer_expired": "offer_acceptance",
             "offer_acceptance": "implementation",
             "implementation": "contracting", "contracting": "production", "production": "closure", "closure": None}


def _resume_segment(m: "StageContext", case: "Case", path: tuple[Part, ...]) -> Generator[simpy.Event, Any, None]:
    """The parts of its segment a resumed case has left (``sim.model.segment_paths.remaining_path``): each at its
    office, or as a plain wait when it holds none."""
    for stage, pool, days in path:
        if pool:
            yield from m.work(case, stage, m.pools[pool], days)
        else:
            yield m.env.timeout(days)


def resume_flow(m: "StageContext", case: "Case", segment: str,
                path: tuple[Part, ...]) -> Generator[simpy.Event, Any, None]:
    """A case of a start state: what is left of the segment it stands in (``path``, ``sim.model.start``), the
    milestone that ends it, then the route from the next step as any case."""
    case.step, case.step_since = segment, m.env.now
    yield from _resume_segment(m, case, path)
    if segment == "lor_intake":
        case.lor_complete = m.env.now
        case.loa_content = loa_development.work_content(m, case, case.next_visit("loa_development"))
    elif segment == "reviews":  # the congressional review is part of the segment (notified: sim.model.start)
        pass
    elif segment == "offer_expired" or (segment == "offer_acceptance" and path and path[-1][0] == OFFER_EXPIRES):
        # an offer expired before day 0 or on the run's clock: restated or withdrawn, as the offer stage decides
        if not (yield from offer_acceptance.after_expiry(m, case)):
            case.withdrawn = m.env.now
            m.through(case)
            case.step = None
            m.case_done(case)
            return
        segment = "offer_expired"  # restated: offered again
    elif segment == "offer_acceptance":
        case.loa_accepted = m.env.now
    elif segment == "implementation":
        case.implemented = m.env.now
        if case.documents:
            case.schedule = m.env.process(documents.schedule(m, case))
    elif segment == "contracting":
        case.contract_awarded = m.env.now
    elif segment == "production":
        case.delivered = m.env.now
        m.through(case)
    else:  # closure: the closure work is done; a document in process holds the case open until it ends
        case.closing = True
        if case.open_documents:
            case.close_wait = m.env.event()
            yield case.close_wait
        case.closed = m.env.now
    nxt = RESUME_AT[segment]
    yield from _walk(m, case, len(ROUTE) if nxt is None else [s.name for s in ROUTE].index(nxt))
