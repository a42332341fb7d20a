"""When each case's amendments and modifications would arrive: drawn once, when the case is created.

Documents of one kind arrive at a case as a Poisson stream from its LOR, at the yearly rate of the case's
LOA group (``process.amendments.per_year`` / ``process.modifications.per_year``).  The gaps come from slot 0
of the kind's own draw bank (``amendment`` / ``modification``), visit ``seq - 1`` for document ``seq``, and
past the pre-drawn visits from the case's own overflow stream (``DrawBank.beyond``), so the plan depends
only on the case id and its group: every scenario sees the same planned times.  The
plan is a list of offsets from the LOR; which documents *happen* depends on the case's life in that
scenario (only while it is implemented and not yet closed, ``sim.model.process.documents``).
"""
from __future__ import annotations

import math
from typing import Mapping

from sim.engine.clock import DAYS_PER_YEAR, years
from sim.engine.portable_math import log
from sim.engine.rng import DrawBank
from sim.model.params import DOCUMENTS, DocumentParams

PLAN_YEARS = 40.0  # [MODEL] documents are planned up to this long after the LOR (no case stays open longer)
OVERFLOW_CHUNK = 16  # gaps drawn at a time once a case's pre-drawn ones are used up

Planned = tuple[float, str, int]  # (days after the LOR, kind, seq 1, 2, ...)


def _offsets(bank: DrawBank, case_id: int, per_year: float, limit: float) -> list[float]:
    """Offsets (days after the LOR) below ``limit``: gaps from the pre-drawn visits, then from the case's
    overflow stream, so the planned times are a prefix of one fixed stream whatever the limit.  Each chunk's gaps
    are summed in order and added to the last time before it; drawing stops at the first time past ``limit``."""
    if per_year <= 0:
        return []
    mean_gap = DAYS_PER_YEAR / per_year
    out: list[float] = []
    base, chunk = 0.0, 0
    uniforms = bank.column(case_id, 0)
    while True:
        run = 0.0
        for u in uniforms.tolist():
            run += -log(u) * mean_gap  # portable log: the same bits on every CPU (np.log's are not)
            t = base + run
            if t >= limit:
                return out
            out.append(t)
        base += run  # the chunk's last time, as computed above
        uniforms = bank.beyond(case_id, OVERFLOW_CHUNK, chunk)
        chunk += 1


def plan_documents(banks: Mapping[str, DrawBank], params: Mapping[str, DocumentParams], case_id: int,
                   group: str, until: float = math.inf) -> tuple[Planned, ...]:
    """Every planned document of case ``case_id`` (LOA group ``group``) within ``until`` days of its LOR (and
    ``PLAN_YEARS``), in time order.  A document planned after the run ends could never happen."""
    limit = float(min(until, years(PLAN_YEARS)))  # a Python float: against a numpy scalar, each comparison is slow
    plan: list[Planned] = []
    for kind in DOCUMENTS:
        rate = params[kind].per_year.get(group, 0.0)
        plan.extend((t, kind, seq) for seq, t in enumerate(_offsets(banks[kind], case_id, rate, limit), start=1))
    plan.sort()
    return tuple(plan)
