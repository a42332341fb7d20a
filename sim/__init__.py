"""fms-sim: a discrete-event simulator of the U.S. Foreign Military Sales process.

Public API (everything else is internal)::

    from sim import load_params, run_replications
    params = load_params(["reform=more_staff", "run.replications=3"])  # configs/ plus overrides, validated
    results = run_replications(params)  # tidy tables per replication

* :func:`load_params` - the sourced defaults in ``configs/`` with command-line style overrides, validated;
* :class:`Params` and :func:`validate_params` - typed parameters and every rule on their values;
* :class:`FmsModel` - one replication of the case flow (SimPy);
* :func:`resolve` and :class:`Scenario` - parameters checked once, with reforms, sizing and staffing applied;
* :func:`simulate`, :func:`run_replications` - tidy tables per replication (of a Scenario, or Params resolved);
* :func:`kpi_rows_of` - the results' tidy KPI rows (what ``kpis.parquet`` holds; ``sim.analysis.kpis``);
* :func:`simulate_network` - the verification network run on the model's own engine.

``validate_params`` is not called ``validate``: ``sim.validate`` is the ``python -m sim.validate`` command
(:mod:`sim.commands.validate`), and importing it would hide a function of that name.  Names are imported on first use,
so ``import sim.engine`` stays light.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "FmsModel": "sim.model", "Params": "sim.model", "validate_params": "sim.model",
    "Replication": "sim.runner", "simulate": "sim.runner", "run_replications": "sim.runner",
    "simulate_network": "sim.verification.networks", "load_params": "sim.config",
    "run_replication": "sim.runner",  # simulate's name before issue 21, kept for callers of issue 7's API
    "Scenario": "sim.model.scenario", "resolve": "sim.model.scenario",
}
_RENAMED = {"kpi_rows_of": ("sim.job", "kpis_of")}
__all__ = ["FmsModel", "Params", "Replication", "Scenario", "kpi_rows_of", "load_params", "resolve", "simulate",
           "run_replication", "run_replications", "simulate_network", "validate_params"]

if TYPE_CHECKING:
    from sim.config import load_params
    from sim.job import kpis_of as kpi_rows_of
    from sim.model import FmsModel, Params, validate_params
    from sim.model.scenario import Scenario, resolve
    from sim.runner import Replication, run_replication, run_replications, simulate
    from sim.verification.networks import simulate_network


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _RENAMED:
        module, attr = _RENAMED[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
