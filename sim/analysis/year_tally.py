"""Year-by-year measures added up as each case finishes: the state at each fiscal year's end and lead times by
the fiscal year of the LOR and of the milestone, the way DSCA and GAO report them.

Per simulation year ``k`` (fiscal year ``run.start_fiscal_year + k``, ending on day ``(k + 1) x 365.25``):

* ``open_cases``: cases open at the year's end (LOR received by then, neither closed nor withdrawn by then): the
  public count, delivered cases awaiting closure included;
* ``in_process``: of them, the cases not yet delivered (the backlog a reform can shorten);
* ``undelivered_value``: $B of LOAs accepted by the year's end and not yet delivered (the case value);
* ``loas_accepted``: LOAs accepted in the year;
* ``<lead>.lor_cases``, ``.lor_reached``, ``.lor_sum``: cases whose LOR came in the year and are not withdrawn
  (stock items leave out contract award), those that reached the milestone, and the sum of their lead times (days);
* ``<lead>.end_cases``, ``.end_sum``: cases that reached the milestone in the year, and the sum of their lead times.

Only cases received before the horizon are the run's (``CaseTally``), so a year is reported only when it ends by
the horizon (``full_years``); by LOR year the late years are censored (not every case has got there when the run
ends: the reached share says how many have), by milestone year the early years are selected (only cases quick
enough to get there count).  Sums are added in the order cases finish, in plain Python floats.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from itertools import accumulate
from typing import Any, Iterator

from sim.analysis.metrics import LEAD_TIMES
from sim.engine.clock import DAYS_PER_YEAR
from sim.model.entities import Case

SPANS = ("open_cases", "in_process", "undelivered_value")
PARTS = ("lor_cases", "lor_reached", "lor_sum", "end_cases", "end_sum")


def full_years(horizon: float) -> int:
    """The simulation years that end by the horizon."""
    return int(math.floor(horizon / DAYS_PER_YEAR + 1e-9))


class YearTally:
    """One replication's year-by-year sums (see the module); ``result`` gives ``{measure: [per year]}``."""

    def __init__(self, years: int) -> None:
        self.years = years
        self.ends = [(k + 1) * DAYS_PER_YEAR for k in range(years)]
        self.steps = {m: [0.0] * (years + 1) for m in SPANS}  # changes at each year's end (a difference array)
        self.sums = {m: [0.0] * years for m in ("loas_accepted",
                                                  *(f"{lead}.{p}" for lead in LEAD_TIMES for p in PARTS))}

    def _year(self, day: float) -> int:
        """The simulation year of ``day``; -1 when it is missing or outside the reported years."""
        if day != day:
            return -1
        k = int(day // DAYS_PER_YEAR)
        return k if 0 <= k < self.years else -1

    def _span(self, measure: str, start: float, end: float, amount: float) -> None:
        """``amount`` at every year's end in [start, end) (end missing: to the last)."""
        first = bisect_left(self.ends, start)
        last = self.years if end != end else bisect_left(self.ends, end)
        if first < last:
            self.steps[measure][first] += amount
            self.steps[measure][last] -= amount

    def add(self, case: Case) -> None:
        lor = case.lor_received
        s = self.sums
        self._span("open_cases", lor, case.closed if case.closed == case.closed else case.withdrawn, 1.0)
        self._span("in_process", lor, case.delivered if case.delivered == case.delivered else case.withdrawn, 1.0)
        if case.loa_accepted == case.loa_accepted:
            self._span("undelivered_value", case.loa_accepted, case.delivered, case.value_musd / 1e3)
            k = self._year(case.loa_accepted)
            if k >= 0:
                s["loas_accepted"][k] += 1.0
        k_lor = self._year(lor)
        for lead, milestone in LEAD_TIMES.items():
            if milestone == "contract_awarded" and case.acquisition == "stock":
                continue  # stock items are never put on contract
            t = getattr(case, milestone)
            reached = t == t
            if not reached and case.withdrawn == case.withdrawn:
                continue  # withdrawn: it will never get there
            if k_lor >= 0:
                s[f"{lead}.lor_cases"][k_lor] += 1.0
                if reached:
                    s[f"{lead}.lor_reached"][k_lor] += 1.0
                    s[f"{lead}.lor_sum"][k_lor] += t - lor
            k_end = self._year(t) if reached else -1
            if k_end >= 0:
                s[f"{lead}.end_cases"][k_end] += 1.0
                s[f"{lead}.end_sum"][k_end] += t - lor

    def result(self) -> dict[str, list[float]]:
        out = {m: list(accumulate(steps))[:self.years] for m, steps in self.steps.items()}
        out.update({m: list(v) for m, v in self.sums.items()})
        return out


# metric -> (keys, unit, meaning): the rows ``year_rows`` gives (``sim.analysis.kpis`` lists them with the others)
YEAR_METRICS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "year.open_cases": (("fiscal_year",), "cases", "cases open at the fiscal year's end (not closed or withdrawn)"),
    "year.in_process": (("fiscal_year",), "cases", "cases in process at the fiscal year's end (not yet delivered or "
                                                   "withdrawn)"),
    "year.undelivered_value": (("fiscal_year",), "$B", "value of LOAs accepted and not yet delivered at the "
                                                       "fiscal year's end"),
    "year.loas_accepted": (("fiscal_year",), "LOAs", "LOAs accepted in the fiscal year"),
    "year.office_load": (("office", "fiscal_year"), "share", "people (slots, line lots) working over those on "
                                                             "hand, mean of the fiscal year's samples"),
    "year.office_backlog": (("office", "fiscal_year"), "cases", "cases waiting to start, mean of the fiscal year's "
                                                                "samples"),
}
for _lead in LEAD_TIMES:
    YEAR_METRICS.update({
        f"year.by_lor.{_lead}": (("fiscal_year",), "days", f"mean {_lead} of the cases whose LOR came in the fiscal "
                                                           "year and got there (late years: censored)"),
        f"year.by_lor.{_lead}.reached_share": (("fiscal_year",), "share", "of those cases (not withdrawn), the share "
                                                                          "that got there before the run ended"),
        f"year.by_lor.{_lead}.cases": (("fiscal_year",), "cases", "cases whose LOR came in the fiscal year (not "
                                                                  "withdrawn)"),
        f"year.by_end.{_lead}": (("fiscal_year",), "days", f"mean {_lead} of the cases that got there in the fiscal "
                                                           "year (early years: selected)"),
        f"year.by_end.{_lead}.cases": (("fiscal_year",), "cases", "cases that got there in the fiscal year"),
    })


