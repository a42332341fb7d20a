"""The screening estimate the what-if page shows at once: each lead time's change, or "no estimate" and why.

Two sources, each used only where it holds:

- **headcounts** (``sim.app.staffing_estimate``): the portfolio offices' processor sharing with its juggling cost, a
  per-person steady state, summed over the offices changed, with each lead time's drawn office days
  (``sim.app.paths``); no estimate for an office where it does not hold (slots, pooling, staff plans, load at or
  above 1, no steady state, a person at the cap too often);
- **one reform at a strength** (``sim.app.fitted_estimate``): the monotone curve fitted to a stored strength sweep
  (``sim.app.study_table``), with its cross-validated error, only for a reform, lead time and ``reform.assume``
  the sweep measured and inside its strengths.

A reform together with a headcount change, or several reforms, get no estimate: their effects interact, and only
the confirmation measures the combination.  Neither source knows the effective date: the estimate is the settled
effect.  Pure functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sim.app.choices import Choice
from sim.app.fitted_estimate import loo_error, predict
from sim.app.paths import MEASURES, path_days
from sim.app.staffing_estimate import OfficeChange, lead_time_changes, office_change
from sim.app.study_table import Study
from sim.model.params import Params

FORMULA = "processor-sharing formula"
FITTED = "fitted to the stored break-even study"


@dataclass(frozen=True)
class Estimate:
    """One lead time's screening estimate: ``days`` (None: no estimate, ``note`` says why), its cross-validated
    error (fitted estimates only) and how it was made."""

    measure: str
    days: Optional[float]
    error: Optional[float] = None
    method: str = ""
    note: str = ""


def office_changes(params: Params, headcounts: dict[str, int]) -> dict[str, OfficeChange]:
    """The formula's reading of each office whose headcount differs from ``params``'."""
    st = params.staffing
    return {office: office_change(office, st.pools[office], st.plans.get(office), st.stage_days_per_day.get(office),
                                  n)
            for office, n in sorted(headcounts.items()) if n != st.pools[office].headcount}


def staffing_estimates(params: Params, changes: dict[str, OfficeChange]) -> list[Estimate]:
    refused = [c for c in changes.values() if c.stretch_change is None]
    if refused:
        why = "; ".join(f"{c.office.replace('_', ' ')}: {c.why}" for c in refused)
        return [Estimate(m, None, method=FORMULA, note=f"no estimate: the formula does not hold ({why})")
                for m in MEASURES]
    days = lead_time_changes(changes, params.staffing.pools, path_days(params), MEASURES)
    loads = ", ".join(f"{c.office.replace('_', ' ')} load {c.load_before:.2f} -> {c.load_after:.2f}"
                      for c in changes.values())
    return [Estimate(m, days[m], method=FORMULA, note=loads) for m in MEASURES]


def reform_estimates(choice: Choice, study: Optional[Study]) -> list[Estimate]:
    reform = choice.reforms[0]
    out = []
    for m in MEASURES:
        curve = None if study is None else study.curves.get((reform, m))
        if study is None:
            why = "no stored strength sweep to fit (the findings page is not here)"
        elif len(choice.reforms) > 1:
            why = f"{len(choice.reforms)} reforms together: the study ran them one at a time"
        elif choice.assume != study.assume:
            why = f"reform.assume={choice.assume}: the study measured {study.assume}"
        elif curve is None:
            why = (f"the study did not measure {reform}" if reform not in study.reforms()
                   else f"the study keeps {', '.join(study.measures())} only")
        else:
            value = predict(curve, choice.strength)
            if value is not None:
                out.append(Estimate(m, value, loo_error(curve), FITTED,
                                    f"{reform} at strength {choice.strength:g} (fitted over "
                                    f"{' '.join(f'{s:g}' for s in curve.strengths)})"))
                continue
            why = f"strength {choice.strength:g} is outside the study's {min(curve.strengths):g} to " \
                  f"{max(curve.strengths):g}"
        out.append(Estimate(m, None, method=FITTED, note=f"no estimate: {why}"))
    return out


def screen(params: Params, choice: Choice, study: Optional[Study]) -> tuple[list[Estimate], dict[str, OfficeChange]]:
    """Each lead time's estimate for ``choice`` against the baseline ``params``, and the offices' readings."""
    changes = office_changes(params, dict(choice.headcounts))
    reform = bool(choice.reforms) and choice.strength > 0
    if changes and reform:
        return [Estimate(m, None, note="no estimate: a reform and a headcount change together interact; only the "
                         "confirmation measures the combination") for m in MEASURES], changes
    if changes:
        return staffing_estimates(params, changes), changes
    if reform:
        return reform_estimates(choice, study), changes
    return [Estimate(m, 0.0, method="no change", note="the reference itself") for m in MEASURES], changes
