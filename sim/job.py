"""One run of the model into one directory: the task the Hydra entry point calls.

``run_job(params, out_dir, config, overrides)`` runs the replications with a progress bar,
writes the tables and summary.json, makes the figures from the saved files, prints a short
table of lead times and returns the summary.  It is a plain function that tests call directly.
"""
from __future__ import annotations

import contextlib
import functools
import math
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional, TextIO

import pandas as pd
from tqdm import tqdm

from sim.analysis.kpis import kpi_rows
from sim.analysis.reference import Reference
from sim.analysis.summary import summarise
from sim.analysis.summary_schema import Summary
from sim.analysis.yearly import reported_years, yearly_table
from sim.config import STATES_DIR, load_state, state_level_notes
from sim.engine.clock import DAYS_PER_YEAR, years
from sim.exact_start import exact_note, exact_start
from sim.model import reform, workforce_program
from sim.model.costs import reform_cost
from sim.model.params import Params
from sim.model.run_params import RUN_CONTROL
from sim.model.scenario import Scenario, resolve, settle_start
from sim.model.uncertainty import at_point, point_record
from sim.output import run_dir
from sim.output.formatting import number
from sim.runner import combine, run_replications
from sim.state_cache import read_exact


def sensitivity_values(params: Params) -> dict:
    """The values the design point gave to each factor, read back from the parameters."""
    out = {}
    for key in [f.key for f in params.sensitivity.factors]:
        node: object = params
        for part in key.split("."):
            node = node[part] if isinstance(node, dict) else getattr(node, part)
        out[key] = node
    return out


def kpis_of(params: Params | Scenario, results: list) -> pd.DataFrame:
    """The run's tidy rows (``sim.analysis.kpis``): the record every summary number is a group-by of, from the
    parameters (or the :class:`~sim.model.scenario.Scenario`) and the results of ``run_replications`` or
    ``simulate`` (exported as ``sim.kpi_rows_of``)."""
    if isinstance(params, Scenario):
        params = params.given
    rows = kpi_rows([r.tally for r in results], combine(results, "pool_windows"),
                    scenario=reform.scenario_label(params), seed=params.seed,
                    warmup=years(params.run.warmup_years), horizon=years(params.run.horizon_years),
                    start_fiscal_year=params.run.start_fiscal_year, end_days=[r.end_day for r in results],
                    events=[r.events for r in results], totals=combine(results, "stage_totals"),
                    flow=combine(results, "stage_flow"), samples=combine(results, "pools"))
    return before_start_left_out(rows, {r.replication: getattr(r, "start_day", 0.0) for r in results},
                                 params.run.start_fiscal_year)


def before_start_left_out(rows: pd.DataFrame, start_days: dict[int, float], start_fiscal_year: int) -> pd.DataFrame:
    """A replication started from an exact state saw only what happened from its day on: its rows of the fiscal
    years that began before that day, and of the sample days before it, are left out (not counted short)."""
    cut = {r: d for r, d in start_days.items() if d > 0}
    if not cut:
        return rows
    rep = rows["replication"]
    first_fy = rep.map({r: start_fiscal_year + math.ceil(d / DAYS_PER_YEAR - 1e-9) for r, d in cut.items()})
    day = rep.map(cut)
    early = ((rows["fiscal_year"].notna() & (rows["fiscal_year"] < first_fy))
             | (rows["day"].notna() & (rows["day"] < day)))
    return rows[~early.fillna(False).astype(bool)].reset_index(drop=True)


