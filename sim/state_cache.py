"""Exact states on disk, and the cache steady-state studies start from (``run.settle_years``).

**The file** (schema ``SCHEMA``): Parquet, one row per case open at the state's day: every field of the case
(``sim.model.entities.Case``) as a column, its visit counters, planned documents and place on its route (``where``,
``schedule``: ``sim.model.checkpoint``) as JSON text; the file's metadata ``fms_exact`` holds the rest of
``sim.model.checkpoint.save``'s state (clock and pending events, offices, lines, documents, the run's own
processes, counters) as JSON.  JSON and Parquet keep every float exactly, so a run resumed from the file goes on as
the saved run would have, bit for bit (``sim.model.resume``).

**The cache.**  A scenario with ``run.settle_years`` starts each replication from the state of the same scenario
without its reform (``Scenario.prestart``) on ``Scenario.start_day``; the state is made once and kept in
``$FMS_SIM_CACHE`` (default ``~/.cache/fms-sim``), under ``states/<key>/rep-<r>.parquet``: the key is a hash of
that scenario's fingerprint (``sim.model.checkpoint.fingerprint``: what a resumed run must share), the day, the
model code (every source file of ``sim.model`` and ``sim.engine``) and the versions of Python, numpy and SimPy.
A study whose scenarios change the history (other staffing, demand) gets states of its own.  Files are written
whole to a temporary name and renamed, so two processes making the same state leave one good file; a damaged or
unreadable file is made again.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import simpy

from sim.engine.rng import RandomStreams
from sim.model.checkpoint import fingerprint, save
from sim.model.fms_model import FmsModel
from sim.model.params import Params
from sim.model.scenario import Scenario, resolve

SCHEMA = 1
META = b"fms_exact"
JSON_FIELDS = ("visits", "step_visits", "documents")  # case fields kept as JSON text
ROW_KEYS = ("where", "schedule")
STATE_KEYS = ("version", "clock", "fingerprint", "calendar", "offices", "lines", "documents", "system", "counters",
              "samples", "snapshots")


def write_exact(path: Path, state: Mapping[str, Any]) -> None:
    """``state`` (``sim.model.checkpoint.save``) to ``path``, written whole or not at all."""
    cases = state["cases"]
    fields = list(cases[0]["case"]) if cases else ["id"]
    columns: dict[str, list[Any]] = {}
    for name in fields:
        values = [c["case"][name] for c in cases]
        columns[name] = [json.dumps(v) for v in values] if name in JSON_FIELDS else values
    for key in ROW_KEYS:
        columns[key] = [json.dumps(c[key]) for c in cases]
    rest = {k: v for k, v in state.items() if k != "cases"}
    table = pa.table(columns)
    rest["cases_sha256"] = _digest(table.to_pydict())  # as read back: read_exact refuses an edited or damaged file
    table = table.replace_schema_metadata({META: json.dumps({"schema": SCHEMA, **rest}).encode()})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as any file the user writes (mkstemp's are the owner's only)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def read_exact(path: Path) -> dict[str, Any]:
    """The state written by :func:`write_exact` (ValueError, naming the file, if it is not one)."""
    try:
        table = pq.read_table(path)
        meta = (table.schema.metadata or {}).get(META)
        if meta is None:
            raise ValueError("no exact state in it (a milestone-only state?)")
        rest = json.loads(meta)
    except (OSError, ValueError, pa.ArrowException) as e:
        raise ValueError(f"{path}: not an exact state ({e})") from None
    schema = rest.pop("schema", None)
    if schema != SCHEMA:
        raise ValueError(f"{path}: exact-state schema {schema!r}; allowed: {SCHEMA}")
    try:
        data = table.to_pydict()
        if rest.pop("cases_sha256", None) != _digest(data):
            raise ValueError("its cases are not those written: the file was edited or damaged")
        keys = [k for k in data if k not in ROW_KEYS]
        cases = []
        for i in range(table.num_rows):
            case = {k: json.loads(data[k][i]) if k in JSON_FIELDS else data[k][i] for k in keys}
            cases.append({"case": case, **{k: json.loads(data[k][i]) for k in ROW_KEYS}})
        missing = [k for k in STATE_KEYS if k not in rest]
        if missing:
            raise ValueError(f"missing {missing}")
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{path}: not an exact state (incomplete: {e})") from None
    return {**rest, "cases": cases}


def _digest(columns: Mapping[str, list[Any]]) -> str:
    """A hash of a state's case columns as written (JSON keeps every value exactly)."""
    return hashlib.sha256(json.dumps(columns, sort_keys=True).encode()).hexdigest()


