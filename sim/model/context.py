"""What a process stage may use of the model: the :class:`StageContext` protocol.

Stages in ``sim.model.process`` are written against this small interface, not against
:class:`~sim.model.fms_model.FmsModel`, so they can be read (and tested) on their own and the model
module depends on them, never the other way round.  ``FmsModel`` satisfies it.
"""
from __future__ import annotations

from typing import Mapping, Protocol

import simpy

from sim.engine.core import Entity, Process
from sim.engine.pool import Pool
from sim.engine.rng import DrawBank
from sim.model.entities import Case, Document
from sim.model.offices import Office
from sim.model.params import ProcessParams
from sim.model.reform import Policy

__all__ = ["Process", "StageContext"]  # ``Process`` (from ``sim.engine.core``) is re-exported for the stages


class StageContext(Protocol):
    """The model as one stage sees it."""

    env: simpy.Environment
    p: ProcessParams  # process parameters, reform levers already applied
    policy: Policy  # behavioural switches selected by reforms
    pools: dict[str, Office]  # staff pools by name (slots or portfolio)
    lines: dict[str, Pool]  # production lines by platform family
    line_rate: dict[str, float]  # units per year, by platform family
    banks: Mapping[str, DrawBank]  # per-stage draw banks (``sim.model.process.BANKS``)

    def work(self, entity: Case | Document, stage: str, pool: Office, duration: float) -> Process:
        """Office work of drawn length ``duration`` days: one slot held for it, or, at a portfolio pool, its
        effort worked by one person and its waits on others (``FmsModel.work``); records the visit."""
        ...

    def delay(self, entity: Entity, stage: str, duration: float) -> Process:
        """Let ``duration`` days pass without a resource, record the visit."""
        ...

    def add_document(self, doc: Document) -> None:
        """An amendment or modification arrived (it is reported with its case)."""
        ...

    def through(self, case: Case) -> None:
        """``case`` was delivered or withdrawn (the run ends when every cohort case is)."""
        ...

    def case_done(self, case: Case) -> None:
        """``case`` closed or was withdrawn."""
        ...
