"""sim.analysis.uncertainty: percentiles of the paired change over an uncertainty study's points, their Monte Carlo
noise, the inputs that drive the spread, and the columns beside the change at likely (issue 23, item 4)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.uncertainty import LEVER_COLUMNS, driver_table, lever_table, with_lever_columns

N = 20


def _row(job, reform, point, diff, ref_job, q_work=np.nan, q_load=np.nan, metric="lor_to_delivery"):
    over = f"reform={reform} uncertainty.point={'null' if point is None else point}"
    return {"job": job, "label": over, "status": "complete", "metric": metric, "reference_job": ref_job,
            "overrides": over, "diff_mean": diff, "diff_half_width": 2.0, "diff_n": 3,
            "u_point": np.nan if point is None else point, "u_points": N,
            "q:reform.x.contracting_work_factor": q_work, "q:staffing.design_load": q_load}


def _table():
    rng = np.random.default_rng(5)
    work, load = rng.permutation(N) / N + 0.5 / N, rng.permutation(N) / N + 0.5 / N
    rows = [_row(0, "none", None, 0.0, 0), _row(1, "x", None, -30.0, 0)]
    for k in range(N):
        rows.append(_row(2 + 2 * k, "none", k, 0.0, 2 + 2 * k, work[k], load[k]))
        # the saving grows with the lever's quantile, a little with the load's
        rows.append(_row(3 + 2 * k, "x", k, -10 - 40 * work[k] - 2 * load[k], 2 + 2 * k, work[k], load[k]))
    return pd.DataFrame(rows), -10 - 40 * work - 2 * load


def test_percentiles_are_of_the_paired_changes_at_the_points_beside_likely():
    table, changes = _table()
    t = lever_table(table)
    assert len(t) == 1
    row = t.iloc[0]
    assert row.reform == "x" and row.likely_change == -30.0 and row.likely_half_width == 2.0
    assert [row[c] for c in LEVER_COLUMNS] == pytest.approx(list(np.percentile(changes, [5, 50, 95])))
    assert row.points == N and row.design_points == N and row.likely_job == 1
    assert 0 < row.lever_p50_mc < row.lever_p95 - row.lever_p05  # its own noise: smaller than the spread
    assert lever_table(table).equals(t)  # a fixed bootstrap stream: the same study, the same table


def test_the_lever_that_moves_the_change_is_the_first_driver():
    d = driver_table(_table()[0])
    assert d.iloc[0]["input"] == "reform.x.contracting_work_factor" and d.iloc[0]["spearman"] < -0.9
    assert set(d["input"]) == {"reform.x.contracting_work_factor", "staffing.design_load"}


def test_percentile_columns_sit_on_the_likely_jobs_rows_only():
    table, _ = _table()
    out = with_lever_columns(table, lever_table(table))
    likely = out[out.job == 1].iloc[0]
    assert likely["lever_p05"] < likely["lever_p95"] < 0
    assert out[out.job != 1]["lever_p50"].isna().all()


def test_other_studies_have_no_uncertainty_tables():
    table, _ = _table()
    plain = table.drop(columns=["u_point"])
    assert lever_table(plain) is None and driver_table(plain) is None
    assert with_lever_columns(plain, None) is plain


def test_hypercubes_of_different_sizes_are_never_pooled():
    table, _ = _table()
    other = table[table["u_point"].notna()].copy()
    other["job"] += 100
    other["reference_job"] += 100
    other["u_points"] = 7
    t = lever_table(pd.concat([table, other], ignore_index=True))
    assert sorted(t["design_points"]) == [7, N] and (t["points"] == N).all()
