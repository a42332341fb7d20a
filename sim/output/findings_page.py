"""A study's findings as a Markdown page for the docs, from its report's tables (``python -m sim findings make``).

The page opens with the answer (a sentence per study shape, then the ranked table), then the figures, then how the
run was made: its date, settings, time, the command, and the model fingerprint (``sim.output.fingerprint``) whose
status line ``findings check`` rewrites.  Numbers are formatted from the tables, never typed.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence

import pandas as pd

from sim.output.report_sections import NOT_COSTED, musd, per_10m, staffing_by_hand

STATUS = "<!-- status -->"
METRICS = {"lor_to_offer": "LOR to offer", "lor_to_contract": "LOR to contract", "lor_to_delivery": "LOR to delivery"}


def _d(x: Any, sign: bool = True) -> str:
    """Days with a sign (whole, tenths under ten); a dash for a missing number."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "-"
    if math.isnan(v):
        return "-"
    digits = 1 if abs(v) < 10 else 0  # a change under ten days keeps its tenths
    return f"{v:+.{digits}f}" if sign else f"{v:.{digits}f}"


def _pm(mean: Any, half: Any) -> str:
    """A change and its 95% half-width."""
    return f"{_d(mean)} ± {_d(half, False)}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def status_line(current: bool, why: str = "") -> str:
    """The page's status line (``findings check`` rewrites it)."""
    if current:
        return f"{STATUS} **Current**: made by the model of today's code and defaults (fingerprint check passed)."
    return f"{STATUS} **Stale**: the model changed since this run ({why}); rerun the study and make the page again."


def uncertainty_answer(t: pd.DataFrame, drivers: Optional[pd.DataFrame]) -> list[str]:
    d = t[t["metric"] == "lor_to_delivery"].sort_values("lever_p50")
    if d.empty:
        return []
    best = d.iloc[0]
    if not (best.lever_p95 < 0 or abs(best.likely_change) > best.likely_half_width):
        return [f"No reform's change from LOR to delivery is told apart from no change: at the likely values every "
                f"95% interval includes 0, and over the ranges no reform saves time at every point (the largest "
                f"median, {best.reform}'s, is {_d(best.lever_p50)} days).", ""] + _uncertainty_rows(d, drivers)
    out = [f"Over the plausible ranges of their levers and of the offices' staffing assumptions, "
           f"**{best.reform}** saves the most time from LOR to delivery: median {_d(best.lever_p50)} days "
           f"(5th to 95th percentile {_d(best.lever_p05)} to {_d(best.lever_p95)}; at the likely values "
           f"{_d(best.likely_change)} ± {_d(best.likely_half_width, False)}); the 95th percentile is the cautious "
           "end (the smallest saving). The spread over the ranges is the answer's uncertainty from its "
           "assumptions, the likely interval the simulation's noise alone; each percentile carries noise of its "
           "own (in brackets below: few points, and the replication noise all points share, which shifts the "
           "whole band): where that is as large as the spread, the spread is not told apart from noise.", ""]
    return out + _uncertainty_rows(d, drivers)


def _uncertainty_rows(d: pd.DataFrame, drivers: Optional[pd.DataFrame]) -> list[str]:
    out: list[str] = []
    rows = []
    for r in d.itertuples():
        top = "-"
        if drivers is not None and not drivers.empty:
            dr = drivers[(drivers["reform"] == r.reform) & (drivers["metric"] == "lor_to_delivery")]
            if len(dr):
                top = f"{dr.iloc[0]['input']} (ρ {dr.iloc[0]['spearman']:+.2f}, p {dr.iloc[0]['p_value']:.2g})"
        rows.append([r.reform, _pm(r.likely_change, r.likely_half_width),
                     *(f"{_d(getattr(r, c))} (±{_d(getattr(r, c + '_mc'), False)})"
                       for c in ("lever_p05", "lever_p50", "lever_p95")), top])
    out.append(_table(["reform", "at likely (95% CI)", "p05 over ranges (MC ±)", "p50", "p95",
                       "main driver (Spearman)"], rows))
    out += ["", "Days of LOR to delivery, paired against the reference at the same point with the same seeds "
            "(negative: sooner); each percentile's Monte Carlo noise in brackets. A lever's quantile runs from its "
            "smallest plausible effect to its largest (for a factor below 1, from near 1 down), a staffing "
            "assumption's from its low value to its high, so a negative ρ means: the higher the input's quantile, the "
            "more days saved. `staffing.design_load`: the per-person load the offices are sized to; "
            "`staffing.effort_share`: hands-on work as a share of a stage's elapsed time. With 10 points a driver "
            "whose ρ is within about 0.1 of the next is not told apart from it (p-values not adjusted for testing "
            "several inputs). uncertainty.csv has every lead time."]
    return out


