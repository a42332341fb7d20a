"""Public figures by fiscal year, and calibration bands fixed from them for the model's own window.

A band is decided before the run and from the public record alone: the figures of the fiscal years the model's
cohort window covers (``first``..``last``), from their smallest to their largest, widened by the figure's own
imprecision (``slack``: 10% for a [MEASURED] series, 20-30% for a [REPORTED] one).  A window with no public figure
has no band: the row says so instead of borrowing another decade's.  Each series is used once in the calibration
table (fit or check; ``sim.analysis.calibration`` says which).  The seed's FY2022 and FY2024 figures sit here too:
they fall in the window only of a dated history (``demand=history``), never in the steady state's FY2016-20.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class Series:
    """One public series: values by fiscal year, what it measures, its source, tag and band slack."""

    values: Mapping[int, float]
    what: str
    source: str
    tag: str
    slack: float


# DSCA FMS sales (LOAs signed), $B [MEASURED]: DSCA releases and DoD News (Aug 2024); FY2020 is State's implemented
# cases; FY2024 the seed's "over $107B" (Federal News Network on the DSCS launch) [REPORTED]
SALES = Series({2011: 28.3, 2014: 31.2, 2016: 33.6, 2017: 41.9, 2018: 55.7, 2019: 55.4, 2020: 50.78, 2021: 34.8,
                2022: 49.7, 2023: 82.0, 2024: 107.0},
               "FMS sales (LOAs signed), $B a year",
               "DSCA releases; DoD News Aug 2024; FY2023-24 from the seed (over $107B, $25B above FY2023)",
               "MEASURED", 0.10)
# 36(b) notifications a year (DSCA "major arms sales" count as reported) [REPORTED]
NOTIFICATIONS = Series({2018: 70.0, 2019: 64.0}, "36(b) notifications a year",
                       "Defense News, Oct 2018 and Oct 2019", "REPORTED", 0.20)
NOTIFIED_VALUE = Series({2018: 70.0, 2019: 67.9}, "value notified, $B a year",
                        "Defense News, Oct 2018 and Oct 2019", "REPORTED", 0.20)
# deliveries (transfers), $B: about $42B a year FY2020-23 (EO 14268 summary of DSCA annual reports) [REPORTED];
# FY2022 about $50.9B transferred (the seed) [REPORTED]
DELIVERIES = Series({2020: 42.0, 2021: 42.0, 2022: 50.9, 2023: 42.0}, "value delivered, $B a year",
                    "EO 14268 summary of DSCA annual reports (FY2020-23 mean); FY2022 from the seed", "REPORTED", 0.30)


def in_window(series: Series, first: int, last: int) -> dict[int, float]:
    """The series' figures for fiscal years ``first``..``last``."""
    return {fy: v for fy, v in series.values.items() if first <= fy <= last}


def band(series: Series, first: int, last: int) -> Optional[tuple[float, float]]:
    """(low, high): the window's smallest and largest figure widened by the series' slack; None without a figure."""
    found = in_window(series, first, last)
    if not found:
        return None
    return min(found.values()) * (1 - series.slack), max(found.values()) * (1 + series.slack)


def published(series: Series, first: int, last: int) -> str:
    """The window's figures as text, or that there is none."""
    found = in_window(series, first, last)
    if not found:
        return f"no public figure for FY{first}-FY{last}"
    return "; ".join(f"FY{fy} {v:g}" for fy, v in sorted(found.items()))


def ratio_band(top: Series, bottom: Series, first: int, last: int) -> Optional[tuple[float, float]]:
    """The band of ``top / bottom`` over the window's years that have both, each end widened by both slacks."""
    a, b = in_window(top, first, last), in_window(bottom, first, last)
    years = sorted(set(a) & set(b))
    if not years:
        return None
    ratios = [a[y] / b[y] for y in years]
    return (min(ratios) * (1 - top.slack) * (1 - bottom.slack), max(ratios) * (1 + top.slack) * (1 + bottom.slack))
