"""``hydra/sweeper=grids``: a study whose jobs are a union of Cartesian products, not one product.

    hydra:
      sweeper:
        params: {reform: "none,x", uncertainty.point: "null,0,1"}
        grids: [{reform: "none,x", reform.strength: "0.5,1", reform.assume: high}]

runs the product of ``params``, then the product of each grid in ``grids`` (each on its own; a command-line key
that some grids sweep is replaced there only, any other is added to every grid), as :mod:`sim.sweep_grids` expands
them, with whatever launcher is configured.  Without
``grids`` it runs exactly the basic sweeper's jobs.  ``experiments/reform_uncertainty.yaml`` uses it to run its
Latin hypercube and its break-even strengths in one study.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf


@dataclass
class GridsSweeperConf:
    _target_: str = "hydra_plugins.fms_sim_precision.grids_sweeper.GridsSweeper"
    max_batch_size: Optional[int] = None
    params: Optional[Dict[str, str]] = None  # the first grid, as for the basic sweeper
    grids: Optional[List[Dict[str, Any]]] = None  # further grids, each a product of its own


ConfigStore.instance().store(group="hydra/sweeper", name="grids", node=GridsSweeperConf, provider="fms-sim")


class GridsSweeper(BasicSweeper):
    def __init__(self, max_batch_size: Optional[int] = None, params: Optional[Dict[str, str]] = None,
                 grids: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__(max_batch_size, params)
        self.grids = list(grids or [])  # checked by sim.sweep_grids, which says what is malformed

    def sweep(self, arguments: List[str]) -> Any:
        from sim.sweep_grids import expand

        assert self.config is not None and self.launcher is not None and self.hydra_context is not None
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        jobs = expand(parser, self.params, self.grids, arguments)
        self.overrides = list(self.split_overrides_to_chunks(jobs, self.max_batch_size))
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        returns, first = [], 0
        while not self.is_done():  # as BasicSweeper.sweep: batch by batch, a failed job raises
            batch = self.get_job_batch()
            self.validate_batch_is_legal(batch)
            results = self.launcher.launch(batch, initial_job_idx=first)
            for r in results:
                _ = r.return_value
            first += len(batch)
            returns.append(results)
        return returns
