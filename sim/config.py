"""The only bridge between Hydra/OmegaConf and the model (with ``sim.sweep`` beside it for multiruns).

* registers the structured schema (``sim.model.params.Params``) as ``fms_schema`` so Hydra checks key
  names and types when it composes the config;
* registers every ``experiments/*.yaml`` as an option of the config group ``experiment`` with
  the global package, so studies live in the top-level folder and run as ``experiment=<name>``;
* composes a command line with Hydra's compose API (``compose_config``), turning Hydra's and
  OmegaConf's several-line errors into one line (``ConfigError``);
* converts a composed config to validated :class:`~sim.model.params.Params` (``to_params``; every
  rule is in :mod:`sim.model.checks`).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any, Iterable, Optional

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import MissingConfigException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.analysis.sensitivity import lhs_design
from sim.exact_start import exact_problems, exact_start
from sim.model import reform
from sim.model.calendar import fiscal_years_to_run_years, run_end_years
from sim.model.frozen import thaw
from sim.model.params import Params
from sim.model.run_params import RunParams
from sim.model.scenario import InvalidParams, Scenario, resolve
from sim.model.typecheck import unknown_key
from sim.states import State, StateError, fiscal_year_of, level_mismatch, provenance_of, read_state, state_path

ROOT = Path(__file__).resolve().parents[1]
# the defaults: in a source checkout (and an editable install) the project's configs/ and experiments/; an installed
# wheel carries them inside the package, as sim/_defaults/ (pyproject.toml), so it runs from any folder
_DEFAULTS = ROOT if (ROOT / "pyproject.toml").is_file() else Path(__file__).resolve().parent / "_defaults"
CONFIG_DIR = _DEFAULTS / "configs"
STATES_DIR = CONFIG_DIR / "states"  # states shipped by name (start=<name>) and the recipes of model-made ones
EXPERIMENT_DIR = _DEFAULTS / "experiments"
CONFIG_NAME = "config"


class ConfigError(ValueError):
    """A user mistake in the configuration: reported in one line, exit code 2."""


def register() -> None:
    """Register the schema and the experiment files in Hydra's ConfigStore (idempotent)."""
    cs = ConfigStore.instance()
    cs.store(name="fms_schema", node=Params)
    for path in sorted(EXPERIMENT_DIR.glob("*.yaml")):
        cs.store(group="experiment", name=path.stem, node=OmegaConf.load(path), package="_global_")


def _fiscal_years(data: DictConfig) -> DictConfig:
    """``data`` with the fiscal years of its year keys (``FY2027``) as simulation years (``sim.model.calendar``);
    ConfigError naming the key for other text."""
    plain = OmegaConf.to_container(data, resolve=False)
    run = plain.get("run") or {}  # type: ignore[union-attr]
    start, horizon, drain = (run.get(k, getattr(RunParams, k)) for k in ("start_fiscal_year", "horizon_years",
                                                                           "drain_years"))
    number = all(isinstance(v, (int, float)) for v in (start, horizon, drain))  # else the checks say what is wrong
    before = repr(plain)
    problems = fiscal_years_to_run_years(plain, int(start) if number else 0,
                                         run_end_years(horizon, drain) if number else math.inf)
    if problems:
        raise ConfigError(problems[0])
    return data if repr(plain) == before else OmegaConf.create(plain)  # type: ignore[return-value]


def to_params(cfg: DictConfig, overrides: Optional[Iterable[str]] = None, jobs: Optional[int] = None) -> Params:
    """A composed config (hydra node ignored) as validated Params (an editable copy); ConfigError if invalid.

    With ``overrides`` (a job's command-line overrides) an empty ``scenario`` is filled with the
    scenario label; ``jobs`` sets ``run.jobs``.  Both happen before validation.
    """
    return thaw(to_scenario(cfg, overrides, jobs).given)


_CHECKED: dict[str, Scenario] = {}  # this process's scenarios, by their parameters' text: each is checked once