def _mean(total: float, n: float) -> float:
    return total / n if n else math.nan


def year_rows(yearly: dict[str, list[float]], samples: Any, start_fiscal_year: int
              ) -> Iterator[tuple[str, float, dict[str, Any]]]:
    """(metric, value, keys) of one replication's year-by-year measures; ``samples``: its pool samples (day, pool,
    busy, capacity, queue), or None."""
    if not yearly:
        return
    years = len(yearly["open_cases"])
    for k in range(years):
        fy = {"fiscal_year": start_fiscal_year + k}
        yield "year.open_cases", yearly["open_cases"][k], fy
        yield "year.in_process", yearly["in_process"][k], fy
        yield "year.undelivered_value", yearly["undelivered_value"][k], fy
        yield "year.loas_accepted", yearly["loas_accepted"][k], fy
        for lead in LEAD_TIMES:
            n, reached = yearly[f"{lead}.lor_cases"][k], yearly[f"{lead}.lor_reached"][k]
            yield f"year.by_lor.{lead}", _mean(yearly[f"{lead}.lor_sum"][k], reached), fy
            yield f"year.by_lor.{lead}.reached_share", _mean(reached, n), fy
            yield f"year.by_lor.{lead}.cases", n, fy
            yield f"year.by_end.{lead}", _mean(yearly[f"{lead}.end_sum"][k], yearly[f"{lead}.end_cases"][k]), fy
            yield f"year.by_end.{lead}.cases", yearly[f"{lead}.end_cases"][k], fy
    if samples is None or not len(samples):
        return
    year = (samples["day"] // DAYS_PER_YEAR).astype("int64")
    inside = samples[(year >= 0) & (year < years)].assign(year=year)
    for (office, k), g in inside.groupby(["pool", "year"], sort=True):
        keys = {"office": office, "fiscal_year": start_fiscal_year + int(k)}
        capacity = float(g["capacity"].sum())
        yield "year.office_load", float(g["busy"].sum()) / capacity if capacity > 0 else math.nan, keys
        yield "year.office_backlog", float(g["queue"].mean()), keys