def _strength(r: Any) -> str:
    """A break-even strength, said to lie below the lowest strength run when it does (read from the line to no
    change at strength 0, not from a run near it)."""
    grid = [float(g) for g in str(r.grid).split() if float(g) > 0]
    below = f" (below {min(grid):g}, the lowest strength run)" if grid and r.strength < min(grid) else ""
    return f"{r.strength:.2f}{below}"


def breakeven_answer(t: pd.DataFrame) -> list[str]:
    reached = t[t["status"] == "reached"]
    sure = reached[reached["strength_high"].notna()]  # the pessimistic edge reaches it too, within the range
    mean_only = reached[reached["strength_high"].isna()]
    target, metric = float(t["target_days"].iloc[0]), METRICS.get(str(t["metric"].iloc[0]), str(t["metric"].iloc[0]))
    names = ", ".join(f"**{r.reform}** (on average at strength {_strength(r)}, with its whole interval by "
                      f"{r.strength_high:.2f})" for r in sure.itertuples()) or "none"
    also = ("" if mean_only.empty else " On average only (the pessimistic edge of the interval falls short even at "
            "the range's high end, so noise alone could make it look sufficient): " + ", ".join(
                f"**{r.reform}** at {_strength(r)}" for r in mean_only.itertuples()) + ".")
    out = [f"{len(sure)} of {len(t)} reforms save {target:g} days of {metric} within their lever ranges with their "
           f"whole 95% interval: {names}.{also} Strength: the share of the way from no change to the high end of "
           "each lever's range (the offices' staffing at its likely values: the spread above shows how far staffing "
           "moves the answer); its interval runs from where the optimistic edge of the change (change minus its "
           "half-width) saves the target to where the pessimistic edge does. 'Not reachable' is decided from the "
           f"interval: not even its optimistic edge saves {target:g} days at the range's high end; 'only at the "
           "interval's edge': the optimistic edge does, the change itself does not.", ""]
    rows = []
    for r in t.itertuples():
        high = "beyond" if r.strength_high != r.strength_high else f"{r.strength_high:.2f}"
        between = "-" if r.strength_low != r.strength_low else f"{r.strength_low:.2f} to {high}"
        if r.status == "only at the interval's edge":
            between = f"only the optimistic edge, from {r.strength_low:.2f}"
        staff = "-" if r.added_staff != r.added_staff or r.added_staff is None else f"+{int(r.added_staff)}"
        name = f"{r.reform} [{r.context}]" if getattr(r, "context", "") == getattr(r, "context", "") and \
            getattr(r, "context", "") else r.reform
        status = "reached on average only" if r.status == "reached" and r.strength_high != r.strength_high \
            else str(r.status)
        rows.append([name, status, "-" if r.strength != r.strength else _strength(r), between,
                     str(r.levers_at_strength or "-") if r.levers_at_strength == r.levers_at_strength else "-",
                     staff, r.changes])
    out.append(_table(["reform", "status", "strength", "interval", "levers there", "added people",
                       "change at strengths " + str(t["grid"].iloc[0])], rows))
    return out


