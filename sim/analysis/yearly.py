"""Year-by-year answers: each measure per fiscal year, per scenario, with its interval across replications and its
paired change against the reference (``yearly.csv``; the trajectory figure draws it).

The measures (``YEARLY``) are rows of ``kpis.parquet`` keyed by fiscal year (``sim.analysis.year_tally``, and the
``fiscal.*`` flows); a fiscal year is reported when it ends by the horizon.  Lead times come two ways, as DSCA and
GAO report them: by the fiscal year of the LOR (late years censored: ``reached_share`` says how many of its cases
had got there when the run ended) and by the fiscal year the milestone came (early years selected).  A pure
function of rows: tested on hand-made ones.
"""
from __future__ import annotations

import math
from typing import Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis.comparison import Reference, paired_differences
from sim.analysis.intervals import mean_ci
from sim.analysis.kpis import METRICS
from sim.analysis.year_tally import full_years
from sim.engine.clock import DAYS_PER_YEAR

# the trajectory figure's panels, in order, then the other measures of the table
TRAJECTORY = ("year.open_cases", "year.in_process", "year.undelivered_value", "year.loas_accepted",
              "fiscal.notified", "year.by_lor.lor_to_offer", "year.by_lor.lor_to_delivery",
              "year.by_end.lor_to_delivery")
YEARLY = (*TRAJECTORY, "fiscal.loas_offered", "fiscal.value_accepted", "fiscal.value_delivered",
          "year.by_lor.lor_to_contract", "year.by_end.lor_to_offer",
          "year.by_end.lor_to_contract", "year.office_load", "year.office_backlog")
COLUMNS = ["job", "label", "metric", "office", "fiscal_year", "unit", "mean", "ci_low", "ci_high", "half_width",
           "n_reps", "reached_share", "reference", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_half_width",
           "diff_n", "diff_pct"]
SEP = "|"


def reported_years(summaries: Mapping[int, Mapping]) -> dict[str, Optional[int]]:
    """The fiscal years a study's year-by-year table covers: from the first that begins after every job's warm-up
    to the last that ends by every job's horizon (``yearly_table``'s ``first_year`` and ``last_year``)."""
    runs = [s["run"] for s in summaries.values() if s and s.get("run")]
    if not runs:
        return {"first_year": None, "last_year": None}
    start = min(int(r["start_fiscal_year"]) for r in runs)
    first = max(int(r["start_fiscal_year"]) + int(math.ceil(float(r["warmup_years"]) - 1e-9)) for r in runs)
    last = min(int(r["start_fiscal_year"]) + full_years(float(r["horizon_years"]) * DAYS_PER_YEAR) - 1 for r in runs)
    return {"first_year": max(first, start), "last_year": last}


def effective_fiscal_years(summaries: Mapping[int, Mapping]) -> dict[int, float]:
    """Per job whose reforms are dated, the fiscal year (fractional: 2026.5 is 1 April 2026) they take effect (a job
    without a lever, the reference ``none``, has no date to show)."""
    out = {}
    for job, s in summaries.items():
        e = (s or {}).get("enactment") or {}
        if e.get("effective_year") is not None and (s or {}).get("levers"):
            out[job] = float(s["run"]["start_fiscal_year"]) + float(e["effective_year"])
    return out


def _replication_values(kpis: Mapping[int, pd.DataFrame], last_year: Optional[int]) -> pd.DataFrame:
    """One row per (job, measure key, seed, replication): the key is ``metric|office|fiscal year``."""
    parts = []
    for job, rows in kpis.items():
        mine = rows[rows["metric"].isin(YEARLY + tuple(f"{m}.reached_share" for m in YEARLY))]
        if last_year is not None:
            mine = mine[mine["fiscal_year"] <= last_year]
        key = (mine["metric"] + SEP + mine["office"].fillna("").astype(str) + SEP
               + mine["fiscal_year"].astype("int64").astype(str))
        parts.append(pd.DataFrame({"job": np.int64(job), "metric": key, "seed": mine["seed"].astype("int64"),
                                   "replication": mine["replication"].astype("int64"),
                                   "value": mine["value"].astype("float64")}))
    cols = ["job", "metric", "seed", "replication", "value"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def yearly_table(kpis: Mapping[int, pd.DataFrame], ref: Reference, labels: Mapping[int, str],
                 order: Sequence[int] = (), first_year: Optional[int] = None,
                 last_year: Optional[int] = None) -> pd.DataFrame:
    """Per job (in ``order``, else by number), measure, office (for office measures) and fiscal year from
    ``first_year`` to ``last_year``: the mean and interval over replications, the mean reached share (lead times by
    LOR year) and the paired change against the reference (NaN where there is none)."""
    reps = _replication_values(kpis, last_year)
    if first_year is not None and len(reps):
        reps = reps[reps["metric"].str.rsplit(SEP, n=1).str[1].astype("int64") >= first_year]
    diffs = None
    if ref.job is not None and len(reps):
        diffs = paired_differences(reps, ref.job, ref.by_seed, ref.by_job or None).set_index(["job", "metric"])
    rank = {m: i for i, m in enumerate(YEARLY)}
    rows = []
    for job in list(order) or sorted(kpis):
        mine = reps[reps["job"] == job]
        values = dict(tuple(mine.groupby("metric", sort=False)["value"]))
        for key, v in values.items():
            metric, office, year = key.split(SEP)
            if metric not in rank:
                continue  # a reached share: reported beside its lead time
            ci = mean_ci(v.tolist())
            reached = values.get(f"{metric}.reached_share{SEP}{office}{SEP}{year}")
            row = {"job": job, "label": labels.get(job, str(job)), "metric": metric, "office": office or None,
                   "fiscal_year": int(year), "unit": METRICS[metric].unit, "mean": ci["mean"], "ci_low": ci["ci_low"],
                   "ci_high": ci["ci_high"], "half_width": ci["half_width"], "n_reps": ci["n"],
                   "reached_share": float(reached.mean()) if reached is not None else np.nan,
                   "reference": ref.label}
            if diffs is not None and (job, key) in diffs.index:
                row.update(diffs.loc[(job, key)].to_dict())
            rows.append(row)
    table = pd.DataFrame(rows, columns=COLUMNS)
    position = {job: i for i, job in enumerate(list(order) or sorted(kpis))}
    table = table.assign(_r=table["metric"].map(rank), _o=table["office"].fillna(""), _j=table["job"].map(position))
    numbers = {c: "float64" for c in ("mean", "ci_low", "ci_high", "half_width", "reached_share", "diff_mean",
                                      "diff_ci_low", "diff_ci_high", "diff_half_width", "diff_pct")}
    return table.sort_values(["_r", "_o", "fiscal_year", "_j"], kind="stable").drop(columns=["_r", "_o", "_j"]).astype(
        {"n_reps": "Int64", "diff_n": "Int64", "fiscal_year": "int64", **numbers}).reset_index(drop=True)
