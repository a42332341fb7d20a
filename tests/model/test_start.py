"""Starting from a user-made state (sim.model.start): the rule for the time left, the state's cases resumed with
their milestones kept, new LORs unchanged, the calendar taken from the state, bad files refused."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError, compose_config, load_state, to_params
from sim.model.segment_paths import TAIL, remaining, remaining_path
from sim.model.start import START_ID_BASE
from sim.model.state import MILESTONES, stage_of
from sim.runner import simulate

SHORT = ("debug=tiny", "run.replications=1", "run.warmup_years=0", "run.horizon_years=1", "run.drain_years=9")


def test_the_time_left_is_drawn_given_the_time_spent():
    times = np.arange(1.0, 101.0)  # nominal durations 1..100 days
    assert remaining(times, 10.0, 0.0) == 1.0  # the shortest T above 10 is 11
    assert remaining(times, 10.0, 0.999) == 90.0  # the longest is 100
    left = [remaining(times, 10.0, u) for u in np.linspace(0, 0.999, 500)]
    assert min(left) > 0 and left == sorted(left)  # the case's own uniform: monotone, never done at once


def test_a_case_older_than_the_range_starts_its_stage_again():
    """Past the 99th percentile a case has overstayed what the distribution describes: a fresh nominal duration,
    spread like the distribution itself, so no spike of completions on day 1 (bounded distributions included)."""
    times = np.sort(np.random.default_rng(1).triangular(5, 14, 45, 4000))
    for u in (0.0, 0.3, 0.99):
        fresh = remaining(times, 1e6, u)
        assert fresh == remaining(times, float(times[-1]) + 1.0, u) == float(times[int(u * len(times))])
    left = [remaining(times, 1e6, u) for u in np.linspace(0, 0.999, 1000)]
    assert min(left) >= 5 and np.median(left) == pytest.approx(np.median(times), rel=0.05)
    assert remaining(times, float(times[int(TAIL * len(times)) - 1]), 0.5) < 45  # near the top: little left


@pytest.fixture(scope="module")
def started():
    p = to_params(compose_config([*SHORT, "start=example_open_cases"]))
    return p, simulate(p, 0, start=load_state(p).rows).cases


def test_the_state_fixes_the_calendar(started):
    p, _ = started
    assert p.run.start_fiscal_year == 2027 and p.start == "example_open_cases"
    dated = to_params(compose_config([*SHORT, "start=example_open_cases", "reform=more_staff",
                                      "run.horizon_years=2", "reform.effective=FY2028"]))
    assert dated.reform.effective == 1.0  # FY2028 begins one year after the state's date


def test_every_case_of_the_state_resumes_with_its_milestones_kept(started):
    p, cases = started
    rows = {r["case_id"]: r for r in load_state(p).rows}
    mine = cases[cases["case_id"] >= START_ID_BASE].set_index("source_id")
    assert sorted(mine.index) == sorted(rows)  # their own numbers kept
    assert list(mine.sort_index()["case_id"]) == [START_ID_BASE + k for k in range(len(rows))]  # dense, in order
    assert (cases.loc[cases["case_id"] < START_ID_BASE, "source_id"] == -1).all()
    for cid, row in rows.items():
        got = mine.loc[cid]
        given = [m for m in MILESTONES if row.get(m) is not None and row.get(m) == row.get(m)]
        for m in given:
            assert got[m] == row[m], (cid, m)  # what the state says is kept exactly
        later = [got[m] for m in MILESTONES if m not in given and got[m] == got[m]]
        assert all(t >= 0 for t in later)  # nothing new before day 0
        reached = [got[m] for m in MILESTONES if got[m] == got[m]]
        assert reached == sorted(reached), cid
        if got["acquisition"] == "stock":
            assert got["contract_awarded"] != got["contract_awarded"]
        if row.get("platform"):
            assert got["acquisition"] == "new_procurement"
    assert (mine["delivered"].notna()).all()  # a long drain: every one of them gets there


def test_an_empty_acquisition_respects_what_the_row_says(compose):
    """Drawn as for a new case, but never stock once a contract was awarded, and new procurement with a platform."""
    p = compose(*SHORT)
    base = {"partner": "Japan", "loa_group": "A", "value_musd": 5.0, "lor_received": -800.0, "lor_complete": -790.0,
            "loa_offered": -700.0, "loa_accepted": -650.0, "implemented": -600.0}
    rows = [{**base, "case_id": i, "contract_awarded": -300.0} for i in range(40)]
    rows += [{**base, "case_id": 100 + i, "platform": "rotorcraft", "quantity": 2} for i in range(10)]
    c = simulate(p, 0, start=rows).cases
    mine = c[c["case_id"] >= START_ID_BASE].set_index("source_id")
    assert (mine.loc[range(40), "acquisition"] != "stock").all()
    assert (mine.loc[range(100, 110), "acquisition"] == "new_procurement").all()


def test_an_offer_older_than_its_expiry_starts_a_new_offer_cycle(compose):
    p = compose(*SHORT)
    row = {"partner": "Japan", "loa_group": "B", "value_musd": 5.0, "lor_received": -1300.0, "lor_complete": -1290.0,
           "loa_offered": -1000.0}
    c = simulate(p, 0, start=[{**row, "case_id": i} for i in range(30)]).cases
    mine = c[c["case_id"] >= START_ID_BASE]
    accepted = mine["loa_accepted"].dropna()
    assert (mine["loa_offered"] == -1000.0).all()  # the first offer's date is kept
    assert len(accepted) + mine["withdrawn"].notna().sum() == 30
    assert accepted.min() > 1.0 and accepted.median() > 20  # accepted after a new cycle, not within days
    # expired before day 0: restated (its share of the work again) or withdrawn on day 0, as the offer stage decides
    # (a second breaker pass: it went straight to a new offer, so almost none was withdrawn)
    withdrawn = mine["withdrawn"].dropna()
    assert len(withdrawn) >= 2 and (withdrawn == 0.0).all()


def test_rows_made_by_hand_are_checked(compose):
    p = compose(*SHORT)
    with pytest.raises(ValueError, match="simulate: start has 2 problem"):
        simulate(p, 0, start=[{"case_id": 1, "partner": "Atlantis", "loa_group": "Z", "value_musd": 5.0,
                               "lor_received": -10.0}])


def test_new_lors_are_the_same_cases_as_without_the_state(started, compose):
    p, cases = started
    plain = simulate(compose(*SHORT, "run.start_fiscal_year=2027"), 0).cases
    cols = ["case_id", "lor_received", "partner", "loa_group", "value_musd", "acquisition", "platform"]
    new = cases[cases["case_id"] < START_ID_BASE][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(new, plain[cols].reset_index(drop=True))


def test_the_same_state_starts_the_same_way_every_time(started):
    p, cases = started
    again = simulate(p, 0, start=load_state(p).rows).cases
    pd.testing.assert_frame_equal(again, cases)


def test_a_damaged_or_missing_state_is_refused_before_the_run(tmp_path):
    with pytest.raises(ConfigError) as missing:  # one problem of the whole file: one line, as every other mistake
        to_params(compose_config([*SHORT, "start=nowhere.csv"]))
    assert str(missing.value).startswith("start=nowhere.csv: ") and "\n" not in str(missing.value)
    bad = tmp_path / "bad.csv"
    bad.write_text("as_of,case_id,partner,loa_group,value_musd,lor_received\n"
                   "2026-09-30,1,Atlantis,B,-1,2026-01-01\n2026-09-30,2,Poland,B,5,2027-01-01\n")
    with pytest.raises(ConfigError) as e:
        to_params(compose_config([*SHORT, f"start={bad}"]))
    lines = str(e.value).splitlines()
    assert lines[0] == f"start={bad}: 3 problem line(s) in the state file:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["row 1 (case 1)", "row 1 (case 1)", "row 2 (case 2)"]


def test_the_time_left_at_an_office_is_worked_there():
    """A resumed case's time left goes on along a sampled path of its segment: the part under way cut, then the
    later parts whole, each at its office (effort and waits split as the office's) or as a plain wait."""
    p = to_params(compose_config([*SHORT, "start=example_open_cases", "run.records=full"]))
    rows = [dict(r) for r in load_state(p).rows]
    fresh = next(r for r in rows if stage_of(r) == "contracting")
    fresh["implemented"] = -1.0  # a contract action begun yesterday: its first part, the contracting work, is under way
    rep = simulate(p, 0, start=rows)
    ids = dict(zip(rep.cases["source_id"], rep.cases["case_id"]))
    seen = set()
    for row in rows:
        segment = stage_of(row)
        visits = rep.visits[rep.visits["case_id"] == ids[row["case_id"]]].sort_values("arrived", kind="stable")
        at_zero = visits[visits["arrived"] == 0.0]
        offices = {"lor_intake": {"case_managers"}, "contracting": {"contracting_officers"},
                   "reviews": {"tech_reviewers", "case_writers", "policy_reviewers"}}.get(segment, set())
        if offices and not at_zero.empty:  # a part at an office under way (else a wait: a rework, a change)
            assert len(at_zero) == 1 and at_zero["pool"].iloc[0] in offices, row["case_id"]
            pool = p.staffing.pools[at_zero["pool"].iloc[0]]
            ratio = pool.effort_share / (1 - pool.effort_share / (1 - pool.design_load))
            assert at_zero["effort"].iloc[0] / at_zero["waits"].iloc[0] == pytest.approx(ratio, rel=1e-9)
            seen.add(segment)
        else:
            assert at_zero.empty or (at_zero["pool"] == "").all(), (row["case_id"], segment)
    assert seen == {"lor_intake", "reviews", "contracting"}


def test_the_path_left_is_cut_at_the_time_spent():
    times = np.array([10.0, 30.0, 60.0])
    paths = [(("a", "x", 10.0),), (("a", "x", 10.0), ("b", "", 20.0)), (("a", "x", 20.0), ("b", "", 15.0),
                                                                        ("c", "y", 25.0))]
    assert remaining_path(times, paths, 15.0, 0.0) == (("b", "", 15.0),)  # 5 of b's 20 days spent
    assert remaining_path(times, paths, 25.0, 0.99) == (("b", "", 10.0), ("c", "y", 25.0))
    assert remaining_path(times, paths, 5.0, 0.0) == (("a", "x", 5.0),)
    assert remaining_path(times, paths, 1e6, 0.5) == paths[1]  # overstayed: a fresh path
    for e, u in ((15.0, 0.0), (25.0, 0.99), (5.0, 0.4)):
        assert sum(d for _, _, d in remaining_path(times, paths, e, u)) == pytest.approx(remaining(times, e, u))


def test_stock_and_contracted_items_in_production_take_their_own_paths(compose):
    """Found by a breaker: one sampled path for both, whichever case came first (a stock item waited out a lead time,
    or a contracted one skipped it)."""
    p = compose(*SHORT)
    base = {"partner": "Japan", "loa_group": "B", "value_musd": 5.0, "lor_received": -400.0, "lor_complete": -390.0,
            "loa_offered": -300.0, "loa_accepted": -250.0, "implemented": -40.0}
    rows = [{**base, "case_id": i, "acquisition": "stock"} for i in range(20)]
    rows += [{**base, "case_id": 100 + i, "acquisition": "on_contract", "contract_awarded": -30.0} for i in range(20)]
    for order in (rows, rows[::-1]):  # either kind first
        renumbered = [{**r, "case_id": (k if order is rows else 1000 - k)} for k, r in enumerate(order)]
        c = simulate(p, 0, start=renumbered).cases
        mine = c[c["case_id"] >= START_ID_BASE]
        stock = mine[mine["acquisition"] == "stock"]["delivered"]
        contracted = mine[mine["acquisition"] == "on_contract"]["delivered"]
        assert stock.median() < 120 < contracted.median(), (stock.median(), contracted.median())


def test_an_offer_still_open_may_expire_and_be_withdrawn_or_restated(compose):
    """Found by a breaker: an open offer's path never expired.  Near its expiry most offers still open expire; an
    expired one is withdrawn or restated (its restatement work done again) as the offer stage decides."""
    p = compose(*SHORT, "run.records=full")
    expiry = p.process.offer_acceptance.offer_expiry_days
    row = {"partner": "Japan", "loa_group": "B", "value_musd": 5.0, "lor_received": -400.0, "lor_complete": -390.0,
           "loa_offered": -(expiry - 2.0)}
    rep = simulate(p, 0, start=[{**row, "case_id": i} for i in range(60)])
    mine = rep.cases[rep.cases["case_id"] >= START_ID_BASE]
    withdrawn = mine["withdrawn"].dropna()
    assert len(withdrawn) > 0 and (withdrawn < 2.0 + 1e-9).all()  # withdrawn at the expiry, two days in
    restated = rep.visits[(rep.visits["stage"] == "restatement") & (rep.visits["case_id"] >= START_ID_BASE)]
    assert restated["arrived"].min() == pytest.approx(2.0) and len(set(restated["case_id"])) > 0
    assert (mine["loa_offered"] == -(expiry - 2.0)).all()


def test_a_threshold_dated_on_day_0_decides_the_states_cases_that_reach_congress(compose):
    """Found by a breaker: a state's case resumed in its reviews met the 36(b) rule of before a reform dated on its
    day 0 (a congressional period waited out, yet recorded as not notified).  Stages under way keep their times; the
    rule a case meets when it reaches congressional review is the one in force then, and a review already under way
    keeps the rule it began under."""
    row = {"partner": "Saudi Arabia", "loa_group": "B", "value_musd": 61.0, "mde_musd": 0.0,
           "lor_received": -10.0, "lor_complete": -2.0}  # two days into reviews: far from congressional review
    rows = [{**row, "case_id": i} for i in range(30)]
    before = simulate(compose(*SHORT), 0, start=rows).cases
    dated = simulate(compose(*SHORT, "reform=raise_thresholds_tiger", "reform.effective=0"), 0,
                     start=rows).cases
    mine_before, mine_dated = before[before["case_id"] >= START_ID_BASE], dated[dated["case_id"] >= START_ID_BASE]
    assert mine_before["notified"].all() and not mine_dated["notified"].any()
    # no congressional period waited out: offered about a month or more sooner
    assert mine_before["loa_offered"].mean() - mine_dated["loa_offered"].mean() > 30


def test_partial_parallel_reviews_decide_case_by_case():
    """Found by a breaker: at strength 0.1 every resumed case's reviews were parallel."""
    from sim.engine.rng import RandomStreams
    from sim.model.entities import Case
    from sim.model.reform import Policy
    from sim.model.segment_paths import SegmentTimes

    p = to_params(compose_config(list(SHORT)))
    times = SegmentTimes(p.process, Policy(parallel_reviews=True), RandomStreams(1, 0), lambda c: c.id % 2 == 0)
    kw = dict(partner="Japan", partner_group="nato5", loa_group="B", value_musd=5.0, mde_musd=0.0,
              tech_release=True, acquisition="stock", platform="", quantity=0, priority=1, sdaf=False, funding="fms")
    even, odd = times.samples("reviews", Case(id=2, **kw)), times.samples("reviews", Case(id=3, **kw))
    assert {part[0] for path in even[1] for part in path} <= {"loa_development", "reviews"}
    assert "policy_review" in {part[0] for path in odd[1] for part in path}


def test_a_congressional_review_under_way_keeps_its_rule_and_notified_follows_the_wait(compose):
    """Found by a second breaker pass: under a phased or later-dated threshold a case waited out a period and was
    recorded as not notified, and a review under way took the day-0 reform's rule.  Cases deep in their reviews (most
    in congressional review) keep the rule of before; cases past their reviews are notified by the rule of then."""
    deep = {"partner": "Saudi Arabia", "loa_group": "B", "value_musd": 61.0, "mde_musd": 0.0,
            "lor_received": -400.0, "lor_complete": -250.0}
    offered = {**deep, "value_musd": 500.0, "lor_complete": -300.0, "loa_offered": -20.0}
    rows = [{**deep, "case_id": i} for i in range(30)] + [{**offered, "case_id": 100 + i} for i in range(5)]
    dated = (("reform.effective=0",), ("reform.effective=0", "reform.phase_in_years=1"), ("reform.effective=0.3",))
    for extra in dated:
        p = compose(*SHORT, "reform=raise_thresholds_tiger", *extra)
        c = simulate(p, 0, start=rows).cases
        mine = c[c["case_id"] >= START_ID_BASE].set_index("source_id")
        assert mine.loc[range(100, 105), "notified"].all()  # offered before day 0, above the thresholds
        deep_cases = mine.loc[range(30)]
        assert deep_cases["notified"].mean() > 0.5, extra  # most are in congressional review: the rule of before
