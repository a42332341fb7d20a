"""Break-even sizes: how far a reform must be carried out to save a target number of days, or "not reachable".

A break-even study (``experiments/breakeven.yaml``) runs each reform at a grid of strengths (``reform.strength``,
the share of the way from no change to its levers' size at ``reform.assume``, ``high`` there: the grid spans the
whole plausible range) with the same seeds, and the reference at each.  For each reform the paired change of a
lead time at each strength, with its 95% interval, and no change at strength 0, give three monotone curves over
the grid (pool-adjacent-violators: a reform carried further saves no fewer days; the paired changes at
neighbouring strengths share their seeds, so a fit across them is sound): the change itself, its optimistic
edge (change minus half-width) and its pessimistic edge (change plus).  Where each first saves the target
(linear between grid points) is the break-even strength and its interval:

- ``reached``: the change saves the target at ``strength``, between ``strength_low`` (optimistic) and
  ``strength_high`` (pessimistic; missing if even the full range may fall short);
- ``not reachable within the range``: not even the optimistic edge saves the target at the range's end
  (decided from the interval, so noise alone does not make a reform look sufficient);
- ``only at the interval's edge``: the optimistic edge saves it, the change itself does not.

Switches and thresholds act in steps (a lever carried out on a share of cases, a threshold crossed or not):
the fit is monotone, not smooth, and a step shows as a jump.  For staff-factor levers the break-even is also
given as added people (``added_staff``: headcount x (factor - 1) at that strength).  Pure functions; the report
writes ``breakeven.csv`` (:func:`breakeven_table`).
"""
from __future__ import annotations

import math
import re
from typing import Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from sim.analysis.uncertainty import reform_of

TARGET_DAYS = 30.0  # days of LOR to delivery saved [MODEL: the question's default, configurable: breakeven.*]
STRENGTH = re.compile(r"(?:^|\s)\+*reform\.strength=([-+0-9.eE]+)(?:\s|$)")
COLUMNS = ["reform", "context", "metric", "target_days", "status", "strength", "strength_low", "strength_high",
           "levers_at_strength", "added_staff", "grid", "changes", "half_widths", "pairs"]


