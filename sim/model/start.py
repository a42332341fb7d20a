"""Starting from a user-made state: each open case resumes where its milestones say it stands.

A state's row (``sim.model.state``) becomes a :class:`~sim.model.entities.Case` numbered ``START_ID_BASE + k`` for
the k-th of the state's cases in the order of their own numbers (apart from every new LOR's id; its own number is
kept as ``source_id``), with the attributes the row gives, and the others drawn from the case's own uniforms as a
new case's would be (acquisition if empty: new procurement when a platform is named, never stock once a contract
was awarded; technology release; SDAF coverage); its amendments and modifications are planned from its LOR as for
any case (those planned before day 0 do not happen).

**The rule for the time left in the current stage.**  Only milestone dates are known, so the segment a case is in
(intake, reviews and congressional review, offer, implementation, contracting, production and delivery, closure;
``SEGMENTS``) has lasted ``e`` days since its last milestone.  Each segment's *path* is sampled as its stages draw
it (``SAMPLES`` Monte Carlo paths from the named stream ``start_segments``): its parts in order, each a stage, the
office that works it (or none) and its nominal days, loops included; ``T`` is their sum.  The case goes on with a
path drawn given ``T > e`` with its own uniform (bank ``start_resume``), from the part under way at ``e``: what is
left of it, then the later parts, each worked at its office (so the offices carry the state's open work from day 0,
in the shares the stages give: technology review, writing, policy review, contracting rounds) or waited without
one (a partner's rework or requirement change, a congressional period, an offer, implementation, production and
delivery, closure; a production line's queue starts empty).  At a portfolio office a nominal day is what a stage
takes in the mean at the design load (``sim.model.params.PoolStaff``).  A case older than the 99th percentile of
``T`` has overstayed what the distribution describes (a long hold, a stalled contract): it goes through a fresh
path, its stage's work again, rather than finishing on day 1.  An offer older than its expiry
(``offer_expiry_days``) has expired: a new offer cycle starts on day 0 (restated or withdrawn by the offer stage's
own draws).  From the next milestone on the case goes through the stages as any case does.
``benchmarks/start_check.py`` measures the rule against the model itself.
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

    def admit_resumed(self, case: Case, segment: str, path: tuple[Part, ...]) -> None: ...

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
    path: tuple[Part, ...]  # the parts of the segment left, in order (``remaining_path``)

    @property
    def remaining(self) -> float:
        return plain_sum([d for _, _, d in self.path])


def _expiry(params: Params, case: Case) -> float:
    o = params.process.offer_acceptance
    return o.bpc_offer_expiry_days if case.funding == "bpc" else o.offer_expiry_days


def _since(row: Mapping[str, Any], segment: str, acquisition: str) -> float:
    start = SEGMENTS[segment][0]
    if segment == "production" and acquisition == "stock":
        start = "implemented"  # a stock item is never put on contract
    return float(row[start])


# one part of a segment's path: (stage, the office that works it or "" for time that holds none, nominal days)
Part = tuple[str, str, float]


class SegmentTimes:
    """The nominal paths through each segment, sampled once per kind of case (see the module): each sample is the
    segment's parts in order, as its stages would draw them."""

    def __init__(self, p: ProcessParams, policy: Policy, streams: RandomStreams) -> None:
        self.p, self.policy, self.streams = p, policy, streams
        self.cache: dict[tuple[Any, ...], tuple[np.ndarray, list[tuple[Part, ...]]]] = {}

    def sorted_times(self, segment: str, case: Case) -> np.ndarray:
        return self.samples(segment, case)[0]

    def samples(self, segment: str, case: Case) -> tuple[np.ndarray, list[tuple[Part, ...]]]:
        """The sampled totals in ascending order and the path of each."""
        key = self._key(segment, case)
        if key not in self.cache:
            rng = self.streams("start_segments:" + ":".join(map(str, key)))
            draw = self._sampler(segment, case)
            paths = [draw(rng) for _ in range(SAMPLES)]
            totals = np.array([plain_sum([d for _, _, d in path]) for path in paths], dtype=np.float64)
            order = np.argsort(totals, kind="stable")
            self.cache[key] = (totals[order], [paths[i] for i in order])
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

    def _sampler(self, segment: str, case: Case) -> Callable[[np.random.Generator], tuple[Part, ...]]:
        p = self.p
        if segment == "lor_intake":
            def intake(rng: np.random.Generator) -> tuple[Part, ...]:
                path: list[Part] = []
                for _ in range(1000):  # the loop ends with probability 1 - p_incomplete each round
                    u = rng.random(3)
                    path.append(("lor_intake", "case_managers", p.lor_intake.work.from_uniform(float(u[0]))))
                    if u[1] >= p.lor_intake.p_incomplete:
                        break
                    path.append(("lor_rework", "", p.lor_intake.rework.from_uniform(float(u[2]))))
                return tuple(path)
            return intake
        if segment == "reviews":
            notified = self._notified(case)

            def reviews(rng: np.random.Generator) -> tuple[Part, ...]:
                u = rng.random(4)
                content = p.loa_development.work[case.loa_group].from_uniform(float(u[0]))
                tech = p.tech_release.work.from_uniform(float(u[1])) if case.tech_release else 0.0
                share = p.policy_review.share_of_loa_work
                writing, review = content * (1.0 - share), content * share
                if self.policy.parallel_reviews:  # the writing at its office, then what the longer branch adds
                    path = [("loa_development", "case_writers", writing),
                            ("reviews", "", max(tech, writing, review) - writing)]
                else:
                    path = [("tech_release", "tech_reviewers", tech), ("loa_development", "case_writers", writing),
                            ("policy_review", "policy_reviewers", review)]
                cr = p.congressional_review
                if notified:
                    path.append(("congressional_review", "", period(cr, case.partner_group, float(u[2]),
                                                                    float(u[3]))))
                return tuple(x for x in path if x[2] > 0.0)
            return reviews
        if segment == "offer_acceptance":
            o = p.offer_acceptance
            dist, expiry = ((o.bpc_acceptance, o.bpc_offer_expiry_days) if case.funding == "bpc"
                            else (o.acceptance, o.offer_expiry_days))
            return lambda rng: ((segment, "", min(dist.from_uniform(float(rng.random())), expiry)),)
        if segment == "contracting":
            c = p.contracting
            work = c.work[case.acquisition]

            def contracting(rng: np.random.Generator) -> tuple[Part, ...]:
                path: list[Part] = []
                share = 1.0
                for _ in range(1000):
                    u = rng.random(3)
                    path.append(("contracting", "contracting_officers", share * work.from_uniform(float(u[0]))))
                    if u[1] >= c.p_requirement_change:
                        break
                    path.append(("requirement_change", "", c.change_delay.from_uniform(float(u[2]))))
                    share = c.change_rework_share
                return tuple(path)
            return contracting
        if segment == "production":
            lead = p.production.lead_time["major_platform" if case.platform else "standard"]
            return lambda rng: ((segment, "", lead.from_uniform(float(rng.random())) * (case.acquisition != "stock")
                                 + p.delivery.work.from_uniform(float(rng.random()))),)
        dist = {"implementation": p.implementation.work, "closure": p.closure.work}[segment]
        return lambda rng: ((segment, "", dist.from_uniform(float(rng.random()))),)


