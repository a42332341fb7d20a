"""Case implementation after acceptance (DSCA/DFAS set up funds and records): a delay."""
from __future__ import annotations

from typing import TYPE_CHECKING, Generator

if TYPE_CHECKING:
    from sim.entities import Case
    from sim.model import FmsModel


def run(m: "FmsModel", case: "Case") -> Generator:
    u = m.banks["implementation"].row(case.id, 0)
    yield from m.delay(case, "implementation", m.p.implementation.work.from_uniform(u[0]))
