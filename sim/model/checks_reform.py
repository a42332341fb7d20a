"""Rules on the reforms: each selected reform's levers, and when and how strongly they act together.

Called by :func:`sim.model.checks.validate_params`; the shared helpers are in :mod:`sim.model.rules`.  Each
problem is one line naming the dotted key, the value and what is allowed.
"""
from __future__ import annotations

import math

from sim.model import workforce_program
from sim.model.calendar import check_year, run_end_years
from sim.model.lever_ranges import ASSUMPTIONS, at_assumption, current_values, range_problems
from sim.model.params import PARTNER_GROUPS, POOLS, Params, ReformLevers
from sim.model.rules import _flag, _nonneg, _prob

# reform multipliers checked to be >= 0, in the order they are reported
REFORM_FACTORS = ("p_hold_factor", "p_incomplete_factor", "p_requirement_change_factor", "loa_work_factor",
                  "tech_release_work_factor", "contracting_work_factor", "contracting_sigma_factor",
                  "line_rate_factor")


def _validate_enactment(params: Params, out: list[str]) -> None:
    r, run = params.reform, params.run
    start = 0.0
    if r.effective is not None:
        found: list[str] = []
        check_year(found, "reform.effective", r.effective, run)
        if not found and not r.effective < run.horizon_years:  # it would act on no LOR the run counts
            found.append(f"reform.effective={r.effective:g}; allowed: before the horizon (run.horizon_years="
                         f"{run.horizon_years:g}, the start of FY{run.start_fiscal_year + int(run.horizon_years // 1)}"
                         "): a reform taking effect later changes no counted LOR and no year the run reports")
        out.extend(found)
        start = r.effective if not found else 0.0
    _flag(out, not (math.isfinite(r.strength) and 0 <= r.strength <= 1),
          f"reform.strength={r.strength}; allowed: 0 (no change) to 1 (every lever at its stated size)")
    end = run_end_years(run.horizon_years, run.drain_years)
    if not (math.isfinite(r.phase_in_years) and r.phase_in_years >= 0):
        out.append(f"reform.phase_in_years={r.phase_in_years}; allowed: a finite number of years >= 0 (0: at once)")
    elif math.isfinite(end) and start + r.phase_in_years > end:
        out.append(f"reform.phase_in_years={r.phase_in_years:g}; allowed: 0 to {max(0.0, end - start):g} (the phase-in "
                   f"ends by the run's end: run.horizon_years + run.drain_years = {end:g} years from day 0)")


def validate_reforms(params: Params, out: list[str]) -> None:
    """The selected reforms' levers, and their date, strength and phase-in."""
    _validate_enactment(params, out)
    # priority lists and the names they may use: priority_partners first, then priority_platforms
    known = {"partners": {p.name for p in [*params.demand.partners, *params.demand.bpc.partners]},
             "platforms": {pf.name for pf in params.demand.platforms}}
    _flag(out, params.reform.assume not in ASSUMPTIONS,
          f"reform.assume={params.reform.assume!r}; allowed: {', '.join(ASSUMPTIONS)}")
    current = current_values(params.process.congressional_review)
    for name, given in params.reform.levers.items():
        k = f"reform.levers.{name}"
        for inc in given.includes:
            _flag(out, inc not in params.reform.levers,
                  f"{k}.includes names {inc!r}, which is not selected; its file must list it in defaults")
        out.extend(range_problems(k, given, current))
        if given.program is not None:
            out.extend(workforce_program.problems(f"{k}.program", given.program))
        _lever_values(out, k, given, known)
        if given.ranges and not any(m.startswith((f"{k}.", f"{k} ")) for m in out):
            for end in ("low", "high"):  # each end of the ranges is a value a run may use
                _lever_values(out, f"{k} (at reform.assume={end})", at_assumption(given, end, current), known)


def _lever_values(out: list[str], k: str, lv: ReformLevers, known: dict[str, set[str]]) -> None:
    """The value rules of one reform's levers (``k`` names it in each line)."""
    for fname in REFORM_FACTORS:
        _flag(out, getattr(lv, fname) < 0, f"{k}.{fname}={getattr(lv, fname)}; allowed: >= 0")
    for pool, f in lv.staff_factor.items():
        if pool not in POOLS:
            out.append(f"{k}.staff_factor.{pool}: no such pool; allowed: {', '.join(POOLS)}")
        elif f <= 0:
            out.append(f"{k}.staff_factor.{pool}={f}; allowed: > 0")
    for dname in ("mde_threshold", "total_threshold", "informal_review_days"):
        for g, v in getattr(lv, dname).items():
            _flag(out, g not in PARTNER_GROUPS,
                  f"{k}.{dname}.{g}: no such partner group; allowed: {', '.join(PARTNER_GROUPS)}")
            _nonneg(out, f"{k}.{dname}.{g}", v)
    for oname in ("hold_cap_days", "sdaf_days_saved"):
        v = getattr(lv, oname)
        if v is not None:
            _nonneg(out, f"{k}.{oname}", v)
    _prob(out, f"{k}.sdaf_share", lv.sdaf_share)
    for what, names in known.items():
        for x in getattr(lv, f"priority_{what}"):
            _flag(out, x not in names, f"{k}.priority_{what} names {x!r}, not in demand.{what}")
