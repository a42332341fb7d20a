"""Done cases kept as columns (``sim.model.ledger``): the same values as the objects, and no object kept."""
from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest

from helpers import make_case
from sim.model.entities import Case, Document
from sim.model.ledger import CASE_COLUMNS, DOCUMENT_COLUMNS, Ledger
from sim.model.observers import CohortVisits, Kept


@pytest.mark.parametrize("chunk", [1, 2, 4096])  # rows become columns a chunk at a time
def test_columns_give_back_every_value_with_its_type(chunk, monkeypatch):
    from sim.model import ledger as module

    monkeypatch.setattr(module._Columns, "CHUNK", chunk)
    a = make_case(7, partner="Alpha", value_musd=12.5, tech_release=True, quantity=3, sdaf=True)
    a.lor_received, a.loa_offered, a.notified = 1.25, 300.0, True
    b = make_case(3, partner="Beta", platform="fighter", funding="bpc")
    b.lor_received, b.withdrawn = 2.0, 90.5
    docs = [Document(a, "amendment", 2, 1.5, 0.25, notified=True, arrived=400.0, offered=450.0),
            Document(a, "modification", 1, 0.5, 0.0, arrived=500.0, offered=510.0, accepted=510.0, finished=510.0)]
    ledger = Ledger()
    ledger.add(a, docs)
    ledger.add(b)
    c = ledger.case_columns()
    assert list(c) == list(CASE_COLUMNS)
    assert c["case_id"].tolist() == [7, 3] and c["case_id"].dtype == np.int64
    assert c["partner"].tolist() == ["Alpha", "Beta"] and c["partner"].dtype == object
    assert c["funding"].tolist() == ["fms", "bpc"] and c["platform"].tolist() == ["", "fighter"]
    assert c["value_musd"].tolist() == [12.5, 5.0] and c["quantity"].tolist() == [3, 0]
    assert c["tech_release"].tolist() == [True, False] and c["tech_release"].dtype == np.bool_
    assert c["sdaf"].tolist() == [True, False] and c["notified"].tolist() == [True, False]
    assert c["lor_received"].tolist() == [1.25, 2.0] and c["loa_offered"][0] == 300.0
    assert math.isnan(c["loa_offered"][1]) and c["withdrawn"][1] == 90.5 and math.isnan(c["withdrawn"][0])
    d = ledger.document_columns()
    assert list(d) == list(DOCUMENT_COLUMNS)
    assert d["case_id"].tolist() == [7, 7] and d["document"].tolist() == ["amendment", "modification"]
    assert d["planned_seq"].tolist() == [2, 1] and d["notified"].tolist() == [True, False]
    assert d["value_musd"].tolist() == [1.5, 0.5] and d["mde_musd"].tolist() == [0.25, 0.0]
    assert d["offered"].tolist() == [450.0, 510.0] and math.isnan(d["accepted"][0]) and d["finished"][1] == 510.0


def test_an_empty_ledger_gives_typed_empty_columns_and_taking_columns_empties_it():
    ledger = Ledger()
    ledger.add(make_case(1))
    assert len(ledger.case_columns()["case_id"]) == 1
    c = ledger.case_columns()  # taken once: the ledger starts again empty
    assert all(len(v) == 0 for v in c.values())
    assert c["case_id"].dtype == np.int64 and c["partner"].dtype == object and c["closed"].dtype == np.float64
    assert ledger.document_columns()["arrived"].dtype == np.float64


@pytest.fixture(scope="module")
def long_drain():
    from sim.config import load_params
    from sim.model import reform

    p = load_params(["debug=tiny", "run.horizon_years=3", "run.drain_years=30", "demand.lor_per_year=300",
                     "run.after_horizon=drain"])  # every case closes
    return reform.apply(p), p.seed


def _run(long_drain, compact: bool, until=None, *extra):
    """A run that keeps its cases as columns (a Ledger observer), or as objects (Kept), and sums its visits."""
    from sim.engine.rng import RandomStreams
    from sim.model.fms_model import FmsModel

    (scenario, policy), seed = long_drain
    keep = Ledger() if compact else Kept()
    m = FmsModel(scenario, RandomStreams(seed, 0), policy, observers=[CohortVisits(), keep, *extra]).run(until)
    return m, keep


def _tables(keep) -> tuple[dict, dict]:
    ledger = keep if isinstance(keep, Ledger) else keep.ledger()
    return ledger.case_columns(), ledger.document_columns()


def _sorted(columns: dict, keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns).sort_values(keys).reset_index(drop=True)


