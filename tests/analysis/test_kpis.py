"""sim.analysis.kpis: the tidy rows a job writes, and every summary.json number about cases, workload and pools as
a group-by of them (issue 21: the rows are the record)."""
from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import kpis as K
from sim.analysis.lead_times import day_counts_quantile
from sim.job import run_job

REL = 1e-12  # floats from reductions (CPU-dependent last bits); counts and days compare exactly


@pytest.fixture(scope="module")
def run(compose, tmp_path_factory):
    """Three replications of a tiny run, records=summary: kpis.parquet is written whatever the records."""
    p = compose("debug=tiny", "run.replications=3", "run.horizon_years=1.5", "run.warmup_years=0.5",
                "run.drain_years=2", "run.records=summary")
    out = tmp_path_factory.mktemp("kpis") / "run"
    summary = run_job(p, out, config={}, overrides=[], stream=io.StringIO(), progress=False)
    return summary, pd.read_parquet(out / "kpis.parquet")


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == pytest.approx(b, rel=REL, abs=1e-12)


def _same_interval(summary_part, got):
    for k in ("mean", "ci_low", "ci_high", "half_width"):
        assert _same(summary_part[k], got[k]), (k, summary_part[k], got[k])
    assert summary_part["n"] == got["n"]


def test_the_rows_are_tidy_and_every_metric_is_catalogued(run):
    summary, kpis = run
    assert list(kpis.columns) == K.COLUMNS
    assert set(kpis["metric"]) == set(K.METRICS)  # nothing written that is not documented, nothing missing
    assert (kpis["scenario"] == summary["scenario"]).all() and (kpis["seed"] == summary["seed"]).all()
    assert kpis["replication"].drop_duplicates().tolist() == summary["replication_ids"]
    for metric, (keys, unit, meaning) in K.METRICS.items():
        assert unit and meaning and "pool_window_rows" not in unit, metric
        rows = K.select(kpis, metric)
        for key in K.KEYS:  # a metric's own keys are set, the others null
            assert rows[key].notna().all() if key in keys else rows[key].isna().all(), (metric, key)
        assert not rows.duplicated(["replication", *keys]).any(), metric


def test_every_workload_measure_has_its_unit_and_meaning():
    from sim.analysis.workload import MEASURES

    assert set(K._VALUE) == set(MEASURES)
    assert K.METRICS["value_notified_per_year"].unit == "$B per year"
    assert K.METRICS["pool.utilisation"].unit == "share"


def test_lead_times_are_group_bys_of_the_rows(run):
    summary, kpis = run
    for lead, lt in summary["lead_times"].items():
        _same_interval(lt, K.interval(kpis, lead))
        assert K.per_replication(kpis, lead) == pytest.approx(lt["per_replication"], rel=REL)
        assert K.per_replication(kpis, f"{lead}.censored_share") == lt["per_replication_censored_share"]
        assert K.select(kpis, f"{lead}.cases")["value"].sum() == lt["cases"]
        assert K.select(kpis, f"{lead}.reached")["value"].sum() == lt["reached"]
        assert K.select(kpis, f"{lead}.censored")["value"].sum() == lt["censored"]
        assert K.pooled_day_counts(kpis, lead) == lt["day_counts"]  # so merged blocks give the same medians
        for q, name in ((0.5, "median"), (0.9, "p90")):
            got = K.pooled_quantile(kpis, lead, q)
            assert got == day_counts_quantile(lt["day_counts"], q) and abs(got - lt[name]) <= 1.0


