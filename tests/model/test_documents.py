"""Amendments and modifications: exact timings with deterministic durations, the offices they share with
LOAs, when they happen, when they are notified, and common random numbers for their planned times."""
from __future__ import annotations

import copy
import math

import pandas as pd
import pytest

from helpers import kept, make_case, model, start, timeline
from sim.config import compose_config, to_params
from sim.engine.distributions import Dist
from sim.model.entities import URGENT
from sim.model.params import DocumentParams
from sim.runner import simulate

# the deterministic case of test_case_flow: LOR day 0, implemented day 162, delivered 617, closed 982
IMPLEMENTED, DELIVERED, CLOSED = 162.0, 617.0, 982.0


@pytest.fixture
def doc_params(det_params):
    p = det_params
    groups = {g: g for g in "ABCD"}
    p.process.amendments = DocumentParams(per_year={g: 0.0 for g in "ABCD"}, work_share=0.5, work_group=groups,
                                          value_share=Dist(kind="fixed", value=0.1), p_enhancement=0.0)
    p.process.modifications = DocumentParams(per_year={g: 0.0 for g in "ABCD"}, work_share=0.2,
                                             work_group={**groups, "C": "B"},
                                             value_share=Dist(kind="fixed", value=0.0), p_enhancement=0.0)
    return p


def _case(plan, **kw):
    return make_case(0, documents=tuple(plan), **kw)


def test_an_amendment_is_written_reviewed_offered_and_accepted(doc_params):
    m = model(doc_params)
    c = start(m, _case([(500.0, "amendment", 1)]))
    m.env.run()
    assert c.implemented == IMPLEMENTED and c.lor_complete == 3.0
    doc_visits = [v for v in timeline(m, 0) if v[0].startswith("amendment")]
    assert doc_visits == [
        ("amendment_writing", 500, 500, 540),  # half of group B's content 100, 80% of it written
        ("amendment_review", 540, 540, 550),  # and 20% reviewed
        ("amendment_acceptance", 550, 550, 595),  # the partner's acceptance time, as for an LOA
    ]
    [d] = kept(m).documents
    assert (d.kind, d.planned_seq, d.arrived, d.offered, d.accepted, d.finished) == ("amendment", 1, 500, 550, 595,
                                                                                       595)
    assert d.value_musd == pytest.approx(0.5) and not d.notified  # 10% of the parent's $5M, far below thresholds


def test_a_modification_is_written_only_and_of_group_b_for_a_group_c_case(doc_params):
    m = model(doc_params)
    start(m, _case([(300.0, "modification", 1)], loa_group="C"))
    m.env.run()
    [d] = kept(m).documents
    # group C's modifications are written as group B work (DSCA 19-34): 20% of 100 days, all of it writing
    assert [v for v in timeline(m, 0) if v[0].startswith("modification")] == [("modification_writing", 300, 300, 320)]
    assert (d.offered, d.accepted, d.finished, d.value_musd, d.notified) == (320, 320, 320, 0.0, False)


def test_documents_happen_only_while_the_case_is_implemented_and_open(doc_params):
    m = model(doc_params)
    plan = [(100.0, "amendment", 1), (400.0, "modification", 1), (CLOSED + 10, "amendment", 2)]
    start(m, _case(plan))
    m.env.run()
    # the first is planned before implementation (day 162), the last after closure (day 982)
    assert [(d.kind, d.planned_seq, d.arrived) for d in kept(m).documents] == [("modification", 1, 400.0)]


def test_a_case_closes_only_when_its_documents_in_process_have_ended(doc_params):
    m = model(doc_params)
    c = start(m, _case([(970.0, "amendment", 1), (1000.0, "modification", 1)]))
    m.env.run()
    # the closure work ends on day 982 with the amendment still being written (970-1010), reviewed (-1020) and
    # accepted (-1065): the case closes on 1065; the modification planned for day 1000 never starts
    [d] = kept(m).documents
    assert (d.kind, d.finished) == ("amendment", 1065)
    assert c.closed == 1065 and c.open_documents == 0
    assert [v for v in timeline(m, 0) if v[0] == "closure"] == [("closure", DELIVERED, DELIVERED, CLOSED)]


