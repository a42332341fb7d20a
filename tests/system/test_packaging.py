"""A non-editable install carries its defaults and runs from any folder (issue 21: it failed with "Primary config
directory not found", since configs/ and experiments/ lived only beside the sources)."""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_of_sim_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "sim").rglob("__init__.py")}
    found |= {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "hydra_plugins").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(found - listed)}"


@pytest.mark.slow
def test_a_wheel_carries_every_default_and_runs_outside_the_project(tmp_path):
    # built from the project's files (tracked, or new and not ignored) in a copy: a build in the project would leave
    # build/ behind, and ignored files such as configs/local/ must not ship
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    tracked = [n for n in tracked if (ROOT / n).is_file()]
    source = tmp_path / "source"
    for name in tracked:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes((ROOT / name).read_bytes())
    (source / "configs" / "local").mkdir(exist_ok=True)
    (source / "configs" / "local" / "mine.yaml").write_text("# a user's own, untracked\n")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                            str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-1500:]
    (wheel,) = (tmp_path / "dist").glob("fms_sim-*.whl")
    packed = {n.removeprefix("sim/_defaults/") for n in zipfile.ZipFile(wheel).namelist()
              if n.startswith("sim/_defaults/")}
    defaults = {n for n in tracked if n.split("/")[0] in ("configs", "experiments") and "/figures/" not in n
                and (n.endswith((".yaml", ".md")) or n.startswith("configs/states/"))}  # states: example data
    assert packed == defaults  # every tracked default, and nothing else (configs/local/ stays out)
    names = zipfile.ZipFile(wheel).namelist()
    assert {"hydra_plugins/fms_sim_precision/precision_sweeper.py", "hydra_plugins/fms_sim_precision/grids_sweeper.py",
            "sim/sweep_grids.py"} <= set(names)

    site = tmp_path / "site"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                              str(wheel)], capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-1500:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    which = subprocess.run([sys.executable, "-c", "import sim.config as c; print(c.__file__); print(c.CONFIG_DIR)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert which == [str(site / "sim" / "config.py"), str(site / "sim" / "_defaults" / "configs")]
    # a study from the packaged experiments, its sweep cut to two jobs; results go to the working folder
    run = subprocess.run([sys.executable, "-m", "sim", "-m", "experiment=reform_comparison", "reform=none,more_staff",
                          "debug=tiny", "run.replications=1", "run.horizon_years=0.4", "run.warmup_years=0.1",
                          "run.drain_years=0.2"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-1500:]
    (sweep,) = (elsewhere / "results" / "multiruns").iterdir()
    assert (sweep / "comparison.csv").is_file() and (sweep / "1" / "summary.json").is_file()
    assert not (site / "results").exists() and not list(site.glob("sim/**/results"))
