"""The state of the enterprise as data: the open cases at a date, one row per case (schema version 1).

A **user-made** state comes from a user's own records (an export of open cases, for example) and holds milestone
dates only.  Its columns (``COLUMNS``; others are ignored and named in a note):

==================  ========  ================================================================================
column              required  meaning
==================  ========  ================================================================================
``as_of``           yes       the state's date, the same on every row: the last day of a fiscal year
                              (30 September); a run started from it begins the next day, with the next fiscal year
``case_id``         yes       the user's own case number, a whole number >= 0, once per file (kept apart from the
                              numbers of new LORs)
``partner``         yes       a partner of ``demand.partners`` (or ``demand.bpc.partners`` for BPC cases)
``loa_group``       yes       A, B or C (partner-funded) or D (Building Partner Capacity)
``value_musd``      yes       the case value, $M, >= 0
``lor_received``    yes       date of the LOR
``funding``         no        ``fms`` (default) or ``bpc``; Group D is ``bpc`` and only it
``mde_musd``        no        major defense equipment value, $M, 0 (default) to ``value_musd``
``acquisition``     no        ``stock``, ``on_contract`` or ``new_procurement``; empty: drawn as for a new case
``platform``        no        a platform family of ``demand.platforms`` (new procurement only); empty: none
``quantity``        no        units of the platform, a whole number >= 1 when a platform is named
``priority``        no        ``urgent`` or ``normal`` (default)
``lor_complete``    no        milestone dates, in this order: each one given implies the ones before it (a stock
``loa_offered``               item is never put on contract: ``contract_awarded`` stays empty); none after
``loa_accepted``              ``as_of``.  The first one missing says where the case stands (``stage_of``)
``implemented``
``contract_awarded``
``delivered``
``state_version``   no        1 (the default); a later version is refused
==================  ========  ================================================================================

Dates arrive here as days relative to the day after ``as_of`` (the run's day 0; so every milestone is < 0) or
NaN when missing: :mod:`sim.states` reads the file and converts them.  ``problems`` checks the rows against the
scenario's partners, groups and platforms, one line per problem naming the row, the case and the column.  Plain
Python: no file is read here.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Optional, Sequence, TypeGuard

from sim.model.params import ACQUISITION_TYPES, FUNDING, LOA_GROUPS, Params

STATE_VERSION = 1
REQUIRED = ("as_of", "case_id", "partner", "loa_group", "value_musd", "lor_received")
MILESTONES = ("lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
              "delivered")
OPTIONAL = ("funding", "mde_musd", "acquisition", "platform", "quantity", "priority", *MILESTONES[1:], "state_version")
COLUMNS = (*REQUIRED, *OPTIONAL)
PRIORITIES = ("urgent", "normal")
# where a case stands, by the first milestone it has not reached (sim.model.process.case_flow.ROUTE steps)
STAGE_BEFORE = {"lor_complete": "lor_intake", "loa_offered": "reviews", "loa_accepted": "offer_acceptance",
                "implemented": "implementation", "contract_awarded": "contracting", "delivered": "production"}
# the route step a case stands in, as a user reads it
STAGE_LABELS = {"lor_intake": "LOR intake", "reviews": "LOA development and reviews (to the offer)",
                "offer_acceptance": "offer (to acceptance)", "implementation": "implementation",
                "contracting": "contracting", "production": "production and delivery", "closure": "closure"}
MAX_LISTED = 20  # problems listed one per line; the rest are counted
MAX_CASE_ID = (1 << 40) - 1  # a state's case k runs as case 2**40 + its position (sim.model.start)


def stage_of(row: Mapping[str, Any]) -> str:
    """The route step a case stands in: the one before its first missing milestone (``closure`` when delivered);
    a stock item goes from implementation to production (it is never put on contract)."""
    for m in MILESTONES[1:]:
        if m == "contract_awarded" and row.get("acquisition") == "stock":
            continue
        if _missing(row.get(m)):
            return STAGE_BEFORE[m]
    return "closure"


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == ""


def missing_columns(columns: Sequence[str]) -> list[str]:
    """One line per required column the file lacks."""
    return [f"column {c!r} is missing; required: {', '.join(REQUIRED)}" for c in REQUIRED if c not in columns]


def problems(rows: Sequence[Mapping[str, Any]], params: Params) -> list[str]:
    """Every problem of the rows, one line each (``row <n> (case <id>): <column>=<value>; allowed: ...``)."""
    d = params.demand
    partners = {"fms": {p.name for p in d.partners}, "bpc": {p.name for p in d.bpc.partners}}
    platforms = {p.name for p in d.platforms}
    out: list[str] = []
    seen: dict[Any, int] = {}
    for n, row in enumerate(rows, start=1):
        where = f"row {n} (case {row.get('case_id')!r})"

        def bad(column: str, allowed: str) -> None:
            out.append(f"{where}: {column}={row.get(column)!r}; allowed: {allowed}")  # noqa: B023 (this row)

        cid = row.get("case_id")
        if not (isinstance(cid, int) and not isinstance(cid, bool) and 0 <= cid <= MAX_CASE_ID):
            bad("case_id", f"a whole number from 0 to {MAX_CASE_ID:,}")
        elif cid in seen:
            out.append(f"{where}: case_id={cid} appears again (first in row {seen[cid]}); allowed: once per file")
        else:
            seen[cid] = n
        funding = "fms" if _missing(row.get("funding")) else row.get("funding")
        if funding not in FUNDING:
            bad("funding", " or ".join(FUNDING))
        group = row.get("loa_group")
        if group not in LOA_GROUPS:
            bad("loa_group", ", ".join(LOA_GROUPS))
        elif (group == "D") != (funding == "bpc"):
            bad("loa_group", "D for a BPC case (funding=bpc) and only for one")
        if funding in partners and row.get("partner") not in partners[funding]:
            known = ", ".join(sorted(partners[funding])) or "none"
            bad("partner", f"a partner of demand.{'bpc.' if funding == 'bpc' else ''}partners ({known})")
        value = row.get("value_musd")
        if not _number(value) or value < 0:
            bad("value_musd", "a number of $M >= 0")
        mde = 0.0 if _missing(row.get("mde_musd")) else row.get("mde_musd")
        if not _number(mde) or mde < 0 or (_number(value) and 0 <= value < mde):  # a bad value is said once
            bad("mde_musd", "a number of $M from 0 to value_musd")
        acq = row.get("acquisition")
        if not _missing(acq) and acq not in ACQUISITION_TYPES:
            bad("acquisition", ", ".join(ACQUISITION_TYPES) + " or empty (drawn as for a new case)")
        _platform(row, platforms, bad)
        if not _missing(row.get("priority")) and row.get("priority") not in PRIORITIES:
            bad("priority", " or ".join(PRIORITIES))
        version = row.get("state_version")
        if not _missing(version) and version != STATE_VERSION:
            bad("state_version", f"{STATE_VERSION} (this fms-sim reads state version {STATE_VERSION})")
        out.extend(_dates(row, where))
    return out


def _number(v: Any) -> TypeGuard[float]:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _platform(row: Mapping[str, Any], platforms: set[str], bad: Any) -> None:
    platform, quantity = row.get("platform"), row.get("quantity")
    if _missing(platform):
        if not _missing(quantity) and quantity != 0:
            bad("quantity", "empty or 0 when no platform is named")
        return
    if platform not in platforms:
        bad("platform", f"a family of demand.platforms ({', '.join(sorted(platforms)) or 'none'}) or empty")
    if row.get("acquisition") not in (None, "", "new_procurement") and not _missing(row.get("acquisition")):
        bad("platform", "empty unless acquisition=new_procurement")
    if not (isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 1):
        bad("quantity", "a whole number >= 1 when a platform is named")


def _dates(row: Mapping[str, Any], where: str) -> list[str]:
    """Milestones: present in order, each implying the ones before it, none after the state's date."""
    out = []
    stock = row.get("acquisition") == "stock"
    last: Optional[tuple[str, float]] = None
    gap: Optional[str] = None
    for m in MILESTONES:
        v = row.get(m)
        if m == "contract_awarded" and stock:
            if not _missing(v):
                out.append(f"{where}: contract_awarded given for a stock item; allowed: empty (stock items are "
                           "never put on contract)")
            continue
        if _missing(v):
            if m == "lor_received":
                out.append(f"{where}: lor_received is missing; allowed: the LOR's date (required)")
            gap = gap or m
            continue
        if not _number(v):
            out.append(f"{where}: {m}={v!r}; allowed: a date (YYYY-MM-DD) or empty")
            continue
        if v >= 0:  # day 0 is the day after the state's date (a file's whole days are <= -1)
            out.append(f"{where}: {m} is after as_of; allowed: dates up to the state's date")
        if gap is not None:
            out.append(f"{where}: {m} is given but {gap} is not; allowed: each milestone implies the ones before it")
            gap = None
        if last is not None and v < last[1]:
            out.append(f"{where}: {m} comes before {last[0]}; allowed: milestones in the order "
                       f"{', '.join(MILESTONES)}")
        last = (m, v)
    return out


def report(found: list[str]) -> list[str]:
    """The first ``MAX_LISTED`` problems, and a line counting the rest."""
    if len(found) <= MAX_LISTED:
        return found
    return [*found[:MAX_LISTED], f"(and {len(found) - MAX_LISTED} more problem(s))"]
