"""FmsModel: the SimPy environment, staff pools, production lines, arrivals and records.

Built from validated :class:`~sim.model.params.Params` and :class:`~sim.engine.rng.RandomStreams`; it reads
no file and no config.  Stage modules in ``sim.model.process`` see it through the
:class:`~sim.model.context.StageContext` protocol: ``work`` (time that holds a slot of a pool) and
``delay`` (time that only passes), inherited from :class:`~sim.engine.core.Engine`, each append one
visit record: (case id, stage, pool, arrived, started, finished).  ``admit`` starts one case's flow.
"""
from __future__ import annotations

from typing import Mapping, Optional

from sim.engine.clock import years
from sim.engine.core import Engine, Process
from sim.engine.pool import Pool, PoolSnapshot
from sim.engine.rng import DrawBank, RandomStreams
from sim.model.arrivals import lor_times
from sim.model.document_plan import plan_documents
from sim.model.entities import ATTR_SLOTS, Case, CaseFactory, Document
from sim.model.params import Params
from sim.model.process import BANKS
from sim.model.process.case_flow import case_flow
from sim.model.reform import Policy
from sim.model.staff_plans import staff_plan


class FmsModel(Engine):
    """One replication of the FMS case flow (``work`` and ``delay`` come from :class:`Engine`)."""

    def __init__(self, params: Params, streams: RandomStreams, policy: Policy = Policy()) -> None:
        """``params`` with reform levers already applied (``sim.model.reform.apply``), and the policy switches."""
        super().__init__()
        self.params = params
        self.policy = policy
        self.p = params.process
        self.streams = streams
        run = params.run
        self.warmup = years(run.warmup_years)
        self.horizon = years(run.horizon_years)
        self.end = self.horizon + years(run.drain_years)
        self.pools: dict[str, Pool] = {
            name: Pool(self.env, name, staff.headcount * staff.caseload)
            for name, staff in params.staffing.pools.items()
        }
        self.lines: dict[str, Pool] = {
            name: Pool(self.env, f"line:{name}", 1) for name in params.staffing.production_lines
        }
        self.line_rate = dict(params.staffing.production_lines)
        self.banks: Mapping[str, DrawBank] = {  # read-only, as stages see it (StageContext)
            stage: streams.bank(stage, visits, slots) for stage, (visits, slots) in BANKS.items()
        }
        kinds = {"amendment": self.p.amendments, "modification": self.p.modifications}
        planned = any(rate > 0 for k in kinds.values() for rate in k.per_year.values())
        self.factory = CaseFactory(
            params.demand, streams.bank("case_attrs", 1, ATTR_SLOTS), policy,
            (lambda case_id, group: plan_documents(self.banks, kinds, case_id, group, self.end - self.env.now))
            if planned else None)
        self.cases: list[Case] = []
        self.documents: list[Document] = []
        self.samples: list[tuple[float, str, int, int, int]] = []  # (day, pool, queue, busy, capacity)
        self.snapshots: dict[str, dict[str, PoolSnapshot]] = {}  # "warmup" / "horizon" -> pool -> counters
        self.open_cases = 0
        self.arrivals_done = False
        self.finished = self.env.event()

    # ------------------------------------------------------------ building blocks for stages
    def all_pools(self) -> dict[str, Pool]:
        return {**self.pools, **{p.name: p for p in self.lines.values()}}

    def admit(self, case: Case) -> None:
        """Receive ``case``'s LOR now and start its flow through the stages."""
        case.lor_received = self.env.now
        self.cases.append(case)
        self.open_cases += 1
        self.env.process(case_flow(self, case))

    def case_done(self) -> None:
        """A case closed or was withdrawn."""
        self.open_cases -= 1
        if self.arrivals_done and self.open_cases == 0 and not self.finished.triggered:
            self.finished.succeed()

    # ------------------------------------------------------------ processes
    def _arrivals(self) -> Process:
        env = self.env
        for case_id, t, funding in lor_times(self.params.demand, self.streams, self.horizon,
                                             self.params.run.start_fiscal_year):
            yield env.timeout(t - env.now)
            self.admit(self.factory.make(case_id, funding))
        yield env.timeout(self.horizon - env.now)
        self.arrivals_done = True
        if self.open_cases == 0 and not self.finished.triggered:
            self.finished.succeed()

    def _sampler(self) -> Process:
        env, step = self.env, self.params.run.sample_days
        pools = list(self.all_pools().values())
        while True:
            for pool in pools:
                self.samples.append((env.now, pool.name, pool.queue_length, pool.busy, pool.capacity))
            yield env.timeout(step)

    def _snapshot_at(self, label: str, t: float) -> Process:
        yield self.env.timeout(t)
        self.snapshots[label] = {name: pool.snapshot() for name, pool in self.all_pools().items()}

    def _deadline(self) -> Process:
        yield self.env.timeout(self.end)
        if not self.finished.triggered:
            self.finished.succeed()

    def run(self, until: Optional[float] = None) -> "FmsModel":
        """Run arrivals to the horizon, then drain until every case is done or the drain ends."""
        env = self.env
        env.process(self._arrivals())
        env.process(self._sampler())
        env.process(self._snapshot_at("warmup", self.warmup))
        env.process(self._snapshot_at("horizon", self.horizon))
        env.process(self._deadline())
        for name, plan in self.params.staffing.plans.items():
            if not plan.hires and not plan.attrition_per_year:
                continue  # a neutral plan: fixed capacity
            staff = self.params.staffing.pools[name]
            env.process(staff_plan(env, self.pools[name], staff.headcount, staff.caseload, plan,
                                   self.params.staffing.plan_step_days))
        env.run(until=self.finished if until is None else until)
        self.snapshots["end"] = {name: pool.snapshot() for name, pool in self.all_pools().items()}
        self.end_time = env.now
        return self
