"""The thin entry point: ``python -m sim`` and the console script ``fms-sim``.

1. Subcommands (``fms-sim figures <run dir>``, ...) are routed before Hydra sees the command
   line, since Hydra would read them as bad overrides.
2. The config is composed and validated first (``sim.sweep.check_command``): a user mistake
   prints one line naming the key, the value and what is allowed, and exits with code 2
   before any result directory exists.  Then the output folder is claimed (``sim.output.claim``) and
   handed to Hydra by name, so two commands never write into one folder.
3. Hydra then runs the job (or the sweep) and ``sim.job.run_job`` does the work.
"""
from __future__ import annotations

import contextlib
import importlib
import signal
import sys
from pathlib import Path
from typing import Optional

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR, CONFIG_NAME, ROOT, ConfigError, register, to_scenario, with_state
from sim.hydra_argv import with_override
from sim.output.claim import ClaimError
from sim.output.folders import FolderError, claim_folder
from sim.output.resume import ResumeError, completed_summary
from sim.runner import Stopped, stop_on_signals
from sim.sweep import check_command

# subcommand -> module with a main(argv) function
SUBCOMMANDS = {"figures": "sim.commands.figures", "report": "sim.commands.report", "validate": "sim.commands.validate",
               "state": "sim.commands.state", "findings": "sim.commands.findings", "serve": "sim.commands.serve"}


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=CONFIG_NAME)
def hydra_main(cfg: DictConfig) -> Optional[float]:
    from hydra.types import RunMode

    from sim.job import run_job

    hc = HydraConfig.get()
    out_dir = Path(hc.runtime.output_dir)
    overrides = list(hc.overrides.task)
    multirun = hc.mode == RunMode.MULTIRUN
    try:
        # one level of parallelism: under the joblib launcher the jobs already run side by side
        jobs = 1 if hc.runtime.choices.get("hydra/launcher") == "joblib" else None
        scenario = to_scenario(cfg, overrides=overrides, jobs=jobs)  # checked already by the command's check
        params = scenario.given
        config = with_state(OmegaConf.to_container(cfg, resolve=True))  # type: ignore[arg-type]
        try:
            done = completed_summary(out_dir, config) if params.run.resume else None
        except ResumeError as e:  # finished work made with another config: stop the whole sweep, keep every job
            print(f"fms-sim: error: {e}", file=sys.stderr)
            raise SystemExit(2) from None
        if done is not None:
            print(f"fms-sim: job {hc.job.num} complete already for this config (run.resume): skipped", file=sys.stderr)
            return done["lead_times"]["lor_to_delivery"]["mean"]
        summary = run_job(scenario, out_dir, config, overrides, progress=not multirun)
    except Exception as e:  # in a sweep, one failed job must not stop the others or the report
        if not multirun:
            if isinstance(e, ConfigError):
                print(f"fms-sim: error: {e}", file=sys.stderr)
                sys.exit(2)
            raise
        record_failure(out_dir, overrides, e)
        print(f"fms-sim: job {hc.job.num} failed: {e}", file=sys.stderr)
        return None
    return summary["lead_times"]["lor_to_delivery"]["mean"]


def record_failure(out_dir: Path, overrides: list[str], error: BaseException) -> None:
    """Leave a failed manifest (run_job writes its own once it has started)."""
    from sim.output import run_dir

    path = out_dir / "manifest.json"
    try:
        if path.exists() and run_dir.read_json(path).get("status") in ("failed", "complete"):
            return  # the run's own record, with its provenance, is never overwritten
    except (OSError, ValueError):
        pass  # unreadable: replace it with an honest failed record
    out_dir.mkdir(parents=True, exist_ok=True)
    run_dir.Manifest(out_dir, {}, overrides, seed=-1).finish("failed", [], error=f"{type(error).__name__}: {error}")


def _report_after_launcher_failure(sweep_dir: Path) -> int:
    """The launcher stopped the multirun (Hydra printed why): report on the jobs that finished, as a failed job
    inside a sweep would have been, so a study is not left without its report."""
    from sim.commands.report import ReportCallback, make_report

    ReportCallback.stop_progress()
    try:
        record = make_report(sweep_dir)
        jobs = record["jobs"]
        print(f"fms-sim: the launcher stopped the multirun; report from the jobs that finished: "
              f"{sweep_dir / 'report.html'} ({jobs['ok']} complete, {jobs['failed']} failed, {jobs['missing']} "
              "missing); rerun the others with run.resume=true", file=sys.stderr)
    except Exception as e:  # no job finished, or the folder is unreadable
        print(f"fms-sim: the launcher stopped the multirun, and no report could be made: {e}", file=sys.stderr)
    return 1


def hydra_quoted(value: str) -> str:
    """``value`` as a quoted Hydra override value (a comma in a path would otherwise start a sweep; a backslash or a
    quote in a folder name is refused before, by ``sim.output.folders.check_place``)."""
    return f"'{value}'"


def plugins_findable() -> None:
    """Put the folder that holds ``hydra_plugins/fms_sim_precision`` on ``sys.path`` (at its end) when it is not.

    Hydra finds sweepers by listing the folders of the ``hydra_plugins`` namespace; an editable install
    (setuptools 64 and later) maps this project's through an import hook that such a listing cannot read
    (hydra issue 2359), so ``hydra/sweeper=precision`` and the uncertainty study's ``grids`` were missing when a
    command ran outside the checkout.  A wheel install puts the folder in site-packages, already on the path."""
    root = str(ROOT)
    if (ROOT / "hydra_plugins" / "fms_sim_precision").is_dir() and root not in sys.path:
        sys.path.append(root)


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return int(importlib.import_module(SUBCOMMANDS[argv[0]]).main(argv[1:]) or 0)
    plugins_findable()
    output = None
    try:
        output = check_command(argv).output
        held = claim_folder(output) if output is not None else None
    except (ConfigError, ClaimError, FolderError) as e:
        print(f"fms-sim: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the system refused the folder itself (a name too long, a dangling link, ...)
        if output is None:
            raise
        print(f"fms-sim: error: {output.key}={output.path}: {e.strerror or e}; allowed: a folder this system can "
              "make", file=sys.stderr)
        return 2
    if held is not None and output is not None:  # Hydra writes the folder claimed, not its own reading of ${now:}
        argv = with_override(argv, output.key, f"{output.key}={hydra_quoted(str(held.path))}")
    register()
    sys.argv = [sys.argv[0]] + argv
    from sim.commands.report import ReportCallback, holes_exit

    ReportCallback.last = ReportCallback.started = None
    try:
        with stop_on_signals(), held if held is not None else contextlib.nullcontext():
            try:
                hydra_main()
            finally:  # however the multirun ends, its progress reader stops with it (no thread left behind)
                ReportCallback.stop_progress()
    except SystemExit as e:  # Hydra exits 1 when the launcher raises (a cluster job killed, lost or out of memory)
        if not e.code or e.code == 2 or ReportCallback.started is None or ReportCallback.last is not None:
            raise
        return _report_after_launcher_failure(ReportCallback.started)
    except (Stopped, KeyboardInterrupt) as e:
        ReportCallback.stop_progress()  # the bar closes before the line that says why the run stopped
        signum = e.signum if isinstance(e, Stopped) else signal.SIGINT
        print(f"fms-sim: stopped by {signal.Signals(signum).name}; the run's manifest.json says failed",
              file=sys.stderr)
        return 128 + int(signum)
    record = ReportCallback.last  # set in this process when a multirun ends (basic and joblib launchers)
    return 0 if record is None else holes_exit(record, "fms-sim", "jobs failed")


if __name__ == "__main__":
    sys.exit(main())
