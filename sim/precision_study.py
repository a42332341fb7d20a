"""A precision study run in rounds: the part of the precision sweeper that knows fms-sim, without Hydra.

``hydra/sweeper=precision`` (the plugin in ``hydra_plugins/fms_sim_precision``) expands the study's
scenarios as the basic sweeper does, then hands them to :class:`PrecisionStudy`, which

1. runs every scenario's pilot (replications 0..pilot-1) as one job per scenario;
2. reads the jobs' tidy rows (``kpis.parquet``) and, per scenario, the paired change against the reference on each
   ``precision.metrics`` lead time (pairs matched on replication numbers);
3. plans the next round with :func:`sim.analysis.precision.plan_round`: a job per scenario still wider than
   ``precision.half_width``, for replications ``done .. wanted-1`` (``run.first_replication`` and
   ``run.replications`` appended to the scenario's overrides), and the reference up to the most any scenario
   has; until every target is met or every short scenario is at ``precision.max_replications``.

Before each round it writes ``precision_plan.json`` in the sweep folder: the target, the scenarios with
their jobs, replications and precision so far, and every round's jobs.  The report
(:mod:`sim.commands.report`) reads it to merge each scenario's blocks; a resumed study (``run.resume=true``) plans
the same rounds again, since every block's results are the same, and skips the jobs already complete.
Job numbers run on across rounds: the pilot of scenario i is job i.
"""
from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from sim.analysis.kpis import per_replication, select
from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.precision import Block, Precision, Target, paired_precision, plan_round
from sim.config import ConfigError
from sim.output.multirun import PLAN_FILE, SWEEPER, read_job
from sim.output.run_dir import write_json

# overrides the sweeper sets on every job: a user's value would be replaced, so the pre-check refuses them
BLOCK_KEYS = ("run.replications", "run.first_replication")
_BLOCK_RE = re.compile(r"^[+~]*run\.(replications|first_replication)=")


def target_of(precision: Any) -> Target:
    """The ``precision`` config node (or Params.precision) as a checked Target; ConfigError naming the key."""
    half_width = float(precision.half_width)
    metrics = tuple(dict.fromkeys(str(m) for m in precision.metrics))  # each once
    pilot, most = int(precision.pilot), int(precision.max_replications)
    if not half_width > 0:
        raise ConfigError(f"precision.half_width={precision.half_width}; allowed: a number of days > 0")
    bad = [m for m in metrics if m not in LEAD_TIMES]
    if not metrics or bad:
        raise ConfigError(f"precision.metrics={list(metrics)}; allowed: a non-empty list of "
                          f"{', '.join(LEAD_TIMES)}")
    if pilot < 3:
        raise ConfigError(f"precision.pilot={pilot}; allowed: an integer >= 3 (a pilot of fewer replications "
                          "says too little about the spread)")
    if most < pilot:
        raise ConfigError(f"precision.max_replications={most}; allowed: an integer >= precision.pilot ({pilot})")
    return Target(half_width, metrics, pilot, most)


def scenario_overrides(job: Sequence[str]) -> list[str]:
    """A job's overrides without the block keys the sweeper sets."""
    return [o for o in job if not _BLOCK_RE.match(o)]


def block_overrides(scenario: Sequence[str], block: Block) -> list[str]:
    return [*scenario_overrides(scenario), f"run.first_replication={block.first}", f"run.replications={block.count}"]


def pilot_jobs(scenarios: Sequence[Sequence[str]], target: Target) -> list[list[str]]:
    """The overrides of the first round's jobs (what the pre-check validates)."""
    return [block_overrides(s, Block(i, 0, target.pilot)) for i, s in enumerate(scenarios)]


def reference_index(labels: Sequence[str], reference: str) -> int:
    """The scenario whose label is the study's reference; ConfigError if none."""
    if reference in labels:
        return list(labels).index(reference)
    raise ConfigError(f"reference={reference!r}: no scenario of the sweep has this label, so no paired change "
                      f"can be measured; allowed: one of {', '.join(repr(x) for x in labels)} (set it on the "
                      "command line, quoted if it has spaces: \"reference='none staffing.scale=...'\")")


def check_scenarios(labels: Sequence[str], reference: str) -> None:
    """A precision study needs at least one scenario to compare with the reference, and labels that tell its
    scenarios apart (its plan and its report name them by label)."""
    twice = sorted({x for x in labels if list(labels).count(x) > 1})
    if twice:
        raise ConfigError(f"scenario label(s) {', '.join(repr(x) for x in twice)} name more than one job of the sweep "
                          "(a swept key that does not change the scenario, such as run.* keys); allowed: a sweep "
                          "whose scenarios differ")
    if len(labels) < 2:
        raise ConfigError(f"the sweep has only the reference scenario ({reference!r}): a precision study needs at "
                          "least one scenario to compare with it; allowed: a sweep of two or more scenarios, such as "
                          "reform=none,more_staff")


