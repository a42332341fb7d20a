"""Every rule on parameter values, in one place: ``validate_params(params)``.

Each problem is one line naming the dotted key, the value and what is allowed.  The config bridge and library
callers (``sim.validate_params``) share these rules: cross-field ones, reform conflicts, scaled distributions.
"""
from __future__ import annotations

from sim.engine.clock import years
from sim.engine.rng import WORD, WORD_RULE
from sim.model.arrivals import peak_relative_rate
from sim.model.budget import EVENT_LIMIT, MEMORY_LIMIT, estimate, largest_key
from sim.model.calendar import check_year
from sim.model.checks_reform import validate_reforms
from sim.model.checks_workload import validate_applied, validate_workload
from sim.model.costs import cost_problems
from sim.model.lever_ranges import staffing_range_problems
from sim.model.params import (
    ACQUISITION_TYPES,
    AFTER_HORIZON,
    DISCIPLINES,
    FMS_GROUPS,
    LOA_GROUPS,
    PARTNER_GROUPS,
    POOLS,
    RECORDS,
    DemandParams,
    Params,
    Platform,
    ProcessParams,
    StaffingParams,
)
from sim.model.reform import ReformConflict, combine, selected, staffed
from sim.model.rules import (
    SHARE_TOL,
    WEIGHT_MAX,
    _dists,
    _flag,
    _keys,
    _nonneg,
    _partners,
    _prob,
    _shares,
    _unique,
    dist_problems,
)
from sim.model.sizing import resized
from sim.model.typecheck import basic_problems
from sim.model.uncertainty import problems as uncertainty_problems

LOOP = "allowed: 0 <= p < 1 (the loop must end)"  # the chance of going round a loop once more
def _validate_demand(d: DemandParams, out: list[str]) -> None:
    _flag(out, d.lor_per_year <= 0, f"demand.lor_per_year={d.lor_per_year} must be > 0")
    _flag(out, d.growth_per_year <= -1, f"demand.growth_per_year={d.growth_per_year} must be > -1")
    if len(d.seasonal) != 12:
        out.append(f"demand.seasonal has {len(d.seasonal)} entries; allowed: exactly 12 (one per month)")
    elif max(d.seasonal) > WEIGHT_MAX or min(d.seasonal) < 0 or not any(s > 0 for s in d.seasonal):
        out.append(f"demand.seasonal={list(d.seasonal)}; allowed: weights 0 to {WEIGHT_MAX:g} with a positive sum")
    _flag(out, d.envelope < 1, f"demand.envelope={d.envelope} must be >= 1")
    _prob(out, "demand.urgent_share", d.urgent_share)
    _flag(out, not d.partners, "demand.partners is empty; allowed: a list of {name, group, weight}")
    _partners(out, "demand.partners", d.partners)
    if d.partners and not any(p.weight > 0 for p in d.partners):
        out.append("demand.partners weights sum to 0; at least one must be > 0")
    if _keys(out, "demand.groups", d.groups, LOA_GROUPS):
        _shares(out, "demand.groups.{A,B,C}.share", [d.groups[g].share for g in FMS_GROUPS])
    for g, m in d.groups.items():
        k = f"demand.groups.{g}"
        out.extend(dist_problems(m.value, f"{k}.value"))
        out.extend(dist_problems(m.mde_fraction, f"{k}.mde_fraction"))
        for name in ("p_mde", "p_tech_release", "p_major_platform"):
            _prob(out, f"{k}.{name}", getattr(m, name))
        if _keys(out, f"{k}.acquisition", m.acquisition, ACQUISITION_TYPES):
            _shares(out, f"{k}.acquisition", [m.acquisition[a] for a in ACQUISITION_TYPES])
    _unique(out, "demand.platforms", [pf.name for pf in d.platforms])
    for i, pf in enumerate(d.platforms):
        _flag(out, not 0 <= pf.weight <= WEIGHT_MAX,
              f"demand.platforms[{i}].weight={pf.weight}; allowed: 0 to {WEIGHT_MAX:g}")
        out.extend(dist_problems(pf.quantity, f"demand.platforms[{i}].quantity"))
    needs_platform = any(m.p_major_platform > 0 for m in d.groups.values())
    if needs_platform and not any(pf.weight > 0 for pf in d.platforms):
        out.append("demand.platforms is empty but some group has p_major_platform > 0")


