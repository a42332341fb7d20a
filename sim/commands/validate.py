"""``python -m sim validate`` (and ``fms-sim validate``): how we know the model is right.

Prints, and writes as ``validation.md`` and ``validation.json`` into its run directory
(``results/validate/<timestamp>/`` unless ``--out`` says otherwise), two tables:

1. verification: analytic against simulated mean waits and sojourns of plain queueing networks run
   on the very engine that simulates FMS cases (``sim.verification``): first-come-first-served M/M/c
   stations (Erlang C, Jackson network) and processor sharing (M/G/1-PS with deterministic and
   lognormal work, c servers shared equally, c random desks), where a station's measure is the time
   there beyond the customer's own work (``T - S``);
2. calibration: the baseline beside the published figures (``sim.analysis.calibration``), each row with
   its source, tag, tolerance, whether the model is inside it, and whether the row is an
   independent check or only echoes an input.

Extra arguments are config overrides, as for ``python -m sim`` (e.g. ``demand.lor_per_year=2500``).
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Sequence

from sim.analysis.calibration import calibration_rows, sales_by_fiscal_year
from sim.analysis.workload import fiscal_years
from sim.config import ROOT, ConfigError, compose_config, to_params
from sim.engine.clock import years
from sim.model.params import Params
from sim.output import run_dir
from sim.output.claim import ClaimError
from sim.output.folders import FolderError, OutputFolder, check_place, claim_folder
from sim.output.formatting import table_value as cell
from sim.runner import Stopped, combine, run_replications, stop_on_signals


def verification_markdown(rows: list[dict[str, Any]]) -> str:
    head = ("| network | station | measure | analytic | simulated [interval] | gap % | gap / half-width | inside |\n"
            "|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        lines.append(f"| {r['network']} | {r['station']} | {r['measure']} | {cell(r['analytic'], 3)} | "
                     f"{cell(r['simulated'], 3)} "
                     f"[{cell(r['ci_low'], 3)}, {cell(r['ci_high'], 3)}] | {cell(r['gap_pct'], 1)} | "
                     f"{cell(r['gap_half_widths'], 2)} | {'yes' if r['inside'] else 'NO'} |")
    return "\n".join(lines)


def calibration_markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| measure | model | published | tolerance band | inside | kind: why | source [tag] |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        band = "-" if r["low"] is None else f"{cell(r['low'])} to {cell(r['high'])}"
        inside = {True: "yes", False: "**no**", None: "-"}[r["inside"]]
        note = f" ({r['note']})" if r["note"] else ""
        lines.append(f"| {r['measure']} | {cell(r['model'])} | {r['published']} | {band}: {r['tolerance']} | "
                     f"{inside} | {r['kind']}: {r.get('why') or '-'} | {r['source']} [{r['tag']}]{note} |")
    return "\n".join(lines)


def sales_markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| fiscal year | model: value accepted | model: value delivered | DSCA FMS sales [MEASURED] |",
             "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| FY{r['fiscal_year']} | {cell(r['model_value_accepted'], 1)} | "
                     f"{cell(r['model_value_delivered'], 1)} | {cell(r['sales'], 1)} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="fms-sim validate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="run directory (default results/validate/<timestamp>)")
    ap.add_argument("--replications", type=int, default=4, help="baseline replications (default 4)")
    ap.add_argument("--verification-replications", type=int, default=None,
                    help="replications per verification network (default: sim.verification's)")
    ap.add_argument("overrides", nargs="*", help="config overrides, as for python -m sim")
    args = ap.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.verification_replications is not None and args.verification_replications < 2:
        print(f"fms-sim: error: --verification-replications={args.verification_replications}; allowed: an "
              "integer >= 2 (an interval needs two replications)", file=sys.stderr)
        return 2
    try:
        params = to_params(compose_config([*args.overrides, "run.records=full",
                                           f"run.replications={args.replications}"]))
    except ConfigError as e:
        print(f"fms-sim: error: {e}", file=sys.stderr)
        return 2
    if params.start:  # the checks compare a steady state from an empty system with published figures
        print(f"fms-sim: error: start={params.start}; allowed: validate runs from an empty system (leave start out; "
              "check a state file with python -m sim state check)", file=sys.stderr)
        return 2
    out = args.out or Path("results") / "validate" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    folder = OutputFolder("--out", out, timestamped=args.out is None, overwrite=None)
    try:  # the same folder rules as a run's: one run per folder, claimed before any work (sim.output.folders)
        check_place(folder, ROOT)
        held = claim_folder(folder)
    except (ClaimError, FolderError) as e:
        print(f"fms-sim: error: {e}", file=sys.stderr)
        return 2
    with held:
        return _validate(args, params, held.path)


def _validate(args: argparse.Namespace, params: Params, out: Path) -> int:
    manifest = run_dir.Manifest(out, {"replications": args.replications}, list(args.overrides), params.seed)
    start = time.time()
    try:
        from sim.verification import verification_table

        with stop_on_signals():  # SIGTERM: a failed manifest and no orphaned worker
            kw = {} if args.verification_replications is None else {"replications": args.verification_replications}
            verification = verification_table(**kw)
            t_verify = time.time() - start
            results = run_replications(params)
        cases, visits = combine(results, "cases"), combine(results, "visits")
        documents = combine(results, "documents")
        last_fy = params.run.start_fiscal_year + int(math.ceil(params.run.horizon_years)) - 1
        calibration = [r.as_dict() for r in calibration_rows(
            cases, visits, years(params.run.warmup_years), years(params.run.horizon_years), documents, last_fy)]
        first = params.run.start_fiscal_year + int(params.run.warmup_years)
        sales = sales_by_fiscal_year(fiscal_years(cases, documents, params.run.start_fiscal_year,
                                                  int(math.ceil(params.run.horizon_years))), first)
    except (Stopped, KeyboardInterrupt) as e:
        manifest.finish("failed", [], error=f"{type(e).__name__}: {e}")
        print(f"fms-sim: validate {e or 'interrupted'}; {out / 'manifest.json'} says failed", file=sys.stderr)
        return 128 + (e.signum if isinstance(e, Stopped) else 2)
    except BaseException as e:
        manifest.finish("failed", [], error=f"{type(e).__name__}: {e}")
        raise
    md = (f"# Validation\n\nBaseline: {args.replications} replications, seed {params.seed}, cohort of LORs in "
          f"[{params.run.warmup_years:g}, {params.run.horizon_years:g}) years.\n\n"
          "## Verification: simulated against analytic mean waits (Erlang C per station, Jackson network; "
          "processor sharing)\n\n"
          "Wq is the mean time in queue of a first-come-first-served station; T - S, of a processor-sharing "
          "station, the mean time there beyond the customer's own service requirement (M/G/1-PS: "
          "E[S] rho / (1 - rho), whatever the service distribution; c servers shared equally: M/M/c's Wq; "
          "c random desks: c M/G/1-PS queues at lambda / c).  "
          "Intervals are Bonferroni-adjusted over the rows (family level 95%); the gap is also given in units "
          "of the interval's half-width.\n\n"
          f"{verification_markdown(verification)}\n\n"
          "## Calibration: the baseline beside the published figures\n\n"
          f"{calibration_markdown(calibration)}\n\n"
          f"## Value by fiscal year beside DSCA's FMS sales ($B; model: mean of replications)\n\n"
          f"{sales_markdown(sales)}\n")
    run_dir.write_text(out / "validation.md", md)
    run_dir.write_json(out / "validation.json", {"verification": verification, "calibration": calibration,
                                                    "sales_by_fiscal_year": sales,
                                                    "seconds": {"verification": round(t_verify, 1),
                                                                "total": round(time.time() - start, 1)}})
    manifest.finish("complete", ["validation.md", "validation.json"])
    print(md)
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
