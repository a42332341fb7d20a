"""Where the time goes: wait and work per stage and cohort case."""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.analysis.intervals import mean_ci
from sim.analysis.summary_schema import StageTime
from sim.model.process import STAGES, WINDOWED_STAGES


def stage_totals(cases: pd.DataFrame, visits: pd.DataFrame, window: tuple[float, float]) -> pd.DataFrame:
    """Per replication and stage: summed wait, work and visits of cohort cases, and the cohort size.

    ``wait`` is the time before the visit started (a slot queue or an office's backlog), ``work`` the rest; the
    work splits into ``waits`` (waits on others: the whole of a delay, a portfolio case's waits), ``effort``
    (hands-on: the time a slot is held, a portfolio case's person-days) and the slowdown from shared attention
    (``work - waits - effort``, zero but at portfolio pools).  Computed per replication where the visits are at
    hand, so that visits need not be kept.  The stages after delivery and of documents (``WINDOWED_STAGES``) are
    summed over the visits of all cases that ended in ``window`` ([warm-up, horizon)): a cohort case's may end
    after the run.
    """
    cohort = cases.loc[cases["in_cohort"], ["replication", "case_id"]]
    n = cohort.groupby("replication").size().rename("cohort")
    windowed = visits["stage"].isin(WINDOWED_STAGES)
    of_cohort = pd.MultiIndex.from_frame(visits[["replication", "case_id"]]).isin(pd.MultiIndex.from_frame(cohort))
    ended = (visits["finished"] >= window[0]) & (visits["finished"] < window[1])
    v = visits[(~windowed & of_cohort) | (windowed & ended)]  # in the order the visits ended, as the run sums them
    v = v.assign(wait=v["started"] - v["arrived"], work=v["finished"] - v["started"],
                 pool=v["pool"].str.replace(r"^line:.*$", "line:*", regex=True))
    g = v.groupby(["replication", "stage", "pool"], sort=False)
    out = g[["wait", "work", "waits", "effort"]].sum().join(g.size().rename("visits")).reset_index()
    return out.merge(n.reset_index(), on="replication", how="left")


def stage_totals_from(totals: Mapping[tuple[str, str], Sequence[float]], cohort: int, replication: int) -> pd.DataFrame:
    """``stage_totals`` from sums kept during the run (``sim.engine.records.VisitTotals.totals``): the same
    columns, with production lines summed into ``line:*``; ``cohort`` is the replication's cohort size."""
    cols = ["replication", "stage", "pool", "wait", "work", "waits", "effort", "visits", "cohort"]
    rows = [(replication, stage, "line:*" if pool.startswith("line:") else pool, *t[:4], int(t[4]))
            for (stage, pool), t in totals.items()]
    df = pd.DataFrame(rows, columns=cols[:-1])
    if len(df):
        df = df.groupby(["replication", "stage", "pool"], sort=False, as_index=False).sum()
    df = df.astype({"replication": "int64", "visits": "int64"})
    df["cohort"] = np.int64(cohort)
    return df[cols]


STAGE_MEASURES = ("wait_per_case", "work_per_case", "hands_on_per_case", "slowdown_per_case",
                  "waits_on_others_per_case", "visits_per_case")


def stage_per_case(totals: pd.DataFrame, replications: Sequence[int]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Per stage: the offices that do its work, and per replication (rows in ``replications`` order) the wait, work,
    hands-on work, slowdown, waits on others and visits per cohort case (``STAGE_MEASURES``).

    A stage that a replication's cohort never visited counts as zero for that replication; a replication without
    a cohort case has no value (NaN).
    """
    out = {}
    present = set(totals["stage"].astype(str).unique().tolist())
    for stage in [s for s in STAGES if s in present]:
        t = totals[totals["stage"] == stage].groupby("replication")[
            ["wait", "work", "waits", "effort", "visits", "cohort"]].agg(
            {"wait": "sum", "work": "sum", "waits": "sum", "effort": "sum", "visits": "sum", "cohort": "first"})
        t = t.reindex(list(replications))
        cohort = t["cohort"].fillna(totals.groupby("replication")["cohort"].first().reindex(list(replications)))
        cohort = cohort.astype("float64").where(cohort > 0)  # no cohort case: no value (NaN), not a division by 0
        per_case = t[["wait", "work", "waits", "effort", "visits"]].astype("float64").fillna(0.0).div(cohort, axis=0)
        slowdown = (per_case["work"] - per_case["waits"] - per_case["effort"]).clip(lower=0.0)
        # a slot's time held equals its effort: what is left is rounding of sums of floats, not a slowdown
        slowdown = slowdown.where((slowdown > 1e-9 * per_case["work"].abs()) | slowdown.isna(), 0.0)
        pools = sorted(set(totals.loc[totals["stage"] == stage, "pool"].astype(str).tolist()))
        values = pd.DataFrame({"wait_per_case": per_case["wait"], "work_per_case": per_case["work"],
                               "hands_on_per_case": per_case["effort"], "slowdown_per_case": slowdown,
                               "waits_on_others_per_case": per_case["waits"], "visits_per_case": per_case["visits"]})
        out[stage] = (", ".join(p.replace("line:*", "production lines") for p in pools), values)
    return out


def stage_record(stage: str, pools: str, values: Mapping[str, Sequence[float]]) -> StageTime:
    """One stage's summary from its per-replication values (``STAGE_MEASURES``, in replication order)."""
    rec: dict = {"stage": stage, "pool": pools}
    rec.update({m: mean_ci(list(values[m])) for m in STAGE_MEASURES[:-1]})
    rec["visits_per_case"] = float(pd.Series(list(values["visits_per_case"]), dtype="float64").mean())
    return rec  # type: ignore[return-value]


def stage_times(totals: pd.DataFrame, replications: Sequence[int]) -> list[StageTime]:
    """Per stage: mean wait and work per cohort case (visits summed per case), with intervals over replications
    (:func:`stage_per_case`)."""
    return [stage_record(stage, pools, {m: values[m].tolist() for m in STAGE_MEASURES})
            for stage, (pools, values) in stage_per_case(totals, replications).items()]
