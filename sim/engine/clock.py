"""The model's one time unit: a calendar day.  Conversions live here and nowhere else."""
from __future__ import annotations

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def years(n: float) -> float:
    """Days in ``n`` years."""
    return n * DAYS_PER_YEAR


def month_of(t: float) -> int:
    """Calendar month index 0..11 of simulation day ``t`` (day 0 is the start of month 0)."""
    return int((t % DAYS_PER_YEAR) // DAYS_PER_MONTH) % 12