def to_scenario(cfg: DictConfig, overrides: Optional[Iterable[str]] = None, jobs: Optional[int] = None) -> Scenario:
    """A composed config as a checked, resolved :class:`Scenario` (arguments as for :func:`to_params`).  The rules
    run once per distinct set of parameters in a process: the command's check before any folder is made and the job
    Hydra then runs share one result, and the runner takes the scenario as it is."""
    params = _compose_params(cfg, overrides, jobs)
    key = repr(params)  # every field, floats exactly: equal text is equal parameters
    if key not in _CHECKED:
        try:
            scenario = resolve(params)
        except InvalidParams as e:
            more = f" (and {len(e.problems) - 1} more problem(s))" if len(e.problems) > 1 else ""
            raise ConfigError(e.problems[0] + more) from None
        if params.start:  # refused here, one line per problem, before any folder is made
            exact = exact_start(params.start, STATES_DIR)
            if exact is None:
                load_state(params)
            else:
                first, n = params.run.first_replication, params.run.replications
                problems = exact_problems(scenario, *exact, list(range(first, first + n)))
                if problems:
                    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
                    raise ConfigError(problems[0] + more)
        if len(_CHECKED) >= 64:  # a sweep's checks would otherwise keep every job's scenario
            _CHECKED.pop(next(iter(_CHECKED)))
        _CHECKED[key] = scenario
    return _CHECKED[key]


def _compose_params(cfg: DictConfig, overrides: Optional[Iterable[str]], jobs: Optional[int]) -> Params:
    """The Params a composed config gives, not yet checked against the rules."""
    data = OmegaConf.masked_copy(cfg, [k for k in cfg.keys() if k != "hydra"]) if "hydra" in cfg else cfg
    unknown = unknown_key(OmegaConf.to_container(data, resolve=False), Params, "")
    if unknown:
        raise ConfigError(unknown)
    data = apply_design_point(data)
    start = data.get("start")
    if start and exact_start(str(start), STATES_DIR) is None:  # a milestone state fixes the calendar (FY after it)
        try:
            fy = fiscal_year_of(state_path(str(start), STATES_DIR))
        except StateError as e:
            raise ConfigError(_state_problems(str(start), e)) from None
        given = OmegaConf.select(data, "run.start_fiscal_year", default=None)
        if given not in (None, fy, _default_start_fiscal_year()):
            raise ConfigError(f"run.start_fiscal_year={given} with start={start}: the state's date fixes the "
                              f"calendar (FY{fy}); allowed: leave run.start_fiscal_year out")
        data = data.copy()
        OmegaConf.update(data, "run.start_fiscal_year", fy, merge=False)
    data = _fiscal_years(data)
    try:
        typed = OmegaConf.get_type(data) is Params
        params = OmegaConf.to_object(data if typed else OmegaConf.merge(OmegaConf.structured(Params), data))
    except OmegaConfBaseException as e:
        raise ConfigError(one_line(e)) from None
    if overrides is not None:
        params.scenario = scenario_label(params, overrides)
    if jobs is not None:
        params.run.jobs = jobs
    return params


def _state_problems(start: str, e: StateError) -> str:
    if len(e.lines) == 1:  # a problem of the whole file (or folder): one line, as every other mistake
        return f"start={start}: {e.lines[0]}"
    lines = "\n".join(f"  {line}" for line in e.lines)
    return f"start={start}: {len(e.lines)} problem line(s) in the state file:\n{lines}"


def _default_start_fiscal_year() -> int:
    """``run.start_fiscal_year`` as configs/config.yaml sets it (a start state replaces it; another value is the
    user's, and conflicts)."""
    return int(OmegaConf.load(CONFIG_DIR / f"{CONFIG_NAME}.yaml").run.start_fiscal_year)


