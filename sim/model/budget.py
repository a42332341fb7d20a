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

from sim.engine.clock import years
from sim.model.params import Params

VISITS_PER_CASE = 11  # stage visits of a delivered case, loops included (baseline: 10.2)
DOCUMENT_YEARS = 10.0  # years a case is implemented and open, for the documents it may have (baseline: about 7)
VISITS_PER_DOCUMENT = {"amendment": 3.0, "modification": 1.0}
BASE_BYTES = 180e6  # the interpreter with numpy, pandas, SimPy and scipy loaded
LIVE_BYTES_PER_CASE = 9e3  # a replication being simulated: cases, processes, visit records
KEPT_BYTES_PER_CASE = 2e3  # each finished replication's tables (cases, stage totals), kept to the end
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


def rate_bound(params: Params) -> float:
    """An upper bound of the LOR rate relative to the base rate: seasonal peak x growth x shocks."""
    d = params.demand
    mean = sum(d.seasonal) / len(d.seasonal) if d.seasonal and sum(d.seasonal) > 0 else 1.0
    season = max(d.seasonal) / mean if d.seasonal else 1.0
    growth = max(1.0, (1.0 + d.growth_per_year) ** params.run.horizon_years) if d.growth_per_year > -1 else 1.0
    shocks = math.prod(max(1.0, sh.multiplier) for sh in d.shocks)
    return season * growth * shocks


def document_visits_per_case(params: Params) -> float:
    """Stage visits of a case's amendments and modifications (an upper estimate)."""
    d, p = params.demand, params.process
    shares = {g: (1 - d.bpc.share) * m.share for g, m in d.groups.items()}
    shares["D"] = d.bpc.share
    total = 0.0
    for kind, visits in VISITS_PER_DOCUMENT.items():
        rates = getattr(p, f"{kind}s").per_year
        total += visits * DOCUMENT_YEARS * sum(shares.get(g, 0.0) * r for g, r in rates.items())
    return total


def estimate(params: Params) -> Budget:
    """The size of the run ``params`` describes (all values finite and in range: checked before)."""
    run, d = params.run, params.demand
    mean = d.lor_per_year * run.horizon_years * rate_bound(params)
    cases = mean + 4.0 * math.sqrt(mean) + 10.0  # a Poisson count stays below this with near certainty
    candidates = d.lor_per_year * run.horizon_years * d.envelope
    series = len(params.staffing.pools) + len(params.staffing.production_lines)
    samples = series * (years(run.horizon_years + run.drain_years) / run.sample_days + 1)
    reps, jobs = run.replications, min(run.jobs, run.replications)
    per_case = VISITS_PER_CASE + document_visits_per_case(params)
    kept = KEPT_BYTES_PER_CASE + (FULL_BYTES_PER_CASE * per_case / VISITS_PER_CASE if run.records == "full" else 0.0)
    live = LIVE_BYTES_PER_CASE * per_case / VISITS_PER_CASE
    memory = (BASE_BYTES + jobs * (live * cases + BYTES_PER_SAMPLE * samples)
              + reps * (kept * cases + BYTES_PER_SAMPLE * samples))
    plans = sum(1 for pl in params.staffing.plans.values() if pl.hires or pl.attrition_per_year)
    plan_steps = plans * years(run.horizon_years + run.drain_years) / params.staffing.plan_step_days
    events = reps * (per_case * cases + candidates + plan_steps)
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
    if document_visits_per_case(params) > 10 * VISITS_PER_CASE:  # the documents, not the cases, make it large
        kind, group, rate = max(((k, g, r) for k in VISITS_PER_DOCUMENT
                                 for g, r in getattr(params.process, f"{k}s").per_year.items()), key=lambda x: x[2])
        return f"process.{kind}s.per_year.{group}={rate}"
    if params.staffing.plan_step_days < 1:
        return f"staffing.plan_step_days={params.staffing.plan_step_days}"
    return f"run.horizon_years={r.horizon_years}"
