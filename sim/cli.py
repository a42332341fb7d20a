"""The thin entry point: ``python -m sim`` and the console script ``fms-sim``.

1. Subcommands (``fms-sim figures <run dir>``, ...) are routed before Hydra sees the command
   line, since Hydra would read them as bad overrides.
2. The config is composed and validated first (``sim.config.precheck``): a user mistake
   prints one line naming the key, the value and what is allowed, and exits with code 2
   before any result directory exists.
3. Hydra then runs the job (or the sweep) and ``sim.job.run_job`` does the work.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Optional

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR, CONFIG_NAME, ConfigError, precheck, register, to_params

# subcommand -> module with a main(argv) function
SUBCOMMANDS = {"figures": "sim.figures_cli"}


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=CONFIG_NAME)
def hydra_main(cfg: DictConfig) -> Optional[float]:
    from sim.job import run_job

    params = to_params(cfg)
    hc = HydraConfig.get()
    config = OmegaConf.to_container(cfg, resolve=True)
    summary = run_job(params, Path(hc.runtime.output_dir), config, list(hc.overrides.task))
    return summary["lead_times"]["lor_to_delivery"]["mean"]


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return int(importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:]) or 0)
    try:
        precheck(argv)
    except ConfigError as e:
        print(f"fms-sim: error: {e}", file=sys.stderr)
        return 2
    register()
    sys.argv = [sys.argv[0]] + argv
    hydra_main()
    return 0
