"""Rules on the whole-workload parameters: BPC cases, growth by fiscal year, value factors, documents.

Called by :func:`sim.model.checks.validate_params`; the shared helpers are in :mod:`sim.model.rules`.  Each
problem is one line naming the dotted key, the value and what is allowed.
"""
from __future__ import annotations

from sim.engine.portable_math import plain_sum
from sim.model.params import DOCUMENTS, FMS_GROUPS, LOA_GROUPS, PARTNER_GROUPS, Params
from sim.model.reform import apply
from sim.model.rules import WEIGHT_MAX, _flag, _partners, dist_problems

MAX_VALUE_MUSD = 1e9  # $1,000 trillion: far above any case, far below where sums lose precision or overflow


def validate_workload(params: Params, out: list[str]) -> None:
    d, p = params.demand, params.process

    def flag(bad: bool, message: str) -> None:
        _flag(out, bad, message)

    fy = params.run.start_fiscal_year
    flag(not 1 <= fy <= 9999, f"run.start_fiscal_year={fy}; allowed: a fiscal year from 1 to 9999")
    if "D" in d.groups:
        flag(d.groups["D"].share != 0, f"demand.groups.D.share={d.groups['D'].share}; allowed: 0 (Group D holds "
             "the BPC cases, whose number is set by demand.bpc.share)")
    for g, f in d.value_factor.items():
        flag(g not in PARTNER_GROUPS, f"demand.value_factor.{g}: no such partner group; allowed: "
             f"{', '.join(PARTNER_GROUPS)}")
        flag(f <= 0, f"demand.value_factor.{g}={f}; allowed: > 0")
    years = [g.from_fiscal_year for g in d.growth_by_fiscal_year]
    flag(len(set(years)) != len(years), f"demand.growth_by_fiscal_year lists a fiscal year twice: {years}")
    for i, step in enumerate(d.growth_by_fiscal_year):
        flag(step.per_year <= -1, f"demand.growth_by_fiscal_year[{i}].per_year={step.per_year}; allowed: > -1")
    b = d.bpc
    flag(not 0 <= b.share < 1, f"demand.bpc.share={b.share}; allowed: 0 <= share < 1")
    if len(b.seasonal) != 12:
        out.append(f"demand.bpc.seasonal has {len(b.seasonal)} entries; allowed: exactly 12 (October first)")
    elif min(b.seasonal) < 0 or max(b.seasonal) > WEIGHT_MAX or plain_sum(b.seasonal) <= 0:
        out.append(f"demand.bpc.seasonal={list(b.seasonal)}; allowed: weights 0 to {WEIGHT_MAX:g} with a positive sum")
    _partners(out, "demand.bpc.partners", b.partners)
    flag(b.share > 0 and plain_sum(pt.weight for pt in b.partners) <= 0,
         f"demand.bpc.share={b.share} but demand.bpc.partners has no positive weight; allowed: a list of "
         "{name, group, weight} with a positive sum")
    o = p.offer_acceptance
    out.extend(dist_problems(o.bpc_acceptance, "process.offer_acceptance.bpc_acceptance"))
    flag(o.bpc_offer_expiry_days <= 0,
         f"process.offer_acceptance.bpc_offer_expiry_days={o.bpc_offer_expiry_days} must be > 0")
    for kind in DOCUMENTS:
        k = f"process.{kind}s"
        doc = getattr(p, f"{kind}s")
        for name in ("per_year", "work_group"):
            have = list(getattr(doc, name))
            flag(sorted(have) != sorted(LOA_GROUPS), f"{k}.{name} has keys {have}; required exactly: "
                 f"{list(LOA_GROUPS)} (a rate of 0, or a group mapped to itself, when it does not apply)")
        for g, rate in doc.per_year.items():
            flag(rate < 0, f"{k}.per_year.{g}={rate}; allowed: documents per year >= 0")
        flag(doc.work_share < 0, f"{k}.work_share={doc.work_share} must be >= 0")
        for g, w in doc.work_group.items():
            flag(g not in LOA_GROUPS or w not in LOA_GROUPS,
                 f"{k}.work_group.{g}={w!r}; allowed: LOA groups {', '.join(LOA_GROUPS)} on both sides")
        out.extend(dist_problems(doc.value_share, f"{k}.value_share"))
        flag(not 0 <= doc.p_enhancement <= 1, f"{k}.p_enhancement={doc.p_enhancement} is not a probability; "
             "allowed: 0 to 1")
    top = max((mix.value.from_uniform(1 - 1e-12) for mix in d.groups.values()), default=0.0)
    factor = max(d.value_factor.values(), default=1.0)
    share = p.amendments.value_share.from_uniform(1 - 1e-12)
    largest = top * factor * (1 + share * 40)
    flag(not largest <= MAX_VALUE_MUSD,
         f"demand.value_factor / demand.groups.*.value / process.amendments.value_share: the largest case (with 40 "
         f"years of amendments) could reach {'an infinite value' if largest == float('inf') else f'${largest:.3g}M'}"
         f"; allowed: below ${MAX_VALUE_MUSD:.0e}M (set a cap on the value distributions, or smaller factors)")
    m = p.modifications
    v = m.value_share
    flag(not (v.kind == "fixed" and v.value == 0),
         f"process.modifications.value_share={{kind: {v.kind}, ...}}; allowed: {{kind: fixed, value: 0}} (a "
         "modification changes no scope, so it adds no value)")
    flag(m.p_enhancement != 0, f"process.modifications.p_enhancement={m.p_enhancement}; allowed: 0 (a modification "
         "changes no capability, so it is never notified)")
    needs = {g for g in FMS_GROUPS if d.groups.get(g) is not None} | ({"D"} if b.share > 0 else set())
    for g in sorted(needs - set(p.loa_development.work)):
        out.append(f"process.loa_development.work has no entry for group {g}; allowed keys: {', '.join(LOA_GROUPS)}")


def validate_applied(params: Params, out: list[str]) -> None:
    """The distributions the selected reforms scale, checked once scaled: a valid distribution times a factor of
    1e300 is not valid (the factors alone are only checked to be >= 0)."""
    if not params.reform.levers:
        return
    pa = apply(params)[0].process
    scaled = [("tech_release_work_factor", "process.tech_release.work", pa.tech_release.work)]
    scaled += [("loa_work_factor", f"process.loa_development.work.{g}", d) for g, d in pa.loa_development.work.items()]
    scaled += [("contracting_work_factor and contracting_sigma_factor", f"process.contracting.work.{k}", d)
               for k, d in pa.contracting.work.items()]
    names = ",".join(params.reform.levers)
    for factors, key, dist in scaled:
        out.extend(f"reform={names}: with its {factors}, {problem}" for problem in dist_problems(dist, key))
