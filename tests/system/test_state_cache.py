"""Cached exact states and steady-state studies that start from them (``run.settle_years``, ``sim.state_cache``).

- The exact-state file keeps a state exactly (Parquet columns and JSON metadata).
- ``reform=none`` with ``run.settle_years`` is, case by case and bit for bit, the run that warms up itself: its run
  starts from the state at the warm-up's end and goes on exactly.
- A reform with ``run.settle_years`` starts from the state without it and is enacted ``settle_years`` before the
  warm-up ends; the cache is made once per (scenario without reform, day, code, versions) and replication.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from sim.config import load_params
from sim.model.scenario import resolve
from sim.runner import simulate
from sim.state_cache import cache_key, cached_state, make_state, read_exact, write_exact

BASE = ["debug=tiny", "run.after_horizon=arrivals", "run.warmup_years=1.0", "run.horizon_years=1.5",
        "run.drain_years=1"]
MILESTONES = ["lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded", "delivered",
              "withdrawn", "closed"]


def same(a, b) -> bool:
    """Equal, NaN included (as JSON text: every float by its repr)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FMS_SIM_CACHE", str(tmp_path))
    return tmp_path


def test_the_file_keeps_a_state_exactly(tmp_path):
    state = make_state(load_params(BASE), 0, 100.0)  # parameters, resolved there (or a Scenario)
    path = tmp_path / "s.parquet"
    write_exact(path, state)
    assert same(read_exact(path), state)
    assert not list(tmp_path.glob(".*.tmp"))  # written whole, then renamed


def test_a_state_after_the_run_would_end_is_refused():
    with pytest.raises(ValueError, match=r"make_state: day 5000.0 is not before the run's end \(day 913.125"):
        make_state(load_params(BASE), 0, 5000.0)