def _validate_process(p: ProcessParams, out: list[str]) -> None:
    k = "process"
    out.extend(dist_problems(p.lor_intake.work, f"{k}.lor_intake.work"))
    out.extend(dist_problems(p.lor_intake.rework, f"{k}.lor_intake.rework"))
    p_incomplete = p.lor_intake.p_incomplete
    _flag(out, not 0 <= p_incomplete < 1, f"{k}.lor_intake.p_incomplete={p_incomplete}; {LOOP}")
    out.extend(dist_problems(p.tech_release.work, f"{k}.tech_release.work"))
    _dists(out, f"{k}.loa_development.work", p.loa_development.work, LOA_GROUPS)
    _prob(out, f"{k}.policy_review.share_of_loa_work", p.policy_review.share_of_loa_work)
    c = p.congressional_review
    for name in ("mde_threshold", "total_threshold", "informal_days", "formal_days"):
        mapping = getattr(c, name)
        _keys(out, f"{k}.congressional_review.{name}", mapping, PARTNER_GROUPS)
        for g, v in mapping.items():
            _nonneg(out, f"{k}.congressional_review.{name}.{g}", v)
    _prob(out, f"{k}.congressional_review.p_hold", c.p_hold)
    out.extend(dist_problems(c.hold, f"{k}.congressional_review.hold"))
    o = p.offer_acceptance
    out.extend(dist_problems(o.acceptance, f"{k}.offer_acceptance.acceptance"))
    _flag(out, o.offer_expiry_days <= 0, f"{k}.offer_acceptance.offer_expiry_days={o.offer_expiry_days} must be > 0")
    _flag(out, not 0 <= o.p_expire < 1, f"{k}.offer_acceptance.p_expire={o.p_expire}; {LOOP}")
    for name in ("p_restate", "p_withdraw", "restate_share"):
        _prob(out, f"{k}.offer_acceptance.{name}", getattr(o, name))
    _flag(out, abs(o.p_restate + o.p_withdraw - 1) > SHARE_TOL,
          f"{k}.offer_acceptance.p_restate + p_withdraw = {o.p_restate + o.p_withdraw:.6g}; "
          "an expired offer is either restated or withdrawn, so they must sum to 1")
    for stage in ("implementation", "delivery", "closure"):
        out.extend(dist_problems(getattr(p, stage).work, f"{k}.{stage}.work"))
    ct = p.contracting
    _dists(out, f"{k}.contracting.work", ct.work, ("on_contract", "new_procurement"))
    p_change = ct.p_requirement_change
    _flag(out, not 0 <= p_change < 1, f"{k}.contracting.p_requirement_change={p_change}; {LOOP}")
    out.extend(dist_problems(ct.change_delay, f"{k}.contracting.change_delay"))
    _nonneg(out, f"{k}.contracting.change_rework_share", ct.change_rework_share)
    _dists(out, f"{k}.production.lead_time", p.production.lead_time, ("standard", "major_platform"))


def _validate_staffing(s: StaffingParams, platforms: list[Platform], out: list[str]) -> None:
    _keys(out, "staffing.pools", s.pools, POOLS)
    load = s.size_to_load
    _flag(out, s.effort_share is not None and not 0 < s.effort_share <= 1,
          f"staffing.effort_share={s.effort_share}; allowed: null (each office's own) or a share in (0, 1]")
    _flag(out, load is not None and not 0 < load < 1,
          f"staffing.size_to_load={load}; allowed: null (the stated headcounts) or a per-person load in (0, 1)")
    for name, days in s.stage_days_per_day.items():
        k = f"staffing.stage_days_per_day.{name}"
        _flag(out, name not in POOLS, f"{k}: no such pool; allowed: {', '.join(POOLS)}")
        _flag(out, not days > 0, f"{k}={days}; allowed: > 0 (measured stage-days per day)")
    portfolio = any(p.discipline == "portfolio" for p in s.pools.values())
    for key, value in (("size_to_load", load), ("effort_share", s.effort_share)):
        _flag(out, value is not None and not portfolio,
              f"staffing.{key}={value} has no effect: no office has discipline portfolio; allowed: null, or a "
              f"portfolio office (staffing.pools.<pool>.discipline=portfolio)")
    sized = resized(s)  # with size_to_load, the rules below apply to the re-sized offices
    for name, pool in sized.items():
        k = f"staffing.pools.{name}"
        _flag(out, pool.headcount < 1, f"{k}.headcount={pool.headcount}; allowed: an integer >= 1")
        _flag(out, pool.caseload < 1, f"{k}.caseload={pool.caseload}; allowed: an integer >= 1")
        _flag(out, pool.discipline not in DISCIPLINES,
              f"{k}.discipline={pool.discipline!r}; allowed: {', '.join(DISCIPLINES)}")
        if pool.discipline != "portfolio":
            continue
        _flag(out, not 0 < pool.effort_share <= 1, f"{k}.effort_share={pool.effort_share}; allowed: 0 < share <= 1")
        _flag(out, not 0 <= pool.design_load < 1, f"{k}.design_load={pool.design_load}; allowed: 0 <= load < 1")
        if 0 < pool.effort_share <= 1 and 0 <= pool.design_load < 1:
            how = "" if sized[name].headcount == s.pools[name].headcount else (
                f" (re-sized by staffing.size_to_load={load} to {pool.headcount} people)")
            _flag(out, pool.effort_share > 1.0 - pool.design_load + 1e-12,
                  f"{k}: effort_share={pool.effort_share} at design_load={pool.design_load:.3g}{how} is infeasible: "
                  f"at that load processor sharing stretches the effort {1 / (1 - pool.design_load):.3g}-fold, "
                  f"longer than the whole stage time; allowed: effort_share <= 1 - design_load "
                  f"({1 - pool.design_load:.3g}), or a lower "
                  + ("staffing.size_to_load" if how else "design_load"))
        _flag(out, not 0 <= pool.pooling <= 1, f"{k}.pooling={pool.pooling}; allowed: 0 <= share <= 1")
        _flag(out, pool.max_cases is not None and pool.max_cases < max(1, pool.caseload),
              f"{k}.max_cases={pool.max_cases}; allowed: null (no cap) or an integer >= caseload "
              f"({pool.caseload}, the comfortable number of cases)")
        _nonneg(out, f"{k}.switching_cost", pool.switching_cost)
    lines = s.production_lines
    for pf in platforms:
        _flag(out, pf.name not in lines,
              f"staffing.production_lines has no line for platform {pf.name!r}; have: {list(lines)}")
    for name, rate in lines.items():
        _flag(out, rate <= 0, f"staffing.production_lines.{name}={rate}; allowed: units per year > 0")


