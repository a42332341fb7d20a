"""Drawn office days on each lead time's path: how much of a case's lead time each office's stages hold.

A case's drawn stage time ``D`` at a portfolio office (``sim.model.params.PoolStaff``) is what processor sharing
stretches: its hands-on share ``effort_share x D`` takes ``stretch`` times as long (``1 / (1 - load)`` without
juggling; ``sim.app.staffing_estimate`` adds the engine's juggling cost).  To turn an office's
stretch into a change of a lead time, the screening estimate (``sim.app.staffing_estimate``) needs the expected
drawn days of that office's stages on the way from LOR to each milestone, per case counted in that lead time.
They follow from the process parameters, by the route of ``sim.model.process.case_flow``:

- **case managers** (LOR intake): ``E[work] / (1 - p_incomplete)`` (an incomplete LOR is validated again);
- **technology reviewers**: ``p_tech_release[group] x E[work]``;
- **case writers** and **policy reviewers**: the LOA work content of the case's group, split by
  ``share_of_loa_work``; after the offer, an expired offer that is restated redoes ``restate_share`` of both
  (``q / (1 - q)`` restatements per accepted case, ``q = p_expire x p_restate``);
- **contracting officers** (cases not supplied from stock): the first round's work, and ``change_rework_share`` of
  a fresh draw for each of the ``p / (1 - p)`` rounds after a requirement change.

Each lead time counts its own cases: LOR to offer every case (LOA groups A, B, C by share of the partner-funded
LORs, group D the BPC share); LOR to contract the accepted cases not supplied from stock; LOR to delivery every
accepted case (offers expire at the same rate in every group, so acceptance does not change the mix).  Amendments
and modifications are worked beside the case, on no lead time's path (they add to the offices' load, which the
measured stage-days per day include).  Means are ``Dist.expected()``: before a cap (the defaults cap none of
these stages).  Pure arithmetic on the parameters.
"""
from __future__ import annotations

from sim.model.params import Params

MEASURES = ("lor_to_offer", "lor_to_contract", "lor_to_delivery")
OFFICES = ("case_managers", "tech_reviewers", "case_writers", "policy_reviewers", "contracting_officers")
NOT_STOCK = ("on_contract", "new_procurement")


def group_weights(params: Params) -> dict[str, float]:
    """Each LOA group's share of all LORs: A, B, C by their share of the partner-funded LORs, D the BPC share."""
    d = params.demand
    fms = {g: mix.share for g, mix in d.groups.items() if g != "D"}
    total = sum(fms.values()) or 1.0
    out = {g: (1.0 - d.bpc.share) * s / total for g, s in fms.items()}
    if d.bpc.share > 0:
        out["D"] = d.bpc.share
    return out


def _not_stock(params: Params, group: str) -> float:
    """The share of a group's cases that go through contracting (not supplied from stock)."""
    mix = params.demand.groups[group].acquisition
    total = sum(mix.values()) or 1.0
    return sum(mix.get(a, 0.0) for a in NOT_STOCK) / total


def _contracting_days(params: Params, group: str) -> float:
    """Expected drawn contracting days of a group's case that is not supplied from stock."""
    c = params.process.contracting
    mix = params.demand.groups[group].acquisition
    through = sum(mix.get(a, 0.0) for a in NOT_STOCK)
    if through <= 0:
        return 0.0
    first = sum(mix.get(a, 0.0) * c.work[a].expected() for a in NOT_STOCK if a in c.work) / through
    p = c.p_requirement_change
    return first * (1.0 + c.change_rework_share * p / (1.0 - p))


def group_days(params: Params, group: str) -> dict[str, dict[str, float]]:
    """Office -> (``before_offer``, ``after_offer``) expected drawn days of one group's case; ``after_offer``
    counts restatements and contracting (the latter for a case not supplied from stock)."""
    p = params.process
    content = p.loa_development.work[group].expected()
    review = p.policy_review.share_of_loa_work
    o = p.offer_acceptance
    q = o.p_expire * o.p_restate
    restatements = q / (1.0 - q) * o.restate_share
    return {
        "case_managers": {"before_offer": p.lor_intake.work.expected() / (1.0 - p.lor_intake.p_incomplete),
                          "after_offer": 0.0},
        "tech_reviewers": {"before_offer": params.demand.groups[group].p_tech_release * p.tech_release.work.expected(),
                           "after_offer": 0.0},
        "case_writers": {"before_offer": (1.0 - review) * content,
                         "after_offer": restatements * (1.0 - review) * content},
        "policy_reviewers": {"before_offer": review * content, "after_offer": restatements * review * content},
        "contracting_officers": {"before_offer": 0.0, "after_offer": _contracting_days(params, group)},
    }


def path_days(params: Params) -> dict[str, dict[str, float]]:
    """Office -> lead time -> expected drawn days of that office's stages on the lead time's path, per case the
    lead time counts (module docstring)."""
    weights = group_weights(params)
    out = {office: {m: 0.0 for m in MEASURES} for office in OFFICES}
    contract_weight = {g: w * _not_stock(params, g) for g, w in weights.items()}
    contract_total = sum(contract_weight.values()) or 1.0
    for g, w in weights.items():
        days = group_days(params, g)
        through = _not_stock(params, g)
        for office in OFFICES:
            before, after = days[office]["before_offer"], days[office]["after_offer"]
            contracting = office == "contracting_officers"
            out[office]["lor_to_offer"] += w * before
            out[office]["lor_to_delivery"] += w * (before + (after * through if contracting else after))
            out[office]["lor_to_contract"] += contract_weight[g] / contract_total * (before + after)
    return out
