"""The summary's case sections, counted as cases finish (``sim.analysis.tally``), against the same measures
computed from the saved case and document tables (``lead_times``, ``dynamics``, ``workload``); the sections the
summary takes from the tidy rows (``sim.analysis.kpi_summary``) are checked through them.

The table functions are independent code (pandas over whole tables); on real runs with every kind of case
(warm-up, cohort, withdrawn, censored, BPC, notified, amendments, modifications) both must give the same
numbers: counts, lead-time values, medians and quantiles exactly, dollar sums within 1e-12 relative (they
are added in another order).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import assert_close, make_case
from sim.analysis import kpi_summary, tally
from sim.analysis.dynamics import open_cases_at, open_cases_series
from sim.analysis.kpis import kpi_rows
from sim.analysis.lead_times import applies, lead_time_summary, outcome_counts
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.tally import CaseTally
from sim.analysis.workload import fiscal_years, loa_metric, workload
from sim.engine.clock import DAYS_PER_YEAR
from sim.job import kpis_of
from sim.runner import combine, run_replications

SHORT = ["debug=tiny", "run.jobs=1", "run.records=cases"]
CONFIGS = {
    "slots": [*SHORT, "staffing=slots", "run.replications=3"],
    "portfolio, reforms, short drain": [*SHORT, "run.replications=2", "run.drain_years=1",
                                        "reform=eo14268_package"],
}


@pytest.fixture(scope="module", params=list(CONFIGS))
def run(request):
    from sim.config import compose_config, to_params

    params = to_params(compose_config(CONFIGS[request.param]))
    results = run_replications(params)
    return params, results


def test_the_run_has_every_kind_of_case(run):
    _, results = run
    cases, docs = combine(results, "cases"), combine(results, "documents")
    assert cases["in_warmup"].any() and cases["in_cohort"].any()
    assert (cases["funding"] == "bpc").any() and cases["notified"].any() and (cases["acquisition"] == "stock").any()
    assert set(docs["document"]) == {"amendment", "modification"}
    assert {"delivered", "in_progress"} <= set(cases.loc[cases["in_cohort"], "outcome"])


def test_lead_times_and_outcomes_equal_the_tables(run):
    params, results = run
    cases, tallies = combine(results, "cases"), [r.tally for r in results]
    reps = [r.replication for r in results]
    for name, milestone in LEAD_TIMES.items():
        want = lead_time_summary(cases, name, milestone, reps)
        got = tally.lead_time(tallies, name)
        assert got == want  # exactly: the same values in the same order
    assert_close(kpi_summary.outcomes(kpis_of(params, results)), outcome_counts(cases, reps))


def test_open_cases_and_series_equal_the_tables(run):
    params, results = run
    cases, tallies = combine(results, "cases"), [r.tally for r in results]
    horizon = params.run.horizon_years * DAYS_PER_YEAR
    assert [t.open_at_horizon for t in tallies] == open_cases_at(cases, horizon).tolist()
    pools = combine(results, "pools")
    days = sorted(pools["day"].unique().tolist())
    series = kpi_summary.series(kpis_of(params, results))  # the tally's counts through the tidy rows
    assert series["day"] == days
    assert series["open_cases"] == open_cases_series(cases, days)
    assert series["in_process"] == open_cases_series(cases, days, until=("delivered", "withdrawn"))
    means = pools.groupby(["pool", "day"], sort=False)[["queue", "busy", "capacity"]].mean().reset_index()
    assert list(series["pools"]) == list(dict.fromkeys(pools["pool"]))
    for pool, got in series["pools"].items():
        want = means[means["pool"] == pool]
        assert got == {k: want[k].tolist() for k in ("day", "queue", "busy", "capacity")}, pool


def test_workload_fiscal_years_and_loa_metric_equal_the_tables(run):
    params, results = run
    cases, docs = combine(results, "cases"), combine(results, "documents")
    warmup, horizon = (params.run.warmup_years * DAYS_PER_YEAR, params.run.horizon_years * DAYS_PER_YEAR)
    years = int(math.ceil(horizon / DAYS_PER_YEAR))
    reps = [r.replication for r in results]
    kpis = kpis_of(params, results)  # the tally's counts through the tidy rows, grouped (sim.analysis.kpi_summary)
    start = params.run.start_fiscal_year
    assert_close(kpi_summary.fiscal_years(kpis, start, years), fiscal_years(cases, docs, start, years, reps))
    assert_close(kpi_summary.workload(kpis), workload(cases, docs, warmup, horizon, reps))
    assert_close(kpi_summary.loa_metric(kpis), loa_metric(cases, docs, warmup, horizon, replications=reps))


def test_a_replication_without_cases_keeps_its_place():
    empty = CaseTally(4, 10.0, 20.0, 1, 10.0).result([0.0, 10.0])
    lt = tally.lead_time([empty], "lor_to_delivery")
    assert lt["per_replication"] == [None] and lt["cases"] == 0 and lt["median"] is None
    rows = kpi_rows([empty], pd.DataFrame(), scenario="x", seed=1, warmup=10.0, horizon=20.0, start_fiscal_year=2000,
                    samples=_samples(4, [0.0, 10.0]))
    assert kpi_summary.outcomes(rows)["cohort"]["per_replication"] == [0]
    assert math.isnan(kpi_summary.outcomes(rows)["notified_share"]["per_replication"][0])
    assert kpi_summary.series(rows)["open_cases"] == [0.0, 0.0]


def _samples(replication: int, days: list[float]) -> pd.DataFrame:
    """A pool sample table of one office at ``days``."""
    return pd.DataFrame({"replication": replication, "day": days, "pool": "office", "queue": 0.0, "busy": 0.5,
                         "capacity": 2.0})


def test_a_hand_made_case_is_counted_where_it_belongs():
    t = CaseTally(0, warmup=100.0, horizon=400.0, years=2, sample_step=250.0)
    c = make_case(7, value_musd=2000.0, lor_received=150.0, lor_complete=160.0, loa_offered=250.0,
                  loa_accepted=300.0, delivered=450.0, closed=600.0)
    t.add(c)
    r = t.result([0.0, 250.0, 500.0])
    assert r.outcomes == {"delivered": 1, "withdrawn": 0, "in_progress": 0, "cohort": 1}
    assert r.lead_times["lor_to_delivery"].values.tolist() == [300.0]
    assert r.lead_times["lor_to_offer"].values.tolist() == [100.0]
    assert r.open_at_horizon == 1 and r.open_value_at_horizon == 2.0
    # days 0, 250, 500 sampled; the grid goes on to 750, the first day after the case closed (600)
    assert r.open_started.tolist() == [0, 1, 1, 1] and r.open_ended.tolist() == [0, 0, 0, 1]
    assert r.process_ended.tolist() == [0, 0, 1, 1]
    rows = kpi_rows([r], pd.DataFrame(), scenario="x", seed=1, warmup=100.0, horizon=400.0, start_fiscal_year=2000,
                    samples=_samples(0, [0.0, 250.0, 500.0, 750.0, 1000.0]))
    series = kpi_summary.series(rows)
    assert series["open_cases"] == [0.0, 1.0, 1.0, 0.0, 0.0]  # after the grid: as at its end
    assert series["in_process"] == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert series["pools"]["office"] == {"day": [0.0, 250.0, 500.0, 750.0, 1000.0], "queue": [0.0] * 5,
                                         "busy": [0.5] * 5, "capacity": [2.0] * 5}
    assert r.window["loa_value_accepted"] == 2.0 and r.window["value_delivered"] == 0.0  # delivered after 400
    assert r.fiscal["value_delivered"].tolist() == [0.0, 2.0]  # day 450: the second year
    assert r.loa["lor_received"]["all"] == [1, 1] and r.loa["lor_complete"]["loas"] == [1, 1]


def test_the_tally_refuses_other_sample_days():
    t = CaseTally(0, 0.0, 10.0, 1, 5.0)
    t.result([0.0, 5.0])  # the first days of the grid: the run ended early
    assert t.days == [0.0, 5.0]  # laid out no further than needed
    with pytest.raises(RuntimeError, match="other days"):
        t.result([0.0, 6.0])


def test_a_summary_run_keeps_no_rows(compose):
    from sim.runner import simulate

    res = simulate(compose("debug=tiny", "run.records=summary"), 0)
    assert res.cases is None and res.documents is None
    assert res.tally.outcomes["cohort"] > 0
    assert isinstance(res.tally.lead_times["lor_to_delivery"].values, np.ndarray)
    assert not isinstance(res.tally, pd.DataFrame)


def test_a_long_drain_that_ends_early_costs_no_grid():
    """The sample days are laid out only as far as the cases' times need them, not to the nominal drain's end."""
    from sim.config import compose_config, to_params
    from sim.runner import simulate

    res = simulate(to_params(compose_config(["debug=tiny", "run.records=summary", "run.drain_years=100000",
                                                    "run.allow_large=true"])), 0)
    assert res.end_day < 100 * DAYS_PER_YEAR  # every case was done long before the drain's end
    assert len(res.tally.open_started) <= res.end_day / 30.0 + 3


def test_replications_without_cases_count_as_zeros_in_the_series_and_are_left_out_of_stage_times(compose):
    """The open-case series averages every replication, as the open cases at the horizon do; the stage times
    leave a replication without cohort cases out of every interval alike (its slowdown used to count as 0)."""
    from sim.job import summarise_results

    params = compose("debug=tiny", "run.records=cases", "run.replications=5", "demand.lor_per_year=0.4")
    results = run_replications(params)
    per_rep = [len(r.cases) for r in results]
    assert 0 in per_rep and sum(per_rep) > 0  # some replications have no case at all
    s = summarise_results(params, results)
    assert s["open_cases_at_horizon"]["n"] == 5
    days = s["series"]["day"]
    cases = combine(results, "cases")
    with_cases = len(cases["replication"].unique())
    table = open_cases_series(cases, days)  # over the replications that have cases
    assert s["series"]["open_cases"] == pytest.approx([v * with_cases / 5 for v in table], rel=1e-12, abs=1e-12)
    cohort = [r.tally.outcomes["cohort"] for r in results]
    for stage in s["stages"]:
        ns = {stage[k]["n"] for k in stage if isinstance(stage[k], dict) and "n" in stage[k]}
        assert ns == {sum(1 for c in cohort if c)}, stage["stage"]


def test_groups_equal_the_tables_by_partner_platform_and_priority(run):
    """Lead times and open cases by group (``group_tally``) against a pandas group-by of the case table."""
    from sim.analysis.dynamics import is_open
    from sim.model.entities import URGENT

    params, results = run
    cases = combine(results, "cases")
    horizon = params.run.horizon_years * DAYS_PER_YEAR
    cases = cases.assign(**{"platform": cases["platform"].replace("", "none"),
                            "priority": np.where(cases["priority"] == URGENT, "urgent", "normal")})
    checked = 0
    for r in results:
        mine = cases[cases["replication"] == r.replication]
        cohort, groups = mine[mine["in_cohort"]], r.tally.groups
        for dim in ("partner", "partner_group", "loa_group", "platform", "priority"):
            for value, g in cohort.groupby(dim):
                got = groups[f"{dim}={value}"]
                assert got["cohort"] == len(g)
                for name, milestone in LEAD_TIMES.items():
                    days = (g[milestone] - g["lor_received"])[applies(g, milestone)].dropna()
                    assert got[f"{name}.reached"] == len(days)
                    if len(days):
                        assert got[name] == pytest.approx(days.mean(), rel=1e-12)
                        checked += 1
                    else:
                        assert math.isnan(got[name])
            for value, n in is_open(mine, horizon).groupby(mine[dim]).sum().items():
                assert groups.get(f"{dim}={value}", {}).get("open_cases_at_horizon", 0) == n
    assert checked > 50
