"""The benchmark report (issue 11): one command that measures, and writes ``benchmarks/RESULTS.md``.

1. Cost per stage visit against a bare SimPy model of the same shape (``bench_baseline.py``): the model with
   ``discipline: slots`` on every pool, and the default portfolio offices beside it.
2. Peak memory of one ``run.records=summary`` replication against its horizon (``bench_memory.py``).
3. Wall time and peak memory of ``experiment=reform_comparison`` with one and with two worker processes
   (``run.jobs``; the basic launcher runs its jobs one after another).
4. The time the precision sweeper takes to answer the reform comparison at +/-10 days on LOR to delivery, with
   the basic and the joblib launcher, and the floor: the time its stage visits would take at bare SimPy's rate.

Each step runs in a fresh process; peak memory is the largest resident set of any process of the step
(``getrusage(RUSAGE_CHILDREN)``).  The machine is named in the report, with the versions.  Usage::

    python benchmarks/bench_report.py                 # everything: about an hour on 2 cores
    python benchmarks/bench_report.py --quick         # a small version of every step, minutes: checks the script
    python benchmarks/bench_report.py --skip precision --skip memory
    python benchmarks/bench_report.py --study-replications 2     # reform_comparison with 2 replications per job
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

from bench_memory import peak_mb  # this folder: the same measurement of a process tree's peak

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "benchmarks"
REPORT = HERE / "RESULTS.md"
STEPS = ("visits", "memory", "study", "precision", "cached")
MARK, END = "<!-- cached states: benchmarks/bench_report.py --only cached -->", "<!-- end of cached states -->"
PACKAGES = ("simpy", "numpy", "scipy", "pandas", "pyarrow", "hydra-core", "hydra-joblib-launcher")


def measured(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB of the largest process) of ``cmd`` run from the project root."""
    mb, wall = peak_mb(cmd)
    return wall, mb


def study(tmp: Path, jobs: int, quick: bool, replications: Optional[int]) -> dict[str, Any]:
    extra = ["debug=tiny", "run.replications=2"] if quick else []
    if replications is not None:
        extra.append(f"run.replications={replications}")
    out = tmp / f"study_jobs{jobs}"
    wall, mb = measured([sys.executable, "-m", "sim", "-m", "experiment=reform_comparison", *extra,
                         f"run.jobs={jobs}", f"hydra.sweep.dir={out}"])
    summaries = sorted(out.glob("*/summary.json"))
    s = json.loads(summaries[0].read_text())
    return {"workers": jobs, "wall_s": round(wall, 1), "peak_mb": round(mb, 1), "jobs": len(summaries),
            "replications": s["replications"], "horizon_years": s["run"]["horizon_years"]}


def precision(tmp: Path, quick: bool, launcher: str) -> dict[str, Any]:
    extra = ["debug=tiny", "precision.max_replications=6"] if quick else []
    # basic: jobs one after another, two processes each; joblib: two jobs side by side, one process each
    how = (["run.jobs=2"] if launcher == "basic" else
           ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "run.jobs=1"])
    out = tmp / f"precision_{launcher}"
    wall, mb = measured([sys.executable, "-m", "sim", "-m", "experiment=reform_comparison", "hydra/sweeper=precision",
                         "precision.half_width=10", *extra, *how, f"hydra.sweep.dir={out}"])
    plan = json.loads((out / "precision_plan.json").read_text())
    reached = json.loads((out / "report.json").read_text())["precision"]
    # every stage visit the study simulated (each job's own summary: one block of one scenario's replications)
    visits = sum(sum(json.loads(f.read_text())["stage_visits_per_replication"]) for f in out.rglob("summary.json"))
    return {"launcher": launcher, "overrides": how, "wall_s": round(wall, 1), "peak_mb": round(mb, 1),
            "rounds": reached["rounds"], "replications": reached["replications_total"],
            "scenarios": len(reached["scenarios"]), "widest_half_width": reached["widest_half_width"],
            "met": reached["all_met"], "state": plan["status"], "half_width": reached["target"]["half_width"],
            "stage_visits": visits}


