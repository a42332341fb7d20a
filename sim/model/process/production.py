"""Production: a lead time by item type, and finite production lines for major platforms.

Stock items skip production.  A new major platform first takes its place in its family's
production line: the line builds ``rate`` units a year, so the case holds the line for
``quantity / rate`` years (orders queue behind each other, by priority then order date);
its last unit then reaches the partner after the platform lead time.  Other items take the
standard lead time only.  A case whose long-lead items were bought ahead through the Special
Defense Acquisition Fund (``case.sdaf``, a reform's coverage) saves ``sdaf_days_saved`` of it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.engine.clock import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.model.context import Process, StageContext
    from sim.model.entities import Case


def line_days(quantity: int, units_per_year: float) -> float:
    return quantity / units_per_year * DAYS_PER_YEAR


def run(m: "StageContext", case: "Case") -> "Process":
    if case.acquisition == "stock":
        return
    u = m.banks["production"].row(case.id, 0)
    lead = m.p.production.lead_time
    saved = m.policy.sdaf_days_saved if case.sdaf else 0.0
    if case.platform:
        line = m.lines[case.platform]
        yield from m.work(case, "production_line", line, line_days(case.quantity, m.line_rate[case.platform]))
        days = lead["major_platform"].from_uniform(u[0])
    else:
        days = lead["standard"].from_uniform(u[0])
    yield from m.delay(case, "production", max(0.0, days - saved))