def _validate_run(params: Params, out: list[str]) -> None:
    r = params.run
    _flag(out, not 0 <= params.seed < WORD, f"seed={params.seed}; allowed: {WORD_RULE}")
    _flag(out, not 1 <= r.replications < WORD, f"run.replications={r.replications}; allowed: 1 to {WORD - 1}")
    _flag(out, r.replications < WORD and not 0 <= r.first_replication <= WORD - max(r.replications, 1),
          f"run.first_replication={r.first_replication}; allowed: 0 to {WORD - max(r.replications, 1)} (the first "
          f"replication's number; every replication's number is {WORD_RULE})")
    _flag(out, r.horizon_years <= 0, f"run.horizon_years={r.horizon_years}; allowed: > 0")
    _flag(out, not 0 <= r.warmup_years < r.horizon_years,
          f"run.warmup_years={r.warmup_years}; allowed: 0 <= warmup < horizon_years ({r.horizon_years})")
    _nonneg(out, "run.drain_years", r.drain_years)
    for key, value, allowed in (("records", r.records, RECORDS), ("after_horizon", r.after_horizon, AFTER_HORIZON)):
        _flag(out, value not in allowed, f"run.{key}={value!r}; allowed: {', '.join(allowed)}")
    _flag(out, r.sample_days <= 0, f"run.sample_days={r.sample_days}; allowed: > 0")
    if r.settle_years is not None:
        _flag(out, not 0 < r.settle_years < r.warmup_years,
              f"run.settle_years={r.settle_years}; allowed: null, or more than 0 and less than run.warmup_years "
              f"({r.warmup_years}): the years a reform acts, from the state without it, before the cohort begins")
        _flag(out, r.after_horizon != "arrivals", f"run.settle_years={r.settle_years} with run.after_horizon="
              f"{r.after_horizon!r}; allowed: run.after_horizon=arrivals (a state is saved from a run that goes on)")
        _flag(out, params.reform.effective is not None,
              f"run.settle_years={r.settle_years} with reform.effective={params.reform.effective}; allowed: one of "
              "them (settle_years dates the reform itself, settle_years before the warm-up ends)")
        _flag(out, params.start is not None, f"run.settle_years={r.settle_years} with start={params.start!r}; "
              "allowed: one of them (settle_years starts from the model's own state)")
    _flag(out, r.jobs < 1, f"run.jobs={r.jobs}; allowed: an integer >= 1")


def validate_params(params: Params) -> list[str]:
    """Every problem in ``params``, one line each; empty when valid."""
    out = basic_problems(params)
    if out:  # a wrong type or NaN breaks every comparison below: report it first, and alone
        return out
    _validate_run(params, out)
    _validate_demand(params.demand, out)
    _validate_process(params.process, out)
    validate_workload(params, out)
    _validate_staffing(params.staffing, params.demand.platforms, out)
    out.extend(staffing_range_problems(params.staffing))
    _validate_dynamics(params, out)
    validate_reforms(params, out)
    _validate_sensitivity(params, out)
    out.extend(uncertainty_problems(params))
    out.extend(cost_problems(params))
    if not out and not params.run.allow_large:
        _validate_budget(params, out)
    if not out:
        _validate_envelope(params, out)
    if not out:
        try:
            combine(selected(params))
        except ReformConflict as e:
            out.append(str(e))
    if not out:
        _validate_people(params, out)
        validate_applied(params, out)
    return out


