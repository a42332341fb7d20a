"""Gathering a multirun's jobs from their run directories (the file-reading half of the comparison).

``read_jobs(dir)`` returns one record per job folder (``0/``, ``1/``, ...): its status, error, overrides,
scenario and summary.  The computations on those records are in :mod:`sim.analysis.comparison`.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import pandas as pd
import yaml

from sim.analysis.merge import merged_or_none
from sim.model.run_params import FOLDER_KEYS
from sim.output.run_dir import read_json

PLAN_FILE = "precision_plan.json"  # written by a precision study before each round (sim.precision_study)
SWEEPER = "precision"


def is_precision_target(target: str) -> bool:
    """Whether a ``hydra.sweeper._target_`` is fms-sim's precision sweeper (hydra_plugins/fms_sim_precision)."""
    return target.endswith(".PrecisionSweeper")


class ReportError(Exception):
    """A problem with the multirun directory itself (not with one job): exit code 2."""


def job_dirs(multirun_dir: Path) -> list[Path]:
    """The job subfolders of a multirun (numeric names), sorted numerically."""
    return sorted((p for p in Path(multirun_dir).iterdir() if p.is_dir() and p.name.isdigit()),
                  key=lambda p: int(p.name))


def _hydra_overrides(job_dir: Path) -> list[str]:
    """Hydra's ``.hydra/overrides.yaml`` (a YAML list of strings); empty if missing or unreadable."""
    path = job_dir / ".hydra" / "overrides.yaml"
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return []
    return [str(x) for x in data] if isinstance(data, list) else []


def _read_record(path: Path, missing: str) -> tuple[Any, Optional[str]]:
    """(data, None) for a readable JSON file; (None, reason) when it is missing or unreadable."""
    if not path.is_file():
        return None, missing
    try:
        return read_json(path), None
    except (OSError, ValueError) as e:
        return None, f"{path.name} unreadable: {e}"


def read_job(job_dir: Path) -> dict:
    """One job's record: job, path, status ("complete" or "failed"), error, overrides, summary.

    A job is a result only if its manifest says ``complete`` and its summary.json can be read;
    anything else is "failed" with the reason.
    """
    job_dir = Path(job_dir)
    rec: dict[str, Any] = {"job": int(job_dir.name), "path": str(job_dir), "status": "failed", "error": None,
                           "overrides": _job_overrides(_hydra_overrides(job_dir)), "summary": None, "scenario": None}
    manifest, rec["error"] = _read_record(job_dir / "manifest.json", "no manifest")
    if manifest is None:
        return rec
    rec["overrides"] = _job_overrides(list(manifest.get("overrides") or rec["overrides"]))
    status = manifest.get("status")
    if status != "complete":
        rec["error"] = manifest.get("error") or f"run did not finish (manifest status {status!r})"
        return rec
    summary, rec["error"] = _read_record(job_dir / "summary.json", "no summary.json")
    if summary is None:
        return rec
    if not isinstance(summary, dict) or not isinstance(summary.get("lead_times"), dict):
        rec["error"] = "summary.json has no lead_times (not a summary written by fms-sim)"
        return rec
    rec["summary"] = summary
    rec["status"] = "complete"
    rec["scenario"] = rec["summary"].get("scenario", rec["scenario"])
    return rec


def _job_overrides(overrides: list[str]) -> list[str]:
    """A job's overrides without the flags that concern its folder, not its result (run.resume,
    run.overwrite): a resumed study reads the same as one that ran without a break."""
    return [o for o in overrides if not re.match(rf"^[+~]*run\.({'|'.join(FOLDER_KEYS)})=", o)]


def sweep_overrides(multirun_dir: Path) -> Optional[tuple[list[str], list[str]]]:
    """The sweep's command line, from the ``multirun.yaml`` Hydra wrote when it began: the task overrides
    and the hydra.sweeper.* ones; None if there is no such file or it cannot be read."""
    path = Path(multirun_dir) / "multirun.yaml"
    try:
        data = yaml.safe_load(path.read_text()) if path.is_file() else None
        task = data["hydra"]["overrides"]["task"] if isinstance(data, dict) else None
        hydra = data["hydra"]["overrides"].get("hydra") or [] if isinstance(data, dict) else []
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(task, list) or not isinstance(hydra, list):
        return None
    return [str(o) for o in task], [str(h) for h in hydra if str(h).startswith("hydra.sweeper.")]


def missing_job(multirun_dir: Path, num: int, overrides: list[str]) -> dict:
    """The record of a job the sweep lists but that never ran (no folder)."""
    return {"job": num, "path": str(Path(multirun_dir) / str(num)), "status": "missing",
            "error": "never ran: the sweep in multirun.yaml lists it, but it has no folder",
            "overrides": _job_overrides(overrides), "summary": None, "scenario": None}


