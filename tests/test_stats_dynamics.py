"""Warm-up check, yearly flows, unstable-pool flags, cases in process, and distribution scaling."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.dynamics import mser5, open_cases_series, stage_flow, warmup_check, yearly_flow
from sim.analysis.pools import unstable_pools
from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.distributions import Dist


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


def _pool(name, util, served=None, growth=0.0):
    return {"pool": name, "utilisation": {"mean": util}, "served_share": served, "queue_growth": {"mean": growth}}


def test_unstable_pools_are_busy_or_falling_behind():
    pools = [_pool("busy", 0.99), _pool("fine", 0.85, 0.999, 1), _pool("behind", 0.9, 0.9, 50),
             _pool("noisy", 0.6, 0.9, 3)]
    assert unstable_pools(pools) == ["busy", "behind"]


def test_cases_in_process_end_at_delivery_or_withdrawal():
    nan = math.nan
    cases = pd.DataFrame({"replication": [0, 0, 0], "lor_received": [0.0, 5.0, 5.0],
                          "delivered": [10.0, nan, nan], "closed": [30.0, nan, nan],
                          "withdrawn": [nan, 8.0, nan]})
    assert open_cases_series(cases, [6, 9, 12, 40]) == [3, 2, 2, 1]
    assert open_cases_series(cases, [6, 9, 12, 40], until=("delivered", "withdrawn")) == [3, 2, 1, 1]


def test_dist_scaled_and_spread():
    d = Dist(kind="lognormal", median=100, sigma=0.8, cap=500)
    s = d.scaled(0.5)
    assert (s.median, s.sigma, s.cap) == (50, 0.8, 250)
    assert s.from_uniform(0.9) == pytest.approx(0.5 * d.from_uniform(0.9))
    assert d.spread(0.5).sigma == 0.4 and d.spread(0.5).median == 100
    t = Dist(kind="triangular", low=10, mode=20, high=60).spread(0.5)
    assert (t.low, t.mode, t.high) == (15, 20, 40)
    assert Dist(kind="fixed", value=3).spread(0.1) == Dist(kind="fixed", value=3)


def test_a_failed_sweep_job_leaves_a_failed_manifest(tmp_path):
    from sim.cli import record_failure

    record_failure(tmp_path / "7", ["reform=x"], RuntimeError("boom"))
    m = json.loads((tmp_path / "7" / "manifest.json").read_text())
    assert m["status"] == "failed" and m["error"] == "RuntimeError: boom" and m["overrides"] == ["reform=x"]
    record_failure(tmp_path / "7", [], ValueError("later"))  # an existing failure record is kept
    assert json.loads((tmp_path / "7" / "manifest.json").read_text())["error"] == "RuntimeError: boom"