def test_compact_model_gives_the_same_tables_as_one_that_keeps_every_object(long_drain):
    (m_kept, kept), (m_compact, compact) = _run(long_drain, False), _run(long_drain, True)
    assert len(kept.cases) > 500 and m_kept.open_cases == m_compact.open_cases == 0
    (kc, kd), (cc, cd) = _tables(kept), _tables(compact)
    assert len(kd["case_id"]) > 500
    pd.testing.assert_frame_equal(_sorted(kc, ["case_id"]), _sorted(cc, ["case_id"]), check_exact=True)
    key = ["case_id", "document", "planned_seq"]
    pd.testing.assert_frame_equal(_sorted(kd, key), _sorted(cd, key), check_exact=True)


def test_a_compact_model_holds_no_object_of_a_case_that_is_done(long_drain):
    """Memory stays flat over long runs only if nothing (a list, a pending event, a generator) keeps done cases."""
    m, ledger = _run(long_drain, True, years_of(8))
    gc.collect()
    live = [o for o in gc.get_objects() if isinstance(o, Case)]
    docs = [o for o in gc.get_objects() if isinstance(o, Document)]
    done = len(ledger.cases)
    assert done > 200  # many cases are done by then ...
    assert {c.id for c in live if c.lor_received == c.lor_received} == set(m.live)  # ... and none is kept
    assert all(d.parent.id in m.live for d in docs)


def years_of(y: float) -> float:
    from sim.engine.clock import years

    return years(y)


@pytest.mark.parametrize("staffing", ["baseline", "slots"])
def test_a_run_leaves_no_garbage_only_the_cyclic_collector_could_free(staffing):
    """Runs collect rarely (sim.engine.collection), so a reference cycle made per visit would pile up over a long
    horizon; the model makes none (a portfolio job once held its join event, which held the job)."""
    from sim.config import load_params
    from sim.engine.rng import RandomStreams
    from sim.model import reform
    from sim.model.fms_model import FmsModel

    p = load_params(["debug=tiny", "run.horizon_years=2", f"staffing={staffing}"])
    scenario, policy = reform.apply(p)
    totals = CohortVisits()
    m = FmsModel(scenario, RandomStreams(p.seed, 0), policy, observers=[totals, Ledger()])
    gc.collect()
    gc.disable()
    try:
        m.run(until=500)
        assert totals.count > 1000
        assert gc.collect() == 0
    finally:
        gc.enable()


class _Rows:
    """A sink that keeps what it is handed, as the ledger's row tuples."""

    def __init__(self) -> None:
        self.ledger = Ledger()

    def add(self, case, documents=()) -> None:
        self.ledger.add(case, documents)


@pytest.mark.parametrize("compact", [True, False])
def test_observers_are_handed_every_case_once_with_its_documents(long_drain, compact):
    """An observer with only an ``add`` hook gets each done case as it is done and each open one from
    ``close_books``: the same rows as a ledger or the objects, whichever way the run keeps its cases."""
    sink = _Rows()
    m, keep = _run(long_drain, compact, years_of(6), sink)
    assert len(m.live) > 0  # some cases still open: they reach the sink only by close_books
    before = len(sink.ledger.cases)
    m.close_books()
    assert len(sink.ledger.cases) == before + len(m.live)
    key = ["case_id", "document", "planned_seq"]
    got_c, got_d = sink.ledger.case_columns(), sink.ledger.document_columns()
    want_c, want_d = _tables(keep)
    pd.testing.assert_frame_equal(_sorted(got_c, ["case_id"]), _sorted(want_c, ["case_id"]), check_exact=True)
    pd.testing.assert_frame_equal(_sorted(got_d, key), _sorted(want_d, key), check_exact=True)
    assert len(got_d["case_id"]) > 100


def test_the_model_changes_nothing_outside_itself(long_drain):
    """The garbage collector and the C allocator are the worker layer's (sim.runner), not the model's."""
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    _run(long_drain, True, years_of(2))
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_every_observer_with_a_visit_hook_gets_every_visit(long_drain):
    """Two observers that take the visit records (the run's own sums and a user's counter) both get all of them:
    neither replaces the other, and the model keeps no list of its own."""

    class Count:
        n = 0

        def visit(self, v) -> None:
            self.n += 1

    counter = Count()
    m, _ = _run(long_drain, True, years_of(2), counter)
    [totals] = [o for o in m.observers if isinstance(o, CohortVisits)]
    assert counter.n == totals.count > 1000 and m.visits == []
