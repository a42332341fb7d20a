"""A study's sweep as a union of grids: ``hydra.sweeper.params``, then each grid of ``hydra.sweeper.grids``.

Hydra's basic sweeper runs one Cartesian product.  A study that asks two questions of the same reforms (the
uncertainty study: the reforms over a Latin hypercube of their ranges, and the same reforms over a grid of
strengths for their break-even sizes) needs two products, not their product (which would run every strength at
every design point).  Its study file selects ``hydra/sweeper=grids`` (``hydra_plugins/fms_sim_precision``) and
lists the further grids::

    hydra:
      sweeper:
        params: {reform: "none,x", uncertainty.point: "null,0,1"}          # the first grid
        grids: [{reform: "none,x", reform.strength: "0.5,1", reform.assume: high}]   # each a product of its own

Each grid stands alone (it does not inherit ``params``' keys).  A command-line value for a key that some grids
have replaces their values there and leaves the other grids alone (``uncertainty.point=null,0,1`` shortens the
hypercube, not the strengths); any other key is added to every grid, as it is to the basic sweeper's one.  Jobs are
numbered grid by grid in Hydra's order, and a job that an earlier grid already has is not run twice.  The precision
sweeper and the pre-check (``sim.sweep.sweep_jobs``) expand a study the same way.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser


def grid_lines(params: Optional[Mapping[str, Any]], grids: Optional[Sequence[Mapping[str, Any]]] = None
               ) -> list[list[str]]:
    """Each grid's sweep as override lines (``key=values``): ``params`` first (even when empty: the command line
    alone is a grid), then every grid of ``grids``."""
    return [[f"{k}={v}" for k, v in dict(g or {}).items()] for g in [params, *(grids or [])]]


def expand(parser: OverridesParser, params: Optional[Mapping[str, Any]],
           grids: Optional[Sequence[Mapping[str, Any]]], arguments: Sequence[str]) -> list[list[str]]:
    """The override list of every job, grid by grid, each grid expanded as ``BasicSweeper.sweep`` expands its
    ``params`` with the command line (``arguments``); a job already listed by an earlier grid is left out."""
    grid_keys = [{str(k) for k in dict(g or {})} for g in [params, *(grids or [])]]
    gridded = set().union(*grid_keys) if len(grid_keys) > 1 else set()
    given = [(parser.parse_overrides([a])[0].get_key_element(), a) for a in arguments]
    jobs: list[list[str]] = []
    for lines, keys in zip(grid_lines(params, grids), grid_keys):
        mine = [a for key, a in given if key in keys or key not in gridded]
        (batch,) = BasicSweeper.split_arguments(parser.parse_overrides([*lines, *mine]), None)
        jobs += [list(job) for job in batch if list(job) not in jobs]
    return jobs
