"""sim.analysis.public_series: calibration bands fixed from the public figures of the model's own window (issue 23,
item 7)."""
from __future__ import annotations

import pytest

from sim.analysis.public_series import DELIVERIES, NOTIFICATIONS, SALES, band, published, ratio_band


def test_the_steady_state_window_takes_its_own_years_figures():
    low, high = band(SALES, 2016, 2020)
    assert (low, high) == pytest.approx((33.6 * 0.9, 55.7 * 1.1))
    assert published(SALES, 2016, 2020) == "FY2016 33.6; FY2017 41.9; FY2018 55.7; FY2019 55.4; FY2020 50.78"
    assert band(NOTIFICATIONS, 2016, 2020) == pytest.approx((64 * 0.8, 70 * 1.2))


def test_a_window_without_figures_has_no_band():
    assert band(SALES, 2004, 2008) is None and published(SALES, 2004, 2008) == "no public figure for FY2004-FY2008"
    assert ratio_band(SALES, DELIVERIES, 2016, 2019) is None  # no year with both


def test_the_seeds_years_show_the_gap_between_sales_and_deliveries():
    """FY2022-24: sales ran well above deliveries; FY2016-20 they were close."""
    low, high = ratio_band(SALES, DELIVERIES, 2022, 2024)
    assert low == pytest.approx(49.7 / 50.9 * 0.9 * 0.7) and high == pytest.approx(82.0 / 42.0 * 1.1 * 1.3)
    steady = ratio_band(SALES, DELIVERIES, 2016, 2020)
    assert steady == pytest.approx((50.78 / 42 * 0.9 * 0.7, 50.78 / 42 * 1.1 * 1.3))
