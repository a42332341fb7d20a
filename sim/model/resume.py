"""A run resumed from an exact state (``sim.model.checkpoint``): it goes on exactly as the saved run would have.

``resume(FmsModel(...), state)``, then ``run()``: it rebuilds, at the saved day, the clock and every pending event
with its saved order, the offices and lines, the open cases and documents, and the run's own processes; the LOR
stream is drawn again from day 0 up to the next LOR (a named stream of its own: the same numbers).

**How a case goes on from inside a step.**  A case's step is a SimPy generator, which cannot be saved; it is
*replayed*.  The case's visit counters go back to those it began the step with, and the step's code runs again
through :class:`Replay`, a view of the model in which every visit the case had finished returns at once (the
counters and draws lead it the same way: the branches follow from its own draws) and the visit under way
(``where``) goes on from the event it was waiting on, with the numbers it was drawn with.  From then on the view is
the model itself.  The run checks that each replay reached every visit under way and ended with the saved
counters; a state that does not fit (other parameters, other code) is refused.

**The parameters must be the saved run's**, apart from a reform dated on or after the state's day (it acts from
its date as it would have in the saved run; ``reform.effective``): a step replayed under other parameters could
take another branch.  ``fingerprint`` lists what must match; ``resume`` names what differs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

import simpy
from simpy.events import NORMAL, URGENT

from sim.engine.checkpoint import due, set_clock, set_pool_state, set_portfolio_state
from sim.engine.people import Job
from sim.engine.pool import PoolSnapshot
from sim.engine.portfolio import PortfolioPool
from sim.model import timekeeping
from sim.model.checkpoint import VERSION, differences, fingerprint
from sim.model.document_plan import plan_documents
from sim.model.entities import Case, Document
from sim.model.process import documents as docs
from sim.model.process.case_flow import continue_walk

if TYPE_CHECKING:
    from sim.engine.core import Process
    from sim.model.fms_model import FmsModel

Key = tuple[str, str]  # (stage, office name or "" for a wait)
CLOSING: Key = ("closing", "")  # a case whose closure waits on its documents: no visit, it replays to that wait


def _nothing() -> "Process":
    return
    yield  # a generator that ends at once: a visit the case had finished


class Replay:
    """The model as the replayed step of one case (and its documents' or branches') sees it (module docstring).

    A visit under way is known by its stage, its office and the case's visit counters at the time (a loop's rounds
    share a stage and an office, not their counters)."""

    def __init__(self, m: "FmsModel", under_way: dict[Key, Callable[[], "Process"]], done: set[Key],
                 visits: Optional[dict[str, int]] = None) -> None:
        self._m, self._under_way, self._done, self._visits = m, under_way, done, visits

    def __getattr__(self, name: str) -> Any:
        return getattr(self._m, name)

    def _visit(self, entity: Any, key: Key, live: Callable[[], "Process"]) -> "Process":
        if key in self._under_way and (self._visits is None or entity.visits == self._visits):
            return self._under_way.pop(key)()
        if self._under_way or key in self._done:
            return _nothing()
        return live()

    def work(self, entity: Any, stage: str, pool: Any, duration: float) -> "Process":
        return self._visit(entity, (stage, pool.name), lambda: self._m.work(entity, stage, pool, duration))

    def delay(self, entity: Any, stage: str, duration: float) -> "Process":
        return self._visit(entity, (stage, ""), lambda: self._m.delay(entity, stage, duration))

    @property
    def reached(self) -> bool:
        return all(key == CLOSING for key in self._under_way)

    @property
    def left(self) -> list[Key]:
        """The visits under way not reached (a state that does not fit)."""
        return list(self._under_way)


class Restorer:
    def __init__(self, m: "FmsModel", jobs: dict[str, dict[int, Job]], requests: dict[str, dict[int, simpy.Event]]):
        self.m, self.jobs, self.requests = m, jobs, requests
        self.pools = {p.name: p for p in m.all_pools().values()}

    def visit(self, entity: Any, v: Mapping[str, Any]) -> Callable[[], "Process"]:
        """The visit under way, to go on from its saved event (its events are restored now, in the queue)."""
        m, env = self.m, self.m.env
        if v["kind"] == "delay":
            ev = due(env, v["at"])
            return lambda: m.resume_delay(entity, v["stage"], v["duration"], v["start"], ev)
        pool = self.pools[v["pool"]]
        if v["kind"] == "slot":
            assert not isinstance(pool, PortfolioPool)
            slots = pool
            ev = self.requests[pool.name][v["request"]] if v["started"] is None else due(env, v["at"])
            return lambda: m.resume_work(entity, v["stage"], slots, v["duration"], v["arrived"], v["started"], ev)
        assert isinstance(pool, PortfolioPool)
        job = self.jobs[pool.name][v["job"]]
        if v["started"] is None:
            assert job.joined is not None
            ev = job.joined
        else:
            ev = due(env, v["at"]) if "at" in v else job.done
        return lambda: m.resume_portfolio_work(entity, v["stage"], pool, v["effort"], v["waits"], v["arrived"],
                                               v["started"], job, ev)


def _case(data: Mapping[str, Any]) -> Case:
    fields = dict(data)
    fields["documents"] = tuple(tuple(d) for d in fields["documents"])
    fields["visits"] = dict(fields["visits"])
    return Case(**fields)


def unfit(m: "FmsModel", state: Mapping[str, Any]) -> Optional[str]:
    """Why ``m`` cannot go on from ``state`` (the state's version, a reform acting before its day, parameters that
    differ from the saved run's, a calendar that moved a day already past), or None; reads only the state's
    metadata, not its cases."""
    if state.get("version") != VERSION:
        return f"state version {state.get('version')!r}; allowed: {VERSION}"
    day = float(state["clock"]["now"])
    early = [e.day for e in m.epochs if e.day < day]
    if early:
        return (f"the reform acts from day {early[0]:g}, before the state's day {day:g}; allowed: reform.effective "
                "on or after the state's day")
    found = differences(state["fingerprint"], fingerprint(m, day))
    if found:
        return (f"the run's parameters differ from the state's in {len(found)} place(s): " + "; ".join(found[:6])
                + ("; ..." if len(found) > 6 else "") + "; allowed: the saved run's, with a reform dated on or after "
                "the state's day")
    return timekeeping.calendar_problem(m, state)


def resume(m: "FmsModel", state: Mapping[str, Any]) -> None:
    """Rebuild ``m`` (made from the saved run's parameters, a reform dated from the state's day allowed) at the
    state's instant, ready to run on (module docstring)."""
    if m.start:
        raise ValueError("resume: the model starts from a milestone state too; allowed: one start")
    if m.resumed or m.env.now or m.live:
        raise ValueError("resume: the model has run already; allowed: a model just made")
    problem = unfit(m, state)
    if problem:
        raise ValueError(f"resume: {problem}")
    day = float(state["clock"]["now"])
    env = m.env
    set_clock(env, state["clock"])
    jobs: dict[str, dict[int, Job]] = {}
    requests: dict[str, dict[int, simpy.Event]] = {}
    for name, pool in m.pools.items():
        if isinstance(pool, PortfolioPool):
            jobs[name] = set_portfolio_state(pool, state["offices"][name])
        else:
            requests[name] = set_pool_state(pool, state["offices"][name])
    for family, line in m.lines.items():
        requests[line.name] = set_pool_state(line, state["lines"][family])
    counters = state["counters"]
    m.cohort_pending, m.cohort_complete = int(counters["cohort_pending"]), bool(counters["cohort_complete"])
    m.admitting_block = int(counters["admitting_block"])
    m.open_in_block = {int(b): int(n) for b, n in counters["open_in_block"]}
    m.loosened = set(counters["loosened"])
    for block in m.loosened:
        for bank in m.case_banks:
            bank.loosen(block, ())
    m.samples = [tuple(row) for row in state["samples"]]
    m.snapshots = {label: {name: PoolSnapshot(**snap) for name, snap in pools.items()}
                   for label, pools in state["snapshots"].items()}
    r = Restorer(m, jobs, requests)
    replays = _cases(m, r, state)
    documents = _documents(m, r, state)
    _calendar(m, state)
    timekeeping.restore(m, state)
    while env._queue and env.peek() == day and env._queue[0][1] == URGENT:
        env.step()  # every replay to where it stood, now: a state that does not fit fails here, not later
    m.resumed, m.start_day = True, day
    unreached = [f"case {case_id} in closure, not waiting on its documents"
                 for case_id, (replay, _, _) in replays.items()
                 if CLOSING in replay.left and m.live[case_id].flow._target is not m.live[case_id].close_wait]
    unreached += [f"case {case_id} in {step} (visit {sorted(replay.left)} not reached, counters "
                  f"{m.live[case_id].visits} for {visits})" for case_id, (replay, visits, step) in replays.items()
                  if not replay.reached or m.live[case_id].visits != visits]
    unreached += [f"a document of case {doc.id} (visit {sorted(replay.left)} not reached)" for doc, replay in documents
                  if not replay.reached]
    if unreached:
        raise ValueError(f"resume: {len(unreached)} case(s) of the state of day {day} did not replay to where they "
                         f"stood (first: {unreached[0]}): "
                         "the state was made by other code or parameters; allowed: a state this version makes")


def _cases(m: "FmsModel", r: Restorer,
           state: Mapping[str, Any]) -> dict[int, tuple[Replay, dict[str, int], Optional[str]]]:
    env, replays = m.env, {}
    for saved in state["cases"]:
        case = _case(saved["case"])
        where = saved["where"]
        under_way = {(v["stage"], v["pool"]): r.visit(case, v) for v in where["visits"]}
        if where["closing"]:
            under_way[CLOSING] = _nothing  # waits on its documents, not on a visit: replayed to that wait
        replay = Replay(m, under_way, {(s, p) for s, p in where["done_branches"]}, dict(case.visits))
        replays[case.id] = (replay, dict(case.visits), case.step)
        case.visits = dict(case.step_visits or {})
        m.live[case.id] = case
        for hook in m.on_admitted:
            hook(case)
        assert case.step is not None
        case.flow = env.process(continue_walk(m, case, case.step, replay))
        if saved["schedule"] is not None:
            sch = saved["schedule"]
            case.schedule = env.process(docs.schedule(m, case, int(sch["next"]), due(env, sch["at"])))
    return replays


def _calendar(m: "FmsModel", state: Mapping[str, Any]) -> None:
    """A run longer or with another cohort window than the saved one: its cohort counted again, and the open cases'
    amendments and modifications planned to its end (a plan is a prefix of one fixed stream: the saved one, then
    the later documents a longer run has)."""
    was = state["calendar"]
    if (was["warmup"], was["horizon"]) != (m.warmup, m.horizon):
        m.cohort_pending = len([c for c in m.live.values() if m.warmup <= c.lor_received < m.horizon
                                and c.delivered != c.delivered and c.withdrawn != c.withdrawn])
    if not (m.end > was["end"] and m.planned):  # (a shorter run keeps the longer plans: their ends never come)
        return
    env, eid = m.env, -15 * 10**8
    for case in m.live.values():
        old = case.documents
        plan = plan_documents(m.banks, m.kinds, case.id, case.loa_group, m.end - case.lor_received)
        if plan[:len(old)] != old:
            raise ValueError(f"resume: case {case.id}'s planned documents are not those of the state")
        case.documents = plan
        if len(plan) > len(old) and case.schedule is None and case.implemented == case.implemented \
                and not case.closing:  # its plan had ended: it waits, as it would have, for its next document
            started = m.live_documents.get(case.id)
            prev = started[-1].arrived if started else case.implemented
            t = case.lor_received + plan[len(old)][0]
            eid += 1
            case.schedule = env.process(docs.schedule(m, case, len(old), due(env, (prev + (t - prev), NORMAL, eid))))


def _documents(m: "FmsModel", r: Restorer, state: Mapping[str, Any]) -> list[tuple[Document, Replay]]:
    env, replays = m.env, []
    for saved in state["documents"]:
        case = m.live[int(saved["case_id"])]
        doc = Document(case, **saved["document"])
        m.live_documents.setdefault(case.id, []).append(doc)
        for hook in m.on_document:
            hook(doc)
        v = saved["visit"]
        if v is None:
            continue
        replay = Replay(m, {(v["stage"], v["pool"]): r.visit(doc, v)}, set())
        flow = docs.amendment_flow if doc.kind == "amendment" else docs.modification_flow
        doc.flow = env.process(flow(replay, doc))
        replays.append((doc, replay))
    return replays
