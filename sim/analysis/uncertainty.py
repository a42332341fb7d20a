"""What a reform's effect is under its assumptions: the paired changes over an uncertainty study's points.

An uncertainty study (``experiments/reform_uncertainty.yaml``) runs each reform and the reference at every point
of a Latin hypercube over the lever and staffing ranges (``sim.model.uncertainty``), and once more with every input
at its likely value (``uncertainty.point=null``).  Each job is paired with the reference job of its own point and
seed (``sim.analysis.reference``), so each point gives one paired change: the reform's effect if the inputs were
as drawn.  From ``comparison.csv``'s rows (their ``u_point`` and ``q:<input>`` columns, read from the summaries):

- :func:`lever_table`: per reform and measure, the 5th, 50th and 95th percentiles of the paired change over the
  points (``lever_p05``, ``lever_p50``, ``lever_p95``), each with its own Monte Carlo noise (``*_mc``: the
  95% half-width of a bootstrap over the points, for how few points there are, combined in quadrature with the
  points' median paired half-width, for the replication noise every point shares: they run the same seeds, so it
  moves all the percentiles together and no bootstrap over points sees it), beside the change at ``likely`` with
  its interval.  With N points the 5th and 95th percentiles rest on the one or two
  most extreme points: read them with their noise.
- :func:`driver_table`: which input drives the spread: Spearman's rank correlation of the paired change with each
  input's quantile, over the points (a variance decomposition needs far more runs than a study of a few dozen).
- :func:`with_lever_columns`: the percentiles on the rows of each reform's ``likely`` job in ``comparison.csv``.
"""
from __future__ import annotations

import itertools
import re
from typing import Optional

import numpy as np
import pandas as pd
from scipy import stats

PERCENTILES = (5, 50, 95)
LEVER_COLUMNS = [f"lever_p{p:02d}" for p in PERCENTILES]
BOOTSTRAP = 2000  # resamples of the points for each percentile's Monte Carlo noise
BOOTSTRAP_SEED = 20261207  # fixed: the same study gives the same table
QUANTILE = "q:"  # comparison.csv's columns of the inputs' quantiles at each point
STRENGTH_SWEPT = r"(?:^|\s)\+*reform\.strength="  # a job of a strength grid (sim.analysis.breakeven), not at likely


def reform_of(overrides: object, label: object) -> str:
    """The reform of a job, from its overrides (``reform=X``), else the first word of its label."""
    m = re.search(r"(?:^|\s)reform=(\S+)", str(overrides or ""))
    return m.group(1) if m else str(label).split(" ")[0]


def _paired(table: pd.DataFrame) -> pd.DataFrame:
    """The complete jobs that have a paired change and are not the reference, with their reform."""
    rows = table[(table["status"] == "complete") & table["reference_job"].notna()
                 & (table["job"] != table["reference_job"]) & table["diff_mean"].notna()].copy()
    rows["reform"] = [reform_of(o, lab) for o, lab in zip(rows["overrides"], rows["label"])]
    return rows


def is_uncertainty_study(table: pd.DataFrame) -> bool:
    """Whether comparison.csv's rows come from an uncertainty study (jobs at design points)."""
    return "u_point" in table.columns and bool(table["u_point"].notna().any())


def _bootstrap_half_widths(values: np.ndarray) -> list[float]:
    """The 95% half-width of each percentile of ``values`` over bootstrap resamples of them (NaN below 3)."""
    if len(values) < 3:
        return [float("nan")] * len(PERCENTILES)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    resampled = values[rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))]
    est = np.percentile(resampled, PERCENTILES, axis=1)
    lo, hi = np.percentile(est, [2.5, 97.5], axis=1)
    return [float(x) for x in (hi - lo) / 2]