def test_cases_workload_and_the_loa_metric_are_group_bys_of_the_rows(run):
    summary, kpis = run
    for outcome in ("delivered", "withdrawn", "in_progress", "cohort"):
        _same_interval(summary["cases"][outcome], K.interval(kpis, f"cases.{outcome}"))
        assert K.per_replication(kpis, f"cases.{outcome}") == summary["cases"][outcome]["per_replication"]
    _same_interval(summary["cases"]["notified_share"], K.interval(kpis, "notified_share"))
    _same_interval(summary["open_cases_at_horizon"], K.interval(kpis, "open_cases_at_horizon"))
    for name, iv in summary["workload"].items():
        _same_interval(iv, K.interval(kpis, name))
    years = summary["fiscal_years"]
    for m, values in years.items():
        if m == "fiscal_year":
            continue
        for fy, v in zip(years["fiscal_year"], values):
            rows = K.select(kpis, f"fiscal.{m}", fiscal_year=fy)
            assert _same(v, float(rows["value"].mean())), (m, fy)
    loa = summary["loa_metric"]
    for clock in ("lor_received", "lor_complete"):
        _same_interval(loa[clock]["loas_and_amendments"], K.interval(kpis, f"loa.{clock}.share"))
        for part, got in [("loas", loa[clock]["loas_only"]), ("amendments", loa[clock]["amendments_only"]),
                          *loa[clock]["by_group"].items()]:
            within = K.select(kpis, f"loa.{clock}.within_goal", group=part)["value"].sum()
            n = K.select(kpis, f"loa.{clock}.documents", group=part)["value"].sum()
            assert _same(got, within / n if n else None), (clock, part)
    assert K.select(kpis, "loa.lor_received.documents", group="loas")["value"].sum() == loa["documents"]["loas"]


def test_pools_and_run_control_are_group_bys_of_the_rows(run):
    summary, kpis = run
    for pool in summary["pools"]:
        office = pool["pool"]
        for m in ("utilisation", "mean_queue", "starts_per_year", "queue_growth"):
            _same_interval(pool[m], K.interval(kpis, f"pool.{m}", office=office))
        assert K.per_replication(kpis, "pool.utilisation", office=office) == \
            pytest.approx(pool["per_replication_utilisation"], rel=REL)
        if pool["cases_per_person"] is not None:
            _same_interval(pool["cases_per_person"], K.interval(kpis, "pool.cases_per_person", office=office))
        starts = K.select(kpis, "pool.starts", office=office)["value"].sum()
        requests = K.select(kpis, "pool.requests", office=office)["value"].sum()
        assert _same(pool["served_share"], starts / requests if requests else None)
        assert K.per_replication(kpis, "pool.capacity", office=office)[0] == pool["capacity"]
    assert K.per_replication(kpis, "end_day") == summary["end_day_per_replication"]
    n = len(summary["replication_ids"])
    for stage, flow in summary["yearly_flow"].items():  # visits per simulated year, means over replications
        for fy, arrivals in zip(flow["fiscal_year"], flow["arrivals"]):
            total = K.select(kpis, "flow.arrivals", stage=stage, fiscal_year=fy)["value"].sum()
            assert arrivals == total / n, (stage, fy)
    assert K.per_replication(kpis, "stage_visits") == summary["stage_visits_per_replication"]


def test_blocks_merge_by_concatenating_their_rows():
    """Two blocks' day counts add up, so a pooled quantile of the union needs no reconstruction."""
    a = pd.DataFrame({"metric": ["x.day_count"] * 2, "day": pd.array([3, 5], dtype="Int64"), "value": [2.0, 1.0]})
    b = pd.DataFrame({"metric": ["x.day_count"] * 2, "day": pd.array([5, 9], dtype="Int64"), "value": [1.0, 4.0]})
    both = pd.concat([a, b])
    assert K.pooled_day_counts(both, "x") == {"first_day": 3, "counts": [2, 0, 2, 0, 0, 0, 4]}
    assert K.pooled_quantile(both, "x", 0.5) == 6.0  # the 4th of 8 cases: the last of day 5, spread over [5, 6)
    assert K.pooled_day_counts(both.iloc[:0], "x") == {"first_day": 0, "counts": []}
    assert math.isclose(K.interval(pd.DataFrame({"metric": ["m"] * 3, "value": [1.0, np.nan, 3.0]}), "m")["mean"], 2)


def test_rows_of_two_scenarios_or_a_key_left_out_are_refused_not_pooled(run):
    """A new user's find: interval() over two jobs' rows pooled the baseline and the reform into one mean."""
    _, kpis = run
    other = kpis.assign(scenario="more_staff")
    with pytest.raises(ValueError, match="notified_share: rows of 2 scenarios or seeds; allowed: one job's rows"):
        K.interval(pd.concat([kpis, other]), "notified_share")
    with pytest.raises(ValueError, match="lor_to_offer: rows of 2 scenarios"):
        K.pooled_day_counts(pd.concat([kpis, other]), "lor_to_offer")
    with pytest.raises(ValueError, match="pool.utilisation: a replication appears twice"):
        K.interval(kpis, "pool.utilisation")  # every office's rows: the office key left out


