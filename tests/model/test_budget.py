"""sim.model.budget: the run-size estimate bounds what a run really costs, and names the key to change."""
from __future__ import annotations

import copy

from sim import load_params, simulate
from sim.model.budget import EVENT_LIMIT, MEMORY_LIMIT, estimate, largest_key

TINY = load_params(["debug=tiny", "run.replications=1"])


def test_the_estimate_bounds_the_cases_and_visits_of_a_real_run():
    b = estimate(TINY)
    res = simulate(TINY, 0)
    assert len(res.cases) <= b.cases_per_replication <= 2.5 * len(res.cases)
    assert res.events <= b.events
    assert len(res.pools) <= b.samples_per_replication


def test_the_baseline_fits_and_the_machine_limits_are_what_the_messages_say():
    b = estimate(load_params())
    assert not b.over() and b.memory_bytes < 3 * 2**30 and b.events < 1e8  # measured: 712 MiB for 2 replications
    assert MEMORY_LIMIT == 12 * 2**30 and EVENT_LIMIT == 1e9


def test_a_summary_run_is_charged_for_its_tallies_not_for_tables():
    """records=summary keeps no case table (sim.analysis.tally): 200 baseline replications fit in memory."""
    base = load_params(["run.replications=200", "run.records=summary"])
    cases = copy.deepcopy(base)
    cases.run.records = "cases"
    assert estimate(cases).memory_bytes > MEMORY_LIMIT  # the tables of 200 replications would not fit
    summary = estimate(base)
    assert summary.memory_bytes < 2 * 2**30 and not summary.over()
    one = copy.deepcopy(base)
    one.run.replications = 2
    assert summary.memory_bytes - estimate(one).memory_bytes < 198 * 1e3 * one.demand.lor_per_year * 30


def _with(**run: object) -> object:
    p = copy.deepcopy(TINY)
    for k, v in run.items():
        section, key = k.split("__")
        setattr(getattr(p, section), key, v)
    return p


def test_the_key_named_is_the_one_that_makes_the_run_large():
    assert largest_key(_with(run__replications=10**9)) == "run.replications=1000000000"
    assert largest_key(_with(run__sample_days=1e-4)) == "run.sample_days=0.0001"
    assert largest_key(_with(demand__envelope=1e9)) == "demand.envelope=1000000000.0"
    assert largest_key(_with(demand__lor_per_year=1e9)) == "demand.lor_per_year=1000000000.0"
    assert largest_key(_with(run__horizon_years=1e6)) == "run.horizon_years=1000000.0"
    # LORs arrive until the drain's end (run.after_horizon=arrivals): a breaker's find named the horizon instead
    assert largest_key(_with(run__drain_years=1e9, run__after_horizon="arrivals")) == "run.drain_years=1000000000.0"
    for p in (_with(run__replications=10**9), _with(run__sample_days=1e-4), _with(demand__envelope=1e9)):
        assert estimate(p).over()  # type: ignore[arg-type]


def test_allow_large_lets_a_large_run_through_the_checks():
    from sim.model.checks import validate_params

    big = _with(run__replications=10**9)
    assert validate_params(big)[0].startswith("run.replications=1000000000: the run would need about")  # type: ignore[arg-type]
    big.run.allow_large = True  # type: ignore[attr-defined]
    assert validate_params(big) == []  # type: ignore[arg-type]


def test_a_staffing_plan_updated_every_microsecond_is_refused_naming_its_key():
    p = copy.deepcopy(TINY)
    p.staffing.plans["case_writers"].attrition_per_year = 0.1
    p.staffing.plan_step_days = 1e-6
    assert estimate(p).over()
    assert largest_key(p) == "staffing.plan_step_days=1e-06"


def test_a_flood_of_documents_is_refused_naming_its_rate():
    p = copy.deepcopy(TINY)
    p.process.amendments.per_year["A"] = 100000.0
    assert estimate(p).over()
    assert largest_key(p) == "process.amendments.per_year.A=100000.0"


def test_the_estimate_bounds_a_run_with_many_documents():
    p = copy.deepcopy(TINY)
    p.run.horizon_years, p.run.warmup_years = 6.0, 1.0
    p.demand.lor_per_year = 300.0
    res = simulate(p, 0)
    assert len(res.documents) > 2 * len(res.cases)  # the documents' visits dominate after a few years
    assert res.events <= estimate(p).events


def test_growth_by_fiscal_year_counts_in_the_estimate_and_is_named():
    """Thirty-fold growth a year from the first fiscal year: refused before it starts, naming the key."""
    from sim.model.checks import validate_params
    from sim.model.params import Growth

    p = copy.deepcopy(TINY)
    p.demand.growth_by_fiscal_year = [Growth(from_fiscal_year=p.run.start_fiscal_year, per_year=30.0)]
    p.demand.envelope = 1100.0
    b = estimate(p)
    assert b.over() and b.cases_per_replication > 100_000
    assert largest_key(p).startswith("demand.growth_by_fiscal_year (per_year=30.0")
    assert validate_params(p)[0].startswith("demand.growth_by_fiscal_year (per_year=30.0")
