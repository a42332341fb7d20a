"""Compare the jobs of a multirun: ``python -m sim report <multirun dir> [--reference LABEL]``.

A multirun (``python -m sim -m ...``) leaves one run directory per job in ``<dir>/<job number>/``.
This command gathers them and writes, into ``<dir>``:

* ``comparison.csv``: one row per (job, metric) for the three lead times and the open cases at
  the horizon: the job's mean and 95% interval, and its **paired** change against a reference
  scenario (replication by replication, under common random numbers).  A failed job gets one
  row with its error; it never stops the report.
* ``sensitivity_prcc.csv`` for a sensitivity study (jobs whose summary has a ``sensitivity`` key):
  partial rank correlation of each lead time with each factor (:mod:`sim.analysis.sensitivity`).
* ``figures/`` (:mod:`sim.output.report_figures`), ``report.html`` (self-contained: images embedded as
  data URIs, inline CSS, no script and no external resource) and ``report.json`` (status, jobs
  that worked or failed, files written).

This module holds the command: ``make_report`` (writes the files), ``ReportCallback`` (runs the
report at the end of a Hydra multirun) and ``main`` (argument parsing, exit codes).  Gathering
the jobs is in :mod:`sim.output.multirun`, the computations in :mod:`sim.analysis.comparison`, the page
in :mod:`sim.output.report_html`.
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Optional, Sequence

from sim.analysis.comparison import (
    comparison_table,
    complete_jobs,
    scenario_labels,
    sensitivity_factors,
    sensitivity_prcc,
)
from sim.analysis.costs import with_cost_ratios
from sim.analysis.kpi_comparison import kpi_comparison
from sim.analysis.uncertainty import lever_table, with_lever_columns
from sim.analysis.yearly import effective_fiscal_years, reported_years, yearly_table
from sim.output.multirun import (
    PLAN_FILE,
    ReportError,
    missing_job,
    planned_block_jobs,
    read_jobs,
    read_kpis,
    read_plan,
    scenario_records,
    sweep_overrides,
)
from sim.output.precision_summary import precision_line, precision_reached
from sim.output.ranking import console_table, rank_jobs, replications_text
from sim.output.report_answer import group_changes
from sim.output.report_html import render_html
from sim.output.run_dir import write_json, write_text
from sim.output.study_tables import write_study_tables
from sim.output.sweep_progress import SweepProgress


def planned_jobs(multirun_dir: Path) -> Optional[list[list[str]]]:
    """The sweep's own job list (multirun.yaml, expanded as Hydra expands it); None if it cannot be known."""
    sweep = sweep_overrides(multirun_dir)
    if sweep is None:
        return None
    try:
        from sim.sweep import sweep_jobs

        return sweep_jobs(*sweep)
    except Exception:  # the study changed or cannot be composed any more: report what is there
        return None


