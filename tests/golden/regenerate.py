"""The golden KPIs: a fixed small configuration, run on the current code, as exact numbers.

``tests/system/test_golden.py`` compares a fresh run with ``tiny_kpis.json`` exactly, so any change of
numbers (a new default, a new draw, a refactor that is not one) shows in review as a diff of that file.
Regenerate it only on purpose, and say why in the commit message::

    python tests/golden/regenerate.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "tiny_kpis.json"
# the YAML baseline at tiny scale with the earlier slot pools (staffing=slots): a change of any default in configs/
# or of the slot mechanism changes these numbers
OVERRIDES = ["debug=tiny", "run.jobs=1", "run.records=summary", "staffing=slots"]
# the same with the default portfolio offices (issue 10)
GOLDEN_PORTFOLIO = HERE / "tiny_kpis_portfolio.json"
OVERRIDES_PORTFOLIO = ["debug=tiny", "run.jobs=1", "run.records=summary"]


def kpis(overrides: list[str] = OVERRIDES) -> dict:
    """Lead-time means, medians, p90 and counts, case outcomes and pool utilisation of the golden run."""
    from sim.config import compose_config, to_params
    from sim.job import summarise_results
    from sim.runner import run_replications

    params = to_params(compose_config(overrides))
    s = summarise_results(params, run_replications(params))
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
    }


def main() -> int:
    for path, overrides in ((GOLDEN, OVERRIDES), (GOLDEN_PORTFOLIO, OVERRIDES_PORTFOLIO)):
        path.write_text(json.dumps(kpis(overrides), indent=1) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    sys.exit(main())
