"""The model's one time unit: a calendar day.  Conversions live here and nowhere else."""
from __future__ import annotations

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def years(n: float) -> float:
    """Days in ``n`` years."""
    return n * DAYS_PER_YEAR


def month_of(t: float) -> int:
    """Month index 0..11 of simulation day ``t`` (day 0 is the start of month 0: October, in fiscal terms)."""
    return int((t % DAYS_PER_YEAR) // DAYS_PER_MONTH) % 12


def fiscal_year_of(t: float, start_fiscal_year: int) -> int:
    """U.S. fiscal year of simulation day ``t``, when day 0 is 1 October starting ``start_fiscal_year``."""
    return start_fiscal_year + int(t // DAYS_PER_YEAR)