def cached(tmp: Path, quick: bool, settle: float) -> dict[str, Any]:
    """Issue 22's speed targets: the baseline ``python -m sim`` (within 60 s) and the precision reform comparison
    (within 120 s) without a cache of states, and with ``run.settle_years`` from an empty cache (cold: the first
    job that needs a state makes it) and again (warm: every state read from the cache)."""
    base = ["debug=tiny", "run.after_horizon=arrivals", "run.replications=2"] if quick else []
    prec = ["debug=tiny", "run.after_horizon=arrivals", "precision.max_replications=4"] if quick else []
    settle_q = min(settle, 0.25) if quick else settle
    out: dict[str, Any] = {"settle_years": settle_q, "runs": []}
    runs: list[tuple[str, str, list[str]]] = [
        ("baseline", "none", ["-m", "sim", *base]),
        ("baseline", "cold", ["-m", "sim", *base, f"run.settle_years={settle_q}"]),
        ("baseline", "warm", ["-m", "sim", *base, f"run.settle_years={settle_q}"]),
        ("precision reform comparison", "cold", ["-m", "sim", "-m", "experiment=reform_comparison",
                                                 "hydra/sweeper=precision", "precision.half_width=10", *prec,
                                                 "run.jobs=2", f"run.settle_years={settle_q}"]),
        ("precision reform comparison", "warm", ["-m", "sim", "-m", "experiment=reform_comparison",
                                                 "hydra/sweeper=precision", "precision.half_width=10", *prec,
                                                 "run.jobs=2", f"run.settle_years={settle_q}"]),
    ]
    for k, (what, states, args) in enumerate(runs):
        cache = tmp / f"state_cache_{what.split()[0]}"  # each command's cold run starts from an empty cache
        os.environ["FMS_SIM_CACHE"] = str(cache)
        folder = tmp / f"cached_{k}"
        where = f"hydra.sweep.dir={folder}" if "-m" in args[2:] else f"hydra.run.dir={folder}"
        print(f"  {what}, states {states} ...", flush=True)
        wall, mb = measured([sys.executable, *args, where])
        row = {"what": what, "states": states, "wall_s": round(wall, 1), "peak_mb": round(mb, 1)}
        report = folder / "report.json"
        if report.is_file() and "precision" in json.loads(report.read_text()):
            reached = json.loads(report.read_text())["precision"]
            row.update(replications=reached["replications_total"], widest=reached["widest_half_width"],
                       met=reached["all_met"])
        out["runs"].append(row)
    files = [f for f in tmp.glob("state_cache_*/**/*.parquet")]
    out["files"] = len(files)
    out["cache_mb"] = round(sum(f.stat().st_size for f in files) / 2**20, 1)
    return out


def cached_markdown(c: dict[str, Any]) -> str:
    lines = [MARK, "## Cached states: the baseline and the precision reform comparison (issue 22)", "",
             f"`run.settle_years={c['settle_years']:g}`: every scenario starts from the cached exact state of the "
             "scenario without its reform (`sim/state_cache.py`); the reference starts at the warm-up's end. "
             "`none`: no cache (each scenario warms up itself); `cold`: from an empty cache (the first job that "
             "needs a state makes it; each command has a cache of its own); `warm`: the same command again, every "
             f"state read from the cache. The caches held {c['files']} state files, {c['cache_mb']:g} MB.", "",
             "| run | states | wall (s) | peak RSS (MB) | replications, all scenarios | widest half-width (days) "
             "| target |", "|---|---|---|---|---|---|---|"]
    for r in c["runs"]:
        target = 60 if r["what"] == "baseline" else 120
        reps = r.get("replications", "-")
        widest = "-" if r.get("widest") is None else f"{r['widest']:.1f}"
        lines.append(f"| {r['what']} | {r['states']} | {r['wall_s']:.0f} | {r['peak_mb']:.0f} | {reps} | {widest} | "
                     f"{target} s: {r['wall_s'] / target:.1f} times |")
    return "\n".join([*lines, "", END]) + "\n"


