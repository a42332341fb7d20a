"""Rules on the reforms: each selected reform's levers, and when and how strongly they act together.

Called by :func:`sim.model.checks.validate_params`; the shared helpers are in :mod:`sim.model.rules`.  Each
problem is one line naming the dotted key, the value and what is allowed.
"""
from __future__ import annotations

import math

from sim.model.calendar import check_year
from sim.model.params import PARTNER_GROUPS, POOLS, Params
from sim.model.rules import _flag, _nonneg, _prob

# reform multipliers checked to be >= 0, in the order they are reported
REFORM_FACTORS = ("p_hold_factor", "p_incomplete_factor", "p_requirement_change_factor", "loa_work_factor",
                  "tech_release_work_factor", "contracting_work_factor", "contracting_sigma_factor",
                  "line_rate_factor")


def _validate_enactment(params: Params, out: list[str]) -> None:
    r = params.reform
    if r.effective is not None:
        check_year(out, "reform.effective", r.effective, params.run)
    _flag(out, not (math.isfinite(r.strength) and 0 <= r.strength <= 1),
          f"reform.strength={r.strength}; allowed: 0 (no change) to 1 (every lever at its stated size)")
    _flag(out, not (math.isfinite(r.phase_in_years) and r.phase_in_years >= 0),
          f"reform.phase_in_years={r.phase_in_years}; allowed: a finite number of years >= 0 (0: at once)")


def validate_reforms(params: Params, out: list[str]) -> None:
    """The selected reforms' levers, and their date, strength and phase-in."""
    _validate_enactment(params, out)
    # priority lists and the names they may use: priority_partners first, then priority_platforms
    known = {"partners": {p.name for p in [*params.demand.partners, *params.demand.bpc.partners]},
             "platforms": {pf.name for pf in params.demand.platforms}}
    for name, lv in params.reform.levers.items():
        k = f"reform.levers.{name}"
        for inc in lv.includes:
            _flag(out, inc not in params.reform.levers,
                  f"{k}.includes names {inc!r}, which is not selected; its file must list it in defaults")
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
