"""Case implementation after acceptance (DSCA/DFAS set up funds and records): a delay."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case


def run(m: "StageContext", case: "Case") -> "Process":
    u = m.banks["implementation"].row(case.id, 0)
    yield from m.delay(case, "implementation", m.p.implementation.work.from_uniform(u[0]))
    case.implemented = m.env.now
