"""Days saved per $10M a year, beside days saved: a reform's paired change over its cost (``sim.model.costs``).

``days_per_10musd`` = days saved (minus the paired change) per $10M a year at the likely cost, with
``days_per_10musd_low`` and ``_high`` at the high and the low cost (the fewest and the most days per dollar).
Only on the lead times' rows (a count, such as the open cases, is not days saved), where the cost is known and
above zero; a reform whose cost is unknown has none (not infinite, not zero),
and a reform that saves money (negative cost) is said in ``cost_musd``, not turned into a ratio.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PER = 10.0  # $M a year


def with_cost_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (comparison.csv's rows) with the days saved per $10M a year (module docstring)."""
    if "cost_musd" not in table.columns:
        return table
    out = table.copy()
    saved = -out["diff_mean"].astype(float)
    for col, cost in (("days_per_10musd", "cost_musd"), ("days_per_10musd_low", "cost_high"),
                      ("days_per_10musd_high", "cost_low")):
        c = out[cost].astype(float)
        lead = out["metric"].astype(str).str.startswith("lor_to_")  # days saved: lead times only, not counts
        out[col] = np.where((c > 0) & lead & out["diff_mean"].notna() & (out["job"] != out["reference_job"]),
                            saved / c * PER, np.nan)
    return out
