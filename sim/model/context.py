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
from sim.model.entities import Document
from sim.model.params import ProcessParams
from sim.model.reform import Policy

__all__ = ["Process", "StageContext"]  # ``Process`` (from ``sim.engine.core``) is re-exported for the stages


class StageContext(Protocol):
    """The model as one stage sees it."""

    env: simpy.Environment
    p: ProcessParams  # process parameters, reform levers already applied
    policy: Policy  # behavioural switches selected by reforms
    pools: dict[str, Pool]  # staff pools by name
    lines: dict[str, Pool]  # production lines by platform family
    line_rate: dict[str, float]  # units per year, by platform family
    banks: Mapping[str, DrawBank]  # per-stage draw banks (``sim.model.process.BANKS``)
    documents: list[Document]  # amendments and modifications, appended as they arrive

    def work(self, entity: Entity, stage: str, pool: Pool, duration: float) -> Process:
        """Queue at ``pool`` by priority, hold one slot for ``duration`` days, record the visit."""
        ...

    def delay(self, entity: Entity, stage: str, duration: float) -> Process:
        """Let ``duration`` days pass without a resource, record the visit."""
        ...

    def case_done(self) -> None:
        """A case closed or was withdrawn."""
        ...
