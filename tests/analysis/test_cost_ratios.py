"""sim.analysis.costs: days saved per $10M a year beside days saved (issue 23, item 6)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.costs import with_cost_ratios


def test_days_per_ten_million_at_the_likely_and_either_end_of_the_cost():
    t = pd.DataFrame([
        {"job": 0, "reference_job": 0, "metric": "lor_to_delivery", "diff_mean": 0.0, "cost_musd": 0.0,
         "cost_low": 0.0, "cost_high": 0.0},
        {"job": 1, "reference_job": 0, "metric": "lor_to_delivery", "diff_mean": -30.0, "cost_musd": 5.0,
         "cost_low": 3.0, "cost_high": 8.0},
        {"job": 2, "reference_job": 0, "metric": "lor_to_delivery", "diff_mean": -12.0, "cost_musd": float("nan"),
         "cost_low": float("nan"), "cost_high": float("nan")},
        {"job": 1, "reference_job": 0, "metric": "open_cases_at_horizon", "diff_mean": -300.0, "cost_musd": 5.0,
         "cost_low": 3.0, "cost_high": 8.0}])
    whole = with_cost_ratios(t)
    assert math.isnan(whole[whole.metric == "open_cases_at_horizon"]["days_per_10musd"].iloc[0])  # a count
    out = whole[whole.metric == "lor_to_delivery"].set_index("job")
    assert out.loc[1, "days_per_10musd"] == pytest.approx(60.0)
    assert (out.loc[1, "days_per_10musd_low"], out.loc[1, "days_per_10musd_high"]) == pytest.approx((37.5, 100.0))
    assert math.isnan(out.loc[2, "days_per_10musd"])  # unknown cost: no ratio
    assert math.isnan(out.loc[0, "days_per_10musd"])  # the reference itself


def test_a_table_without_costs_is_left_as_it_is():
    t = pd.DataFrame([{"job": 0, "reference_job": 0, "metric": "lor_to_delivery", "diff_mean": 0.0}])
    assert with_cost_ratios(t) is t