def comparison_answer(t: pd.DataFrame, metric: str = "lor_to_delivery") -> list[str]:
    """The answer of a comparison: the largest saving of ``metric`` (the lead time the study asks about: a precision
    study's target, else LOR to delivery), beyond its interval or not, and every scenario's changes."""
    d = t[(t["status"] == "complete") & (t["job"] != t["reference_job"])]
    wide = d.pivot_table(index="label", columns="metric", values=["diff_mean", "diff_half_width"], aggfunc="first")
    if wide.empty or ("diff_mean", metric) not in wide.columns:
        return []
    wide = wide.sort_values(("diff_mean", metric))
    what = METRICS.get(metric, metric)
    ref = str(t["reference"].iloc[0])
    mean, half = wide[("diff_mean", metric)], wide[("diff_half_width", metric)]
    beyond = wide.index[(mean < 0) & (mean.abs() > half)]  # shortens it beyond its interval
    first = wide.index[0]
    told = f"{len(beyond)} of {len(wide)} scenarios shorten it beyond their paired 95% interval"
    if not len(beyond):
        out = [f"Against **{ref}**, no scenario shortens {what} beyond its paired 95% interval "
               f"(the largest mean saving, **{first}**'s {_pm(mean[first], half[first])} days, may be noise).", ""]
    elif beyond[0] == first:
        out = [f"Against **{ref}**, **{first}** shortens {what} the most: {_pm(mean[first], half[first])} "
               f"days (paired, 95% CI); {told}.", ""]
    else:
        out = [f"Against **{ref}**, **{first}** shortens {what} the most on average, "
               f"{_pm(mean[first], half[first])} days, but its interval includes zero; the largest saving beyond "
               f"its interval is **{beyond[0]}**'s, {_pm(mean[beyond[0]], half[beyond[0]])} days (paired, 95% CI); "
               f"{told}.", ""]
    rows = [[str(label), *(_pm(wide.loc[label, ("diff_mean", m)], wide.loc[label, ("diff_half_width", m)])
                           if ("diff_mean", m) in wide.columns else "-" for m in METRICS)] for label in wide.index]
    header = ["scenario", *METRICS.values()]
    if "cost_musd" in d.columns:  # beside days saved: what it costs and days saved per $10M a year
        delivery = d[d["metric"] == "lor_to_delivery"].set_index("label")
        by_hand = staffing_by_hand(t[t["metric"] == "lor_to_delivery"])
        header += ["cost $M a year", "days saved per $10M a year [at high, low cost]"]
        for row, label in zip(rows, wide.index):
            r = delivery.loc[label]
            hand = int(r["job"]) in by_hand
            row.append(NOT_COSTED if hand else musd(float(r["cost_musd"])))
            row.append("-" if hand else per_10m(r))
    out.append(_table(header, rows))
    return out


def sensitivity_answer(t: pd.DataFrame) -> list[str]:
    """A sensitivity study's answer: the inputs that move each lead time, by partial rank correlation (PRCC)."""
    if t.empty:
        return []
    d = t[t["metric"] == "lor_to_delivery"]
    d = d.reindex(d["prcc"].abs().sort_values(ascending=False).index)
    sure = d[d["p_value"] < 0.05]
    n = int(t["n_points"].max())
    named = ", ".join(f"`{r.factor}` ({r.prcc:+.2f})" for r in sure.itertuples()) or "none at p < 0.05"
    out = [f"The assumptions that move LOR to delivery, strongest first (partial rank correlation over {n} design "
           f"points, p < 0.05): {named}. A positive PRCC means: the higher the input, the longer the lead time. The "
           "p-values are not adjusted for testing every input.", ""]
    wide = t.pivot_table(index="factor", columns="metric", values=["prcc", "p_value"], aggfunc="first")
    order = wide[("prcc", "lor_to_delivery")].abs().sort_values(ascending=False).index \
        if ("prcc", "lor_to_delivery") in wide.columns else wide.index
    rows = [[f"`{f}`", *(f"{wide.loc[f, ('prcc', m)]:+.2f} (p {wide.loc[f, ('p_value', m)]:.2g})"
                         if ("prcc", m) in wide.columns else "-" for m in METRICS)] for f in order]
    out.append(_table(["input", *METRICS.values()], rows))
    return out


