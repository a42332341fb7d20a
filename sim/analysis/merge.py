"""One scenario's summary from blocks of its replications (a precision study runs a scenario in rounds).

Replication r draws the same random numbers whatever block it ran in, so the blocks of a scenario are
pieces of one larger run.  ``merge_summaries`` rebuilds what the report compares from them:

* every lead time: the per-replication values (in replication order) and their interval, the case counts,
  the censored share, the 30-day histogram, and the median and p90 from the merged 1-day counts (within a
  day of the median of all the cases themselves);
* the open cases at the horizon and the cohort outcomes, from their per-replication values;
* the stage times, merged exactly from each block's mean, interval and count (the sums of values and of
  squares are recovered from them);
* the replication numbers, the per-replication end days and stage visits, the unstable pools (any block).

Every other section (pools, flows, fiscal years, workload, LOA metric, series, warm-up check) is the
first block's: the merged summary lists them under ``merged.sections_from_first_block``.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Mapping, Optional, Sequence

import numpy as np
from scipy import stats as sps

from sim.analysis.intervals import mean_ci
from sim.analysis.lead_times import day_counts_quantile, merge_day_counts
from sim.analysis.summary_schema import Histogram, Interval, LeadTime, Summary

MERGED_SECTIONS = ("lead_times", "open_cases_at_horizon", "cases", "stages", "replications", "replication_ids",
                   "end_day_per_replication", "stage_visits_per_replication", "unstable", "run")
# keys that must agree between blocks: otherwise they are not blocks of one scenario
SAME = ("scenario", "seed", "reforms", "levers", "study", "reference")
BLOCK_KEYS = ("first_replication", "replications")  # run keys that differ between blocks


class MergeError(ValueError):
    """The summaries are not blocks of one scenario (different settings, or a replication twice)."""


def _ids(s: Mapping) -> list[int]:
    ids = s.get("replication_ids")
    if ids is None:
        raise MergeError("a block's summary has no replication_ids (written before blocks could be merged)")
    return [int(r) for r in ids]


def merge_intervals(parts: Sequence[Mapping[str, Any]], level: float = 0.95) -> Interval:
    """The interval of all the values behind ``parts`` (each a mean, half-width and n over replications).

    Exact: a block's sum is n * mean and its sum of squares (n - 1) s^2 + n mean^2, with s from the
    half-width (s = half_width * sqrt(n) / t).  Parts without values (n = 0) are left out."""
    total = ss = 0.0
    n = 0
    for p in parts:
        k = int(p.get("n") or 0)
        if k == 0 or p.get("mean") is None:
            continue
        m = float(p["mean"])
        s2 = 0.0
        if k >= 2:
            hw = float(p.get("half_width") or 0.0)
            s2 = (hw * math.sqrt(k) / float(sps.t.ppf(0.5 + level / 2, k - 1))) ** 2
        total += k * m
        ss += (k - 1) * s2 + k * m * m
        n += k
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "half_width": None, "n": 0}
    mean = total / n
    if n == 1:
        return {"mean": mean, "ci_low": None, "ci_high": None, "half_width": None, "n": 1}
    var = max(ss - n * mean * mean, 0.0) / (n - 1)
    hw = float(sps.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(var / n)
    return {"mean": mean, "ci_low": mean - hw, "ci_high": mean + hw, "half_width": hw, "n": n}


def merge_histograms(parts: Sequence[Histogram]) -> Histogram:
    """Counts of fixed-width bins from 0, summed (the bin width must agree)."""
    widths = {float(p["bin_days"]) for p in parts}
    if len(widths) != 1:
        raise MergeError(f"histograms with different bin widths: {sorted(widths)}")
    width = widths.pop()
    n = max(len(p["counts"]) for p in parts)
    if n == 0:
        return {"bin_days": width, "edges": [0.0], "counts": []}
    counts = np.zeros(n, dtype=np.int64)
    for p in parts:
        counts[: len(p["counts"])] += np.asarray(p["counts"], dtype=np.int64)
    return {"bin_days": width, "edges": (np.arange(n + 1) * width).tolist(), "counts": counts.tolist()}


def _merge_lead_time(parts: Sequence[LeadTime]) -> LeadTime:
    out: dict[str, Any] = copy.deepcopy(dict(parts[0]))
    per = [v for p in parts for v in p["per_replication"]]
    out.update(mean_ci(per))
    out["per_replication"] = per
    out["per_replication_censored_share"] = [v for p in parts for v in p["per_replication_censored_share"]]
    out["cases"] = sum(int(p["cases"]) for p in parts)
    out["reached"] = sum(int(p["reached"]) for p in parts)
    censored = sum(int(p.get("censored", round((p.get("censored_share") or 0.0) * p["cases"]))) for p in parts)
    out["censored"] = censored
    out["censored_share"] = censored / out["cases"] if out["cases"] else None
    out["histogram"] = merge_histograms([p["histogram"] for p in parts])
    if all("day_counts" in p for p in parts):
        days = merge_day_counts([p["day_counts"] for p in parts])
        out["day_counts"] = days
        out["median"] = day_counts_quantile(days, 0.5)
        out["p90"] = day_counts_quantile(days, 0.9)
    else:  # blocks written before day counts existed: no pooled quantile can be had
        out["median"] = out["p90"] = None
    return out  # type: ignore[return-value]


def _merge_series(parts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    per = [v for p in parts for v in p["per_replication"]]
    return {**mean_ci(per), "per_replication": per}


def _merge_stages(blocks: Sequence[Summary]) -> list[dict[str, Any]]:
    order: dict[str, None] = {}
    for b in blocks:
        for st in b.get("stages") or []:
            order.setdefault(st["stage"], None)
    out = []
    for stage in order:
        parts = [st for b in blocks for st in b.get("stages") or [] if st["stage"] == stage]
        merged: dict[str, Any] = copy.deepcopy(dict(parts[0]))
        for key, value in parts[0].items():
            if isinstance(value, dict) and "half_width" in value:
                merged[key] = merge_intervals([p[key] for p in parts if key in p])
        weights = [int((p.get("work_per_case") or {}).get("n") or 0) for p in parts]
        if sum(weights):
            merged["visits_per_case"] = float(np.average([p["visits_per_case"] for p in parts], weights=weights))
        out.append(merged)
    return out


def merge_summaries(blocks: Sequence[Summary]) -> Summary:
    """The summary of one scenario from the summaries of blocks of its replications (any order)."""
    if not blocks:
        raise MergeError("no block to merge")
    blocks = sorted(blocks, key=lambda b: min(_ids(b), default=0))
    if len(blocks) == 1:
        return blocks[0]
    for key in SAME:
        values = {repr(b.get(key)) for b in blocks}
        if len(values) > 1:
            raise MergeError(f"blocks differ in {key} ({', '.join(sorted(values))}): not one scenario")
    runs = [{k: v for k, v in (b.get("run") or {}).items() if k not in BLOCK_KEYS} for b in blocks]
    if any(r != runs[0] for r in runs):
        raise MergeError("blocks differ in their run settings (horizon, warm-up, ...): not one scenario")
    ids = [r for b in blocks for r in _ids(b)]
    twice = sorted({r for r in ids if ids.count(r) > 1})
    if twice:
        raise MergeError(f"replication(s) {twice} appear in more than one block")
    out: dict[str, Any] = copy.deepcopy(dict(blocks[0]))
    out["lead_times"] = {name: _merge_lead_time([b["lead_times"][name] for b in blocks])
                         for name in blocks[0]["lead_times"]}
    out["open_cases_at_horizon"] = _merge_series([b["open_cases_at_horizon"] for b in blocks])
    out["cases"] = {k: _merge_series([b["cases"][k] for b in blocks]) for k in blocks[0]["cases"]}
    out["stages"] = _merge_stages(blocks)
    out["replications"] = len(ids)
    out["replication_ids"] = ids
    out["end_day_per_replication"] = [v for b in blocks for v in b.get("end_day_per_replication") or []]
    out["stage_visits_per_replication"] = [v for b in blocks for v in b.get("stage_visits_per_replication") or []]
    out["unstable"] = list(dict.fromkeys(p for b in blocks for p in b.get("unstable") or []))
    out["run"] = {**(blocks[0].get("run") or {}), "first_replication": min(ids), "replications": len(ids)}
    first: dict[str, Any] = dict(blocks[0])
    kept = [k for k, v in first.items() if isinstance(v, (dict, list))
            and k not in MERGED_SECTIONS and k not in ("reforms", "levers", "sensitivity")]
    out["merged"] = {"blocks": len(blocks), "sections_from_first_block": kept}
    return out  # type: ignore[return-value]


def merged_or_none(blocks: Sequence[Summary]) -> tuple[Optional[Summary], Optional[str]]:
    """(merged summary, None), or (None, the reason) when the blocks do not merge."""
    try:
        return merge_summaries(blocks), None
    except MergeError as e:
        return None, str(e)
