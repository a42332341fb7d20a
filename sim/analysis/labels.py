"""The names a multirun's jobs are shown and matched by: the scenario without what every job shares, and a
distinct display label per job."""
from __future__ import annotations

from collections import Counter
from typing import Mapping, Sequence

from sim.model.reform import swept_only


def scenario_names(jobs: Sequence[Mapping]) -> dict[int, str]:
    """Each job's scenario without the overrides every job has (``sim.model.reform.swept_only``)."""
    names = swept_only([j.get("scenario") or "(scenario unknown)" for j in jobs],
                       [list(j.get("overrides") or []) for j in jobs])
    return {j["job"]: name for j, name in zip(jobs, names)}


def scenario_labels(jobs: Sequence[Mapping]) -> dict[int, str]:
    """A distinct display label per job: the scenario, plus what sets it apart if it is shared.

    Jobs that share a scenario name (:func:`scenario_names`; a sweep over a parameter that the name does not
    include, or over seeds) get, in brackets, their overrides that not every job with that name has, or
    ``(job N)`` if none; sensitivity-study points get ``(point N)``.
    """
    scen = scenario_names(jobs)
    groups: dict[str, list[set[str]]] = {}
    for j in jobs:
        groups.setdefault(scen[j["job"]], []).append(set(j.get("overrides") or []))
    out = {}
    for j in jobs:
        s = scen[j["job"]]
        if len(groups[s]) == 1:
            out[j["job"]] = s
            continue
        point = ((j.get("summary") or {}).get("sensitivity") or {}).get("point")
        if point is not None:
            out[j["job"]] = f"{s} (point {point})"
            continue
        common = set.intersection(*groups[s])
        own = [o for o in (j.get("overrides") or []) if o not in common]
        out[j["job"]] = f"{s} [{', '.join(own)}]" if own else f"{s} (job {j['job']})"
    # two jobs can still collide (identical overrides): fall back to the job number
    seen = Counter(out.values())
    return {k: (v if seen[v] == 1 else f"{v} (job {k})") for k, v in out.items()}
