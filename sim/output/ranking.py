"""The answer of a comparison, ranked: each scenario's paired change in each lead time against the reference.

``ranked_changes`` turns the comparison table (``comparison.csv``) into one row per compared scenario, single
reforms before packages (a package bundles several reforms; ``kinds``), each group sorted by its change in the
ranking measure, the largest saving first.  ``answer_sentences`` says per measure, in one sentence, which
scenario saves most and how many change it distinguishably from zero; ``console_table`` prints the ranking at the
end of every multirun and of ``python -m sim report``.  The same ranking orders the report's change figure and
table, so the console, the page and the figure never disagree.  Only places numbers: computes no new ones.
"""
from __future__ import annotations

import math
from typing import Mapping, Optional, Sequence

import pandas as pd

from sim.analysis.metrics import LEAD_TIMES
from sim.analysis.metrics import TITLES as METRIC_TITLES
from sim.analysis.reference import Reference
from sim.analysis.uncertainty import STRENGTH_SWEPT
from sim.output.formatting import digits_for, number

CENSORED_WARN = 0.05  # above this share of censored cohort cases a mean leaves out too many of the slowest
RANK_BY = "lor_to_delivery"  # the measure the mission asks about: a partner's request to delivery
KIND_ORDER = {"single": 0, "package": 1, "other": 2}
KIND_TITLES = {"single": "single reforms", "package": "packages of reforms", "other": "other scenarios"}


def kind_of(summary: Optional[Mapping]) -> str:
    """'package' when a scenario selects several reforms (a package file or reforms joined by '+'), 'single' for
    one reform, 'other' for none (a staffing or threshold setting of today's process)."""
    reforms = [r for r in (summary or {}).get("reforms") or [] if r != "none"]
    return "package" if len(reforms) > 1 else "single" if reforms else "other"