class PrecisionStudy:
    """Rounds of jobs until every scenario's paired change is as precise as asked (see the module docstring).

    ``launch(batch, first_job)`` runs a list of jobs (each a list of overrides) as job numbers
    first_job, first_job + 1, ...; ``validate(batch)`` raises ConfigError for a job that cannot run."""

    def __init__(self, sweep_dir: Path, scenarios: Sequence[Sequence[str]], labels: Sequence[str],
                 reference: str, target: Target) -> None:
        self.sweep_dir = Path(sweep_dir)
        self.scenarios = [scenario_overrides(s) for s in scenarios]
        self.labels = list(labels)
        self.reference = reference_index(self.labels, reference)
        self.target = target
        self.done = [0] * len(self.scenarios)
        self.jobs: list[list[int]] = [[] for _ in self.scenarios]  # job numbers of each scenario's blocks
        self.failed: dict[int, str] = {}  # scenario -> why it stopped
        self.precision: list[dict[str, Precision]] = [{} for _ in self.scenarios]
        self.rounds: list[list[dict[str, Any]]] = []
        self.next_job = 0
        self.stopped: Optional[str] = None  # why the rounds stopped before the targets were settled

    def run(self, launch: Callable[[list[list[str]], int], None],
            validate: Callable[[list[list[str]]], None] = lambda batch: None) -> dict[str, Any]:
        blocks = [Block(i, 0, self.target.pilot) for i in range(len(self.scenarios))]
        while blocks:
            batch = [block_overrides(self.scenarios[b.scenario], b) for b in blocks]
            try:
                validate(batch)
            except ConfigError as e:  # the pre-check tried the largest block; should a round still fail, stop
                self.stopped = f"round {len(self.rounds) + 1} could not run: {e}"
                break
            self.rounds.append([{"job": self.next_job + k, "scenario": b.scenario, "first": b.first,
                                 "count": b.count, "overrides": batch[k]} for k, b in enumerate(blocks)])
            for k, b in enumerate(blocks):
                self.jobs[b.scenario].append(self.next_job + k)
            self.write("running")
            launch(batch, self.next_job)
            self.next_job += len(batch)
            for b in blocks:
                self.done[b.scenario] = b.first + b.count
            self.observe()
            blocks = self.plan()
        return self.write("complete")

    def values(self, scenario: int) -> Optional[dict[str, dict[int, Optional[float]]]]:
        """Per metric, the value of every replication the scenario ran; None if a block failed (reason kept)."""
        out: dict[str, dict[int, Optional[float]]] = {m: {} for m in self.target.metrics}
        for job in self.jobs[scenario]:
            rec = read_job(self.sweep_dir / str(job))
            if rec["status"] != "complete":
                self.failed[scenario] = f"job {job} failed: {rec.get('error')}"
                return None
            try:
                rows = _row_values(Path(rec["path"]), self.target.metrics)
            except (OSError, ValueError) as e:  # pyarrow's errors on a damaged file are ValueErrors
                self.failed[scenario] = f"job {job}: kpis.parquet cannot be read: {type(e).__name__}: {e}"
                return None
            for m in self.target.metrics:
                if rows is not None:  # the record: the job's tidy rows
                    out[m].update(rows[m])
                else:  # a folder written before kpis.parquet existed: its summary's lists, the same numbers
                    s = rec["summary"]
                    out[m].update(zip((int(r) for r in s.get("replication_ids") or []),
                                      s["lead_times"][m]["per_replication"]))
        return out

    def observe(self) -> None:
        ref = self.values(self.reference)
        for i in range(len(self.scenarios)):
            if i == self.reference or i in self.failed:
                continue
            vals = self.values(i)
            if vals is None or ref is None:
                continue
            self.precision[i] = {m: paired_precision(vals[m], ref[m]) for m in self.target.metrics}

    def plan(self) -> list[Block]:
        if self.reference in self.failed:
            return []  # nothing can be paired any more
        live = [i for i in range(len(self.scenarios)) if i not in self.failed]
        blocks, _ = plan_round([self.done[i] for i in live], [self.precision[i] for i in live],
                               live.index(self.reference), self.target)
        return [Block(live[b.scenario], b.first, b.count) for b in blocks]

    def status(self, i: int) -> str:
        if i in self.failed:
            return "failed"
        if i == self.reference:
            return "reference"
        prec = self.precision[i]
        if prec and all(p.met(self.target.half_width) for p in prec.values()):
            return "met"
        return "short at max_replications" if self.done[i] >= self.target.max_replications else "short"

    def record(self, status: str) -> dict[str, Any]:
        scen = []
        for i, overrides in enumerate(self.scenarios):
            scen.append({
                "scenario": i, "label": self.labels[i], "overrides": overrides, "replications": self.done[i],
                "jobs": self.jobs[i], "status": self.status(i), "error": self.failed.get(i),
                "precision": {m: {"half_width": p.half_width, "pairs": p.pairs,
                                  "met": p.met(self.target.half_width)} for m, p in self.precision[i].items()},
            })
        others = [s for s in scen if s["status"] != "reference"]
        target = {**asdict(self.target), "metrics": list(self.target.metrics)}
        return {"sweeper": SWEEPER, "status": status, "target": target, "stopped": self.stopped,
                "reference": {"label": self.labels[self.reference], "scenario": self.reference},
                "met": status == "complete" and bool(others) and all(s["status"] == "met" for s in others),
                "scenarios": scen, "rounds": self.rounds}

    def write(self, status: str) -> dict[str, Any]:
        rec = self.record(status)
        self.sweep_dir.mkdir(parents=True, exist_ok=True)
        write_json(self.sweep_dir / PLAN_FILE, rec)
        return rec


def _row_values(job_dir: Path, metrics: Sequence[str]) -> Optional[dict[str, dict[int, Optional[float]]]]:
    """Per metric, each replication's value in a job's ``kpis.parquet``; None for a folder without the file (older
    than the tidy rows); ValueError for rows that are not one run's."""
    path = job_dir / "kpis.parquet"
    if not path.is_file():
        return None
    import pandas as pd

    rows = pd.read_parquet(path)
    return {m: dict(zip((int(r) for r in select(rows, m)["replication"]), per_replication(rows, m)))
            for m in metrics}
