"""How sure each lever's size is: a range per lever, and ``reform.assume``, which picks its end.

A reform file sets each lever at its **likely** size (what a point run uses) and gives, under ``ranges``, keyed by
the lever (``contracting_work_factor``, ``staff_factor.case_writers``, ``mde_threshold.other``):

- ``low``: the smallest effect still plausible, between no change and ``likely`` (no change itself allowed);
- ``high``: the largest plausible effect, at or beyond ``likely`` on the far side from no change;
- ``tag`` and ``source``: where the range comes from ([ESTIMATE] for an unsourced one, wide).

Every shipped reform gives a range for each lever it sizes (a test holds them to it); a lever set by hand on the
command line without one stays at its value at every ``assume``.

``reform.assume=low|likely|high`` runs every selected reform's sized levers at that end, so a study shows how far
an answer moves over the plausible range of an input no one has measured.  Switches and lists
(``parallel_reviews``, the priority lists) have no size: how far they are carried out is ``reform.strength``.
Packages take their reforms' ranges (their own levers need their own).
"""
from __future__ import annotations

import math
from dataclasses import fields, replace
from typing import Any, Dict, Mapping

from sim.model.levers import NOT_LEVERS, LeverRange, ReformLevers

ASSUMPTIONS = ("likely", "low", "high")
TAGS = ("STATUTE", "TARGET", "MEASURED", "REPORTED", "UNVERIFIED", "ESTIMATE")
SET_DICTS = ("mde_threshold", "total_threshold", "informal_review_days")
SET_KEYS = {"mde_threshold": "process.congressional_review.mde_threshold",
            "total_threshold": "process.congressional_review.total_threshold",
            "informal_review_days": "process.congressional_review.informal_days"}


def sized(lv: ReformLevers) -> dict[str, float]:
    """The levers a reform sets that have a size (path -> its likely value), neutral ones left out."""
    neutral = ReformLevers()
    out: dict[str, float] = {}
    for f in fields(ReformLevers):
        value = getattr(lv, f.name)
        if f.name in NOT_LEVERS or isinstance(value, (bool, list)) \
                or value == getattr(neutral, f.name):
            continue
        if isinstance(value, dict):
            out.update({f"{f.name}.{k}": float(v) for k, v in value.items()})
        elif value is not None:
            out[f.name] = float(value)
    return out


def neutral_value(path: str, current: Mapping[str, float]) -> float:
    """What no change is for a lever: 1 for a factor, 0 for a share or days saved, no cap (infinity) for a hold
    cap, and the parameters' own value for a threshold or review clock (``current``, by path)."""
    if path.endswith("_factor") or path.startswith("staff_factor."):
        return 1.0
    if path == "hold_cap_days":
        return math.inf
    return float(current.get(path, 0.0))


def range_problems(key: str, lv: ReformLevers, current: Mapping[str, float]) -> list[str]:
    """Each problem with the ranges of the reform at ``key`` (``reform.levers.<name>``), one line each."""
    out: list[str] = []
    levers = sized(lv)
    names = {f.name for f in fields(ReformLevers)}
    for path, r in lv.ranges.items():
        k = f"{key}.ranges.{path}"
        if path not in levers:
            if path.partition(".")[0] not in names:
                out.append(f"{k}: no such lever; allowed: a range for each lever the reform sets: "
                           f"{', '.join(levers) or 'none'}")
            continue  # a lever set back to no change (by hand, say): nothing to size, its range says nothing
        by_hand = f"; a value set by hand runs as a point without its range: ~{k}"
        if r.tag not in TAGS:
            out.append(f"{k}.tag={r.tag!r}; allowed: {', '.join(TAGS)}")
        if not r.source.strip():
            out.append(f"{k}.source is empty; allowed: who gives the range, or why it is as wide as it is")
        if r.low is None or r.high is None:
            out.append(f"{k}: low and high are both needed")
            continue
        likely, none = levers[path], neutral_value(path, current)
        if likely == none:
            continue  # the lever is at no change (set so by hand, say): nothing to size, its range says nothing
        toward = math.copysign(1.0, likely - none)
        lever, _, group = path.partition(".")
        if lever in SET_DICTS:
            by_hand += f" (no change is the process's own value, {SET_KEYS[lever]}.{group})"
        if not (toward * (r.low - none) >= 0 and toward * (likely - r.low) >= 0):
            out.append(f"{k}.low={r.low:g}; allowed: from no change ({none:g}) to likely ({likely:g}){by_hand}")
        if not toward * (r.high - likely) >= 0:
            out.append(f"{k}.high={r.high:g}; allowed: likely ({likely:g}) or further from no change ({none:g})"
                       f"{by_hand}")
    return out


