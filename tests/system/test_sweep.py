"""sim.sweep and sim.hydra_argv lean on two Hydra internals; these tests pin them so that a Hydra upgrade fails
loudly."""
from __future__ import annotations

import pytest
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra._internal.utils import get_args_parser
from hydra.core.override_parser.overrides_parser import OverridesParser

from sim.config import ConfigError, compose_config
from sim.hydra_argv import FLAGS_WITH_VALUE, INFO_CHOICES, MULTIRUN_FLAGS, PRINT_ONLY, split_argv
from sim.sweep import sweep_jobs


def test_hydras_flags_are_read_from_its_parser_as_hydra_1_3_has_them():
    """The flags come from Hydra's parser (nothing copied); this pins what Hydra 1.3 has, so an upgrade that adds,
    drops or reshapes a flag is looked at, not followed blindly."""
    assert FLAGS_WITH_VALUE == {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                                "--config-dir", "-cd", "--info", "-i", "--experimental-rerun"}
    assert MULTIRUN_FLAGS == {"-m", "--multirun"}
    assert INFO_CHOICES == {"all", "config", "defaults", "defaults-tree", "plugins", "searchpath"}
    info = next(a for a in get_args_parser()._actions if "--info" in a.option_strings)
    assert info.nargs == "?"  # its value is optional: only a choice is taken as its value
    every_flag = {o for a in get_args_parser()._actions for o in a.option_strings}
    assert PRINT_ONLY <= every_flag


def test_split_argv_drops_hydras_flags_and_their_values():
    argv = ["-m", "--config-name", "config", "-c", "job", "reform=none", "hydra.verbose=true", "seed=3"]
    assert split_argv(argv) == (["reform=none", "seed=3"], True)


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


@pytest.mark.parametrize("flags", [["--cfg", "job"], ["--cfg=job"], ["--info=plugins"], ["--info"]])
def test_a_command_that_only_prints_leaves_an_earlier_run_alone_even_with_overwrite(flags, tmp_path):
    """``--cfg=job`` is ``--cfg job``: Hydra only prints, so run.overwrite must not empty the folder."""
    from sim.sweep import precheck

    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text('{"status": "complete", "tool": "fms-sim"}')
    (old / "summary.json").write_text("{}")
    precheck([*flags, "debug=tiny", "run.overwrite=true", f"hydra.run.dir={old}"])
    assert sorted(p.name for p in old.iterdir()) == ["manifest.json", "summary.json"]


def test_info_takes_its_value_only_when_it_is_one_of_hydras_choices():
    assert split_argv(["--info", "-m", "debug=tiny", "seed=1,2"]) == (["debug=tiny", "seed=1,2"], True)
    assert split_argv(["--info", "defaults", "seed=1"]) == (["seed=1"], False)


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
    (["--cfg", "job", "seed=1", "--run"], ["--cfg", "job", "seed=1", "K='X'", "--run"]),
    (["K=old", "seed=1", "-m"], ["seed=1", "K='X'", "-m"]),
    (["-m"], ["K='X'", "-m"]),
])
def test_the_claimed_folder_joins_the_users_overrides(argv, expected):
    """Hydra takes overrides as one run of words: the claimed folder goes after the last of them, never after a
    trailing flag (issue 21's review), and replaces the user's own value of that key."""
    from sim.hydra_argv import with_override

    assert with_override(argv, "K", "K='X'") == expected
