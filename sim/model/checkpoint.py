"""An exact state: a run stopped at a day, saved as plain data from which it goes on exactly (``sim.model.resume``).

``save(model)`` after ``model.run(until=day)`` gives a dict of numbers, strings and lists (JSON keeps it exactly):

- the clock and every pending event's ``(time, priority, eid)`` (``sim.engine.checkpoint``), so events keep their
  order; the offices (each person's shared work, the cases' jobs, the backlog) and production lines as they stand;
- every open case: its attributes and milestones, visit counters, the step it is in with the counters it began
  it with, and **where it stands in that step**: the visit under way (a wait, a place in an office's line or
  backlog, a person's work on it, with the numbers that visit was drawn with), the parallel reviews' branches
  still going and those done, or its closure waiting on its documents; its documents, each at its own visit, and
  the plan that starts them;
- the run's own processes (next LOR, sampler, snapshots, horizon, deadline, staffing plans) and counters.

Where a case stands is read from its process's generators (CPython's ``gi_yieldfrom`` and ``gi_frame``): nothing
is added to the hot path.  Every pending event must belong to something saved; anything else is refused, naming
it, rather than lost.  Refused: a run with a dated reform (its parameters change on the way; save the run before
the reform and date the reform at the state's day: ``sim.model.resume``), a run that drains
(``run.after_horizon=drain``), and a case still in the part of a stage a milestone-only state resumed it in.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Mapping, Optional

import numpy as np
import simpy
from simpy.events import Condition

from sim.engine.checkpoint import Pending, clock, is_stale_wake, pending, pool_state, portfolio_state
from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.portfolio import PortfolioPool
from sim.model.process.case_flow import REVIEW_BRANCHES
from sim.model.process.documents import schedule

if TYPE_CHECKING:
    from sim.model.entities import Case, Document
    from sim.model.fms_model import FmsModel

VERSION = 1
# case fields a state does not keep as they are: the processes (rebuilt), the closure's event (made again)
LIVE_FIELDS = frozenset(("flow", "schedule", "close_wait"))
RUN_KEYS = ("after_horizon", "start_fiscal_year", "sample_days")  # the rest of the calendar may change (resume)
VISITS = {"delay": "delay", "resume_delay": "delay", "work": "slot", "resume_work": "slot",
          "portfolio_work": "portfolio", "resume_portfolio_work": "portfolio"}


class Saver:
    """What one save has seen: the pending events, the waiting requests and jobs, and which events are owned."""

    def __init__(self, m: "FmsModel") -> None:
        self.m = m
        self.when: Pending = pending(m.env)
        self.requests: dict[simpy.Event, tuple[str, int]] = {}
        self.owned: set[simpy.Event] = set()

    def at(self, event: simpy.Event) -> list[Any]:
        """The saved (time, priority, eid) of a pending event, now owned."""
        if event not in self.when:
            raise ValueError(f"save: a process waits on an event that is not due ({type(event).__name__})")
        self.owned.add(event)
        return list(self.when[event])

    def visit(self, gen: Any, target: simpy.Event) -> dict[str, Any]:
        """The visit a generator stands in (``sim.engine.core``'s work, portfolio work or delay, or their resumed
        forms), with the numbers it was drawn with and the event it waits on."""
        kind = VISITS[gen.gi_code.co_name]
        loc = gen.gi_frame.f_locals
        if kind == "delay":
            return {"kind": kind, "stage": loc["stage"], "pool": "", "duration": loc["duration"],
                    "start": loc["start"], "at": self.at(target)}
        pool = loc["pool"]
        started: Optional[float] = loc.get("started")
        out: dict[str, Any] = {"kind": kind, "stage": loc["stage"], "pool": pool.name, "arrived": loc["arrived"],
                               "started": started}
        if kind == "slot":
            out["duration"] = loc["duration"]
            if started is None:
                out["request"] = self.requests[target][1]
            else:
                out["at"] = self.at(target)
            return out
        job = loc["job"]
        out.update(effort=loc["effort"], waits=loc["waits"], job=job.seq)
        if started is not None and target is not job.done:
            out["at"] = self.at(target)
        return out


def _chain(proc: Any) -> list[Any]:
    """A process's generators, from its own to the innermost it delegates to."""
    gens: list[Any] = []
    gen: Any = proc._generator
    while gen is not None:
        gens.append(gen)
        gen = gen.gi_yieldfrom
    return gens


