"""Every ranged input at one point of a Latin hypercube: what a reform's effect is under its assumptions.

``uncertainty.point=k`` (of ``uncertainty.points`` = N) runs the scenario with each **input** at its value at point
``k`` of the study's design, instead of its likely value:

- each selected reform's sized levers with a range (``reform.levers.<name>.ranges.<lever>``,
  ``sim.model.lever_ranges``), input ``reform.<name>.<lever>``;
- each portfolio office's effort share and design load with a range (``staffing.ranges.<office>``): with
  ``uncertainty.offices=shared`` (default) one draw per assumption, ``staffing.effort_share`` and
  ``staffing.design_load``, puts every office at the same quantile of its own range (no one knows any office's
  figure, and a shared error is the case that moves the total most); ``own`` draws each office apart
  (``staffing.<office>.effort_share``).  The office is then re-sized to the drawn load as
  ``staffing.size_to_load`` does (``headcount = ceil(share x stage-days per day / load)``), so its waits on others
  keep the published stage times: the draws move the hands-on work and how stretched the people are, not the
  baseline.  An office staffed above or below its design (a headcount set by hand) keeps that ratio to the
  re-sized headcount.

Each input has its own Latin hypercube column: a permutation of the N strata and a jitter inside each, from a
numpy stream of (``seed``, the input's name, N), so a point's value of an input does not depend on which other
inputs or reforms a sweep has.  The reference (``reform=none``) at point ``k`` therefore has the same staffing
draws as every reform at ``k``, and a package has its reforms' lever draws.  Inside its range an input follows a
triangular distribution with mode at the likely value [MODEL: the usual reading of a low/likely/high triple].  An
office's load is drawn inside what its share leaves feasible (processor sharing needs ``share < 1 - load``): the
triangular law truncated at ``1 - share`` (its quantile rescaled), so no point is infeasible and each stays
stratified.  An input whose range has no width keeps its likely value exactly, and an office none of whose inputs
moves keeps its stated headcount: a design over zero-width ranges gives the point run's numbers to the last bit.
``uncertainty.inputs`` limits the draws to the levers or to the offices.  Nothing here reads a file; the point's
draws are recorded in the summary (:func:`point_record`).
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Dict, Optional

import numpy as np

from sim.model.frozen import thaw
from sim.model.lever_ranges import current_values, neutral_value, sized
from sim.model.run_params import UncertaintyParams  # noqa: F401 (part of this module's interface)
from sim.model.sizing import size_office

if TYPE_CHECKING:
    from sim.model.params import Params

OFFICE_DRAWS = ("shared", "own")
INPUTS = ("all", "levers", "staffing")
MAX_POINTS = 10_000
_TAG = 0x5CA1E  # keeps the design's streams apart from the model's


@dataclass(frozen=True)
class Input:
    """One ranged input: its name in the design, its range and likely value, and its value at the point."""

    name: str
    low: float
    likely: float
    high: float
    quantile: float
    value: float


def unit(seed: int, name: str, point: int, points: int) -> float:
    """The quantile in (0, 1) of input ``name`` at ``point`` of an N-point Latin hypercube: stratum
    ``perm[point]`` of N, jittered inside it (module docstring)."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode()), int(points), _TAG]))
    strata = rng.permutation(points)
    jitter = rng.random(points)
    return float((strata[point] + jitter[point]) / points)


def triangular(u: float, low: float, likely: float, high: float) -> float:
    """The ``u`` quantile of the triangular law from ``low`` to ``high`` with mode ``likely`` (``low`` may be above
    ``high``: the axis runs from the smallest effect to the largest); ``likely`` itself when the range has no
    width."""
    if low == high:
        return likely
    c = (likely - low) / (high - low)
    t = math.sqrt(u * c) if u < c else 1.0 - math.sqrt((1.0 - u) * (1.0 - c))
    return low + t * (high - low)


