"""sim.output.trajectory.ranked: a year-by-year figure with room for 7 scenarios draws the 7 that change LOR to
delivery most (the outlook's figure drew the first 7 of the sweep and left out tiger_team_package, its largest)."""
from __future__ import annotations

import math

import pandas as pd

from sim.output.trajectory import ranked


def _rows(changes):
    return pd.DataFrame([{"job": job, "metric": metric, "office": None, "fiscal_year": fy, "diff_mean": change}
                         for job, per_year in changes.items() for fy, change in enumerate(per_year, 2027)
                         for metric in ("year.by_lor.lor_to_delivery", "year.open_cases")
                         if metric == "year.by_lor.lor_to_delivery" or job == 1])


def test_the_largest_changes_come_first_and_ties_keep_the_sweeps_order():
    yearly = _rows({0: [0.0, 0.0], 1: [-1.0, -2.0], 2: [-90.0, -100.0], 3: [+30.0, +10.0], 4: [-1.5, -1.5],
                    5: [math.nan, math.nan]})
    assert ranked([1, 2, 3, 4, 5], yearly, 0) == [2, 3, 1, 4, 5]  # |mean| 95, 20, 1.5 (1 before 4), 1.5, none
    assert ranked([1, 2, 3], yearly, None) == [1, 2, 3]  # one run's own figure: nothing to rank by
    assert ranked([1, 2], yearly.drop(columns="diff_mean"), 0) == [1, 2]
