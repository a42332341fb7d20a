"""sim.analysis.stages: wait and work per stage and cohort case on hand-made visits."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.stages import stage_times, stage_totals

NAN = math.nan




# ---------------------------------------------------------------- stage times and outcomes
def test_stage_totals_and_stage_times_per_cohort_case():
    cases = pd.DataFrame({"replication": [0, 0, 0, 1], "case_id": [1, 2, 3, 1],
                          "in_cohort": [True, True, False, True]})
    visits = pd.DataFrame(
        [(0, 1, "lor_intake", "case_managers", 0.0, 2.0, 5.0, 0.0, 3.0),  # wait 2, work 3
         (0, 1, "lor_intake", "case_managers", 10.0, 11.0, 12.0, 0.0, 1.0),  # wait 1, work 1 (second visit)
         (0, 2, "lor_intake", "case_managers", 0.0, 0.0, 4.0, 0.0, 4.0),  # wait 0, work 4
         (0, 3, "lor_intake", "case_managers", 0.0, 100.0, 200.0, 0.0, 100.0),  # not in the cohort
         # a portfolio visit: work 5 = waits on others 2 + effort 1 + slowdown 2; rep 1 never visits
         (0, 1, "tech_release", "tech_reviewers", 5.0, 5.0, 10.0, 2.0, 1.0),
         (0, 2, "production_line", "line:F-16", 20.0, 25.0, 30.0, 0.0, 5.0),  # wait 5, work 5
         (1, 1, "production_line", "line:C-130", 20.0, 20.0, 40.0, 0.0, 20.0),  # wait 0, work 20
         (1, 1, "lor_intake", "case_managers", 0.0, 6.0, 7.0, 0.0, 1.0),  # wait 6, work 1
         # closure (after delivery): every case's visits that ended in the window [0, 500), cohort or not
         (0, 3, "closure", "", 100.0, 100.0, 400.0, 300.0, 0.0),
         (0, 1, "closure", "", 300.0, 300.0, 600.0, 300.0, 0.0)],  # ends after the window: left out
        columns=["replication", "case_id", "stage", "pool", "arrived", "started", "finished", "waits", "effort"])
    totals = stage_totals(cases, visits, (0.0, 500.0))
    closure = totals[totals["stage"] == "closure"]
    assert closure[["replication", "work", "visits", "cohort"]].values.tolist() == [[0, 300.0, 1, 2]]
    intake_totals = totals[totals["stage"] == "lor_intake"].set_index("replication")
    assert intake_totals.loc[0, ["wait", "work", "visits", "cohort"]].tolist() == [3.0, 8.0, 3, 2]
    assert intake_totals.loc[1, ["wait", "work", "visits", "cohort"]].tolist() == [6.0, 1.0, 1, 1]

    out = stage_times(totals, [0, 1])
    assert [s["stage"] for s in out] == ["lor_intake", "tech_release", "production_line", "closure"]  # process order
    intake, tech, line, _ = out
    assert (intake["pool"], tech["pool"], line["pool"]) == ("case_managers", "tech_reviewers", "production lines")
    assert intake["wait_per_case"]["mean"] == pytest.approx((3 / 2 + 6) / 2)
    assert intake["work_per_case"]["mean"] == pytest.approx((8 / 2 + 1) / 2)
    assert intake["visits_per_case"] == pytest.approx((3 / 2 + 1) / 2)
    assert tech["wait_per_case"]["mean"] == 0.0
    assert tech["work_per_case"]["mean"] == pytest.approx((5 / 2 + 0) / 2)  # rep 1 counts as zero
    assert tech["work_per_case"]["n"] == 2
    assert tech["visits_per_case"] == pytest.approx((1 / 2 + 0) / 2)
    assert tech["hands_on_per_case"]["mean"] == pytest.approx((1 / 2 + 0) / 2)
    assert tech["slowdown_per_case"]["mean"] == pytest.approx((2 / 2 + 0) / 2)
    assert tech["waits_on_others_per_case"]["mean"] == pytest.approx((2 / 2 + 0) / 2)
    assert intake["hands_on_per_case"]["mean"] == intake["work_per_case"]["mean"]  # slots: all hands-on
    assert intake["slowdown_per_case"]["mean"] == intake["waits_on_others_per_case"]["mean"] == 0.0
    assert line["wait_per_case"]["mean"] == pytest.approx((5 / 2 + 0) / 2)
    assert line["work_per_case"]["mean"] == pytest.approx((5 / 2 + 20) / 2)