def _cdf(x: float, low: float, likely: float, high: float) -> float:
    """The triangular law's distribution function (``low < high``), for truncating it."""
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    if x <= likely:
        return (x - low) * (x - low) / ((high - low) * (likely - low))
    return 1.0 - (high - x) * (high - x) / ((high - low) * (high - likely))


def problems(params: "Params") -> list[str]:
    """Each problem with ``uncertainty.*`` (and the break-even question, ``breakeven.*``), one line each."""
    u, out = params.uncertainty, []
    if not isinstance(u.points, int) or not 1 <= u.points <= MAX_POINTS:
        out.append(f"uncertainty.points={u.points!r}; allowed: a whole number of design points from 1 to {MAX_POINTS}")
        return out
    if u.point is not None and not (isinstance(u.point, int) and 0 <= u.point < u.points):
        out.append(f"uncertainty.point={u.point!r}; allowed: null (every input at its likely value) or a point of "
                   f"the design, 0 to {u.points - 1} (uncertainty.points={u.points})")
    if u.offices not in OFFICE_DRAWS:
        out.append(f"uncertainty.offices={u.offices!r}; allowed: {', '.join(OFFICE_DRAWS)}")
    b = params.breakeven
    if not (isinstance(b.target_days, (int, float)) and 0 < b.target_days < 1e5):
        out.append(f"breakeven.target_days={b.target_days!r}; allowed: the days to save, above 0")
    if b.metric not in ("lor_to_offer", "lor_to_contract", "lor_to_delivery"):
        out.append(f"breakeven.metric={b.metric!r}; allowed: lor_to_offer, lor_to_contract, lor_to_delivery")
    if u.inputs not in INPUTS:
        out.append(f"uncertainty.inputs={u.inputs!r}; allowed: {', '.join(INPUTS)}")
    if u.point is not None and params.reform.assume != "likely":
        out.append(f"reform.assume={params.reform.assume} with uncertainty.point={u.point}: a point draws each "
                   "lever inside its range itself; allowed: reform.assume=likely, or uncertainty.point=null")
    for key in ("size_to_load", "effort_share"):
        if u.point is not None and getattr(params.staffing, key) is not None and params.staffing.ranges:
            out.append(f"staffing.{key}={getattr(params.staffing, key)} with uncertainty.point={u.point}: a point "
                       "draws each office's effort share and load from staffing.ranges itself; allowed: "
                       f"staffing.{key}=null, or uncertainty.point=null")
    return out


def _lever_inputs(params: "Params") -> Dict[str, Dict[str, Input]]:
    """By reform, each sized lever's input at the point (path -> Input)."""
    u = params.uncertainty
    current = current_values(params.process.congressional_review)
    out: Dict[str, Dict[str, Input]] = {}
    if u.inputs == "staffing":
        return out
    for reform, lv in params.reform.levers.items():
        levers = sized(lv)
        for path, r in lv.ranges.items():
            if path not in levers or levers[path] == neutral_value(path, current) or r.low is None or r.high is None:
                continue  # at no change: nothing to draw (as at every reform.assume)
            name = f"reform.{reform}.{path}"
            q = unit(params.seed, name, u.point or 0, u.points)
            out.setdefault(reform, {})[path] = Input(name, r.low, levers[path], r.high, q,
                                                     triangular(q, r.low, levers[path], r.high))
    return out


