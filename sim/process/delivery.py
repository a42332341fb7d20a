"""Transport and delivery to the partner, then case closure (affects open-case counts only)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Generator

if TYPE_CHECKING:
    from sim.entities import Case
    from sim.model import FmsModel


def run(m: "FmsModel", case: "Case") -> Generator:
    u = m.banks["delivery"].row(case.id, 0)
    yield from m.delay(case, "delivery", m.p.delivery.work.from_uniform(u[0]))
    case.delivered = m.env.now


def close(m: "FmsModel", case: "Case") -> Generator:
    u = m.banks["closure"].row(case.id, 0)
    yield from m.delay(case, "closure", m.p.closure.work.from_uniform(u[0]))
    case.closed = m.env.now
