"""sim.analysis.dynamics: warm-up check (MSER-5), yearly stage flows, open cases and cases in process."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.dynamics import mser5, open_cases_at, open_cases_series, stage_flow, warmup_check, yearly_flow
from sim.engine.clock import DAYS_PER_YEAR

NAN = math.nan


def test_mser5_cuts_an_initial_transient_and_keeps_a_stationary_series():
    rng = np.random.default_rng(1)
    steady = 100 + rng.normal(0, 1, 400)
    assert mser5(steady) <= 40  # nothing systematic to cut (at most a few batches by chance)
    ramp = np.concatenate([np.linspace(0, 100, 100), steady])
    cut = mser5(ramp)
    assert 90 <= cut <= 150 and cut % 5 == 0
    assert mser5([1.0, 2.0]) == 0  # too short to judge


def test_warmup_check_compares_truncation_with_the_warmup_used():
    days = np.arange(0, 1000, 2.0)
    series = np.where(days < 300, days / 3, 100.0)
    ok = warmup_check(days, series, warmup=400, horizon=1000)
    assert ok["adequate"] and 250 <= ok["truncation_day"] <= 400
    short = warmup_check(days, series, warmup=100, horizon=1000)
    assert not short["adequate"]


def test_stage_flow_and_yearly_flow_count_arrivals_and_completions_per_year():
    y = DAYS_PER_YEAR
    visits = pd.DataFrame({
        "replication": [0, 0, 0, 1],
        "stage": ["contracting"] * 4,
        "arrived": [10.0, 0.5 * y, 1.5 * y, 20.0],
        "finished": [20.0, 1.2 * y, 2.5 * y, 30.0],
    })
    flow = stage_flow(visits)
    r0 = flow[flow["replication"] == 0].set_index("year")[["arrivals", "completions"]]
    assert r0.loc[0].tolist() == [2, 1] and r0.loc[1].tolist() == [1, 1] and r0.loc[2].tolist() == [0, 1]
    out = yearly_flow(flow, last_year=2)["contracting"]
    assert out["year"] == [0, 1]
    assert out["arrivals"] == [1.5, 0.5] and out["completions"] == [1.0, 0.5]  # means over 2 replications
    assert out["ratio"] == [pytest.approx(2 / 3), 1.0]


def test_cases_in_process_end_at_delivery_or_withdrawal():
    nan = math.nan
    cases = pd.DataFrame({"replication": [0, 0, 0], "lor_received": [0.0, 5.0, 5.0],
                          "delivered": [10.0, nan, nan], "closed": [30.0, nan, nan],
                          "withdrawn": [nan, 8.0, nan]})
    assert open_cases_series(cases, [6, 9, 12, 40]) == [3, 2, 2, 1]
    assert open_cases_series(cases, [6, 9, 12, 40], until=("delivered", "withdrawn")) == [3, 2, 1, 1]


# ---------------------------------------------------------------- open cases
def test_open_cases_at():
    df = pd.DataFrame({
        "replication": [0, 0, 0, 0, 0, 1, 1, 1],
        "lor_received": [10.0, 20.0, 30.0, 60.0, 40.0, 5.0, 45.0, 44.0],
        "closed": [50.0, NAN, NAN, 100.0, 45.0, 45.0, NAN, NAN],
        "withdrawn": [NAN, 40.0, NAN, NAN, 50.0, NAN, NAN, 46.0],
    })
    # day 45, rep 0: open (closes 50); withdrawn 40; open (no end); not yet received; closed at 45
    #         rep 1: closed exactly at 45 -> not open; received exactly at 45 -> open; withdrawn 46 -> open
    got = open_cases_at(df, 45.0)
    assert got.to_dict() == {0: 2, 1: 2}
    assert open_cases_at(df, 0.0).to_dict() == {0: 0, 1: 0}
    assert open_cases_at(df, 1000.0).to_dict() == {0: 1, 1: 1}
    # the series uses the same rule, averaged over replications
    days = [0.0, 5.0, 40.0, 44.0, 45.0, 46.0, 50.0, 100.0, 1000.0]
    assert open_cases_series(df, days) == [float(open_cases_at(df, t).mean()) for t in days]
    assert open_cases_series(df, [45.0]) == [2.0]


def test_warmup_check_gives_no_verdict_on_too_few_samples():
    """A breaker's find: run.sample_days=100000 left one sample, and MSER-5 called the warm-up adequate."""
    from sim.analysis.dynamics import MSER_MIN_SAMPLES

    check = warmup_check([0.0], [5.0], warmup=100, horizon=1000)
    assert check["adequate"] is None and check["truncation_day"] is None and "too few" in check["note"]
    days = [10.0 * i for i in range(MSER_MIN_SAMPLES)]
    assert warmup_check(days, [1.0] * len(days), warmup=100, horizon=1000)["adequate"] is True
