"""FMS cases and how their attributes are drawn, once, at creation.

A case's attributes (partner, LOA group, value, MDE value, technology-release flag,
acquisition type, platform family and quantity, priority, SDAF coverage) come from the ``case_attrs`` draw
bank, indexed by the case id alone: the same case id gets the same attributes in every
scenario, whatever the arrival order or the reform.  Whether a case is notified to Congress
is not drawn: it follows from its values and the thresholds (``congressional_review``).

A case's funding (partner-funded ``fms`` or Building Partner Capacity ``bpc``) comes with its LOR
(``arrivals``); a BPC case is in Group D and its partner is one of ``demand.bpc.partners``.  The times of
its amendments and modifications are planned at creation too (``document_plan``).  A :class:`Document`
is one amendment or modification that happened: it queues at the same offices as the cases.
"""
from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from sim.engine.portable_math import plain_sum
from sim.engine.rng import DrawBank
from sim.model.document_plan import Planned
from sim.model.params import ACQUISITION_TYPES, FMS_GROUPS, DemandParams
from sim.model.reform import Policy

NAN = math.nan

# slots of the case_attrs bank
(S_PARTNER, S_GROUP, S_VALUE, S_HAS_MDE, S_MDE_FRAC, S_TECH, S_ACQ, S_MAJOR,
 S_PLATFORM, S_QTY, S_URGENT, S_SDAF) = range(12)
ATTR_SLOTS = 12

URGENT, NORMAL = 0, 1  # queue priorities: lower is served first


@dataclass(eq=False, slots=True, weakref_slot=True)  # slots: many live cases; weakref: documents.schedule
class Case:
    """One FMS case: attributes fixed at creation, milestones filled in as it moves (days)."""

    id: int
    partner: str
    partner_group: str
    loa_group: str
    value_musd: float
    mde_musd: float
    tech_release: bool
    acquisition: str
    platform: str  # "" unless a new-procurement major platform
    quantity: int
    priority: int
    sdaf: bool = False  # long-lead items bought ahead through the SDAF (a reform's coverage)
    funding: str = "fms"  # fms (partner-funded) | bpc (Building Partner Capacity, U.S. appropriations)
    source_id: int = -1  # a start state's case: its own number in the state file (sim.model.start); -1 otherwise
    documents: tuple[Planned, ...] = ()  # planned amendments and modifications (days after the LOR)
    desk: float = 0.0  # place on every office's desk circle, in [0, 1) (portfolio pools; set on admission)
    pool_draw: float = 1.0  # uniform: the case goes to the least-loaded person where it is below ``pooling``
    lor_received: float = NAN
    lor_complete: float = NAN  # the LOR validated, after any intake rework
    loa_offered: float = NAN
    loa_accepted: float = NAN
    implemented: float = NAN
    contract_awarded: float = NAN
    delivered: float = NAN
    closed: float = NAN
    withdrawn: float = NAN
    notified: bool = False
    visits: dict[str, int] = field(default_factory=dict)  # stage -> visits started so far
    # where the case stands on its route (sim.model.process.case_flow.ROUTE): the step, since when, and what a
    # step hands the next (the LOA work content drawn after intake); None before admission and after the end
    step: Optional[str] = None
    step_since: float = NAN
    step_visits: Optional[dict[str, int]] = None  # the visit counters when the step began (a saved state replays it)
    flow: Any = None  # its SimPy process while it is open (a saved state reads where it stands: sim.model.checkpoint)
    schedule: Any = None  # the process that starts its amendments and modifications (documents.schedule)
    loa_content: float = NAN
    open_documents: int = 0  # amendments and modifications in process: the case cannot close before they end
    closing: bool = False  # the closure work is done; no new document starts
    close_wait: Any = None  # the event closure waits on while documents are in process

    def next_visit(self, stage: str) -> int:
        """Visit index (0, 1, ...) for this stage; increments the counter."""
        v = self.visits.get(stage, 0)
        self.visits[stage] = v + 1
        return v


