"""When each case's amendments and modifications would arrive: drawn once, when the case is created.

Documents of one kind arrive at a case as a Poisson stream from its LOR, at the yearly rate of the case's
LOA group (``process.amendments.per_year`` / ``process.modifications.per_year``).  The gaps come from slot 0
of the kind's own draw bank (``amendments`` / ``modifications``), visit ``seq - 1`` for document ``seq``,
so the plan depends only on the case id and its group: every scenario sees the same planned times.  The
plan is a list of offsets from the LOR; which documents *happen* depends on the case's life in that
scenario (only while it is implemented and not yet closed, ``sim.model.process.documents``).
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

from sim.engine.clock import DAYS_PER_YEAR, years
from sim.engine.rng import DrawBank
from sim.model.params import DOCUMENTS, DocumentParams

PLAN_YEARS = 40.0  # [MODEL] documents are planned up to this long after the LOR (no case stays open longer)

Planned = tuple[float, str, int]  # (days after the LOR, kind, seq 1, 2, ...)


def _offsets(bank: DrawBank, case_id: int, per_year: float) -> list[float]:
    if per_year <= 0:
        return []
    mean_gap = DAYS_PER_YEAR / per_year
    limit = years(PLAN_YEARS)
    out: list[float] = []
    t = 0.0
    gaps = (-np.log(bank.column(case_id, 0)) * mean_gap).tolist()
    visit = 0
    while True:
        gap = gaps[visit] if visit < len(gaps) else -math.log(bank.u(case_id, visit, 0)) * mean_gap
        t += gap
        if t >= limit:
            return out
        out.append(t)
        visit += 1


def plan_documents(banks: Mapping[str, DrawBank], params: Mapping[str, DocumentParams], case_id: int,
                   group: str) -> tuple[Planned, ...]:
    """Every planned document of case ``case_id`` (LOA group ``group``), in time order."""
    plan: list[Planned] = []
    for kind in DOCUMENTS:
        rate = params[kind].per_year.get(group, 0.0)
        plan.extend((t, kind, seq) for seq, t in enumerate(_offsets(banks[kind], case_id, rate), start=1))
    plan.sort()
    return tuple(plan)
