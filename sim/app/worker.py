"""``python -m sim.app.worker <folder>``: one confirmation, in a process of its own (the page stays responsive).

The folder holds ``spec.json`` (the reference's and the scenario's overrides, ``sim.app.choices.run_overrides``).
Both are composed through the config bridge (``sim.config``) and run replication by replication from their cached
start states (``sim.runner.run_replications``; the states are made once and kept, ``sim.state_cache``); after each
replication ``progress.json`` says how far it is, and at the end ``result.json`` holds, per lead time, the paired
change against the reference with its 95% Student-t interval (``sim.analysis.comparison.paired_differences``: the
same pairing on seed and replication number as ``comparison.csv``), the seed and the replications.  A failure
writes ``error.json`` (one line); SIGTERM stops the run and its worker processes.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.comparison import id_ranges, paired_differences
from sim.analysis.intervals import mean_ci
from sim.app.paths import MEASURES


def write(path: Path, data: Any) -> None:
    """``data`` as JSON at ``path``, whole or not at all (the page reads it while this process writes)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, default=str))
    os.replace(tmp, path)


def paired(reference: pd.DataFrame, scenario: pd.DataFrame) -> dict[str, Any]:
    """Per lead time the paired change of ``scenario``'s tidy rows against ``reference``'s (``sim.job.kpis_of``),
    with its interval, the reference's mean, and the pairs' seed and replications."""
    rows = []
    for job, kpis in ((0, reference), (1, scenario)):
        picked = kpis[kpis["metric"].isin(MEASURES)]
        rows.append(pd.DataFrame({"job": job, "metric": picked["metric"], "seed": picked["seed"],
                                  "replication": picked["replication"], "value": picked["value"]}))
    reps = pd.concat(rows, ignore_index=True).astype({"seed": "int64", "replication": "int64", "value": "float64"})
    diffs = paired_differences(reps, 0).set_index(["job", "metric"])
    out: dict[str, Any] = {}
    for m in MEASURES:
        ref = reps[(reps["job"] == 0) & (reps["metric"] == m)]
        d = diffs.loc[(1, m)] if (1, m) in diffs.index else None
        out[m] = {"reference_mean": mean_ci(ref["value"].tolist())["mean"],
                  **({k: (None if pd.isna(d[k]) else float(d[k])) for k in
                      ("diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_n", "diff_pct")}
                     if d is not None else {"diff_mean": None, "diff_n": 0})}
    return {"measures": out, "seed": int(reps["seed"].iloc[0]) if len(reps) else None,
            "replications": id_ranges(reps["replication"].tolist())}


def run(folder: Path) -> int:
    from sim.config import compose_config, to_scenario
    from sim.job import kpis_of
    from sim.runner import run_replications, stop_on_signals

    started = time.monotonic()
    spec = json.loads((folder / "spec.json").read_text())
    try:
        with stop_on_signals():
            runs = {name: to_scenario(compose_config(spec[name])) for name in ("reference", "scenario")}
            total = sum(sc.given.run.replications for sc in runs.values())
            done = 0
            kpis = {}
            write(folder / "progress.json", {"done": 0, "total": total, "running": "reference"})
            for name, sc in runs.items():
                def tick(n: int, name: str = name) -> None:
                    nonlocal done
                    done += n
                    write(folder / "progress.json", {"done": done, "total": total, "running": name})

                kpis[name] = kpis_of(sc, run_replications(sc, progress=tick))
            result = paired(kpis["reference"], kpis["scenario"])
            result.update(seconds=time.monotonic() - started, reference=spec["reference"], scenario=spec["scenario"],
                          start_days={name: sc.start_day for name, sc in runs.items()})
            write(folder / "result.json", result)
    except BaseException as e:  # a stop (SIGTERM) too: the page says what ended it
        write(folder / "error.json", {"error": f"{type(e).__name__}: {e}".strip()})
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m sim.app.worker <folder with spec.json>", file=sys.stderr)
        sys.exit(2)
    sys.exit(run(Path(sys.argv[1])))