def _office_inputs(params: "Params") -> Dict[str, Dict[str, Input]]:
    """By portfolio office, its effort share's and design load's inputs at the point (key -> Input)."""
    s, u = params.staffing, params.uncertainty
    out: Dict[str, Dict[str, Input]] = {}
    if u.inputs == "levers":
        return out
    for office, given in s.ranges.items():
        staff = s.pools.get(office)
        if staff is None or staff.discipline != "portfolio":
            continue
        share_r, load_r = given.effort_share, given.design_load
        names = {k: f"staffing.{k}" if u.offices == "shared" else f"staffing.{office}.{k}"
                 for k in ("effort_share", "design_load")}
        share = staff.effort_share
        mine: Dict[str, Input] = {}
        if share_r is not None and share_r.low is not None and share_r.high is not None:
            q = unit(params.seed, names["effort_share"], u.point or 0, u.points)
            share = triangular(q, share_r.low, staff.effort_share, share_r.high)
            mine["effort_share"] = Input(names["effort_share"], share_r.low, staff.effort_share, share_r.high, q, share)
        if load_r is not None and load_r.low is not None and load_r.high is not None:
            q = unit(params.seed, names["design_load"], u.point or 0, u.points)
            lo, mode, hi = load_r.low, staff.design_load, load_r.high
            cap = 1.0 - share - 1e-9  # feasible: share below 1 - load
            if lo < hi and cap < hi:  # truncate the law at the cap: its quantile rescaled to what is left
                q_used = q * _cdf(max(lo, cap), lo, mode, hi)
            else:
                q_used = q
            load = triangular(q_used, lo, mode, hi)
            mine["design_load"] = Input(names["design_load"], lo, mode, hi, q, min(load, cap))
        if mine:
            out[office] = mine
    return out


def point_record(params: "Params") -> Optional[Dict[str, Any]]:
    """What the run's point drew, for the summary (None for a point run): each design input's quantile (by its
    name in the design: what a driver analysis ranks) and each value it gave (``reform.<name>.<lever>``,
    ``staffing.<office>.<key>``)."""
    u = params.uncertainty
    if u.point is None:
        return None
    quantiles: Dict[str, float] = {}
    values: Dict[str, float] = {}
    for reform, drawn in _lever_inputs(params).items():
        for path, i in drawn.items():
            quantiles[i.name] = i.quantile
            values[f"reform.{reform}.{path}"] = i.value
    for office, drawn in _office_inputs(params).items():
        for key, i in drawn.items():
            quantiles[i.name] = i.quantile
            values[f"staffing.{office}.{key}"] = i.value
    return {"point": u.point, "points": u.points, "offices": u.offices, "inputs": u.inputs,
            "quantiles": quantiles, "values": values}


def at_point(params: "Params") -> "Params":
    """``params`` with every ranged input at its value at ``uncertainty.point`` (module docstring), the ranges
    spent (a point is a point: its own checks see no range); ``params`` itself for a point run."""
    if params.uncertainty.point is None:
        return params
    levers, offices = _lever_inputs(params), _office_inputs(params)
    p = thaw(params)  # an editable copy, also of a resolved scenario's read-only parameters (its summary)
    for reform, drawn in levers.items():
        lv = p.reform.levers[reform]
        changed: Dict[str, Any] = {}
        for path, i in drawn.items():
            if i.value == i.likely:
                continue
            name, _, sub = path.partition(".")
            if sub:
                changed[name] = {**getattr(lv, name), **changed.get(name, {}), sub: i.value}
            else:
                changed[name] = i.value
        p.reform.levers[reform] = replace(lv, **changed)
    for lv_name, lv in p.reform.levers.items():
        p.reform.levers[lv_name] = replace(lv, ranges={})
    for office, drawn in offices.items():
        staff = p.staffing.pools[office]
        share = drawn["effort_share"].value if "effort_share" in drawn else staff.effort_share
        load = drawn["design_load"].value if "design_load" in drawn else staff.design_load
        if share == staff.effort_share and load == staff.design_load:
            continue  # nothing moved: the stated office, to the last person
        days = p.staffing.stage_days_per_day.get(office)
        if not days or days <= 0:
            staff.effort_share, staff.design_load = share, load
            continue
        # the office's people as a share of what its own share and load size it to: a headcount set by hand
        # above or below its design stays so at the drawn share and load (the default's is about 1)
        ratio = staff.headcount / max(1, math.ceil(staff.effort_share * days / staff.design_load - 1e-9))
        staff.effort_share = share
        size_office(staff, days, load)
        staff.headcount = max(1, int(math.floor(staff.headcount * ratio + 0.5)))
    p.staffing.ranges = {}
    return p
