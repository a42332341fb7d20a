"""FMS cases and how their attributes are drawn, once, at creation.

A case's attributes (partner, LOA group, value, MDE value, technology-release flag,
acquisition type, platform family and quantity, priority, SDAF coverage) come from the ``case_attrs`` draw
bank, indexed by the case id alone: the same case id gets the same attributes in every
scenario, whatever the arrival order or the reform.  Whether a case is notified to Congress
is not drawn: it follows from its values and the thresholds (``congressional_review``).
"""
from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field

from sim.engine.rng import DrawBank
from sim.model.params import ACQUISITION_TYPES, LOA_GROUPS, DemandParams
from sim.model.reform import Policy

NAN = math.nan

# slots of the case_attrs bank
(S_PARTNER, S_GROUP, S_VALUE, S_HAS_MDE, S_MDE_FRAC, S_TECH, S_ACQ, S_MAJOR,
 S_PLATFORM, S_QTY, S_URGENT, S_SDAF) = range(12)
ATTR_SLOTS = 12

URGENT, NORMAL = 0, 1  # queue priorities: lower is served first


@dataclass(eq=False)
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
    lor_received: float = NAN
    loa_offered: float = NAN
    loa_accepted: float = NAN
    contract_awarded: float = NAN
    delivered: float = NAN
    closed: float = NAN
    withdrawn: float = NAN
    notified: bool = False
    visits: dict[str, int] = field(default_factory=dict)  # stage -> visits started so far

    def next_visit(self, stage: str) -> int:
        """Visit index (0, 1, ...) for this stage; increments the counter."""
        v = self.visits.get(stage, 0)
        self.visits[stage] = v + 1
        return v


def _cumulative(weights: list[float]) -> list[float]:
    total = float(sum(weights))
    return list(itertools.accumulate(w / total for w in weights))


def _pick(cum: list[float], u: float) -> int:
    return min(bisect.bisect_right(cum, u), len(cum) - 1)


class CaseFactory:
    """Turns a case id into a :class:`Case` using only that id's pre-drawn uniforms."""

    def __init__(self, demand: DemandParams, bank: DrawBank, policy: Policy = Policy()) -> None:
        self.d = demand
        self.bank = bank
        self.partners = demand.partners
        self.partner_cum = _cumulative([p.weight for p in demand.partners])
        self.group_cum = _cumulative([demand.groups[g].share for g in LOA_GROUPS])
        self.acq_cum = {
            g: _cumulative([demand.groups[g].acquisition[a] for a in ACQUISITION_TYPES]) for g in LOA_GROUPS
        }
        weights = [p.weight for p in demand.platforms]
        self.platform_cum = _cumulative(weights) if sum(weights) > 0 else []
        self.policy = policy

    def make(self, case_id: int) -> Case:
        u = self.bank.row(case_id)
        partner = self.partners[_pick(self.partner_cum, u[S_PARTNER])]
        group = LOA_GROUPS[_pick(self.group_cum, u[S_GROUP])]
        mix = self.d.groups[group]
        value = mix.value.from_uniform(u[S_VALUE])
        mde = value * min(1.0, mix.mde_fraction.from_uniform(u[S_MDE_FRAC])) if u[S_HAS_MDE] < mix.p_mde else 0.0
        acquisition = ACQUISITION_TYPES[_pick(self.acq_cum[group], u[S_ACQ])]
        platform, quantity = "", 0
        if acquisition == "new_procurement" and u[S_MAJOR] < mix.p_major_platform and self.platform_cum:
            fam = self.d.platforms[_pick(self.platform_cum, u[S_PLATFORM])]
            platform = fam.name
            quantity = max(1, int(round(fam.quantity.from_uniform(u[S_QTY]))))
        pol = self.policy
        urgent = (u[S_URGENT] < self.d.urgent_share or partner.name in pol.priority_partners
                  or (platform != "" and platform in pol.priority_platforms))
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
        )
