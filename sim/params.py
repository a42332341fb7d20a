"""Typed parameters of the FMS model, and their validation.

These dataclasses are the single source of truth for every parameter: Hydra uses them as
its structured-config schema (``sim.config``) so types and key names are checked when the
config is composed, and the model receives them as plain Python objects.  Defaults here are
*neutral* (zeros, empty lists); the real, sourced defaults live in ``configs/`` with a comment
naming each figure's source and tag.  No Hydra or OmegaConf import here.

``validate(params)`` returns every range and cross-field problem as one line naming the
dotted key, the value and what is allowed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from sim.engine.distributions import Dist

PARTNER_GROUPS = ("nato5", "other")
LOA_GROUPS = ("A", "B", "C")
ACQUISITION_TYPES = ("stock", "on_contract", "new_procurement")
POOLS = ("case_managers", "tech_reviewers", "case_writers", "policy_reviewers", "contracting_officers")
RECORDS = ("full", "cases", "summary")
SHARE_TOL = 1e-6


# ---------------------------------------------------------------- demand
@dataclass
class Partner:
    name: str = ""
    group: str = "other"  # nato5 | other
    weight: float = 0.0


@dataclass
class Platform:
    """A major-platform family with its own production line (line rate in staffing)."""

    name: str = ""
    weight: float = 0.0
    quantity: Dist = field(default_factory=Dist)


@dataclass
class GroupMix:
    """Attributes of cases in one LOA complexity group (A, B or C)."""

    share: float = 0.0
    value: Dist = field(default_factory=Dist)  # total case value, $M
    p_mde: float = 0.0  # probability the case includes major defense equipment
    mde_fraction: Dist = field(default_factory=Dist)  # MDE value / case value, when it has MDE
    p_tech_release: float = 0.0
    acquisition: Dict[str, float] = field(default_factory=dict)  # stock / on_contract / new_procurement
    p_major_platform: float = 0.0  # given new procurement


@dataclass
class Shock:
    """A change in the LOR rate: ramps linearly to ``multiplier`` over ``ramp_years`` from ``start_year``,
    holds until ``end_year`` (null: to the end), then returns to 1."""

    start_year: float = 0.0
    ramp_years: float = 0.0
    multiplier: float = 1.0
    end_year: Optional[float] = None


@dataclass
class DemandParams:
    lor_per_year: float = 0.0
    growth_per_year: float = 0.0  # compound yearly growth of the LOR rate
    seasonal: List[float] = field(default_factory=lambda: [1.0] * 12)  # relative rate by month
    envelope: float = 2.0  # candidate-stream rate / base rate (thinning envelope)
    urgent_share: float = 0.0
    partners: List[Partner] = field(default_factory=list)
    groups: Dict[str, GroupMix] = field(default_factory=dict)
    platforms: List[Platform] = field(default_factory=list)
    shocks: List[Shock] = field(default_factory=list)


# ---------------------------------------------------------------- process
@dataclass
class LorIntakeParams:
    work: Dist = field(default_factory=Dist)
    p_incomplete: float = 0.0
    rework: Dist = field(default_factory=Dist)  # partner + SCO fix the LOR (a delay)


@dataclass
class TechReleaseParams:
    work: Dist = field(default_factory=Dist)


@dataclass
class LoaDevelopmentParams:
    work: Dict[str, Dist] = field(default_factory=dict)  # by LOA group; includes policy review


@dataclass
class PolicyReviewParams:
    share_of_loa_work: float = 0.0  # part of the LOA-development figure that is review


@dataclass
class CongressionalReviewParams:
    mde_threshold: Dict[str, float] = field(default_factory=dict)  # by partner group, $M
    total_threshold: Dict[str, float] = field(default_factory=dict)
    informal_days: Dict[str, float] = field(default_factory=dict)
    formal_days: Dict[str, float] = field(default_factory=dict)
    p_hold: float = 0.0
    hold: Dist = field(default_factory=Dist)


@dataclass
class OfferAcceptanceParams:
    acceptance: Dist = field(default_factory=Dist)
    offer_expiry_days: float = 85.0
    p_expire: float = 0.0
    p_restate: float = 1.0  # given expiry
    p_withdraw: float = 0.0  # given expiry
    restate_share: float = 0.0  # share of LOA development and policy review redone


@dataclass
class DelayParams:
    work: Dist = field(default_factory=Dist)


@dataclass
class ContractingParams:
    work: Dict[str, Dist] = field(default_factory=dict)  # on_contract / new_procurement
    p_requirement_change: float = 0.0
    change_delay: Dist = field(default_factory=Dist)
    change_rework_share: float = 0.0


@dataclass
class ProductionParams:
    lead_time: Dict[str, Dist] = field(default_factory=dict)  # standard / major_platform


@dataclass
class ProcessParams:
    lor_intake: LorIntakeParams = field(default_factory=LorIntakeParams)
    tech_release: TechReleaseParams = field(default_factory=TechReleaseParams)
    loa_development: LoaDevelopmentParams = field(default_factory=LoaDevelopmentParams)
    policy_review: PolicyReviewParams = field(default_factory=PolicyReviewParams)
    congressional_review: CongressionalReviewParams = field(default_factory=CongressionalReviewParams)
    offer_acceptance: OfferAcceptanceParams = field(default_factory=OfferAcceptanceParams)
    implementation: DelayParams = field(default_factory=DelayParams)
    contracting: ContractingParams = field(default_factory=ContractingParams)
    production: ProductionParams = field(default_factory=ProductionParams)
    delivery: DelayParams = field(default_factory=DelayParams)
    closure: DelayParams = field(default_factory=DelayParams)


# ---------------------------------------------------------------- staffing
@dataclass
class PoolStaff:
    headcount: int = 0
    caseload: int = 1  # cases one person works on at once


@dataclass
class Hire:
    year: float = 0.0
    headcount: int = 0


@dataclass
class StaffPlan:
    """Staffing over time for one pool: hires at given years, attrition, and new hires' productivity ramp."""

    hires: List[Hire] = field(default_factory=list)
    attrition_per_year: float = 0.0  # share of staff leaving per year (continuous)
    backfill: bool = False  # leavers are replaced at once by new hires (who then ramp up)
    ramp_years: float = 0.0  # time for a new hire to reach full productivity
    ramp_start: float = 0.5  # productivity of a new hire on day one (share of a trained person)