STAFFING_KEYS = ("effort_share", "design_load")


def staffing_range_problems(staffing: Any) -> list[str]:
    """Each problem with ``staffing.ranges`` (``<office>.effort_share`` and ``<office>.design_load`` of a portfolio
    office: ``low`` <= the office's value <= ``high``, inside (0, 1), with tag and source), one line each."""
    out: list[str] = []
    for office, given in staffing.ranges.items():
        staff = staffing.pools.get(office)
        if staff is None:
            out.append(f"staffing.ranges.{office}: no office of that name; allowed: {', '.join(staffing.pools)}")
            continue
        if staff.discipline != "portfolio":  # a slot office has neither: its ranges say nothing here
            continue
        for key in STAFFING_KEYS:
            r, k = getattr(given, key), f"staffing.ranges.{office}.{key}"
            if r is None:
                continue
            value = getattr(staff, key)
            if r.tag not in TAGS:
                out.append(f"{k}.tag={r.tag!r}; allowed: {', '.join(TAGS)}")
            if not r.source.strip():
                out.append(f"{k}.source is empty; allowed: who gives the range, or why it is as wide as it is")
            if r.low is None or r.high is None or not 0 < r.low <= value <= r.high < 1:
                out.append(f"{k}: low={r.low}, high={r.high}; allowed: 0 < low <= the office's {key} ({value:g}) "
                           "<= high < 1")
    return out


def at_assumption(lv: ReformLevers, assume: str, current: Mapping[str, float] | None = None) -> ReformLevers:
    """The reform with its sized levers at ``assume``'s end of their ranges (as it is at ``likely``); a lever at no
    change (``current``: the process's own thresholds and clocks, by path) stays so."""
    if assume == "likely" or not lv.ranges:
        return lv
    changed: dict[str, object] = {}
    levers = sized(lv)
    for path, r in lv.ranges.items():
        if path not in levers or levers[path] == neutral_value(path, current or {}):  # at no change: it stays so
            continue
        value = r.low if assume == "low" else r.high
        name, _, sub = path.partition(".")
        if sub:
            changed[name] = {**getattr(lv, name), **changed.get(name, {}), sub: value}  # type: ignore[dict-item]
        else:
            changed[name] = value
    return replace(lv, **changed)  # type: ignore[arg-type]


def assumed(reforms: Mapping[str, ReformLevers], assume: str,
            current: Mapping[str, float] | None = None) -> Dict[str, ReformLevers]:
    """Every selected reform at ``assume``."""
    return {name: at_assumption(lv, assume, current) for name, lv in reforms.items()}


def current_values(review: Any) -> dict[str, float]:
    """The process's own thresholds and review clocks, by lever path: what no change is for the set levers."""
    return {f"{d}.{g}": float(v) for d, given in (("mde_threshold", review.mde_threshold),
                                                 ("total_threshold", review.total_threshold),
                                                 ("informal_review_days", review.informal_days))
            for g, v in given.items()}


__all__ = ["ASSUMPTIONS", "LeverRange", "TAGS", "assumed", "at_assumption", "range_problems", "sized"]
