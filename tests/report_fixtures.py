"""Hand-made summaries, job records and run directories for the comparison and report tests."""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.output.run_dir import write_json

T_975_2 = 4.302652729749464  # Student t, 97.5% quantile, 2 degrees of freedom
T_975_1 = 12.706204736174698  # 1 degree of freedom
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
STAGES = [("lor_intake", "case_managers", 6.0, 0.2), ("loa_development", "case_writers", 57.0, 3.0),
          ("offer_acceptance", "", 50.0, 0.0), ("delivery", "", 60.0, 0.0)]

# --------------------------------------------------------------------------- hand-made summaries

def _stat(per_rep: Sequence[Optional[float]], **extra) -> dict:
    return {**mean_ci([v for v in per_rep if v is not None]), "per_replication": list(per_rep), **extra}


def _lead(per_rep: Sequence[Optional[float]], censored: float = 0.0) -> dict:
    vals = [v for v in per_rep if v is not None]
    centre = sum(vals) / len(vals)
    counts = [0, 5, 20, 10, 3, 1]
    shift = int(centre // 100)
    return _stat(per_rep, median=centre * 0.9, p90=centre * 1.8, censored_share=censored, cases=100, reached=100,
                 per_replication_censored_share=[censored] * len(per_rep),
                 histogram={"bin_days": 30.0, "edges": [30.0 * i for i in range(len(counts) + shift + 1)],
                            "counts": [0] * shift + counts})


def fake_summary(scenario: str, offer: Sequence[Optional[float]], contract: Optional[Sequence] = None,
                 delivery: Optional[Sequence] = None, open_cases: Optional[Sequence] = None, seed: int = 1,
                 **extra) -> dict:
    """A summary.json with the keys the report reads (values made up, per_replication as given)."""
    n = len(offer)
    contract = contract or [None if v is None else v + 300 for v in offer]
    delivery = delivery or [None if v is None else v + 600 for v in offer]
    open_cases = open_cases or [1000 + 10 * r for r in range(n)]
    scale = (sum(v for v in offer if v is not None) / max(1, len([v for v in offer if v is not None]))) / 100
    return {
        "scenario": scenario, "study": "unit_study", "seed": seed, "replications": n,
        "run": {"replications": n, "horizon_years": 13.0, "warmup_years": 8.0, "drain_years": 12.0},
        "lead_times": {"lor_to_offer": _lead(offer), "lor_to_contract": _lead(contract),
                       "lor_to_delivery": _lead(delivery, censored=0.002)},
        "open_cases_at_horizon": _stat(open_cases),
        "stages": [{"stage": s, "pool": p, "work_per_case": mean_ci([work]), "wait_per_case": mean_ci([wait * scale]),
                    "visits_per_case": 1.0} for s, p, work, wait in STAGES],
        "window": {"warmup_day": 2922.0, "horizon_day": 4748.25},
        **extra,
    }


def job(num: int, summary: Optional[dict] = None, error: Optional[str] = None, overrides=()) -> dict:
    """A job record as ``multirun_io.read_job`` returns it."""
    if summary is None:
        return {"job": num, "path": f"/x/{num}", "status": "failed", "error": error or "no manifest",
                "overrides": list(overrides), "summary": None, "scenario": None}
    return {"job": num, "path": f"/x/{num}", "status": "complete", "error": None, "overrides": list(overrides),
            "summary": summary, "scenario": summary["scenario"]}


def write_run(path: Path, summary: Optional[dict], status: str = "complete", error: Optional[str] = None,
              overrides: Sequence[str] = ()) -> None:
    """A run directory on disk: manifest.json (+ summary.json)."""
    path.mkdir(parents=True, exist_ok=True)
    write_json(path / "manifest.json", {"status": status, "error": error, "overrides": list(overrides),
                                        "config": {"reform": {"label": summary["scenario"] if summary else "x"}},
                                        "runtime_seconds": 1.0})
    if summary is not None:
        write_json(path / "summary.json", summary)


def row(table: pd.DataFrame, job_num: int, metric: str) -> pd.Series:
    sel = table[(table["job"] == job_num) & (table["metric"] == metric)]
    assert len(sel) == 1
    return sel.iloc[0]

