"""How far each reform's answer moves over its lever ranges: a sweep of ``reform.assume`` read side by side.

``-m reform=none,X reform.assume=low,likely,high`` runs each reform at each end of its ranges, each job paired
with the reference run of the same ``assume`` (``sim.model.lever_ranges``).  :func:`assumption_table` puts the
three paired changes of each reform and measure in one row, with their half-widths and the span from low to
high: the answer to "how sure is this effect, given that no one measured the lever?".
"""
from __future__ import annotations

import re
from typing import Optional

import pandas as pd

ASSUME = re.compile(r"(?:^|\s)\+*reform\.assume=(\w+)")


def _assume(overrides: object) -> Optional[str]:
    """The end a job set on its own (None: the study's; a study that also runs other designs, such as the
    uncertainty study's strengths at high beside its likely run, is not a sweep of the ends)."""
    m = ASSUME.search(str(overrides or ""))
    return m.group(1) if m else None


def assumption_table(table: pd.DataFrame) -> Optional[pd.DataFrame]:
    """One row per (scenario, metric): the paired change at each end of the ranges the sweep ran (``low``,
    ``likely``, ``high`` and their ``*_half_width``) and ``span`` (high minus low); None when the sweep does not
    vary ``reform.assume`` over two ends or more."""
    rows = table[(table["status"] == "complete") & (table["job"] != table["reference_job"])].copy()
    if rows.empty:
        return None
    rows["assume"] = rows["overrides"].map(_assume)
    rows = rows[rows["assume"].notna()]
    if rows["assume"].nunique() < 2:
        return None
    rows["scenario"] = [re.sub(r"\s*reform\.assume=\w+", "", str(label)).strip() or "none"
                        for label in rows["label"]]
    keyed = rows.drop_duplicates(["scenario", "metric", "assume"])
    out = keyed.pivot(index=["scenario", "metric"], columns="assume", values="diff_mean")
    half = keyed.pivot(index=["scenario", "metric"], columns="assume", values="diff_half_width")
    ends = [a for a in ("low", "likely", "high") if a in out.columns]
    result = pd.DataFrame(index=out.index)
    for end in ends:
        result[end] = out[end]
        result[f"{end}_half_width"] = half[end]
    result["span"] = (out["high"] - out["low"]) if {"low", "high"} <= set(ends) else float("nan")
    order = {s: i for i, s in enumerate(dict.fromkeys(rows["scenario"]))}
    result = result.reset_index()
    result = result.sort_values(["scenario", "metric"], key=lambda c: c.map(order) if c.name == "scenario" else c,
                                kind="stable")
    return result.reset_index(drop=True)

