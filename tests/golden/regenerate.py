"""The golden KPIs: a fixed small configuration, run on the current code, as exact numbers.

``tests/system/test_golden.py`` compares a fresh run with ``tiny_kpis.json`` exactly, so any change of
numbers (a new default, a new draw, a refactor that is not one) shows in review as a diff of that file.
Beside the KPIs, ``history`` holds a hash of every case's milestone times and every document's times per
replication: a change of the simulated history, even one that leaves the KPIs' printed digits alone, fails
by name (which replication, which milestone).  The history must be the same on every x86-64 CPU
(issue 20, ``sim.engine.portable_math``).  Regenerate it only on purpose, and say why in the commit message::

    python tests/golden/regenerate.py
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "tiny_kpis.json"
# the YAML baseline at tiny scale with the earlier slot pools (staffing=slots): a change of any default in configs/
# or of the slot mechanism changes these numbers
# (records=cases: the case and document tables are kept, for the history hash; the KPIs come from the same tally as
# with records=summary)
# the default run rule after the horizon (LORs keep arriving until the cohort is through; debug=tiny drains), with a
# 3-year cap so that it stays quick
ARRIVALS = ["run.after_horizon=arrivals", "run.drain_years=3"]
OVERRIDES = ["debug=tiny", "run.jobs=1", "run.records=cases", *ARRIVALS, "staffing=slots"]
# the same with the default portfolio offices (issue 10)
GOLDEN_PORTFOLIO = HERE / "tiny_kpis_portfolio.json"
OVERRIDES_PORTFOLIO = ["debug=tiny", "run.jobs=1", "run.records=cases", *ARRIVALS]
DOCUMENT_TIMES = ("arrived", "offered", "accepted", "finished")


def _digest(ids: np.ndarray, times: np.ndarray) -> str:
    """First 16 hex digits of sha256 over the ids and their times, as little-endian int64 and float64 (every NaN
    written as the one canonical NaN, so a not-reached milestone hashes alike everywhere)."""
    times = np.where(np.isnan(times), np.nan, times)
    return hashlib.sha256(ids.astype("<i8").tobytes() + times.astype("<f8").tobytes()).hexdigest()[:16]


def history(results: list) -> dict:
    """Per replication: a digest of each milestone's time for every case (by case id) and of each document time
    for every document (by case, kind and planned number)."""
    from sim.model.ledger import MILESTONES

    out = {}
    for r in results:
        cases = r.cases.sort_values("case_id", kind="stable")
        ids = cases["case_id"].to_numpy()
        rep = {m: _digest(ids, cases[m].to_numpy(dtype="float64")) for m in MILESTONES}
        docs = r.documents.sort_values(["case_id", "document", "planned_seq"], kind="stable")
        keys = docs["case_id"].to_numpy() * 1_000_000 + docs["planned_seq"].to_numpy() * 2 + (
            docs["document"].to_numpy() == "modification")
        rep.update({f"document {c}": _digest(keys, docs[c].to_numpy(dtype="float64")) for c in DOCUMENT_TIMES})
        rep["cases"], rep["documents"] = len(cases), len(docs)
        out[f"replication {r.replication}"] = rep
    return out


def kpis(overrides: list[str] = OVERRIDES) -> dict:
    """Lead-time means, medians, p90 and counts, case outcomes, pool utilisation and the history digests of the golden
    run."""
    from sim.config import compose_config, to_params
    from sim.job import summarise_results
    from sim.runner import run_replications

    params = to_params(compose_config(overrides))
    results = run_replications(params)
    s = summarise_results(params, results)
    return {
        "overrides": overrides,
        "seed": s["seed"],
        "lead_times": {name: {k: lt[k] for k in ("mean", "median", "p90", "cases", "reached", "censored_share",
                                                  "per_replication")}
                       for name, lt in s["lead_times"].items()},
        "cases": {k: s["cases"][k]["per_replication"] for k in ("cohort", "delivered", "withdrawn", "in_progress",
                                                                 "notified_share")},
        "open_cases_at_horizon": s["open_cases_at_horizon"]["per_replication"],
        "pools": {p["pool"]: {"capacity": p["capacity"], "utilisation": p["per_replication_utilisation"],
                              "mean_queue": p["mean_queue"]["mean"]} for p in s["pools"]},
        "workload": {k: v["mean"] for k, v in s["workload"].items()},
        "fiscal_years": s["fiscal_years"],
        "loa_metric": {clock: {"loas_and_amendments": s["loa_metric"][clock]["loas_and_amendments"]["mean"],
                               "by_group": s["loa_metric"][clock]["by_group"]}
                       for clock in ("lor_received", "lor_complete")},
        "stage_visits_per_replication": s["stage_visits_per_replication"],
        "end_day_per_replication": s["end_day_per_replication"],
        "history": history(results),
    }


def main() -> int:
    for path, overrides in ((GOLDEN, OVERRIDES), (GOLDEN_PORTFOLIO, OVERRIDES_PORTFOLIO)):
        path.write_text(json.dumps(kpis(overrides), indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    sys.exit(main())
