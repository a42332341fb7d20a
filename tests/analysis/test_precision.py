"""The arithmetic of precision studies: paired half-widths by replication number, replications needed, rounds."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from sim.analysis.precision import (
    AIM,
    Block,
    Precision,
    Target,
    paired_precision,
    plan_round,
    replications_needed,
    t_half_width,
)


def test_paired_precision_pairs_on_replication_numbers_and_skips_missing_values():
    ref = {0: 100.0, 1: 110.0, 2: 120.0, 3: 130.0, 4: None}
    scen = {1: 105.0, 2: 112.0, 3: 131.0, 4: 140.0, 7: 99.0}  # 4: no reference value; 7: no pair
    p = paired_precision(scen, ref)
    d = [105.0 - 110.0, 112.0 - 120.0, 131.0 - 130.0]
    assert p.pairs == 3 and p.diffs == d
    assert p.half_width == pytest.approx(sps.t.ppf(0.975, 2) * np.std(d, ddof=1) / math.sqrt(3), rel=1e-12)


def test_fewer_than_two_pairs_has_no_half_width_and_never_meets_a_target():
    p = paired_precision({0: 1.0}, {0: 2.0, 1: 3.0})
    assert p.half_width is None and p.pairs == 1 and not p.met(1e9)


def test_replications_needed_is_the_smallest_n_whose_interval_meets_the_target():
    diffs = [-12.0, 3.0, 9.0, -20.0]
    p = Precision(t_half_width(float(np.std(diffs, ddof=1)), 4), 4, diffs)
    sd = float(np.std(diffs, ddof=1))
    n = replications_needed(p, 5.0, done=4, most=1000)
    assert t_half_width(sd, n) <= AIM * 5.0 < t_half_width(sd, n - 1)  # aims a little tighter than the target
    assert replications_needed(p, 5.0, done=4, most=10) == 10  # capped
    assert replications_needed(p, 1e6, done=4, most=10) == 4  # met already: no more
    assert replications_needed(Precision(None, 1, [3.0]), 5.0, done=3, most=10) == 6  # spread unknown: as many again


def test_a_round_grows_short_scenarios_and_the_reference_to_the_most_any_has():
    target = Target(half_width=5.0, metrics=("lor_to_delivery",), pilot=3, max_replications=20)
    wide = [-30.0, 10.0, 25.0]
    prec = [{}, {"lor_to_delivery": Precision(1.0, 3, [1.0, 1.0, 2.0])},
            {"lor_to_delivery": Precision(t_half_width(float(np.std(wide, ddof=1)), 3), 3, wide)}]
    blocks, want = plan_round([3, 3, 3], prec, reference=0, target=target)
    assert want[1] == 3  # met: nothing more
    assert want[2] > 3 and want[0] == want[2]
    assert blocks == [Block(0, 3, want[0] - 3), Block(2, 3, want[2] - 3)]
    # every short scenario at the maximum: the study is done
    blocks, want = plan_round([20, 20, 20], prec, reference=0, target=target)
    assert blocks == [] and want == [20, 20, 20]


def test_a_scenario_is_grown_for_its_widest_metric():
    target = Target(half_width=5.0, metrics=("lor_to_offer", "lor_to_delivery"), pilot=3, max_replications=50)
    ok = Precision(1.0, 3, [1.0, 1.2, 0.9])
    short = [-30.0, 10.0, 25.0]
    wide = Precision(t_half_width(float(np.std(short, ddof=1)), 3), 3, short)
    _, want = plan_round([3, 3], [{}, {"lor_to_offer": ok, "lor_to_delivery": wide}], reference=0, target=target)
    assert want[1] == replications_needed(wide, 5.0, 3, 50) > 3
