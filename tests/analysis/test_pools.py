"""sim.analysis.pools: utilisation, queues, throughput and unstable-pool flags on hand-made snapshots."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from sim.analysis.pools import pool_window_stats, unstable_pools

NAN = math.nan




# ---------------------------------------------------------------- pool windows
def _window_rows():
    cols = ["replication", "at", "pool", "day", "queue_area", "busy_area", "capacity_area",
            "requests", "starts", "releases", "queue", "busy", "capacity"]
    rows = [
        (0, "warmup", "A", 100.0, 50.0, 300.0, 400.0, 12, 10, 8, 2, 2, 4),
        (0, "warmup", "B", 100.0, 0.0, 50.0, 100.0, 3, 3, 3, 0, 0, 1),
        (0, "horizon", "A", 300.0, 250.0, 1100.0, 1400.0, 55, 50, 47, 5, 3, 5),
        (0, "horizon", "B", 300.0, 20.0, 150.0, 300.0, 9, 9, 8, 0, 1, 1),
        (0, "end", "A", 900.0, 999.0, 9999.0, 99999.0, 99, 99, 99, 0, 0, 5),  # ignored
        (1, "warmup", "A", 100.0, 0.0, 0.0, 400.0, 0, 0, 0, 0, 0, 4),
        (1, "warmup", "B", 100.0, 10.0, 10.0, 100.0, 1, 1, 1, 0, 0, 1),
        (1, "horizon", "A", 300.0, 600.0, 900.0, 1400.0, 60, 30, 27, 30, 3, 5),
        (1, "horizon", "B", 300.0, 10.0, 110.0, 300.0, 5, 5, 5, 0, 0, 1),
    ]
    return pd.DataFrame(rows, columns=cols)


def test_pool_window_stats_utilisation_queue_and_throughput():
    out = pool_window_stats(_window_rows())
    assert [p["pool"] for p in out] == ["A", "B"]
    a, b = out
    # A: rep 0 (1100-300)/(1400-400) = 0.8, rep 1 900/1000 = 0.9
    assert a["per_replication_utilisation"] == pytest.approx([0.8, 0.9], rel=1e-12)
    assert a["utilisation"]["mean"] == pytest.approx(0.85, rel=1e-12)
    assert a["capacity"] == 5  # at the end of the window
    # mean queue: (250-50)/200 = 1.0, 600/200 = 3.0
    assert a["mean_queue"]["mean"] == pytest.approx(2.0, rel=1e-12)
    assert a["mean_queue"]["half_width"] == pytest.approx(
        sps.t.ppf(0.975, 1) * np.std([1.0, 3.0], ddof=1) / math.sqrt(2), rel=1e-12)
    # starts per year: 40/200*365.25 = 73.05, 30/200*365.25 = 54.7875
    assert a["starts_per_year"]["mean"] == pytest.approx((73.05 + 54.7875) / 2, rel=1e-12)
    # B: 100/200 = 0.5 both replications
    assert b["per_replication_utilisation"] == pytest.approx([0.5, 0.5], rel=1e-12)
    assert b["utilisation"]["half_width"] == 0.0
    assert b["capacity"] == 1
    assert b["mean_queue"]["mean"] == pytest.approx((20 / 200 + 0.0) / 2, rel=1e-12)


def test_pool_window_stats_other_window():
    rows = _window_rows()
    out = pool_window_stats(rows[(rows["replication"] == 0) & (rows["pool"] == "A")], start="horizon", end="end")
    a = out[0]
    assert a["per_replication_utilisation"] == pytest.approx([(9999 - 1100) / (99999 - 1400)], rel=1e-12)
    assert a["utilisation"]["n"] == 1


def _pool(name, util, served=None, growth=0.0):
    return {"pool": name, "utilisation": {"mean": util}, "served_share": served, "queue_growth": {"mean": growth}}


def test_unstable_pools_are_busy_or_falling_behind():
    pools = [_pool("busy", 0.99), _pool("fine", 0.85, 0.999, 1), _pool("behind", 0.9, 0.9, 50),
             _pool("noisy", 0.6, 0.9, 3)]
    assert unstable_pools(pools) == ["busy", "behind"]

