"""Reading a state file (``sim.model.state`` holds the schema and the rules): Parquet or CSV, dates to days.

``read_state(path, params)`` returns the state's date and its rows (dates as days relative to the day after the
state's date, the run's day 0), or raises :class:`StateError` listing every problem, one line each.  Columns the
schema does not know are ignored and named in ``State.ignored``.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model import state
from sim.model.params import Params

FLOATS = ("value_musd", "mde_musd")
INTEGERS = ("case_id", "quantity", "state_version")
FORMATS = (".parquet", ".csv")


class StateError(ValueError):
    """A state file that cannot be used: ``lines`` says why, one problem per line."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.lines = lines
        super().__init__(f"{path}: " + "; ".join(lines))


@dataclass(frozen=True)
class State:
    """A checked user-made state: its date, the rows (dates as days from the run's day 0) and ignored columns."""

    as_of: dt.date
    rows: list[dict[str, Any]]
    ignored: tuple[str, ...] = field(default=())

    @property
    def start_fiscal_year(self) -> int:
        """The fiscal year a run started from this state begins with."""
        return self.as_of.year + 1


def _text(v: Any) -> Any:
    """A cell as plain Python: None for an empty one."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v.item() if hasattr(v, "item") and not isinstance(v, (dt.date, pd.Timestamp)) else v


def _date(v: Any) -> Any:
    """A date cell as a ``datetime.date`` (None for an empty one); the text itself when it is not a date."""
    v = _text(v)
    if v is None or isinstance(v, dt.date):
        return v.date() if isinstance(v, dt.datetime) else v
    if isinstance(v, pd.Timestamp):
        return v.date()
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        return v


def _number(v: Any, whole: bool) -> Any:
    v = _text(v)
    if v is None or isinstance(v, bool):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return v
    if whole:
        return int(x) if math.isfinite(x) and x == int(x) else v
    return x


def state_path(start: str, states_dir: Path) -> Path:
    """The file ``start`` names: a file as given, else a name in ``states_dir`` (``.csv`` or ``.parquet``)."""
    path = Path(start)
    if path.suffix.lower() in FORMATS or path.is_file():
        return path
    for suffix in FORMATS:
        if (states_dir / f"{start}{suffix}").is_file():
            return states_dir / f"{start}{suffix}"
    return path


def fiscal_year_of(path: Path) -> int:
    """The fiscal year a run started from the state begins with (only ``as_of`` read; 0 if it cannot be read: the
    full reading then says why)."""
    try:
        frame = (pd.read_parquet(path, columns=["as_of"]) if path.suffix.lower() == ".parquet"
                 else pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["as_of"]))
        d = _date(frame["as_of"].iloc[0])
        return d.year + 1 if isinstance(d, dt.date) else 0
    except Exception:
        return 0


def read_state(path: Path, params: Params) -> State:
    """The checked state in ``path`` (see the module); StateError naming every problem."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise StateError(path, [f"a state file is {' or '.join(FORMATS)}; got {path.suffix or 'no suffix'!r}"])
    if not path.is_file():
        raise StateError(path, ["no such file"])
    try:
        frame = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
                 else pd.read_csv(path, dtype=str, keep_default_na=False))
    except Exception as e:  # a damaged or foreign file: say what the reader said, in one line
        raise StateError(path, [f"not readable as {path.suffix[1:]}: {' '.join(str(e).split())[:200]}"]) from None
    missing = state.missing_columns(list(frame.columns))
    if missing:
        raise StateError(path, missing)
    if frame.empty:
        raise StateError(path, ["no rows; allowed: one row per open case"])
    dates = {d for d in (_date(v) for v in frame["as_of"]) if d is not None}
    if len(dates) != 1 or not isinstance(next(iter(dates)), dt.date):
        raise StateError(path, [f"as_of={sorted(map(str, dates))}; allowed: one date (YYYY-MM-DD), the same on "
                                "every row"])
    as_of = next(iter(dates))
    if (as_of.month, as_of.day) != (9, 30):
        raise StateError(path, [f"as_of={as_of}; allowed: the last day of a fiscal year (30 September): a run "
                                "started from the state begins on 1 October"])
    day0 = as_of + dt.timedelta(days=1)
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for column in state.COLUMNS:
            if column not in record or column == "as_of":
                continue
            v = record[column]
            if column in state.MILESTONES:
                d = _date(v)
                row[column] = math.nan if d is None else float((d - day0).days) if isinstance(d, dt.date) else d
            elif column in FLOATS or column in INTEGERS:
                row[column] = _number(v, column in INTEGERS)
            else:
                row[column] = _text(v)
        rows.append(row)
    found = state.problems(rows, params)
    if found:
        raise StateError(path, state.report(found))
    ignored = tuple(c for c in frame.columns if c not in state.COLUMNS)
    return State(as_of, rows, ignored)
