"""A staffing answer as a surface: each reform's paired change over the two assumptions it rests on.

What more staff saves is, within a day, arithmetic on two assumed numbers: the share of an office's elapsed time
that is hands-on work (``staffing.effort_share``) and the per-person load the offices are staffed for
(``staffing.size_to_load``): a processor-sharing office stretches hands-on work by ``1 / (1 - load)``.  A multirun
over both (``experiments/staffing_surface.yaml``), with the reference among its reforms, gives each point its own
reference run (the same seeds), so each cell is a paired change at that point; :func:`surface_table` reads them
from ``comparison.csv``'s rows.  The default point (``DEFAULT``) is marked wherever the grid has it.
"""
from __future__ import annotations

import math
import re
from typing import Optional

import pandas as pd

AXES = ("staffing.effort_share", "staffing.size_to_load")
DEFAULT = {"staffing.effort_share": 0.10, "staffing.size_to_load": 0.75}  # configs/staffing/baseline.yaml [ESTIMATE]
COLUMNS = ["reform", "effort_share", "load", "metric", "change_days", "half_width", "change_percent", "pairs",
           "censored_share", "reference", "reference_job", "job", "default_point"]


def swept_value(overrides: object, key: str) -> Optional[float]:
    """The number a job's overrides (space-separated text, as ``comparison.csv`` keeps them) give ``key``."""
    m = re.search(rf"(?:^|\s)\+*{re.escape(key)}=([-+0-9.eE]+)(?:\s|$)", str(overrides or ""))
    if not m:
        return None
    try:
        return float(m.group(1))
    except ValueError:
        return None


def _reform(overrides: object, label: str) -> str:
    m = re.search(r"(?:^|\s)reform=(\S+)", str(overrides or ""))
    return m.group(1) if m else str(label).split(" ")[0]


def surface_table(table: pd.DataFrame, metric: str = "lor_to_delivery") -> Optional[pd.DataFrame]:
    """One row per (reform, effort share, load) of a two-way staffing sweep: the paired change of ``metric``
    against the reference run at the same point, its half-width, its percent of the reference's mean, the share of
    the job's cases not yet at the milestone when the run ended (a high share: the change is of the early ones),
    and whether the point is the default; None when the sweep is not one (both axes swept, two values or more each)."""
    rows = table[(table["metric"] == metric) & (table["status"] == "complete")]
    if rows.empty:
        return None
    x = rows["overrides"].map(lambda o: swept_value(o, AXES[0]))
    y = rows["overrides"].map(lambda o: swept_value(o, AXES[1]))
    if x.isna().any() or y.isna().any() or x.nunique() < 2 or y.nunique() < 2:
        return None
    ref = pd.to_numeric(rows["reference_job"], errors="coerce")
    point = {int(j): (a, b) for j, a, b in zip(rows["job"], x, y)}
    at_own_point = [not pd.isna(r) and point.get(int(r)) == (a, b) for r, a, b in zip(ref, x, y)]
    mine = (ref.notna() & (rows["job"] != ref)).to_numpy()
    if not mine.any() or not all(ok for ok, m in zip(at_own_point, mine) if m):
        return None  # a cell is a change against the reference run at its own point, or there is no surface
    reform = [_reform(o, lab) for o, lab in zip(rows["overrides"], rows["label"])]
    by_job = dict(zip((int(j) for j in rows["job"]), reform))
    out = pd.DataFrame({
        "reform": reform, "effort_share": x, "load": y, "metric": metric,
        "change_days": rows["diff_mean"], "half_width": rows["diff_half_width"],
        "change_percent": rows["diff_pct"],  # of the reference's mean, in percent
        "pairs": rows["diff_n"],
        "censored_share": rows["censored_share"] if "censored_share" in rows else float("nan"),
        "reference": [by_job.get(int(r), "") if not pd.isna(r) else "" for r in ref],
        "reference_job": ref, "job": rows["job"],
        "default_point": [math.isclose(a, DEFAULT[AXES[0]]) and math.isclose(b, DEFAULT[AXES[1]])
                          for a, b in zip(x, y)],
    })[mine]
    if out.duplicated(["reform", "effort_share", "load"]).any():
        return None  # a third key varies too: no two-way surface
    return out.sort_values(["reform", "effort_share", "load"], kind="stable").reset_index(drop=True)[COLUMNS]
