"""Years in one calendar: a year key takes a simulation year (from day 0) or a fiscal year (``FY2027``).

Day 0 is 1 October of the year before ``run.start_fiscal_year`` (the first day of that fiscal year), so fiscal year
``FYn`` begins at simulation year ``n - start_fiscal_year``.  ``fiscal_years_to_run_years`` turns the fiscal years
written in the year keys of plain config data (``YEAR_KEYS``) into simulation years before the data is typed;
``year_problem`` refuses a year outside the run, in both calendars (``demand.shocks=[{start_year: 2027}]`` once
meant 2,027 years after day 0 and did nothing).  Plain Python: the config bridge calls it on plain data.
"""
from __future__ import annotations

import math
import re
from typing import Any, Optional

from sim.model.run_params import RunParams

FISCAL_YEAR = re.compile(r"^\s*FY\s*(\d{4})\s*$", re.IGNORECASE)
# the year keys, as paths in the config data: "*" is every item of a list or every value of a table
YEAR_KEYS = (("demand", "shocks", "*", "start_year"), ("demand", "shocks", "*", "end_year"), ("reform", "effective"),
             ("staffing", "plans", "*", "hires", "*", "year"))


def run_end_years(horizon_years: float, drain_years: float) -> float:
    """The run's last year at the latest: the horizon and the drain after it."""
    return horizon_years + drain_years


def allowed_years(start_fiscal_year: int, end_years: float) -> str:
    last = start_fiscal_year + max(int(math.ceil(end_years)) - 1, 0)
    return (f"a year of the run: a simulation year from 0 to {end_years:g} (years from day 0, 1 October "
            f"{start_fiscal_year - 1}) or a fiscal year from FY{start_fiscal_year} to FY{last}")


def year_problem(key: str, value: float, start_fiscal_year: int, end_years: float) -> Optional[str]:
    """The one-line problem of a year outside the run (None when it is inside)."""
    if 0 <= value <= end_years:
        return None
    return f"{key}={value:g}; allowed: {allowed_years(start_fiscal_year, end_years)}"


def check_year(out: list[str], key: str, value: float, run: RunParams) -> None:
    """Add the problem of a year outside the run (a shock or a hire after it once did nothing, silently)."""
    problem = year_problem(key, value, run.start_fiscal_year, run_end_years(run.horizon_years, run.drain_years))
    if problem:
        out.append(problem)


def fiscal_years_to_run_years(data: Any, start_fiscal_year: int, end_years: float = math.inf) -> list[str]:
    """Replace, in place, each fiscal year (``"FY2027"``) written in a year key of ``data`` (plain dicts and lists)
    by its simulation year; the problems of year keys written as other text or outside the run (``end_years``
    after day 0 at the latest), one line each, as written."""
    problems: list[str] = []
    for path in YEAR_KEYS:
        _convert(data, path, "", (start_fiscal_year, end_years), problems)
    return problems


def _convert(node: Any, path: tuple[str, ...], key: str, start: tuple[int, float], problems: list[str]) -> None:
    if not path:
        return
    head, rest = path[0], path[1:]
    if head == "*":
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, child in list(items):
            name = f"{key}.{k}" if isinstance(node, dict) else f"{key}[{k}]"
            _leaf_or_walk(node, k, child, rest, name, start, problems)
    elif isinstance(node, dict) and head in node:
        _leaf_or_walk(node, head, node[head], rest, f"{key}.{head}" if key else head, start, problems)


def _leaf_or_walk(parent: Any, k: Any, value: Any, rest: tuple[str, ...], key: str, run: tuple[int, float],
                  problems: list[str]) -> None:
    start, end = run
    if rest:
        _convert(value, rest, key, run, problems)
    elif isinstance(value, str):
        m = FISCAL_YEAR.match(value)
        if m and 0 <= int(m.group(1)) - start <= end:
            parent[k] = float(int(m.group(1)) - start)
        elif m:
            problems.append(f"{key}={value.strip()}; allowed: {allowed_years(start, end)}")
        elif not value.startswith("${"):  # an interpolation is OmegaConf's to resolve
            problems.append(f"{key}={value!r}; allowed: a simulation year (a number) or a fiscal year such as "
                            f"FY{start + 1}")
