"""Helpers for model tests: deterministic params, a fake draw bank, hand-made cases, exact timelines."""
from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from sim.engine.distributions import Dist
from sim.engine.rng import RandomStreams
from sim.model.entities import NORMAL, Case
from sim.model.fms_model import FmsModel
from sim.model.observers import Kept
from sim.model.params import (
    CongressionalReviewParams,
    ContractingParams,
    DelayParams,
    DemandParams,
    DocumentParams,
    GroupMix,
    LoaDevelopmentParams,
    LorIntakeParams,
    OfferAcceptanceParams,
    Params,
    Partner,
    Platform,
    PolicyReviewParams,
    PoolStaff,
    ProcessParams,
    ProductionParams,
    ReformLevers,
    ReformParams,
    RunParams,
    StaffingParams,
    StaffPlan,
    TechReleaseParams,
)


class FakeBank:
    """Stands in for a DrawBank: preset uniforms per visit (default: 0.5 in every slot)."""

    def __init__(self, visits: dict[int, list[float]] | None = None, slots: int = 3) -> None:
        self.visits = visits or {}
        self.slots = slots

    def row(self, case_id: int, visit: int = 0) -> np.ndarray:
        return np.asarray(self.visits.get(visit, [0.5] * self.slots), dtype=float)


def make_case(case_id: int = 0, **kw) -> Case:
    attrs = dict(partner="Testland", partner_group="other", loa_group="B", value_musd=5.0, mde_musd=0.0,
                 tech_release=False, acquisition="on_contract", platform="", quantity=0, priority=NORMAL)
    attrs.update(kw)
    return Case(id=case_id, **attrs)


def start(m: FmsModel, case: Case, at: float = 0.0) -> Case:
    """Start one hand-made case's flow at day ``at`` (no random arrivals)."""
    def go():
        yield m.env.timeout(at)
        m.admit(case)

    m.env.process(go())
    return case


def model(params: Params, seed: int = 1) -> FmsModel:
    """A model that keeps every visit record and, as objects, every case and document (``kept(m)``)."""
    return FmsModel(params, RandomStreams(seed, 0), observers=[Kept()])


def kept(m: FmsModel) -> Kept:
    """The :class:`~sim.model.observers.Kept` observer of a model made by :func:`model`."""
    [k] = [o for o in m.observers if isinstance(o, Kept)]
    return k


def timeline(m: FmsModel, case_id: int) -> list[tuple[str, float, float, float]]:
    """(stage, arrived, started, finished) of one case, in order."""
    return [(s, a, b, f) for (cid, s, _pool, a, b, f, *_) in m.visits if cid == case_id]


def _fixed(value: float, cap: float | None = None) -> Dist:
    return Dist(kind="fixed", value=value, cap=cap)


def _lognormal(median: float, sigma: float) -> Dist:
    return Dist(kind="lognormal", median=median, sigma=sigma)


def _uniform(low: float, high: float) -> Dist:
    return Dist(kind="uniform", low=low, high=high)


