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
(``offer_expiry_days``) has expired: on day 0 it is restated (its share of the work again, then a new offer
cycle) or withdrawn by the offer stage's own draws, as is an offer whose path expires on the run's clock.  Under a
reform dated on day 0 the paths keep the times of before it (the stages under way started before;
``sim.model.enactment``'s rules for cases in process); a case yet to reach congressional review meets the reform's
36(b) rule, one in congressional review keeps the rule it began under, and a case past its reviews is notified by
the rule of before (``SegmentTimes.left``).  From the next milestone on the case goes through the stages as any
case does.
``benchmarks/start_check.py`` measures the rule against the model itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, Sequence

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
from sim.model.process import UPTAKE
from sim.model.process.case_flow import Part
from sim.model.process.congressional_review import case_notified
from sim.model.reform import Policy
from sim.model.segment_paths import SegmentTimes

if TYPE_CHECKING:
    from sim.model.enactment import Epoch
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

    epochs: tuple["Epoch", ...]

    def admit_resumed(self, case: Case, segment: str, path: tuple[Part, ...]) -> None: ...

START_ID_BASE = 1 << 40  # a state's case ``k`` is case ``START_ID_BASE + k`` (new LORs are 0, 1, 2, ...)
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
        if segment not in ("lor_intake", "reviews"):  # past its congressional review: by the rule of then
            case.notified = case_notified(times.before, case)
        if segment == "offer_acceptance" and elapsed >= _expiry(params, case):  # expired: restated or withdrawn
            out.append(StartCase(case, "offer_expired", ()))
            continue
        path, notified = times.left(segment, case, elapsed, float(resume.row(cid)[0]))
        if segment == "reviews":
            case.notified = notified
        out.append(StartCase(case, segment, path))
    return out


def admit_state(m: Starting, rows: Sequence[Mapping[str, Any]]) -> None:
    """Admit a user-made state's open cases on day 0, each resuming where it stands (see the module)."""
    from sim.model.document_plan import plan_documents

    pol = m.policy

    def parallel(case: Case) -> bool:  # as the reviews step decides it, case by case under a partial uptake
        return bool(pol.parallel_reviews and (pol.uptake >= 1.0 or m.banks[UPTAKE].row(case.id)[1] < pol.uptake))

    # the stages under way keep the times of before a reform dated on day 0; the 36(b) rule a case meets when it
    # reaches congressional review is the one in force then (sim.model.enactment's rules for cases in process)
    due = [e for e in m.epochs if e.day <= 0.0]
    times = SegmentTimes(m.p, pol, m.streams, parallel,
                         due[-1].process.congressional_review if due else None)
    resume = m.streams.bank("start_resume", 1, 1)

    def plan(case_id: int, group: str, lor: float) -> tuple[Any, ...]:
        return plan_documents(m.banks, m.kinds, case_id, group, m.end - lor) if m.planned else ()

    for sc in start_cases(list(rows), m.params, m.factory, resume, times, plan):
        m.admit_resumed(sc.case, sc.segment, sc.path)
