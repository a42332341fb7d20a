"""What watches a run from outside: observers attached to a model, as desmod attaches probes to components.

A model keeps only what it needs to go on: its open cases and their documents.  Everything a run reports is
kept by the observers it was given (``FmsModel(..., observers=[...])``), so what is kept, and how much memory
that takes, is chosen by the caller, not by flags inside the model.  Each hook is optional:

* ``attach(model)``: once, when the model is built;
* ``visit(record)``: a stage visit ended (``sim.engine.core.Visit``); when any observer has this hook, the visit
  records go only to the observers (the model's own ``visits`` list then stays empty);
* ``admitted(case)``: a case's LOR was received (at ``case.lor_received``);
* ``document(doc)``: an amendment or modification arrived;
* ``add(case, documents)``: a case is done (closed or withdrawn), or still open when ``close_books`` hands
  over the open ones after a run.  Nothing changes a done case later.

Here: :class:`Kept` (every case and document as objects, for tests and small studies), :class:`Visits` (every
visit record), :class:`CohortVisits`
(visit sums of cohort cases instead of one record per visit), and the :class:`~sim.model.ledger.Ledger` (done
cases as columns) and a summary's tally (``sim.analysis.tally.CaseTally``), which need only ``add``.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol

from sim.engine.core import Visit
from sim.engine.records import VisitTotals
from sim.model.entities import Case, Document
from sim.model.ledger import Ledger
from sim.model.process import WINDOWED_STAGES


class Observed(Protocol):
    """What an observer's ``attach`` sees of a model (``sim.model.fms_model.FmsModel``)."""

    warmup: float
    horizon: float


def fan_out(hooks: tuple[Callable[[Visit], None], ...]) -> Callable[[Visit], None]:
    """One callable that hands a visit record to each of ``hooks`` (the hook itself when there is one)."""
    if len(hooks) == 1:
        return hooks[0]

    def each(v: Visit) -> None:
        for hook in hooks:
            hook(v)
    return each

HOOKS = ("admitted", "document", "add")  # and "visit", "attach" (see FmsModel)


def hooks(observers: Iterable[object], name: str) -> tuple[Callable[..., Any], ...]:
    """The ``name`` hook of each observer that has one, in the order given."""
    return tuple(h for o in observers if (h := getattr(o, name, None)) is not None)


class Kept:
    """Every case admitted and every document that arrived, as objects, in the order they came."""

    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.documents: list[Document] = []

    def admitted(self, case: Case) -> None:
        self.cases.append(case)

    def document(self, doc: Document) -> None:
        self.documents.append(doc)

    def ledger(self) -> Ledger:
        """The kept cases and documents as columns, as they are now (what a :class:`Ledger` observer holds)."""
        docs: dict[int, list[Document]] = {}
        for d in self.documents:
            docs.setdefault(d.parent.id, []).append(d)
        out = Ledger()
        for case in self.cases:
            out.add(case, docs.get(case.id, ()))
        return out


class Visits:
    """Every visit record, in the order the visits ended (what ``run.records=full`` writes).  A record is a plain
    tuple, fields in the order of ``sim.engine.core.VISIT_COLUMNS`` (case_id, stage, pool, arrived, started,
    finished, waits, effort): ``pd.DataFrame(v.records, columns=VISIT_COLUMNS)`` names them."""

    def __init__(self) -> None:
        self.records: list[Visit] = []

    def visit(self, v: Visit) -> None:
        self.records.append(v)


class CohortVisits(VisitTotals):
    """Visit sums instead of visit records (:class:`~sim.engine.records.VisitTotals`); the cohort is the cases
    whose LOR is received in [warm-up, horizon) of the model it is attached to, and the stages after delivery and
    of documents (``WINDOWED_STAGES``) are summed over the visits that ended in that window."""

    def attach(self, model: Observed) -> None:
        self.window = (model.warmup, model.horizon)
        self.windowed = WINDOWED_STAGES

    def visit(self, v: Visit) -> None:
        self.append(v)

    def admitted(self, case: Case) -> None:
        start, end = self.window
        if start <= case.lor_received < end:
            self.cohort.add(case.id)
