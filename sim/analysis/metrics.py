"""The measures fms-sim reports, in one place: names, the milestone each lead time ends at, titles, units.

A lead time runs from the LOR's receipt to a milestone of the case (a column of ``cases.parquet``).
``METRICS`` are what a multirun report compares: the lead times plus the open cases at the horizon.
"""
from __future__ import annotations

LEAD_TIMES: dict[str, str] = {  # name -> the milestone it ends at
    "lor_to_offer": "loa_offered",
    "lor_to_contract": "contract_awarded",
    "lor_to_delivery": "delivered",
}
METRICS: tuple[str, ...] = (*LEAD_TIMES, "open_cases_at_horizon")
TITLES: dict[str, str] = {
    "lor_to_offer": "LOR to LOA offer",
    "lor_to_contract": "LOR to contract award",
    "lor_to_delivery": "LOR to delivery",
    "open_cases_at_horizon": "open cases at the horizon",
}
UNITS: dict[str, str] = {"lor_to_offer": "days", "lor_to_contract": "days", "lor_to_delivery": "days",
                         "open_cases_at_horizon": "cases"}