@dataclass
class StaffingParams:
    pools: Dict[str, PoolStaff] = field(default_factory=dict)
    production_lines: Dict[str, float] = field(default_factory=dict)  # units per year, by platform
    scale: Dict[str, float] = field(default_factory=dict)  # headcount multiplier by pool (for sweeps)
    plans: Dict[str, StaffPlan] = field(default_factory=dict)  # time-varying staffing by pool
    plan_step_days: float = 30.0  # how often planned capacity is updated


# ---------------------------------------------------------------- reform and run
@dataclass
class ReformLevers:
    """What one reform changes.  Every default is neutral (no change).

    How levers from several selected reforms combine (``sim.reform.combine``): ``*_factor`` fields
    multiply; ``staff_factor`` multiplies per pool; lists are united; flags are or-ed;
    ``sdaf_share`` combines as independent coverage (1 - prod(1 - s)); set values (the
    threshold and time-box dicts, ``hold_cap_days``, ``sdaf_days_saved``) may be set by one
    selected reform only, otherwise the run stops with an error naming both.
    """

    includes: List[str] = field(default_factory=list)  # a package: the reforms it bundles
    mde_threshold: Dict[str, float] = field(default_factory=dict)  # set value, $M, by partner group
    total_threshold: Dict[str, float] = field(default_factory=dict)  # set value, $M, by partner group
    informal_review_days: Dict[str, float] = field(default_factory=dict)  # set value: a fixed clock
    hold_cap_days: Optional[float] = None  # set value: holds end by this many days
    p_hold_factor: float = 1.0
    p_incomplete_factor: float = 1.0
    p_requirement_change_factor: float = 1.0
    loa_work_factor: float = 1.0
    tech_release_work_factor: float = 1.0
    contracting_work_factor: float = 1.0  # scales the contracting durations (median)
    contracting_sigma_factor: float = 1.0  # scales the lognormal sigma (variability)
    staff_factor: Dict[str, float] = field(default_factory=dict)  # headcount multiplier by pool
    line_rate_factor: float = 1.0  # production-line rates
    parallel_reviews: bool = False  # technology release and policy review overlap LOA development
    priority_partners: List[str] = field(default_factory=list)  # urgent priority at every pool and line
    priority_platforms: List[str] = field(default_factory=list)
    sdaf_share: float = 0.0  # share of non-stock cases whose long-lead items were bought ahead
    sdaf_days_saved: Optional[float] = None  # set value: production days saved for those cases