def test_documents_queue_at_the_same_case_writers_as_loas(doc_params):
    """One case writer: an LOA that arrives while an amendment is being written waits for it, and the
    amendment shows in the pool's counters."""
    doc_params.staffing.pools["case_writers"].headcount = 1
    doc_params.staffing.pools["case_writers"].caseload = 1
    m = model(doc_params)
    start(m, _case([(500.0, "amendment", 1)]))
    later = start(m, make_case(1), at=490.0)  # its LOA development is ready at 493, the writer is busy 500-540?
    m.env.run()
    lo = [v for v in timeline(m, 1) if v[0] == "loa_development"]
    am = [v for v in timeline(m, 0) if v[0] == "amendment_writing"]
    # the LOA took the writer first (493-573); the amendment arrived at 500 and waited until 573
    assert lo == [("loa_development", 493, 493, 573)]
    assert am == [("amendment_writing", 500, 573, 613)]
    assert later.loa_offered == 593 + 0  # 573 + review 20
    assert m.pools["case_writers"].snapshot().starts == 3  # two LOAs and the amendment


def test_amendment_priority_is_its_parents(doc_params):
    doc_params.staffing.pools["case_writers"].headcount = 1
    doc_params.staffing.pools["case_writers"].caseload = 1
    m = model(doc_params)
    start(m, _case([(500.0, "amendment", 1)], priority=URGENT))
    start(m, make_case(1), at=480.0)  # LOA writing 483-563
    start(m, make_case(2), at=495.0)  # ready at 498, before the amendment, but not urgent
    m.env.run()
    assert [v[2] for v in timeline(m, 0) if v[0] == "amendment_writing"] == [563]
    assert [v[2] for v in timeline(m, 2) if v[0] == "loa_development"] == [603]


def test_an_amendment_is_notified_when_its_added_value_crosses_the_threshold(doc_params):
    doc_params.process.amendments.value_share = Dist(kind="fixed", value=0.5)
    m = model(doc_params)
    c = start(m, _case([(500.0, "amendment", 1)], value_musd=120.0))  # adds $60M >= $50M (other partners)
    m.env.run()
    [d] = kept(m).documents
    assert c.notified and d.notified
    assert [v for v in timeline(m, 0) if v[0] == "amendment_notification"] == [
        ("amendment_notification", 550, 550, 620)]  # informal 40 + formal 30
    assert (d.offered, d.accepted) == (620, 665)


def test_an_enhancement_of_a_notified_case_is_notified_again_before_delivery_only(doc_params):
    doc_params.process.amendments.p_enhancement = 1.0
    m = model(doc_params)
    c = start(m, _case([(500.0, "amendment", 1), (900.0, "amendment", 2)], value_musd=60.0))
    m.env.run()
    # each adds $6M: below the thresholds; the first enhances a notified case before its delivery (AECA 36(b)(5)(C))
    assert c.notified and c.delivered == DELIVERED + 70  # notification took 70 days
    assert [(d.planned_seq, d.arrived, d.notified) for d in kept(m).documents] == [(1, 500, True), (2, 900, False)]


def test_bpc_cases_are_not_notified_and_have_their_own_offer_rules(doc_params):
    doc_params.process.offer_acceptance.bpc_acceptance = Dist(kind="fixed", value=50.0)
    doc_params.process.offer_acceptance.bpc_offer_expiry_days = 30.0
    m = model(doc_params)
    c = start(m, _case([], loa_group="D", funding="bpc", value_musd=500.0))
    m.env.run()
    assert not c.notified
    # intake 3, LOA work of group D: 60 (48 writing, 12 review), offer at 63, accepted at the 30-day expiration
    assert (c.loa_offered, c.loa_accepted) == (63, 93)


def test_lor_complete_is_after_intake_rework(det_params):
    """LOR complete is the end of the last validation: 3 days, plus 20 days of partner rework and 3 more days of
    validation for each time the LOR was found incomplete."""
    det_params.process.lor_intake.p_incomplete = 0.7
    m = model(det_params)
    cases = [start(m, make_case(i), at=0.0) for i in range(40)]
    m.env.run(until=2000)
    reworked = 0
    for c in cases:
        intake = [v for v in timeline(m, c.id) if v[0] == "lor_intake"]
        rounds = len(intake) - 1
        reworked += rounds > 0
        assert c.lor_complete == intake[-1][3] == pytest.approx(3 + 23 * rounds)
        assert [v[1] for v in timeline(m, c.id) if v[0] == "loa_development"] == [c.lor_complete]
    assert reworked > 10 and not math.isnan(cases[0].lor_complete)


# ---------------------------------------------------------------- common random numbers
@pytest.fixture(scope="module")
def small():
    p = to_params(compose_config(["run.horizon_years=3", "run.warmup_years=1", "run.drain_years=6",
                                  "demand.lor_per_year=400"]))
    return p


