"""Year-by-year answers: the tally's sums on hand-made cases, exactly; the table's intervals and paired changes on
hand-made rows; the years a study reports."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import make_case
from sim.analysis.kpis import COLUMNS
from sim.analysis.reference import Reference
from sim.analysis.year_tally import YearTally, full_years, year_rows
from sim.analysis.yearly import effective_fiscal_years, reported_years, yearly_table
from sim.engine.clock import DAYS_PER_YEAR

NAN = math.nan


def _tally() -> dict[str, list[float]]:
    t = YearTally(4)
    # delivered: LOR in year 0, offer in 0, contract in 1, delivery in 2, closed in year 3 (day 1,200)
    t.add(make_case(0, value_musd=1000.0, lor_received=10.0, loa_offered=100.0, loa_accepted=200.0,
                    contract_awarded=400.0, delivered=800.0, closed=1200.0))
    # withdrawn at its offer in year 1: never open at a year's end, its offer counts, the rest does not
    t.add(make_case(1, lor_received=400.0, loa_offered=500.0, withdrawn=600.0))
    # a stock item still open: accepted in year 3, not delivered
    t.add(make_case(2, value_musd=500.0, acquisition="stock", lor_received=1000.0, loa_offered=1100.0,
                    loa_accepted=1150.0))
    return t.result()


def test_the_state_at_each_year_end_is_counted_exactly():
    r = _tally()
    assert r["open_cases"] == [1.0, 1.0, 2.0, 1.0]  # day 1,200 closes case 0 in year 3; case 2 open from year 2
    assert r["in_process"] == [1.0, 1.0, 1.0, 1.0]  # case 0 delivered on day 800 (year 2), case 2 in process
    assert r["undelivered_value"] == [1.0, 1.0, 0.0, 0.5]
    assert r["loas_accepted"] == [1.0, 0.0, 0.0, 1.0]


def test_lead_times_by_lor_year_and_by_milestone_year():
    r = _tally()
    assert r["lor_to_offer.lor_cases"] == [1.0, 1.0, 1.0, 0.0]
    assert r["lor_to_offer.lor_sum"] == [90.0, 100.0, 100.0, 0.0]
    assert r["lor_to_offer.end_sum"] == [90.0, 100.0, 0.0, 100.0]  # case 2's offer (day 1,100) is in year 3
    assert r["lor_to_contract.lor_cases"] == [1.0, 0.0, 0.0, 0.0]  # withdrawn and stock cases never get there
    assert r["lor_to_contract.end_cases"] == [0.0, 1.0, 0.0, 0.0]
    assert r["lor_to_delivery.lor_cases"] == [1.0, 0.0, 1.0, 0.0]  # case 2 may still get there: censored
    assert r["lor_to_delivery.lor_reached"] == [1.0, 0.0, 0.0, 0.0]
    assert r["lor_to_delivery.end_sum"] == [0.0, 0.0, 790.0, 0.0]


def test_rows_give_means_and_reached_shares():
    rows = {(m, k["fiscal_year"]): v for m, v, k in year_rows(_tally(), None, 2020)}
    assert rows[("year.by_lor.lor_to_delivery", 2022)] != rows[("year.by_lor.lor_to_delivery", 2022)]  # NaN
    assert rows[("year.by_lor.lor_to_delivery.reached_share", 2022)] == 0.0
    assert rows[("year.by_lor.lor_to_delivery.reached_share", 2020)] == 1.0
    assert rows[("year.by_end.lor_to_delivery", 2022)] == 790.0
    assert rows[("year.open_cases", 2023)] == 1.0


def test_office_rows_average_the_years_samples():
    samples = pd.DataFrame({"day": [0.0, 30.0, 400.0], "pool": ["w", "w", "w"], "busy": [2, 4, 1],
                            "capacity": [4, 4, 4], "queue": [0, 3, 5]})
    rows = [(m, v, k) for m, v, k in year_rows(YearTally(2).result(), samples, 2020) if m.startswith("year.office")]
    assert rows == [("year.office_load", 0.75, {"office": "w", "fiscal_year": 2020}),
                    ("year.office_backlog", 1.5, {"office": "w", "fiscal_year": 2020}),
                    ("year.office_load", 0.25, {"office": "w", "fiscal_year": 2021}),
                    ("year.office_backlog", 5.0, {"office": "w", "fiscal_year": 2021})]


def _rows(job_values: dict[str, list[float]], metric: str = "year.open_cases", year: int = 2027) -> pd.DataFrame:
    out = []
    for r, v in enumerate(job_values):
        out.append({"scenario": "x", "seed": 1, "replication": r, "metric": metric, "stage": None, "office": None,
                    "fiscal_year": year, "group": None, "day": NAN, "value": v})
    return pd.DataFrame(out, columns=COLUMNS)


def test_the_table_pairs_each_year_with_the_reference():
    ref_rows = pd.concat([_rows([100.0, 110.0, 120.0]), _rows([90.0, 80.0, 70.0], year=2026),
                          _rows([500.0, 510.0, 520.0], "year.by_lor.lor_to_delivery"),
                          _rows([0.5, 0.7, 0.9], "year.by_lor.lor_to_delivery.reached_share")])
    job_rows = pd.concat([_rows([90.0, 105.0, 108.0]), _rows([90.0, 80.0, 70.0], year=2026),
                          _rows([480.0, 500.0, 490.0], "year.by_lor.lor_to_delivery"),
                          _rows([0.4, 0.6, 0.8], "year.by_lor.lor_to_delivery.reached_share")])
    t = yearly_table({0: ref_rows, 1: job_rows}, Reference("none", 0, "test", None), {0: "none", 1: "r"},
                     first_year=2027)
    assert set(t["fiscal_year"]) == {2027}
    open_r = t[(t["job"] == 1) & (t["metric"] == "year.open_cases")].iloc[0]
    assert open_r["mean"] == pytest.approx(101.0, rel=1e-12)
    assert open_r["diff_mean"] == pytest.approx(-9.0, rel=1e-12)  # (-10, -5, -12) / 3
    d = np.array([-10.0, -5.0, -12.0])
    half = 4.302652729749464 * d.std(ddof=1) / math.sqrt(3)
    assert open_r["diff_ci_high"] - open_r["diff_ci_low"] == pytest.approx(2 * half, rel=1e-9)
    lead = t[(t["job"] == 1) & (t["metric"] == "year.by_lor.lor_to_delivery")].iloc[0]
    assert lead["reached_share"] == pytest.approx(0.6, rel=1e-12) and lead["diff_mean"] == pytest.approx(-20.0)
    assert list(t["metric"]) == ["year.open_cases", "year.open_cases", "year.by_lor.lor_to_delivery",
                                 "year.by_lor.lor_to_delivery"]  # in the table's order, reached shares beside
    no_ref = yearly_table({1: job_rows}, Reference("none", None, "test", None), {1: "r"})
    assert no_ref["diff_mean"].isna().all() and len(no_ref) == 3


def test_a_study_reports_the_years_after_every_warm_up_and_before_every_horizon():
    run = {"start_fiscal_year": 2004, "warmup_years": 1.5, "horizon_years": 4.0}
    assert reported_years({0: {"run": run}}) == {"first_year": 2006, "last_year": 2007}
    assert full_years(4 * DAYS_PER_YEAR) == 4 and full_years(4.5 * DAYS_PER_YEAR) == 4
    dated = {"run": run, "enactment": {"effective_year": 2.25}, "levers": {"loa_work_factor": 0.9}}
    no_lever = {"run": run, "enactment": {"effective_year": 2.25}, "levers": {}}  # the reference: no date to show
    assert effective_fiscal_years({0: {"run": run, "enactment": {"effective_year": None}}, 1: dated,
                                   2: no_lever}) == {1: 2006.25}


def test_one_replication_gives_no_interval_and_the_figure_still_draws(tmp_path):
    """One replication has no interval: NaN, not None, so the trajectory draws its lines without bands."""
    from sim.output import trajectory

    t = yearly_table({0: _rows([100.0]), 1: _rows([90.0])}, Reference("none", 0, "test", None), {0: "none", 1: "r"})
    assert t["ci_low"].dtype == "float64" and t["ci_low"].isna().all() and t["diff_mean"].tolist() == [0.0, -10.0]
    assert trajectory.draw(t, [0, 1], {0: "none", 1: "r"}, 0, {0: "black", 1: "tab:blue"}, {1: 2027.0},
                           tmp_path / "t.png") == str(tmp_path / "t.png")