def enactment_record(params: Params) -> dict:
    """The reforms' date, strength and phase-in, as ``summary.json`` keeps them (``Enactment``)."""
    r = params.reform
    year = None if r.effective is None else float(r.effective)
    settled = settle_start(params)  # run.settle_years dates the reform itself
    if settled is not None:
        year = settled
    return {"effective_year": year,
            "effective_fiscal_year": None if year is None else params.run.start_fiscal_year + int(year // 1),
            "strength": float(r.strength), "phase_in_years": float(r.phase_in_years),
            "settle_years": params.run.settle_years, "assume": r.assume, "programs": program_record(params)}


def program_record(params: Params) -> dict:
    """Each selected workforce program: the certified share before it and once settled, how fast it gets there,
    and the share of its levers' size that then acts (``sim.model.workforce_program``)."""
    out = {}
    for name, lv in reform.selected(params).items():
        if lv.program is not None:
            a0, a1, r = workforce_program.rates(lv.program)
            out[name] = {"certified_share_before": a0 / (a0 + r), "certified_share_after": a1 / (a1 + r),
                         "time_constant_years": 1 / (a1 + r),
                         "level_after": workforce_program.level(lv.program, math.inf)}
    return out


def summarise_results(params: Params, results: list, kpis: Optional[pd.DataFrame] = None) -> dict:
    summary = summarise(
        [r.tally for r in results],
        kpis=kpis_of(params, results) if kpis is None else kpis,
        warmup=years(params.run.warmup_years),
        horizon=years(params.run.horizon_years),
        start_fiscal_year=params.run.start_fiscal_year,
    )
    head = {
        "scenario": reform.scenario_label(params),
        "reference": params.reference,
        "study": params.study,
        "question": params.question,
        "reforms": list(params.reform.levers),
        "levers": reform.active_levers(reform.selected(at_point(params))),  # at reform.assume, or the point's draws
        "enactment": enactment_record(params),
        "start": params.start,  # the state of open cases the run started from (None: an empty system)
        "sensitivity": None if params.sensitivity is None else {
            "point": params.sensitivity.point,
            "factors": sensitivity_values(params),
        },
        "uncertainty": point_record(params),  # a point of an uncertainty study: what it drew
        "breakeven": asdict(params.breakeven),  # what a strength sweep's report asks
        "cost": reform_cost(params),  # $M a year: added staff and the reforms' own costs (sim.model.costs)
        "seed": params.seed,
        "replications": params.run.replications,
        "replication_ids": [r.replication for r in results],  # every per_replication list is in this order
        "run": asdict(params.run),
        "time_unit": "calendar day",
        "end_day_per_replication": [r.end_day for r in results],
        "stage_visits_per_replication": [r.events for r in results],
    }
    for key in RUN_CONTROL:  # how many processes ran it, or what was done to its folder, is not a result
        head["run"].pop(key)
    return {**head, **summary}


def write_outputs(params: Params, results: list, out_dir: Path, summary: dict, kpis: pd.DataFrame) -> list[str]:
    records = params.run.records
    files = ["summary.json", "kpis.parquet"]
    run_dir.write_json(out_dir / "summary.json", summary)
    run_dir.write_table(kpis, out_dir / "kpis.parquet")
    label = summary["scenario"]
    yearly = yearly_table({0: kpis}, Reference("", None, "single run: no reference", None), {0: label},
                          **reported_years({0: summary}))
    run_dir.write_text(out_dir / "yearly.csv", yearly.to_csv(index=False))
    files.append("yearly.csv")
    if records in ("cases", "full"):
        run_dir.write_table(combine(results, "cases"), out_dir / "cases.parquet")
        run_dir.write_table(combine(results, "documents"), out_dir / "documents.parquet")
        run_dir.write_table(combine(results, "pools"), out_dir / "pools.parquet")
        files += ["cases.parquet", "documents.parquet", "pools.parquet"]
    if records == "full":
        run_dir.write_table(combine(results, "visits"), out_dir / "visits.parquet")
        files.append("visits.parquet")
    return files


def lead_time_table(summary: Summary) -> str:
    rows = [f"{'lead time (days)':<18}{'mean':>8}{'95% CI':>20}{'median':>8}{'p90':>8}{'censored':>10}"]
    def f(x: Optional[float]) -> str:
        return number(x, thousands=False, dash="-")

    for name, lt in summary["lead_times"].items():
        ci = f"[{f(lt['ci_low'])}, {f(lt['ci_high'])}]"
        cs = "-" if lt["censored_share"] is None else f"{100 * lt['censored_share']:.1f}%"
        rows.append(f"{name:<18}{f(lt['mean']):>8}{ci:>20}{f(lt['median']):>8}{f(lt['p90']):>8}{cs:>10}")
    oc = summary["open_cases_at_horizon"]
    rows.append(f"open cases at horizon: {f(oc['mean'])}; cohort cases per replication: "
                f"{f(summary['cases']['cohort']['mean'])}; replications: {summary['replications']}")
    if summary.get("unstable"):
        rows.append("UNSTABLE (utilisation >= 98% or a growing queue or backlog): " + ", ".join(summary["unstable"])
                    + "; lead times are censored or still growing")
    return "\n".join(rows)


def run_job(scenario: Scenario | Params, out_dir: Path, config: dict, overrides: list[str],
            stream: TextIO = sys.stdout, progress: bool = True) -> dict:
    resolved = resolve(scenario)  # a Scenario as it is (checked where it was made); Params checked here
    params = resolved.given
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = run_dir.Manifest(out_dir, config, overrides, params.seed)
    try:
        with tqdm(total=params.run.replications, desc=f"{reform.scenario_label(params)}: replications",
                  unit="rep", disable=not progress, file=sys.stderr) as bar:
            exact = exact_start(params.start, STATES_DIR) if params.start else None
            if exact is not None:  # model-made exact states, one per replication: each goes on from its own exactly
                start: Any = ()
                bar.write(f"note: start={params.start}: {exact_note(exact[1], params)}", file=sys.stderr)
            else:
                start = load_state(params).rows if params.start else ()  # the state's open cases, resumed on day 0
                for line in state_level_notes(params):
                    bar.write(f"note: start={params.start}: {line}", file=sys.stderr)
            loaders = {r: functools.partial(read_exact, f) for r, f in exact[1].items()} if exact else None
            done = [0]

            def tick(n: int) -> None:  # the console bar, and progress.json for a multirun's bar
                done[0] += n
                bar.update(n)
                manifest.progress(done[0], params.run.replications)

            manifest.progress(0, params.run.replications)
            results = run_replications(resolved, progress=tick, start=start, exact=loaders)
        kpis = kpis_of(params, results)
        summary = summarise_results(params, results, kpis)
        files = write_outputs(params, results, out_dir, summary, kpis)
        from sim.output.run_figures import make_figures  # matplotlib only when figures are made

        files += make_figures(out_dir)
        manifest.finish("complete", files)  # inside: if even this write fails, the record says failed if it can
    except BaseException as e:
        with contextlib.suppress(OSError):  # a full disk may refuse this too: then the manifest still says running
            manifest.finish("failed", [], error="".join(traceback.format_exception_only(type(e), e)).strip())
        raise
    try:
        print(f"\nScenario {summary['scenario']!r}, cohort of LORs received in {cohort_years(params.run)}:",
              file=stream)
        print(lead_time_table(summary), file=stream)
        print(f"results: {out_dir}", file=stream)
    except (OSError, ValueError) as e:  # a closed or broken output: the results are written and complete
        print(f"fms-sim: the run is complete ({out_dir}), but its table could not be printed: {e}", file=sys.stderr)
    return summary


def cohort_years(run: Any) -> str:
    """The cohort's window as a reader names it: fiscal years when it is whole years, else years from day 0."""
    w, h = run.warmup_years, run.horizon_years
    if float(w).is_integer() and float(h).is_integer() and h > w:
        first, last = run.start_fiscal_year + int(w), run.start_fiscal_year + int(h) - 1
        return f"FY{first}" + (f"-FY{last}" if last > first else "") + f" (years [{w:g}, {h:g}) of the run)"
    return f"[{w:g}, {h:g}) years from day 0"
