"""Pure statistics: tables in, numbers out.  No I/O, no plotting, no simulation.

Lead times are measured on the *cohort*: cases whose LOR arrives between the end of the
warm-up and the horizon.  The run then drains, and each lead time is reported with its
``censored_share``: the share of cohort cases (for which the milestone applies) that have
neither reached it nor been withdrawn when the drain ends.  Intervals are 95% Student-t
intervals across replication means; medians and 90th percentiles pool the cohort cases of
all replications.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from sim.engine.clock import DAYS_PER_YEAR
from sim.model.process import STAGES

LEAD_TIMES = {
    "lor_to_offer": "loa_offered",
    "lor_to_contract": "contract_awarded",
    "lor_to_delivery": "delivered",
}
HIST_BIN_DAYS = 30.0


def mean_ci(values: Sequence[float], level: float = 0.95) -> dict:
    """Mean and Student-t interval of independent replication values (NaNs dropped)."""
    x = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    n = len(x)
    if n == 0:
        return {"mean": None, "ci_low": None, "ci_high": None, "half_width": None, "n": 0}
    m = float(x.mean())
    if n < 2:
        return {"mean": m, "ci_low": None, "ci_high": None, "half_width": None, "n": 1}
    hw = float(sps.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / math.sqrt(n))
    return {"mean": m, "ci_low": m - hw, "ci_high": m + hw, "half_width": hw, "n": n}


def applies(cases: pd.DataFrame, milestone: str) -> pd.Series:
    """Cases for which a milestone exists at all (stock items are never put on contract)."""
    if milestone == "contract_awarded":
        return cases["acquisition"] != "stock"
    return pd.Series(True, index=cases.index)


def lead_time_summary(cases: pd.DataFrame, name: str, milestone: str) -> dict:
    """Summary of one lead time over the cohort of every replication in ``cases``."""
    cohort = cases[cases["in_cohort"]]
    cohort = cohort[applies(cohort, milestone)]
    days = cohort[milestone] - cohort["lor_received"]
    reached = days.notna()
    censored = (~reached) & cohort["withdrawn"].isna()
    per_rep = []
    per_rep_censored = []
    for r in sorted(cases["replication"].unique()):
        sel = cohort["replication"] == r
        d = days[sel & reached]
        per_rep.append(float(d.mean()) if len(d) else math.nan)
        n = int(sel.sum())
        per_rep_censored.append(float(censored[sel].sum() / n) if n else math.nan)
    ci = mean_ci(per_rep)
    pooled = days[reached].to_numpy()
    return {
        "name": name,
        "milestone": milestone,
        **ci,
        "median": float(np.median(pooled)) if len(pooled) else None,
        "p90": float(np.quantile(pooled, 0.9)) if len(pooled) else None,
        "censored_share": float(censored.sum() / len(cohort)) if len(cohort) else None,
        "cases": int(len(cohort)),
        "reached": int(reached.sum()),
        "per_replication": [None if math.isnan(v) else v for v in per_rep],
        "per_replication_censored_share": [None if math.isnan(v) else v for v in per_rep_censored],
        "histogram": histogram(pooled),
    }


def histogram(days: np.ndarray, bin_days: float = HIST_BIN_DAYS) -> dict:
    """Counts in fixed-width bins starting at 0 (pooled cohort cases)."""
    if len(days) == 0:
        return {"bin_days": bin_days, "edges": [0.0], "counts": []}
    nbins = int(math.ceil(max(days.max(), bin_days) / bin_days))
    edges = np.arange(nbins + 1) * bin_days
    counts, _ = np.histogram(days, bins=edges)
    return {"bin_days": bin_days, "edges": edges.tolist(), "counts": counts.astype(int).tolist()}


def stage_totals(cases: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
    """Per replication and stage: summed wait, work and visits of cohort cases, and the cohort size.

    Computed per replication where the visits are at hand, so that visits need not be kept.
    """
    cohort = cases.loc[cases["in_cohort"], ["replication", "case_id"]]
    n = cohort.groupby("replication").size().rename("cohort")
    v = visits.merge(cohort, on=["replication", "case_id"], how="inner")
    v = v.assign(wait=v["started"] - v["arrived"], work=v["finished"] - v["started"],
                 pool=v["pool"].str.replace(r"^line:.*$", "line:*", regex=True))
    g = v.groupby(["replication", "stage", "pool"], sort=False)
    out = g[["wait", "work"]].sum().join(g.size().rename("visits")).reset_index()
    return out.merge(n.reset_index(), on="replication", how="left")


def stage_flow(visits: pd.DataFrame) -> pd.DataFrame:
    """Per replication, stage and simulation year: visits that arrived and that finished."""
    year_a = (visits["arrived"] // DAYS_PER_YEAR).astype("int64")
    year_f = (visits["finished"] // DAYS_PER_YEAR).astype("int64")
    keys = [visits["replication"], visits["stage"]]
    a = visits.groupby([*keys, year_a.rename("year")]).size().rename("arrivals")
    f = visits.groupby([*keys, year_f.rename("year")]).size().rename("completions")
    return pd.concat([a, f], axis=1).fillna(0).astype("int64").reset_index()


def yearly_flow(flow: pd.DataFrame, last_year: int) -> dict:
    """{stage: {year, arrivals, completions, ratio}}: means over replications, years 0..last_year-1.

    A ratio below 1 year after year means work arrives faster than it is done: a growing backlog.
    """
    nrep = flow["replication"].nunique()
    out = {}
    g = flow.groupby(["stage", "year"])[["arrivals", "completions"]].sum() / max(nrep, 1)
    present = set(flow["stage"].astype(str).unique().tolist())
    for stage in [s for s in STAGES if s in present]:
        t = g.loc[stage].reindex(range(last_year), fill_value=0.0)
        arr, comp = t["arrivals"].tolist(), t["completions"].tolist()
        out[stage] = {"year": list(range(last_year)), "arrivals": arr, "completions": comp,
                      "ratio": [c / a if a else None for a, c in zip(arr, comp)]}
    return out


def mser5(series: Sequence[float]) -> int:
    """MSER-5 truncation point: the number of leading observations to delete.

    Batches of 5 observations; the truncation d (in batches, searched over the first half) minimises
    the squared standard error of the mean of the remaining batches (White 1997; Franklin & White 2008).
    """
    x = np.asarray(series, dtype=float)
    nb = len(x) // 5
    if nb < 4:
        return 0
    b = x[: nb * 5].reshape(nb, 5).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(nb // 2 + 1):
        rest = b[d:]
        stat = rest.var() / len(rest)
        if stat < best - 1e-12:
            best, best_d = stat, d
    return best_d * 5


def warmup_check(days: Sequence[float], in_process: Sequence[float], warmup: float, horizon: float) -> dict:
    """MSER-5 on the series of cases in process (LOR received, not yet delivered or withdrawn) up to the
    horizon, against the warm-up actually used.  That is the part of the system the lead times
    measure; closure, which only keeps cases open, does not enter."""
    d = np.asarray(days, dtype=float)
    y = np.asarray(in_process, dtype=float)
    keep = d < horizon
    d, y = d[keep], y[keep]
    cut = mser5(y)
    truncation = float(d[cut]) if cut < len(d) else float(horizon)
    return {"method": "MSER-5 on cases in process before delivery (mean of replications)",
            "truncation_day": truncation,
            "warmup_day": warmup, "adequate": bool(truncation <= warmup)}


def unstable_pools(pools: list[dict], utilisation_limit: float = 0.98, served_limit: float = 0.97,
                   min_growth: float = 10.0) -> list[str]:
    """Pools whose queue grows over the cohort window: nearly always busy, or starting clearly fewer
    cases than arrive (share below ``served_limit`` and a queue that grew by more than ``min_growth``)."""
    out = []
    for p in pools:
        busy = (p["utilisation"]["mean"] or 0) >= utilisation_limit
        growth = p.get("queue_growth", {}).get("mean") or 0
        lagging = p.get("served_share") is not None and p["served_share"] < served_limit and growth > min_growth
        if busy or lagging:
            out.append(p["pool"])
    return out


def stage_times(totals: pd.DataFrame, replications: Sequence[int]) -> list[dict]:
    """Per stage: mean wait and work per cohort case (visits summed per case), with intervals over replications.

    A stage that a replication's cohort never visited counts as zero for that replication.
    """
    out = []
    present = set(totals["stage"].astype(str).unique().tolist())
    for stage in [s for s in STAGES if s in present]:
        t = totals[totals["stage"] == stage].groupby("replication")[["wait", "work", "visits", "cohort"]].agg(
            {"wait": "sum", "work": "sum", "visits": "sum", "cohort": "first"})
        t = t.reindex(list(replications))
        cohort = t["cohort"].fillna(totals.groupby("replication")["cohort"].first().reindex(list(replications)))
        per_case = t[["wait", "work", "visits"]].fillna(0.0).div(cohort, axis=0)
        pools = sorted(set(totals.loc[totals["stage"] == stage, "pool"].astype(str).tolist()))
        out.append({
            "stage": stage,
            "pool": ", ".join(p.replace("line:*", "production lines") for p in pools),
            "wait_per_case": mean_ci(per_case["wait"].tolist()),
            "work_per_case": mean_ci(per_case["work"].tolist()),
            "visits_per_case": float(per_case["visits"].mean()),
        })
    return out


def pool_window_stats(windows: pd.DataFrame, start: str = "warmup", end: str = "horizon") -> list[dict]:
    """Utilisation, mean queue and throughput of each pool between two snapshots, with intervals."""
    a = windows[windows["at"] == start].set_index(["replication", "pool"])
    b = windows[windows["at"] == end].set_index(["replication", "pool"])
    d = (b[["day", "queue_area", "busy_area", "capacity_area", "requests", "starts", "releases"]]
         - a[["day", "queue_area", "busy_area", "capacity_area", "requests", "starts", "releases"]])
    out = []
    for pool in list(dict.fromkeys(windows["pool"])):
        dp = d.xs(pool, level="pool")
        util = (dp["busy_area"] / dp["capacity_area"]).tolist()
        queue = (dp["queue_area"] / dp["day"]).tolist()
        cap = b.xs(pool, level="pool")["capacity"].tolist()
        out.append({
            "pool": pool,
            "capacity": int(cap[0]) if cap else None,
            "utilisation": mean_ci(util),
            "mean_queue": mean_ci(queue),
            "starts_per_year": mean_ci((dp["starts"] / dp["day"] * 365.25).tolist()),
            "served_share": float(dp["starts"].sum() / dp["requests"].sum()) if dp["requests"].sum() else None,
            "queue_growth": mean_ci((dp["requests"] - dp["starts"]).tolist()),  # cases, warm-up to horizon
            "per_replication_utilisation": util,
        })
    return out


def open_cases_at(cases: pd.DataFrame, day: float) -> pd.Series:
    """Open cases (LOR received, not yet closed or withdrawn) at ``day``, per replication."""
    end = cases["closed"].fillna(cases["withdrawn"])
    is_open = (cases["lor_received"] <= day) & ~(end <= day)
    return is_open.groupby(cases["replication"]).sum()


def open_cases_series(cases: pd.DataFrame, days: Sequence[float],
                      until: Sequence[str] = ("closed", "withdrawn")) -> list[float]:
    """Mean over replications of the cases open at each day: LOR received and none of the ``until``
    milestones reached (same rule as ``open_cases_at``).  ``until=("delivered", "withdrawn")`` counts
    the cases still in process before delivery."""
    days_arr = np.asarray(days, dtype=float)
    reps = sorted(cases["replication"].unique().tolist())
    total = np.zeros(len(days_arr))
    for r in reps:
        c = cases[cases["replication"] == r]
        start = np.sort(c["lor_received"].to_numpy(dtype=float))
        end = c[until[0]]
        for col in until[1:]:
            end = end.fillna(c[col])
        end = end.to_numpy(dtype=float)
        end = np.sort(end[~np.isnan(end)])
        total += np.searchsorted(start, days_arr, side="right") - np.searchsorted(end, days_arr, side="right")
    return (total / max(len(reps), 1)).tolist()


def queue_series(pools: pd.DataFrame) -> dict:
    """Mean over replications of each pool's sampled queue, busy share: {pool: {day, queue, busy}}."""
    g = pools.groupby(["pool", "day"], sort=False)[["queue", "busy", "capacity"]].mean().reset_index()
    out = {}
    for pool in list(dict.fromkeys(pools["pool"])):
        p = g[g["pool"] == pool]
        out[pool] = {"day": p["day"].tolist(), "queue": p["queue"].tolist(),
                     "busy": p["busy"].tolist(), "capacity": p["capacity"].tolist()}
    return out