@dataclass
class Factor:
    """One uncertain input of a sensitivity study: a dotted config key and its range."""

    key: str = ""
    low: float = 0.0
    high: float = 0.0


@dataclass
class SensitivityPoint:
    """A Latin-hypercube design point: the bridge sets the factors' config keys before validation."""

    point: int = 0
    points: int = 50
    design_seed: int = 1
    factors: List[Factor] = field(default_factory=list)


@dataclass
class RunParams:
    replications: int = 1
    horizon_years: float = 1.0
    warmup_years: float = 0.0
    drain_years: float = 0.0
    records: str = "cases"
    sample_days: float = 30.0  # spacing of the pool time series
    jobs: int = 1  # processes over replications (keep 1 under a parallel Hydra launcher)


@dataclass
class Params:
    seed: int = 0
    study: str = "baseline"
    run: RunParams = field(default_factory=RunParams)
    demand: DemandParams = field(default_factory=DemandParams)
    process: ProcessParams = field(default_factory=ProcessParams)
    staffing: StaffingParams = field(default_factory=StaffingParams)
    reform: Dict[str, ReformLevers] = field(default_factory=dict)  # selected reforms by name
    reference: str = "none"  # scenario label that studies compare against
    question: str = ""  # the question a study answers (set by experiment files)
    scenario: str = ""  # explicit scenario label; empty: derived from the reforms and sweep overrides
    sensitivity: Optional[SensitivityPoint] = None  # set for jobs of a sensitivity study


