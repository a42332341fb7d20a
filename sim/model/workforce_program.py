"""A workforce program: the certified share of a workforce rises as it is trained, and a reform acts with it.

DSCS certifies the security cooperation workforce (the officers who help partners shape their requests before the
LOR).  Each year a program certifies ``trained_per_year`` of the uncertified officers' places; an officer leaves
after a tour (``tour_years``) and is replaced by an uncertified one.  With ``N`` officers, training rate
``a = trained / N`` (of the uncertified, a year) and turnover ``r = 1 / tour``, the certified share ``c`` follows
``dc/dt = a (1 - c) - r c``: it settles at ``c* = a / (a + r)`` with time constant ``1 / (a + r)``.  Before the
program it sits at its old steady state ``c0 = a0 / (a0 + r)`` (``trained_per_year_before``); from the reform's
effective date ``c(t) = c1 + (c0 - c1) exp(-(a1 + r) t)``.

The reform's levers (``p_incomplete_factor``, ``p_requirement_change_factor``, ``loa_work_factor``) are stated as
their effect if every officer were certified, and act in proportion to the share gained:
``level(t) = (c(t) - c0) / (1 - c0)`` (a linear relation of request quality to the certified share
[ESTIMATE: no source links certification to LOR quality]); each month at the level of its middle, times
``reform.strength``.  Plain arithmetic; ``sim.model.enactment`` builds the schedule.
"""
from __future__ import annotations

import math
from typing import Any

from sim.engine.clock import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.engine.portable_math import exp

SETTLED = 0.01  # the ramp is drawn month by month until within 1% of its end, then held
FIELDS = ("officers", "trained_per_year_before", "trained_per_year", "tour_years")


def rates(program: Any) -> tuple[float, float, float]:
    """(training rate before, training rate under the program, turnover), a year."""
    n = float(program.officers)
    return float(program.trained_per_year_before) / n, float(program.trained_per_year) / n, 1.0 / float(
        program.tour_years)


def certified_share(program: Any, years: float) -> float:
    """The certified share ``years`` after the program starts (before it, ``years <= 0``: today's)."""
    a0, a1, r = rates(program)
    c0, c1 = a0 / (a0 + r), a1 / (a1 + r)
    return c0 if years <= 0 else c1 + (c0 - c1) * exp(-(a1 + r) * years)  # the same bits on every CPU


def level(program: Any, years: float) -> float:
    """The share of the way from today's certified share to every officer certified, ``years`` after the start."""
    a0, _, r = rates(program)
    c0 = a0 / (a0 + r)
    return (certified_share(program, years) - c0) / (1.0 - c0)


def steps(program: Any, start_day: float) -> list[tuple[float, float]]:
    """``[(day, level), ...]`` from ``start_day``: each month at the level of its middle, until within
    ``SETTLED`` of the steady level, which is then held (at most 50 years of months)."""
    a0, a1, r = rates(program)
    final = level(program, math.inf)
    out = []
    for k in range(600):
        value = level(program, (k + 0.5) * DAYS_PER_MONTH / DAYS_PER_YEAR)
        out.append((start_day + k * DAYS_PER_MONTH, value))
        if abs(final - value) <= SETTLED * abs(final):
            break
    out.append((start_day + len(out) * DAYS_PER_MONTH, final))
    return out


def problems(key: str, program: Any) -> list[str]:
    """Each problem with a program's numbers, one line each."""
    out = []
    values = {f: getattr(program, f) for f in FIELDS}
    for f, v in values.items():
        if not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            out.append(f"{key}.{f}={v!r}; allowed: a number above 0")
    if not out and values["trained_per_year"] < values["trained_per_year_before"]:
        out.append(f"{key}.trained_per_year={values['trained_per_year']} is below trained_per_year_before="
                   f"{values['trained_per_year_before']}; allowed: a program that trains at least as many")
    return out
