"""Offices re-sized to a stated per-person load (``staffing.size_to_load``), for studies of the effort share.

``staffing.effort_share``, if set, first replaces every portfolio office's own effort share (one sweep key).

The hands-on effort an office must deliver per day is ``effort_share x stage-days per day``, where the stage-days
per day (``staffing.stage_days_per_day``, by pool) were measured once in the baseline: the mean number of cases in
the office's stages under the ``slots`` discipline, which by Little's law is the drawn stage time arriving per
day.  With ``size_to_load = L`` each portfolio office gets ``ceil(effort_share x stage_days / L)`` people (at
least 1: at most the stated load), and its ``design_load`` becomes the load at that whole headcount, so the
waits on others are set to keep the baseline stage times (``PoolStaff.wait_share``).  The comfortable caseload
and the cap grow with the mean portfolio (stage-days per day / people: twice it, and twice that), never below the
stated ones, so that a small effort share does not put every person into juggling costs.  Headcount multipliers
(``staffing.scale``, reforms' ``staff_factor``) act after this: they change the load, not the waits.  Nothing
random.
"""
from __future__ import annotations

import math

from sim.model.frozen import thaw
from sim.model.params import PoolStaff, StaffingParams


def resized(staffing: StaffingParams) -> dict[str, PoolStaff]:
    """The pools with every portfolio office's effort share set to ``staffing.effort_share`` (if set), then
    re-sized to ``staffing.size_to_load`` (if set); unchanged when both are None."""
    pools = thaw(staffing.pools)  # editable copies, also of a resolved scenario's read-only offices
    if staffing.effort_share is not None:
        for staff in pools.values():
            if staff.discipline == "portfolio":
                staff.effort_share = staffing.effort_share
    load = staffing.size_to_load
    if load is None or not 0 < load < 1:
        return pools
    for name, staff in pools.items():
        days = staffing.stage_days_per_day.get(name)
        if staff.discipline == "portfolio" and days and days > 0:
            size_office(staff, days, load)
    return pools


def size_office(staff: PoolStaff, days: float, load: float) -> None:
    """Re-size one portfolio office in place to the per-person ``load`` at its effort share, ``days`` its
    stage-days per day (module docstring); also used for the points of an uncertainty study."""
    effort = staff.effort_share * days
    staff.headcount = max(1, math.ceil(effort / load - 1e-9))  # whole people: at most the stated load
    staff.design_load = min(0.999, effort / staff.headcount)
    # a smaller share means more cases per person (load / share on average): the comfortable caseload and
    # the cap grow with it, never below the stated ones, so juggling costs still bite only in overload
    mean_portfolio = days / staff.headcount
    staff.caseload = max(staff.caseload, math.ceil(2 * mean_portfolio))
    if staff.max_cases is not None:
        staff.max_cases = max(staff.max_cases, 2 * staff.caseload)
