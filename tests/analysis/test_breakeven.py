"""sim.analysis.breakeven: the strength (or added people) at which a reform saves a target, with its interval, or
"not reachable within the range" (issue 23, item 5)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.breakeven import breakeven, breakeven_table, first_crossing, monotone_decreasing
from sim.analysis.intervals import mean_ci
from sim.verification.networks import simulate_network
from sim.verification.queueing import desks_sojourn


def test_the_monotone_fit_pools_adjacent_violators():
    assert monotone_decreasing([0, -5, -3, -10]).tolist() == [0, -4, -4, -10]
    assert monotone_decreasing([0, 1, 2]).tolist() == [1, 1, 1]
    y = [0, -2, -1, -6, -5, -9]
    fit = monotone_decreasing(y)
    assert (np.diff(fit) <= 0).all() and fit.sum() == pytest.approx(sum(y))


def test_the_crossing_is_linear_between_grid_points():
    assert first_crossing([0, 0.5, 1], [0, -20, -40], -30) == pytest.approx(0.75)
    assert first_crossing([0, 0.5, 1], [0, -20, -25], -30) is None
    assert first_crossing([0, 1], [-31, -40], -30) == 0


def test_reached_with_its_interval_and_not_reachable_from_the_interval():
    grid = [0, 0.25, 0.5, 0.75, 1]
    found = breakeven(grid, [0, -10, -20, -30, -40], [0, 4, 4, 4, 4], 30)
    assert found["status"] == "reached" and found["strength"] == pytest.approx(0.75)
    assert found["strength_low"] == pytest.approx(0.65) and found["strength_high"] == pytest.approx(0.85)
    assert breakeven(grid, [0, -5, -10, -15, -20], [0, 2, 2, 2, 2], 30)["status"] == \
        "not reachable within the range"
    edge = breakeven(grid, [0, -5, -10, -15, -26], [0, 5, 5, 5, 5], 30)
    assert edge["status"] == "only at the interval's edge" and edge["strength"] is None
    assert edge["strength_low"] == pytest.approx(0.75 + 0.25 * 10 / 11)


def test_a_step_lever_gives_a_break_even_at_its_step():
    """A threshold crossed or not: nothing until the step, all of it after."""
    found = breakeven([0, 0.25, 0.5, 0.75, 1], [0, 0, 0, -45, -45], [0, 1, 1, 1, 1], 30)
    assert found["status"] == "reached" and 0.5 < found["strength"] < 0.75


def _rows(changes_by_reform):
    rows, job = [{"job": 0, "label": "none", "status": "complete", "metric": "lor_to_delivery", "reference_job": 0,
                  "overrides": "reform=none reform.strength=1", "diff_mean": 0.0, "diff_half_width": 0.0,
                  "diff_n": 3}], 1
    for reform, changes in changes_by_reform.items():
        for s, c in zip((0.25, 0.5, 0.75, 1.0), changes):
            rows.append({"job": job, "label": reform, "status": "complete", "metric": "lor_to_delivery",
                         "reference_job": 0, "overrides": f"reform={reform} reform.strength={s}",
                         "diff_mean": c, "diff_half_width": 3.0, "diff_n": 3})
            job += 1
    return pd.DataFrame(rows)


def test_the_table_gives_each_reform_its_strength_levers_and_added_people():
    t = breakeven_table(_rows({"more_contracting_officers": [-12, -24, -36, -48], "contracting_standards":
                               [-2, -4, -6, -8]}),
                        {"more_contracting_officers": {"staff_factor": {"contracting_officers": 1.4},
                                                       "_headcounts": {"contracting_officers": 112}}})
    staff = t[t.reform == "more_contracting_officers"].iloc[0]
    assert staff.status == "reached" and staff.strength == pytest.approx(0.625)
    assert staff.added_staff == round(112 * 0.625 * 0.4)
    assert "staff_factor.contracting_officers=1.25" in staff.levers_at_strength
    assert staff.grid == "0 0.25 0.5 0.75 1"
    assert t[t.reform == "contracting_standards"].iloc[0].status == "not reachable within the range"
    plain = _rows({"x": [-1, -2, -3, -4]})
    plain["overrides"] = plain["overrides"].str.replace(r" reform\.strength=\S+", "", regex=True)
    assert breakeven_table(plain) is None


@pytest.mark.slow
def test_the_break_even_of_added_desks_matches_processor_sharing():
    """c desks, each an M/G/1 processor-sharing queue: the added desks at which the mean time at the office falls
    by the target, from simulated paired changes with their interval, contains the formula's break-even on the
    same grid (desks are whole people: both interpolate linearly between them)."""
    lam, base, added, target, reps = 4.0, 5, [0, 1, 2, 3], 2.5, 6
    by_c = {c: [simulate_network(lam, [base + c], [1.0], 1500.0, 150.0, seed=11, replication=r,
                                 discipline="desks")["mean_sojourn"] for r in range(reps)] for c in added}
    changes, halves = [], []
    for c in added:
        diffs = np.array(by_c[c]) - np.array(by_c[0])
        ci = mean_ci(diffs)
        changes.append(float(diffs.mean()))
        halves.append(0.0 if c == 0 else float(ci["half_width"]))
    found = breakeven(added, changes, halves, target)
    formula = [desks_sojourn(lam, 1.0, base + c) - desks_sojourn(lam, 1.0, base) for c in added]
    expected = first_crossing(added, formula, -target)
    assert found["status"] == "reached"
    assert found["strength_low"] <= expected <= found["strength_high"]
    assert found["strength_high"] - found["strength_low"] < 1.5  # a check that can fail: the interval is narrow


def test_a_second_swept_key_gives_each_value_its_own_curve():
    rows = _rows({"x": [-12, -24, -36, -48]})
    high = rows[rows.job > 0].copy()
    high["job"] += 10
    high["diff_mean"] *= 0.5
    rows["overrides"] += " reform.assume=likely"
    high["overrides"] += " reform.assume=high"
    t = breakeven_table(pd.concat([rows, high], ignore_index=True))
    assert sorted(t["context"]) == ["reform.assume=high", "reform.assume=likely"]
    by = t.set_index("context")
    assert by.loc["reform.assume=likely", "strength"] == pytest.approx(0.625)
    assert by.loc["reform.assume=high", "status"] == "not reachable within the range"  # half the change: -24 at 1
