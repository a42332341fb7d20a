"""What the analyst picked on the what-if page, and the two runs that confirm it (the reference and the scenario).

The page asks the studies' steady-state question on the baseline's calendar (day 0 is FY2004; the cohort is the
LORs of the years after the warm-up, FY2016 to FY2020): every run starts from a **cached start state**
(``run.settle_years``, ``sim.state_cache``): the reference ``reform=none`` from the baseline's state at the warm-up's
end, the scenario from the state of its own history without its reform ``settle_years`` before it, its reform
enacted then.  So the **effective date** is the fiscal year ``settle_years`` before the cohort's first LOR: the
reform has been in effect that long when the cohort arrives (six years, FY2010, is the break-even study's choice:
its settled effect).  Headcounts are the offices' throughout (their own history: a state made once per headcount
and cached).  The **quick** frame is a smoke test of seconds (half a year of cohort, a quarter-year settle): its
numbers are not for conclusions, and it ignores the date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

QUICK = ("run.horizon_years=1", "run.warmup_years=0.5", "run.drain_years=1", "run.settle_years=0.25")
QUICK_SETTLE = 0.25
SETTLED_YEARS = 6  # the break-even study's run.settle_years: its changes are the settled effect


@dataclass(frozen=True)
class Choice:
    """The page's settings."""

    reforms: tuple[str, ...] = ()
    strength: float = 1.0
    assume: str = "high"
    headcounts: Mapping[str, int] = field(default_factory=dict)  # the offices whose headcount differs from baseline
    years_before_cohort: int = SETTLED_YEARS  # the effective date, as years before the cohort's first LOR
    replications: int = 3
    quick: bool = False

    def key(self) -> tuple[object, ...]:
        """What the confirmation's result depends on (a new choice makes an old result stale)."""
        return (self.reforms, self.strength, self.assume, tuple(sorted(self.headcounts.items())),
                None if self.quick else self.years_before_cohort, self.replications, self.quick)


def effective_fiscal_year(start_fiscal_year: int, warmup_years: float, years_before: int) -> int:
    """The fiscal year a reform takes effect when it does ``years_before`` years before the cohort's first LOR."""
    return int(start_fiscal_year + warmup_years) - years_before


def frame(choice: Choice) -> list[str]:
    """The run settings both runs share: replications, the cached start (``run.settle_years``), summary records."""
    out = [f"run.replications={choice.replications}", "run.records=summary"]
    if choice.quick:
        return out + list(QUICK)
    return out + [f"run.settle_years={choice.years_before_cohort}"]


def run_overrides(choice: Choice) -> tuple[list[str], list[str]]:
    """(The reference's overrides, the scenario's): ``reform=none`` at the baseline headcounts, and the choice."""
    base = frame(choice)
    scenario = list(base)
    if choice.reforms:
        names = choice.reforms[0] if len(choice.reforms) == 1 else f"[{','.join(choice.reforms)}]"
        scenario += [f"reform={names}", f"reform.strength={choice.strength:g}",
                     f"reform.assume={choice.assume}"]
    scenario += [f"staffing.pools.{office}.headcount={n}" for office, n in sorted(choice.headcounts.items())]
    return ["reform=none", *base], scenario