@dataclass(eq=False, slots=True)
class Document:
    """One amendment or modification of an implemented case (``id`` and ``priority`` are its parent's)."""

    parent: Case
    kind: str  # amendment | modification
    planned_seq: int  # its number in the parent's planned stream of this kind (1, 2, ...): the key of its draws
    value_musd: float  # the value it adds
    mde_musd: float
    notified: bool = False
    arrived: float = NAN
    offered: float = NAN
    accepted: float = NAN
    finished: float = NAN
    flow: Any = None  # its SimPy process while it is in process (sim.model.checkpoint)

    @property
    def id(self) -> int:
        return self.parent.id

    @property
    def priority(self) -> int:
        return self.parent.priority

    @property
    def desk(self) -> float:
        return self.parent.desk

    @property
    def pool_draw(self) -> float:
        return self.parent.pool_draw


def _cumulative(weights: list[float]) -> list[float]:
    total = plain_sum(weights)
    return list(itertools.accumulate(w / total for w in weights))


def _pick(cum: list[float], u: float) -> int:
    return min(bisect.bisect_right(cum, u), len(cum) - 1)


class CaseFactory:
    """Turns a case id into a :class:`Case` using only that id's pre-drawn uniforms."""

    def __init__(self, demand: DemandParams, bank: DrawBank, policy: Policy = Policy(),
                 uptake: Optional[DrawBank] = None,
                 planner: Optional[Callable[[int, str], tuple[Planned, ...]]] = None) -> None:
        self.d = demand
        self.bank = bank
        self.partners = {"fms": demand.partners, "bpc": demand.bpc.partners}
        self.partner_cum = {"fms": _cumulative([p.weight for p in demand.partners]),
                            "bpc": _cumulative([p.weight for p in demand.bpc.partners] or [1.0])}
        self.group_cum = _cumulative([demand.groups[g].share for g in FMS_GROUPS])
        self.acq_cum = {
            g: _cumulative([m.acquisition[a] for a in ACQUISITION_TYPES]) for g, m in demand.groups.items()
        }
        self.planner = planner
        weights = [p.weight for p in demand.platforms]
        self.platform_cum = _cumulative(weights) if plain_sum(weights) > 0 else []
        self.policy = policy
        self.uptake = uptake  # a partly enacted priority list reaches a case when its draw is below policy.uptake

    def listed(self, case_id: int, partner: str, platform: str) -> bool:
        """Whether a priority list reaches the case: its partner or platform is listed and, under a partly enacted
        reform, its own uptake draw is below ``policy.uptake``."""
        pol = self.policy
        listed = partner in pol.priority_partners or (platform != "" and platform in pol.priority_platforms)
        if listed and pol.uptake < 1.0:
            listed = self.uptake is not None and bool(self.uptake.row(case_id)[0] < pol.uptake)
        return listed

    def make(self, case_id: int, funding: str = "fms") -> Case:
        u = self.bank.row(case_id)
        partner = self.partners[funding][_pick(self.partner_cum[funding], u[S_PARTNER])]
        group = "D" if funding == "bpc" else FMS_GROUPS[_pick(self.group_cum, u[S_GROUP])]
        mix = self.d.groups[group]
        value = mix.value.from_uniform(u[S_VALUE]) * self.d.value_factor.get(partner.group, 1.0)
        mde = value * min(1.0, mix.mde_fraction.from_uniform(u[S_MDE_FRAC])) if u[S_HAS_MDE] < mix.p_mde else 0.0
        acquisition = ACQUISITION_TYPES[_pick(self.acq_cum[group], u[S_ACQ])]
        platform, quantity = "", 0
        if acquisition == "new_procurement" and u[S_MAJOR] < mix.p_major_platform and self.platform_cum:
            fam = self.d.platforms[_pick(self.platform_cum, u[S_PLATFORM])]
            platform = fam.name
            quantity = max(1, int(round(fam.quantity.from_uniform(u[S_QTY]))))
        pol = self.policy
        urgent = u[S_URGENT] < self.d.urgent_share or self.listed(case_id, partner.name, platform)
        return Case(
            id=case_id,
            partner=partner.name,
            partner_group=partner.group,
            loa_group=group,
            value_musd=value,
            mde_musd=mde,
            tech_release=bool(u[S_TECH] < mix.p_tech_release),
            acquisition=acquisition,
            platform=platform,
            quantity=quantity,
            priority=URGENT if urgent else NORMAL,
            sdaf=bool(acquisition != "stock" and u[S_SDAF] < pol.sdaf_share),
            funding=funding,
            documents=() if self.planner is None else self.planner(case_id, group),
        )
