"""Which job every job of a multirun is compared with: pure functions of job records (no file is read here).

The reference label is ``--reference`` if given, else the ``reference`` key of the summaries, else ``"none"``; its
job is the lowest-numbered complete job with that label, one per seed, and when the reference ran with other swept
values, one per (seed, other values).  Without such a job, the first complete job's scenario is the reference
(and the note says so).  A job pairs only with a reference of its own seed: pairs need the same random streams.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Optional, Sequence

from sim.analysis.labels import scenario_labels, scenario_names

DEFAULT_REFERENCE = "none"


@dataclass(frozen=True)
class Reference:
    """The scenario every job is compared with."""

    label: str
    job: Optional[int]      # the job whose replications are the reference; None if no job has the label
    source: str             # "--reference", "summaries", "default" or "first job"
    note: Optional[str]     # said in the report (label not found, ambiguous, ...)
    by_seed: Mapping[int, int] = field(default_factory=dict)  # seed -> the reference job run with that seed
    by_job: Mapping[int, int] = field(default_factory=dict)  # complete job -> the job it is paired with


def complete_jobs(jobs: Iterable[Mapping]) -> list[Mapping]:
    """The jobs that completed and have a summary, in their order."""
    return [j for j in jobs if j.get("status") == "complete" and j.get("summary") is not None]


def sensitivity_factors(jobs: Sequence[Mapping]) -> list[str]:
    """The factor names of a sensitivity study, in first-seen order (empty if none)."""
    names: dict[str, None] = {}
    for j in complete_jobs(jobs):
        sens = j["summary"].get("sensitivity") or {}
        for k in (sens.get("factors") or {}):
            names.setdefault(str(k), None)
    return list(names)


def seed_of(summary: Mapping) -> int:
    """A summary's seed (-1 if it has none, as summaries written before seeds were recorded)."""
    seed = summary.get("seed")
    return int(seed) if isinstance(seed, (int, float)) and seed == seed else -1


def resolve_reference(jobs: Sequence[Mapping], requested: Optional[str] = None) -> Reference:
    """Which label is the reference, and which job carries it.

    The label: ``requested`` if given, else the summaries' ``reference`` key (the most common
    one if they disagree), else ``"none"``.  The job: the lowest-numbered complete job whose
    scenario (or display label) is that label, and for each seed the lowest such job run with it (a job
    pairs only with a reference run with its own seed).  When no job has a label that was not asked for by
    name, the reference is the first complete job, and the note says so.
    """
    ok = complete_jobs(jobs)
    notes = []
    if requested:
        label, source = requested, "--reference"
    else:
        keys = [j["summary"]["reference"] for j in ok if j["summary"].get("reference")]
        if keys:
            label, source = Counter(keys).most_common(1)[0][0], "summaries"
            if len(set(keys)) > 1:
                notes.append(f"the summaries name different references ({', '.join(sorted(set(keys)))}); "
                             f"using the most common, '{label}'")
        else:
            label, source = DEFAULT_REFERENCE, "default"
    labels, names = scenario_labels(jobs), scenario_names(jobs)
    matches = [j["job"] for j in ok if label in (j.get("scenario"), names[j["job"]])] or \
              [j["job"] for j in ok if labels[j["job"]] == label]
    crossed = [j["job"] for j in ok if names[j["job"]].startswith(label + " ")] if not matches else []
    if crossed and len(crossed) < len(ok) and source != "--reference" and not sensitivity_factors(jobs):
        return _crossed(label, source, crossed, ok, notes)
    if not matches:
        failed = [j["job"] for j in jobs if j.get("scenario") == label and j.get("status") != "complete"]
        why = f" (job {failed[0]} has it but failed)" if failed else ""
        # asked for by name, nothing complete, or a sensitivity study (its answer is the rank correlations; a
        # change against one arbitrary design point answers no question): no reference
        if source == "--reference" or not ok or sensitivity_factors(jobs):
            notes.append(f"no completed job has the reference scenario '{label}'{why}, so no changes "
                         "against a reference are shown")
            return Reference(label, None, source, "; ".join(notes) or None)
        first = min(j["job"] for j in ok)  # and the jobs of its scenario run with other seeds, one per seed
        notes.append(f"no completed job has the reference scenario '{label}'{why}; changes are measured against "
                     f"the first job's scenario, '{names[first]}' (job {first})")
        label, source = names[first], "first job"
        matches = [j["job"] for j in ok if names[j["job"]] == label]
    seeds = {j["job"]: seed_of(j["summary"]) for j in ok}
    by_seed: dict[int, int] = {}
    for job in matches:
        by_seed.setdefault(seeds[job], job)
    if len(matches) > len(by_seed):
        notes.append(f"{len(matches)} jobs have the scenario label '{label}' (jobs "
                     f"{', '.join(map(str, matches))}); job {matches[0]} is the reference"
                     + (" (for each seed, the first job run with it)" if len(by_seed) > 1 else ""))
    unpaired = sorted(job for job, seed in seeds.items() if seed not in by_seed)
    if unpaired:
        notes.append(f"no reference job was run with the seed of job(s) {', '.join(map(str, unpaired))}, so they "
                     "have no paired change (pairs need the same seed and replication)")
    by_job = {job: by_seed[seed] for job, seed in seeds.items() if seed in by_seed}
    return Reference(label, matches[0], source, "; ".join(notes) or None, by_seed, by_job)


def _context(job: Mapping) -> frozenset[str]:
    """A job's overrides other than its reform and seed: the values it shares with its reference."""
    return frozenset(o for o in job.get("overrides") or [] if not o.lstrip("+~").startswith(("reform=", "seed=")))


def _crossed(label: str, source: str, crossed: list[int], ok: list[Mapping], notes: list[str]) -> Reference:
    """The reference scenario run with other swept values (``-m reform=none,X other=1,2``): each job is paired
    with the reference job of its own values and seed, never with one of other values."""
    key = {j["job"]: (seed_of(j["summary"]), _context(j)) for j in ok}
    by_key: dict[tuple, int] = {}
    for job in crossed:
        by_key.setdefault(key[job], job)
    by_job = {job: by_key[k] for job, k in key.items() if k in by_key}
    notes.append(f"'{label}' ran with other swept values: each job is compared with the '{label}' job of its own "
                 f"values and seed (jobs {', '.join(map(str, sorted(set(by_job.values()))))})")
    unpaired = sorted(set(key) - set(by_job))
    if unpaired:
        notes.append(f"no '{label}' job ran with the values and seed of job(s) {', '.join(map(str, unpaired))}, so "
                     "they have no paired change")
    by_seed: dict[int, int] = {}
    for job in crossed:
        by_seed.setdefault(key[job][0], job)
    return Reference(label, crossed[0], source, "; ".join(notes), by_seed, by_job)