def load_state(params: Params) -> State:
    """The checked state ``params.start`` names; ConfigError listing every problem, one per line."""
    assert params.start
    try:
        return read_state(state_path(params.start, STATES_DIR), params)
    except StateError as e:
        raise ConfigError(_state_problems(params.start, e)) from None


def with_state(config: dict) -> dict:
    """A job's composed config as its manifest keeps it: with a start state, the fiscal year the run began and the
    state file's path and SHA-256 (so a result made from an earlier version of the file is not resumed as current)."""
    start = config.get("start")
    if not start:
        return config
    exact = exact_start(str(start), STATES_DIR)
    if exact is not None:  # the run's calendar is its own; the files it goes on from are recorded by their digests
        run = config.get("run") or {}
        first = int(run.get("first_replication", 0))
        used = range(first, first + int(run.get("replications", 1)))
        digests = {str(r): hashlib.sha256(f.read_bytes()).hexdigest() for r, f in sorted(exact[1].items())
                   if r in used}
        return {**config, "start_state": {"path": str(exact[0].resolve()), "exact": True, "sha256": digests}}
    try:
        path = state_path(str(start), STATES_DIR)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        fy = fiscal_year_of(path)
    except (StateError, OSError):
        return config
    run = {**(config.get("run") or {}), "start_fiscal_year": fy}
    return {**config, "run": run, "start_state": {"path": str(path.resolve()), "sha256": digest}}


def load_params(overrides: Iterable[str] = ()) -> Params:
    """The sourced defaults of ``configs/`` with command-line style overrides, as validated Params
    (``load_params(["reform=more_staff", "run.replications=3"])``); ConfigError if invalid."""
    return to_params(compose_config(list(overrides)))


def apply_design_point(cfg: DictConfig) -> DictConfig:
    """For a sensitivity-study job, set each factor's config key to its Latin-hypercube value."""
    sens = cfg.get("sensitivity")
    if not sens or not sens.get("factors"):
        return cfg
    bounds = {str(f.key): (float(f.low), float(f.high)) for f in sens.factors}
    point = int(sens.point)
    if not 0 <= point < int(sens.points):
        raise ConfigError(f"sensitivity.point={point}; allowed: 0 <= point < points ({int(sens.points)})")
    values = lhs_design(bounds, int(sens.points), int(sens.design_seed))[point]
    out = cfg.copy()
    absent = object()
    for key, value in values.items():
        # a key whose default is null (an optional number such as staffing.effort_share) takes a float
        current = OmegaConf.select(out, key, throw_on_missing=False, default=absent)
        if current is absent or isinstance(current, (DictConfig, list, str)) or OmegaConf.is_list(current):
            raise ConfigError(f"sensitivity.factors: {key} is not a numeric config key")
        OmegaConf.update(out, key, int(round(value)) if isinstance(current, int) else float(value), merge=False)
    return out


# overrides that do not describe the scenario (run control, study metadata, Hydra itself)
# (``reform=`` selects reforms, whose names open the label; ``reform.effective=FY2027`` and other reform keys
# change the scenario, so they join it)
_NOT_SCENARIO = re.compile(r"^[+~]*(reform=|(run\.|seed|hydra|experiment|debug|scenario|reference|question|study"
                           r"|sensitivity\.point|precision)\b)")


def scenario_label(params: Params, overrides: Iterable[str]) -> str:
    """The explicit ``scenario`` if set, else the reform label plus the job's overrides that change the
    scenario (``sim.model.reform.scenario_label`` holds the rule)."""
    return reform.scenario_label(params, [o for o in overrides if not _NOT_SCENARIO.match(o)])


