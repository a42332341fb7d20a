"""Every experiment file composes with its own sweep, and every job of the sweep validates."""
from __future__ import annotations

import pytest

from sim.config import EXPERIMENT_DIR, compose_config, scenario_label, to_params
from sim.sweep import JobComposer, sweep_jobs

EXPECTED_JOBS = {"reform_comparison": 13, "staffing_sweep": 14, "staffing_surface": 27, "threshold_sweep": 16,
                 "demand_surge": 8, "sensitivity": 50, "case_writer_scale": 3, "effort_share": 8, "reform_outlook": 13,
                 "reform_uncertainty": 75, "breakeven": 32}  # uncertainty: 5 x 11 points, then 5 x 4 strengths (grids)
FILES = sorted(p.stem for p in EXPERIMENT_DIR.glob("*.yaml"))


def test_every_study_is_listed():
    assert FILES == sorted(EXPECTED_JOBS)
    readme = (EXPERIMENT_DIR / "README.md").read_text()
    for name in FILES:
        assert f"`{name}`" in readme


@pytest.mark.parametrize("name", FILES)
def test_experiment_opens_with_its_question(name):
    text = (EXPERIMENT_DIR / f"{name}.yaml").read_text()
    assert text.startswith("# @package _global_\n# Question: ")
    p = to_params(compose_config([f"experiment={name}"]))
    assert p.study == name and p.question


@pytest.mark.parametrize("name", FILES)
def test_experiment_composes_with_its_own_sweep(name):
    jobs = sweep_jobs([f"experiment={name}"])
    assert len(jobs) == EXPECTED_JOBS[name]
    composer = JobComposer()
    params = [composer.params(job) for job in jobs]
    labels = [scenario_label(p, [o for o in job if not o.startswith("experiment=")]) for p, job in zip(params, jobs)]
    if name == "sensitivity":  # compared across design points, not against a reference
        assert len({p.sensitivity.point for p in params}) == len(jobs)
    else:
        assert len(set(labels)) == len(jobs)  # every job is a different scenario
        if name in ("staffing_surface", "reform_uncertainty", "breakeven"):  # each point has its own reference run
            points = {label.split(" ", 1)[1] for label in labels}
            assert {f"{params[0].reference} {point}" for point in points} <= set(labels)
        else:
            assert params[0].reference in labels  # the reference scenario is one of the jobs


def test_sensitivity_jobs_set_their_factors_to_the_design_point():
    from sim.analysis.sensitivity import lhs_design

    base = to_params(compose_config(["experiment=sensitivity"]))
    bounds = {f.key: (f.low, f.high) for f in base.sensitivity.factors}
    design = lhs_design(bounds, base.sensitivity.points, base.sensitivity.design_seed)
    for point in (0, 17, 49):
        p = to_params(compose_config(["experiment=sensitivity", f"sensitivity.point={point}"]))
        assert p.demand.lor_per_year == pytest.approx(design[point]["demand.lor_per_year"])
        # optional keys whose default is null take the design's float
        assert p.staffing.effort_share == pytest.approx(design[point]["staffing.effort_share"])
        assert p.staffing.size_to_load == pytest.approx(design[point]["staffing.size_to_load"])
        assert p.staffing.pools["case_writers"].pooling == pytest.approx(
            design[point]["staffing.pools.case_writers.pooling"])
        assert p.process.contracting.work["new_procurement"].median == pytest.approx(
            design[point]["process.contracting.work.new_procurement.median"])


@pytest.mark.parametrize("key", ["run.records", "staffing.pools", "staffing.no_such_key"])
def test_a_sensitivity_factor_must_be_a_numeric_key(key):
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match=f"sensitivity.factors: {key} is not a numeric config key"):
        to_params(compose_config(["experiment=sensitivity", "sensitivity.point=0",
                                  f"sensitivity.factors=[{{key: {key}, low: 0.1, high: 0.2}}]"]))