def caveats(tables: Mapping[str, Optional[pd.DataFrame]], replications: int) -> list[str]:
    """What a reader must know before trusting the answer: censoring, few replications, a partial design."""
    out = []
    t = tables.get("comparison.csv")
    if t is not None and "censored_share" in t.columns:
        worst = t[t["metric"].astype(str).str.startswith("lor_to_")]["censored_share"].max()
        if worst == worst and worst > 0.05:
            out.append(f"Up to {100 * worst:.0f}% of a job's cohort had not reached a milestone when its run ended: "
                       "its changes are of the early cases.")
    if replications < 3:
        out.append(f"{replications} replication(s) per job: every interval rests on {replications} paired "
                   "difference(s), so its width is itself very uncertain (neighbouring jobs' half-widths can differ "
                   "several-fold); read the intervals as rough.")
    u = tables.get("uncertainty.csv")
    if u is not None and len(u) and u["design_points"].notna().any() and (u["points"] < u["design_points"]).any():
        out.append(f"Only {int(u['points'].min())} of the {int(u['design_points'].max())} design points ran: not a "
                   "full Latin hypercube, and the percentiles are of the points that ran.")
    return out


def render(stamp: Mapping[str, Any], tables: Mapping[str, Optional[pd.DataFrame]],
           figures: Sequence[tuple[str, str, str]], current: bool = True) -> str:
    """The page: title, status, question, the answer, figures, then how the run was made."""
    run = stamp["run"]
    lines = [f"# {stamp['study']}", "", status_line(current), "", f"**Question.** {stamp.get('question') or '-'}", "",
             "## Answer", ""]
    if tables.get("uncertainty.csv") is not None:
        lines += uncertainty_answer(tables["uncertainty.csv"], tables.get("uncertainty_drivers.csv")) + [""]
    if tables.get("breakeven.csv") is not None:
        lines += breakeven_answer(tables["breakeven.csv"]) + [""]
    if tables.get("sensitivity_prcc.csv") is not None:
        lines += sensitivity_answer(tables["sensitivity_prcc.csv"]) + [""]
    elif tables.get("uncertainty.csv") is None and tables.get("breakeven.csv") is None and \
            tables.get("comparison.csv") is not None:
        lines += comparison_answer(tables["comparison.csv"], str(stamp.get("metric") or "lor_to_delivery")) + [""]
    notes = stamp.get("caveats") or []
    if notes:
        lines += ["**Before you use this answer:**", "", *[f"- {n}" for n in notes], ""]
    lines += ["**Reading this page.** A scenario is named by its reform ([what each reform changes]"
              "(../reference/reforms.md)); a `key=value` after it is a setting changed for that job ([every setting]"
              "(../reference/parameters.md), e.g. `staffing.size_to_load`: the per-person load the offices are sized "
              "to; `staffing.effort_share`: hands-on work as a share of a stage's elapsed time). Changes are in days "
              "(negative: sooner), paired against the reference with the same seeds, ± the 95% half-width. How the "
              "studies work: [studies](../studies/index.md).", ""]
    for title, path, caption in figures:
        lines += [f"### {title}", "", f"![{title}]({path})", "", caption, ""]
    lines += ["## How this was made", "",
              f"- Run {run['started']} to {run['ended']} (UTC): {run['jobs']} jobs ({run['complete']} complete), "
              f"{run['wall_minutes']:.1f} minutes "
              + (f"of running in {run['sittings']} sittings (more than 10 minutes with no job running between "
                 "them, as when a study is resumed with run.resume=true; that time not counted) "
                 if run.get("sittings", 1) > 1 else "from first start to last end ")
              + f"on this machine ({run['cpus']} cores), {run['job_minutes']:.1f} job-minutes.",
              f"- Settings: {run['settings']}.",
              f"- Command: `{stamp['command']}`; results folder `{stamp['multirun']}`.",
              f"- Model fingerprint `{stamp['fingerprint']}` (code `{stamp['code'][:12]}`, {stamp['code_source']}; "
              "the code and settings that shape the numbers: `python -m sim findings check` says if it is current).",
              f"- Page made {stamp['made']} by `python -m sim findings make {stamp['multirun']}`; no number on it "
              "was typed by hand.", ""]
    return "\n".join(lines)
