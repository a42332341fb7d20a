"""Case attributes: drawn once per case id, from the configured mix, changed by a policy only where it says."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from sim.engine.rng import RandomStreams
from sim.model.entities import ATTR_SLOTS, NORMAL, URGENT, CaseFactory
from sim.model.params import FMS_GROUPS, LOA_GROUPS
from sim.model.reform import Policy

SEED = 4242
N = 4000
ATTRS = ("partner", "partner_group", "loa_group", "value_musd", "mde_musd", "tech_release", "acquisition",
         "platform", "quantity", "priority", "sdaf")


def _bank(seed: int = SEED):
    return RandomStreams(seed, 0).bank("case_attrs", 1, ATTR_SLOTS)


def _attrs(case, skip: str = "") -> tuple:
    return tuple(getattr(case, a) for a in ATTRS if a != skip)


@pytest.fixture(scope="module")
def demand(compose):
    return compose().demand


@pytest.fixture(scope="module")
def cases(demand):
    """N cases of the baseline demand, no policy."""
    f = CaseFactory(demand, _bank())
    return [f.make(i) for i in range(N)]


def test_same_case_id_gives_same_attributes_whatever_the_order(demand):
    ids = list(range(700))  # spans several lazily drawn blocks
    shuffled = ids[::-1]
    random.Random(1).shuffle(shuffled)
    a, b = CaseFactory(demand, _bank()), CaseFactory(demand, _bank())
    first = {i: _attrs(a.make(i)) for i in ids}
    second = {i: _attrs(b.make(i)) for i in shuffled}
    assert first == second
    # asking again for an id already made gives the same case
    assert all(_attrs(b.make(i)) == first[i] for i in (0, 255, 256, 699))
    # and the attributes do depend on the draws: another seed gives other cases
    other = CaseFactory(demand, _bank(SEED + 1))
    assert sum(_attrs(other.make(i)) != first[i] for i in ids) > 0.9 * len(ids)


def test_priority_partner_makes_its_cases_urgent_and_changes_nothing_else(demand, cases):
    name = "Poland"
    assert name in {p.name for p in demand.partners}
    pol = CaseFactory(demand, _bank(), Policy(priority_partners=(name,)))
    others_changed = 0
    promoted = 0
    for base in cases:
        c = pol.make(base.id)
        if base.partner == name:
            assert c.priority == URGENT
            promoted += base.priority == NORMAL
            assert _attrs(c, skip="priority") == _attrs(base, skip="priority")
        else:
            others_changed += _attrs(c) != _attrs(base)
    assert promoted > 50  # the policy did change something (Poland ~6% of N, ~95% normal without it)
    assert others_changed == 0


def test_priority_platform_makes_its_cases_urgent(demand, cases):
    fam = demand.platforms[0].name
    pol = CaseFactory(demand, _bank(), Policy(priority_platforms=(fam,)))
    hits = [c for c in cases if c.platform == fam]
    assert hits
    assert all(pol.make(c.id).priority == URGENT for c in hits)
    assert all(pol.make(c.id).priority == c.priority for c in cases[:500] if c.platform != fam)


def test_sdaf_share_zero_gives_no_sdaf_case_and_sdaf_never_applies_to_stock(demand, cases):
    assert not any(c.sdaf for c in cases)  # Policy() has sdaf_share 0
    assert not any(c.sdaf for c in (CaseFactory(demand, _bank(), Policy(sdaf_share=0.0)).make(i) for i in range(500)))
    full = [CaseFactory(demand, _bank(), Policy(sdaf_share=1.0)).make(i) for i in range(1000)]
    stock = [c for c in full if c.acquisition == "stock"]
    assert stock and not any(c.sdaf for c in stock)
    assert all(c.sdaf for c in full if c.acquisition != "stock")
    half = CaseFactory(demand, _bank(), Policy(sdaf_share=0.5))
    made = [half.make(i) for i in range(1000)]
    assert not any(c.sdaf for c in made if c.acquisition == "stock")
    non_stock = [c for c in made if c.acquisition != "stock"]
    share = sum(c.sdaf for c in non_stock) / len(non_stock)
    assert 0.4 < share < 0.6


def test_mde_never_exceeds_case_value(cases):
    assert all(0.0 <= c.mde_musd <= c.value_musd for c in cases)
    assert all(c.value_musd > 0 for c in cases)
    with_mde = [c for c in cases if c.mde_musd > 0]
    assert len(with_mde) > 100
    assert any(c.mde_musd < c.value_musd for c in with_mde)


def test_only_new_procurement_cases_carry_a_platform_and_quantity(demand, cases):
    for c in cases:
        if c.acquisition != "new_procurement":
            assert (c.platform, c.quantity) == ("", 0), c
        elif c.platform:
            assert c.quantity >= 1
        else:
            assert c.quantity == 0
    platforms = [c for c in cases if c.platform]
    assert platforms  # the check above is not vacuous
    assert {c.platform for c in platforms} <= {p.name for p in demand.platforms}
    assert {c.loa_group for c in platforms} <= {g for g in LOA_GROUPS if demand.groups[g].p_major_platform > 0}


def test_group_and_urgent_shares_match_the_configured_mix(demand, cases):
    total = sum(demand.groups[g].share for g in FMS_GROUPS)
    counts = Counter(c.loa_group for c in cases)
    assert set(counts) == set(FMS_GROUPS)  # partner-funded cases: Group D is for BPC cases only
    for g in FMS_GROUPS:
        # binomial sd <= 0.008 at N=4000; 0.03 is about 4 sd
        assert counts[g] / N == pytest.approx(demand.groups[g].share / total, abs=0.03), g
    urgent = sum(c.priority == URGENT for c in cases) / N
    assert urgent == pytest.approx(demand.urgent_share, abs=0.015)
    partner_groups = {p.name: p.group for p in demand.partners}
    assert all(partner_groups[c.partner] == c.partner_group for c in cases)


def test_next_visit_counts_per_stage(demand):
    f = CaseFactory(demand, _bank())
    case, other = f.make(99), f.make(100)
    assert case.visits == {}
    assert [case.next_visit("contracting") for _ in range(3)] == [0, 1, 2]
    assert case.next_visit("lor_intake") == 0
    assert case.next_visit("contracting") == 3
    assert case.visits == {"contracting": 4, "lor_intake": 1}
    assert other.visits == {}  # counters are per case, not shared


def test_bpc_cases_are_group_d_with_their_own_partners(demand):
    f = CaseFactory(demand, RandomStreams(5, 0).bank("case_attrs", 1, ATTR_SLOTS))
    bpc = [f.make(i, "bpc") for i in range(2000)]
    assert {c.funding for c in bpc} == {"bpc"} and {c.loa_group for c in bpc} == {"D"}
    names = {p.name for p in demand.bpc.partners}
    assert {c.partner for c in bpc} == names
    weights = {p.name: p.weight / sum(q.weight for q in demand.bpc.partners) for p in demand.bpc.partners}
    counts = Counter(c.partner for c in bpc)
    for name, w in weights.items():
        assert counts[name] / len(bpc) == pytest.approx(w, abs=0.04), name
    assert all(c.platform == "" for c in bpc)  # Group D has no major platforms


def test_the_value_factor_multiplies_by_partner_class(demand):
    """Same case id, same uniforms: a NATO+5 case's value is exactly the factor times what it would be at 1."""
    import dataclasses

    plain = dataclasses.replace(demand, value_factor={"nato5": 1.0, "other": 1.0})
    a = CaseFactory(demand, RandomStreams(5, 0).bank("case_attrs", 1, ATTR_SLOTS))
    b = CaseFactory(plain, RandomStreams(5, 0).bank("case_attrs", 1, ATTR_SLOTS))
    seen = set()
    for i in range(300):
        x, y = a.make(i), b.make(i)
        seen.add(x.partner_group)
        assert x.value_musd == pytest.approx(y.value_musd * demand.value_factor[x.partner_group], rel=1e-12)
        assert x.mde_musd == pytest.approx(y.mde_musd * demand.value_factor[x.partner_group], rel=1e-12)
    assert seen == {"nato5", "other"} and demand.value_factor["nato5"] != 1.0
