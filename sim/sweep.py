"""Pre-checking a command line before Hydra starts: every job of a sweep is composed and validated.

``check_command(argv)`` (``precheck`` returns only its Params) runs before ``hydra.main``: a bad key or value in
any job of a multirun stops the whole command with one line and exit code 2, before any result directory exists; it
also names the output folder the entry point then claims (``sim.output.folders``).  To know the jobs it
expands the sweep itself, from the command line and the selected study's ``hydra.sweeper.params``.

Two pieces lean on Hydra internals that have no public API, each pinned by a test in
``tests/system/test_sweep.py`` so that a Hydra upgrade that changes them fails loudly: the command line's
words are told apart by Hydra's own argument parser (``sim.hydra_argv``), and ``sweep_jobs`` calls the basic
sweeper's own expansion (``BasicSweeper.split_arguments``) the way ``BasicSweeper.sweep`` does.  The precision sweeper
shipped with the project (``hydra_plugins/fms_sim_precision``) expands its scenarios the same way, and the
pre-check validates its first round (``precheck_precision``); it validates each later round itself.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.config import ROOT, ConfigError, compose_config, one_line, to_params, with_state
from sim.hydra_argv import ArgvError, hydra_overrides, parse, split_argv
from sim.model.params import Params
from sim.model.reform import swept_only
from sim.output.folders import FolderError, OutputFolder, check_place
from sim.output.multirun import is_precision_target
from sim.output.resume import ResumeError, completed_summary
from sim.sweep_grids import GridsError, check_grid_references, expand
from sim.sweep_launchers import LAUNCHER_PLUGINS, check_launch, check_launcher


def sweep_jobs(overrides: list[str], hydra_lines: Sequence[str] = ()) -> list[list[str]]:
    """The override list of every job a multirun will launch, expanded by Hydra's basic sweeper itself.

    As ``BasicSweeper.sweep`` does: the selected study's ``hydra.sweeper.params`` (interpolations
    resolved against the composed config), then the command line, so a command-line value for a key
    the study sweeps (swept or fixed) replaces the study's sweep; the cartesian product in Hydra's order, or with
    ``hydra/sweeper=grids`` the union of its grids' products (``sim.sweep_grids``).
    """
    parser = OverridesParser.create()
    fixed = [o.input_line for o in parser.parse_overrides(overrides) if not o.is_sweep_override()]
    sweeper = compose_config([*fixed, *hydra_lines], with_hydra=True).hydra.get("sweeper")
    swept = (sweeper.get("params") if sweeper is not None else None) or {}
    grids = (sweeper.get("grids") if sweeper is not None else None) or []
    try:  # BasicSweeper._parse_config and split_arguments, grid by grid (sim.sweep_grids)
        return expand(parser, swept, grids, overrides)
    except GridsError as e:
        raise ConfigError(str(e)) from None
    except Exception as e:  # an interpolation or a sweep Hydra cannot expand: say which, in one line
        raise ConfigError(f"hydra.sweeper.{'params or grids' if grids else 'params'}: {one_line(e)}") from None


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
        return to_params(self.compose(job), overrides=job)  # labelled as its job will be: one check serves both


def scenario_labels(jobs: Sequence[Sequence[str]], composer: Optional["JobComposer"] = None) -> list[str]:
    """Each job's scenario label as the report shows it: as the job names it (``sim.config.scenario_label``), without
    the overrides every job has (``sim.model.reform.swept_only``)."""
    composer = composer or JobComposer()
    return swept_only([to_params(composer.compose(list(job)), overrides=list(job)).scenario for job in jobs], jobs)


def check_jobs(jobs: Sequence[Sequence[str]], overrides: Sequence[str] = (),
                  composer: Optional["JobComposer"] = None) -> None:
    """ConfigError naming the first job that cannot run (and its swept values).  A shared ``composer`` composes
    each distinct set of group choices once."""
    composer = composer or JobComposer()
    for job in jobs:
        try:
            composer.params(list(job))
        except ConfigError as e:
            swept = [o for o in job if o not in overrides]
            raise ConfigError(f"{e} (in the sweep job {' '.join(swept) or 'with no swept values'})") from None


def is_precision_sweep(cfg: DictConfig) -> bool:
    """Whether the composed config (with its hydra node) selects the precision sweeper."""
    return is_precision_target(str(OmegaConf.select(cfg, "hydra.sweeper._target_", default="") or ""))


def precheck_precision(cfg: DictConfig, jobs: list[list[str]], overrides: list[str], resume: bool = False) -> None:
    """A precision study: its settings, a reference among its scenarios, and the jobs of its first round (with
    ``resume``, the folders of those jobs hold work made with this config, or the study is refused)."""
    from sim.analysis.precision import Block
    from sim.precision_study import (
        BLOCK_KEYS,
        block_overrides,
        check_scenarios,
        pilot_jobs,
        reference_index,
        scenario_overrides,
        target_of,
    )

    target = target_of(cfg.precision)
    if cfg.hydra.sweeper.get("grids"):
        raise ConfigError("hydra/sweeper=precision with hydra.sweeper.grids: the precision sweeper pairs each scenario "
                          "with one reference, not with the reference of its own grid and values; allowed: "
                          "hydra/sweeper=grids with run.replications (or a study without grids)")
    swept = [o for o in OverridesParser.create().parse_overrides(overrides)
             if o.is_sweep_override() and o.get_key_element().lstrip("+~").startswith("precision.")]
    if swept:
        raise ConfigError(f"{swept[0].input_line}: a precision study has one target; allowed: a single value of "
                          f"{swept[0].get_key_element()}")
    for job in jobs:
        fixed = [o for o in job if o not in scenario_overrides(job)]
        if fixed:
            raise ConfigError(f"{fixed[0]}: the precision sweeper sets each job's {' and '.join(BLOCK_KEYS)}; "
                              "allowed: precision.pilot and precision.max_replications instead")
    composer = JobComposer()
    labels = scenario_labels(jobs, composer)
    reference_index(labels, str(cfg.reference))
    check_scenarios(labels, str(cfg.reference))
    check_jobs(pilot_jobs(jobs, target), overrides, composer)
    # the largest block any round can ask for: a budget the machine cannot hold is refused now, not mid-study
    check_jobs([block_overrides(job, Block(i, 0, target.max_replications)) for i, job in enumerate(jobs)],
               overrides, composer)
    if resume:  # the pilot of scenario i is job i: a changed config is refused before any job runs
        check_resume(cfg, pilot_jobs(jobs, target), composer)


JOB_SUBDIR = "${hydra.job.num}"


def check_output_dir(cfg: DictConfig, multirun: bool) -> OutputFolder:
    """The folder a Hydra command will write (``cfg`` is composed with the command line's hydra.* keys), checked for
    its place (``sim.output.folders.check_place``); what is in it is checked once it is claimed (``take_over``)."""
    key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
    node = cfg.hydra.sweep if multirun else cfg.hydra.run
    subdir = str(OmegaConf.to_container(cfg.hydra.sweep, resolve=False).get("subdir"))
    if multirun and subdir != JOB_SUBDIR:  # the report, run.resume and a precision study read numbered folders
        raise ConfigError(f"hydra.sweep.subdir={subdir}; allowed: {JOB_SUBDIR} (the default: the report, "
                          "run.resume and precision studies find a sweep's jobs in folders named by number)")
    folder = OutputFolder(key, Path(str(OmegaConf.select(cfg, key))),
                          "${now:" in str(OmegaConf.to_container(node, resolve=False).get("dir")), multirun,
                          bool(OmegaConf.select(cfg, "run.resume")), bool(OmegaConf.select(cfg, "run.overwrite")))
    try:
        check_place(folder, ROOT)
    except FolderError as e:
        raise ConfigError(str(e)) from None
    return folder


def check_resume(cfg: DictConfig, jobs: list[list[str]], composer: "JobComposer") -> None:
    """``run.resume=true``: every complete job folder of the sweep was made with the config its job has now, or the
    command is refused before any job runs (each job checks again for itself, ``sim.commands.run.hydra_main``)."""
    sweep_dir = Path(str(OmegaConf.select(cfg, "hydra.sweep.dir")))
    for num, job in enumerate(jobs):
        config = with_state(OmegaConf.to_container(composer.compose(list(job)), resolve=True))  # type: ignore[arg-type]
        try:
            completed_summary(sweep_dir / str(num), config)  # type: ignore[arg-type]
        except ResumeError as e:
            raise ConfigError(f"{e} (the sweep job {' '.join(job)})") from None


@dataclass(frozen=True)
class Checked:
    """What a checked command line will do: the Params of a single run (None for a multirun), and the folder it
    will write (None when Hydra only prints, as with ``--cfg job``)."""

    params: Optional[Params]
    output: Optional[OutputFolder]


def precheck(argv: list[str]) -> Optional[Params]:
    """Compose and validate what ``argv`` asks for, before Hydra makes any directory.

    For a multirun, every job of the sweep (command line and experiment file) is composed and
    validated.  Returns the Params of a single run.
    """
    return check_command(argv).params


def check_command(argv: list[str]) -> Checked:
    """:func:`precheck`, and the output folder the command will write (to be claimed before Hydra starts)."""
    try:
        command = parse(argv)
    except ArgvError as e:
        raise ConfigError(f"{e}; see python -m sim --help") from None
    if command.completion or command.overrides == [] and command.prints_only:
        return Checked(None, None)  # -sc install=bash, --version, --help: nothing to check, no folder
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
    hydra_lines = hydra_overrides(argv)
    for line in hydra_lines:  # a mode set by hand would skip the folder rules of the mode it becomes
        if line.lstrip("+~").split("=", 1)[0] == "hydra.mode":
            raise ConfigError(f"{line}: the mode follows -m; allowed: python -m sim -m ... for a multirun, "
                              "without -m for one run")
    check_launcher(hydra_lines)
    fixed = [o.input_line for o in parsed if not o.is_sweep_override()]
    try:
        cfg = compose_config([*fixed, *hydra_lines], with_hydra=True)
    except ConfigError as e:  # a launcher chosen by a study file (or quoted) whose plugin is missing
        missing = re.search(r"Could not load 'hydra/launcher/(\w+)'", str(e))
        if missing and missing.group(1) in LAUNCHER_PLUGINS:
            check_launcher([f"hydra/launcher={missing.group(1)}"])
        raise
    from sim.precision_study import target_of

    target_of(cfg.precision)  # a bad precision.* value is refused even where the basic sweeper ignores it
    runs = not command.prints_only  # with --cfg and the like Hydra only prints: leave the folder alone
    if runs:
        check_launch(hydra_lines, multirun)
    if not multirun:
        if runs and (cfg.hydra.sweeper.get("params") or cfg.hydra.sweeper.get("grids")):  # --cfg job: allowed
            study = cfg.get("study") or "the selected study"
            raise ConfigError(f"{study} sweeps {', '.join(cfg.hydra.sweeper.params)}: a study runs as a multirun; "
                              "add -m (python -m sim -m experiment=...)")
        params = to_params(cfg, overrides=overrides)  # the hydra node left out; labelled as the job Hydra runs
        if runs and is_precision_sweep(cfg):
            raise ConfigError("hydra/sweeper=precision runs a study in rounds: a multirun; add -m "
                              "(python -m sim -m experiment=... hydra/sweeper=precision)")
        return Checked(params, check_output_dir(cfg, multirun) if runs else None)
    studies = [o for o in parsed if o.is_sweep_override() and o.get_key_element() == "experiment"]
    if studies:
        raise ConfigError(f"{studies[0].input_line}: a study file carries its own sweep, which a sweep over "
                          "studies would drop; run one study per command")
    jobs = sweep_jobs(overrides, [h for h in hydra_lines if re.match(r"^[+~]*hydra(\.sweeper\.|/sweeper=)", h)])
    if cfg.hydra.sweeper.get("grids"):
        try:  # each job must pair with the reference of its own values (sim.sweep_grids)
            check_grid_references(scenario_labels(jobs), str(cfg.get("reference") or "none"))
        except GridsError as e:
            raise ConfigError(str(e)) from None
    if is_precision_sweep(cfg):
        precheck_precision(cfg, jobs, overrides, resume=runs and bool(OmegaConf.select(cfg, "run.resume")))
    else:
        composer = JobComposer()
        check_jobs(jobs, overrides, composer)
        if runs and OmegaConf.select(cfg, "run.resume"):
            check_resume(cfg, jobs, composer)
    return Checked(None, check_output_dir(cfg, multirun) if runs else None)


def job_config(overrides: Sequence[str]) -> dict:
    """A job's composed config as its manifest keeps it (``sim.config.with_state``), composed today: what
    ``python -m sim findings check`` compares a finding's jobs with."""
    return with_state(OmegaConf.to_container(compose_config(list(overrides)), resolve=True))  # type: ignore[arg-type]