# ---------------------------------------------------------------- validation
def _prob(out: list[str], key: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        out.append(f"{key}={value} is not a probability; allowed: 0 to 1")


def _nonneg(out: list[str], key: str, value: float) -> None:
    if value < 0:
        out.append(f"{key}={value} must be >= 0")


def _keys(out: list[str], key: str, mapping: dict, allowed: tuple[str, ...]) -> None:
    have = list(mapping)
    if sorted(have) != sorted(allowed):
        out.append(f"{key} has keys {have}; required exactly: {list(allowed)}")


def _shares(out: list[str], key: str, values: list[float]) -> None:
    for i, v in enumerate(values):
        _nonneg(out, f"{key}[{i}]", v)
    if abs(sum(values) - 1.0) > SHARE_TOL:
        out.append(f"{key} sums to {sum(values):.6g}; shares must sum to 1")


def _validate_demand(d: DemandParams, out: list[str]) -> None:
    if d.lor_per_year <= 0:
        out.append(f"demand.lor_per_year={d.lor_per_year} must be > 0")
    if d.growth_per_year <= -1:
        out.append(f"demand.growth_per_year={d.growth_per_year} must be > -1")
    if len(d.seasonal) != 12:
        out.append(f"demand.seasonal has {len(d.seasonal)} entries; allowed: exactly 12 (one per month)")
    elif min(d.seasonal) < 0 or sum(d.seasonal) <= 0:
        out.append(f"demand.seasonal={list(d.seasonal)} must be >= 0 with a positive sum")
    if d.envelope < 1:
        out.append(f"demand.envelope={d.envelope} must be >= 1")
    _prob(out, "demand.urgent_share", d.urgent_share)
    if not d.partners:
        out.append("demand.partners is empty; allowed: a list of {name, group, weight}")
    names = [p.name for p in d.partners]
    for i, p in enumerate(d.partners):
        if not p.name:
            out.append(f"demand.partners[{i}].name is empty")
        if p.group not in PARTNER_GROUPS:
            out.append(f"demand.partners[{i}].group={p.group!r}; allowed: {', '.join(PARTNER_GROUPS)}")
        _nonneg(out, f"demand.partners[{i}].weight", p.weight)
    if len(set(names)) != len(names):
        out.append(f"demand.partners has duplicate names: {names}")
    if d.partners and sum(p.weight for p in d.partners) <= 0:
        out.append("demand.partners weights sum to 0; at least one must be > 0")
    _keys(out, "demand.groups", d.groups, LOA_GROUPS)
    if sorted(d.groups) == sorted(LOA_GROUPS):
        _shares(out, "demand.groups.*.share", [d.groups[g].share for g in LOA_GROUPS])
    for g, m in d.groups.items():
        k = f"demand.groups.{g}"
        out.extend(m.value.problems(f"{k}.value"))
        out.extend(m.mde_fraction.problems(f"{k}.mde_fraction"))
        for name in ("p_mde", "p_tech_release", "p_major_platform"):
            _prob(out, f"{k}.{name}", getattr(m, name))
        _keys(out, f"{k}.acquisition", m.acquisition, ACQUISITION_TYPES)
        if sorted(m.acquisition) == sorted(ACQUISITION_TYPES):
            _shares(out, f"{k}.acquisition", [m.acquisition[a] for a in ACQUISITION_TYPES])
    pnames = [p.name for p in d.platforms]
    if len(set(pnames)) != len(pnames):
        out.append(f"demand.platforms has duplicate names: {pnames}")
    for i, p in enumerate(d.platforms):
        _nonneg(out, f"demand.platforms[{i}].weight", p.weight)
        out.extend(p.quantity.problems(f"demand.platforms[{i}].quantity"))
    needs_platform = any(m.p_major_platform > 0 for m in d.groups.values())
    if needs_platform and sum(p.weight for p in d.platforms) <= 0:
        out.append("demand.platforms is empty but some group has p_major_platform > 0")


def _validate_process(p: ProcessParams, out: list[str]) -> None:
    k = "process"
    out.extend(p.lor_intake.work.problems(f"{k}.lor_intake.work"))
    out.extend(p.lor_intake.rework.problems(f"{k}.lor_intake.rework"))
    if not 0 <= p.lor_intake.p_incomplete < 1:
        out.append(f"{k}.lor_intake.p_incomplete={p.lor_intake.p_incomplete}; allowed: 0 <= p < 1 (the loop must end)")
    out.extend(p.tech_release.work.problems(f"{k}.tech_release.work"))
    _keys(out, f"{k}.loa_development.work", p.loa_development.work, LOA_GROUPS)
    for g, dist in p.loa_development.work.items():
        out.extend(dist.problems(f"{k}.loa_development.work.{g}"))
    _prob(out, f"{k}.policy_review.share_of_loa_work", p.policy_review.share_of_loa_work)
    c = p.congressional_review
    for name in ("mde_threshold", "total_threshold", "informal_days", "formal_days"):
        mapping = getattr(c, name)
        _keys(out, f"{k}.congressional_review.{name}", mapping, PARTNER_GROUPS)
        for g, v in mapping.items():
            _nonneg(out, f"{k}.congressional_review.{name}.{g}", v)
    _prob(out, f"{k}.congressional_review.p_hold", c.p_hold)
    out.extend(c.hold.problems(f"{k}.congressional_review.hold"))
    o = p.offer_acceptance
    out.extend(o.acceptance.problems(f"{k}.offer_acceptance.acceptance"))
    if o.offer_expiry_days <= 0:
        out.append(f"{k}.offer_acceptance.offer_expiry_days={o.offer_expiry_days} must be > 0")
    if not 0 <= o.p_expire < 1:
        out.append(f"{k}.offer_acceptance.p_expire={o.p_expire}; allowed: 0 <= p < 1 (the loop must end)")
    for name in ("p_restate", "p_withdraw", "restate_share"):
        _prob(out, f"{k}.offer_acceptance.{name}", getattr(o, name))
    if abs(o.p_restate + o.p_withdraw - 1) > SHARE_TOL:
        out.append(
            f"{k}.offer_acceptance.p_restate + p_withdraw = {o.p_restate + o.p_withdraw:.6g}; "
            "an expired offer is either restated or withdrawn, so they must sum to 1"
        )
    for stage in ("implementation", "delivery", "closure"):
        out.extend(getattr(p, stage).work.problems(f"{k}.{stage}.work"))
    ct = p.contracting
    _keys(out, f"{k}.contracting.work", ct.work, ("on_contract", "new_procurement"))
    for a, dist in ct.work.items():
        out.extend(dist.problems(f"{k}.contracting.work.{a}"))
    if not 0 <= ct.p_requirement_change < 1:
        out.append(
            f"{k}.contracting.p_requirement_change={ct.p_requirement_change}; allowed: 0 <= p < 1 (the loop must end)"
        )
    out.extend(ct.change_delay.problems(f"{k}.contracting.change_delay"))
    _nonneg(out, f"{k}.contracting.change_rework_share", ct.change_rework_share)
    _keys(out, f"{k}.production.lead_time", p.production.lead_time, ("standard", "major_platform"))
    for item, dist in p.production.lead_time.items():
        out.extend(dist.problems(f"{k}.production.lead_time.{item}"))


def _validate_staffing(s: StaffingParams, platforms: list[Platform], out: list[str]) -> None:
    _keys(out, "staffing.pools", s.pools, POOLS)
    for name, pool in s.pools.items():
        if pool.headcount < 1:
            out.append(f"staffing.pools.{name}.headcount={pool.headcount}; allowed: an integer >= 1")
        if pool.caseload < 1:
            out.append(f"staffing.pools.{name}.caseload={pool.caseload}; allowed: an integer >= 1")
    for p in platforms:
        if p.name not in s.production_lines:
            out.append(
                f"staffing.production_lines has no line for platform {p.name!r}; have: {list(s.production_lines)}"
            )
    for name, rate in s.production_lines.items():
        if rate <= 0:
            out.append(f"staffing.production_lines.{name}={rate}; allowed: units per year > 0")


def _validate_run(params: Params, out: list[str]) -> None:
    r = params.run
    if params.seed < 0:
        out.append(f"seed={params.seed}; allowed: an integer >= 0")
    if r.replications < 1:
        out.append(f"run.replications={r.replications}; allowed: an integer >= 1")
    if r.horizon_years <= 0:
        out.append(f"run.horizon_years={r.horizon_years}; allowed: > 0")
    if not 0 <= r.warmup_years < r.horizon_years:
        out.append(f"run.warmup_years={r.warmup_years}; allowed: 0 <= warmup < horizon_years ({r.horizon_years})")
    _nonneg(out, "run.drain_years", r.drain_years)
    if r.records not in RECORDS:
        out.append(f"run.records={r.records!r}; allowed: {', '.join(RECORDS)}")
    if r.sample_days <= 0:
        out.append(f"run.sample_days={r.sample_days}; allowed: > 0")
    if r.jobs < 1:
        out.append(f"run.jobs={r.jobs}; allowed: an integer >= 1")


def validate(params: Params) -> list[str]:
    """Every problem in ``params``, one line each; empty when valid."""
    out: list[str] = []
    _validate_run(params, out)
    _validate_demand(params.demand, out)
    _validate_process(params.process, out)
    _validate_staffing(params.staffing, params.demand.platforms, out)
    _validate_dynamics(params, out)
    _validate_reforms(params, out)
    _validate_sensitivity(params, out)
    if not out:
        _validate_envelope(params, out)
    return out


def _validate_envelope(params: Params, out: list[str]) -> None:
    from sim.arrivals import peak_relative_rate  # lazy: arrivals imports this module

    d = params.demand
    need = peak_relative_rate(d, params.run.horizon_years * 365.25)
    if need > d.envelope + 1e-9:
        out.append(
            f"demand.envelope={d.envelope} is below the peak relative LOR rate {need:.3g} "
            "(seasonal peak x growth x shocks over the horizon); allowed: envelope >= that peak"
        )


def _validate_dynamics(params: Params, out: list[str]) -> None:
    for i, sh in enumerate(params.demand.shocks):
        k = f"demand.shocks[{i}]"
        if sh.multiplier <= 0:
            out.append(f"{k}.multiplier={sh.multiplier}; allowed: > 0")
        _nonneg(out, f"{k}.start_year", sh.start_year)
        _nonneg(out, f"{k}.ramp_years", sh.ramp_years)
        if sh.end_year is not None and sh.end_year < sh.start_year + sh.ramp_years:
            out.append(f"{k}.end_year={sh.end_year}; allowed: null or >= start_year + ramp_years")
    s = params.staffing
    for name, f in s.scale.items():
        if name not in POOLS:
            out.append(f"staffing.scale.{name}: no such pool; allowed: {', '.join(POOLS)}")
        elif f <= 0:
            out.append(f"staffing.scale.{name}={f}; allowed: > 0")
    if s.plan_step_days <= 0:
        out.append(f"staffing.plan_step_days={s.plan_step_days}; allowed: > 0")
    for name, plan in s.plans.items():
        k = f"staffing.plans.{name}"
        if name not in POOLS:
            out.append(f"{k}: no such pool; allowed: {', '.join(POOLS)}")
        if not 0 <= plan.attrition_per_year < 1:
            out.append(f"{k}.attrition_per_year={plan.attrition_per_year}; allowed: 0 <= share < 1")
        _nonneg(out, f"{k}.ramp_years", plan.ramp_years)
        if not 0 < plan.ramp_start <= 1:
            out.append(f"{k}.ramp_start={plan.ramp_start}; allowed: 0 < share <= 1")
        for j, h in enumerate(plan.hires):
            _nonneg(out, f"{k}.hires[{j}].year", h.year)


def _validate_reforms(params: Params, out: list[str]) -> None:
    partners = {p.name for p in params.demand.partners}
    platforms = {p.name for p in params.demand.platforms}
    for name, lv in params.reform.items():
        k = f"reform.{name}"
        for inc in lv.includes:
            if inc not in params.reform:
                out.append(f"{k}.includes names {inc!r}, which is not selected; its file must list it in defaults")
        for fname in ("p_hold_factor", "p_incomplete_factor", "p_requirement_change_factor", "loa_work_factor",
                      "tech_release_work_factor", "contracting_work_factor", "contracting_sigma_factor",
                      "line_rate_factor"):
            if getattr(lv, fname) < 0:
                out.append(f"{k}.{fname}={getattr(lv, fname)}; allowed: >= 0")
        for pool, f in lv.staff_factor.items():
            if pool not in POOLS:
                out.append(f"{k}.staff_factor.{pool}: no such pool; allowed: {', '.join(POOLS)}")
            elif f <= 0:
                out.append(f"{k}.staff_factor.{pool}={f}; allowed: > 0")
        for dname in ("mde_threshold", "total_threshold", "informal_review_days"):
            for g, v in getattr(lv, dname).items():
                if g not in PARTNER_GROUPS:
                    out.append(f"{k}.{dname}.{g}: no such partner group; allowed: {', '.join(PARTNER_GROUPS)}")
                _nonneg(out, f"{k}.{dname}.{g}", v)
        for oname in ("hold_cap_days", "sdaf_days_saved"):
            v = getattr(lv, oname)
            if v is not None:
                _nonneg(out, f"{k}.{oname}", v)
        _prob(out, f"{k}.sdaf_share", lv.sdaf_share)
        for p in lv.priority_partners:
            if p not in partners:
                out.append(f"{k}.priority_partners names {p!r}, not in demand.partners")
        for p in lv.priority_platforms:
            if p not in platforms:
                out.append(f"{k}.priority_platforms names {p!r}, not in demand.platforms")


def _validate_sensitivity(params: Params, out: list[str]) -> None:
    sp = params.sensitivity
    if sp is None:
        return
    if sp.points < 2:
        out.append(f"sensitivity.points={sp.points}; allowed: >= 2")
    if not 0 <= sp.point < sp.points:
        out.append(f"sensitivity.point={sp.point}; allowed: 0 <= point < points ({sp.points})")
    keys = [f.key for f in sp.factors]
    if len(set(keys)) != len(keys):
        out.append(f"sensitivity.factors has duplicate keys: {keys}")
    for i, f in enumerate(sp.factors):
        if f.high < f.low:
            out.append(f"sensitivity.factors[{i}] ({f.key}): high={f.high} < low={f.low}")
