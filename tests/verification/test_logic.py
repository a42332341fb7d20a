"""Logic checks of the FMS model: what must happen when a rule or a pool is pushed to an extreme."""
from __future__ import annotations

import pytest

from sim.runner import simulate

# the slot offices (staffing=slots): these checks are about first-come-first-served slot pools
# the mechanisms are checked in a closed system: no LOR after the horizon, every case ends (same cases, same work)
TINY = ("debug=tiny", "run.replications=1", "run.records=full", "run.horizon_years=1.5", "run.warmup_years=0.5",
        "run.after_horizon=drain", "run.drain_years=8", "staffing=slots")
PORTFOLIO = TINY[:-1]  # the default portfolio offices


def _cohort_visits(res):
    cohort = res.cases.loc[res.cases["in_cohort"], "case_id"]
    return res.visits[res.visits["case_id"].isin(cohort)]


def test_thresholds_above_every_value_remove_exactly_the_review_time(compose):
    base = simulate(compose(*TINY), 0)
    none = simulate(compose(*TINY, "process.congressional_review.mde_threshold={nato5: 1e9, other: 1e9}",
                                   "process.congressional_review.total_threshold={nato5: 1e9, other: 1e9}"), 0)
    assert not none.cases["notified"].any()
    bc, nc = base.cases[base.cases["in_cohort"]], none.cases[none.cases["in_cohort"]]
    notified_share = bc["notified"].mean()
    assert 0.02 < notified_share < 0.12
    v = _cohort_visits(base)
    review = v[v["stage"] == "congressional_review"]
    mean_review = (review["finished"] - review["started"]).mean()
    offer = lambda c: (c["loa_offered"] - c["lor_received"]).mean()  # noqa: E731
    expected_fall = notified_share * mean_review
    assert offer(bc) - offer(nc) == pytest.approx(expected_fall, abs=2.0)  # the tolerance: 2 days
    # nearly exact: no pool sits between the review and the first offer; only restated offers, which
    # queue again at the LOA pools at other times, move other cases' waits slightly
    assert offer(bc) - offer(nc) == pytest.approx(expected_fall, abs=0.05)


def _mean_wait(res, pool):
    v = _cohort_visits(res)
    v = v[v["pool"] == pool]
    return float((v["started"] - v["arrived"]).mean())


@pytest.mark.parametrize("pool", ["case_managers", "tech_reviewers", "policy_reviewers"])
def test_a_very_large_pool_has_no_waiting(compose, pool):
    res = simulate(compose(*TINY, f"staffing.pools.{pool}.headcount=100000"), 0)
    assert _mean_wait(res, pool) == 0.0


@pytest.mark.parametrize("pool, low, high", [("case_managers", 7, 12), ("tech_reviewers", 9, 14),
                                             ("policy_reviewers", 18, 25)])
def test_more_staff_means_shorter_waits(compose, pool, low, high):
    """Same seeds: raising headcount lowers the pool's mean wait (tolerance: strictly lower, and the
    larger pool's wait below half the smaller's when the small pool runs above 90% load)."""
    short = simulate(compose(*TINY, f"staffing.pools.{pool}.headcount={low}"), 0)
    ample = simulate(compose(*TINY, f"staffing.pools.{pool}.headcount={high}"), 0)
    w_short, w_ample = _mean_wait(short, pool), _mean_wait(ample, pool)
    assert w_short > 0
    assert w_ample < 0.5 * w_short


def test_an_office_with_a_free_person_for_every_case_takes_exactly_waits_plus_effort(compose):
    """Portfolio offices: with everyone pooled and far more people than cases, each case is worked on alone at
    full productivity, so its stage time is its waits on others plus its effort, to rounding."""
    res = simulate(compose(*PORTFOLIO, "staffing.pools.case_writers.headcount=3000",
                                  "staffing.pools.case_writers.pooling=1"), 0)
    v = res.visits[res.visits["pool"] == "case_writers"]
    assert len(v) > 1000 and (v["started"] == v["arrived"]).all()
    assert ((v["finished"] - v["started"]) - (v["waits"] + v["effort"])).abs().max() < 1e-6
    assert (v["effort"] > 0).all() and (v["waits"] > 0).all()


def test_more_people_in_an_office_shorten_its_stage_time_through_less_shared_attention(compose):
    def loa(scale):
        res = simulate(compose(*PORTFOLIO, f"staffing.scale.case_writers={scale}"), 0)
        v = _cohort_visits(res)
        v = v[v["stage"] == "loa_development"]
        slowdown = (v["finished"] - v["started"] - v["waits"] - v["effort"]).mean()
        return float((v["finished"] - v["arrived"]).mean()), float(slowdown), v["effort"].sum()

    (t_few, s_few, e_few), (t_many, s_many, e_many) = loa(0.5), loa(1.5)
    assert e_few == pytest.approx(e_many)  # same cases, same draws: the same effort
    assert s_few > 2 * s_many > 0  # less sharing with more people
    assert t_few - t_many == pytest.approx(s_few - s_many, rel=1e-6, abs=1e-6)  # all of the change is slowdown
