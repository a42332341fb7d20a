"""sim.analysis.surface: a two-way staffing sweep's paired changes as a surface (issue 23, item 2)."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.surface import COLUMNS, surface_table, swept_value


def _row(job, reform, share, load, diff, ref_job, metric="lor_to_delivery", status="complete"):
    return {"job": job, "label": reform, "status": status, "metric": metric, "reference_job": ref_job,
            "overrides": f"debug=tiny reform={reform} staffing.effort_share={share} staffing.size_to_load={load}",
            "diff_mean": diff, "diff_half_width": 1.0, "diff_pct": diff / 7, "diff_n": 3, "censored_share": 0.01}


def _table():
    rows, job = [], 0
    refs = {}
    for share in (0.05, 0.1):
        for load in (0.6, 0.75):
            refs[(share, load)] = job
            rows.append(_row(job, "none", share, load, 0.0, job))
            job += 1
    for reform in ("more_staff_offices", "more_contracting_officers"):
        for (share, load), ref in refs.items():
            # the processor-sharing arithmetic: more staff saves more where the load is high and effort large
            rows.append(_row(job, reform, share, load, -100 * share * (1 / (1 - load) - 1 / (1 - load / 1.2)), ref))
            job += 1
    rows.append(_row(99, "none", 0.1, 0.75, 5.0, 3, metric="lor_to_offer"))  # another metric: not in the surface
    return pd.DataFrame(rows)


def test_each_reform_at_each_point_against_its_own_reference():
    s = surface_table(_table())
    assert list(s.columns) == COLUMNS and len(s) == 8
    assert set(s["reform"]) == {"more_staff_offices", "more_contracting_officers"}  # the reference rows left out
    cell = s[(s.reform == "more_staff_offices") & (s.effort_share == 0.05) & (s.load == 0.75)].iloc[0]
    assert cell.reference_job == 1 and cell.change_days == pytest.approx(-5 * (4 - 1 / (1 - 0.625)))
    assert s["default_point"].sum() == 2 and s[s.default_point].effort_share.eq(0.1).all()
    high = s[(s.reform == "more_staff_offices") & (s.load == 0.75)].change_days.to_numpy()
    low = s[(s.reform == "more_staff_offices") & (s.load == 0.6)].change_days.to_numpy()
    assert (high < low).all()  # more saved at the higher load, at every effort share


@pytest.mark.parametrize("drop", ["staffing.size_to_load", "staffing.effort_share"])
def test_a_sweep_of_one_axis_is_not_a_surface(drop):
    t = _table()
    t["overrides"] = t["overrides"].str.replace(rf" {drop}=[0-9.]+", "", regex=True)
    assert surface_table(t) is None


def test_a_single_value_on_an_axis_is_not_a_surface():
    t = _table()
    t = t[t["overrides"].str.contains("effort_share=0.1 ")]
    assert surface_table(t) is None


def test_swept_values_are_read_exactly():
    o = "reform=none staffing.effort_share=0.035 +staffing.size_to_load=0.85"
    assert swept_value(o, "staffing.effort_share") == 0.035 and swept_value(o, "staffing.size_to_load") == 0.85
    assert swept_value("staffing.effort_share_x=1", "staffing.effort_share") is None
    assert swept_value(None, "staffing.effort_share") is None


def test_a_point_without_its_reference_is_left_out_not_a_crash():
    """A breaker's find: a reference job that failed (no reference_job for its point's rows) crashed the report."""
    t = _table()
    t.loc[t["reference_job"] == 1, "reference_job"] = float("nan")
    s = surface_table(t)
    assert len(s) == 6 and not ((s.effort_share == 0.05) & (s.load == 0.75)).any()


def test_cells_paired_with_another_point_are_no_surface():
    """Without a reference at each point (no none job), the first job stands in for all: changes of the
    assumptions, not of the reform, so no surface is drawn."""
    t = _table()
    t["reference_job"] = 0
    assert surface_table(t) is None


def test_a_third_swept_key_is_no_two_way_surface():
    t = _table()
    twin = t.copy()
    twin["job"] += 100
    twin["reference_job"] += 100
    twin["overrides"] += " reform.assume=high"
    assert surface_table(pd.concat([t, twin], ignore_index=True)) is None


def test_the_reference_is_named():
    s = surface_table(_table())
    assert set(s["reference"]) == {"none"}
