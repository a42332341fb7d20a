"""One scenario's summary from blocks of its replications (a precision study runs a scenario in rounds).

Replication r draws the same random numbers whatever block it ran in, so the blocks of a scenario are pieces of
one larger run, and their tidy rows (``kpis.parquet``) concatenated are the rows of that run.  ``merge_summaries``
makes every section the rows hold from all the blocks' rows, with the functions that make a job's own summary
(``sim.analysis.kpi_summary``): lead times (medians and p90 from the merged 1-day counts; where cases are many,
within a day of those of the cases themselves), outcomes, open cases, pools and the unstable ones, workload,
fiscal years, LOA metric, stage times, yearly stage flows, the sampled series and the warm-up check on them, and
the replication numbers, end days and stage visits.  Nothing is rebuilt from half-widths.
"""
from __future__ import annotations

import copy
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from sim.analysis import kpi_summary
from sim.analysis.summary_schema import Summary
from sim.engine.clock import years as years_to_days

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


def merge_summaries(blocks: Sequence[Summary], kpis: Sequence[pd.DataFrame]) -> Summary:
    """The summary of one scenario from the summaries of blocks of its replications and their tidy rows (each
    block's ``kpis.parquet``, in the order of ``blocks``; blocks in any order)."""
    if not blocks:
        raise MergeError("no block to merge")
    if len(kpis) != len(blocks):
        raise MergeError(f"{len(blocks)} blocks but {len(kpis)} tables of rows")
    for key in SAME:
        values = {repr(b.get(key)) for b in blocks}
        if len(values) > 1:
            raise MergeError(f"blocks differ in {key} ({', '.join(sorted(values))}): not one scenario")
    runs = [{k: v for k, v in (b.get("run") or {}).items() if k not in BLOCK_KEYS} for b in blocks]
    if any(r != runs[0] for r in runs):
        raise MergeError("blocks differ in their run settings (horizon, warm-up, ...): not one scenario")
    ids = sorted(r for b in blocks for r in _ids(b))
    twice = sorted({r for r in ids if ids.count(r) > 1})
    if twice:
        raise MergeError(f"replication(s) {twice} appear in more than one block")
    if len(blocks) == 1:
        return blocks[0]  # a job's own summary (its medians exact, not from the 1-day counts)
    rows = kpi_summary.in_replication_order(pd.concat(list(kpis), ignore_index=True))
    if kpi_summary.replication_ids(rows) != ids:
        raise MergeError("the blocks' kpis.parquet rows are not of the replications their summaries list")
    first = min(blocks, key=lambda b: min(_ids(b), default=0))
    years = first.get("fiscal_years") or {}
    fiscal = list(years.get("fiscal_year") or [])
    start = int(fiscal[0]) if fiscal else int((first.get("run") or {}).get("start_fiscal_year") or 0)
    out: dict[str, Any] = copy.deepcopy(dict(first))
    window = first.get("window") or {}
    run = first.get("run") or {}
    warmup = float(window.get("warmup_day", years_to_days(run.get("warmup_years", 0.0))))
    horizon = float(window.get("horizon_day", years_to_days(run.get("horizon_years", 0.0))))
    out.update(kpi_summary.sections(rows, start, len(fiscal), warmup, horizon))
    out["replications"] = len(ids)
    out["run"] = {**(first.get("run") or {}), "first_replication": min(ids), "replications": len(ids)}
    out["merged"] = {"blocks": len(blocks)}
    return out  # type: ignore[return-value]


def merged_or_none(blocks: Sequence[Summary], kpis: Sequence[pd.DataFrame]) -> tuple[Optional[Summary], Optional[str]]:
    """(merged summary, None), or (None, the reason) when the blocks do not merge."""
    try:
        return merge_summaries(blocks, kpis), None
    except MergeError as e:
        return None, str(e)
