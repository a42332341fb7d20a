"""sim.sweep and sim.hydra_argv lean on two Hydra internals; these tests pin them so that a Hydra upgrade fails
loudly."""
from __future__ import annotations

import re

import pytest
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import get_args_parser
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.config import ConfigError, compose_config
from sim.hydra_argv import READS, ArgvError, Command, parse, split_argv
from sim.sweep import precheck, sweep_jobs


def test_hydras_parser_has_the_flags_this_tool_reads_as_hydra_1_3_has_them():
    """The command line is read by Hydra's parser (nothing copied); this pins what Hydra 1.3 has, so an upgrade
    that adds, drops or reshapes a flag is looked at, not followed blindly."""
    every_flag = {o for a in get_args_parser()._actions for o in a.option_strings}
    assert every_flag == {"--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--resolve", "--package", "-p",
                          "--run", "-r", "--multirun", "-m", "--shell-completion", "-sc", "--config-path", "-cp",
                          "--config-name", "-cn", "--config-dir", "-cd", "--experimental-rerun", "--info", "-i"}
    dests = {a.dest for a in get_args_parser()._actions}
    assert set(READS) <= dests
    assert get_args_parser().allow_abbrev


@pytest.mark.parametrize("argv, expected", [
    (["--multi", "seed=1,2"], Command(["seed=1,2"], True, False)),  # an abbreviation argparse (so Hydra) accepts
    (["--cf", "job", "seed=1"], Command(["seed=1"], False, True)),
    (["--cfg=job", "seed=1"], Command(["seed=1"], False, True)),
    (["--info", "defaults", "seed=1"], Command(["seed=1"], False, True)),
    (["-sc", "install=bash"], Command(["install=bash"], False, True, True)),
    (["--version"], Command([], False, True)),
    (["-h"], Command([], False, True)),
])
def test_the_command_line_means_what_it_means_to_hydra(argv, expected):
    assert parse(argv) == expected


@pytest.mark.parametrize("argv, message", [
    (["-m", "seed=1,2", "--cfg", "job"], "--multirun and --cfg together; allowed: only one of --run, --multirun"),
    (["--nosuch", "seed=1"], "unrecognized arguments: --nosuch"),
    (["seed=1", "-m", "seed=2"], "unrecognized arguments: seed=2"),  # overrides are one run of words
    # two modes are named first, even when the overrides are split too (a breaker's find)
    (["-m", "seed=1,2", "--cfg", "job", "hydra.sweep.dir=x"], "--multirun and --cfg together"),
    (["--experimental-rerun", "/tmp/none.pickle"], "--experimental-rerun is not supported; allowed: run the job's"),
])
def test_a_command_line_hydra_refuses_is_one_line_naming_the_problem(argv, message):
    with pytest.raises(ArgvError, match=re.escape(message)):
        parse(argv)
    with pytest.raises(ConfigError, match=re.escape(message)):
        precheck(argv)


def test_abbreviated_flags_do_not_bypass_the_precheck():
    """``--multi`` is ``--multirun`` to Hydra, so the pre-check reads it so too (a breaker's find: it was skipped)."""
    with pytest.raises(ConfigError, match="demand.lor_per_year=-1"):
        precheck(["--multi", "debug=tiny", "seed=1,2", "demand.lor_per_year=-1"])
    with pytest.raises(ConfigError, match="demand.lor_per_year=-1"):
        precheck(["--cf", "job", "debug=tiny", "demand.lor_per_year=-1"])


def test_shell_completion_words_are_not_config_keys():
    assert precheck(["-sc", "install=bash"]) is None


def test_split_argv_drops_hydras_flags_and_their_values():
    argv = ["--config-name", "config", "-c", "job", "reform=none", "hydra.verbose=true", "seed=3"]
    assert split_argv(argv) == (["reform=none", "seed=3"], False)
    assert split_argv(["-m", "-cn", "config", "reform=none", "hydra.verbose=true"]) == (["reform=none"], True)


@pytest.mark.parametrize("overrides", [
    ["debug=tiny", "reform=none,more_staff", "seed=1,2,3"],
    ["seed=1,2", "run.replications=2", "reform=none,more_staff,raise_thresholds_tiger"],
    ["staffing.scale.case_writers=range(1,3)", "debug=tiny"],
])
def test_sweep_jobs_are_the_basic_sweepers_jobs_in_its_order(overrides):
    parsed = OverridesParser.create().parse_overrides(overrides)
    (batch,) = BasicSweeper.split_arguments(parsed, None)
    ours = sweep_jobs(overrides)
    assert [sorted(j) for j in ours] == [sorted(j) for j in batch]


def test_a_missing_group_option_lists_the_options_hydra_has():
    with pytest.raises(ConfigError) as e:
        compose_config(["reform=no_such_reform"])
    msg = str(e.value)
    assert "\n" not in msg and "no_such_reform" in msg
    assert "allowed: " in msg and "more_staff" in msg and "none" in msg


def test_a_command_line_value_replaces_the_studys_sweep_of_that_key_as_in_hydra():
    """The pre-check validates exactly the jobs Hydra launches: one job here, not the study's 14."""
    jobs = sweep_jobs(["experiment=staffing_sweep", "staffing.scale={case_writers:0.5,contracting_officers:1.0}"])
    assert len(jobs) == 1
    assert len(sweep_jobs(["experiment=staffing_sweep"])) == 14
    (job,) = sweep_jobs(["experiment=sensitivity", "sensitivity.point=3"])
    assert "sensitivity.point=3" in job


