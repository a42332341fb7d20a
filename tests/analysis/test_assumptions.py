"""sim.analysis.assumptions: a reform.assume sweep's paired changes side by side (issue 23, item 1)."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.assumptions import assumption_table


def _rows(assumes=("low", "likely", "high")):
    rows, job = [], 0
    change = {"low": -6.1, "likely": -38.4, "high": -54.2}  # a new user's tiny contracting_standards run
    for metric in ("lor_to_contract", "lor_to_delivery"):
        job = 0
        for a in assumes:
            ref = job
            suffix = f" reform.assume={a}"
            rows.append({"job": ref, "label": f"none{suffix}", "status": "complete", "metric": metric,
                         "reference_job": ref, "overrides": f"reform=none{suffix}", "diff_mean": 0.0,
                         "diff_half_width": 0.0})
            rows.append({"job": ref + 1, "label": f"contracting_standards{suffix}", "status": "complete",
                         "metric": metric, "reference_job": ref, "overrides": f"reform=contracting_standards{suffix}",
                         "diff_mean": change[a], "diff_half_width": 1.5})
            job += 2
    return pd.DataFrame(rows)


def test_each_reform_at_each_end_in_one_row_with_the_span():
    t = assumption_table(_rows())
    row = t[(t.scenario == "contracting_standards") & (t.metric == "lor_to_delivery")].iloc[0]
    assert (row.low, row.likely, row.high) == (-6.1, -38.4, -54.2)
    assert row.span == pytest.approx(-48.1) and row.high_half_width == 1.5
    assert set(t.scenario) == {"contracting_standards"}  # the references (their own change: 0) left out
    assert list(t.columns) == ["scenario", "metric", "low", "low_half_width", "likely", "likely_half_width", "high",
                               "high_half_width", "span"]


def test_no_table_without_two_ends():
    t = _rows(("likely",))
    t["overrides"] = t["overrides"].str.replace(" reform.assume=likely", "")
    assert assumption_table(t) is None


def test_two_ends_give_a_span_only_with_both_low_and_high():
    t = assumption_table(_rows(("likely", "high")))
    assert "low" not in t.columns and t["span"].isna().all()


def test_jobs_that_do_not_set_an_end_are_not_a_sweep_of_the_ends():
    """The uncertainty study runs its likely design points without reform.assume and its strengths at
    reform.assume=high: one end set by the jobs, so no table (it once put the design points in a likely column)."""
    t = _rows(("likely", "high"))
    t["overrides"] = t["overrides"].str.replace(" reform.assume=likely", " uncertainty.point=0")
    assert assumption_table(t) is None
    both = assumption_table(_rows(("likely", "high")))
    assert set(both.columns) >= {"likely", "high"}
