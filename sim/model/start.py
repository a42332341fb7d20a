"""Starting from a user-made state: each open case resumes where its milestones say it stands.

A state's row (``sim.model.state``) becomes a :class:`~sim.model.entities.Case` numbered ``START_ID_BASE + k`` for
the k-th of the state's cases in the order of their own numbers (apart from every new LOR's id; its own number is
kept as ``source_id``), with the attributes the row gives, and the others drawn from the case's own uniforms as a
new case's would be (acquisition if empty: new procurement when a platform is named, never stock once a contract
was awarded; technology release; SDAF coverage); its amendments and modifications are planned from its LOR as for
any case (those planned before day 0 do not happen).

**The rule for the time left in the current stage.**  Only milestone dates are known, so the segment a case is in
(intake, reviews and congressional review, offer, implementation, contracting, production and delivery, closure;
``SEGMENTS``) has lasted ``e`` days since its last milestone.  Its remaining time is drawn from the segment's
*nominal* duration ``T`` (the sum of its stages' drawn times, loops included, from the scenario's distributions;
``SAMPLES`` Monte Carlo draws from the named stream ``start_segments``) given ``T > e``, with the case's own uniform
(bank ``start_resume``): ``R = T - e``.  At a portfolio office the drawn time is what a stage takes in the mean at the
design load (``sim.model.params.PoolStaff``), so the nominal time stands for the stage's elapsed time, waits and
shared attention included.  A case older than the 99th percentile of ``T`` has overstayed what the distribution
describes (a long hold, a stalled contract): it is given a fresh nominal duration, its stage's work again, rather
than finishing on day 1.  An offer older than its expiry (``offer_expiry_days``) has expired: a new offer cycle
starts on day 0 (restated or withdrawn by the offer stage's own draws).  The remaining time passes without holding
an office (its work is already under way), so the offices start lighter than a run that reached the date; from the
next milestone on the case goes through the stages as any case does.  ``benchmarks/start_check.py`` measures the
rule against the model itself.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

import numpy as np

from sim.engine.portable_math import plain_sum
from sim.engine.rng import DrawBank, RandomStreams
from sim.model.entities import (
    NORMAL,
    S_ACQ,
    S_SDAF,
    S_TECH,
    URGENT,
    Case,
    CaseFactory,
    _cumulative,
    _pick,
)
from sim.model.params import ACQUISITION_TYPES, Params, ProcessParams
from sim.model.process.congressional_review import case_notified, period
from sim.model.reform import Policy

if TYPE_CHECKING:
    from sim.model.params import DocumentParams


class Starting(Protocol):
    """What ``admit_state`` uses of the model (``FmsModel`` satisfies it)."""

    p: ProcessParams
    policy: Policy
    streams: RandomStreams
    banks: Mapping[str, DrawBank]
    kinds: dict[str, "DocumentParams"]
    planned: bool
    end: float
    params: Params
    factory: CaseFactory

    def admit_resumed(self, case: Case, segment: str, remaining: float) -> None: ...

START_ID_BASE = 1 << 40  # a state's case ``k`` is case ``START_ID_BASE + k`` (new LORs are 0, 1, 2, ...)
SAMPLES = 4000  # nominal segment durations drawn per kind of case
TAIL = 0.99  # older than this quantile of its segment's time: the time left of a case at the quantile
# segment -> (the milestone that started it, the one that ends it)
SEGMENTS = {"lor_intake": ("lor_received", "lor_complete"), "reviews": ("lor_complete", "loa_offered"),
            "offer_acceptance": ("loa_offered", "loa_accepted"), "implementation": ("loa_accepted", "implemented"),
            "contracting": ("implemented", "contract_awarded"), "production": ("contract_awarded", "delivered"),
            "closure": ("delivered", "closed")}


@dataclass(frozen=True)
class StartCase:
    """One open case of a state, ready to resume: the case, the segment it is in and the days left in it."""

    case: Case
    segment: str
    remaining: float


def _expiry(params: Params, case: Case) -> float:
    o = params.process.offer_acceptance
    return o.bpc_offer_expiry_days if case.funding == "bpc" else o.offer_expiry_days


def _since(row: Mapping[str, Any], segment: str, acquisition: str) -> float:
    start = SEGMENTS[segment][0]
    if segment == "production" and acquisition == "stock":
        start = "implemented"  # a stock item is never put on contract
    return float(row[start])


class SegmentTimes:
    """The nominal duration of each segment, sampled once per kind of case (see the module)."""

    def __init__(self, p: ProcessParams, policy: Policy, streams: RandomStreams) -> None:
        self.p, self.policy, self.streams = p, policy, streams
        self.cache: dict[tuple[Any, ...], np.ndarray] = {}

    def sorted_times(self, segment: str, case: Case) -> np.ndarray:
        key = self._key(segment, case)
        if key not in self.cache:
            rng = self.streams("start_segments:" + ":".join(map(str, key)))
            draw = self._sampler(segment, case)
            self.cache[key] = np.sort(np.array([draw(rng) for _ in range(SAMPLES)], dtype=np.float64))
        return self.cache[key]

    def _key(self, segment: str, case: Case) -> tuple[Any, ...]:
        if segment == "reviews":
            return (segment, case.loa_group, case.tech_release, case.partner_group, self._notified(case))
        if segment == "offer_acceptance":
            return (segment, case.funding)
        if segment == "contracting":
            return (segment, case.acquisition)
        if segment == "production":
            return (segment, "major_platform" if case.platform else "standard")
        return (segment,)

    def _notified(self, case: Case) -> bool:
        return case_notified(self.p.congressional_review, case)

    def _sampler(self, segment: str, case: Case) -> Callable[[np.random.Generator], float]:
        p = self.p
        if segment == "lor_intake":
            def intake(rng: np.random.Generator) -> float:
                total = 0.0
                for _ in range(1000):  # the loop ends with probability 1 - p_incomplete each round
                    u = rng.random(3)
                    total += p.lor_intake.work.from_uniform(float(u[0]))
                    if u[1] >= p.lor_intake.p_incomplete:
                        break
                    total += p.lor_intake.rework.from_uniform(float(u[2]))
                return total
            return intake
        if segment == "reviews":
            notified = self._notified(case)

            def reviews(rng: np.random.Generator) -> float:
                u = rng.random(4)
                content = p.loa_development.work[case.loa_group].from_uniform(float(u[0]))
                tech = p.tech_release.work.from_uniform(float(u[1])) if case.tech_release else 0.0
                share = p.policy_review.share_of_loa_work
                writing, review = content * (1.0 - share), content * share
                days = max(tech, writing, review) if self.policy.parallel_reviews else tech + writing + review
                cr = p.congressional_review
                return days + (period(cr, case.partner_group, float(u[2]), float(u[3])) if notified else 0.0)
            return reviews
        if segment == "offer_acceptance":
            o = p.offer_acceptance
            dist, expiry = ((o.bpc_acceptance, o.bpc_offer_expiry_days) if case.funding == "bpc"
                            else (o.acceptance, o.offer_expiry_days))
            return lambda rng: min(dist.from_uniform(float(rng.random())), expiry)
        if segment == "contracting":
            c = p.contracting
            work = c.work[case.acquisition]

            def contracting(rng: np.random.Generator) -> float:
                total, share = 0.0, 1.0
                for _ in range(1000):
                    u = rng.random(3)
                    total += share * work.from_uniform(float(u[0]))
                    if u[1] >= c.p_requirement_change:
                        break
                    total += c.change_delay.from_uniform(float(u[2]))
                    share = c.change_rework_share
                return total
            return contracting
        if segment == "production":
            lead = p.production.lead_time["major_platform" if case.platform else "standard"]
            return lambda rng: (lead.from_uniform(float(rng.random())) * (case.acquisition != "stock")
                                + p.delivery.work.from_uniform(float(rng.random())))
        dist = {"implementation": p.implementation.work, "closure": p.closure.work}[segment]
        return lambda rng: dist.from_uniform(float(rng.random()))


def remaining(times: np.ndarray, elapsed: float, u: float) -> float:
    """Days left in a segment of nominal sorted durations ``times`` that has lasted ``elapsed``: ``T - elapsed``
    given ``T > elapsed`` drawn with ``u``; past the ``TAIL`` quantile, a fresh nominal duration (module)."""
    n = len(times)
    first = bisect_right(times.tolist(), elapsed)
    if first > int(math.floor(TAIL * n)):  # it has overstayed what the distribution describes: its work again
        return float(times[min(n - 1, int(u * n))])
    k = min(n - 1, first + int(u * (n - first)))
    return float(times[k] - elapsed)


def _acquisition(row: Mapping[str, Any], group: str, factory: CaseFactory, u: float) -> str:
    """The row's acquisition, or one drawn as for a new case: new procurement when a platform is named, never stock
    when a contract was awarded."""
    if row.get("acquisition"):
        return str(row["acquisition"])
    if row.get("platform"):
        return "new_procurement"
    mix = factory.d.groups[group].acquisition
    allowed = [a for a in ACQUISITION_TYPES if not (a == "stock" and row.get("contract_awarded") == row.get(
        "contract_awarded") and row.get("contract_awarded") is not None)]
    weights = [mix.get(a, 0.0) for a in allowed]
    if plain_sum(weights) <= 0:
        return allowed[-1]
    return allowed[_pick(_cumulative(weights), u)]


Planner = Callable[[int, str, float], tuple[Any, ...]]


def start_cases(rows: list[Mapping[str, Any]], params: Params, factory: CaseFactory, resume: DrawBank,
                times: SegmentTimes, plan: Planner) -> list[StartCase]:
    """The state's rows as cases ready to resume on day 0 (``plan(case_id, group, lor)``: its documents)."""
    from sim.model.state import stage_of

    d = params.demand
    groups = {p.name: p.group for p in [*d.partners, *d.bpc.partners]}
    out = []
    # the state's cases in the order of their own numbers, numbered densely after START_ID_BASE: their draws fill
    # whole blocks (scattered numbers would hold a block of draws each)
    for k, row in enumerate(sorted(rows, key=lambda r: int(r["case_id"]))):
        cid = START_ID_BASE + k
        u = factory.bank.row(cid)
        group = str(row["loa_group"])
        mix = d.groups[group]
        acquisition = _acquisition(row, group, factory, float(u[S_ACQ]))
        funding = row.get("funding") or "fms"
        platform = str(row.get("platform") or "")
        pol = factory.policy
        listed = factory.listed(cid, str(row["partner"]), platform)
        case = Case(
            id=cid, partner=str(row["partner"]), partner_group=groups[str(row["partner"])], loa_group=group,
            value_musd=float(row["value_musd"]), mde_musd=float(row.get("mde_musd") or 0.0),
            tech_release=bool(u[S_TECH] < mix.p_tech_release), acquisition=acquisition, platform=platform,
            quantity=int(row.get("quantity") or 0),
            priority=URGENT if row.get("priority") == "urgent" or listed else NORMAL,
            sdaf=bool(acquisition != "stock" and u[S_SDAF] < pol.sdaf_share), funding=funding,
            documents=plan(cid, group, float(row["lor_received"])), source_id=int(row["case_id"]))
        for m in ("lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
                  "delivered"):
            v = row.get(m)
            if v is not None and v == v:
                setattr(case, m, float(v))
        segment = stage_of({**row, "acquisition": acquisition})
        elapsed = -_since(row, segment, acquisition)
        if segment == "offer_acceptance" and elapsed >= _expiry(params, case):  # expired: a new offer cycle
            out.append(StartCase(case, "offer_expired", 0.0))
            continue
        left = remaining(times.sorted_times(segment, case), elapsed, float(resume.row(cid)[0]))
        out.append(StartCase(case, segment, left))
    return out


def admit_state(m: Starting, rows: Sequence[Mapping[str, Any]]) -> None:
    """Admit a user-made state's open cases on day 0, each resuming where it stands (see the module)."""
    from sim.model.document_plan import plan_documents

    times = SegmentTimes(m.p, m.policy, m.streams)
    resume = m.streams.bank("start_resume", 1, 1)

    def plan(case_id: int, group: str, lor: float) -> tuple[Any, ...]:
        return plan_documents(m.banks, m.kinds, case_id, group, m.end - lor) if m.planned else ()

    for sc in start_cases(list(rows), m.params, m.factory, resume, times, plan):
        m.admit_resumed(sc.case, sc.segment, sc.remaining)
