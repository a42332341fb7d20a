"""Model code reads no files and no configs; only the config bridge and entry point touch Hydra."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"
MODEL = ["model.py", "params.py", "staffing.py", "entities.py", "arrivals.py", "rng.py", "clock.py",
         "distributions.py", "runner.py", "stats.py", *[f"process/{p.name}" for p in (SIM / "process").glob("*.py")]]
HYDRA_ALLOWED = {"config.py", "cli.py"}


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


@pytest.mark.parametrize("module", MODEL)
def test_model_modules_do_no_io_and_read_no_config(module):
    path = SIM / module
    assert not _imports(path) & {"hydra", "omegaconf", "matplotlib", "yaml", "json", "os", "pathlib"}
    assert "open" not in _calls(path)


@pytest.mark.parametrize("path", sorted(SIM.rglob("*.py")), ids=lambda p: str(p.relative_to(SIM)))
def test_only_the_bridge_and_entry_point_import_hydra(path):
    if path.name in HYDRA_ALLOWED:
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