def lever_table(table: pd.DataFrame) -> Optional[pd.DataFrame]:
    """Per reform and metric: the change at likely with its interval, and its percentiles over the points with
    their Monte Carlo noise (module docstring); None when the rows are not an uncertainty study's."""
    if not is_uncertainty_study(table):
        return None
    rows = _paired(table)
    # likely: every input at its likely value, at full strength (a study may also run a grid of strengths)
    strength = rows["overrides"].astype(str).str.contains(STRENGTH_SWEPT)
    points, likely = rows[rows["u_point"].notna()], rows[rows["u_point"].isna() & ~strength]
    if points.empty:
        return None
    points = points.assign(design=pd.to_numeric(points["u_points"], errors="coerce").fillna(-1).astype(int)
                           if "u_points" in points else -1)
    out = []
    # one row per design size too: a sweep of uncertainty.points runs hypercubes that must not be pooled
    for (reform, metric, size), d in points.groupby(["reform", "metric", "design"], sort=False):
        values = d.sort_values("u_point")["diff_mean"].to_numpy(dtype=float)
        pct = np.percentile(values, PERCENTILES)
        # every point runs the same seeds, so their replication noise is shared: it moves every percentile together
        # and a bootstrap over the points cannot see it; it is added in quadrature (the points' median half-width)
        shared = float(np.nanmedian(d["diff_half_width"].to_numpy(dtype=float))) if d["diff_half_width"].notna().any() \
            else 0.0
        mc = [float(np.hypot(b, shared)) if b == b else b for b in _bootstrap_half_widths(values)]
        at = likely[(likely["reform"] == reform) & (likely["metric"] == metric)]
        n_design = None if size < 0 else int(size)
        out.append({
            "reform": reform, "metric": metric,
            "likely_change": float(at["diff_mean"].iloc[0]) if len(at) else float("nan"),
            "likely_half_width": float(at["diff_half_width"].iloc[0]) if len(at) else float("nan"),
            **{c: float(v) for c, v in zip(LEVER_COLUMNS, pct)},
            **{f"{c}_mc": v for c, v in zip(LEVER_COLUMNS, mc)},
            "points": len(values), "design_points": n_design,
            "replications_per_point": int(d["diff_n"].min()) if d["diff_n"].notna().any() else None,
            "likely_job": int(at["job"].iloc[0]) if len(at) else None,
        })
    return pd.DataFrame(out)


EXACT_UP_TO = 8  # points: below, Spearman's p-value by every permutation (the t approximation fails there)


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rank correlation and its two-sided p-value: exact (every permutation of the ranks) for up to
    ``EXACT_UP_TO`` points, else scipy's t approximation."""
    rho, p = stats.spearmanr(x, y)
    n = len(x)
    if n <= EXACT_UP_TO:
        rx, ry = stats.rankdata(x), stats.rankdata(y)
        perms = np.array(list(itertools.permutations(ry)))
        cx, cy = rx - rx.mean(), perms - perms.mean(axis=1, keepdims=True)
        r = (cy @ cx) / (np.sqrt((cx ** 2).sum()) * np.sqrt((cy ** 2).sum(axis=1)))
        p = float(np.mean(np.abs(r) >= abs(rho) - 1e-12))
    return float(rho), float(p)


def driver_table(table: pd.DataFrame) -> Optional[pd.DataFrame]:
    """Per reform, metric and input that varies over its points: Spearman's rank correlation of the paired change
    with the input's quantile, its p-value and the number of points, strongest first within each (reform,
    metric); None when the rows are not an uncertainty study's."""
    if not is_uncertainty_study(table):
        return None
    rows = _paired(table)
    rows = rows[rows["u_point"].notna()]
    inputs = [c for c in table.columns if str(c).startswith(QUANTILE)]
    out = []
    for (reform, metric), d in rows.groupby(["reform", "metric"], sort=False):
        found = []
        for c in inputs:
            x = d[[c, "diff_mean"]].dropna()
            if len(x) < 4 or x[c].nunique() < 2 or x["diff_mean"].nunique() < 2:
                continue
            rho, p = spearman(x[c].to_numpy(float), x["diff_mean"].to_numpy(float))
            found.append({"reform": reform, "metric": metric, "input": c[len(QUANTILE):],
                          "spearman": float(rho), "p_value": float(p), "points": len(x)})
        out += sorted(found, key=lambda r: -abs(r["spearman"]))
    return pd.DataFrame(out, columns=["reform", "metric", "input", "spearman", "p_value", "points"])


def with_lever_columns(table: pd.DataFrame, levers: Optional[pd.DataFrame]) -> pd.DataFrame:
    """``table`` with ``lever_p05``, ``lever_p50``, ``lever_p95`` (and their ``_mc`` noise) on the rows of each
    reform's likely job, beside its paired change and interval; the table as it is without an uncertainty study."""
    if levers is None or levers.empty:
        return table
    out = table.copy()
    cols = LEVER_COLUMNS + [f"{c}_mc" for c in LEVER_COLUMNS]
    for c in cols:
        out[c] = np.nan
    for row in levers.itertuples():
        if row.likely_job is None or pd.isna(row.likely_job):
            continue
        mask = (out["job"] == row.likely_job) & (out["metric"] == row.metric)
        for c in cols:
            out.loc[mask, c] = getattr(row, c)
    return out
