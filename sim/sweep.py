"""Pre-checking a command line before Hydra starts: every job of a sweep is composed and validated.

``precheck(argv)`` runs before ``hydra.main``: a bad key or value in any job of a multirun stops the
whole command with one line and exit code 2, before any result directory exists.  To know the jobs it
expands the sweep itself, from the command line and the selected study's ``hydra.sweeper.params``.

Two pieces mirror Hydra internals that have no public API, each pinned by a test in
``tests/system/test_sweep.py`` so that a Hydra upgrade that changes them fails loudly:
``FLAGS_WITH_VALUE`` (Hydra's own command-line flags that take a value, from
``hydra._internal.utils.get_args_parser``) and the job list of ``sweep_jobs`` (the basic sweeper's
cartesian product, in ``BasicSweeper.split_arguments``'s order).
"""
from __future__ import annotations

import copy
import itertools
import re
from typing import Optional

from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ConfigError, compose_config, one_line, to_params
from sim.model.params import Params

# Hydra's own command-line flags that take a value (mirrors Hydra's argument parser; see the docstring)
FLAGS_WITH_VALUE = {"--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                    "--config-dir", "-cd", "--info", "-i", "--experimental-rerun"}
MULTIRUN_FLAGS = {"-m", "--multirun"}


def split_argv(argv: list[str]) -> tuple[list[str], bool]:
    """Overrides that concern the model (not Hydra's own flags or hydra.* keys) and the multirun flag."""
    overrides, multirun, skip = [], False, False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in MULTIRUN_FLAGS:
            multirun = True
        elif arg in FLAGS_WITH_VALUE:
            skip = True
        elif arg.startswith("-"):
            continue
        elif re.match(r"^[+~]*hydra[./=]", arg):
            continue
        else:
            overrides.append(arg)
    return overrides, multirun


def sweep_jobs(overrides: list[str]) -> list[list[str]]:
    """The override list of every job a multirun would launch (the basic sweeper's cartesian product).

    Sweeps come from the command line and from ``hydra.sweeper.params`` of the selected experiment;
    the command line wins for a key set in both.
    """
    parser = OverridesParser.create()
    parsed = parser.parse_overrides(overrides)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    cfg = compose_config(fixed, with_hydra=True)
    swept = cfg.hydra.sweeper.get("params")
    params = (OmegaConf.to_container(swept, resolve=False) if swept is not None else None) or {}
    lines = {o.get_key_element(): o.input_line for o in parsed if o.is_sweep_override()}
    for key, value in params.items():
        lines.setdefault(key, f"{key}={' '.join(str(value).split())}")
    axes = []
    for key, line in lines.items():
        o = parser.parse_overrides([line])[0]
        axes.append([f"{key}={v}" for v in o.sweep_string_iterator()] if o.is_sweep_override() else [line])
    return [fixed + list(combo) for combo in itertools.product(*axes)]


_GROUPS = ("demand", "process", "staffing", "reform", "experiment", "debug", "hydra")


class JobComposer:
    """Composes many jobs of one sweep quickly: Hydra composes once per distinct set of group choices,
    and plain ``key=value`` overrides are then applied to a copy (type-checked by the schema)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, ...], DictConfig] = {}
        self._parser = OverridesParser.create()

    def compose(self, job: list[str]) -> DictConfig:
        groups, values = [], []
        for line in job:
            o = self._parser.parse_overrides([line])[0]
            key = o.key_or_group
            plain = o.is_force_add() is False and not o.is_add() and not o.is_delete()
            is_group = key.split("/")[0].split(".")[0] in _GROUPS and ("." not in key or key.startswith("hydra"))
            (values if plain and not is_group else groups).append((line, o))
        base_key = tuple(line for line, _ in groups)
        if base_key not in self._cache:
            self._cache[base_key] = compose_config(list(base_key))
        cfg = copy.deepcopy(self._cache[base_key])
        for line, o in values:
            try:
                OmegaConf.update(cfg, o.key_or_group, o.value(), merge=True)
            except OmegaConfBaseException as e:
                raise ConfigError(one_line(e)) from None
        return cfg

    def params(self, job: list[str]) -> Params:
        return to_params(self.compose(job))


def precheck(argv: list[str]) -> Optional[Params]:
    """Compose and validate what ``argv`` asks for, before Hydra makes any directory.

    For a multirun, every job of the sweep (command line and experiment file) is composed and
    validated.  Returns the Params of a single run.
    """
    overrides, multirun = split_argv(argv)
    parser = OverridesParser.create()
    for line in overrides:
        try:
            parser.parse_overrides([line])
        except Exception:
            raise ConfigError(
                f"cannot parse override {line!r}; allowed: key=value with a dotted key "
                "(list items by index, e.g. demand.partners.0.group=other)"
            ) from None
    parsed = parser.parse_overrides(overrides)
    sweeps = [o for o in parsed if o.is_sweep_override()]
    if sweeps and not multirun:
        raise ConfigError(f"{sweeps[0].input_line}: a sweep needs multirun; add -m (python -m sim -m ...)")
    if not multirun:
        return to_params(compose_config(overrides))
    composer = JobComposer()
    for job in sweep_jobs(overrides):
        try:
            composer.params(job)
        except ConfigError as e:
            swept = [o for o in job if o not in overrides]
            raise ConfigError(f"{e} (in the sweep job {' '.join(swept) or 'with no swept values'})") from None
    return None