def read_jobs(multirun_dir: Path) -> list[dict]:
    """Every job of a multirun; ReportError if the directory has none."""
    multirun_dir = Path(multirun_dir)
    if not multirun_dir.is_dir():
        raise ReportError(f"{multirun_dir} is not a directory; pass a multirun directory "
                          "(results/multiruns/<timestamp>)")
    dirs = job_dirs(multirun_dir)
    if not dirs:
        raise ReportError(f"{multirun_dir} has no job folders (0/, 1/, ...); pass a multirun directory")
    return [read_job(d) for d in dirs]


def _sweeper_target(multirun_dir: Path) -> Optional[str]:
    """``hydra.sweeper._target_`` of the sweep's ``multirun.yaml``; None if it cannot be read."""
    try:
        data = yaml.safe_load((Path(multirun_dir) / "multirun.yaml").read_text())
        return str(data["hydra"]["sweeper"]["_target_"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def read_plan(multirun_dir: Path) -> Optional[dict]:
    """The precision plan of a multirun folder, or None (not a precision study, or unreadable).  Only a sweep
    that ran with the precision sweeper (its multirun.yaml says so) has one: a plan left by an earlier study in
    the same folder is ignored."""
    target = _sweeper_target(multirun_dir)
    if target is not None and not is_precision_target(target):
        return None
    path = Path(multirun_dir) / PLAN_FILE
    try:
        plan = read_json(path) if path.is_file() else None
    except (OSError, ValueError):
        return None
    ok = (isinstance(plan, dict) and plan.get("sweeper") == SWEEPER and isinstance(plan.get("scenarios"), list)
          and bool(plan["scenarios"]) and all(isinstance(sc, dict) for sc in plan["scenarios"])
          and isinstance(plan.get("target"), dict) and isinstance(plan["target"].get("half_width"), (int, float))
          and isinstance(plan["target"].get("metrics"), list))
    return plan if ok else None  # a plan without scenarios or target is damaged: jobs reported one by one


def planned_block_jobs(plan: dict) -> list[list[str]]:
    """Every job of every round of a precision plan, by job number."""
    jobs = sorted((j for rnd in plan.get("rounds") or [] for j in rnd), key=lambda j: int(j["job"]))
    return [list(j["overrides"]) for j in jobs]


def scenario_records(multirun_dir: Path, jobs: list[dict], plan: dict) -> list[dict]:
    """One record per scenario of a precision study, its blocks merged (``sim.analysis.merge``).

    The record's ``job`` is the scenario's pilot job; ``blocks`` lists its jobs.  A scenario with a failed
    or missing block is failed with that block's reason: its replications would no longer pair."""
    by_job = {j["job"]: j for j in jobs}
    out = []
    for sc in plan["scenarios"]:
        nums = [int(n) for n in sc.get("jobs") or []]
        rec: dict[str, Any] = {"job": nums[0] if nums else int(sc["scenario"]), "status": "failed", "error": None,
                               "path": str(Path(multirun_dir) / str(nums[0] if nums else sc["scenario"])),
                               "overrides": _job_overrides(list(sc.get("overrides") or [])), "summary": None,
                               "scenario": sc.get("label"), "blocks": nums}
        blocks = [by_job.get(n) for n in nums]
        problem = next(((n, b) for n, b in zip(nums, blocks) if b is None or b["status"] != "complete"), None)
        if not nums:
            rec["error"] = "no job ran for this scenario"
        elif problem is not None:
            n, b = problem
            rec["status"] = "missing" if b is None or b["status"] == "missing" else "failed"
            rec["error"] = f"block job {n}: {(b or {}).get('error') or 'never ran'}"
        else:
            rows, unread = read_kpis([{"job": n, "path": str(Path(multirun_dir) / str(n))} for n in nums])
            merged, why = merged_or_none([b["summary"] for b in blocks if b is not None],
                                         [rows[n] for n in nums if n in rows]) if not unread else (None, unread[0])
            if merged is None:
                rec["error"] = f"blocks do not merge: {why}"
            else:
                rec.update(status="complete", summary=merged, scenario=merged.get("scenario", rec["scenario"]))
        out.append(rec)
    return out


def read_kpis(jobs: list[dict]) -> tuple[dict[int, pd.DataFrame], list[str]]:
    """Each complete job's ``kpis.parquet`` (a precision study's scenario: its blocks' rows, concatenated), and
    one line per job whose rows could not be read (a job written before the file existed, or a damaged one)."""
    out, unread = {}, []
    for j in jobs:
        folders = [Path(j["path"]).parent / str(n) for n in j.get("blocks") or []] or [Path(j["path"])]
        try:
            out[j["job"]] = pd.concat([pd.read_parquet(f / "kpis.parquet") for f in folders], ignore_index=True)
        except (OSError, ValueError) as e:  # pyarrow's errors are OSError or ValueError subclasses
            unread.append(f"job {j['job']}: kpis.parquet: {type(e).__name__}: {str(e)[:200]}")
    return out, unread
