"""Transport and delivery to the partner, then case closure (affects open-case counts and documents only)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case


def run(m: "StageContext", case: "Case") -> "Process":
    u = m.banks["delivery"].row(case.id, 0)
    yield from m.delay(case, "delivery", m.p.delivery.work.from_uniform(u[0]))
    case.delivered = m.env.now


def close(m: "StageContext", case: "Case") -> "Process":
    """The closure work, then closed: at once, or when its last amendment or modification in process ends
    (a case cannot close with a document open; no new one starts meanwhile)."""
    u = m.banks["closure"].row(case.id, 0)
    yield from m.delay(case, "closure", m.p.closure.work.from_uniform(u[0]))
    case.closing = True
    if case.open_documents:
        case.close_wait = m.env.event()
        yield case.close_wait
    case.closed = m.env.now