def one_line(e: BaseException) -> str:
    """Hydra/OmegaConf errors span several lines; keep what names the key and the problem."""
    cause: Optional[BaseException] = e
    while cause is not None and cause.__cause__ is not None and not isinstance(cause, OmegaConfBaseException):
        cause = cause.__cause__
    cause = cause or e
    key = getattr(cause, "full_key", None)
    msg = str(getattr(cause, "msg", None) or cause).strip().splitlines()
    text = msg[0] if msg else type(cause).__name__
    for line in msg[1:]:
        if line.startswith("    full_key") and not key:
            key = line.split(":", 1)[1].strip()
    if isinstance(cause, MissingConfigException) and cause.options:  # a group option that does not exist
        text = f"{text}; allowed: {', '.join(cause.options)}"
    if "is not a ListConfig" in text:
        text = f"{text.rstrip('.')}; a list is written in brackets, quoted for the shell: 'key=[a,b]'"
    if isinstance(cause, OmegaConfBaseException) and "not in" in text and key:
        text = f"{text}; check the spelling against the keys in configs/ (python -m sim --cfg job)"
    text = re.sub(r"\s+", " ", text)
    return f"{key}: {text}" if key and key not in text else text


def compose_config(overrides: Iterable[str] = (), with_hydra: bool = False) -> DictConfig:
    """Compose the primary config with overrides (the hydra node only if ``with_hydra``);
    ConfigError on a bad key or value."""
    register()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name=CONFIG_NAME, overrides=list(overrides), return_hydra_config=with_hydra)
    except Exception as e:  # Hydra raises several exception types for user mistakes
        raise ConfigError(one_line(e)) from None
    finally:
        GlobalHydra.instance().clear()


DIGEST_LEAVES_OUT = ("study", "question", "reference", "precision", "breakeven", "hydra")


def config_digest(overrides: Iterable[str] = ()) -> str:
    """SHA-256 of the composed config with ``overrides`` (resolved; without the keys that control or name a run, and
    of the run keys only the calendar): a model-made state records the digest of what it was made from, so a change
    of the defaults that would change it shows it is out of date."""
    data = OmegaConf.to_container(compose_config(list(overrides)), resolve=True)
    assert isinstance(data, dict)
    for key in DIGEST_LEAVES_OUT:  # how a run is controlled or named, not what it simulates
        data.pop(key, None)
    # of the run keys only the calendar shapes a state: state make sets the window, replications and records itself
    data["run"] = {"start_fiscal_year": (data.get("run") or {}).get("start_fiscal_year")}
    for key in ("ranges", "person_year_cost"):  # how sure an assumption is, or what staff cost: no number of a run
        data.get("staffing", {}).pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def state_recipe(name: str) -> Optional[dict[str, Any]]:
    """How the shipped state ``name`` is made (``configs/states/<name>.recipe.yaml``: at, replication, overrides),
    or None when there is no such recipe; ConfigError for a recipe that says something else."""
    path = STATES_DIR / f"{name}.recipe.yaml"
    if "/" in name or "\\" in name or not path.is_file():
        return None
    try:
        data = OmegaConf.to_container(OmegaConf.load(path), resolve=True)
    except Exception as e:  # a damaged file: say what the reader said, in one line
        raise ConfigError(f"{path}: not a readable recipe: {one_line(e)}") from None
    if not isinstance(data, dict) or not {"at", "replication", "overrides"} <= set(data) <= {
            "at", "replication", "overrides", "run_with"} or not isinstance(data["overrides"], list) \
            or not isinstance(data.get("run_with", []), list):
        raise ConfigError(f"{path}: a recipe has the keys at, replication, overrides (a list) and optionally "
                          "run_with (a list: the overrides a run from the state carries on with)")
    return {str(k): v for k, v in data.items()}


def state_level_notes(params: Params) -> list[str]:
    """For a run from a model-made state: a line saying which levels (LOR rate, headcounts, line rates) differ from
    the state's own at its date, so a run does not carry on at other levels unawares (none for a user-made state)."""
    if not params.start:
        return []
    try:
        differs = level_mismatch(provenance_of(state_path(params.start, STATES_DIR)), params)
    except (StateError, OSError, ValueError, KeyError):
        return []
    return [differs] if differs else []
