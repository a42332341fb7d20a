"""What a run will cost before it starts: cases, stage visits, samples and memory, from the parameters.

The estimate is deliberately cheap (no simulation, no daily grid) so the checks can run it on every job
of a sweep before anything starts, and generous (it bounds the LOR rate from above), so a run it lets
through does not exhaust the machine.  The constants were measured on the baseline (one replication of
12,115 cases peaked 103 MB above the interpreter; each further replication keeps 1.5 to 2 KB a case).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Optional

from sim.engine.clock import years
from sim.engine.portable_math import plain_sum
from sim.model.arrivals import LorRate
from sim.model.document_plan import PLAN_YEARS
from sim.model.params import Params

VISITS_PER_CASE = 11  # stage visits of a delivered case, loops included (baseline: 10.2)
DOCUMENT_YEARS = 10.0  # years a case is implemented and open, for the documents it may have (baseline: about 7)
VISITS_PER_DOCUMENT = {"amendment": 3.0, "modification": 1.0}
BASE_BYTES = 180e6  # the interpreter with numpy, pandas, SimPy and scipy loaded
LIVE_BYTES_PER_CASE = 9e3  # a replication being simulated: cases, processes, visit records
KEPT_BYTES_PER_CASE = 2e3  # each finished replication's tables (cases, stage totals), kept to the end
SUMMARY_BYTES_PER_CASE = 24.0  # run.records=summary keeps no table: 3 lead times of 8 bytes per cohort case
FULL_BYTES_PER_CASE = 1.2e3  # plus its visit table with run.records=full
BYTES_PER_SAMPLE = 80.0  # one row of the pool time series
MEMORY_LIMIT = 12 * 2**30  # half of this machine's 24 GiB: a run above it stops unless run.allow_large
EVENT_LIMIT = 1e9  # stage visits and candidate arrivals over the run (about 7 hours at 40,000 a second)


@dataclass(frozen=True)
class Budget:
    """The estimated size of a run (upper estimates)."""

    cases_per_replication: float
    candidates_per_replication: float  # LORs drawn before thinning
    samples_per_replication: float  # rows of the pool time series
    events: float  # stage visits plus candidate arrivals, all replications
    memory_bytes: float  # peak resident memory of the run

    def over(self) -> bool:
        return self.events > EVENT_LIMIT or self.memory_bytes > MEMORY_LIMIT


def rate_bound(params: Params, until_years: Optional[float] = None) -> float:
    """An upper bound of the LOR rate relative to the base rate: seasonal peak (FMS and BPC) x growth x shocks.

    Growth is compounded piecewise, so its largest value is at a segment's start or at the end, ``until_years``
    (default: the horizon)."""
    d, run = params.demand, params.run
    rate = LorRate(d, run.start_fiscal_year)
    season = max(f + b for f, b in zip(rate.fms, rate.bpc))
    horizon = years(run.horizon_years if until_years is None else until_years)
    growth = max(rate.growth(t) for t in [0.0, horizon, *(s[0] for s in rate.segments if s[0] < horizon)])
    shocks = math.prod(max(1.0, sh.multiplier) for sh in d.shocks)
    return season * max(1.0, growth) * shocks


def _document_rates(params: Params) -> dict[str, float]:
    """Mean documents a year per implemented, open case, by kind (weighted by the case mix)."""
    d, p = params.demand, params.process
    shares = {g: (1 - d.bpc.share) * m.share for g, m in d.groups.items()}
    shares["D"] = d.bpc.share
    return {kind: plain_sum(shares.get(g, 0.0) * r for g, r in getattr(p, f"{kind}s").per_year.items())
            for kind in VISITS_PER_DOCUMENT}


def document_visits_per_case(params: Params) -> float:
    """Stage visits of a case's amendments and modifications (an upper estimate)."""
    return plain_sum(VISITS_PER_DOCUMENT[k] * DOCUMENT_YEARS * r for k, r in _document_rates(params).items())


def planned_documents_per_case(params: Params) -> float:
    """Documents planned at a case's creation: its streams up to the end of the run (horizon and drain)."""
    run_years = min(params.run.horizon_years + params.run.drain_years, PLAN_YEARS)
    return plain_sum(r * run_years for r in _document_rates(params).values())