def test_the_rows_hold_every_number_the_summary_reports(run):
    """The done-when of issue 21: every section of summary.json is a group-by of kpis.parquet (``kpi_summary``);
    only the lead times' median and p90 are the cases' own, exact, and the rows give them within a day (with
    thousands of cases)."""
    from helpers import assert_close
    from sim.analysis import kpi_summary

    summary, kpis = run
    years = len(summary["fiscal_years"]["fiscal_year"])
    window = summary["window"]
    got = kpi_summary.sections(kpis, summary["fiscal_years"]["fiscal_year"][0], years, window["warmup_day"],
                               window["horizon_day"])
    for key, value in got.items():
        if key == "lead_times":
            continue
        assert_close(value, summary[key], key)
    for lead, lt in summary["lead_times"].items():
        mine = got["lead_times"][lead]
        assert abs(mine["median"] - lt["median"]) <= 1.0 and abs(mine["p90"] - lt["p90"]) <= 1.0, lead
        assert_close({k: v for k, v in mine.items() if k not in ("median", "p90")},
                     {k: v for k, v in lt.items() if k not in ("median", "p90")}, lead)
    # what is not a group-by of the rows is the run's settings and labels, not a result
    results = set(got) | {"window", "lead_times"}
    assert set(summary) - results == {"scenario", "reference", "study", "question", "reforms", "levers", "enactment",
                                      "start", "sensitivity", "uncertainty", "breakeven", "cost", "seed",
                                      "replications", "run", "time_unit"}
    assert summary["series"]["pools"] and len(summary["series"]["day"]) > 10


def _rows(replication: int, metric: str, values, **keys) -> pd.DataFrame:
    n = len(values)
    out = {"scenario": "x", "seed": 1, "replication": replication, "metric": metric, "stage": None, "office": None,
           "fiscal_year": pd.array([None] * n, dtype="Int64"), "group": None, "day": np.nan, "value": values}
    out.update(keys)
    return pd.DataFrame(out)


def test_merged_blocks_pad_series_and_count_unvisited_stages_across_blocks():
    """A breaker's finds: padding a shorter replication's series to the last day happened within a block only
    (a merged study's open cases at day 5,250 read 2.0 against 0.667 in one run), and a stage no replication of a
    block visited left that block's replications out of the stage's interval (n=1 instead of 3)."""
    from sim.analysis import kpi_summary
    from sim.analysis.stages import STAGE_MEASURES

    def block(rep, days, open_, visited):
        parts = [_rows(rep, "series.open_cases", open_, day=days), _rows(rep, "series.in_process", open_, day=days),
                 _rows(rep, "cases.cohort", [10.0])]
        for stage, value in visited.items():
            for m in STAGE_MEASURES:
                parts.append(_rows(rep, f"stage.{m}", [value], stage=stage, office="case_writers"))
        return pd.concat(parts, ignore_index=True)

    a = block(0, [0.0, 30.0, 60.0], [1.0, 2.0, 3.0], {"production_line": 3.0, "lor_intake": 1.0})
    b = block(1, [0.0, 30.0], [5.0, 4.0], {"lor_intake": 2.0})  # ended sooner; never at a production line
    merged = kpi_summary.in_replication_order(pd.concat([b, a], ignore_index=True))
    series = kpi_summary.series(merged)
    assert series["day"] == [0.0, 30.0, 60.0]
    assert series["open_cases"] == [3.0, 3.0, 3.5]  # replication 1 keeps its last count, 4, on day 60
    stages = kpi_summary.stages(merged)
    assert [s["stage"] for s in stages] == ["lor_intake", "production_line"]  # process order
    line = stages[1]
    assert line["wait_per_case"]["n"] == 2 and line["wait_per_case"]["mean"] == 1.5  # (3 + 0) / 2
    no_cohort = merged[~((merged["metric"] == "cases.cohort") & (merged["replication"] == 1))]
    no_cohort = pd.concat([no_cohort, _rows(1, "cases.cohort", [0.0])], ignore_index=True)
    assert kpi_summary.stages(no_cohort)[1]["wait_per_case"]["n"] == 1  # no cohort case: no value, not zero
