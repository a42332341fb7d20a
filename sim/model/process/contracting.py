"""Contract award by the contracting-officer pool, by acquisition type.

Cases supplied from stock skip contracting (``contract_awarded`` stays missing).  After each
round of contracting work the partner changes its requirements with probability
``p_requirement_change``: the partner's own ``change_delay`` passes, then a
``change_rework_share`` of a fresh contracting draw is redone at the pool (a loop that can
repeat).  This is the cause of many acquisition delays in the DoD IG and GAO samples.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case

POOL = "contracting_officers"


def run(m: "StageContext", case: "Case") -> "Process":
    if case.acquisition == "stock":
        return
    c = m.p.contracting
    dist = c.work[case.acquisition]
    bank = m.banks["contracting"]
    pool = m.pools[POOL]
    share = 1.0
    while True:
        u = bank.row(case.id, case.next_visit("contracting"))
        yield from m.work(case, "contracting", pool, share * dist.from_uniform(u[0]))
        if u[1] >= c.p_requirement_change:
            break
        yield from m.delay(case, "requirement_change", c.change_delay.from_uniform(u[2]))
        share = c.change_rework_share
    case.contract_awarded = m.env.now