def _compared(table: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    refs = set(ref.by_job.values()) | ({ref.job} if ref.job is not None else set())
    d = table[(table["status"] == "complete") & table["metric"].isin(LEAD_TIMES) & ~table["job"].isin(refs)
              & table["diff_mean"].notna()]
    if "u_point" in d.columns and d["u_point"].notna().any():  # an uncertainty study: rank them at likely
        d = d[d["u_point"].isna()]
        if "overrides" in d.columns:  # nor at the strengths of its break-even grid
            d = d[~d["overrides"].astype(str).str.contains(STRENGTH_SWEPT)]
    return d


def ranked_changes(table: pd.DataFrame, ref: Reference, kinds: Mapping[int, str], labels: Mapping[int, str],
                   by: str = RANK_BY) -> pd.DataFrame:
    """One row per compared job: ``job, label, kind`` and per lead time ``<m>``, ``<m>_low``, ``<m>_high`` (paired
    change and 95% interval, days), ``<m>_pct`` (as a share of the reference's mean, %) and ``<m>_ref`` (the
    reference's mean); ranked as the module says (``by`` falls back to the last lead time the table has)."""
    d = _compared(table, ref)
    refs = table[table["job"].isin(set(ref.by_job.values()) | ({ref.job} if ref.job is not None else set()))]
    ref_means = {(int(r.job), str(r.metric)): float(r.mean) for r in refs.itertuples(index=False)}
    metrics = [m for m in LEAD_TIMES if m in set(d["metric"])]
    if by not in metrics and metrics:
        by = metrics[-1]
    rows = []
    for job, g in d.groupby("job", sort=False):
        job = int(job)
        row: dict = {"job": job, "label": labels.get(job, str(job)), "kind": kinds.get(job, "other")}
        for r in g.itertuples(index=False):  # the reference's own mean, as comparison.csv gives it
            ref_job = getattr(r, "reference_job", ref.job)
            ref_mean = ref_means.get((int(ref_job) if not pd.isna(ref_job) else -1, str(r.metric)),
                                     r.mean - r.diff_mean)
            row.update({r.metric: r.diff_mean, f"{r.metric}_low": r.diff_ci_low, f"{r.metric}_high": r.diff_ci_high,
                        f"{r.metric}_pct": (float(r.diff_pct) if "diff_pct" in g.columns and not pd.isna(r.diff_pct)
                                            else 100 * r.diff_mean / ref_mean if ref_mean else math.nan),
                        f"{r.metric}_ref": ref_mean,
                        f"{r.metric}_censored": float(getattr(r, "censored_share", math.nan))})
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["_k"] = out["kind"].map(KIND_ORDER)
    out["_v"] = out[by] if by in out.columns else 0.0
    out = out.sort_values(["_k", "_v", "job"], na_position="last").drop(columns=["_k", "_v"])
    return out.reset_index(drop=True).assign(rank_by=by)


def places(*values: float) -> int:
    """Decimals to show a change and its interval: one below 10 days, none above, three for a change under a tenth
    of a day (so a real but tiny change does not print as +0.0 [+0.0, +0.0])."""
    xs = [abs(v) for v in values if not math.isnan(v)]
    if xs and 0 < max(xs) < 0.1:
        return 3
    return max((digits_for(v) for v in xs), default=0)


def _change(x: float, lo: float, hi: float) -> str:
    if math.isnan(x):
        return "–"
    d = places(x, lo, hi)
    span = "" if math.isnan(lo) or math.isnan(hi) else f" [{number(lo, d, True)}, {number(hi, d, True)}]"
    return f"{number(x, d, True)}{span}"


def fit(label: str, width: int) -> str:
    """``label`` in ``width`` characters: a long one keeps its end, where a sweep's labels differ (``...=60``)."""
    return label if len(label) <= width else "…" + label[len(label) - width + 1:]


def distinct(row: Mapping, metric: str) -> bool:
    """Whether the change's 95% interval excludes zero."""
    lo, hi = row.get(f"{metric}_low", math.nan), row.get(f"{metric}_high", math.nan)
    return bool(not (math.isnan(lo) or math.isnan(hi)) and (hi < 0 or lo > 0))


def answer_sentences(ranked: pd.DataFrame, ref: Reference) -> list[str]:
    """One sentence per lead time: the largest saving with its interval and share, and how many scenarios change
    the measure distinguishably from zero (95% interval)."""
    out = []
    for metric in LEAD_TIMES:
        if ranked.empty or metric not in ranked.columns:
            continue
        rows = [r for r in ranked.to_dict("records") if not math.isnan(r[metric])]
        if not rows:
            continue
        best = min(rows, key=lambda r: r[metric])
        n_less = sum(distinct(r, metric) and r[metric] < 0 for r in rows)
        n_more = sum(distinct(r, metric) and r[metric] > 0 for r in rows)
        x, lo, hi = best[metric], best[metric + "_low"], best[metric + "_high"]
        share = (f"{number(abs(best[metric + '_pct']), 1)}% of {number(best[metric + '_ref'])} days under "
                 f"'{ref.label}'")
        if x < 0:  # a saving, said as days less (no double negative), its interval turned round with it
            d = places(x, lo, hi)
            span = "" if math.isnan(lo) else f" [{number(-hi, d, hi > 0)}, {number(-lo, d, hi > 0)}]"
            head = f"{best['label']} shortens it most, by {number(-x, d)} days{span} ({share})"
            if not distinct(best, metric):
                head += ", but its interval includes zero"
                sure = [r for r in rows if distinct(r, metric) and r[metric] < 0]
                if sure:  # the largest saving that is beyond its interval, named too
                    b = min(sure, key=lambda r: r[metric])
                    db = places(b[metric], b[metric + "_low"], b[metric + "_high"])
                    head += (f" (the largest saving beyond its interval is {b['label']}'s, "
                             f"{number(-b[metric], db)} days [{number(-b[metric + '_high'], db)}, "
                             f"{number(-b[metric + '_low'], db)}])")
        else:
            head = (f"no scenario shortens it on average (the smallest change is {best['label']}'s, "
                    f"{_change(x, lo, hi)} days, {share})")
        if n_less == 0 and n_more == 0:
            tally = "no scenario changes it beyond its 95% interval"
        else:
            tally = (f"{n_less} of {len(rows)} shorten it" + (f" and {n_more} lengthen{'s' if n_more == 1 else ''} it"
                                                              if n_more else "") + " beyond their 95% interval")
        censored = max((r.get(metric + "_censored", math.nan) for r in rows), default=math.nan)
        caution = (f" Caution: up to {100 * censored:.0f}% of cohort cases had not reached it when the runs ended, "
                   "so these means leave out the slowest cases." if censored > CENSORED_WARN else "")
        out.append(f"{METRIC_TITLES[metric]}: {head}; {tally}.{caution}")
    return out


def replications_text(counts: Sequence[int]) -> Optional[str]:
    """'5 replications', or '3 to 5 replications' where scenarios ran different numbers (a precision study)."""
    counts = [c for c in counts if c]
    if not counts:
        return None
    lo, hi = min(counts), max(counts)
    return f"{lo} replications" if lo == hi else f"{lo} to {hi} replications"


def console_table(ranked: pd.DataFrame, ref: Reference, replications: Optional[str] = None,
                  limit: int = 20) -> str:
    """The ranked table for the console (at most ``limit`` rows per kind, the rest counted), naming the reference."""
    if ranked.empty:
        return f"no paired changes to rank (reference '{ref.label}')"
    metrics = [m for m in LEAD_TIMES if m in ranked.columns]
    by = str(ranked["rank_by"].iloc[0])
    reps = f", {replications}" if replications else ""
    head = (f"Paired change in mean lead time (days) against '{ref.label}' (job {ref.job}{reps}; 95% interval; "
            f"* = interval excludes 0), ranked by {METRIC_TITLES[by]}:")
    width = max(12, min(48, int(ranked["label"].str.len().max())))
    share = f"% of ref ({by.rsplit('_', 1)[-1]})"
    cols = [f"{'scenario':<{width}}", *(f"{METRIC_TITLES[m][:26]:>27}" for m in metrics), f"{share:>19}"]
    lines = [head]
    for kind, group in ranked.groupby("kind", sort=False):
        lines += ["", f"{KIND_TITLES.get(str(kind), str(kind))}:", "  ".join(cols)]
        for i, r in enumerate(group.to_dict("records")):
            if i == limit:
                lines.append(f"... {len(group) - limit} more in comparison.csv")
                break
            cells = [f"{fit(str(r['label']), width):<{width}}"]
            cells += [f"{_change(r[m], r[m + '_low'], r[m + '_high']) + ('*' if distinct(r, m) else ' '):>27}"
                      for m in metrics]
            cells.append(f"{number(r.get(by + '_pct'), 1, True):>18}%")
            lines.append("  ".join(cells))
    return "\n".join(lines)


def rank_jobs(table: pd.DataFrame, ref: Reference, jobs: Sequence[Mapping]) -> tuple[pd.DataFrame, list[str]]:
    """The ranking and the answer sentences of a report's complete jobs (kinds and labels from their summaries)."""
    from sim.analysis.comparison import complete_jobs, scenario_labels

    ok = complete_jobs(jobs)
    ranked = ranked_changes(table, ref, {int(j["job"]): kind_of(j["summary"]) for j in ok}, scenario_labels(jobs))
    return ranked, answer_sentences(ranked, ref)


def ranked_order(ranked: pd.DataFrame) -> Sequence[int]:
    """The jobs in ranked order (for figures and tables)."""
    return [] if ranked.empty else [int(j) for j in ranked["job"]]
