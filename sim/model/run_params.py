"""Run control and study settings: how long and how often a scenario runs, and what a study around it asks.

Part of the parameter schema (:class:`sim.model.params.Params` holds them as ``run``, ``sensitivity`` and
``precision``); apart from the horizon, warm-up, drain, records and sampling, none of it changes a simulated
number: ``RUN_CONTROL`` names the keys that only steer the command (processes, size guard, output folder).
Also :func:`non_finite`, which finds the NaN and infinite floats of any parameter tree.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Iterator, List, Optional


@dataclass
class Factor:
    """One uncertain input of a sensitivity study: a dotted config key and its range."""

    key: str = ""
    low: float = 0.0
    high: float = 0.0


@dataclass
class SensitivityPoint:
    """A Latin-hypercube design point: the bridge sets the factors' config keys before validation."""

    point: int = 0
    points: int = 50
    design_seed: int = 1
    factors: List[Factor] = field(default_factory=list)


@dataclass
class UncertaintyParams:
    """Which point of the design a run is (``uncertainty.*`` in a config; ``sim.model.uncertainty``)."""

    point: Optional[int] = None  # None: every input at its likely value (a point run)
    points: int = 10  # N: the design's size
    offices: str = "shared"  # shared: one draw per assumption for all offices; own: one per office
    inputs: str = "all"  # all: levers and offices; levers: the reforms' levers only; staffing: the offices only


@dataclass
class BreakevenParams:
    """What a break-even study asks (``breakeven.*``; read by the report, ``sim.analysis.breakeven``): the strength at
    which each reform saves ``target_days`` of ``metric``."""

    target_days: float = 30.0
    metric: str = "lor_to_delivery"


FOLDER_KEYS = ("overwrite", "resume")  # run keys about the output folder, not about the job
RUN_CONTROL = ("jobs", "allow_large", *FOLDER_KEYS)  # run keys that change no result


@dataclass
class RunParams:
    replications: int = 1
    first_replication: int = 0  # replications first_replication .. first_replication + replications - 1
    horizon_years: float = 1.0
    warmup_years: float = 0.0
    drain_years: float = 0.0
    # after the horizon: "arrivals" (LORs keep arriving, uncounted, until every cohort case is delivered or
    # withdrawn: no drain bias) or "drain" (no LOR arrives; the run ends when every case is closed: a closed
    # system, for exact conservation checks; the offices empty under the cohort's last cases)
    after_horizon: str = "arrivals"
    records: str = "cases"
    sample_days: float = 30.0  # spacing of the pool time series
    start_fiscal_year: int = 2008  # fiscal year that day 0 (1 October) begins
    # steady-state studies without a warm-up of their own: each scenario starts from the state (cached: sim.state_cache)
    # of the scenario without its reform, this many years before the warm-up ends, its reform enacted then (None: off)
    settle_years: Optional[float] = None
    jobs: int = 1  # processes over replications (keep 1 under a parallel Hydra launcher)
    allow_large: bool = False  # run even when the estimated memory or event count is far above the machine's
    overwrite: bool = False  # replace the outputs of an earlier run in the same output folder
    resume: bool = False  # multirun into the same sweep folder: skip jobs already complete for the same config


@dataclass
class PrecisionParams:
    """What a precision study asks for (``hydra/sweeper=precision``; read by the sweeper, not by the model)."""

    half_width: float = 10.0  # target half-width of every paired change, in days
    metrics: List[str] = field(default_factory=lambda: ["lor_to_delivery"])  # lead times the target applies to
    pilot: int = 3  # replications every scenario runs in the first round
    max_replications: int = 30  # no scenario runs more


def non_finite(node: Any, key: str = "") -> Iterator[tuple[str, float]]:
    """Every float in a parameter tree that is NaN or infinite, as (dotted key, value).

    No key of fms-sim means anything by infinity (a long ``run.drain_years`` already ends as soon as every cohort
    case is delivered or withdrawn), so every float must be finite; NaN would pass every range check, since every
    comparison with NaN is false.
    """
    if isinstance(node, float) and not math.isfinite(node):
        yield key, node
    elif is_dataclass(node) and not isinstance(node, type):
        for f in fields(node):
            yield from non_finite(getattr(node, f.name), f"{key}.{f.name}" if key else f.name)
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from non_finite(v, f"{key}.{k}")
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from non_finite(v, f"{key}[{i}]")
