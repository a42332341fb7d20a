"""The workload at its real scale: value and documents by fiscal year, open value, and DSCA's LOA metric.

Pure functions of the replication tables (``cases``, ``documents``).  Values are $M in the tables and
$B here where the name says so.  Per-year figures are means over replications; the cohort-window
measures (per year over [warm-up, horizon)) come with a Student-t interval across replications.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
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


def _stream(rows: pd.DataFrame, col: str, value: Optional[str] = None) -> pd.DataFrame:
    """(replication, day, amount) of dated rows: ``amount`` is $B of ``value``, or 1 to count them."""
    rows = rows[rows[col].notna()]
    amount = rows[value].to_numpy() / 1e3 if value else np.ones(len(rows))
    return pd.DataFrame({"replication": rows["replication"].to_numpy(), "day": rows[col].to_numpy(),
                         "amount": amount})


def _streams(cases: pd.DataFrame, documents: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per measure, the dated amounts that make it (LOAs by their own milestones, documents by theirs)."""
    amend = documents[documents["document"] == "amendment"]
    mods = documents[documents["document"] == "modification"]
    bpc = pd.MultiIndex.from_frame(cases.loc[cases["funding"] == "bpc", ["replication", "case_id"]])
    amend_bpc = amend[pd.MultiIndex.from_frame(amend[["replication", "case_id"]]).isin(bpc)]
    c_bpc = cases[cases["funding"] == "bpc"]
    notified_c, notified_a = cases[cases["notified"].astype(bool)], amend[amend["notified"].astype(bool)]
    return {
        "loas_offered": _stream(cases, "loa_offered"),
        "loa_value_accepted": _stream(cases, "loa_accepted", "value_musd"),
        "amendments_offered": _stream(amend, "offered"),
        "amendment_value_offered": _stream(amend, "offered", "value_musd"),
        "modifications_offered": _stream(mods, "offered"),
        "value_accepted": pd.concat([_stream(cases, "loa_accepted", "value_musd"),
                                     _stream(amend, "accepted", "value_musd")]),
        "bpc_value_accepted": pd.concat([_stream(c_bpc, "loa_accepted", "value_musd"),
                                         _stream(amend_bpc, "accepted", "value_musd")]),
        "notified": pd.concat([_stream(notified_c, "loa_offered"), _stream(notified_a, "offered")]),
        "value_notified": pd.concat([_stream(notified_c, "loa_offered", "value_musd"),
                                     _stream(notified_a, "offered", "value_musd")]),
        "value_delivered": _stream(cases, "delivered", "value_musd"),
    }


def flows(cases: pd.DataFrame, documents: pd.DataFrame, start: float, end: float,
          replications: Optional[Sequence[int]] = None) -> pd.DataFrame:
    """Per replication, totals over days [start, end): values in $B, counts in documents."""
    reps = _reps(cases, replications)
    out = pd.DataFrame({"replication": reps})
    for m, st in _streams(cases, documents).items():
        t = st[_in(st, "day", start, end)].groupby("replication")["amount"].sum()
        out[m] = [float(t.get(r, 0.0)) for r in reps]
    return out


def fiscal_years(cases: pd.DataFrame, documents: pd.DataFrame, start_fiscal_year: int, years: int,
                 replications: Optional[Sequence[int]] = None) -> FiscalYears:
    """{fiscal_year: [...], measure: [mean over replications, one per fiscal year]} for years 0..years-1."""
    n = max(len(_reps(cases, replications)), 1)
    out: dict[str, list] = {"fiscal_year": [start_fiscal_year + y for y in range(years)]}
    for m, st in _streams(cases, documents).items():
        t = st.groupby(st["day"] // DAYS_PER_YEAR)["amount"].sum() / n
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