def _pick_sample(times: np.ndarray, elapsed: float, u: float) -> tuple[int, bool]:
    """The sample a case that has lasted ``elapsed`` goes on with, drawn with ``u`` among those longer than
    ``elapsed``, and whether it starts afresh (past the ``TAIL`` quantile: its work again)."""
    n = len(times)
    first = bisect_right(times.tolist(), elapsed)
    if first > int(math.floor(TAIL * n)):
        return min(n - 1, int(u * n)), True
    return min(n - 1, first + int(u * (n - first))), False


def remaining(times: np.ndarray, elapsed: float, u: float) -> float:
    """Days left in a segment of nominal sorted durations ``times`` that has lasted ``elapsed``: ``T - elapsed``
    given ``T > elapsed`` drawn with ``u``; past the ``TAIL`` quantile, a fresh nominal duration (module)."""
    k, fresh = _pick_sample(times, elapsed, u)
    return float(times[k]) if fresh else float(times[k] - elapsed)


def remaining_path(times: np.ndarray, paths: list[tuple[Part, ...]], elapsed: float, u: float) -> tuple[Part, ...]:
    """The parts left of the sample ``remaining`` picks: the part under way at ``elapsed`` cut to what is left of
    it, then the later ones whole (the whole path when it starts afresh)."""
    k, fresh = _pick_sample(times, elapsed, u)
    if fresh:
        return paths[k]
    out: list[Part] = []
    before = 0.0
    for stage, pool, days in paths[k]:
        end = before + days
        if end > elapsed:
            out.append((stage, pool, end - max(before, elapsed)))
        before = end
    return tuple(out)


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
            out.append(StartCase(case, "offer_expired", ()))
            continue
        totals, paths = times.samples(segment, case)
        out.append(StartCase(case, segment, remaining_path(totals, paths, elapsed, float(resume.row(cid)[0]))))
    return out


def admit_state(m: Starting, rows: Sequence[Mapping[str, Any]]) -> None:
    """Admit a user-made state's open cases on day 0, each resuming where it stands (see the module)."""
    from sim.model.document_plan import plan_documents

    times = SegmentTimes(m.p, m.policy, m.streams)
    resume = m.streams.bank("start_resume", 1, 1)

    def plan(case_id: int, group: str, lor: float) -> tuple[Any, ...]:
        return plan_documents(m.banks, m.kinds, case_id, group, m.end - lor) if m.planned else ()

    for sc in start_cases(list(rows), m.params, m.factory, resume, times, plan):
        m.admit_resumed(sc.case, sc.segment, sc.path)