def test_interpolations_in_a_studys_sweep_are_resolved_as_hydra_does(tmp_path, monkeypatch):
    import sim.config as config

    study = tmp_path / "interp_study.yaml"
    study.write_text("# @package _global_\nstudy: interp\nrun:\n  replications: 2\n"
                     "hydra:\n  sweeper:\n    params:\n      seed: range(0,${run.replications})\n")
    monkeypatch.setattr(config, "EXPERIMENT_DIR", tmp_path)
    jobs = sweep_jobs(["experiment=interp_study"])
    assert sorted(j[0] for j in jobs) == ["seed=0", "seed=1"]


def test_a_study_without_multirun_is_one_line_asking_for_m():
    from sim.sweep import precheck

    with pytest.raises(ConfigError, match="add -m"):
        precheck(["experiment=staffing_sweep", "debug=tiny"])


def test_hydras_overrides_leave_out_the_values_of_its_flags():
    """``--cfg hydra -p hydra.launcher``: ``hydra.launcher`` is the package to print, not an override."""
    from sim.hydra_argv import hydra_overrides
    from sim.sweep import precheck

    argv = ["--cfg", "hydra", "-p", "hydra.launcher", "hydra/launcher=joblib", "hydra.launcher.n_jobs=3", "seed=2"]
    assert hydra_overrides(argv) == ["hydra/launcher=joblib", "hydra.launcher.n_jobs=3"]
    assert precheck(argv) is not None  # composed: no "cannot parse override 'hydra.launcher'"


def test_a_launcher_whose_plugin_is_not_installed_says_which_extra_installs_it(monkeypatch):
    import importlib.util

    from sim.sweep import LAUNCHER_PLUGINS, check_launcher, precheck

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "hydra_plugins.hydra_ray_launcher" else real(name, *a))
    with pytest.raises(ConfigError, match=r"hydra/launcher=fms_ray: .*not installed.*`ray` extra.*own"):
        precheck(["-m", "debug=tiny", "seed=1,2", "hydra/launcher=fms_ray"])
    check_launcher(["hydra/launcher=joblib", "hydra/launcher=fms_slurm"])  # installed here (test extra): no error
    assert {"fms_ray", "fms_slurm", "fms_slurm_cluster"} <= set(LAUNCHER_PLUGINS)


def test_the_projects_launcher_configs_compose_with_their_plugins_defaults():
    """fms_slurm runs here (submitit_local), fms_slurm_cluster on SLURM; both reserve run.jobs cores per job."""
    local = compose_config(["hydra/launcher=fms_slurm", "run.jobs=3"], with_hydra=True).hydra.launcher
    assert local._target_.endswith("LocalLauncher") and local.cpus_per_task == 3 and local.timeout_min == 1440
    cluster = compose_config(["hydra/launcher=fms_slurm_cluster", "hydra.launcher.partition=cpu"],
                             with_hydra=True).hydra.launcher
    assert cluster._target_.endswith("SlurmLauncher") and cluster.partition == "cpu" and cluster.cpus_per_task == 2


@pytest.mark.parametrize("flags", [["--cfg", "job"], ["--cfg=job"], ["--info=plugins"], ["-i", "config"],
                                   ["--cf", "job"]])
def test_a_command_that_only_prints_leaves_an_earlier_run_alone_even_with_overwrite(flags, tmp_path):
    """``--cfg=job`` is ``--cfg job``: Hydra only prints, so run.overwrite must not empty the folder."""
    from sim.sweep import precheck

    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text('{"status": "complete", "tool": "fms-sim"}')
    (old / "summary.json").write_text("{}")
    precheck([*flags, "debug=tiny", "run.overwrite=true", f"hydra.run.dir={old}"])
    assert sorted(p.name for p in old.iterdir()) == ["manifest.json", "summary.json"]


def test_a_launcher_a_study_file_chooses_is_checked_too(monkeypatch, tmp_path):
    import importlib.util

    from sim import config
    from sim.sweep import precheck

    (tmp_path / "ray_study.yaml").write_text("# @package _global_\ndefaults:\n  - override /hydra/launcher: fms_ray\n"
                                            "hydra:\n  sweeper:\n    params:\n      seed: 1,2\n")
    monkeypatch.setattr(config, "EXPERIMENT_DIR", tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "hydra_plugins.hydra_ray_launcher" else real(name, *a))
    with pytest.raises(ConfigError, match=r"not installed.*`ray` extra"):
        precheck(["-m", "debug=tiny", "experiment=ray_study"])


@pytest.mark.parametrize("argv, expected", [
    (["seed=1", "-m"], ["seed=1", "K='X'", "-m"]),
    (["-m", "seed=1"], ["-m", "seed=1", "K='X'"]),
    (["--cfg", "job", "seed=1", "--resolve"], ["--cfg", "job", "seed=1", "K='X'", "--resolve"]),
    (["-p", "seed=1", "seed=1", "-m"], ["-p", "seed=1", "seed=1", "K='X'", "-m"]),  # a flag's value is no override
    (["K=old", "seed=1", "-m"], ["seed=1", "K='X'", "-m"]),
    (["-m"], ["K='X'", "-m"]),
])
def test_the_claimed_folder_joins_the_users_overrides(argv, expected):
    """Hydra takes overrides as one run of words: the claimed folder goes after the last of them, never after a
    trailing flag (issue 21's review), and replaces the user's own value of that key."""
    from sim.hydra_argv import with_override

    assert with_override(argv, "K", "K='X'") == expected
