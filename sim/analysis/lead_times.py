"""Lead times and outcomes of the cohort.

Lead times are measured on the *cohort*: cases whose LOR arrives between the end of the warm-up and the
horizon.  The run then drains, and each lead time is reported with its ``censored_share``: the share of
cohort cases (for which the milestone applies) that have neither reached it nor been withdrawn when the
drain ends.  Intervals are 95% Student-t intervals across replication means; medians and 90th
percentiles pool the cohort cases of all replications.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.analysis.summary_schema import DayCounts, Histogram, LeadTime, Outcomes

HIST_BIN_DAYS = 30.0


def applies(cases: pd.DataFrame, milestone: str) -> pd.Series:
    """Cases for which a milestone exists at all (stock items are never put on contract)."""
    if milestone == "contract_awarded":
        return cases["acquisition"] != "stock"
    return pd.Series(True, index=cases.index)


def _replications(cases: pd.DataFrame, replications: Optional[Sequence[int]]) -> list[int]:
    """Those given (a replication may have no case at all, and must keep its place), else those in ``cases``."""
    return sorted(int(r) for r in (cases["replication"].unique() if replications is None else replications))


def lead_time_summary(cases: pd.DataFrame, name: str, milestone: str,
                      replications: Optional[Sequence[int]] = None) -> LeadTime:
    """Summary of one lead time over the cohort of every replication (``per_replication`` in replication order,
    None for a replication with no case that reached it, so paired comparisons stay aligned)."""
    cohort = cases[cases["in_cohort"]]
    cohort = cohort[applies(cohort, milestone)]
    days = cohort[milestone] - cohort["lor_received"]
    reached = days.notna()
    censored = (~reached) & cohort["withdrawn"].isna()
    per_rep = []
    per_rep_censored = []
    for r in _replications(cases, replications):
        sel = cohort["replication"] == r
        d = days[sel & reached]
        per_rep.append(float(d.mean()) if len(d) else math.nan)
        n = int(sel.sum())
        per_rep_censored.append(float(censored[sel].sum() / n) if n else math.nan)
    return lead_time_record(name, milestone, [None if math.isnan(v) else v for v in per_rep],
                            [None if math.isnan(v) else v for v in per_rep_censored], days[reached].to_numpy(),
                            int(len(cohort)), int(censored.sum()))


def lead_time_record(name: str, milestone: str, per_replication: Sequence[Optional[float]],
                     per_replication_censored: Sequence[Optional[float]], pooled: np.ndarray, cases: int,
                     censored: int) -> LeadTime:
    """A lead time's summary from its per-replication means and censored shares (None where a replication has
    none), the reached values of every replication pooled, and the cohort cases and censored ones in all."""
    return {
        "name": name,
        "milestone": milestone,
        **mean_ci(per_replication),
        "median": float(np.median(pooled)) if len(pooled) else None,
        "p90": float(np.quantile(pooled, 0.9)) if len(pooled) else None,
        "censored_share": censored / cases if cases else None,
        "cases": cases,
        "reached": int(len(pooled)),
        "per_replication": list(per_replication),
        "per_replication_censored_share": list(per_replication_censored),
        "censored": censored,
        "histogram": histogram(pooled),
        "day_counts": day_counts(pooled),
    }


def histogram(days: np.ndarray, bin_days: float = HIST_BIN_DAYS) -> Histogram:
    """Counts in fixed-width bins starting at 0 (pooled cohort cases)."""
    if len(days) == 0:
        return {"bin_days": bin_days, "edges": [0.0], "counts": []}
    nbins = int(math.ceil(max(days.max(), bin_days) / bin_days))
    edges = np.arange(nbins + 1) * bin_days
    counts, _ = np.histogram(days, bins=edges)
    return {"bin_days": bin_days, "edges": edges.tolist(), "counts": counts.astype(int).tolist()}


def day_counts(days: np.ndarray) -> DayCounts:
    """Counts per whole day, from the first day that has a case to the last (pooled cohort cases)."""
    if len(days) == 0:
        return {"first_day": 0, "counts": []}
    whole = np.floor(np.asarray(days, dtype=float)).astype(np.int64)
    first = int(whole.min())
    return {"first_day": first, "counts": np.bincount(whole - first).astype(int).tolist()}


def merge_day_counts(parts: Sequence[DayCounts]) -> DayCounts:
    """The day counts of the union of the cases behind ``parts``."""
    parts = [p for p in parts if p["counts"]]
    if not parts:
        return {"first_day": 0, "counts": []}
    first = min(p["first_day"] for p in parts)
    total = np.zeros(max(p["first_day"] + len(p["counts"]) for p in parts) - first, dtype=np.int64)
    for p in parts:
        total[p["first_day"] - first: p["first_day"] - first + len(p["counts"])] += np.asarray(p["counts"])
    return {"first_day": first, "counts": total.tolist()}


def day_counts_quantile(counts: DayCounts, q: float) -> Optional[float]:
    """The q-quantile of the cases behind ``counts``, spread evenly within each day.  None without cases.

    Where the cases are many (thousands a replication, as in every study), within a day of the exact quantile of
    the values themselves (``np.quantile``); with few, the two can differ by up to the gap between the neighbouring
    cases (a breaker measured 19 days at 5 cases), since the exact one interpolates between them."""
    c = np.asarray(counts["counts"], dtype=float)
    n = c.sum()
    if n == 0:
        return None
    cum = np.cumsum(c)
    k = int(np.searchsorted(cum, q * n, side="left"))
    k = min(k, len(c) - 1)
    before = cum[k] - c[k]
    frac = (q * n - before) / c[k] if c[k] else 0.0
    return float(counts["first_day"] + k + min(max(frac, 0.0), 1.0))


def outcome_counts(cases: pd.DataFrame, replications: Optional[Sequence[int]] = None) -> Outcomes:
    """Cohort outcomes per replication and their means (a replication without cases counts as zeros)."""
    cohort = cases[cases["in_cohort"]]
    reps = _replications(cases, replications)
    res = {}
    for outcome in ("delivered", "withdrawn", "in_progress"):
        per = [int(((cohort["replication"] == r) & (cohort["outcome"] == outcome)).sum()) for r in reps]
        res[outcome] = {**mean_ci(per), "per_replication": per}
    per_n = [int((cohort["replication"] == r).sum()) for r in reps]
    res["cohort"] = {**mean_ci(per_n), "per_replication": per_n}
    # of partner-funded cases: BPC cases are not sales under 36(b), so they cannot be notified
    fms = cohort[cohort["funding"] == "fms"] if "funding" in cohort else cohort
    per_notified = [float(fms.loc[fms["replication"] == r, "notified"].mean()) for r in reps]
    res["notified_share"] = {**mean_ci(per_notified), "per_replication": per_notified}
    return res
