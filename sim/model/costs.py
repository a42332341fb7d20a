"""What a reform costs a year, so a comparison shows days saved per $10M a year beside days saved.

Two parts, each with ``likely``, ``low`` and ``high`` ($M a year):

- **added staff**: each office's added people (its headcount as the run staffs it with the reforms' levers in full,
  minus without them: ``staffing.scale`` and sizing apply to both) times the office's cost per person-year
  (``staffing.person_year_cost``: salary and burden, [ESTIMATE] from the DoD full-cost method, DoDI 7041.04).
  People are paid from the day they are hired, so the hiring ramp lowers their work, not their cost.  A reform
  that cuts staff saves money (negative cost).
- **the reform's own cost** (``reform.levers.<name>.cost``): fund capital (its cost of capital), a program; stated at
  the likely lever sizes, and where it ``scales_with`` a lever, in proportion to that lever's size in the run (at
  ``reform.assume``, or drawn at an uncertainty study's point).

At an uncertainty study's point the offices are re-sized and the levers drawn (``sim.model.uncertainty``): the
added people and the sizes are those of the run.

A reform with no cost figure (no staff added and no ``cost`` given) has an unknown cost, said as such (``known``
false), never zero.  A package adds its reforms' costs.  At ``reform.strength`` below 1 the added staff and the
own cost scale with it (the share carried out).  Nothing here reads a file.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

if TYPE_CHECKING:
    from sim.model.params import Params

ENDS = ("likely", "low", "high")


def _end(item: Any, end: str) -> Optional[float]:
    value = getattr(item, end, None)
    if value is None and end != "likely":
        value = getattr(item, "likely", None)  # no range given: the end is the likely value
    return None if value is None else float(value)


def added_people(params: "Params") -> Dict[str, int]:
    """Each office's people added by the selected reforms at full strength (negative: cut), on the offices as the
    run staffs them."""
    from sim.model.levers import ReformLevers
    from sim.model.reform import combine, selected, staffed
    from sim.model.uncertainty import at_point

    run = at_point(params)  # at an uncertainty study's point: its re-sized offices and drawn levers
    with_levers = staffed(run.staffing, combine(selected(run)))
    without = staffed(run.staffing, ReformLevers())
    return {name: with_levers[name].headcount - without[name].headcount for name in with_levers
            if with_levers[name].headcount != without[name].headcount}


def reform_cost(params: "Params") -> Dict[str, Any]:
    """The selected reforms' cost a year ($M: ``likely``, ``low``, ``high``), its parts, and whether it is known."""
    from sim.model.reform import selected
    from sim.model.uncertainty import at_point

    strength = float(params.reform.strength)
    run = at_point(params)  # a point of an uncertainty study: its drawn levers and re-sized offices
    chosen = selected(run)  # at reform.assume
    people = added_people(params)
    costs = params.staffing.person_year_cost
    out: Dict[str, Any] = {"added_people": people, "items": [], "known": True}
    total = {end: 0.0 for end in ENDS}
    for office, n in people.items():
        item = costs.get(office)
        if item is None or item.likely is None:
            out["known"] = False
            out["items"].append({"what": f"{n:+d} {office}", "likely": None})
            continue
        each = {end: n * strength * (_end(item, end) or 0.0) for end in ENDS}
        if n < 0:  # a cut saves the most at the high cost per person
            each["low"], each["high"] = each["high"], each["low"]
        out["items"].append({"what": f"{n:+d} {office} x {item.likely:g} $M per person-year", **each})
        for end in ENDS:
            total[end] += each[end]
    for name, lv in chosen.items():  # each reform's own cost (a package's reforms each once)
        if lv.cost is not None and lv.cost.likely is not None:
            size = _size(lv, params.reform.levers.get(name, lv), lv.cost.scales_with, params)
            each = {end: strength * size * (_end(lv.cost, end) or 0.0) for end in ENDS}
            out["items"].append({"what": f"{name}: {lv.cost.what}", **each})
            for end in ENDS:
                total[end] += each[end]
    unknown = [name for name, lv in chosen.items() if name != "none" and lv.cost is None and not lv.staff_factor
               and not (lv.includes and _own_levers_neutral(lv))]
    if unknown:  # a reform that changes something but has no cost figure: its cost is unknown, not zero
        out["known"] = False
        out["unknown"] = unknown
    out.update({end: (total[end] if out["known"] else None) for end in ENDS})
    return out


def _size(run: Any, likely: Any, lever: str, params: "Params") -> float:
    """How large the reform's ``lever`` is in the run, as a share of its likely size (both from no change); 1 when
    the cost scales with none."""
    from sim.model.lever_ranges import current_values, neutral_value, sized

    if not lever:
        return 1.0
    none = neutral_value(lever, current_values(params.process.congressional_review))
    now, stated = sized(run).get(lever, none), sized(likely).get(lever, none)
    return 1.0 if stated == none else (now - none) / (stated - none)


def _own_levers_neutral(lv: Any) -> bool:
    """Whether a package's own levers (beyond the reforms it bundles) change nothing: then it costs what they do."""
    from sim.model.lever_ranges import sized

    return not sized(lv) and not lv.parallel_reviews and not lv.priority_partners and not lv.priority_platforms


def cost_problems(params: "Params") -> list[str]:
    """Each problem with the cost figures (``staffing.person_year_cost``, ``reform.levers.<name>.cost``)."""
    from sim.model.lever_ranges import TAGS

    out: list[str] = []
    items = [(f"staffing.person_year_cost.{k}", v) for k, v in params.staffing.person_year_cost.items()]
    items += [(f"reform.levers.{k}.cost", lv.cost) for k, lv in params.reform.levers.items() if lv.cost is not None]
    from sim.model.lever_ranges import sized

    for k, lv in params.reform.levers.items():  # a cost that follows a lever must name one the reform sizes
        if lv.cost is not None and lv.cost.scales_with and lv.cost.scales_with not in sized(lv):
            out.append(f"reform.levers.{k}.cost.scales_with={lv.cost.scales_with!r}: not a lever the reform sizes; "
                       f"allowed: {', '.join(sized(lv)) or 'none'}, or empty")
    for key, item in items:
        if item.likely is None:
            continue
        lo, hi = _end(item, "low"), _end(item, "high")
        if not (lo is not None and hi is not None and 0 <= lo <= item.likely <= hi):
            out.append(f"{key}: low={item.low}, likely={item.likely}, high={item.high}; allowed: "
                       "0 <= low <= likely <= high ($M a year)")
        if item.tag not in TAGS:
            out.append(f"{key}.tag={item.tag!r}; allowed: {', '.join(TAGS)}")
        if not item.source.strip():
            out.append(f"{key}.source is empty; allowed: who gives the figure, or how it was estimated")
    return out
