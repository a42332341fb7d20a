"""Property-based tests (hypothesis): over random valid configurations of a tiny model, every case's
history is physically possible, cases are conserved, delivered cases went through every mandatory stage
in order, a case is notified to Congress exactly when the AECA 36(b) rule says so, and every amendment and
modification happened while its parent was implemented and open, in a possible order."""
from __future__ import annotations

import copy
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import load_params, simulate, validate_params
from sim.model.process.congressional_review import is_notified

BASE = load_params(["debug=tiny", "run.records=full", "run.replications=1", "run.jobs=1"])
MILESTONES = ["lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
              "delivered", "closed"]
MANDATORY = ["lor_intake", "loa_development", "offer_acceptance", "implementation", "production", "delivery"]


@st.composite
def configs(draw: st.DrawFn):
    p = copy.deepcopy(BASE)
    p.seed = draw(st.integers(0, 2**31 - 1))
    p.run.horizon_years = draw(st.floats(0.3, 1.2))
    p.run.warmup_years = draw(st.floats(0.0, 0.25))
    p.run.drain_years = 15.0
    p.demand.lor_per_year = draw(st.floats(50, 600))
    pr = p.process
    pr.lor_intake.p_incomplete = draw(st.floats(0, 0.7))
    pr.offer_acceptance.p_expire = draw(st.floats(0, 0.6))
    pr.contracting.p_requirement_change = draw(st.floats(0, 0.7))
    pr.congressional_review.p_hold = draw(st.floats(0, 1))
    p.demand.bpc.share = draw(st.floats(0, 0.6))
    for kind in (pr.amendments, pr.modifications):
        scale = draw(st.floats(0, 3))
        kind.per_year = {g: r * scale for g, r in kind.per_year.items()}
    pr.amendments.p_enhancement = draw(st.floats(0, 1))
    for group in ("nato5", "other"):
        pr.congressional_review.total_threshold[group] = draw(st.floats(1, 500))
        pr.congressional_review.mde_threshold[group] = draw(st.floats(1, 200))
    for pool in p.staffing.pools.values():
        pool.headcount = draw(st.integers(1, 12))
        pool.caseload = draw(st.integers(1, 6))
    if draw(st.booleans()):
        p.reform.levers = {**p.reform.levers, "parallel": copy.deepcopy(p.reform.levers["none"])}
        p.reform.levers["parallel"].parallel_reviews = True
    return p


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_every_history_is_possible_and_every_case_is_accounted_for(p):
    assert validate_params(p) == []
    res = simulate(p, 0)
    cases, visits = res.cases, res.visits
    # milestones never go back in time, and none is negative
    m = cases[MILESTONES].to_numpy(dtype=float)
    for a in range(m.shape[1]):
        for b in range(a + 1, m.shape[1]):
            both = ~np.isnan(m[:, a]) & ~np.isnan(m[:, b])
            assert (m[both, a] <= m[both, b] + 1e-9).all(), (MILESTONES[a], MILESTONES[b])
    assert (cases["lor_received"] >= 0).all()
    withdrawn = cases["withdrawn"].notna()
    assert (cases.loc[withdrawn, "withdrawn"] >= cases.loc[withdrawn, "loa_offered"]).all()
    assert cases.loc[withdrawn, "delivered"].isna().all()
    # conservation: each case has one outcome, and visits are physically possible
    assert (cases["outcome"].isin(["delivered", "withdrawn", "in_progress"])).all()
    assert cases["case_id"].is_unique
    assert ((visits["started"] >= visits["arrived"]) & (visits["finished"] >= visits["started"])).all()
    assert set(visits["case_id"]) <= set(cases["case_id"])
    # delivered cases passed every mandatory stage, in process order (first visits)
    first = visits.sort_values("arrived", kind="stable").groupby(["case_id", "stage"])["arrived"].first()
    for c in cases[cases["outcome"] == "delivered"].itertuples():
        stages = [s for s in MANDATORY if not (s == "production" and c.acquisition == "stock")]
        if c.acquisition != "stock":
            stages.insert(stages.index("production"), "contracting")
        times = [first.get((c.case_id, s), math.nan) for s in stages]
        assert not any(math.isnan(t) for t in times), (c.case_id, stages, times)
        assert times == sorted(times) or p.reform.levers.get("parallel") is not None
        assert (first.get((c.case_id, "tech_release")) is not None) == bool(c.tech_release)
    # notified exactly when the 36(b) rule says so, for every case that got that far
    reviewed = cases["loa_offered"].notna()
    rule = [f == "fms" and is_notified(p.process.congressional_review, g, v, mde)
            for f, g, v, mde in zip(cases["funding"], cases["partner_group"], cases["value_musd"], cases["mde_musd"])]
    assert (cases.loc[reviewed, "notified"] == np.asarray(rule)[reviewed.to_numpy()]).all()
    # a notified case has its review visit, unless the run ended while it was still under review
    # (an overloaded office can outlast the drain; a visit is recorded when it ends)
    reviewed_visits = set(visits.loc[visits["stage"] == "congressional_review", "case_id"])
    notified = set(cases.loc[cases["notified"], "case_id"])
    assert reviewed_visits <= notified
    still_in_review = set(cases.loc[cases["loa_offered"].isna() & (cases["outcome"] == "in_progress"), "case_id"])
    assert notified - reviewed_visits <= still_in_review
    # documents: a parent that exists, arrival while it was implemented and open, milestones in order
    docs = res.documents.merge(cases[["case_id", "implemented", "closed", "funding"]], on="case_id", how="left",
                               validate="many_to_one")
    assert docs["implemented"].notna().all()
    assert (docs["arrived"] >= docs["implemented"]).all() and not (docs["arrived"] >= docs["closed"]).any()
    for a, b in (("arrived", "offered"), ("offered", "accepted"), ("accepted", "finished")):
        both = docs[a].notna() & docs[b].notna()
        assert (docs.loc[both, a] <= docs.loc[both, b] + 1e-9).all(), (a, b)
    mods = docs[docs["document"] == "modification"]
    assert (mods["offered"].isna() | (mods["offered"] == mods["accepted"])).all() and (mods["value_musd"] == 0).all()
    assert not docs.loc[docs["funding"] == "bpc", "notified"].any()
    for _, g in docs.groupby(["case_id", "document"]):  # seq counts 1, 2, ... in arrival order; planned_seq keys
        assert g["seq"].tolist() == list(range(1, len(g) + 1)) and g["planned_seq"].is_monotonic_increasing
        assert g["arrived"].is_monotonic_increasing and g["planned_seq"].is_unique