def estimate(params: Params) -> Budget:
    """The size of the run ``params`` describes (all values finite and in range: checked before)."""
    run, d = params.run, params.demand
    # the run's own cases (LORs before the horizon, kept in its tables), and all it simulates: with
    # run.after_horizon=arrivals, LORs arrive until the run ends, at the latest the drain's end
    arriving = run.horizon_years + (run.drain_years if run.after_horizon == "arrivals" else 0.0)
    mean = d.lor_per_year * run.horizon_years * rate_bound(params)
    cases = mean + 4.0 * math.sqrt(mean) + 10.0  # a Poisson count stays below this with near certainty
    more = d.lor_per_year * (arriving - run.horizon_years) * rate_bound(params, arriving)  # after the horizon
    simulated = cases + more + 4.0 * math.sqrt(more)
    candidates = d.lor_per_year * arriving * d.envelope
    series = len(params.staffing.pools) + len(params.staffing.production_lines)
    samples = series * (years(run.horizon_years + run.drain_years) / run.sample_days + 1)
    reps, jobs = run.replications, min(run.jobs, run.replications)
    per_case = VISITS_PER_CASE + document_visits_per_case(params)
    kept = KEPT_BYTES_PER_CASE + (FULL_BYTES_PER_CASE * per_case / VISITS_PER_CASE if run.records == "full" else 0.0)
    if run.records == "summary":  # each replication's case tally (sim.analysis.tally), not its tables
        kept = SUMMARY_BYTES_PER_CASE
    live = LIVE_BYTES_PER_CASE * per_case / VISITS_PER_CASE
    memory = (BASE_BYTES + jobs * (live * cases + BYTES_PER_SAMPLE * samples)
              + reps * (kept * cases + BYTES_PER_SAMPLE * samples))
    plans = len([pl for pl in params.staffing.plans.values() if pl.hires or pl.attrition_per_year])
    plan_steps = plans * years(run.horizon_years + run.drain_years) / params.staffing.plan_step_days
    events = reps * ((per_case + planned_documents_per_case(params)) * simulated + candidates + plan_steps)
    return Budget(cases, candidates, samples, events, memory)


def largest_key(params: Params) -> str:
    """``key=value`` of the setting that makes a run too large, for the message that stops it."""
    r, d = params.run, params.demand
    one = copy.deepcopy(params)
    one.run.replications = one.run.jobs = 1
    b = estimate(one)
    if r.replications > 1 and not b.over():
        return f"run.replications={r.replications}"
    if b.candidates_per_replication > EVENT_LIMIT / 2 and d.envelope > 10:
        return f"demand.envelope={d.envelope}"
    sample_bytes = BYTES_PER_SAMPLE * b.samples_per_replication
    if sample_bytes > MEMORY_LIMIT / 2 and sample_bytes * min(1.0, r.sample_days / 30.0) <= MEMORY_LIMIT / 2:
        return f"run.sample_days={r.sample_days}"  # a monthly series would fit: the spacing is the cause
    if d.lor_per_year > 1e5:
        return f"demand.lor_per_year={d.lor_per_year}"
    if b.cases_per_replication > 100 * max(1.0, d.lor_per_year * r.horizon_years):  # growth makes it large
        fast = max(d.growth_by_fiscal_year, key=lambda g: g.per_year, default=None)
        if fast is not None and fast.per_year > d.growth_per_year:
            return f"demand.growth_by_fiscal_year (per_year={fast.per_year} from FY{fast.from_fiscal_year})"
        if d.growth_per_year > 0:
            return f"demand.growth_per_year={d.growth_per_year}"
    if document_visits_per_case(params) + planned_documents_per_case(params) > 10 * VISITS_PER_CASE:
        kind, group, rate = max(((k, g, r) for k in VISITS_PER_DOCUMENT
                                 for g, r in getattr(params.process, f"{k}s").per_year.items()), key=lambda x: x[2])
        return f"process.{kind}s.per_year.{group}={rate}"
    if params.staffing.plan_step_days < 1:
        return f"staffing.plan_step_days={params.staffing.plan_step_days}"
    if r.after_horizon == "arrivals" and r.drain_years > r.horizon_years:  # LORs arrive until the drain's end
        return f"run.drain_years={r.drain_years}"
    return f"run.horizon_years={r.horizon_years}"
