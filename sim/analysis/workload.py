"""The workload at its real scale: value and documents by fiscal year, open value, and DSCA's LOA metric.

Pure functions of the replication tables (``cases``, ``documents``).  Values are $M in the tables and
$B here where the name says so.  Per-year figures are means over replications; the cohort-window
measures (per year over [warm-up, horizon)) come with a Student-t interval across replications.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.analysis.summary_schema import FiscalYears, Interval, LoaMetric, Workload
from sim.engine.clock import DAYS_PER_YEAR

DOCUMENT_DTYPES = {"replication": "int64", "case_id": "int64", "document": "object", "seq": "int64",
                   "planned_seq": "int64",
                   "value_musd": "float64", "mde_musd": "float64", "notified": "bool", "arrived": "float64",
                   "offered": "float64", "accepted": "float64", "finished": "float64"}  # documents.parquet
GOAL_DAYS = 120.0  # 80% of LOAs and amendments offered within 120 days (DSCA 01-06) [TARGET]
GROUPS = ("A", "B", "C", "D")


MEASURES = ("loas_offered", "loa_value_accepted", "amendments_offered", "amendment_value_offered",
            "modifications_offered", "value_accepted", "bpc_value_accepted", "notified", "value_notified",
            "value_delivered")


def _reps(cases: pd.DataFrame, replications: Optional[Sequence[int]] = None) -> list[int]:
    """The replications to report: those given (a replication can have no case at all), else those in ``cases``."""
    if replications is not None:
        return sorted(int(r) for r in replications)
    return sorted(int(r) for r in cases["replication"].unique())


def _in(df: pd.DataFrame, col: str, start: float, end: float) -> pd.Series:
    return (df[col] >= start) & (df[col] < end)


def _events(cases: pd.DataFrame, documents: pd.DataFrame) -> dict[str, tuple[pd.DataFrame, str, Optional[str]]]:
    """Per measure: (rows, the milestone that dates them, the value column summed or None to count them)."""
    amend = documents[documents["document"] == "amendment"]
    mods = documents[documents["document"] == "modification"]
    bpc = pd.MultiIndex.from_frame(cases.loc[cases["funding"] == "bpc", ["replication", "case_id"]])
    amend_bpc = amend[pd.MultiIndex.from_frame(amend[["replication", "case_id"]]).isin(bpc)]
    c_bpc = cases[cases["funding"] == "bpc"]
    return {
        "loas_offered": (cases, "loa_offered", None),
        "loa_value_accepted": (cases, "loa_accepted", "value_musd"),
        "amendments_offered": (amend, "offered", None),
        "amendment_value_offered": (amend, "offered", "value_musd"),
        "modifications_offered": (mods, "offered", None),
        "value_accepted": (pd.concat([cases[["replication", "loa_accepted", "value_musd"]],
                                      amend[["replication", "accepted", "value_musd"]].rename(
                                          columns={"accepted": "loa_accepted"})]), "loa_accepted", "value_musd"),
        "bpc_value_accepted": (pd.concat([c_bpc[["replication", "loa_accepted", "value_musd"]],
                                          amend_bpc[["replication", "accepted", "value_musd"]].rename(
                                              columns={"accepted": "loa_accepted"})]), "loa_accepted", "value_musd"),
        "notified": (pd.concat([cases.loc[cases["notified"], ["replication", "loa_offered"]],
                                amend.loc[amend["notified"], ["replication", "offered"]].rename(
                                    columns={"offered": "loa_offered"})]), "loa_offered", None),
        "value_notified": (pd.concat([cases.loc[cases["notified"], ["replication", "loa_offered", "value_musd"]],
                                      amend.loc[amend["notified"], ["replication", "offered", "value_musd"]].rename(
                                          columns={"offered": "loa_offered"})]), "loa_offered", "value_musd"),
        "value_delivered": (cases, "delivered", "value_musd"),
    }


def _totals(rows: pd.DataFrame, col: str, value: Optional[str], key: pd.Series) -> pd.Series:
    """Counts (or $B of ``value``) of the dated rows, grouped by replication and ``key``."""
    dated = rows[rows[col].notna()]
    k = key.loc[dated.index] if len(dated) else key.iloc[:0]
    if value is None:
        return dated.groupby([dated["replication"], k]).size().astype(float)
    return dated.groupby([dated["replication"], k])[value].sum() / 1e3


def flows(cases: pd.DataFrame, documents: pd.DataFrame, start: float, end: float,
          replications: Optional[Sequence[int]] = None) -> pd.DataFrame:
    """Per replication, totals over days [start, end): values in $B, counts in documents."""
    reps = _reps(cases, replications)
    out = pd.DataFrame({"replication": reps})
    for m, (rows, col, value) in _events(cases, documents).items():
        rows = rows.reset_index(drop=True)
        inside = pd.Series(0, index=rows.index).where(_in(rows, col, start, end))
        t = _totals(rows[inside.notna()], col, value, inside)
        out[m] = [float(t.get((r, 0), 0.0)) for r in reps]
    return out


def fiscal_years(cases: pd.DataFrame, documents: pd.DataFrame, start_fiscal_year: int, years: int,
                 replications: Optional[Sequence[int]] = None) -> FiscalYears:
    """{fiscal_year: [...], measure: [mean over replications, one per fiscal year]} for years 0..years-1."""
    reps = _reps(cases, replications)
    out: dict[str, list] = {"fiscal_year": [start_fiscal_year + y for y in range(years)]}
    for m, (rows, col, value) in _events(cases, documents).items():
        rows = rows.reset_index(drop=True)
        year = (rows[col] // DAYS_PER_YEAR)
        t = _totals(rows, col, value, year).groupby(level=1).sum() / max(len(reps), 1)
        out[m] = [float(t.get(float(y), 0.0)) for y in range(years)]
    return out  # type: ignore[return-value]


def open_value_at(cases: pd.DataFrame, documents: pd.DataFrame, day: float,
                  replications: Optional[Sequence[int]] = None) -> pd.Series:
    """Per replication, $B of the cases open at ``day``: their value plus the amendments accepted by then."""
    end = cases["closed"].fillna(cases["withdrawn"])
    is_open = (cases["lor_received"] <= day) & ~(end <= day)
    open_c = cases.loc[is_open, ["replication", "case_id", "value_musd"]]
    added = documents[(documents["accepted"] <= day)].groupby(["replication", "case_id"])["value_musd"].sum()
    v = open_c.set_index(["replication", "case_id"])["value_musd"].add(added, fill_value=0.0)
    v = v.reindex(open_c.set_index(["replication", "case_id"]).index)  # open cases only
    per = v.groupby(level="replication").sum() / 1e3
    return per.reindex(_reps(cases, replications), fill_value=0.0)


def workload(cases: pd.DataFrame, documents: pd.DataFrame, warmup: float, horizon: float,
             replications: Optional[Sequence[int]] = None) -> Workload:
    """Per-year means over the cohort window [warm-up, horizon), with intervals, and the open value."""
    yrs = (horizon - warmup) / DAYS_PER_YEAR
    f = flows(cases, documents, warmup, horizon, replications)
    out: dict[str, Interval] = {}
    for m in MEASURES:
        out[f"{m}_per_year"] = mean_ci((f[m] / yrs).tolist()) if len(f) else mean_ci([])
    share = (f["bpc_value_accepted"] / f["value_accepted"]).where(f["value_accepted"] > 0)
    out["bpc_share_of_value_accepted"] = mean_ci(share.tolist())
    out["open_value_at_horizon"] = mean_ci(open_value_at(cases, documents, horizon, replications).tolist())
    return out  # type: ignore[return-value]


def _share_within(days: pd.Series, goal: float) -> Optional[float]:
    d = days.dropna()
    return float((d <= goal).mean()) if len(d) else None


def loa_metric(cases: pd.DataFrame, documents: pd.DataFrame, warmup: float, horizon: float,
               goal: float = GOAL_DAYS, replications: Optional[Sequence[int]] = None) -> LoaMetric:
    """DSCA's LOA timeliness metric on its own document mix: LOAs and amendments offered within ``goal`` days.

    Two clocks for LOAs: from LOR receipt, and from LOR complete (after intake rework); an amendment's clock
    starts when it is requested (both clocks).  Documents are those received in [warm-up, horizon) that were
    offered; shares pool the replications, and the overall share has an interval across replications.
    """
    c = cases[cases["in_cohort"] & cases["loa_offered"].notna()]
    a = documents[(documents["document"] == "amendment") & _in(documents, "arrived", warmup, horizon)
                  & documents["offered"].notna()]
    a = a.merge(cases[["replication", "case_id", "loa_group"]], on=["replication", "case_id"], how="left")
    out: dict = {"goal_days": goal, "documents": {"loas": int(len(c)), "amendments": int(len(a))}}
    for clock in ("lor_received", "lor_complete"):
        loa_days = c["loa_offered"] - c[clock]
        amend_days = a["offered"] - a["arrived"]
        both = pd.concat([loa_days.rename("d"), amend_days.rename("d")])
        reps = pd.concat([c["replication"], a["replication"]])
        per_rep = [_share_within(both[reps == r], goal) for r in _reps(cases, replications)]
        by_group = {}
        for g in GROUPS:
            sel = pd.concat([loa_days[c["loa_group"] == g], amend_days[a["loa_group"] == g]])
            by_group[g] = _share_within(sel, goal)
        out[clock] = {"loas_and_amendments": mean_ci([math.nan if v is None else v for v in per_rep]),
                      "loas_only": _share_within(loa_days, goal), "amendments_only": _share_within(amend_days, goal),
                      "by_group": by_group}
    return out  # type: ignore[return-value]