def deterministic_params() -> Params:
    """Complete, valid params for exact-timeline tests, written out here and independent of ``configs/``.

    Every process duration is fixed and every branch probability 0, so a case's path and times are
    exact.  The other values (demand mix, review thresholds and periods, staffing, run settings,
    seed) are a frozen copy of the configs/ baseline at the time this was written: recalibrating a
    default in ``configs/`` does not change them.  Tests edit a deep copy (the ``det_params`` fixture).
    """
    nato5 = [("Poland", 0.06), ("Germany", 0.05), ("Japan", 0.06), ("Australia", 0.06), ("South Korea", 0.05),
             ("Israel", 0.05), ("United Kingdom", 0.05), ("Netherlands", 0.03), ("Norway", 0.02),
             ("Romania", 0.03), ("Other NATO+5", 0.04)]
    other = [("Saudi Arabia", 0.07), ("Taiwan", 0.05), ("United Arab Emirates", 0.04), ("Qatar", 0.03),
             ("Egypt", 0.04), ("India", 0.03), ("Philippines", 0.03), ("Singapore", 0.03), ("Kuwait", 0.03),
             ("Morocco", 0.02), ("Other partners", 0.13)]
    demand = DemandParams(
        lor_per_year=2000.0,
        growth_per_year=0.0,
        seasonal=[1.0] * 12,
        envelope=2.0,
        urgent_share=0.05,
        partners=[Partner(name=n, group="nato5", weight=w) for n, w in nato5]
        + [Partner(name=n, group="other", weight=w) for n, w in other],
        groups={
            "A": GroupMix(share=0.5, value=_lognormal(1.5, 1.3), p_mde=0.05, mde_fraction=_uniform(0.2, 0.8),
                          p_tech_release=0.05,
                          acquisition={"stock": 0.5, "on_contract": 0.4, "new_procurement": 0.1},
                          p_major_platform=0.0),
            "B": GroupMix(share=0.35, value=_lognormal(4.0, 1.3), p_mde=0.25, mde_fraction=_uniform(0.3, 0.9),
                          p_tech_release=0.2,
                          acquisition={"stock": 0.2, "on_contract": 0.4, "new_procurement": 0.4},
                          p_major_platform=0.0),
            "C": GroupMix(share=0.15, value=_lognormal(20.0, 1.3), p_mde=0.8, mde_fraction=_uniform(0.4, 0.95),
                          p_tech_release=0.6,
                          acquisition={"stock": 0.05, "on_contract": 0.25, "new_procurement": 0.7},
                          p_major_platform=0.1),
            "D": GroupMix(share=0.0, value=_lognormal(10.0, 1.0), p_mde=0.1, mde_fraction=_uniform(0.2, 0.8),
                          p_tech_release=0.0,
                          acquisition={"stock": 0.3, "on_contract": 0.5, "new_procurement": 0.2},
                          p_major_platform=0.0),
        },
        platforms=[
            Platform(name="fighter_aircraft", weight=0.15, quantity=_lognormal(10.0, 0.6)),
            Platform(name="rotorcraft", weight=0.3, quantity=_lognormal(8.0, 0.6)),
            Platform(name="armored_vehicles", weight=0.3, quantity=_lognormal(30.0, 0.8)),
            Platform(name="air_defense", weight=0.25, quantity=_lognormal(3.0, 0.5)),
        ],
        shocks=[],
    )
    process = ProcessParams(
        lor_intake=LorIntakeParams(work=_fixed(3.0), p_incomplete=0.0, rework=_fixed(20.0)),
        tech_release=TechReleaseParams(work=_fixed(30.0)),
        loa_development=LoaDevelopmentParams(work={"A": _fixed(50.0), "B": _fixed(100.0), "C": _fixed(200.0),
                                                               "D": _fixed(60.0)}),
        policy_review=PolicyReviewParams(share_of_loa_work=0.2),
        congressional_review=CongressionalReviewParams(
            mde_threshold={"nato5": 25.0, "other": 14.0},
            total_threshold={"nato5": 100.0, "other": 50.0},
            informal_days={"nato5": 20.0, "other": 40.0},
            formal_days={"nato5": 15.0, "other": 30.0},
            p_hold=0.0,
            hold=_fixed(100.0, cap=720.0),
        ),
        offer_acceptance=OfferAcceptanceParams(acceptance=_fixed(45.0), offer_expiry_days=85.0, p_expire=0.0,
                                               p_restate=0.8, p_withdraw=0.2, restate_share=0.5,
                                               bpc_acceptance=_fixed(10.0), bpc_offer_expiry_days=30.0),
        implementation=DelayParams(work=_fixed(14.0)),
        contracting=ContractingParams(work={"on_contract": _fixed(45.0), "new_procurement": _fixed(240.0)},
                                      p_requirement_change=0.0, change_delay=_fixed(60.0), change_rework_share=0.5),
        production=ProductionParams(lead_time={"standard": _fixed(365.0), "major_platform": _fixed(1000.0)}),
        delivery=DelayParams(work=_fixed(45.0)),
        closure=DelayParams(work=_fixed(365.0)),
        amendments=DocumentParams(per_year={g: 0.0 for g in "ABCD"}, work_share=0.4,
                                  work_group={g: g for g in "ABCD"}, value_share=_fixed(0.0), p_enhancement=0.0),
        modifications=DocumentParams(per_year={g: 0.0 for g in "ABCD"}, work_share=0.15,
                                     work_group={"A": "A", "B": "B", "C": "B", "D": "D"}, value_share=_fixed(0.0),
                                     p_enhancement=0.0),
    )
    pools = {"case_managers": (8, 5), "tech_reviewers": (10, 5), "case_writers": (95, 4),
             "policy_reviewers": (19, 5), "contracting_officers": (105, 10)}
    staffing = StaffingParams(
        pools={name: PoolStaff(headcount=h, caseload=c) for name, (h, c) in pools.items()},
        production_lines={"fighter_aircraft": 48.0, "rotorcraft": 80.0, "armored_vehicles": 350.0,
                          "air_defense": 28.0},
        scale={name: 1.0 for name in pools},
        plans={name: StaffPlan(hires=[], attrition_per_year=0.0, backfill=False, ramp_years=0.0, ramp_start=0.5)
               for name in pools},
        plan_step_days=30.0,
    )
    run = RunParams(replications=1, horizon_years=1.0, warmup_years=0.0, drain_years=10.0, records="cases",
                    sample_days=30.0, jobs=1)
    return Params(seed=20261125, study="baseline", run=run, demand=demand, process=process, staffing=staffing,
                  reform=ReformParams(levers={"none": ReformLevers()}), reference="none", question="", scenario="",
                  sensitivity=None)