def _fields(obj: Any, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(obj):
        if f.name not in skip:
            value = getattr(obj, f.name)
            out[f.name] = [list(v) for v in value] if f.name == "documents" else value
    return out


def _case(s: Saver, case: "Case") -> dict[str, Any]:
    proc = case.flow
    gens = _chain(proc)
    names = [g.gi_code.co_name for g in gens]
    if "_walk" not in names:
        raise ValueError(f"save: case {case.id} is still in the part of its {case.step!r} a milestone-only state "
                         "resumed it in; allowed: a run that started empty or from an exact state")
    target = proc._target
    where: dict[str, Any] = {"visits": [], "done_branches": [], "closing": False}
    inner = gens[-1]
    if inner.gi_code.co_name in VISITS:
        where["visits"].append(s.visit(inner, target))
    elif target is case.close_wait:
        where["closing"] = True
    elif isinstance(target, Condition):  # the parallel reviews
        branch: Any
        for branch in target._events:
            if branch.is_alive:
                where["visits"].append(s.visit(_chain(branch)[-1], branch._target))
            else:
                where["done_branches"].append(list(REVIEW_BRANCHES[branch._generator.gi_code]))
    else:
        raise ValueError(f"save: case {case.id} waits on {type(target).__name__} in {names[-1]}, which no state "
                         "keeps")
    schedule = None
    if case.schedule is not None and case.schedule.is_alive:
        gen: Any = case.schedule._generator
        schedule = {"next": gen.gi_frame.f_locals["k"], "at": s.at(case.schedule._target)}
    return {"case": _fields(case, LIVE_FIELDS), "where": where, "schedule": schedule}


def _document(s: Saver, doc: "Document") -> dict[str, Any]:
    fields = _fields(doc, frozenset(("parent", "flow")))
    visit = None
    if doc.flow is not None and doc.flow.is_alive:
        visit = s.visit(_chain(doc.flow)[-1], doc.flow._target)
    return {"case_id": doc.parent.id, "document": fields, "visit": visit}


def _system(s: Saver, name: str, proc: simpy.Process) -> Optional[dict[str, Any]]:
    """One of the run's own processes: None when it has ended; else the event it waits on and its loop's state."""
    if not proc.is_alive:
        return None
    out: dict[str, Any] = {"at": s.at(proc._target)}
    gen: Any = proc._generator
    loc = gen.gi_frame.f_locals
    if name == "arrivals":
        if "case_id" not in loc or s.m.arrivals_done:
            raise ValueError("save: the arrivals are past their last LOR; allowed: a run whose LORs go on")
        out["next"] = loc["case_id"]
    elif name.startswith("plan:"):
        hires = [list(h) for h in loc["hires"]]
        if "wf" in loc:
            out.update(kind="slots", cohorts=[list(c) for c in loc["wf"].cohorts], last=loc["wf"].last, hires=hires)
        else:
            out.update(kind="people", debt=loc["debt"], last=loc["last"], hires=hires)
    return out


def fingerprint(m: "FmsModel", day: float) -> dict[str, Any]:
    """What a resumed run must share with the saved one: seed and replication, demand, the process parameters and
    policy in effect, offices, lines, staffing plans up to ``day`` and the run's calendar (as JSON-able data)."""
    params, st = m.params, m.params.staffing
    plans = {}
    for name, p in st.plans.items():
        before = [[h.year * DAYS_PER_YEAR, h.headcount] for h in p.hires if h.year * DAYS_PER_YEAR < day]
        if before or p.attrition_per_year:  # a plan that acted before the day (a reform's later hires may differ)
            plans[name] = {"attrition_per_year": p.attrition_per_year, "backfill": p.backfill,
                           "ramp_years": p.ramp_years, "ramp_start": p.ramp_start, "hires": before}
    policy = dataclasses.asdict(m.policy)
    if not m.policy.uptake:  # a switch or list that reaches no case (a reform at level 0, before its date)
        policy.update(parallel_reviews=False, priority_partners=[], priority_platforms=[])
    if not (policy["parallel_reviews"] or policy["priority_partners"] or policy["priority_platforms"]):
        del policy["uptake"]  # no switch for it to reach
    if not m.policy.sdaf_share:
        del policy["sdaf_days_saved"]  # no case is covered
    data = {"seed": m.streams.root_seed, "replication": m.streams.replication,
            "demand": dataclasses.asdict(params.demand), "process": dataclasses.asdict(m.p),
            "policy": policy, "offices": {n: dataclasses.asdict(s) for n, s in st.pools.items()},
            "lines": dict(m.line_rate), "priority_attention": st.priority_attention,
            "plan_step_days": st.plan_step_days, "plans": plans,
            "run": {k: getattr(params.run, k) for k in RUN_KEYS}}
    out: dict[str, Any] = plain(data, text=True)
    return out


def _flat(data: Any, path: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flat(v, f"{path}.{k}" if path else str(k)))
        return out
    return {path: data}


def differences(saved: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """Each key whose value differs between two fingerprints, with both values."""
    a, b = _flat(dict(saved)), _flat(dict(now))
    return [f"{k} (state: {a.get(k, '-')}, run: {b.get(k, '-')})" for k in sorted(set(a) | set(b))
            if a.get(k) != b.get(k)]


def plain(data: Any, text: bool = False) -> Any:
    """``data`` with numpy scalars as Python numbers and tuples as lists: what JSON and Parquet keep exactly
    (``text``: anything else, as its text)."""
    if isinstance(data, dict):
        return {str(k) if text else k: plain(v, text) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain(v, text) for v in data]
    if isinstance(data, np.generic):
        return data.item()
    if text and not (data is None or isinstance(data, (str, int, float, bool))):
        return str(data)
    return data


def _orphan(event: simpy.Event) -> bool:
    """The plan of documents of a case done since: it will only find its case gone (``documents.schedule``)."""
    callbacks = event.callbacks or []
    for cb in callbacks:
        gen = getattr(getattr(cb, "__self__", None), "_generator", None)
        if gen is None or gen.gi_code is not schedule.__code__ or gen.gi_frame.f_locals["ref"]() is not None:
            return False
    return bool(callbacks)


def save(m: "FmsModel") -> dict[str, Any]:
    """The state of ``m``, stopped by ``m.run(until=day)``, as plain data (module docstring)."""
    if m.epochs:
        raise ValueError("save: the run has a dated, partial or phased reform (reform.effective, strength or "
                         "phase_in_years); allowed: a run without one (date the reform at the state's day instead)")
    if m.drain:
        raise ValueError("save: run.after_horizon=drain (no LOR after the horizon); allowed: arrivals")
    if m.finished.triggered:
        raise ValueError(f"save: the run had ended before day {m.env.now} (its cohort through, or its cap); allowed: "
                         "a day before its end")
    s = Saver(m)
    offices: dict[str, Any] = {}
    for name, pool in m.pools.items():
        if isinstance(pool, PortfolioPool):
            offices[name] = portfolio_state(pool, s.when)
            for person in pool.people:
                if person.server._wake_event is not None:
                    s.owned.add(person.server._wake_event)
        else:
            offices[name] = pool_state(pool, s.requests)
    lines = {family: pool_state(pool, s.requests) for family, pool in m.lines.items()}
    cases = [_case(s, case) for case in m.live.values()]
    documents = [_document(s, d) for docs in m.live_documents.values() for d in docs]
    system = {name: _system(s, name, proc) for name, proc in m.system.items()}
    for event in s.when:
        if event not in s.owned and not is_stale_wake(event) and not _orphan(event):
            names = [getattr(cb, "__qualname__", type(cb).__name__) for cb in event.callbacks or []]
            raise ValueError(f"save: an event due on day {s.when[event][0]} belongs to nothing a state keeps "
                             f"(callbacks {names})")
    state: dict[str, Any] = plain({
        "version": VERSION, "clock": clock(m.env), "fingerprint": fingerprint(m, m.env.now),
        "calendar": {"warmup": m.warmup, "horizon": m.horizon, "end": m.end},
        "offices": offices, "lines": lines, "cases": cases, "documents": documents, "system": system,
        "counters": {"cohort_pending": m.cohort_pending, "cohort_complete": m.cohort_complete,
                     "admitting_block": m.admitting_block,
                     "open_in_block": [[b, n] for b, n in m.open_in_block.items()],
                     "loosened": sorted(m.loosened)},
        "samples": [list(row) for row in m.samples],
        "snapshots": {label: {name: dataclasses.asdict(snap) for name, snap in pools.items()}
                      for label, pools in m.snapshots.items()},
    })
    return state
