"""Helpers for model tests: a fake draw bank, hand-made cases, exact timelines."""
from __future__ import annotations

import numpy as np

from sim.engine.rng import RandomStreams
from sim.model.entities import NORMAL, Case
from sim.model.fms_model import FmsModel
from sim.model.params import Params


class FakeBank:
    """Stands in for a DrawBank: preset uniforms per visit (default: 0.5 in every slot)."""

    def __init__(self, visits: dict[int, list[float]] | None = None, slots: int = 3) -> None:
        self.visits = visits or {}
        self.slots = slots

    def row(self, case_id: int, visit: int = 0) -> np.ndarray:
        return np.asarray(self.visits.get(visit, [0.5] * self.slots), dtype=float)


def make_case(case_id: int = 0, **kw) -> Case:
    attrs = dict(partner="Testland", partner_group="other", loa_group="B", value_musd=5.0, mde_musd=0.0,
                 tech_release=False, acquisition="on_contract", platform="", quantity=0, priority=NORMAL)
    attrs.update(kw)
    return Case(id=case_id, **attrs)


def start(m: FmsModel, case: Case, at: float = 0.0) -> Case:
    """Start one hand-made case's flow at day ``at`` (no random arrivals)."""
    def go():
        yield m.env.timeout(at)
        m.admit(case)

    m.env.process(go())
    return case


def model(params: Params, seed: int = 1) -> FmsModel:
    return FmsModel(params, RandomStreams(seed, 0))


def timeline(m: FmsModel, case_id: int) -> list[tuple[str, float, float, float]]:
    """(stage, arrived, started, finished) of one case, in order."""
    return [(s, a, b, f) for (cid, s, _pool, a, b, f) in m.visits if cid == case_id]
