"""Model code reads no files and no configs; only the config bridge and entry point touch Hydra."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[2] / "sim"
# packages of pure code: no file IO, no config, no plotting (engine, model, analysis, verification)
PURE = sorted(p for pkg in ("engine", "model", "analysis", "verification") for p in (SIM / pkg).rglob("*.py")
              if (SIM / pkg).is_dir())
PURE += [SIM / "runner.py"]  # replications -> tables: no I/O either
HYDRA_ALLOWED = {"config.py", "commands/run.py", "sweep.py", "sweep_grids.py", "hydra_argv.py"}  # paths under sim/


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _calls(path: Path) -> set[str]:
    return {n.func.id for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(SIM)))
def test_model_modules_do_no_io_and_read_no_config(path):
    assert not _imports(path) & {"hydra", "omegaconf", "matplotlib", "yaml", "json", "os", "pathlib"}
    assert "open" not in _calls(path)


# the keys that steer the command, not the simulation (issue 21: run control stays with the command layer); they
# are fields of the one schema Hydra checks, and only the rules on values (checks, the size estimate) read them
RUN_CONTROL_READ = re.compile(r"\brun\.(jobs|allow_large|overwrite|resume)\b"
                              r"|\bparams\.(reference|precision|question|study)\b")
RULES = {"model/checks.py", "model/budget.py", "model/run_params.py"}
MODEL = sorted(p for pkg in ("engine", "model") for p in (SIM / pkg).rglob("*.py")
               if p.relative_to(SIM).as_posix() not in RULES)  # the runner (worker layer) reads run.jobs


@pytest.mark.parametrize("path", MODEL,
                         ids=lambda p: str(p.relative_to(SIM)))
def test_the_model_never_reads_run_control(path):
    code = "\n".join(line.split("#")[0] for line in path.read_text().splitlines())  # comments may name them
    found = sorted({m.group(0) for m in RUN_CONTROL_READ.finditer(code)} - {"params.study"})
    assert not found, f"{path.relative_to(SIM)} reads {found}: run control belongs to the command layer"


@pytest.mark.parametrize("path", sorted(SIM.rglob("*.py")), ids=lambda p: str(p.relative_to(SIM)))
def test_only_the_bridge_and_entry_point_import_hydra(path):
    if path.relative_to(SIM).as_posix() in HYDRA_ALLOWED:
        return
    assert not _imports(path) & {"hydra", "omegaconf"}, path


def test_no_global_random_state_and_no_salted_hash():
    for path in SIM.rglob("*.py"):
        tree = ast.parse(path.read_text())
        assert "random" not in _imports(path), path
        assert "hash" not in _calls(path), path
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "seed":
                assert not (isinstance(node.value, ast.Attribute) and node.value.attr == "random"), path


def test_the_public_api_imports_and_is_lazy():
    """``from sim import ...`` gives the documented names; ``import sim.engine`` does not load the rest."""
    import subprocess
    import sys

    import sim

    assert sorted(sim.__all__) == sorted([*sim._EXPORTS, *sim._RENAMED])
    for name in sim.__all__:
        assert getattr(sim, name) is not None
    code = "import sys, sim.engine; print(any(m.startswith(('sim.runner', 'pandas', 'hydra')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_library_caller_gets_the_rows_a_job_writes(tmp_path):
    """A new user's find: from Python there was no public way to the tidy rows of kpis.parquet."""
    import io

    import pandas as pd

    from sim import kpi_rows_of, load_params, resolve, run_replications
    from sim.job import run_job

    p = load_params(["debug=tiny", "run.replications=1", "run.records=summary", "run.horizon_years=1",
                     "run.warmup_years=0.5", "run.drain_years=1"])
    rows = kpi_rows_of(resolve(p), run_replications(p))
    run_job(p, tmp_path / "run", config={}, overrides=[], stream=io.StringIO(), progress=False)
    pd.testing.assert_frame_equal(rows, pd.read_parquet(tmp_path / "run" / "kpis.parquet"), check_exact=True)


def test_library_callers_get_the_same_rules():
    import pytest

    from sim import Params, run_replications, simulate

    with pytest.raises(ValueError, match="demand.lor_per_year=0.0 must be > 0"):
        simulate(Params(), 0)
    with pytest.raises(ValueError, match="invalid parameters"):
        run_replications(Params())


def test_issue_7_names_still_work():
    """Issue 21 moved the commands to ``sim.commands`` and renamed ``run_replication`` to ``simulate``; the names
    issue 7 promised keep working: ``python -m sim.report / sim.validate / sim.figures`` reach the commands, and
    ``from sim import run_replication`` and ``from sim.validation import simulate_network`` are the same objects."""
    import subprocess
    import sys

    import sim
    from sim.validation import simulate_network

    assert sim.run_replication is sim.simulate and simulate_network is sim.simulate_network
    for name, usage in [("report", "usage: python -m sim report"), ("validate", "usage: fms-sim validate"),
                        ("figures", "usage: fms-sim figures")]:
        r = subprocess.run([sys.executable, "-m", f"sim.{name}", "--help"], capture_output=True, text=True)
        assert r.returncode == 0 and usage in r.stdout + r.stderr, (name, r.stdout[-300:], r.stderr[-300:])
    # importing a forwarder starts no command
    r = subprocess.run([sys.executable, "-c", "import sim.report, sim.validate, sim.figures"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and r.stdout == r.stderr == ""


MODULE_CAP = 320  # lines: a module past it does more than one thing (issue 21)


@pytest.mark.parametrize("path", sorted([*SIM.rglob("*.py"), *(SIM.parent / "hydra_plugins").rglob("*.py")]),
                         ids=lambda p: str(p.relative_to(SIM.parent)))
def test_no_module_is_over_the_line_cap(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MODULE_CAP, f"{path.relative_to(SIM.parent)}: {lines} lines (cap {MODULE_CAP}): split it"
