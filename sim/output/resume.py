"""``run.resume=true``: a job folder's finished result is kept only for the same config.

Before, a complete job whose config differed from the resumed command's was silently run again and replaced, so a
mistyped resume command destroyed finished work.  Now it is refused, naming the keys that differ; the keys that
change no result (run control, ``RUN_CONTROL``, the precision target, which decides which jobs run, the reference
and the break-even question, which decide what the report compares, and the study's name and question) are left
out of the comparison.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from sim.model.run_params import RUN_CONTROL
from sim.output import run_dir

SHOWN = 4  # differing keys named in a message
# top-level keys that decide which jobs run, what the report compares or asks, or how the study is named, not what a
# job computes (as sim.config.DIGEST_LEAVES_OUT): a study file that adds a question to its jobs keeps its finished ones
REPORT_ONLY = ("precision", "reference", "study", "question", "breakeven")


class ResumeError(ValueError):
    """A complete job was made with another config."""


def result_config(config: dict) -> dict:
    """The part of a resolved config that decides a job's numbers."""
    return {**{k: v for k, v in config.items() if k not in REPORT_ONLY},
            "run": {k: v for k, v in (config.get("run") or {}).items() if k not in RUN_CONTROL}}


def differences(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two configs, as ``key: old -> new``."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for k in sorted(set(old) | set(new), key=str):
            key = f"{prefix}.{k}" if prefix else str(k)
            if k not in old or k not in new:
                was, now = (repr(old[k]) if k in old else "absent"), (repr(new[k]) if k in new else "absent")
                out.append(f"{key}: {was} -> {now}")
            else:
                out.extend(differences(old[k], new[k], key))
        return out
    return [] if old == new else [f"{prefix}: {old!r} -> {new!r}"]


def completed_summary(out_dir: Path, config: dict) -> Optional[dict]:
    """The summary of the complete job in ``out_dir`` if it was made with ``config`` (up to ``result_config``);
    None if there is no complete job there (then the job runs); :class:`ResumeError` if there is one made with
    another config."""
    try:
        manifest = run_dir.read_json(out_dir / "manifest.json")
    except (OSError, ValueError):
        return None
    if manifest.get("status") != "complete":
        return None
    diff = differences(result_config(manifest.get("config") or {}), result_config(config))
    if diff:
        more = f" and {len(diff) - SHOWN} more" if len(diff) > SHOWN else ""
        raise ResumeError(f"run.resume=true: {out_dir} holds a complete job made with another config "
                          f"({'; '.join(diff[:SHOWN])}{more}); allowed: the earlier command's settings, or a new "
                          "hydra.sweep.dir")
    try:
        summary = run_dir.read_json(out_dir / "summary.json")
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) and isinstance(summary.get("lead_times"), dict) else None