MAX_PEOPLE = 100_000  # people simulated in one portfolio office (each is a process with its own clock, ~1 KB)


def _validate_people(params: Params, out: list[str]) -> None:
    """Portfolio offices simulate every person: refuse sizes that would exhaust memory before they start."""
    for name, staff in staffed(params.staffing, combine(selected(params))).items():  # as the run will staff them
        if staff.discipline != "portfolio":
            continue
        people = staff.headcount
        _flag(out, people > MAX_PEOPLE,
              f"staffing.pools.{name}: {people:.3g} people (headcount, staffing.size_to_load, staffing.scale and "
              f"reforms together); allowed: at most {MAX_PEOPLE:,} in a portfolio office, where every person is "
              f"simulated")


def _validate_budget(params: Params, out: list[str]) -> None:
    """A run far above the machine stops before it starts, naming the key that makes it so large."""
    b = estimate(params)
    if not b.over():
        return
    out.append(f"{largest_key(params)}: the run would need about {b.memory_bytes / 2**30:.3g} GiB of memory and "
               f"{b.events:.3g} stage visits and candidate LORs; allowed: under {MEMORY_LIMIT / 2**30:.0f} GiB "
               f"and {EVENT_LIMIT:.0e}; change that key, or set run.allow_large=true to run it anyway")


def _validate_envelope(params: Params, out: list[str]) -> None:
    d, r = params.demand, params.run  # LORs arrive until the horizon, or (arrivals) the drain's end
    until = r.horizon_years + (r.drain_years if r.after_horizon == "arrivals" else 0.0)
    need = peak_relative_rate(d, years(until), start_fiscal_year=r.start_fiscal_year)
    if need > d.envelope + 1e-9:  # the thinned stream would silently fall short of the rate
        out.append(f"demand.envelope={d.envelope} is below the peak relative LOR rate {need:.3g} (FMS and BPC seasonal "
                   f"peaks x growth x shocks until LORs stop, {until:g} years); allowed: envelope >= that peak, or a "
                   "shorter run.drain_years")


def _validate_dynamics(params: Params, out: list[str]) -> None:
    for i, sh in enumerate(params.demand.shocks):
        k = f"demand.shocks[{i}]"
        _flag(out, sh.multiplier <= 0, f"{k}.multiplier={sh.multiplier}; allowed: > 0")
        check_year(out, f"{k}.start_year", sh.start_year, params.run)
        _nonneg(out, f"{k}.ramp_years", sh.ramp_years)
        _flag(out, sh.end_year is not None and sh.end_year < sh.start_year + sh.ramp_years,
              f"{k}.end_year={sh.end_year}; allowed: null or >= start_year + ramp_years")
    s = params.staffing
    for name, f in s.scale.items():
        if name not in POOLS:
            out.append(f"staffing.scale.{name}: no such pool; allowed: {', '.join(POOLS)}")
        elif f <= 0:
            out.append(f"staffing.scale.{name}={f}; allowed: > 0")
    _flag(out, s.plan_step_days <= 0, f"staffing.plan_step_days={s.plan_step_days}; allowed: > 0")
    _flag(out, not 1e-6 <= s.priority_attention <= 1e6,  # further apart, the shared clock cannot progress
          f"staffing.priority_attention={s.priority_attention}; allowed: a weight from 1e-06 to 1e+06")
    for name, plan in s.plans.items():
        k = f"staffing.plans.{name}"
        _flag(out, name not in POOLS, f"{k}: no such pool; allowed: {', '.join(POOLS)}")
        attrition = plan.attrition_per_year
        _flag(out, not 0 <= attrition < 1, f"{k}.attrition_per_year={attrition}; allowed: 0 <= share < 1")
        _nonneg(out, f"{k}.ramp_years", plan.ramp_years)
        _flag(out, not 0 < plan.ramp_start <= 1, f"{k}.ramp_start={plan.ramp_start}; allowed: 0 < share <= 1")
        for j, h in enumerate(plan.hires):
            check_year(out, f"{k}.hires[{j}].year", h.year, params.run)


def _validate_sensitivity(params: Params, out: list[str]) -> None:
    sp = params.sensitivity
    if sp is None:
        return
    _flag(out, sp.points < 2, f"sensitivity.points={sp.points}; allowed: >= 2")
    _flag(out, not 0 <= sp.design_seed < WORD, f"sensitivity.design_seed={sp.design_seed}; allowed: {WORD_RULE}")
    _flag(out, not 0 <= sp.point < sp.points, f"sensitivity.point={sp.point}; allowed: 0 to points - 1 ({sp.points})")
    _unique(out, "sensitivity.factors", [f.key for f in sp.factors], "keys")
    for i, f in enumerate(sp.factors):
        _flag(out, f.high < f.low, f"sensitivity.factors[{i}] ({f.key}): high={f.high} < low={f.low}")