SIMD_PROBE = ("from numpy._core import _multiarray_umath as m; print(' '.join(f for f in m.__cpu_dispatch__ "
              "if m.__cpu_features__.get(f) and f not in m.__cpu_baseline__))")


def dispatched_simd(env: dict[str, str] | None = None) -> list[str]:
    """The SIMD levels numpy dispatches to above its build's baseline, as a fresh process with ``env`` sees them
    (numpy's own record, ``_multiarray_umath``; issue 20)."""
    out = subprocess.run([sys.executable, "-c", SIMD_PROBE], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def assert_close(a, b, path: str = "") -> None:
    """Equal, recursively through dicts and lists; floats within 1e-12 relative (reductions in another order),
    NaN equals NaN, None equals NaN."""
    if isinstance(a, dict):
        assert set(a) == set(b), f"{path}: keys {sorted(set(a) ^ set(b))}"
        for k in a:
            assert_close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), f"{path}: {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        x = math.nan if a is None else float(a)
        y = math.nan if b is None else float(b)
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-12, abs=1e-12), f"{path}: {a} {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def stretch_by_hand(load: float, held: float, caseload: int, cost: float, cap: int) -> float:
    """Written out independently of sim.app (tests/app): how many times its hands-on effort a case takes at a
    person of per-person ``load`` with Poisson(``held``) cases waiting on others: given h of them, the cases
    worked on m have P(m | h) proportional to prod_{j <= m} load x (1 + cost x max(0, h + j - caseload)) (the
    person's productivity falls by the juggling cost above the caseload, waiting cases included), h + m <= cap;
    the stretch is E[m] / load (Little's law)."""
    worked = 0.0
    for h in range(cap):
        p = math.exp(-held) * held ** h / math.factorial(h)
        terms = [1.0]
        for m in range(1, cap - h + 1):
            terms.append(terms[-1] * load * (1 + cost * max(0, h + m - caseload)))
        worked += p * sum(m * t for m, t in enumerate(terms)) / sum(terms)
    return worked / load
