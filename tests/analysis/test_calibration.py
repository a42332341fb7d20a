"""Calibration rows on hand-made tables: the numbers, the tolerance logic and the row kinds."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.calibration import CalibrationRow, flow_ratio, notification_to_delivery_years, stage_durations


def _cases():
    nan = math.nan
    return pd.DataFrame({
        "replication": [0, 0, 0, 0],
        "case_id": [1, 2, 3, 4],
        "in_cohort": [True, True, True, False],
        "acquisition": ["on_contract", "new_procurement", "stock", "stock"],
        "platform": ["", "rotorcraft", "", ""],
        "lor_received": [0.0, 10.0, 20.0, 30.0],
        "loa_offered": [100.0, 140.0, nan, 50.0],
        "loa_accepted": [150.0, 200.0, nan, 60.0],
        "delivered": [400.0, nan, nan, 300.0],
        "value_musd": [10.0, 30.0, 5.0, 2.0],
    })


def test_notification_to_delivery_is_the_median_over_notified_cohort_cases_of_the_family():
    c = _cases().assign(notified=[True, True, True, True], platform=["rotorcraft", "rotorcraft", "", "rotorcraft"],
                        delivered=[100.0 + 365.25 * 4, 140.0 + 365.25 * 6, 1.0, 50.0 + 365.25])
    # cases 1 and 2 (case 4 is outside the cohort, case 3 another family): 4 and 6 years
    assert notification_to_delivery_years(c, "rotorcraft") == pytest.approx(5.0)
    assert notification_to_delivery_years(c, "fighter_aircraft") is None


def test_flow_ratio_is_value_accepted_over_value_delivered():
    assert flow_ratio(_cases(), 0.0, 500.0) == pytest.approx((10 + 30 + 2) / (10 + 2))
    assert math.isnan(flow_ratio(_cases(), 0.0, 100.0))


def test_stage_durations_sum_waits_and_work_over_visits_of_cohort_cases():
    visits = pd.DataFrame({
        "replication": [0, 0, 0, 0],
        "case_id": [1, 1, 2, 4],
        "stage": ["contracting", "contracting", "contracting", "contracting"],
        "arrived": [200.0, 300.0, 250.0, 70.0],
        "finished": [250.0, 320.0, 500.0, 90.0],
    })
    d = stage_durations(visits, _cases(), "contracting").set_index("case_id")["days"]
    assert d.to_dict() == {1: 70.0, 2: 250.0}  # case 4 is not in the cohort


@pytest.mark.parametrize("model, inside", [(10.0, True), (7.9, False), (12.1, False), (None, None)])
def test_row_is_inside_its_band(model, inside):
    row = CalibrationRow("m", model, "x", 8.0, 12.0, "±20%", "echo", "src", "MEASURED")
    assert row.inside is inside
    assert row.as_dict()["inside"] is inside


def test_loa_days_sum_development_and_review_of_the_first_loa_by_group():
    from sim.analysis.calibration import _loa_days

    cases = _cases().assign(loa_group=["A", "C", "B", "A"])
    visits = pd.DataFrame({
        "replication": [0, 0, 0, 0, 0, 0],
        "case_id": [1, 1, 1, 2, 4, 3],
        "stage": ["loa_development", "policy_review", "restatement", "loa_development", "loa_development",
                  "amendment_writing"],
        "arrived": [0.0, 30.0, 200.0, 10.0, 30.0, 5.0],
        "finished": [30.0, 40.0, 230.0, 130.0, 60.0, 50.0],
    })
    d = _loa_days(visits, cases).set_index("case_id")
    assert d["days"].to_dict() == {1: 40.0, 2: 120.0}  # restatements, documents and case 4 (not cohort) apart
    assert d["loa_group"].to_dict() == {1: "A", 2: "C"}
