"""FmsModel: the SimPy environment, staff pools, production lines, arrivals and records.

Built from validated :class:`~sim.model.params.Params` and :class:`~sim.engine.rng.RandomStreams`; it reads
no file and no config.  Stage modules in ``sim.model.process`` see it through the
:class:`~sim.model.context.StageContext` protocol: ``work`` (time that holds a slot of a pool) and
``delay`` (time that only passes), inherited from :class:`~sim.engine.core.Engine`, each append one
visit record: (case id, stage, pool, arrived, started, finished).  ``admit`` starts one case's flow.
What a run keeps (visit records or sums, case objects or columns, a summary's counters) is up to the observers
it is given (``sim.model.observers``); the model itself keeps only its open cases and touches nothing outside
itself (the garbage collector and the allocator are the caller's: ``sim.runner``).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

import simpy

from sim.engine.clock import years
from sim.engine.core import Engine, Process
from sim.engine.pool import Pool, PoolSnapshot
from sim.engine.portfolio import PortfolioPool
from sim.engine.rng import BANK_CASES, DrawBank, RandomStreams
from sim.model import timekeeping
from sim.model.document_plan import plan_documents
from sim.model.enactment import Epoch, take_effect
from sim.model.entities import ATTR_SLOTS, Case, CaseFactory, Document
from sim.model.observers import HOOKS, fan_out, hooks
from sim.model.offices import DESK_BANK, Office, build_office, desk_arcs
from sim.model.params import Params
from sim.model.process import BANKS, UPTAKE, documents
from sim.model.process.case_flow import Part, case_flow, resume_flow
from sim.model.reform import Policy
from sim.model.staff_plans import people_plan, staff_plan
from sim.model.start import START_ID_BASE, admit_state

LOOSE = BANK_CASES // 4  # a block that gets no new case and has this many open cases or fewer keeps only their draws
POOL_SAMPLE_COLUMNS = ("day", "pool", "queue", "busy", "capacity", "cases", "working", "most_cases")


class FmsModel(Engine):
    """One replication of the FMS case flow (``work`` and ``delay`` come from :class:`Engine`)."""

    def __init__(self, params: Params, streams: RandomStreams, policy: Policy = Policy(),
                 observers: Iterable[object] = (), epochs: Sequence[Epoch] = (),
                 start: Sequence[Mapping[str, Any]] = ()) -> None:
        """``params`` with reform levers already applied (``sim.model.reform.apply``), the policy switches, and
        the observers that keep what the run reports (``sim.model.observers``: hooks ``attach``, ``admitted``,
        ``document``, ``add``, ``visit``).  Without an observer with a ``visit`` hook, visit records go to
        ``self.visits``; ``self.live`` holds the cases still open; a done case is handed to each ``add`` hook and
        dropped.  ``epochs``: later changes of the process parameters, policy and line rates (a dated, partial or
        phased reform: ``sim.model.enactment``).  ``start``: the rows of a user-made state, its open cases resumed
        on day 0 (``sim.model.start``).  An exact state saved by ``sim.model.checkpoint.save`` is put in with
        ``sim.model.resume.resume(model, state)`` before ``run``: the run goes on as the saved run would have."""
        super().__init__()
        self.params = params
        self.policy = policy
        self.p = params.process
        self.streams = streams
        run = params.run
        self.warmup = years(run.warmup_years)
        self.horizon = years(run.horizon_years)
        self.end = self.horizon + years(run.drain_years)
        self.pools: dict[str, Office] = {
            name: build_office(self.env, name, staff, params.staffing.priority_attention)
            for name, staff in params.staffing.pools.items()
        }
        # portfolio pools: pool -> (effort share, waits share, pooling share) of a drawn stage time
        self.split = {name: (staff.effort_share, staff.wait_share(), staff.pooling)
                      for name, staff in params.staffing.pools.items() if staff.discipline == "portfolio"}
        self.desk_bank = streams.bank(DESK_BANK, 1, 2) if self.split else None
        self.arcs = desk_arcs(params.demand)
        self.lines: dict[str, Pool] = {
            name: Pool(self.env, f"line:{name}", 1) for name in params.staffing.production_lines
        }
        self.line_rate = dict(params.staffing.production_lines)
        self.banks: Mapping[str, DrawBank] = {  # read-only, as stages see it (StageContext)
            stage: streams.bank(stage, visits, slots) for stage, (visits, slots) in BANKS.items()
        }
        kinds = {"amendment": self.p.amendments, "modification": self.p.modifications}
        planned = any(rate > 0 for k in kinds.values() for rate in k.per_year.values())
        self.epochs = tuple(epochs)
        self.start = tuple(start)
        self.resumed = False  # rebuilt at a saved instant by sim.model.resume: its processes are running already
        self.start_day = 0.0  # the day it was resumed at (its records, flows and tallies begin then)
        self.system: dict[str, simpy.Process] = {}  # the run's own processes by name (a saved state reads them)
        self.kinds, self.planned = kinds, planned
        self.factory = CaseFactory(
            params.demand, streams.bank("case_attrs", 1, ATTR_SLOTS), policy, self.banks[UPTAKE],
            (lambda case_id, group: plan_documents(self.banks, kinds, case_id, group, self.end - self.env.now))
            if planned else None)
        # per-case draws are freed block by block once every case of a block is done (flat memory over long runs)
        self.case_banks = [*self.banks.values(), self.factory.bank, *([self.desk_bank] if self.desk_bank else [])]
        self.open_in_block: dict[int, int] = {}
        self.loosened: set[int] = set()  # blocks whose few open cases keep their own draws (DrawBank.loosen)
        self.admitting_block = 0
        self.live: dict[int, Case] = {}  # cases not yet done
        self.live_documents: dict[int, list[Document]] = {}  # by case id, the documents of live cases
        # (day, pool, queue, busy, capacity, cases, working, most_cases): queue = backlog and busy = people working
        # in a portfolio pool; cases = in portfolios (slots: busy), working = being worked on, most_cases = the
        # largest portfolio (slots: -1)
        self.samples: list[tuple[float, str, int, int, int, int, int, int]] = []
        self.snapshots: dict[str, dict[str, PoolSnapshot]] = {}  # "warmup" / "horizon" -> pool -> counters
        self.drain = run.after_horizon == "drain"  # no LOR after the horizon: run until every case is closed
        self.arrivals_done = False
        self.cohort_pending = 0  # cohort cases (LOR in [warm-up, horizon)) neither delivered nor withdrawn yet
        self.cohort_complete = False  # the horizon has passed: no case joins the cohort any more
        self.finished = self.env.event()
        self.observers = tuple(observers)
        twice = next((o for i, o in enumerate(self.observers) if any(o is p for p in self.observers[:i])), None)
        if twice is not None:  # its hooks would run twice per event: every count it keeps doubled
            raise ValueError(f"observers: {type(twice).__name__} object given twice; allowed: each observer once")
        self.on_admitted, self.on_document, self.on_done = (hooks(self.observers, h) for h in HOOKS)
        for attach in hooks(self.observers, "attach"):
            attach(self)
        on_visit = hooks(self.observers, "visit")
        if on_visit:  # the records go to the observers only (no list grows with the run)
            self.record = fan_out(on_visit)

    # ------------------------------------------------------------ building blocks for stages
    def all_pools(self) -> dict[str, Office]:
        return {**self.pools, **{p.name: p for p in self.lines.values()}}

    def work(self, entity: Case | Document, stage: str, pool: Office, duration: float) -> Process:  # type: ignore[override]
        """A stage's office work of drawn length ``duration`` days: the whole of it holding a slot, or at a
        portfolio pool its effort share worked by one person and its waits share waited on others."""
        if isinstance(pool, PortfolioPool):
            effort, waits, pooling = self.split[pool.name]
            return self.portfolio_work(entity, stage, pool, duration * effort, duration * waits, entity.desk,
                                       entity.pool_draw < pooling)
        return super().work(entity, stage, pool, duration)

    def _desk(self, case: Case) -> None:
        if self.desk_bank is not None:
            u = self.desk_bank.row(case.id, 0)
            start, width = self.arcs.get(case.partner, (0.0, 1.0))
            case.desk = min(start + u[0] * width, 1.0 - 1e-12)
            case.pool_draw = float(u[1])

    def admit_resumed(self, case: Case, segment: str, path: tuple[Part, ...]) -> None:
        """A case of a start state, open since before day 0: it resumes in its segment (``sim.model.start``); its
        draws stay until the run ends (its ids are apart from the blocks of new LORs)."""
        self._desk(case)
        self.live[case.id] = case
        for hook in self.on_admitted:
            hook(case)
        if case.implemented == case.implemented and case.documents:  # implemented: its documents may come
            case.schedule = self.env.process(documents.schedule(self, case))
        case.flow = self.env.process(resume_flow(self, case, segment, path))

    def admit(self, case: Case) -> None:
        """Receive ``case``'s LOR now and start its flow through the stages."""
        self._desk(case)
        case.lor_received = self.env.now
        if self.warmup <= case.lor_received < self.horizon:
            self.cohort_pending += 1
        block = case.id // BANK_CASES
        if block > self.admitting_block:
            self._admitting(block)
        self.open_in_block[block] = self.open_in_block.get(block, 0) + 1
        self.live[case.id] = case
        for hook in self.on_admitted:
            hook(case)
        case.flow = self.env.process(case_flow(self, case))

    def _admitting(self, block: int) -> None:
        """Cases of ``block`` arrive from now on: earlier blocks get no new case, so those already done are freed."""
        self.admitting_block = block
        for b, n in list(self.open_in_block.items()):
            if b < block:
                self._closing_down(b, n)

    def _closing_down(self, block: int, still_open: int) -> None:
        """A block that gets no new case has ``still_open`` cases left: free it when none, and keep only their
        own draws when a few (long cases would otherwise hold a whole block for decades: memory would grow with
        the horizon)."""
        if still_open == 0:
            del self.open_in_block[block]
            self.loosened.discard(block)
            for bank in self.case_banks:
                bank.release(block)
        elif still_open <= LOOSE and block not in self.loosened:
            self.loosened.add(block)
            ids = [i for i in range(block * BANK_CASES, (block + 1) * BANK_CASES) if i in self.live]
            for bank in self.case_banks:
                bank.loosen(block, ids)

    def case_done(self, case: Case) -> None:
        """``case`` closed or was withdrawn: nothing draws for it any more, and its plan of documents and its
        visit counters are no longer needed (only its attributes and milestones are reported)."""
        case.documents = ()
        case.visits.clear()
        case.close_wait = case.flow = case.schedule = None
        del self.live[case.id]
        documents = self.live_documents.pop(case.id, ())
        for hook in self.on_done:  # nothing changes a done case or its documents from now on
            hook(case, documents)
        if case.id >= START_ID_BASE:
            return  # a start state's case: no block of new LORs to free
        block = case.id // BANK_CASES
        n = self.open_in_block[block] = self.open_in_block[block] - 1
        if block in self.loosened:
            for bank in self.case_banks:
                bank.forget(case.id)
        if block < self.admitting_block:
            self._closing_down(block, n)
        if self.drain and self.arrivals_done and self.open_cases == 0 and not self.finished.triggered:
            self.finished.succeed()

    def through(self, case: Case) -> None:
        """``case`` was delivered or withdrawn: the last milestone a reported measure needs.  The run ends when
        every cohort case is through (the cases still open go on being served by the offices as loaded as ever:
        LORs keep arriving after the horizon, uncounted, so the cohort's last cases meet no emptying office)."""
        if self.warmup <= case.lor_received < self.horizon:
            self.cohort_pending -= 1
            self._end_if_through()

    def _end_if_through(self) -> None:
        if not self.drain and self.cohort_complete and self.cohort_pending == 0 and not self.finished.triggered:
            self.finished.succeed()

    @property
    def open_cases(self) -> int:
        """Cases admitted and not yet done."""
        return len(self.live)

    def add_document(self, doc: Document) -> None:
        """An amendment or modification arrived (kept with its case until the case is done)."""
        doc.flow = self.env.active_process  # the document's own process (sim.model.checkpoint reads it)
        self.live_documents.setdefault(doc.parent.id, []).append(doc)
        for hook in self.on_document:
            hook(doc)

    def close_books(self) -> None:
        """Hand each case still open, with its documents, to every ``add`` hook, as it is now (once, after the
        run): every observer has then seen every case admitted exactly once."""
        for case_id, case in self.live.items():
            documents = self.live_documents.get(case_id, ())
            for hook in self.on_done:
                hook(case, documents)

    def run(self, until: Optional[float] = None) -> "FmsModel":
        """Run until every cohort case is delivered or withdrawn (``through``), or ``run.drain_years`` after the
        horizon at the latest; LORs keep arriving until then (``run.after_horizon=drain``: none arrives after the
        horizon, and the run ends when every case is closed).  ``until``: run to that day instead."""
        env = self.env
        if not self.resumed:
            self._start_processes()
        env.run(until=self.finished if until is None else until)
        if until is None:  # (stopped at a day, the pools stay as they stand: a state saved now goes on exactly)
            self.snapshots["end"] = {name: pool.snapshot() for name, pool in self.all_pools().items()}
        self.end_time = env.now
        return self

    def _start_processes(self) -> None:
        env, system = self.env, self.system
        system["arrivals"] = env.process(timekeeping.arrivals(self))
        system["horizon"] = env.process(timekeeping.horizon(self))
        system["sampler"] = env.process(timekeeping.sampler(self))
        system["snapshot:warmup"] = env.process(timekeeping.snapshot_at(self, "warmup", self.warmup))
        system["snapshot:horizon"] = env.process(timekeeping.snapshot_at(self, "horizon", self.horizon))
        system["deadline"] = env.process(timekeeping.deadline(self))
        if self.epochs:
            system["epochs"] = env.process(take_effect(self))
        if self.start:
            admit_state(self, self.start)
        for name, plan in self.params.staffing.plans.items():
            if not plan.hires and not plan.attrition_per_year:
                continue  # a neutral plan: fixed capacity
            staff = self.params.staffing.pools[name]
            pool = self.pools[name]
            step = self.params.staffing.plan_step_days
            if isinstance(pool, PortfolioPool):
                system[f"plan:{name}"] = env.process(people_plan(env, pool, plan, step))
            else:
                system[f"plan:{name}"] = env.process(staff_plan(env, pool, staff.headcount, staff.caseload, plan,
                                                                step))
