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
numbered grid by grid in Hydra's order, and a job that an earlier grid already has (the same overrides, in any
order) is not run twice.  With grids, an empty ``params`` adds no job; an empty grid is refused.  The precision
sweeper and the pre-check (``sim.sweep.sweep_jobs``) expand a study the same way.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser


class GridsError(ValueError):
    """A ``hydra.sweeper.grids`` that is not a list of non-empty mappings of keys to values."""


def _grids(params: Optional[Mapping[str, Any]], grids: Optional[Sequence[Any]]) -> list[dict[str, Any]]:
    """The grids in order: ``params`` first (an empty one only when it is the only grid: the command line alone is
    then the sweep, as for the basic sweeper), then ``grids``, each checked."""
    if grids is not None and (isinstance(grids, (str, bytes)) or not isinstance(grids, Sequence)):
        raise GridsError(f"hydra.sweeper.grids={grids!r}; allowed: a list of grids, each a mapping of keys to values")
    out = [dict(params)] if params or not grids else []
    for n, g in enumerate(grids or []):
        if not isinstance(g, Mapping) or not g:
            raise GridsError(f"hydra.sweeper.grids.{n}={g!r}; allowed: a non-empty mapping of keys to values "
                             "(key: a,b,c)")
        bad = [k for k, v in g.items() if v is None or isinstance(v, Mapping)
               or isinstance(v, Sequence) and not isinstance(v, str)]
        if bad:
            raise GridsError(f"hydra.sweeper.grids.{n}.{bad[0]}={g[bad[0]]!r}; allowed: a value or comma-separated "
                             "values, as in hydra.sweeper.params")
        out.append(dict(g))
    return out


def expand(parser: OverridesParser, params: Optional[Mapping[str, Any]],
           grids: Optional[Sequence[Mapping[str, Any]]], arguments: Sequence[str]) -> list[list[str]]:
    """The override list of every job, grid by grid, each grid expanded as ``BasicSweeper.sweep`` expands its
    ``params`` with the command line (``arguments``); a job already listed by an earlier grid is left out."""
    all_grids = _grids(params, grids)
    grid_keys = [{str(k) for k in g} for g in all_grids]
    gridded = set().union(*grid_keys) if len(grid_keys) > 1 else set()
    given = [(parser.parse_overrides([a])[0].get_key_element(), a) for a in arguments]
    jobs: list[list[str]] = []
    seen: set[frozenset[str]] = set()  # a job is its set of overrides: the same values in another order run once
    for grid, keys in zip(all_grids, grid_keys):
        lines = [f"{k}={v}" for k, v in grid.items()]
        mine = [a for key, a in given if key in keys or key not in gridded]
        (batch,) = BasicSweeper.split_arguments(parser.parse_overrides([*lines, *mine]), None)
        for job in batch:
            if frozenset(job) not in seen:
                seen.add(frozenset(job))
                jobs.append(list(job))
    return jobs


def check_grid_references(labels: Sequence[str], reference: str) -> None:
    """GridsError when one grid runs the reference scenario bare and another runs it with other values (``labels``:
    each job's scenario label, ``sim.sweep.scenario_labels``): the report would compare every job with the bare one
    (``sim.analysis.reference`` pairs by values only when no reference job is bare), so the second grid's changes
    would mix in its own values' effect."""
    bare = [n for n, label in enumerate(labels) if label == reference]
    crossed = [n for n, label in enumerate(labels) if label.startswith(reference + " ")]
    if bare and crossed:
        raise GridsError(f"hydra.sweeper.grids: job {bare[0]} runs the reference '{reference}' with no other swept "
                         f"value and job {crossed[0]} runs it as '{labels[crossed[0]]}': every job would be compared "
                         f"with job {bare[0]}; allowed: give the first grid's reference a value of its own too (e.g. "
                         "its default, swept as one value), so each job pairs with the reference of its own values")
