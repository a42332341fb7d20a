"""The launcher a command line chooses, checked before Hydra starts (``sim.sweep.check_command``): a launcher that
runs a multirun's jobs asked of a single run, SLURM's where there is no SLURM, or a plugin that is not installed is
refused with one line saying what to do."""
from __future__ import annotations

import re
from typing import Sequence

from sim.config import ConfigError

# launchers that come with a plugin of their own: the module Hydra needs, and the extra that installs it
LAUNCHER_PLUGINS = {
    "ray": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "fms_ray": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "submitit_slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "fms_slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "fms_slurm_cluster": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
}


def _launchers(hydra_lines: Sequence[str]) -> list[tuple[str, str]]:
    """(line, launcher) for each ``hydra/launcher=...`` choice among Hydra's overrides."""
    found = [(line, re.match(r"^\+?hydra/launcher=(\w+)$", line)) for line in hydra_lines]
    return [(line, m.group(1)) for line, m in found if m]


def check_launch(hydra_lines: Sequence[str], multirun: bool) -> None:
    """ConfigError for a launcher that would not do what it says: a single run (launchers run only a multirun's
    jobs; Hydra would run it here, on a login node perhaps), or SLURM's where there is no SLURM."""
    import shutil

    for line, launcher in _launchers(hydra_lines):
        if not multirun:
            raise ConfigError(f"{line}: a launcher runs the jobs of a multirun; a single run would run here, on "
                              "this machine. Add -m (python -m sim -m ...)")
        if launcher in ("fms_slurm_cluster", "submitit_slurm") and shutil.which("srun") is None:
            raise ConfigError(f"{line}: SLURM is not available here (no srun): submit from a node of the cluster, "
                              "or try the study on this machine with hydra/launcher=fms_slurm")


def check_launcher(hydra_lines: Sequence[str]) -> None:
    """ConfigError, saying how to install it, when the chosen launcher's plugin is not installed."""
    import importlib.util

    for line, launcher in _launchers(hydra_lines):
        if launcher not in LAUNCHER_PLUGINS:
            continue
        module, extra = LAUNCHER_PLUGINS[launcher]
        if importlib.util.find_spec(module) is None:
            where = (" in an environment of its own (it needs joblib<1.6)" if extra == "ray" else "")
            raise ConfigError(f"{line}: its Hydra plugin ({module}) is not installed in this Python; install the "
                              f"`{extra}` extra{where}: see docs/how-to/cluster.md")