def test_a_file_that_is_not_an_exact_state_is_refused_naming_it(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(ValueError, match="broken.parquet: not an exact state"):
        read_exact(path)


def test_the_reference_with_settling_is_the_run_that_warms_up_itself(cache):
    scenario = resolve(load_params([*BASE, "run.settle_years=0.5"]))
    assert scenario.start_day == pytest.approx(1.0 * 365.25)  # no change: from the warm-up's end
    plain = simulate(load_params(BASE), 0)
    settled = simulate(load_params([*BASE, "run.settle_years=0.5"]), 0)
    a, b = plain.cases.set_index("case_id"), settled.cases.set_index("case_id")
    cohort = a[a["in_cohort"]]
    assert len(cohort) > 500 and cohort.index.isin(b.index).all()
    assert np.array_equal(b.loc[cohort.index, MILESTONES].to_numpy(), cohort[MILESTONES].to_numpy(), equal_nan=True)
    assert settled.stage_totals.equals(plain.stage_totals)
    # the stage flows of the years from the state's day on (those before it saw part of their visits: left out)
    kept = plain.stage_flow[plain.stage_flow["year"] >= 1].reset_index(drop=True)
    assert settled.stage_flow["year"].min() == 1 and settled.stage_flow.equals(kept)
    assert settled.pools.equals(plain.pools) and settled.pool_windows.equals(plain.pool_windows)
    assert settled.end_day == plain.end_day
    [made] = list(cache.glob("states/*/rep-0.parquet"))  # made once, kept
    umask = os.umask(0)
    os.umask(umask)
    assert made.stat().st_mode & 0o777 == 0o666 & ~umask  # as any file the user writes (a cache others may read)


def test_a_reform_settles_from_the_state_without_it(cache):
    params = load_params([*BASE, "reform=tiger_team_package", "run.settle_years=0.5"])
    scenario = resolve(params)
    assert scenario.prestart is not None and scenario.start_day == pytest.approx(0.5 * 365.25)
    assert scenario.params.reform.effective == pytest.approx(0.5)  # enacted settle_years before the warm-up ends
    reference = resolve(load_params([*BASE, "run.settle_years=0.5"]))
    # the reform's states are the reference's history (the same key: one cache for the whole study)
    assert cache_key(scenario.prestart, scenario.start_day) == cache_key(reference.prestart, scenario.start_day)
    first = simulate(params, 0)
    files = list(cache.glob("states/*/rep-0.parquet"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    again = simulate(params, 0)  # from the cache: the same run
    assert files[0].stat().st_mtime_ns == stamp
    assert again.cases.equals(first.cases)
    always = simulate(load_params([*BASE, "reform=tiger_team_package"]), 0)
    assert not again.cases.equals(always.cases)  # enacted at its date, not always in effect


@pytest.mark.parametrize("reform", ["priority_partners", "parallel_reviews", "eo14268_package"])
def test_switches_and_lists_settle_too(cache, reform):
    """(before its date a switch or list reaches no case: the state without the reform fits)"""
    result = simulate(load_params([*BASE, f"reform={reform}", "run.settle_years=0.5", "run.horizon_years=1.2"]), 0)
    assert len(result.cases) > 1000


def test_the_sample_spacing_is_part_of_the_key(cache):
    a = resolve(load_params([*BASE, "reform=more_staff", "run.settle_years=0.5"]))
    b = resolve(load_params([*BASE, "reform=more_staff", "run.settle_years=0.5", "run.sample_days=10"]))
    assert cache_key(a.prestart, a.start_day) != cache_key(b.prestart, b.start_day)


def test_a_cache_that_cannot_be_written_costs_time_not_the_run(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("FMS_SIM_CACHE", str(blocker / "cache"))
    state = cached_state(resolve(load_params(BASE)), 0, 50.0)
    assert state["clock"]["now"] == 50.0
    assert "was made but not cached" in capsys.readouterr().err


def test_an_incomplete_cache_file_is_made_again(cache):
    import pyarrow as pa
    import pyarrow.parquet as pq

    scenario = resolve(load_params(BASE))
    state = cached_state(scenario, 0, 50.0)
    [path] = cache.glob("states/*/rep-0.parquet")
    pq.write_table(pa.table({"id": [1]}).replace_schema_metadata({b"fms_exact": b'{"schema": 1}'}), path)
    with pytest.raises(ValueError, match="not an exact state"):
        read_exact(path)
    assert same(cached_state(scenario, 0, 50.0), state)


def test_a_damaged_cache_file_is_made_again(cache):
    scenario = resolve(load_params(BASE))
    state = cached_state(scenario, 1, 50.0)
    [path] = cache.glob("states/*/rep-1.parquet")
    path.write_bytes(b"cut short")
    assert same(cached_state(scenario, 1, 50.0), state)
    assert same(read_exact(path), state)


def test_another_history_gets_states_of_its_own(cache):
    day = 50.0
    keys = {cache_key(resolve(load_params([*BASE, *extra])), day)
            for extra in ([], ["staffing=slots"], ["seed=5"], ["demand.lor_per_year=2100"])}
    assert len(keys) == 4
    assert cache_key(resolve(load_params(BASE)), 60.0) not in keys


@pytest.mark.parametrize("extra, message", [
    (["run.settle_years=1.2"], "run.settle_years=1.2; allowed: null, or more than 0 and less than run.warmup_years"),
    (["run.settle_years=1.0"], "run.settle_years=1.0; allowed: null, or more than 0 and less than run.warmup_years"),
    (["run.settle_years=0.2", "run.after_horizon=drain"], "allowed: run.after_horizon=arrivals"),
    (["run.settle_years=0.2", "reform=more_staff", "reform.effective=0.1"], "allowed: one of them"),
])
def test_settling_that_cannot_be_done_is_refused(extra, message):
    with pytest.raises(ValueError) as info:  # load_params checks them (ConfigError is a ValueError)
        resolve(load_params([*BASE, *extra]))
    assert message in str(info.value)


def test_simulate_goes_on_exactly_from_an_exact_state_given_as_start(tmp_path):
    """The library call: ``simulate(params, r, start=state)`` with a state read from its file."""
    params = load_params(BASE)
    path = tmp_path / "day100.parquet"
    write_exact(path, make_state(resolve(params), 2, 100.0))
    whole = simulate(params, 2)
    resumed = simulate(params, 2, start=read_exact(path))
    a, b = whole.cases.set_index("case_id"), resumed.cases.set_index("case_id")
    cohort = a[a["in_cohort"]]
    assert np.array_equal(b.loc[cohort.index, MILESTONES].to_numpy(), cohort[MILESTONES].to_numpy(), equal_nan=True)
    assert resumed.stage_totals.equals(whole.stage_totals)
    with pytest.raises(ValueError, match=r"resume: the run's parameters differ .* replication \(state: 2, run: 3\)"):
        simulate(params, 3, start=read_exact(path))


def test_a_settled_run_leaves_out_the_years_before_its_state_not_counts_them_short(cache):
    """Year-by-year rows (open cases at year ends, LOAs by year, flows) of the years before the state's day, and the
    sampled series before it, would count only the cases still open then: they are left out."""
    from sim.job import kpis_of

    params = load_params([*BASE, "run.warmup_years=1.2", "run.horizon_years=2.2", "run.settle_years=0.5"])
    plain_params = load_params([*BASE, "run.warmup_years=1.2", "run.horizon_years=2.2"])
    settled, plain = kpis_of(params, [simulate(params, 0)]), kpis_of(plain_params, [simulate(plain_params, 0)])
    start_fy = params.run.start_fiscal_year
    years = settled["fiscal_year"].dropna()
    assert len(years) and years.min() == start_fy + 2  # the state is on day 438.3 (year 1.2): years 0 and 1 are out
    assert settled["day"].dropna().min() >= 1.2 * 365.25
    keys = ["metric", "stage", "office", "fiscal_year", "group", "day"]
    both = settled.merge(plain, on=keys, suffixes=("", "_plain"))
    assert len(both) == len(settled)  # every row it keeps, the plain run has, with the same value
    both = both[both["metric"] != "stage_visits"]  # (the visits simulated: fewer, which is the point)
    assert np.allclose(both["value"], both["value_plain"], rtol=1e-12, equal_nan=True)


def test_a_settled_job_writes_its_summary(cache, tmp_path):
    """Regression: a job with run.settle_years and a reform failed when its summary dated the reform (the
    scenario's read-only parameters were copied, still read-only, and edited): every settled study lost its jobs."""
    from sim.commands.run import main

    out = tmp_path / "m"
    assert main(["-m", "reform=none,contracting_standards", *BASE, "run.settle_years=0.5", "run.replications=1",
                 f"hydra.sweep.dir={out}"]) == 0
    summary = json.loads((out / "1" / "summary.json").read_text())
    assert summary["enactment"]["effective_year"] == 0.5 and summary["enactment"]["settle_years"] == 0.5