def monotone_decreasing(y: Sequence[float]) -> np.ndarray:
    """The least-squares non-increasing fit to ``y`` (pool adjacent violators, equal weights)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in map(float, y):
        blocks.append([v, 1.0])
        while len(blocks) > 1 and blocks[-2][0] < blocks[-1][0]:
            (m2, n2), (m1, n1) = blocks.pop(), blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    return np.concatenate([[m] * int(n) for m, n in blocks]) if blocks else np.array([])


def first_crossing(x: Sequence[float], y: Sequence[float], level: float) -> Optional[float]:
    """The first ``x`` at which the piecewise-linear curve through (x, y) falls to ``level`` or below; None if it
    never does.  ``x`` ascending."""
    for i, (xi, yi) in enumerate(zip(x, y)):
        if yi <= level:
            if i == 0:
                return float(xi)
            x0, y0 = x[i - 1], y[i - 1]
            return float(x0 + (level - y0) * (xi - x0) / (yi - y0)) if yi != y0 else float(xi)
    return None


def breakeven(x: Sequence[float], change: Sequence[float], half_width: Sequence[float],
              target: float = TARGET_DAYS) -> dict:
    """Where a change (days, negative: sooner) first saves ``target`` days over the grid ``x`` (ascending, with
    no change at its start if the caller has it), with its interval (module docstring)."""
    x = [float(v) for v in x]
    c = np.asarray(change, dtype=float)
    h = np.nan_to_num(np.asarray(half_width, dtype=float), nan=0.0)
    fitted, optimistic, pessimistic = (monotone_decreasing(v) for v in (c, c - h, c + h))
    mid, low, high = (first_crossing(x, v, -target) for v in (fitted, optimistic, pessimistic))
    if low is None:
        status = "not reachable within the range"
    elif mid is None:
        status = "only at the interval's edge"
    else:
        status = "reached"
    return {"status": status, "strength": mid, "strength_low": low, "strength_high": high}


def swept_strength(overrides: object) -> Optional[float]:
    m = STRENGTH.search(str(overrides or ""))
    return float(m.group(1)) if m else None


def _at(levers: Mapping[str, object], s: float) -> tuple[str, Optional[int]]:
    """The sized factor levers at strength ``s`` as text, and the people a staff factor adds (headcounts given in
    ``levers['_headcounts']``); a workforce program's levers once its certified share has settled
    (``levers['_program_level']``)."""
    parts, added = [], None
    heads = levers.get("_headcounts") or {}
    s = s * float(levers.get("_program_level", 1.0))  # type: ignore[arg-type]  # a workforce program's settled level
    for name, value in levers.items():
        if name.endswith("_factor") and isinstance(value, (int, float)):
            parts.append(f"{name}={1 + s * (float(value) - 1):.3g}")
        elif name == "staff_factor" and isinstance(value, Mapping):
            for office, f in value.items():
                parts.append(f"staff_factor.{office}={1 + s * (float(f) - 1):.3g}")
                if office in heads:  # type: ignore[operator]
                    added = (added or 0) + int(round(heads[office] * s * (float(f) - 1)))  # type: ignore[index]
    return "; ".join(parts), added


def breakeven_table(table: pd.DataFrame, levers: Mapping[str, Mapping[str, object]] | None = None,
                    target: float = TARGET_DAYS, metric: str = "lor_to_delivery") -> Optional[pd.DataFrame]:
    """One row per reform of a strength sweep (``reform.strength`` over two values or more, each job paired with
    the reference at its strength): its break-even strength for saving ``target`` days of ``metric`` with the
    interval, the levers there (``levers``: each reform's levers at strength 1, with ``_headcounts``), the grid
    and the changes; None when the rows are not a strength sweep."""
    rows = table[(table["metric"] == metric) & (table["status"] == "complete") & table["reference_job"].notna()
                 & (table["job"] != table["reference_job"])].copy()
    if rows.empty:
        return None
    rows["strength"] = rows["overrides"].map(swept_strength)
    rows = rows[rows["strength"].notna()]
    if rows["strength"].nunique() < 2:
        return None
    rows["reform"] = [reform_of(o, lab) for o, lab in zip(rows["overrides"], rows["label"])]
    rows["context"] = [" ".join(w for w in str(o).split() if not w.lstrip("+~").startswith(
        ("reform=", "reform.strength=", "seed="))) for o in rows["overrides"]]
    common = set.intersection(*(set(c.split()) for c in rows["context"])) if len(rows) else set()
    rows["context"] = [" ".join(w for w in c.split() if w not in common) for c in rows["context"]]
    out = []
    # one curve per reform and per value of anything else the sweep varies (reform.assume, demand, ...)
    for (reform, context), d in rows.groupby(["reform", "context"], sort=False):
        d = d.sort_values("strength").drop_duplicates("strength")
        grid = [0.0, *d["strength"]] if d["strength"].min() > 0 else list(d["strength"])
        changes = [0.0, *d["diff_mean"]] if len(grid) > len(d) else list(d["diff_mean"])
        halves = [0.0, *d["diff_half_width"]] if len(grid) > len(d) else list(d["diff_half_width"])
        found = breakeven(grid, changes, halves, target)
        text, added = ("", None) if found["strength"] is None else _at((levers or {}).get(reform, {}),
                                                                       found["strength"])
        out.append({"reform": reform, "context": context, "metric": metric, "target_days": target, **found,
                    "levers_at_strength": text, "added_staff": added,
                    "grid": " ".join(f"{g:g}" for g in grid),
                    "changes": " ".join(f"{c:+.1f}" for c in changes),
                    "half_widths": " ".join("nan" if math.isnan(h) else f"{h:.1f}" for h in halves),
                    "pairs": int(d["diff_n"].min()) if d["diff_n"].notna().any() else None})
    frame = pd.DataFrame(out, columns=COLUMNS)
    for c in ("strength", "strength_low", "strength_high"):  # missing is NaN, never None
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    return frame


def question(jobs: Sequence[Mapping]) -> tuple[float, str]:
    """The target days and lead time the summaries ask about (``breakeven.*``; the defaults without one)."""
    for j in jobs:
        asked = ((j.get("summary") or {}).get("breakeven") or {})
        if asked:
            return float(asked.get("target_days", TARGET_DAYS)), str(asked.get("metric", "lor_to_delivery"))
    return TARGET_DAYS, "lor_to_delivery"


def levers_of(jobs: Sequence[Mapping], table: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Each reform's levers at strength 1 (its summary's) with ``_headcounts``: the people of each office in the
    reference job it is paired with (what a staff factor multiplies)."""
    summaries = {j["job"]: j.get("summary") or {} for j in jobs if j.get("status") == "complete"}
    # the levers of the strength grid's jobs (reform.assume there), where a study also runs jobs of another design
    gridded = {j["job"] for j in jobs if swept_strength(" ".join(j.get("overrides") or [])) is not None}
    summaries = {k: v for k, v in summaries.items() if k in gridded} if gridded else summaries
    refs = dict(zip(table["job"], table["reference_job"]))
    out: dict[str, dict[str, object]] = {}
    for job, s in summaries.items():
        reform = reform_of(" ".join(next((j.get("overrides") or [] for j in jobs if j["job"] == job), [])), "")
        if reform in out or not s.get("levers"):
            continue
        ref = refs.get(job)
        pools = (summaries.get(int(ref)) or {}).get("pools") or [] if not pd.isna(ref) else []
        program = ((s.get("enactment") or {}).get("programs") or {}).get(reform) or {}
        out[reform] = {**s["levers"], "_headcounts": {p["pool"]: p["capacity"] for p in pools
                                                      if isinstance(p, Mapping) and "capacity" in p},
                       "_program_level": program.get("level_after", 1.0)}
    return out
