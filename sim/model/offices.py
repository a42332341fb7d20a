"""The offices a case visits: staff pools built by their discipline, and the desk circle.

A ``slots`` pool is a :class:`~sim.engine.pool.Pool` of ``headcount x caseload`` slots; a ``portfolio`` pool is a
:class:`~sim.engine.portfolio.PortfolioPool` of ``headcount`` people (``sim.engine.portfolio`` says how they share
their effort).  In a portfolio pool each person owns an equal arc of the **desk circle** [0, 1), on which every
partner has an arc as wide as its share of all LORs (FMS weights x (1 - BPC share) plus BPC weights x BPC share,
partners in list order, FMS first).  A case's desk is a point drawn uniformly in its partner's arc (bank ``desk``,
slot 0), so a big partner spreads over several people's desks and small ones share a person; its slot 1 decides
whether the case is pooled (goes to the least-loaded person) instead (``pool_draw < pooling``).  Documents use
their parent's desk.  Both draws come from their own bank: the ``slots`` discipline sees none of them.
"""
from __future__ import annotations

from typing import Union

import simpy

from sim.engine.pool import Pool
from sim.engine.portable_math import plain_sum
from sim.engine.portfolio import PortfolioPool
from sim.model.entities import URGENT
from sim.model.params import DemandParams, PoolStaff

Office = Union[Pool, PortfolioPool]
DESK_BANK = "desk"  # (1 visit, 2 slots): desk position within the partner's arc, pooled?


def desk_arcs(demand: DemandParams) -> dict[str, tuple[float, float]]:
    """Partner name -> (start, width) of its arc on the desk circle (widths sum to 1)."""
    weights: dict[str, float] = {}
    lists = [(demand.partners, 1.0 - demand.bpc.share), (demand.bpc.partners, demand.bpc.share)]
    for partners, share in lists:
        total = plain_sum(p.weight for p in partners)
        for p in partners:
            if total > 0 and share > 0:
                weights[p.name] = weights.get(p.name, 0.0) + share * p.weight / total
    grand = plain_sum(weights.values()) or 1.0
    arcs, start = {}, 0.0
    for name, w in weights.items():
        arcs[name] = (start, w / grand)
        start += w / grand
    return arcs


def build_office(env: simpy.Environment, name: str, staff: PoolStaff, priority_attention: float) -> Office:
    """The pool of one office, by its discipline."""
    if staff.discipline == "portfolio":
        return PortfolioPool(env, name, staff.headcount, staff.caseload, staff.switching_cost, staff.max_cases,
                             {URGENT: priority_attention})
    return Pool(env, name, staff.headcount * staff.caseload)