def merge_section(report: Path, section: str) -> None:
    """Put ``section`` in place of the cached-states section of ``report`` (or at its end), keeping the rest."""
    text = report.read_text() if report.is_file() else ""
    if MARK in text and END in text:
        head, rest = text.split(MARK, 1)
        text = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    report.write_text(text)


def floor_s(visits: int, data: dict[str, Any], cores: int = 2) -> Optional[float]:
    """Seconds ``visits`` stage visits take on ``cores`` cores at the faster bare SimPy model's rate measured in this
    report (``visits`` step): what the study would cost if fms-sim's machinery cost nothing on top of SimPy."""
    v = data.get("visits")
    if not v:
        return None
    rate = max(v["variants"][k]["visits_per_cpu_s"] for k in ("bare_simpy", "bare_simpy_rare_gc"))
    return visits / rate / cores


def machine() -> dict[str, Any]:
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = "-"
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "python": platform.python_version(),
            "platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(), "load_at_start": load,
            "versions": versions}


def markdown(data: dict[str, Any]) -> str:
    """The report, from what ``main`` measured (a pure function of ``data``)."""
    m = data["machine"]
    lines = [
        "# fms-sim benchmark report", "",
        f"Measured {m['utc']} with `python benchmarks/bench_report.py{' ' + data['args'] if data['args'] else ''}`"
        + (" (small runs on `debug=tiny`, to check the script: not the figures of record)" if "--quick" in
           data["args"] else "")
        + f" on {m['cores']} cores ({m['cpu'] or 'cpu not reported'}), {m['platform']}, Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".",
        f"Load average when it started: {m['load_at_start']:.2f}. The machine may be shared: seconds drift from run "
        "to run; ratios measured in the same run are the figures to compare." if m["load_at_start"] is not None
        else "", "",
    ]
    v = data.get("visits")
    if v:
        r, var = v["ratio_fms_over_bare"], v["variants"]
        lines += [
            "## Cost per stage visit against a bare SimPy model of the same shape", "",
            f"One replication, {v['horizon_years']:g}-year horizon and {v['drain_years']:g}-year drain, median of "
            f"{v['reps']} repeats (`benchmarks/bench_baseline.py`). The bare model has the same LOR rate, stages, "
            "rework loops, amendments and modifications, on plain `simpy.Resource` pools.", "",
            "| model | stage visits | visits per case | median s | visits/s | / bare | by CPU time "
            "| / bare with the same collector setting |",
            "|---|---|---|---|---|---|---|---|",
        ]
        names = {"bare_simpy": "bare SimPy", "bare_simpy_rare_gc": "bare SimPy with fms-sim's collector setting",
                 "fms_model_slots": "fms-sim, `discipline: slots` on every pool",
                 "fms_model_portfolio": "fms-sim, portfolio offices (default)",
                 "fms_replication": "fms-sim replication with its result tables"}
        rare = v.get("ratio_fms_over_bare_rare_gc", {})
        for k, label in names.items():
            x = var.get(k)
            if not x:
                continue
            ratio = r.get(k, {"visits_per_s": 1.0, "visits_per_cpu_s": 1.0})
            like = f"{rare[k]['visits_per_s']:.3f}" if k in rare else "-"
            lines.append(f"| {label} | {x['visits']:,} | {x['visits_per_case']:.2f} | {x['median_s']:.2f} | "
                         f"{x['visits_per_s']:,.0f} | {ratio['visits_per_s']:.3f} | {ratio['visits_per_cpu_s']:.3f} | "
                         f"{like} |")
        c = v["portfolio_over_slots"]
        lines += ["", f"Cost of a stage visit, portfolio offices over slot pools: "
                  f"{c['seconds_per_visit_portfolio_over_slots']:.2f} (by CPU time "
                  f"{c['cpu_per_visit_portfolio_over_slots']:.2f}). Target (issue 11): slots at least 0.77 of bare.",
                  ""]
    mem = data.get("memory")
    if mem:
        base = mem["imports_only_mb"]
        lines += ["## Peak memory of one replication against its horizon", "",
                  f"`run.records=summary`, one replication in one process (`benchmarks/bench_memory.py`); importing "
                  f"the stack alone peaks at {base:.0f} MB.", "",
                  "| horizon (years) | stage visits | cohort cases | peak RSS (MB) | wall (s) |",
                  "|---|---|---|---|---|"]
        for x in mem["runs"]:
            lines.append(f"| {x['horizon_years']:g} | {x['stage_visits']:,} | {x['cohort_cases']:,.0f} | "
                         f"{x['peak_mb']:.0f} | {x['wall_s']:.0f} |")
        runs = mem["runs"]
        if len(runs) >= 2:
            lines += ["", f"Longest minus shortest horizon: {runs[-1]['peak_mb'] - runs[0]['peak_mb']:+.0f} MB "
                      "(target, issue 11: within 100 MB for 60 against 5 years)."]
        lines.append("")
    st = data.get("study")
    if st:
        lines += ["## `experiment=reform_comparison`, one and two worker processes", "",
                  "Basic launcher (jobs one after another); each job runs its replications over `run.jobs` "
                  "processes. Peak memory is the largest process.", "",
                  "| workers (`run.jobs`) | jobs | replications per job | horizon (years) | wall (s) | peak RSS (MB) |",
                  "|---|---|---|---|---|---|"]
        for x in st:
            lines.append(f"| {x['workers']} | {x['jobs']} | {x['replications']} | {x['horizon_years']:g} | "
                         f"{x['wall_s']:.0f} | {x['peak_mb']:.0f} |")
        if len(st) == 2:
            lines += ["", f"Speed-up with two workers: {st[0]['wall_s'] / st[1]['wall_s']:.2f}x."]
        lines.append("")
    runs = data.get("precision")
    if isinstance(runs, dict):  # a report saved before both launchers were measured
        runs = [runs]
    if runs:
        lines += ["## The precision sweeper on the reform comparison", "",
                  "`python -m sim -m experiment=reform_comparison hydra/sweeper=precision precision.half_width=10`: "
                  "every reform's paired change in LOR to delivery against the baseline to +/-10 days; the basic "
                  "launcher runs the jobs one after another (`run.jobs=2`), joblib two side by side "
                  "(`run.jobs=1`).", "",
                  "| launcher | wall (s) | peak RSS (MB) | rounds | scenarios | replications, all scenarios "
                  "| stage visits | widest paired half-width (days) | every reform within the target | status |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for p in runs:
            hw = "-" if p["widest_half_width"] is None else f"{p['widest_half_width']:.1f}"
            visits = f"{p['stage_visits']:,}" if p.get("stage_visits") else "-"
            lines.append(f"| {p.get('launcher', 'basic')} | {p['wall_s']:.0f} | {p['peak_mb']:.0f} | {p['rounds']} | "
                         f"{p['scenarios']} | {p['replications']} | {visits} | {hw} | {'yes' if p['met'] else 'no'} | "
                         f"{p['state']} |")
        best = min(runs, key=lambda p: p["wall_s"])
        lines += ["", f"Target (issue 11): at most 120 s on 2 cores; the faster launcher took {best['wall_s']:.0f} s, "
                  f"{best['wall_s'] / 120:.1f} times that."]
        floor = floor_s(best["stage_visits"], data) if best.get("stage_visits") else None
        if floor is not None:
            lines += ["", f"**Floor:** the {best['stage_visits']:,} stage visits of that study would take "
                      f"{floor:.0f} s on 2 cores at the faster bare SimPy model's CPU rate above (a model whose own "
                      f"machinery cost nothing on top of SimPy), {floor / 120:.1f} times the target, before any "
                      "job's start-up, summary or figures."]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small versions of every step (checks the script)")
    ap.add_argument("--skip", action="append", default=[], choices=STEPS, help="leave out a step (repeatable)")
    ap.add_argument("--out", type=Path, default=REPORT, help=f"where the Markdown goes (default {REPORT})")
    ap.add_argument("--study-replications", type=int, default=None,
                    help="replications per job of reform_comparison (default: the study's own, 10)")
    ap.add_argument("--only", choices=["cached"], default=None,
                    help="measure only this step and replace its section of the report in place, keeping the rest")
    ap.add_argument("--settle-years", type=float, default=5.0, help="run.settle_years of the cached step")
    ap.add_argument("--update", action="store_true",
                    help="keep the steps left out from the last report (results/benchmarks/bench_report.json)")
    args = ap.parse_args(argv)
    given = list(argv if argv is not None else sys.argv[1:])
    shown = " ".join(a for i, a in enumerate(given)
                     if not a.startswith("--out") and not (i and given[i - 1] == "--out"))
    last = RESULTS / "bench_report.json"
    data: dict[str, Any] = json.loads(last.read_text()) if args.update and last.is_file() else {}
    data.update({"machine": machine(), "args": shown})
    if args.only == "cached":
        with tempfile.TemporaryDirectory() as tmp_name:
            print("cached states ...", flush=True)
            data["cached"] = cached(Path(tmp_name), args.quick, args.settle_years)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "bench_cached.json").write_text(json.dumps(data, indent=2) + "\n")
        merge_section(args.out, cached_markdown(data["cached"]))
        print(f"wrote the cached-states section of {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if "visits" not in args.skip:
            print("cost per stage visit ...", flush=True)
            h = ["--horizon-years", "1", "--reps", "1"] if args.quick else ["--horizon-years", "6", "--reps", "3"]
            measured([sys.executable, str(HERE / "bench_baseline.py"), *h])
            data["visits"] = json.loads((RESULTS / "bench_baseline.json").read_text())
            save(data, args.out)
        if "memory" not in args.skip:
            print("memory against the horizon ...", flush=True)
            h = ["--horizons", "2", "4", "--warmup-years", "1"] if args.quick else ["--horizons", "5", "60"]
            measured([sys.executable, str(HERE / "bench_memory.py"), *h])
            data["memory"] = json.loads((RESULTS / "bench_memory.json").read_text())
            save(data, args.out)
        if "study" not in args.skip:
            data["study"] = []
            for jobs in (1, 2):
                print(f"reform_comparison, run.jobs={jobs} ...", flush=True)
                data["study"].append(study(tmp, jobs, args.quick, args.study_replications))
                save(data, args.out)
        if "precision" not in args.skip:
            data["precision"] = []
            for launcher in ("basic", "joblib"):
                print(f"precision sweeper, {launcher} launcher ...", flush=True)
                data["precision"].append(precision(tmp, args.quick, launcher))
                save(data, args.out)
        if "cached" not in args.skip:
            print("cached states ...", flush=True)
            data["cached"] = cached(tmp, args.quick, args.settle_years)
            save(data, args.out)
    save(data, args.out)
    print(f"wrote {args.out}")
    return 0


def save(data: dict[str, Any], out: Path) -> None:
    """Write what is measured so far (a long report interrupted keeps its finished steps)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_report.json").write_text(json.dumps(data, indent=2) + "\n")
    text = markdown(data)
    if "cached" in data:
        text = text.rstrip("\n") + "\n\n" + cached_markdown(data["cached"])
    out.write_text(text)


if __name__ == "__main__":
    sys.exit(main())
