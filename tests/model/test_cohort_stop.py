"""The cohort without drain bias (issue 22 item 1): LORs keep arriving after the horizon, uncounted, and the run
ends when every cohort case is delivered or withdrawn.  So a cohort case meets the same offices, as loaded, as in
a run that goes on longer: its history is identical, case by case and bit for bit.  (When LORs stopped at the
horizon, the offices emptied under the cohort's last cases: measured in issue 22, 30 days sooner to contract for
the last half-year's cases.)"""
from __future__ import annotations

import math

import numpy as np
import pytest

from sim.runner import simulate

MILESTONES = ["lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
              "delivered", "withdrawn"]
BASE = ["debug=tiny", "run.jobs=1", "run.records=cases", "run.warmup_years=0.5", "run.horizon_years=1.5",
        "run.drain_years=3", "run.after_horizon=arrivals"]


def _cases(compose, *overrides):
    r = simulate(compose(*BASE, *overrides), 0)
    return r, r.cases.set_index("case_id")


@pytest.fixture(scope="module")
def runs(compose_module):
    short, cases = _cases(compose_module)
    longer, longer_cases = _cases(compose_module, "run.horizon_years=2.5")  # one more year of counted LORs
    return short, cases, longer, longer_cases


@pytest.fixture(scope="module")
def compose_module():
    from sim.config import load_params

    return lambda *overrides: load_params(list(overrides))


@pytest.mark.slow
def test_the_cohort_is_the_same_case_by_case_as_in_a_run_that_goes_on_longer(runs):
    short, cases, longer, longer_cases = runs
    cohort = cases[cases["in_cohort"]]
    assert len(cohort) > 500
    other = longer_cases.loc[cohort.index]
    # the same cases with the same attributes: ids, LOR days and draws do not depend on the horizon
    assert (other["value_musd"].to_numpy() == cohort["value_musd"].to_numpy()).all()
    through = cohort["delivered"].notna() | cohort["withdrawn"].notna()
    assert through.mean() > 0.85  # the rest censored by the 3-year cap
    for m in MILESTONES:  # every milestone a measure needs, exactly (NaN where neither reached it)
        a, b = cohort.loc[through, m].to_numpy(), other.loc[through, m].to_numpy()
        assert np.array_equal(a, b, equal_nan=True), m
    # a case censored by the short run's cap is the longer run's to finish; up to the cap, it went the same way
    censored = cohort[~through]
    for m in MILESTONES:
        reached = censored[m].notna()
        assert np.array_equal(censored.loc[reached, m].to_numpy(), other.loc[censored.index[reached], m].to_numpy())


@pytest.mark.slow
def test_the_run_ends_when_the_cohort_is_through_or_at_the_cap(runs):
    short, cases, longer, _ = runs
    cohort = cases[cases["in_cohort"]]
    last = cohort[["delivered", "withdrawn"]].max(axis=1).max()
    through = (cohort["delivered"].notna() | cohort["withdrawn"].notna()).all()
    cap = (1.5 + 3) * 365.25
    if through:
        assert short.end_day == last  # the day the last cohort case was delivered or withdrawn
    else:
        assert short.end_day == cap
    # LORs kept arriving after the horizon, uncounted: they reach the offices, but not the run's tables
    assert (cases["lor_received"] < 1.5 * 365.25).all()
    flow = short.stage_flow
    after = flow[(flow["stage"] == "lor_intake") & (flow["year"] >= 2)]["arrivals"].sum()
    assert after > 100 and not math.isnan(short.end_day)


def test_a_closed_run_drains_every_case(compose):
    """run.after_horizon=drain (debug=tiny's, for speed): no LOR after the horizon, the run ends when every case is
    closed, and the cohort's last cases meet emptying offices (so it differs from the arrivals run)."""
    drained = simulate(compose(*BASE, "run.after_horizon=drain", "run.drain_years=40"), 0)
    cases = drained.cases
    assert (cases["closed"].notna() | cases["withdrawn"].notna()).all()
    flow = drained.stage_flow
    assert flow[(flow["stage"] == "lor_intake") & (flow["year"] >= 2)]["arrivals"].sum() == 0


def test_the_envelope_covers_the_arrivals_after_the_horizon():
    """A breaker's find: LORs arrive until the drain's end now, but the envelope was checked to the horizon only, so
    growth after it was silently capped (6,116 LORs drawn in a year that expected 28,212)."""
    from sim.config import ConfigError, load_params

    grow = [*BASE, "demand.growth_per_year=0.5", "demand.envelope=3", "run.horizon_years=1", "run.drain_years=6"]
    with pytest.raises(ConfigError, match=r"^demand.envelope=3.0 is below the peak relative LOR rate .* until LORs "
                                          r"stop, 7 years\); allowed: envelope >= that peak, or a shorter run.drain"):
        load_params(grow)
    assert load_params([*grow, "run.after_horizon=drain"]).demand.envelope == 3.0  # none arrives after the horizon
