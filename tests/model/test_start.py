"""Starting from a user-made state (sim.model.start): the rule for the time left, the state's cases resumed with
their milestones kept, new LORs unchanged, the calendar taken from the state, bad files refused."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError, compose_config, load_state, to_params
from sim.model.start import START_ID_BASE, TAIL, remaining
from sim.model.state import MILESTONES
from sim.runner import simulate

SHORT = ("debug=tiny", "run.replications=1", "run.warmup_years=0", "run.horizon_years=1", "run.drain_years=9")


def test_the_time_left_is_drawn_given_the_time_spent():
    times = np.arange(1.0, 101.0)  # nominal durations 1..100 days
    assert remaining(times, 10.0, 0.0) == 1.0  # the shortest T above 10 is 11
    assert remaining(times, 10.0, 0.999) == 90.0  # the longest is 100
    left = [remaining(times, 10.0, u) for u in np.linspace(0, 0.999, 500)]
    assert min(left) > 0 and left == sorted(left)  # the case's own uniform: monotone, never done at once


def test_a_case_older_than_the_range_gets_the_time_left_at_the_99th_percentile():
    times = np.sort(np.random.default_rng(1).lognormal(4.0, 0.8, 4000))
    cut = int(TAIL * len(times))
    for u in (0.0, 0.3, 0.99):
        tail = remaining(times, 1e6, u)  # far older than any nominal time: no spike of completions on day 1
        assert tail == remaining(times, float(times[-1]) + 1.0, u) > 0
        assert tail == float(times[min(len(times) - 1, cut + 1 + int(u * (len(times) - cut - 1)))] - times[cut])


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
    rows = {START_ID_BASE + r["case_id"]: r for r in load_state(p).rows}
    mine = cases[cases["case_id"] >= START_ID_BASE].set_index("case_id")
    assert sorted(mine.index) == sorted(rows)
    for cid, row in rows.items():
        got = mine.loc[cid]
        for m in MILESTONES:
            if row.get(m) == row.get(m) and row.get(m) is not None:
                assert got[m] == row[m], (cid, m)  # what the state says is kept exactly
        reached = [got[m] for m in MILESTONES if got[m] == got[m]]
        assert reached == sorted(reached) and all(t >= 0 for t in reached[len([1 for m in MILESTONES
                                                                                 if row.get(m) == row.get(m)
                                                                                 and row.get(m) is not None]):])
    assert (mine["delivered"].notna()).all()  # a long drain: every one of them gets there


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
    with pytest.raises(ConfigError, match="start=nowhere.csv: 1 problem line"):
        to_params(compose_config([*SHORT, "start=nowhere.csv"]))
    bad = tmp_path / "bad.csv"
    bad.write_text("as_of,case_id,partner,loa_group,value_musd,lor_received\n"
                   "2026-09-30,1,Atlantis,B,-1,2026-01-01\n2026-09-30,2,Poland,B,5,2027-01-01\n")
    with pytest.raises(ConfigError) as e:
        to_params(compose_config([*SHORT, f"start={bad}"]))
    lines = str(e.value).splitlines()
    assert lines[0] == f"start={bad}: 3 problem line(s) in the state file:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["row 1 (case 1)", "row 1 (case 1)", "row 2 (case 2)"]
