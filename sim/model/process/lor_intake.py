"""LOR intake and validation by implementing-agency case managers.

Each visit holds a case manager for the validation work; with probability ``p_incomplete``
the LOR is incomplete and goes back to the partner and its security cooperation office,
who take the ``rework`` delay to fix it before it is validated again (a loop that can repeat).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case

POOL = "case_managers"


def run(m: "StageContext", case: "Case") -> "Process":
    p = m.p.lor_intake
    bank = m.banks["lor_intake"]
    pool = m.pools[POOL]
    while True:
        u = bank.row(case.id, case.next_visit("lor_intake"))
        yield from m.work(case, "lor_intake", pool, p.work.from_uniform(u[0]))
        if u[1] >= p.p_incomplete:
            case.lor_complete = m.env.now
            return
        yield from m.delay(case, "lor_rework", p.rework.from_uniform(u[2]))
