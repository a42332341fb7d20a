"""Amendments and modifications of implemented cases, written by the same offices as the LOAs.

From implementation on, a case's planned documents (``sim.model.document_plan``) arrive at their drawn
times; one whose time comes before implementation, or after the case's closure work is done, does not
happen.  A case closes only when its documents in process have ended (``delivery.close``).  Each
document is a process of its own, queueing by its parent's priority:

- an **amendment** (a scope change) is written by the case writers and reviewed by the policy reviewers,
  as an LOA is (a ``work_share`` of a fresh draw of the parent group's LOA work content, split between
  writing and review by ``policy_review.share_of_loa_work``); it is notified to Congress again when its
  added value (or added MDE) reaches the thresholds, or when it enhances or upgrades a notified case before
  delivery (AECA 36(b)(5)(C)), then offered, and accepted by the partner within the offer expiration;
- a **modification** (no scope change) is written only: it needs no review, notification or signature,
  so it is offered, accepted and finished when written.

Its value is a ``value_share`` of the parent's value; its MDE share is the parent's.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Optional

import simpy

from sim.model.entities import Document
from sim.model.process import congressional_review, loa_development, policy_review

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case

WRITERS, REVIEWERS = loa_development.POOL, policy_review.POOL


def schedule(m: "StageContext", case: "Case", first: int = 0,
             wait: Optional[simpy.Event] = None) -> "Process":
    """Start each planned document at its time while the case is implemented and not closed.  It holds the case
    only weakly while it waits, so a closed case is freed at once, not at its next planned time (which may be
    years later).  ``first``, ``wait``: resumed at a saved instant, waiting for document ``first`` of the plan
    (``sim.model.resume``)."""
    env = m.env
    plan, lor = case.documents, case.lor_received
    ref = weakref.ref(case)
    del case
    for k in range(first, len(plan)):
        offset, kind, planned = plan[k]
        if wait is not None:
            yield wait
            wait = None
        else:
            t = lor + offset
            if t < env.now:
                continue  # planned before the case was implemented: it does not happen
            yield env.timeout(t - env.now)
        live = ref()  # None only once the case is done (the model holds every live case)
        if live is None or live.closing:  # closed, or its closure work done: no more documents
            return
        live.open_documents += 1
        env.process(amendment(m, live, planned) if kind == "amendment" else modification(m, live, planned))
        del live


def _done(doc: Document) -> None:
    doc.flow = None
    case = doc.parent
    case.open_documents -= 1
    if case.open_documents == 0 and case.close_wait is not None:
        case.close_wait.succeed()


def _content(m: "StageContext", group: str, u: float, share: float) -> float:
    return m.p.loa_development.work[group].from_uniform(u) * share


def amendment(m: "StageContext", case: "Case", planned: int) -> "Process":
    a = m.p.amendments
    u = m.banks["amendment"].row(case.id, planned - 1)
    value = case.value_musd * a.value_share.from_uniform(u[1])
    mde = value * (case.mde_musd / case.value_musd) if case.value_musd > 0 else 0.0
    doc = Document(case, "amendment", planned, value, mde, arrived=m.env.now)
    c = m.p.congressional_review
    if case.funding == "fms" or c.notify_bpc:
        enhances = case.notified and case.delivered != case.delivered and bool(u[2] < a.p_enhancement)
        doc.notified = enhances or congressional_review.is_notified(c, case.partner_group, value, mde)
    m.add_document(doc)
    yield from amendment_flow(m, doc)


def amendment_flow(m: "StageContext", doc: Document) -> "Process":
    """An amendment from writing to acceptance (a saved state's is replayed to where it stood: every time it
    records, but the offer's, comes after its last visit)."""
    case = doc.parent
    a, c = m.p.amendments, m.p.congressional_review
    u = m.banks["amendment"].row(case.id, doc.planned_seq - 1)
    content = _content(m, a.work_group.get(case.loa_group, case.loa_group), u[3], a.work_share)
    yield from m.work(doc, "amendment_writing", m.pools[WRITERS], loa_development.writing_days(m, content))
    days = policy_review.review_days(m, content)
    if days > 0:
        yield from m.work(doc, "amendment_review", m.pools[REVIEWERS], days)
    if doc.notified:
        yield from m.delay(doc, "amendment_notification",
                           congressional_review.period(c, case.partner_group, u[5], u[6]))
    if doc.offered != doc.offered:  # NaN: not yet offered (replayed, it keeps its date)
        doc.offered = m.env.now
    o = m.p.offer_acceptance
    acceptance, oed = ((o.bpc_acceptance, o.bpc_offer_expiry_days) if case.funding == "bpc"
                       else (o.acceptance, o.offer_expiry_days))
    yield from m.delay(doc, "amendment_acceptance", min(acceptance.from_uniform(u[4]), oed))
    doc.accepted = doc.finished = m.env.now
    _done(doc)


def modification(m: "StageContext", case: "Case", planned: int) -> "Process":
    d = m.p.modifications
    u = m.banks["modification"].row(case.id, planned - 1)
    doc = Document(case, "modification", planned, case.value_musd * d.value_share.from_uniform(u[2]), 0.0,
                   arrived=m.env.now)
    m.add_document(doc)
    yield from modification_flow(m, doc)


def modification_flow(m: "StageContext", doc: Document) -> "Process":
    """A modification written, offered and accepted at once (replayed as :func:`amendment_flow`)."""
    case = doc.parent
    d = m.p.modifications
    u = m.banks["modification"].row(case.id, doc.planned_seq - 1)
    content = _content(m, d.work_group.get(case.loa_group, case.loa_group), u[1], d.work_share)
    yield from m.work(doc, "modification_writing", m.pools[WRITERS], content)
    doc.offered = doc.accepted = doc.finished = m.env.now
    _done(doc)