def cache_root() -> Path:
    return Path(os.environ.get("FMS_SIM_CACHE") or Path.home() / ".cache" / "fms-sim")


def code_fingerprint() -> str:
    """A hash of the model code: every source file of ``sim.model`` and ``sim.engine``."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for folder in ("model", "engine"):
        for f in sorted((root / folder).rglob("*.py")):
            h.update(f.relative_to(root).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def bare_model(scenario: Scenario, replication: int) -> FmsModel:
    """A model of ``scenario``'s replication that keeps no visit records (to make a state, or read its fingerprint)."""
    class Discard:  # visit records are not needed to make a state
        def visit(self, _v: Any) -> None:
            pass

    return FmsModel(scenario.params, RandomStreams(scenario.seed, replication), scenario.policy,
                    observers=[Discard()], epochs=scenario.epochs)


def cache_key(scenario: Scenario, day: float) -> str:
    """The key of ``scenario``'s states on ``day`` (module docstring)."""
    printed = fingerprint(bare_model(scenario, 0), day)
    printed.pop("replication")
    versions = {"python": platform.python_version(), "numpy": np.__version__, "simpy": simpy.__version__}
    blob = json.dumps({"fingerprint": printed, "day": day, "code": code_fingerprint(), "versions": versions},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def make_state(scenario: Scenario | Params, replication: int, day: float) -> dict[str, Any]:
    """Replication ``replication`` of ``scenario`` (or parameters, resolved here) run to ``day`` and saved
    (``sim.model.checkpoint.save``); ``day`` must come before the run would end."""
    scenario = resolve(scenario)
    m = bare_model(scenario, replication)
    if day >= m.end:
        raise ValueError(f"make_state: day {day} is not before the run's end (day {m.end}: horizon and "
                         "run.drain_years); allowed: an earlier day")
    m.run(until=day)
    return save(m)


def cached_state(scenario: Scenario, replication: int, day: float, root: Optional[Path] = None,
                 made: Optional[Callable[[Path], None]] = None) -> dict[str, Any]:
    """The state of ``scenario``'s replication ``replication`` on ``day``: from the cache, or made and kept there
    (``made`` is told the file it wrote)."""
    path = (root or cache_root()) / "states" / cache_key(scenario, day) / f"rep-{replication}.parquet"
    if path.exists():
        try:
            return read_exact(path)
        except ValueError:
            pass  # damaged (a disk full, a copy cut short): made again
    state = make_state(scenario, replication, day)
    try:
        write_exact(path, state)
    except OSError as e:  # a cache that cannot be written costs time, not the run
        print(f"fms-sim: warning: the state of replication {replication} on day {day:g} was made but not cached "
              f"({e}); set FMS_SIM_CACHE to a folder you can write", file=sys.stderr)
        return state
    if made is not None:
        made(path)
    else:
        print(f"fms-sim: state of replication {replication} on day {day:g} made and cached: {path}", file=sys.stderr)
    return state


# ---- exact states named on the command line (start=<file or folder>) ----

def exact_meta(path: Path) -> Optional[dict[str, Any]]:
    """An exact state file's metadata (all but its cases: cheap to read); None for a file that is not one."""
    try:
        meta = (pq.read_schema(path).metadata or {}).get(META)
    except (OSError, ValueError, pa.ArrowException):
        return None
    try:
        return json.loads(meta) if meta is not None else None
    except ValueError:
        return None
