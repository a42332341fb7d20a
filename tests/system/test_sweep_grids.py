"""sim.sweep_grids and hydra/sweeper=grids: a study's jobs as a union of grids (the uncertainty study's hypercube and
its break-even strengths), expanded the same way by the sweepers and by the pre-check."""
from __future__ import annotations

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.sweep import sweep_jobs
from sim.sweep_grids import expand

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
