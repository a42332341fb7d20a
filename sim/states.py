"""Reading a state file (``sim.model.state`` holds the schema and the rules): Parquet or CSV, dates to days.

``read_state(path, params)`` returns the state's date and its rows (dates as days relative to the day after the
state's date, the run's day 0), or raises :class:`StateError` listing every problem, one line each.  Columns the
schema does not know are ignored and named in ``State.ignored``.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from sim.analysis.dynamics import is_open
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
    """A date cell as a ``datetime.date`` (None for an empty one); the text itself when it is not a date (a number
    is not: a day count or a spreadsheet serial would be read wrong)."""
    v = _text(v)
    if v is None:
        return v
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)):
        return str(v)
    text = str(v)
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.fromisoformat(t).date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


INTEGER = re.compile(r"^[+-]?\d+$")


def _number(v: Any, whole: bool) -> Any:
    """A number cell as int (``whole``) or float; the text itself when it is not one (the checks then say so)."""
    v = _text(v)
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        if "_" in v:
            return v
        if whole and INTEGER.match(v):
            return int(v)  # exact, however large (never through a float)
    if whole and isinstance(v, int):
        return v
    try:
        x = float(v)
    except (TypeError, ValueError):
        return v
    if whole:
        return int(x) if math.isfinite(x) and x == int(x) and abs(x) < 2**53 else v
    return x


def state_path(start: str, states_dir: Path) -> Path:
    """The file ``start`` names: a file as given, else a name in ``states_dir`` (``.csv`` or ``.parquet``);
    StateError naming both places when it is neither."""
    path = Path(start)
    if path.suffix.lower() in FORMATS or path.exists():
        return path
    for suffix in FORMATS:
        if (states_dir / f"{start}{suffix}").is_file():
            return states_dir / f"{start}{suffix}"
    names = sorted({p.stem for p in states_dir.glob("*") if p.suffix.lower() in FORMATS})
    raise StateError(path, [f"no state named {start!r} in {states_dir} (there: {', '.join(names) or 'none'}) and no "
                            f"such file in {Path.cwd()}"])


def _metadata(path: Path) -> Optional[dict[bytes, bytes]]:
    try:
        import pyarrow.parquet as pq

        return pq.read_schema(path).metadata
    except Exception:  # not Parquet after all: the caller's own message says what is wrong
        return None


def _file(path: Path) -> tuple[pd.DataFrame, dt.date]:
    """The file's rows (blank rows dropped, header names trimmed) and its date; StateError for a problem of the
    whole file (format, missing or repeated columns, no rows, the date)."""
    if path.is_dir():
        raise StateError(path, ["a folder with no exact states in it (rep-<r>.parquet, made by python -m sim state "
                                "make <folder> --exact); allowed: such a folder, or a state file (.parquet or .csv)"])
    if path.suffix.lower() not in FORMATS:
        raise StateError(path, [f"a state file is {' or '.join(FORMATS)}; got {path.suffix or 'no suffix'!r}"])
    if not path.is_file():
        raise StateError(path, [f"no such file (looked in {Path.cwd()} for a relative path)"])
    try:
        frame = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
                 else pd.read_csv(path, dtype=str, keep_default_na=False))
    except Exception as e:  # a damaged or foreign file: say what the reader said, in one line
        raise StateError(path, [f"not readable as {path.suffix[1:]}: {' '.join(str(e).split())[:200]}"]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    twice = [c for c in frame.columns if re.match(r"^(.*)\.\d+$", c) and c.rsplit(".", 1)[0] in frame.columns]
    if twice or len(set(frame.columns)) < len(frame.columns):
        names = sorted({c.rsplit(".", 1)[0] for c in twice} | {c for c in frame.columns
                                                                if list(frame.columns).count(c) > 1})
        raise StateError(path, [f"column {c!r} appears more than once; allowed: each column once" for c in names])
    missing = state.missing_columns(list(frame.columns))
    if missing and path.suffix.lower() == ".parquet" and b"fms_exact" in (_metadata(path) or {}):
        raise StateError(path, ["an exact state (made by the model: sim.state_cache), not a state of milestone dates; "
                                "allowed here: a milestone state (python -m sim state make, or your own records); "
                                "a run goes on from an exact state with start=<its file or folder>"])
    if missing:
        if len(frame.columns) == 1 and ";" in frame.columns[0]:
            missing.append("the header holds ';': the file seems to use semicolons; allowed: comma-separated values")
        raise StateError(path, missing)
    blank = frame.apply(lambda r: all(_text(v) is None for v in r), axis=1) if len(frame) else frame.index == 0
    frame = frame[~blank].reset_index(drop=True)
    if frame.empty:
        raise StateError(path, ["no rows; allowed: one row per open case"])
    values = [_date(v) for v in frame["as_of"]]
    empty = [i + 1 for i, d in enumerate(values) if d is None]
    if empty:
        raise StateError(path, [f"as_of is empty in row(s) {', '.join(map(str, empty[:10]))}; allowed: one date "
                                "(YYYY-MM-DD), the same on every row"])
    dates = set(values)
    if len(dates) != 1 or not isinstance(next(iter(dates)), dt.date):
        raise StateError(path, [f"as_of={sorted(map(str, dates))}; allowed: one date (YYYY-MM-DD), the same on "
                                "every row"])
    as_of = next(iter(dates))
    if (as_of.month, as_of.day) != (9, 30) or not as_of.year < 9999:
        raise StateError(path, [f"as_of={as_of}; allowed: the last day of a fiscal year (30 September) before "
                                "9999: a run started from the state begins on 1 October"])
    return frame, as_of


def fiscal_year_of(path: Path) -> int:
    """The fiscal year a run started from the state begins with; StateError for a problem of the whole file."""
    return _file(path)[1].year + 1


def read_state(path: Path, params: Params) -> State:
    """The checked state in ``path`` (see the module); StateError naming every problem."""
    path = Path(path)
    frame, as_of = _file(path)
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


ATTRIBUTES = ("partner", "loa_group", "funding", "value_musd", "mde_musd", "acquisition", "platform", "quantity")
METADATA_KEY = b"fms_sim.state"  # a model-made state's provenance, in the Parquet file's key-value metadata


def open_cases(cases: pd.DataFrame, at: float, as_of: dt.date) -> pd.DataFrame:
    """The cases of a run's case table open at day ``at`` (LOR received by then, neither closed nor withdrawn), as
    the rows of a state file dated ``as_of`` (schema version 1): attributes and the milestone dates reached by then.
    A milestone at day ``t`` becomes the date ``floor(t - at)`` days from the day after ``as_of``, so every date is
    on or before ``as_of`` and reads back (``read_state``) as whole days before day 0, in the same order."""
    open_ = cases[is_open(cases, at)].sort_values("case_id", kind="stable")
    day0 = as_of + dt.timedelta(days=1)
    out = pd.DataFrame({"as_of": [as_of] * len(open_), "case_id": open_["case_id"].astype("int64").to_numpy()})
    for column in ATTRIBUTES:
        out[column] = open_[column].to_numpy()
    out["platform"] = [p or None for p in out["platform"]]
    out["quantity"] = out["quantity"].astype("int64")
    out["priority"] = np.where(open_["priority"].to_numpy() == 0, "urgent", "normal")
    for m in state.MILESTONES:
        out[m] = [None if not t <= at else day0 + dt.timedelta(days=math.floor(t - at)) for t in open_[m]]
    out["state_version"] = np.int64(state.STATE_VERSION)
    return out


def write_state(frame: pd.DataFrame, path: Path, provenance: dict[str, Any]) -> None:
    """Write a state file (Parquet with ``provenance`` as JSON in its metadata, or CSV without it) whole or not at
    all: into a temporary file beside ``path``, then renamed over it."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise StateError(path, [f"a state file is {' or '.join(FORMATS)}; got {path.suffix or 'no suffix'!r}"])
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        if path.suffix.lower() == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[METADATA_KEY] = json.dumps(provenance, sort_keys=True).encode()
            pq.write_table(table.replace_schema_metadata(meta), tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def provenance_of(path: Path) -> dict[str, Any]:
    """The provenance a model-made Parquet state was written with (empty for a user-made or CSV state)."""
    import json

    import pyarrow.parquet as pq

    if Path(path).suffix.lower() != ".parquet":
        return {}
    try:
        meta = pq.read_schema(path).metadata or {}
        made = json.loads(meta[METADATA_KEY]) if METADATA_KEY in meta else {}
    except (OSError, ValueError):  # unreadable, or metadata edited by hand: not a model-made state we can vouch for
        return {}
    needed = ("replication", "seed", "at", "overrides", "version", "config_sha256")
    return dict(made) if isinstance(made, dict) and all(k in made for k in needed) else {}


def level_mismatch(made: dict[str, Any], params: Params, tolerance: float = 0.05) -> str:
    """What differs by more than ``tolerance`` between a run's levels and those a model-made state was made at (its
    LOR rate, office headcounts and line rates at its date), in one line; empty when nothing does or for a
    user-made state."""
    levels = made.get("levels") or {}
    items = []
    rate = levels.get("lor_per_year")
    if rate and abs(params.demand.lor_per_year / rate - 1) > tolerance:
        items.append(f"demand.lor_per_year {params.demand.lor_per_year:,.0f} (state {rate:,.0f})")
    for group, given in (("staffing.pools.{}.headcount", {k: v.headcount for k, v in params.staffing.pools.items()}),
                         ("staffing.production_lines.{}", dict(params.staffing.production_lines))):
        key = "headcount" if "pools" in group else "production_lines"
        for name, then in sorted((levels.get(key) or {}).items()):
            now = given.get(name)
            if now is not None and then and abs(now / then - 1) > tolerance:
                items.append(f"{group.format(name)} {now:g} (state {then:g})")
    if not items:
        return ""
    hint = (f"; the state carries on with {' '.join(made['run_with'])}" if made.get("run_with") else
            f"; it was made with {' '.join(made.get('overrides') or []) or 'the defaults'}")
    return "levels differ from the state's at its date: " + ", ".join(items) + hint
