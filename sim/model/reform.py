"""Reforms as levers: combine the selected reforms, then apply them to the parameters.

A reform never appears by name in model code.  A reform file (``configs/reform/<name>.yaml``)
sets levers of :class:`~sim.model.params.ReformLevers`; ``combine`` merges the levers of every
selected reform (multipliers multiply, lists unite, flags or, set values conflict), and
``apply`` returns new parameters with the levers applied plus the :class:`Policy` that the
model's stages consult (parallel reviews, priority lists, SDAF coverage).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, fields
from typing import Dict, Mapping, Optional, Sequence

from sim.model.frozen import thaw
from sim.model.lever_ranges import assumed, current_values
from sim.model.levers import NOT_LEVERS
from sim.model.params import CongressionalReviewParams, Params, PoolStaff, ReformLevers, StaffingParams
from sim.model.sizing import resized

SET_DICTS = ("mde_threshold", "total_threshold", "informal_review_days")
SET_VALUES = ("hold_cap_days", "sdaf_days_saved")
FLAGS = ("parallel_reviews",)
LISTS = ("priority_partners", "priority_platforms")


class ReformConflict(ValueError):
    """Two selected reforms set the same set-value lever."""


@dataclass(frozen=True)
class Policy:
    """The behavioural switches reforms select; neutral by default."""

    parallel_reviews: bool = False
    priority_partners: tuple[str, ...] = ()
    priority_platforms: tuple[str, ...] = ()
    sdaf_share: float = 0.0
    sdaf_days_saved: float = 0.0
    # the share of cases a switch or list reaches (``reform.strength``, ramped by ``reform.phase_in_years``): a case
    # takes it when its own uniform draw is below this (``sim.model.enactment``), so uptake grows case by case
    uptake: float = 1.0


def combine(reforms: Dict[str, ReformLevers]) -> ReformLevers:
    """One set of levers equivalent to applying every selected reform together."""
    out = ReformLevers()
    owner: dict[str, str] = {}  # set-value lever -> reform that set it
    coverage = 1.0
    for name, lv in reforms.items():
        for f in fields(ReformLevers):
            key, value = f.name, getattr(lv, f.name)
            if key in NOT_LEVERS:
                continue
            if key.endswith("_factor") and not isinstance(value, dict):
                setattr(out, key, getattr(out, key) * value)
            elif key == "staff_factor":
                for pool, x in value.items():
                    out.staff_factor[pool] = out.staff_factor.get(pool, 1.0) * x
            elif key in SET_DICTS:
                for g, x in value.items():
                    _claim(owner, f"{key}.{g}", name, x, getattr(out, key).get(g))
                    getattr(out, key)[g] = x
            elif key in SET_VALUES:
                if value is not None:
                    _claim(owner, key, name, value, getattr(out, key))
                    setattr(out, key, value)
            elif key in FLAGS:
                setattr(out, key, getattr(out, key) or value)
            elif key in LISTS:
                merged = list(getattr(out, key))
                merged += [x for x in value if x not in merged]
                setattr(out, key, merged)
            elif key == "sdaf_share":
                coverage *= 1.0 - value
    out.sdaf_share = round(1.0 - coverage, 12)
    return out


def _claim(owner: dict[str, str], lever: str, name: str, value: object, current: object) -> None:
    if lever in owner and owner[lever] != name:
        raise ReformConflict(
            f"reform.levers.{name}.{lever}={value} conflicts with reform.levers.{owner[lever]}.{lever}={current}: "
            "both set the same statutory or set value; select one of them"
        )
    owner[lever] = name


def label(reforms: Dict[str, ReformLevers]) -> str:
    """Scenario label: the selected reforms not bundled by another selected one, joined by '+'."""
    bundled = {inc for lv in reforms.values() for inc in lv.includes}
    names = [n for n in reforms if n not in bundled and n != "none"]
    return "+".join(names) if names else "none"


def scenario_label(params: Params, extras: Sequence[str] = ()) -> str:
    """The run's scenario label: the explicit ``params.scenario`` if set, else the reform label followed
    by ``extras`` (the job's overrides that change the scenario, as the configuration bridge finds them)."""
    if params.scenario:
        return params.scenario
    return " ".join([label(params.reform.levers), *extras])


def swept_only(labels: Sequence[str], overrides: Sequence[Sequence[str]]) -> list[str]:
    """The scenario labels of a sweep's jobs naming the swept keys only: an override every job has (a value set once
    on the command line) describes them all, so it is left out of each label (``none demand.lor_per_year=900``
    becomes ``none``, and ``none`` is found as the reference).  Fewer than two jobs: the labels as they are."""
    if len(labels) < 2:
        return list(labels)
    common = set.intersection(*(set(o) for o in overrides))
    out = []
    for label, own in zip(labels, overrides):
        for o in [o for o in own if o in common and "=" in o]:  # extras are joined after the reform label
            if label.endswith(" " + o):
                label = label[:-len(o) - 1]
            else:
                label = label.replace(" " + o + " ", " ", 1)
        out.append(label)
    return out


def staff_multiplier(staffing: StaffingParams, lv: ReformLevers, pool: str) -> float:
    """What ``staffing.scale`` and the reforms' ``staff_factor`` together do to an office's headcount."""
    return lv.staff_factor.get(pool, 1.0) * staffing.scale.get(pool, 1.0)


HEADCOUNT_CEILING = 2**62  # a product above it (even inf) counts as this: far past any limit the checks allow


def effective_headcount(headcount: int, multiplier: float) -> int:
    """The one rounding rule of a multiplied headcount: to the nearest whole person (halves up), at least 1."""
    if multiplier == 1.0:
        return headcount
    x = headcount * multiplier
    if not x < HEADCOUNT_CEILING:  # inf included: refused by the checks, never rounded
        return HEADCOUNT_CEILING
    return max(1, int(math.floor(x + 0.5)))


def staffed(staffing: StaffingParams, lv: ReformLevers) -> dict[str, PoolStaff]:
    """Every office as it is staffed in the run: effort share and ``size_to_load`` first (``sim.model.sizing``),
    then ``staffing.scale`` and the reforms' ``staff_factor`` with one rounding rule (``effective_headcount``).
    The parameter checks and the model both take the headcount from here."""
    pools = resized(staffing)
    for pool, staff in pools.items():
        staff.headcount = effective_headcount(staff.headcount, staff_multiplier(staffing, lv, pool))
    return pools


def at_level(lv: ReformLevers, level: float, cr: CongressionalReviewParams) -> ReformLevers:
    """The levers ``lv`` implemented to ``level`` (0: neutral, 1: as stated): multipliers and set values by linear
    interpolation from neutral (``cr`` holds the neutral thresholds, clocks and hold cap), the SDAF coverage scaled;
    switches and lists are left as they are (``Policy.uptake`` decides case by case).  Level 1 returns ``lv``."""
    if level == 1.0:
        return lv
    out = copy.deepcopy(lv)
    for f in fields(ReformLevers):
        if f.name.endswith("_factor") and f.name != "staff_factor":
            setattr(out, f.name, 1.0 + level * (getattr(lv, f.name) - 1.0))
    out.staff_factor = {pool: 1.0 + level * (x - 1.0) for pool, x in lv.staff_factor.items()}
    for key, neutral in (("mde_threshold", cr.mde_threshold), ("total_threshold", cr.total_threshold),
                         ("informal_review_days", cr.informal_days)):
        setattr(out, key, {g: neutral[g] + level * (x - neutral[g]) if g in neutral else x
                           for g, x in getattr(lv, key).items()})
    cap, new = cr.hold.cap, lv.hold_cap_days
    if new is not None:  # no cap today: the cap shrinks from far away (new / level); a looser cap does nothing
        out.hold_cap_days = (new / level if level > 0 else None) if cap is None else cap + level * min(0.0, new - cap)
    out.sdaf_share = level * lv.sdaf_share
    return out


def apply(params: Params, level: float = 1.0, own: Optional[Mapping[str, float]] = None) -> tuple[Params, Policy]:
    """Parameters with the combined levers (and staffing.scale) applied, and the policy switches; ``level`` below
    1 implements the levers in part (``at_level``: ``sim.model.enactment`` sets it from the date and strength);
    ``own``: a level of their own for some reforms (a workforce program's ramp), each then implemented apart."""
    cr = params.process.congressional_review
    if own:
        lv = combine({n: at_level(r, own.get(n, level), cr) for n, r in selected(params).items()})
    else:
        lv = at_level(combine(selected(params)), level, cr)
    p = thaw(params)  # an editable copy, also of a scenario's frozen parameters (a summary's enactment record)
    pr = p.process
    cr = pr.congressional_review
    cr.mde_threshold.update(lv.mde_threshold)
    cr.total_threshold.update(lv.total_threshold)
    cr.informal_days.update(lv.informal_review_days)
    cr.p_hold = min(1.0, cr.p_hold * lv.p_hold_factor)
    if lv.hold_cap_days is not None:
        cr.hold.cap = lv.hold_cap_days if cr.hold.cap is None else min(cr.hold.cap, lv.hold_cap_days)
    pr.lor_intake.p_incomplete = min(0.99, pr.lor_intake.p_incomplete * lv.p_incomplete_factor)
    ct = pr.contracting
    ct.p_requirement_change = min(0.99, ct.p_requirement_change * lv.p_requirement_change_factor)
    ct.work = {k: d.scaled(lv.contracting_work_factor).spread(lv.contracting_sigma_factor) for k, d in ct.work.items()}
    pr.loa_development.work = {k: d.scaled(lv.loa_work_factor) for k, d in pr.loa_development.work.items()}
    pr.tech_release.work = pr.tech_release.work.scaled(lv.tech_release_work_factor)
    p.staffing.pools = staffed(p.staffing, lv)
    p.staffing.production_lines = {k: r * lv.line_rate_factor for k, r in p.staffing.production_lines.items()}
    policy = Policy(
        parallel_reviews=lv.parallel_reviews,
        priority_partners=tuple(lv.priority_partners),
        priority_platforms=tuple(lv.priority_platforms),
        sdaf_share=lv.sdaf_share,
        sdaf_days_saved=lv.sdaf_days_saved or 0.0,
        uptake=level,
    )
    return p, policy


def active_levers(reforms: Dict[str, ReformLevers]) -> dict[str, object]:
    """The combined levers that differ from neutral (for summaries and reports)."""
    lv, neutral = combine(reforms), ReformLevers()
    return {f.name: getattr(lv, f.name) for f in fields(ReformLevers)
            if f.name not in NOT_LEVERS and getattr(lv, f.name) != getattr(neutral, f.name)}


def selected(params: Params) -> Dict[str, ReformLevers]:
    """The selected reforms, each sized lever at ``reform.assume`` (``sim.model.lever_ranges``)."""
    return assumed(params.reform.levers, params.reform.assume, current_values(params.process.congressional_review))