def outcome_counts(cases: pd.DataFrame) -> dict:
    """Cohort outcomes per replication and their means."""
    cohort = cases[cases["in_cohort"]]
    reps = sorted(cases["replication"].unique())
    res = {}
    for outcome in ("delivered", "withdrawn", "in_progress"):
        per = [int(((cohort["replication"] == r) & (cohort["outcome"] == outcome)).sum()) for r in reps]
        res[outcome] = {**mean_ci(per), "per_replication": per}
    per_n = [int((cohort["replication"] == r).sum()) for r in reps]
    res["cohort"] = {**mean_ci(per_n), "per_replication": per_n}
    per_notified = [float(cohort.loc[cohort["replication"] == r, "notified"].mean()) for r in reps]
    res["notified_share"] = {**mean_ci(per_notified), "per_replication": per_notified}
    return res


def summarise(cases: pd.DataFrame, totals: pd.DataFrame, pools: pd.DataFrame, windows: pd.DataFrame,
              warmup: float, horizon: float, flow: Optional[pd.DataFrame] = None,
              sample_days: Optional[Sequence[float]] = None) -> dict:
    """Everything ``summary.json`` holds, from the combined replication tables."""
    open_h = open_cases_at(cases, horizon)
    days = sorted(pools["day"].unique().tolist()) if sample_days is None else list(sample_days)
    open_series = open_cases_series(cases, days)
    in_process = open_cases_series(cases, days, until=("delivered", "withdrawn"))
    pool_stats = pool_window_stats(windows)
    return {
        "lead_times": {name: lead_time_summary(cases, name, m) for name, m in LEAD_TIMES.items()},
        "cases": outcome_counts(cases),
        "open_cases_at_horizon": {**mean_ci(open_h.tolist()), "per_replication": [int(x) for x in open_h]},
        "pools": pool_stats,
        "unstable": unstable_pools(pool_stats),
        "warmup_check": warmup_check(days, in_process, warmup, horizon),
        "yearly_flow": {} if flow is None else yearly_flow(flow, int(math.ceil(horizon / DAYS_PER_YEAR))),
        "stages": stage_times(totals, sorted(cases["replication"].unique().tolist())),
        "series": {"day": days, "open_cases": open_series, "in_process": in_process, "pools": queue_series(pools)},
        "window": {"warmup_day": warmup, "horizon_day": horizon},
    }
