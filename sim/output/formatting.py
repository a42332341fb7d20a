"""Numbers for people, in one place: the console table, the validation tables and the HTML report."""
from __future__ import annotations

import math
from typing import Any, Optional

DASH = "–"


def missing(x: Any) -> bool:
    """None or NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: Any, digits: int = 0, sign: bool = False, thousands: bool = True, dash: str = DASH) -> str:
    """``x`` with fixed ``digits`` (thousands separators unless ``thousands=False``); ``dash`` when missing."""
    if missing(x):
        return dash
    if round(x, digits) == 0:  # never -0.0
        x = 0.0
    return f"{x:{'+' if sign else ''}{',' if thousands else ''}.{digits}f}"


def digits_for(x: float) -> int:
    """One decimal below 10, none above: enough to read a lead time or a change in days."""
    return 1 if (not math.isnan(x) and abs(x) < 10) else 0


def interval(lo: float, hi: float, sign: bool = False) -> str:
    """`` [lo, hi]`` with the digits the values need; empty when either end is missing."""
    if missing(lo) or missing(hi):
        return ""
    d = max(digits_for(lo), digits_for(hi))
    return f" [{number(lo, d, sign)}, {number(hi, d, sign)}]"


def table_value(x: Optional[float], digits: int = 2) -> str:
    """A cell of the validation tables: yes/no for flags, fewer digits from 1,000 up, '-' when missing."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    return number(x, digits if abs(x) < 1000 else 0)
