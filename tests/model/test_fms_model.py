"""Whole-model properties on tiny runs: conservation, priority at a pool, sane records."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import make_case, model, start, timeline
from sim.model.entities import URGENT
from sim.runner import simulate


@pytest.fixture(scope="module")
def tiny_rep(compose):
    p = compose("debug=tiny", "run.records=full")
    return p, simulate(p, 0)


def test_conservation_per_replication(compose):
    p = compose("debug=tiny", "run.drain_years=1")  # short drain: some cases stay in progress
    for r in range(2):
        cases = simulate(p, r).cases
        counts = cases["outcome"].value_counts()
        assert counts.sum() == len(cases)
        assert set(counts.index) <= {"delivered", "withdrawn", "in_progress"}
        assert counts.get("in_progress", 0) > 0
        delivered = cases["delivered"].notna()
        withdrawn = cases["withdrawn"].notna()
        assert not (delivered & withdrawn).any()
        assert (delivered.sum() + withdrawn.sum() + counts.get("in_progress", 0)) == len(cases)


def test_visit_records_are_consistent(tiny_rep):
    _, res = tiny_rep
    v = res.visits
    assert (v["started"] >= v["arrived"]).all()
    assert (v["finished"] >= v["started"]).all()
    assert (v.loc[v["pool"] == "", "started"] == v.loc[v["pool"] == "", "arrived"]).all()
    c = res.cases.set_index("case_id")
    first = v.groupby("case_id")["arrived"].min()
    assert np.allclose(first.to_numpy(), c.loc[first.index, "lor_received"].to_numpy())
    # milestones are ordered
    for a, b in [("lor_received", "loa_offered"), ("loa_offered", "loa_accepted"),
                 ("loa_accepted", "contract_awarded"), ("loa_accepted", "delivered"), ("delivered", "closed")]:
        both = c[[a, b]].dropna()
        assert (both[b] >= both[a]).all(), (a, b)


def test_cohort_flags(tiny_rep):
    p, res = tiny_rep
    c = res.cases
    warm, hor = p.run.warmup_years * 365.25, p.run.horizon_years * 365.25
    assert (c["in_warmup"] == (c["lor_received"] < warm)).all()
    assert (c["in_cohort"] == ((c["lor_received"] >= warm) & (c["lor_received"] < hor))).all()
    assert c["lor_received"].max() < hor


def test_urgent_case_is_served_first_at_a_busy_pool(det_params):
    det_params.staffing.pools["case_managers"].headcount = 1
    det_params.staffing.pools["case_managers"].caseload = 1
    m = model(det_params)
    start(m, make_case(0), at=0)  # takes the only slot for 3 days
    start(m, make_case(1), at=1)  # normal, queues first
    start(m, make_case(2, priority=URGENT), at=2)  # urgent, queues later, served first
    start(m, make_case(3), at=2)
    m.env.run()
    intake = {cid: timeline(m, cid)[0] for cid in range(4)}
    assert intake[0] == ("lor_intake", 0, 0, 3)
    assert intake[2] == ("lor_intake", 2, 3, 6)
    assert intake[1] == ("lor_intake", 1, 6, 9)
    assert intake[3] == ("lor_intake", 2, 9, 12)


def test_draws_of_cases_that_are_done_are_freed_and_results_do_not_change(monkeypatch):
    """Once every case of a block of ids is done its draws are released from every bank (memory stays flat over
    long runs); a run that keeps every block gives exactly the same cases."""
    from sim.config import load_params
    from sim.engine.rng import DrawBank, RandomStreams
    from sim.model import reform
    from sim.model.fms_model import FmsModel
    from sim.model.observers import CohortVisits, Kept

    p = load_params(["debug=tiny", "run.horizon_years=3", "run.drain_years=30", "demand.lor_per_year=300",
                     "run.after_horizon=drain"])  # every case closes: every block is freed
    scenario, policy = reform.apply(p)

    def run():
        kept = Kept()
        m = FmsModel(scenario, RandomStreams(p.seed, 0), policy, observers=[CohortVisits(), kept]).run()
        rows = [(c.id, c.loa_offered, c.delivered, c.closed, c.withdrawn) for c in kept.cases]
        return m, rows

    lean, rows = run()
    blocks = len({c_id // 256 for c_id, *_ in rows})
    assert lean.open_cases == 0 and blocks >= 3 and len(lean.loosened) == 0
    assert all(bank.blocks_held == 0 and bank.loose_cases == 0 for bank in lean.case_banks)  # all freed
    monkeypatch.setattr(DrawBank, "release", lambda self, block: None)
    monkeypatch.setattr(DrawBank, "loosen", lambda self, block, ids: None)
    kept, rows_kept = run()
    assert kept.case_banks[0].blocks_held == blocks
    assert rows == rows_kept


def test_a_callers_observers_change_no_result_whatever_the_records(compose):
    """Extra observers, even ones that take the visit records, leave every table of a replication as it was."""
    from sim.model.observers import CohortVisits, Kept, Visits

    for records in ("full", "cases"):
        p = compose("debug=tiny", "run.horizon_years=0.6", "run.warmup_years=0.1", "run.drain_years=0.5",
                    f"run.records={records}")
        plain, watched = simulate(p, 0), simulate(p, 0, observers=[CohortVisits(), Visits(), Kept()])
        assert watched.events == plain.events > 1000
        for attr in ("cases", "documents", "visits", "stage_totals", "stage_flow", "pools"):
            a, b = getattr(plain, attr), getattr(watched, attr)
            assert (a is None) == (b is None), attr
            if a is not None:
                pd.testing.assert_frame_equal(a, b, check_exact=True, obj=attr)


def test_the_same_observer_twice_is_refused_not_counted_twice(compose):
    """A breaker's find: one Visits object given twice kept every record twice."""
    from sim.model.observers import Visits

    p = compose("debug=tiny", "run.horizon_years=0.2", "run.warmup_years=0.1", "run.drain_years=0.1")
    seen = Visits()
    with pytest.raises(ValueError, match="observers: Visits object given twice; allowed: each observer once"):
        simulate(p, 0, observers=[seen, Visits(), seen])
    simulate(p, 0, observers=[Visits(), Visits()])  # two of a kind are two observers: allowed
