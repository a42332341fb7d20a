"""sim.sweep_grids and hydra/sweeper=grids: a study's jobs as a union of grids (the uncertainty study's hypercube and
its break-even strengths), expanded the same way by the sweepers and by the pre-check."""
from __future__ import annotations

import re

import pytest
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.sweep import sweep_jobs
from sim.sweep_grids import GridsError, check_grid_references, expand

PARSER = OverridesParser.create()
HYPERCUBE = {"reform": "none,x", "uncertainty.point": "null,0,1"}
STRENGTHS = {"reform": "none,x", "reform.strength": "0.5,1", "reform.assume": "high"}


def test_without_grids_the_jobs_are_the_basic_sweepers():
    args = ["seed=1,2", "run.replications=3"]
    (basic,) = BasicSweeper.split_arguments(PARSER.parse_overrides(
        [f"{k}={v}" for k, v in HYPERCUBE.items()] + args), None)
    assert expand(PARSER, HYPERCUBE, None, args) == [list(j) for j in basic]
    assert expand(PARSER, {}, [], ["reform=none,x"]) == [["reform=none"], ["reform=x"]]


def test_each_grid_is_its_own_product_after_the_first():
    jobs = expand(PARSER, HYPERCUBE, [STRENGTHS], [])
    assert len(jobs) == 2 * 3 + 2 * 2
    assert jobs[:6] == [[f"reform={r}", f"uncertainty.point={p}"] for r in ("none", "x") for p in ("null", 0, 1)]
    assert jobs[6:] == [[f"reform={r}", f"reform.strength={s}", "reform.assume=high"]
                        for r in ("none", "x") for s in (0.5, 1)]


def test_a_command_line_key_of_some_grids_is_set_there_only_and_others_everywhere():
    jobs = expand(PARSER, HYPERCUBE, [STRENGTHS], ["uncertainty.point=null,0", "reform=x", "seed=7"])
    assert jobs == [["reform=x", "uncertainty.point=null", "seed=7"], ["reform=x", "uncertainty.point=0", "seed=7"],
                    ["reform=x", "reform.strength=0.5", "reform.assume=high", "seed=7"],
                    ["reform=x", "reform.strength=1", "reform.assume=high", "seed=7"]]


def test_a_job_an_earlier_grid_has_runs_once():
    jobs = expand(PARSER, {"reform": "none,x"}, [{"reform": "x,y"}], [])
    assert jobs == [["reform=none"], ["reform=x"], ["reform=y"]]


def test_the_uncertainty_study_keeps_its_hypercubes_job_numbers_and_adds_its_strengths():
    """The hypercube's 55 jobs keep the numbers they had under the basic sweeper (a study run before the strengths
    were added resumes with run.resume=true); the strengths follow, none beside each reform."""
    jobs = sweep_jobs(["experiment=reform_uncertainty"])
    reforms = ["none", "contracting_standards", "dscs_workforce", "more_staff_offices", "more_contracting_officers"]
    points = ["null", *range(10)]
    assert jobs[:55] == [[f"reform={r}", f"uncertainty.point={p}", "experiment=reform_uncertainty"]
                         for r in reforms for p in points]
    assert jobs[55:] == [[f"reform={r}", f"reform.strength={s}", "reform.assume=high", "experiment=reform_uncertainty"]
                         for r in reforms for s in (0.25, 0.5, 0.75, 1)]


def test_the_sweepers_are_found_from_any_folder(tmp_path):
    """Hydra lists the hydra_plugins folders to find sweepers, which an editable install's import hook hides: run
    outside the checkout, the uncertainty study could not find its grids sweeper (sim.commands.run.plugins_findable)."""
    import subprocess
    import sys

    for sweeper in ("grids", "precision"):
        r = subprocess.run([sys.executable, "-m", "sim", f"hydra/sweeper={sweeper}", "--cfg", "hydra"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        assert f"_target_: hydra_plugins.fms_sim_precision.{sweeper}_sweeper." in r.stdout


def test_the_same_job_in_another_order_runs_once_and_an_empty_params_adds_none():
    """A reviewer's study listed reform and reform.assume in the other order in its second grid: 4 jobs, 2 twice."""
    jobs = expand(PARSER, {"reform": "none,x", "reform.assume": "high"},
                  [{"reform.assume": "high", "reform": "none,x"}], [])
    assert jobs == [["reform=none", "reform.assume=high"], ["reform=x", "reform.assume=high"]]
    # a study with only grids: no bare job from its empty params (it ran as reform=none's twin)
    assert expand(PARSER, {}, [{"reform": "none,x"}, {"reform": "y"}], []) == [["reform=none"], ["reform=x"],
                                                                              ["reform=y"]]


@pytest.mark.parametrize("grids, says", [
    ({"reform": "x"}, "hydra.sweeper.grids={'reform': 'x'}; allowed: a list of grids"),
    ([{}], "hydra.sweeper.grids.0={}; allowed: a non-empty mapping"),
    (["reform"], "hydra.sweeper.grids.0='reform'; allowed: a non-empty mapping"),
    ([{"reform": ["none", "x"]}], "hydra.sweeper.grids.0.reform=['none', 'x']; allowed: a value or comma-separated"),
    ([{"reform": None}], "hydra.sweeper.grids.0.reform=None; allowed"),
])
def test_a_malformed_grid_is_refused_naming_it(grids, says):
    with pytest.raises(GridsError, match=re.escape(says)):
        expand(PARSER, {"reform": "none"}, grids, [])


def test_a_bare_reference_beside_a_reference_with_values_is_refused():
    """Every job would be paired with the bare 'none' (a reviewer's study: +43 days that were the effort share's)."""
    with pytest.raises(GridsError, match="job 0 runs the reference 'none' with no other swept value and job 2 runs "
                                         "it as 'none staffing.effort_share=0.2'"):
        check_grid_references(["none", "x", "none staffing.effort_share=0.2", "x staffing.effort_share=0.2"], "none")
    check_grid_references(["none a=1", "x a=1", "none a=2", "x a=2"], "none")  # each pairs by its values
    check_grid_references(["none", "x", "y"], "none")


def test_the_sweeper_chosen_on_the_command_line_expands_its_grids(tmp_path):
    """It was dropped from the pre-check's composition, which then refused hydra.sweeper.grids as not a key of the
    basic sweeper's."""
    jobs = sweep_jobs(["seed=3"], ["hydra/sweeper=grids", "hydra.sweeper.grids=[{reform:sdaf_prebuy},{reform:none}]"])
    assert jobs == [["reform=sdaf_prebuy", "seed=3"], ["reform=none", "seed=3"]]
    from sim.sweep import check_command

    checked = check_command(["-m", "seed=3", "hydra/sweeper=grids", "hydra.sweeper.grids=[{reform:sdaf_prebuy}]",
                             f"hydra.sweep.dir={tmp_path / 'm'}"])
    assert checked.output is not None and not (tmp_path / "m").exists()


def test_grids_under_the_precision_sweeper_or_without_multirun_are_refused(tmp_path):
    from sim.commands.run import main

    out = tmp_path / "p"
    assert main(["-m", "experiment=reform_uncertainty", "hydra/sweeper=precision", f"hydra.sweep.dir={out}"]) == 2
    assert main(["experiment=reform_uncertainty", "reform=none", f"hydra.run.dir={out}"]) == 2
    assert not out.exists()
