"""``python -m sim findings make <multirun dir> | check``: findings pages for the docs, generated from saved studies.

``findings make <dir> [--docs DIR]`` makes the multirun's report again (``sim.commands.report``: its tables from
today's analysis code, from the saved results) and reads it and its jobs' manifests, and writes
``<docs>/findings/<study>.md``
(the answer first, then the figures, copied beside it with the study's tables (``comparison.csv``, ``ranking.csv``
and its own), then how the run was made), ``<study>.json`` (the stamp:
dates, settings, command, each job's overrides and settings digest, and the model fingerprint,
``sim.output.fingerprint``) and ``index.md``.  Every number on the page comes from the tables.

``findings check [--docs DIR]`` composes each finding's jobs again with today's defaults and hashes today's code:
a finding whose fingerprint differs is marked stale on its page and in the index (saying whether code or which
settings changed), and the command exits 1; 0 when every finding is current, 2 for a bad folder.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

import pandas as pd

from sim.output.findings_page import STATUS, caveats, render, status_line
from sim.output.fingerprint import analysis_code, commit_code, fingerprint, numbers_config, working_code
from sim.output.resume import differences
from sim.output.run_dir import write_json, write_text

TABLES = ("comparison.csv", "uncertainty.csv", "uncertainty_drivers.csv", "breakeven.csv", "surface.csv",
          "assumptions.csv", "sensitivity_prcc.csv")
KEPT = ("ranking.csv",)  # tables kept beside a page that the page itself does not read
STUDY_FIGURES = ("figures/uncertainty.png", "figures/breakeven.png", "figures/staffing_surface.png",
                 "figures/sensitivity_prcc.png")
YEARLY_FIGURES = ("figures/trajectory_change.png", "figures/trajectory.png")  # a dated study's year by year
DOCS = Path(__file__).resolve().parents[2] / "docs"


class FindingsError(ValueError):
    """A folder that cannot give findings (said in user terms; exit 2)."""


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")


def _digest(config: dict) -> str:
    return hashlib.sha256(json.dumps(numbers_config(config), sort_keys=True, default=str).encode()).hexdigest()[:16]


def _unstable(multirun: Path, manifests: Sequence[dict]) -> list[str]:
    """A caveat per office whose queue grew without bound in some job (the summary's ``unstable`` list): a change
    against such a job compares a congested office, not a steady state."""
    by_office: dict[str, list[str]] = {}
    for m in manifests:
        try:
            summary = json.loads((multirun / str(m["job"]) / "summary.json").read_text())
        except (OSError, ValueError):
            continue
        for office in summary.get("unstable") or []:
            by_office.setdefault(str(office), []).append(f"{m['job']} ({summary.get('scenario', '?')})")
    return [f"The {office} queue grew without bound in job(s) {', '.join(jobs)}: no steady state there, so those "
            "jobs' lead times and the changes against them depend on the run's length." for office, jobs in
            by_office.items()]


def _precision(precision: Any) -> list[str]:
    """How the precision sweeper chose the replications, when it did."""
    if not isinstance(precision, dict) or not isinstance(precision.get("target"), dict):
        return []
    target, scenarios = precision["target"], precision.get("scenarios") or []
    reps = sorted({int(s.get("replications") or 0) for s in scenarios})
    met = sum(1 for s in scenarios if s.get("met"))
    asked = sum(1 for s in scenarios if not s.get("reference"))
    metrics = ", ".join(target.get("metrics") or [])
    span = f"{reps[0]} to {reps[-1]}" if len(reps) > 1 else str(reps[0]) if reps else "?"
    return [f"Replications were chosen by the precision sweeper, not the study file: each scenario ran "
            f"{target.get('pilot')} first, then more until its paired 95% half-width on {metrics} was at most "
            f"±{target.get('half_width'):g} days (at most {target.get('max_replications')}); {met} of {asked} met it, "
            f"with {span} replications."]


def _manifests(multirun: Path) -> list[dict]:
    jobs = sorted((int(p.name), p) for p in multirun.iterdir() if p.is_dir() and p.name.isdigit())
    out = []
    for n, folder in jobs:
        try:
            m = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError):
            raise FindingsError(f"{folder / 'manifest.json'}: missing or unreadable; a finding needs every job's "
                                "record") from None
        problem = ("not a job record" if not isinstance(m, dict) else
                   "no start time (started_unix)" if not isinstance(m.get("started_unix"), (int, float)) else
                   "no overrides list" if not isinstance(m.get("overrides"), list) else
                   "no config" if not isinstance(m.get("config"), dict) else None)
        if problem:
            raise FindingsError(f"{folder / 'manifest.json'}: {problem}; a finding needs every job's whole record")
        out.append({**m, "job": n})
    if not out:
        raise FindingsError(f"{multirun}: no job folders; allowed: a multirun folder (results/multiruns/<name>)")
    return out


def _code(manifests: list[dict]) -> tuple[str, str]:
    """The one code hash the jobs ran, and where it was read from."""
    found: dict[str, str] = {}
    for m in manifests:
        code = commit_code(m["git_sha"]) if m.get("git_sha") and not m.get("git_dirty") else None
        if code is not None:  # the commit, hashed by today's rule (a rule that changes leaves no finding stale)
            found[code] = f"from commit {m['git_sha'][:12]}"
        elif m.get("model_code"):
            found[m["model_code"]] = "recorded by the jobs (uncommitted code)"
        else:
            raise FindingsError(f"job {m['job']} ran from uncommitted code and recorded no model_code, or its "
                                "commit is not in this repository: its model cannot be fingerprinted; rerun it")
    if len(found) > 1:
        raise FindingsError(f"the jobs ran {len(found)} versions of the model code (it changed during the study); "
                            "rerun the study with one")
    return next(iter(found.items()))


def _settings(config: dict) -> str:
    run = config.get("run") or {}
    parts = [f"{run.get('replications')} replications per job", f"horizon {run.get('horizon_years')} y",
             f"warm-up {run.get('warmup_years')} y", f"drain {run.get('drain_years')} y",
             "no settling" if run.get("settle_years") is None else f"settle {run.get('settle_years')} y",
             f"seed {config.get('seed')}"]
    if (config.get("uncertainty") or {}).get("point") is not None or "uncertainty" in str(config.get("study")):
        parts.append(f"{(config.get('uncertainty') or {}).get('points')} design points")
    if (config.get("reform") or {}).get("assume", "likely") != "likely":
        parts.append(f"reform.assume={config['reform']['assume']}")
    if config.get("study") == "breakeven":
        b = config.get("breakeven") or {}
        parts.append(f"target {b.get('target_days')} days of {b.get('metric')}")
    return ", ".join(parts)


SITTING_GAP = 600.0  # seconds with no job running: a study resumed later (run.resume=true) ran in another sitting


def sittings(manifests: Sequence[dict]) -> list[tuple[float, float]]:
    """(start, end) of each stretch of time in which some job of the study was running (unix seconds)."""
    spans: list[list[float]] = []
    for start, end in sorted((m["started_unix"], m["started_unix"] + (m.get("runtime_seconds") or 0))
                             for m in manifests):
        if spans and start <= spans[-1][1] + SITTING_GAP:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(a, b) for a, b in spans]


def make(multirun: Path, docs: Path = DOCS) -> Path:
    """Write the findings page of ``multirun`` into ``docs/findings``; its path."""
    multirun = Path(multirun)
    from sim.commands.report import make_report
    from sim.output.multirun import ReportError

    try:  # made again: the page's tables come from today's analysis code (a report is made from saved results)
        report = make_report(multirun)
    except ReportError as e:
        raise FindingsError(f"{multirun}: {e}") from None
    if report.get("status") != "complete":
        raise FindingsError(f"{multirun}: its report did not complete ({report.get('error')})")
    manifests = _manifests(multirun)
    code, source = _code(manifests)
    configs = [m.get("config") or {} for m in manifests]
    study = str(configs[0].get("study") or "baseline")
    if study == "baseline":  # a multirun without a study file: named by its folder, so pages do not overwrite
        study = multirun.name
    ends = [m["started_unix"] + (m.get("runtime_seconds") or 0) for m in manifests]
    spans = sittings(manifests)
    last = max(manifests, key=lambda m: m["started_unix"])  # a resumed study: its last command and question
    argv = last.get("argv") or []
    stamp: dict[str, Any] = {
        "study": study, "question": " ".join(str((last.get("config") or configs[0]).get("question") or "").split()),
        "made": _iso(dt.datetime.now(dt.timezone.utc).timestamp()),
        "run": {"started": _iso(min(m["started_unix"] for m in manifests)), "ended": _iso(max(ends)),
                "jobs": len(manifests), "complete": sum(m.get("status") == "complete" for m in manifests),
                "wall_minutes": sum(b - a for a, b in spans) / 60, "sittings": len(spans),
                "job_minutes": sum(m.get("runtime_seconds") or 0 for m in manifests) / 60,
                "cpus": os.cpu_count(), "settings": _settings(configs[0])},
        "command": " ".join(["python -m sim", *[a for a in argv[1:] if not a.startswith("hydra.sweep.dir")]]),
        "multirun": str(multirun), "fingerprint": fingerprint(code, analysis_code(), configs), "code": code,
        "analysis_code": analysis_code(), "code_source": source,
        "jobs": [{"overrides": m.get("overrides") or [], "settings": _digest(c)} for m, c in zip(manifests, configs)],
        "first_job_settings": numbers_config(configs[0]),
    }
    tables = {name: pd.read_csv(multirun / name) for name in TABLES if (multirun / name).is_file()}
    target = (report.get("precision") or {}).get("target") or {}
    stamp["metric"] = (list(target.get("metrics") or []) or ["lor_to_delivery"])[0]  # what the answer leads with
    stamp["caveats"] = caveats(tables, int((configs[0].get("run") or {}).get("replications") or 0))
    stamp["caveats"] += _unstable(multirun, manifests) + _precision(report.get("precision"))
    holes = (report.get("jobs") or {}).get("failed", 0) + (report.get("jobs") or {}).get("missing", 0)
    if holes:
        stamp["caveats"].insert(0, f"{holes} of {len(manifests)} jobs failed or never ran: the answer is from the "
                                   "others; rerun them (run.resume=true) before relying on it")
    out = Path(docs) / "findings"
    (out / study).mkdir(parents=True, exist_ok=True)
    captions = {f["path"]: f for f in report.get("figures") or []}
    figures: list[tuple[str, str, str]] = []
    # year by year only for a dated study (a reform enacted on a date, or a start from today's open cases): it asks
    # what happens year by year; a steady-state study asks about its cohort (its reforms always in effect)
    yearly = YEARLY_FIGURES if configs[0].get("start") or (configs[0].get("reform") or {}).get("effective") else ()
    for rel in (*STUDY_FIGURES, "figures/change_vs_reference.png", *yearly):  # the rest: report.html
        if rel.endswith("change_vs_reference.png") and figures:
            continue  # a study's own figure answers it (the change figure of dozens of design points does not)
        if (multirun / rel).is_file() and rel in captions:
            shutil.copyfile(multirun / rel, out / study / Path(rel).name)
            figures.append((captions[rel]["title"], f"{study}/{Path(rel).name}", captions[rel]["caption"]))
    shown = {Path(path).name for _, path, _ in figures}
    for old in (out / study).glob("*.png"):  # a figure an earlier page showed and this one does not
        if old.name not in shown:
            old.unlink()
    for name in (*tables, *KEPT):  # the tables behind the page, beside it: what a reader or the what-if page reads
        if (multirun / name).is_file():
            shutil.copyfile(multirun / name, out / study / name)
    write_json(out / f"{study}.json", stamp)
    page = out / f"{study}.md"
    write_text(page, render(stamp, tables, figures))
    check(docs)  # the index, and the page's status as of now
    return page


def _current(stamp: dict) -> tuple[bool, str]:
    """Whether a finding's fingerprint is today's, and if not, why."""
    from sim.sweep import job_config

    configs = [job_config(j["overrides"]) for j in stamp["jobs"]]
    code, analysis = working_code(), analysis_code()
    if fingerprint(code, analysis, configs) == stamp["fingerprint"]:
        return True, ""
    if code != stamp["code"]:
        return False, "the model code changed: run the study again"
    if analysis != stamp.get("analysis_code"):
        return False, ("the analysis code changed: make the page again from the saved multirun (python -m sim "
                       "findings make <multirun dir>)")
    changed = [f"job {n}" for n, (j, c) in enumerate(zip(stamp["jobs"], configs)) if j["settings"] != _digest(c)]
    keys = differences(stamp.get("first_job_settings") or {}, numbers_config(configs[0]))
    if keys:
        return False, f"settings changed: {'; '.join(keys[:4])}"
    if changed:
        return False, f"settings changed ({', '.join(changed[:4])})"
    return False, "the stamp's fingerprint does not match its own code and settings (edited?)"


def check(docs: Path = DOCS) -> list[tuple[str, bool, str]]:
    """Each finding's (study, current, why), with its page's status line and the index rewritten."""
    out = Path(docs) / "findings"
    if not out.is_dir():
        raise FindingsError(f"{out}: no findings folder; allowed: a docs folder holding findings/ (made by "
                            "python -m sim findings make <multirun> --docs <folder>)")
    found = []
    for path in sorted(out.glob("*.json")):
        try:
            stamp = json.loads(path.read_text())
            study = str(stamp["study"])
            overrides = [list(j["overrides"]) for j in stamp["jobs"]]
            if not all(isinstance(o, str) for job in overrides for o in job):
                raise TypeError("a job's overrides are not a list of words")
        except (ValueError, KeyError, TypeError, AttributeError) as e:  # an edited or foreign file: said, not trusted
            found.append((path.stem, False, f"unreadable stamp {path.name} ({type(e).__name__}: {e}); make the "
                                            "page again"))
            continue
        try:
            current, why = _current(stamp)
        except Exception as e:  # its jobs no longer compose (a removed key, a renamed study): stale, and why
            current, why = False, f"its jobs no longer compose today ({' '.join(str(e).split())})"
        found.append((study, current, why))
        page = path.with_suffix(".md")
        if page.is_file():
            lines = page.read_text().splitlines()
            lines = [status_line(current, why) if ln.startswith(STATUS) else ln for ln in lines]
            write_text(page, "\n".join(lines) + "\n")
    rows = [f"| [{s}]({s}.md) | {'current' if ok else 'stale: ' + why} |" for s, ok, why in found]
    write_text(out / "index.md", "\n".join(["# Findings", "", "Each page is generated from a saved study by "
                                            "`python -m sim findings make <multirun dir>`; `python -m sim findings "
                                            "check` marks those whose model changed since.", "",
                                            "| study | status |", "|---|---|", *rows, ""]))
    return found


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim findings",
                                     description="Findings pages for the docs, generated from saved studies.")
    sub = parser.add_subparsers(dest="what", required=True)
    m = sub.add_parser("make", help="write the findings page of a multirun (after its report)")
    m.add_argument("multirun_dir", type=Path)
    m.add_argument("--docs", type=Path, default=DOCS)
    c = sub.add_parser("check", help="mark the findings whose model changed since they were made")
    c.add_argument("--docs", type=Path, default=DOCS)
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        if args.what == "make":
            print(make(args.multirun_dir, args.docs))
            return 0
        found = check(args.docs)
    except FindingsError as e:
        print(f"fms-sim findings: error: {e}", file=sys.stderr)
        return 2
    for study, ok, why in found:
        print(f"{study}: {'current' if ok else 'stale: ' + why}")
    return 0 if all(ok for _, ok, _ in found) else 1


if __name__ == "__main__":
    sys.exit(main())