def test_a_reform_that_moves_cases_leaves_every_planned_document_time_unchanged(small):
    """Faster LOAs and contracting move every case's life; its planned document times do not move, and every
    document that happens arrives exactly at its parent's LOR plus its planned offset."""
    fast = copy.deepcopy(small)
    levers = fast.reform.levers["none"]
    levers.loa_work_factor = 0.5
    levers.contracting_work_factor = 0.5
    a, b = simulate(small, 0), simulate(fast, 0)
    assert not a.documents.empty and not b.documents.empty
    cases_a = a.cases.set_index("case_id")
    cases_b = b.cases.set_index("case_id")
    assert (cases_a["implemented"] != cases_b["implemented"]).mean() > 0.5  # the reform did move cases
    from sim.engine.rng import RandomStreams
    from sim.model import reform
    from sim.model.fms_model import FmsModel
    plans = []
    for p in (small, fast):
        scenario, policy = reform.apply(p)
        m = FmsModel(scenario, RandomStreams(p.seed, 0), policy)
        plans.append({i: m.factory.make(i, "fms").documents for i in range(0, 3000, 7)})
    assert plans[0] == plans[1] and any(plans[0].values())
    for res in (a, b):
        cases = res.cases.set_index("case_id")
        d = res.documents.join(cases[["lor_received", "implemented", "closed", "loa_group"]], on="case_id")
        assert (d["arrived"] >= d["implemented"]).all()
        assert not (d["arrived"] >= d["closed"]).any()
    # the documents both scenarios have, by (case, kind, planned number), arrive at the same offset from their LOR
    key = ["case_id", "document", "planned_seq"]
    both = a.documents.merge(b.documents, on=key, suffixes=("_a", "_b"))
    assert len(both) > 100
    off_a = both["arrived_a"] - both["case_id"].map(cases_a["lor_received"])
    off_b = both["arrived_b"] - both["case_id"].map(cases_b["lor_received"])
    assert (off_a - off_b).abs().max() < 1e-9
    assert (both["value_musd_a"] == both["value_musd_b"]).all()  # drawn by (case, planned number), not by order


def test_a_document_draws_the_same_work_in_every_scenario(small):
    """Its work is drawn by (case, kind, seq): a reform that reorders queues (more staff) and one that changes
    which documents happen (parallel reviews move implementation) leave each common document's work unchanged."""
    p = copy.deepcopy(small)
    p.run.records = "full"
    faster = copy.deepcopy(p)
    faster.reform.levers["none"].parallel_reviews = True
    faster.reform.levers["none"].staff_factor = {"case_writers": 1.3}

    def work(res):
        v = res.visits[res.visits["stage"].isin(["amendment_writing", "modification_writing"])]
        # a document arrives at its planned day, the same in both scenarios: (case, stage, arrived) names it
        # the drawn work: hands-on effort and waits on others (a slot holds for all of it, an office shares it)
        return v.assign(d=v["effort"] + v["waits"]).set_index(["case_id", "stage", "arrived"])["d"]

    a, b = work(simulate(p, 0)), work(simulate(faster, 0))
    common = a.index.intersection(b.index)
    assert len(common) > 100 and len(common) < max(len(a), len(b))  # some documents happen in one scenario only
    pd.testing.assert_series_equal(a.loc[common].sort_index(), b.loc[common].sort_index())


def test_the_plan_stops_at_the_end_of_the_run_and_is_a_prefix_of_one_stream():
    """Planned times up to a limit are the first ones of the same stream, whatever the limit; a high rate runs
    past the pre-drawn gaps into the case's overflow stream, still the same times for every limit."""
    from sim.engine.rng import RandomStreams
    from sim.model.document_plan import plan_documents
    from sim.model.process import BANKS

    streams = RandomStreams(7, 0)
    banks = {k: streams.bank(k, *BANKS[k]) for k in ("amendment", "modification")}
    params = {"amendment": DocumentParams(per_year={"B": 20.0}), "modification": DocumentParams(per_year={"B": 3.0})}
    long = plan_documents(banks, params, 11, "B", until=3650.0)
    short = plan_documents(banks, params, 11, "B", until=1000.0)
    assert short == tuple(d for d in long if d[0] < 1000.0)
    amendments = [d for d in long if d[1] == "amendment"]
    assert len(amendments) > 100 > BANKS["amendment"][0]  # well past the 16 pre-drawn gaps
    assert [d[2] for d in amendments] == list(range(1, len(amendments) + 1))
    assert all(a[0] < b[0] for a, b in zip(long, long[1:]))
    assert len(amendments) == pytest.approx(20 * 10, rel=0.25)  # a Poisson stream at 20 a year for 10 years