def make_report(multirun_dir: Path, reference: Optional[str] = None) -> dict:
    """Write comparison.csv, figures, report.html and report.json into ``multirun_dir``.

    Returns the report.json record.  ReportError if the directory holds no jobs; any other
    error is recorded in report.json (status "failed") and raised.  An earlier report.json never outlives a
    report that fails: it is replaced by this one's record, whatever stops it.
    """
    start = time.time()
    multirun_dir = Path(multirun_dir)
    try:
        jobs = read_jobs(multirun_dir)
    except ReportError as e:
        if (multirun_dir / "report.json").is_file():  # a folder that held a report: say that this one failed
            write_json(multirun_dir / "report.json", {"status": "failed", "error": str(e),
                                                      "multirun_dir": str(multirun_dir), "files": ["report.json"]})
        raise
    known = sorted(set(scenario_labels(jobs).values()))
    if reference is not None and reference not in known:  # a typo: said before any file is rewritten
        raise ReportError(f"--reference {reference!r}: no job has that label; allowed: "
                          + ", ".join(repr(k) for k in known[:12]) + (" ..." if len(known) > 12 else ""))
    if (multirun_dir / "report.json").is_file():  # until this report is done, no earlier one claims success
        write_json(multirun_dir / "report.json", {"status": "running", "error": None,
                                                  "multirun_dir": str(multirun_dir), "files": []})
    try:  # a plan that parses but does not fit: the report fails, and report.json says so
        plan = read_plan(multirun_dir)  # a precision study: its jobs are blocks of replications of its scenarios
        planned = planned_block_jobs(plan) if plan is not None else planned_jobs(multirun_dir)
        stale = [j["job"] for j in jobs if planned is not None and j["job"] >= len(planned)]
        if planned is not None:  # jobs the sweep lists but never ran; folders of an earlier, longer sweep left out
            present = {j["job"] for j in jobs}
            jobs = [j for j in jobs if j["job"] < len(planned)]
            jobs += [missing_job(multirun_dir, n, job) for n, job in enumerate(planned) if n not in present]
        if plan is not None:
            jobs = scenario_records(multirun_dir, jobs, plan)
    except Exception as e:
        write_json(multirun_dir / "report.json", {
            "status": "failed", "error": "".join(traceback.format_exception_only(type(e), e)).strip(),
            "multirun_dir": str(multirun_dir), "files": ["report.json"],
            "unreadable": [f"{PLAN_FILE} or multirun.yaml: does not fit this folder's jobs"]})
        raise
    ok = complete_jobs(jobs)
    missing = [j for j in jobs if j["status"] == "missing"]
    record: dict[str, Any] = {
        "status": "running", "error": None, "multirun_dir": str(multirun_dir),
        "jobs": {"total": len(jobs), "ok": len(ok), "failed": len(jobs) - len(ok) - len(missing),
                 "missing": len(missing),
                 "failed_jobs": [{"job": j["job"], "error": j.get("error")} for j in jobs if j not in ok]},
        "reference": None, "files": [], "stale_jobs_left_out": stale, "precision": None,
        # what was there but could not be used, said rather than trusted (damaged job records are failed jobs)
        "unreadable": ([f"{PLAN_FILE}: damaged or not this sweep's plan; jobs reported one by one, not merged"]
                       if plan is None and (multirun_dir / PLAN_FILE).is_file() else []),
    }
    try:
        kpis, unread = read_kpis(ok)  # the record: changes are paired on its rows (sim.analysis.kpi_comparison)
        record["unreadable"] += unread
        table, ref = comparison_table(jobs, reference, kpis)
        table = with_cost_ratios(with_lever_columns(table, lever_table(table)))  # percentiles; days per $10M
        record["reference"] = {"label": ref.label, "job": ref.job, "source": ref.source, "note": ref.note,
                               "by_seed": {str(k): v for k, v in sorted(ref.by_seed.items())},
                               "by_job": {str(k): v for k, v in sorted(ref.by_job.items())}}
        if plan is not None:
            record["precision"] = precision_reached(plan, table, ref.job)
        write_text(multirun_dir / "comparison.csv", table.to_csv(index=False))
        ranked, record["answers"] = rank_jobs(table, ref, jobs)  # the answer first: console, page and figure
        write_text(multirun_dir / "ranking.csv", ranked.to_csv(index=False))
        record["files"] += ["comparison.csv", "ranking.csv"]
        record["ranking"] = console_table(ranked, ref, replications_text(
            [int(j["summary"].get("replications") or 0) for j in ok]))
        labels = scenario_labels(jobs)
        yearly = groups = None
        summaries = {j["job"]: j["summary"] for j in ok}
        if kpis:  # every compared metric, not only the lead times
            kt = kpi_comparison(kpis, ref, labels, order=[j["job"] for j in ok])
            write_text(multirun_dir / "kpi_comparison.csv", kt.to_csv(index=False))
            groups = group_changes(kt)  # who gains and who loses: by partner, group, platform, priority
            write_text(multirun_dir / "by_group.csv", groups.to_csv(index=False))
            record["files"] += ["kpi_comparison.csv", "by_group.csv"]
            yearly = yearly_table(kpis, ref, labels, order=[j["job"] for j in ok], **reported_years(summaries))
            write_text(multirun_dir / "yearly.csv", yearly.to_csv(index=False))
            record["files"].append("yearly.csv")
        study_figures = write_study_tables(multirun_dir, table, record["files"], ok)  # a surface, ranges, uncertainty
        factors = sensitivity_factors(jobs)
        pr = sensitivity_prcc(table, factors) if factors else None
        if pr is not None:
            write_text(multirun_dir / "sensitivity_prcc.csv", pr.to_csv(index=False))
            record["files"].append("sensitivity_prcc.csv")
        from sim.output import report_figures  # matplotlib only when figures are made

        effective = effective_fiscal_years(summaries)
        figs = report_figures.make_report_figures(table, summaries, labels, ref, pr, multirun_dir / "figures", yearly,
                                                  effective, ranked)
        figs[:0] = study_figures(multirun_dir / "figures")  # the study's own answer first
        record["files"] += [str(f.path) for f in figs]
        record["figures"] = [vars(f) for f in figs]  # path, title and caption: what a findings page shows
        write_text(multirun_dir / "report.html", render_html(multirun_dir, jobs, table, ref, figs, pr,
                                                                  record["precision"], yearly, effective, ranked,
                                                                  record["answers"], groups))
        record["files"].append("report.html")
        record["status"] = "complete"
    except Exception as e:
        record.update(status="failed", error="".join(traceback.format_exception_only(type(e), e)).strip())
        raise
    finally:
        record["runtime_seconds"] = round(time.time() - start, 3)
        record["files"].append("report.json")
        write_json(multirun_dir / "report.json", record)
    return record


