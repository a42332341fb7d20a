"""Cases that are done, and their documents, kept as typed columns instead of objects (flat memory).

A long run admits one :class:`~sim.model.entities.Case` per LOR and about 3.5 documents per case.  Kept as
objects to the end, with a float object per milestone, they are most of what a 60-year replication holds.
The :class:`Ledger`, an observer of the model (``sim.model.observers``), takes each one when it is done and
keeps only what the case and document tables report: numbers in ``array.array`` columns, strings as codes
into a table of labels.
``case_columns`` / ``document_columns`` give the columns back as numpy arrays (strings as objects), the
same values as reading the objects themselves; the order of the rows is the order the cases were added.
A run that writes no case table (``run.records=summary``) keeps no ledger: its summary counts each case as it
finishes (``sim.analysis.tally``), through the same :class:`CaseSink` interface (an observer's ``add``).
"""
from __future__ import annotations

import math
from array import array
from operator import attrgetter
from typing import Any, Iterable, Protocol

import numpy as np
import numpy.typing as npt

from sim.model.entities import Case, Document

MILESTONES = ("lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
              "delivered", "closed", "withdrawn")
# column -> array type code: q int64, d float64, b bool (as 0/1), s a string kept as a code
CASE_COLUMNS: dict[str, str] = {
    "case_id": "q", "source_id": "q", "funding": "s", "partner": "s", "partner_group": "s", "loa_group": "s",
    "value_musd": "d", "mde_musd": "d", "tech_release": "b", "acquisition": "s", "platform": "s", "quantity": "q",
    "priority": "q", "sdaf": "b", "notified": "b", **{m: "d" for m in MILESTONES},
}
CASE_FIELDS = {"case_id": "id"}  # column -> attribute where they differ
DOCUMENT_COLUMNS: dict[str, str] = {
    "case_id": "q", "document": "s", "planned_seq": "q", "value_musd": "d", "mde_musd": "d", "notified": "b",
    "arrived": "d", "offered": "d", "accepted": "d", "finished": "d",
}
_NUMPY = {"q": np.int64, "d": np.float64}  # numeric columns read back as views
_ARRAY = {"q": "q", "d": "d", "b": "b", "s": "i"}  # array.array type codes (a string is an int32 code)
_CASE_VALUES = attrgetter(*(CASE_FIELDS.get(name, name) for name in CASE_COLUMNS))
_DOCUMENT_VALUES = attrgetter("parent.id", "kind", *list(DOCUMENT_COLUMNS)[2:])


class _Columns:
    """Rows of one table, taken as tuples and turned into typed columns a chunk at a time (cheap per row)."""

    CHUNK = 4096

    def __init__(self, columns: dict[str, str]) -> None:
        self.types = columns
        self._empty()

    def _empty(self) -> None:
        self.data = {name: array(_ARRAY[t]) for name, t in self.types.items()}
        self.labels: dict[str, dict[str, int]] = {name: {} for name, t in self.types.items() if t == "s"}
        self.rows: list[tuple[Any, ...]] = []

    def append(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        for (name, t), values in zip(self.types.items(), zip(*self.rows)):
            if t == "s":
                codes = self.labels[name]
                self.data[name].extend([codes.setdefault(v, len(codes)) for v in values])
            elif t == "b":
                self.data[name].extend([1 if v else 0 for v in values])  # Python or numpy bools
            else:
                self.data[name].extend(values)
        self.rows = []

    def __len__(self) -> int:
        return len(next(iter(self.data.values()))) + len(self.rows)

    def arrays(self) -> dict[str, npt.NDArray[np.generic]]:
        """Numpy columns (strings as object arrays of the labels themselves); the ledger starts again empty."""
        self._flush()
        out: dict[str, npt.NDArray[np.generic]] = {}
        for name, t in self.types.items():
            col = self.data.pop(name)
            if t == "s":
                labels = np.empty(len(self.labels[name]), dtype=object)
                labels[:] = list(self.labels[name])
                out[name] = labels[np.frombuffer(col, dtype=np.int32)] if len(col) else np.empty(0, dtype=object)
            elif t == "b":
                out[name] = np.frombuffer(col, dtype=np.int8).astype(np.bool_)
            else:
                out[name] = np.frombuffer(col, dtype=_NUMPY[t])  # a view: the array's memory, not a copy
        self._empty()
        return out


class CaseSink(Protocol):
    """What takes done cases from a model (an observer's ``add`` hook): the :class:`Ledger`, or a summary's tally."""

    def add(self, case: Case, documents: Iterable[Document] = ()) -> None: ...


class Ledger:
    """Done cases and their documents, as columns (see the module's docstring)."""

    def __init__(self) -> None:
        self.cases = _Columns(CASE_COLUMNS)
        self.documents = _Columns(DOCUMENT_COLUMNS)
        self.until = math.inf  # LORs received from then on are not recorded

    def attach(self, model: Any) -> None:
        """LORs received after the model's horizon only load its offices (``run.after_horizon=arrivals``): the
        tables hold the run's own cases, received before it."""
        self.until = model.horizon

    def add(self, case: Case, documents: Iterable[Document] = ()) -> None:
        """Record ``case`` and the documents it had, as they are now (nothing changes them later)."""
        if case.lor_received >= self.until:
            return
        self.cases.append(_CASE_VALUES(case))
        for d in documents:
            self.documents.append(_DOCUMENT_VALUES(d))

    def case_columns(self) -> dict[str, npt.NDArray[np.generic]]:
        """Every case added so far, one numpy array per column of ``CASE_COLUMNS`` (then the ledger is empty)."""
        return self.cases.arrays()

    def document_columns(self) -> dict[str, npt.NDArray[np.generic]]:
        """Every document added so far, one numpy array per column of ``DOCUMENT_COLUMNS`` (then emptied)."""
        return self.documents.arrays()
