"""A catalogue of user mistakes: each gets one line naming the key, exit code 2, no traceback, no directory.

Part 1 walks every float of the baseline parameters and sets it to NaN, then to +/-infinity: the rules
(``sim.model.checks``) must name that key first, since a NaN passes every range comparison.  Part 2 sends
bad command lines through ``sim.commands.run.main`` in-process (fast), including values that would exhaust the
machine (the run budget), studies run without ``-m``, and misuse of the subcommands.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
from pathlib import Path
from typing import Any, Iterator

import pytest

from sim import load_params
from sim.commands.run import main
from sim.model.checks import validate_params
from sim.output.run_dir import Manifest

ROOT = Path(__file__).resolve().parents[2]
BASELINE = load_params(["debug=tiny"])


def _float_keys(node: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(node, float):
        yield path
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            yield from _float_keys(getattr(node, f.name), (*path, f.name))
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _float_keys(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _float_keys(v, (*path, i))


def _dotted(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return out


def _set(params: Any, path: tuple, value: float) -> None:
    node = params
    for p in path[:-1]:
        node = node[p] if isinstance(node, (dict, list)) else getattr(node, p)
    if isinstance(node, (dict, list)):
        node[path[-1]] = value
    else:
        setattr(node, path[-1], value)


FLOAT_KEYS = list(_float_keys(BASELINE))


def test_the_catalogue_covers_every_float_of_the_baseline():
    assert len(FLOAT_KEYS) > 250  # every distribution, share, threshold and rate of configs/


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("path", FLOAT_KEYS, ids=_dotted)
def test_a_non_finite_float_is_named_first(path, value):
    p = copy.deepcopy(BASELINE)
    _set(p, path, value)
    problems = validate_params(p)
    assert problems and problems[0] == f"{_dotted(path)}={value}: not a finite number; allowed: a finite number"


CLI_CASES = [
    # (argv, text the single line must contain)
    (["run.sample_days=nan"], "run.sample_days=nan: not a finite number"),
    (["demand.lor_per_year=inf"], "demand.lor_per_year=inf: not a finite number"),
    (["process.tech_release.work.sigma=nan"], "process.tech_release.work.sigma=nan"),
    (["staffing.production_lines.fighter_aircraft=nan"], "staffing.production_lines.fighter_aircraft=nan"),
    (["staffing.scale.case_writers=nan"], "staffing.scale.case_writers=nan"),
    (["run.drain_years=-inf"], "run.drain_years=-inf"),
    (["run.sample_days=1e-4"], "run.sample_days=0.0001: the run would need about"),
    (["demand.envelope=1e9"], "demand.envelope=1000000000.0: the run would need"),
    (["run.replications=1000000000"], "run.replications=1000000000: the run would need"),
    (["run.horizon_years=1e6", "run.warmup_years=0"], "the run would need"),
    (["demand.lor_per_year=1e9"], "demand.lor_per_year=1000000000.0: the run would need"),
    (["run.replicatons=3"], "run.replicatons"),
    (["run.replications=abc"], "run.replications"),
    (["run.replications=0"], "run.replications=0"),
    (["run.jobs=0"], "run.jobs=0"),
    (["run.records=everything"], "run.records='everything'"),
    (["run.warmup_years=5"], "run.warmup_years=5.0"),
    (["demand.partners=[]"], "demand.partners is empty"),
    (["demand.seasonal=[1,2]"], "demand.seasonal has 2 entries"),
    (["demand.groups.A.share=0.9"], "shares must sum to 1"),
    (["process.lor_intake.p_incomplete=1"], "the loop must end"),
    (["process.congressional_review.p_hold=1.2"], "not a probability"),
    (["process.loa_development.work.A.kind=gamma"], "is not a distribution"),
    (["staffing.pools.case_writers.headcount=-3"], "headcount=-3"),
    (["reform=nonexistent"], "allowed: "),
    (["reform=[raise_thresholds_hr3613,raise_thresholds_tiger]"], "conflicts with"),
    (["seed=-1"], "seed=-1"),
    (["reform=none,more_staff"], "a sweep needs multirun; add -m"),
    (["experiment=staffing_sweep"], "add -m"),
    (["-m", "experiment=sensitivity", "sensitivity.point=99"], "sensitivity.point=99"),
    (["-m", "run.replications=1,0"], "run.replications=0"),
    (["-m", "experiment=threshold_sweep",
      'hydra.sweeper.params={process.congressional_review.mde_threshold.other:"14,nan"}'],
     "process.congressional_review.mde_threshold.other=nan"),
    (["figures"], "usage: fms-sim figures"),
    (["figures", "/nonexistent/run"], "has no summary.json"),
    (["validate", "--verification-replications", "1"], "--verification-replications=1"),
    (["validate", "run.replicatons=2"], "run.replicatons"),
    (["report", "/nonexistent/multirun"], "is not a directory"),
]


@pytest.mark.parametrize("argv, needle", CLI_CASES, ids=[" ".join(a) for a, _ in CLI_CASES])
def test_a_mistake_on_the_command_line_is_one_line_and_exit_2(argv, needle, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # any result directory would appear here
    sub = argv[0] in ("figures", "validate", "report")
    rc = main(argv if sub else [*argv, "debug=tiny", f"hydra.run.dir={tmp_path / 'run'}",
                                f"hydra.sweep.dir={tmp_path / 'multi'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert needle in err[0]
    assert not (tmp_path / "run").exists() and not (tmp_path / "multi").exists() and not (tmp_path / "results").exists()


def _output_cases(tmp: Path) -> list:
    (tmp / "a_file").write_text("x")
    (tmp / "old_run").mkdir()
    Manifest(tmp / "old_run", {}, [], seed=1).finish("complete", [])
    (tmp / "old_multi" / "0" / ".hydra").mkdir(parents=True)
    return [
        ([f"hydra.run.dir={tmp / 'a_file'}"], "exists and is not a folder"),
        (["hydra.run.dir=/dev/null"], "exists and is not a folder"),
        (["hydra.run.dir=/proc/no/such/place"], "cannot write there"),
        ([f"hydra.run.dir={tmp / 'old_run'}"], "holds another run (manifest.json); pass a new hydra.run.dir"),
        (["-m", "reform=none,more_staff", f"hydra.sweep.dir={tmp / 'old_multi'}"], "holds another multirun"),
        (["-m", "reform=none,more_staff", f"hydra.sweep.dir={tmp / 'a_file'}"], "exists and is not a folder"),
        (["validate", "--out", str(tmp / "a_file")], "--out"),
        ([f"hydra.run.dir={ROOT / 'experiments'}"], "the project's own folder"),
        ([f"hydra.run.dir={ROOT}"], "the project's own folder"),
        ([f"hydra.run.dir={tmp}"], "holds other runs in its subfolders"),
        ([f"hydra.run.dir={tmp / 'old_run'}", "run.overwrite=true", "debug=tiny", "--cfg", "job"], None),
        (["-m", "experiment=threshold_sweep,staffing_sweep"], "run one study per command"),
        (["-m", "reform=none,more_staff", f"hydra.sweep.dir={tmp / 'old_multi'}", "run.resume=true",
          "run.overwrite=true"], "choose one"),
    ]


@pytest.mark.parametrize("case", range(13))
def test_an_output_folder_that_cannot_be_used_is_one_line_and_exit_2(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv, needle = _output_cases(tmp_path)[case]
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    rc = main(argv if argv[0] == "validate" or "--cfg" in argv else [*argv, "debug=tiny"])
    err = capsys.readouterr().err.strip().splitlines()
    if needle is None:  # only printing (--cfg): runs, and touches nothing
        assert rc == 0 and err == []
    else:
        assert rc == 2 and len(err) == 1 and "Traceback" not in err[0] and needle in err[0], err
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before  # nothing made or removed


def test_overwrite_replaces_an_earlier_run_and_only_its_outputs(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    Manifest(run, {}, [], seed=1).finish("complete", ["summary.json"])
    for name in ("summary.json", "visits.parquet"):
        (run / name).write_text("{}")
    (run / "notes.txt").write_text("mine")
    (run / "figures").mkdir()
    (run / "figures" / "my_plot.png").write_text("mine too")
    argv = ["debug=tiny", "run.replications=1", "run.horizon_years=0.3", "run.warmup_years=0",
            "run.drain_years=0.2", "run.records=summary", f"hydra.run.dir={run}"]
    assert main(argv) == 2  # refused without run.overwrite
    assert main([*argv, "run.overwrite=true"]) == 0
    assert not (run / "visits.parquet").exists()  # a stale table of the earlier run is gone
    assert (run / "notes.txt").read_text() == "mine"  # what is not a run output stays
    assert (run / "figures" / "my_plot.png").read_text() == "mine too"
    assert json.loads((run / "manifest.json").read_text())["status"] == "complete"


def _override_key(path: tuple) -> str:
    """The command-line spelling of a key (list items by index: demand.partners.0.weight)."""
    return ".".join(str(p) for p in path)


# a twentieth of the floats, from every family, through the real command line (the path from the command line to
# the check is the same for every key; test_a_non_finite_float_is_named_first checks every key in process)
CLI_FLOAT_KEYS = FLOAT_KEYS[::20]


@pytest.mark.parametrize("path", CLI_FLOAT_KEYS, ids=_dotted)
def test_nan_on_the_command_line_is_one_line_and_exit_2(path, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc = main([f"{_override_key(path)}=nan", "debug=tiny", f"hydra.run.dir={tmp_path / 'run'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "Traceback" not in err[0], err
    assert f"{_dotted(path)}=nan: not a finite number" in err[0]
    assert list(tmp_path.iterdir()) == []
