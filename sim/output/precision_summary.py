"""What a precision study (``hydra/sweeper=precision``) reached, for report.json and the console: per scenario the
replications it needed and the paired half-width of each target lead time, against the target."""
from __future__ import annotations

from typing import Any, Optional


def precision_reached(plan: dict, table: Any, reference_job: Optional[int]) -> dict:
    """What a precision study reached: per scenario, the replications it needed and the paired half-width of
    each target lead time (from comparison.csv), against the target."""
    target = plan.get("target") or {}
    half_width = float(target.get("half_width") or 0.0)
    metrics = list(target.get("metrics") or [])
    rows = []
    for sc in plan.get("scenarios") or []:
        job = (sc.get("jobs") or [sc.get("scenario")])[0]
        widths = {}
        for m in metrics:
            t = table[(table["job"] == job) & (table["metric"] == m)]
            hw = t["diff_half_width"].iloc[0] if len(t) else None
            widths[m] = None if hw is None or hw != hw or job == reference_job else float(hw)
        met = None if job == reference_job else all(w is not None and w <= half_width for w in widths.values())
        rows.append({"label": sc.get("label"), "job": job, "replications": sc.get("replications"),
                     "blocks": sc.get("jobs"), "half_width": widths, "met": met, "reference": job == reference_job,
                     "status": sc.get("status")})
    others = [r for r in rows if not r["reference"]]
    widest = max((w for r in others for w in r["half_width"].values() if w is not None), default=None)
    return {"target": target, "rounds": len(plan.get("rounds") or []), "status": plan.get("status"),
            "stopped": plan.get("stopped"),
            "all_met": bool(others) and all(r["met"] for r in others), "widest_half_width": widest,
            "replications_total": sum(int(r["replications"] or 0) for r in rows), "scenarios": rows}


def precision_line(p: dict) -> str:
    """One line on what a precision study reached, for the console."""
    t = p["target"]
    others = [r for r in p["scenarios"] if not r["reference"]]
    met = sum(1 for r in others if r["met"])
    digits = 1 if t["half_width"] >= 1 else 3  # a target below a day: enough digits to show why it was missed
    widest = "-" if p["widest_half_width"] is None else f"{p['widest_half_width']:.{digits}f}"
    reps = ", ".join(f"{r['label']} {r['replications']}" for r in p["scenarios"])
    return (f"precision: target ±{t['half_width']:g} d on {', '.join(t['metrics'])}: met by {met} of {len(others)} "
            f"scenario(s) after {p['rounds']} round(s), widest ±{widest} d; replications: {reps}")
