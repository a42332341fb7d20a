"""``hydra/sweeper=precision``: a study that stops when its paired changes are as precise as asked.

    python -m sim -m experiment=reform_comparison hydra/sweeper=precision precision.half_width=10

Hydra loads sweepers only from the ``hydra_plugins`` namespace package, so fms-sim ships this folder beside
``sim/``.  The sweeper expands the study's scenarios exactly as Hydra's basic sweeper does (its ``params``
and the command line), then runs them in rounds of blocks of replications with whatever launcher is
configured (basic, joblib, Ray, submitit): the rounds, the plan file and the stopping rule are in
:mod:`sim.precision_study`, the arithmetic in :mod:`sim.analysis.precision`.  Like the basic sweeper it saves the
composed config as ``multirun.yaml`` in the sweep folder first.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.plugins.launcher import Launcher
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)


@dataclass
class PrecisionSweeperConf:
    _target_: str = "hydra_plugins.fms_sim_precision.precision_sweeper.PrecisionSweeper"
    params: Optional[Dict[str, str]] = None  # the study's sweep, as for the basic sweeper
    grids: Optional[List[Dict[str, Any]]] = None  # further grids, as for hydra/sweeper=grids (sim.sweep_grids)
    max_batch_size: Optional[int] = None  # accepted for compatibility with study files; rounds are launched whole


ConfigStore.instance().store(group="hydra/sweeper", name="precision", node=PrecisionSweeperConf, provider="fms-sim")


class PrecisionSweeper(Sweeper):
    def __init__(self, params: Optional[Dict[str, str]] = None, max_batch_size: Optional[int] = None,
                 grids: Optional[List[Dict[str, Any]]] = None) -> None:
        super().__init__()
        self.params = dict(params or {})
        self.grids = list(grids or [])  # checked by sim.sweep_grids
        self.hydra_context: Optional[HydraContext] = None
        self.config: Optional[DictConfig] = None
        self.launcher: Optional[Launcher] = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        from hydra.core.plugins import Plugins

        self.hydra_context = hydra_context
        self.config = config
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config)

    def scenarios(self, arguments: List[str]) -> list[list[str]]:
        """The study's jobs as the basic sweeper would launch them (one per scenario; with ``grids``, as
        ``hydra/sweeper=grids`` would)."""
        from sim.sweep_grids import expand

        assert self.hydra_context is not None
        parser = OverridesParser.create(config_loader=self.hydra_context.config_loader)
        return expand(parser, self.params, self.grids, arguments)

    def sweep(self, arguments: List[str]) -> Any:
        from sim.precision_study import PrecisionStudy, target_of
        from sim.sweep import JobComposer, check_jobs, scenario_labels

        assert self.config is not None and self.launcher is not None
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        scenarios = self.scenarios(arguments)
        composer = JobComposer()  # composes each distinct set of group choices once for the whole study
        study = PrecisionStudy(sweep_dir, scenarios, scenario_labels(scenarios, composer),
                               str(self.config.reference), target_of(self.config.precision))
        launcher = self.launcher

        def launch(batch: Sequence[Sequence[str]], first_job: int) -> None:
            log.info(f"precision round: {len(batch)} job(s) from job {first_job}")
            launcher.launch(batch, initial_job_idx=first_job)

        return study.run(launch, lambda batch: check_jobs(batch, (), composer))
