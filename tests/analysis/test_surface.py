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