class ReportCallback:
    """Hydra callback: write the report when a multirun ends.  Never raises.

    It implements the interface of ``hydra.experimental.callback.Callback`` (Hydra 1.3) by duck
    typing: Hydra instantiates callbacks from ``_target_`` and calls their hooks by name, and only
    ``sim/config.py``, ``sim/sweep.py``, ``sim/hydra_argv.py`` and ``sim/commands/run.py`` may import Hydra
    (tests/system/test_architecture.py).  Wire it with::

        hydra:
          callbacks:
            report:
              _target_: sim.commands.report.ReportCallback
    """

    last: Optional[dict] = None  # report.json record of the last multirun that ended in this process
    started: Optional[Path] = None  # sweep folder of the last multirun that started in this process
    progress: Optional[SweepProgress] = None  # the running multirun's progress bar

    def __init__(self, reference: Optional[str] = None) -> None:
        self.reference = reference

    def on_run_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do before a single run."""

    def on_run_end(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do after a single run."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Remember the sweep folder (if the launcher itself fails, the entry point still reports on it) and show
        the multirun's progress, read from its job folders (``sim.output.sweep_progress``)."""
        sweep = ReportCallback.started = Path(str(config.hydra.sweep.dir))
        ReportCallback.stop_progress()

        def total() -> Optional[int]:  # a precision study decides its jobs as it goes: no total
            return None if read_plan(sweep) is not None else len(planned_jobs(sweep) or []) or None

        ReportCallback.progress = SweepProgress(sweep, total).start()

    @staticmethod
    def stop_progress() -> None:
        if ReportCallback.progress is not None:
            ReportCallback.progress.stop()
            ReportCallback.progress = None

    def on_job_start(self, config: Any, **kwargs: Any) -> None:
        """Nothing to do before a job."""

    def on_job_end(self, config: Any, job_return: Any = None, **kwargs: Any) -> None:
        """Nothing to do after a job."""

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        """Report on ``config.hydra.sweep.dir``; print a one-line warning instead of raising."""
        ReportCallback.stop_progress()
        try:
            sweep_dir = Path(str(config.hydra.sweep.dir))
            record = make_report(sweep_dir, self.reference)
            ReportCallback.last = record
            what = "scenarios" if record.get("precision") else "jobs"
            print(f"report: {sweep_dir / 'report.html'} ({record['jobs']['ok']} {what} complete, "
                  f"{record['jobs']['failed']} failed)", file=sys.stderr)
            if record.get("precision"):
                print(precision_line(record["precision"]), file=sys.stderr)
            print(reference_line(record), file=sys.stderr)
            print("\n".join(["", record.get("ranking") or "", "", *record.get("answers", [])]))
        except Exception as e:  # a report must never turn a finished multirun into a failure
            msg = " ".join(str(e).split()) or type(e).__name__
            print(f"fms-sim report: warning: no report ({type(e).__name__}: {msg})", file=sys.stderr)


def reference_line(record: dict) -> str:
    """What the paired changes are measured against, for the console: always named, with the report's note."""
    ref = record.get("reference") or {}
    if ref.get("job") is None:
        line = f"no paired changes: no reference (asked for '{ref.get('label')}')"
    else:
        seeds = ref.get("by_seed") or {}
        jobs = (", ".join(f"job {j} for seed {k}" for k, j in sorted(seeds.items())) if len(seeds) > 1
                else f"job {ref['job']}")
        line = f"paired changes are against '{ref.get('label')}' ({jobs}; chosen by {ref.get('source')})"
    return line + (f"; note: {ref['note']}" if ref.get("note") else "")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m sim report <multirun dir> [--reference LABEL]``: 0 every job reported, 1 a job failed or never ran
    (the report is still written) or the report broke, 2 bad directory."""
    parser = argparse.ArgumentParser(prog="python -m sim report",
                                     description="Compare the jobs of a multirun and write report.html.")
    parser.add_argument("multirun_dir", type=Path, help="a multirun directory (results/multiruns/<timestamp>)")
    parser.add_argument("--reference", default=None,
                        help="scenario label to compare against (default: the summaries' reference, else 'none')")
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        record = make_report(args.multirun_dir, args.reference)
    except ReportError as e:
        print(f"fms-sim report: error: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        print(f"fms-sim report: error: {type(e).__name__}: {e} (details in report.json)", file=sys.stderr)
        return 1
    jobs = record["jobs"]
    what = "scenario(s), each merged from its jobs" if record.get("precision") else "job(s)"
    print(f"{jobs['total']} {what}: {jobs['ok']} complete, {jobs['failed']} failed, {jobs['missing']} missing "
          "(never ran)")
    if record.get("precision"):
        print(precision_line(record["precision"]))
    print(reference_line(record))
    print("\n".join([record.get("ranking") or "", "", *record.get("answers", [])]))
    for item in record.get("unreadable") or []:
        print(f"not read: {item}")
    for f in record["files"]:
        print(args.multirun_dir / f)
    return holes_exit(record, "fms-sim report", "failed or never ran")  # as the multirun itself exits


def holes_exit(record: dict, prefix: str, what: str) -> int:
    """1 when a job of the report failed or never ran (said on stderr, naming report.html): a study with holes is
    not a success; else 0."""
    jobs = record["jobs"]
    if not (jobs["failed"] or jobs["missing"]):
        return 0
    print(f"{prefix}: {jobs['failed'] + jobs['missing']} of {jobs['total']} {what}; see "
          f"{Path(record['multirun_dir']) / 'report.html'}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
