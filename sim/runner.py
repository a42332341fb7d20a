"""Run replications and turn each into a tally and tidy tables.  No file I/O here.

``simulate(params, r)`` simulates replication ``r`` with streams derived from (params.seed, r) and returns a
:class:`Replication`: the tally the summary is made from (``sim.analysis.tally``) and DataFrames (the case
tables only when they are written).  It has no process-wide side effect; extra observers
(``sim.model.observers``) watch the run from outside.  ``run_replications`` runs them in order, or over
``run.jobs`` worker processes; either way the results are returned sorted by replication, so the numbers do
not depend on the number of processes.  It is the worker layer: it tunes the process for long runs (the
cyclic garbage collector, ``sim.engine.collection``; the C allocator, ``sim.engine.allocator``), which changes
no number, only speed and memory.
"""
from __future__ import annotations

import math
import multiprocessing
import signal
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from sim.analysis.dynamics import stage_flow, stage_flow_from
from sim.analysis.stages import stage_totals, stage_totals_from
from sim.analysis.tally import CaseTally, RepTally
from sim.analysis.workload import DOCUMENT_DTYPES
from sim.engine.allocator import fixed_mmap_threshold
from sim.engine.clock import DAYS_PER_YEAR, years
from sim.engine.collection import rare_collections
from sim.engine.core import VISIT_COLUMNS
from sim.engine.rng import WORD, WORD_RULE, RandomStreams
from sim.model.fms_model import POOL_SAMPLE_COLUMNS, FmsModel
from sim.model.ledger import CASE_COLUMNS, DOCUMENT_COLUMNS, Ledger
from sim.model.observers import CohortVisits, Visits
from sim.model.params import Params
from sim.model.resume import resume
from sim.model.scenario import Scenario, resolve
from sim.state_cache import cached_state


@dataclass
class Replication:
    replication: int
    tally: RepTally  # the summary's case measures (sim.analysis.tally): counters, not rows
    cases: Optional[pd.DataFrame]  # kept unless run.records == "summary"
    documents: Optional[pd.DataFrame]  # one row per amendment or modification that happened (as ``cases``)
    visits: Optional[pd.DataFrame]  # kept only when run.records == "full"
    stage_totals: pd.DataFrame  # per stage: cohort wait, work and visit sums (sim.analysis.stages.stage_totals)
    stage_flow: pd.DataFrame  # per stage and year: visits arrived and finished (sim.analysis.dynamics.stage_flow)
    pools: pd.DataFrame  # regular samples: day, pool, queue, busy, capacity
    pool_windows: pd.DataFrame  # per pool: counters at warm-up, horizon and end
    end_day: float
    events: int  # stage visits simulated (for benchmarks)
    start_day: float = 0.0  # started from an exact state on this day: what came before is not in the tables


def _cases_frame(columns: dict[str, np.ndarray], r: int, warmup: float, horizon: float) -> pd.DataFrame:
    """The case table from the model's case columns (``FmsModel.tables``), one row per case by id."""
    df = pd.DataFrame(columns, columns=list(CASE_COLUMNS)).astype(  # typed even when empty; strings inferred
        {name: {"q": "int64", "d": "float64", "b": "bool"}[t] for name, t in CASE_COLUMNS.items() if t != "s"})
    df.insert(0, "replication", np.int64(r))
    df["in_warmup"] = df["lor_received"] < warmup
    df["in_cohort"] = (~df["in_warmup"]) & (df["lor_received"] < horizon)
    df["outcome"] = np.where(
        df["delivered"].notna(), "delivered", np.where(df["withdrawn"].notna(), "withdrawn", "in_progress")
    )
    return df.sort_values(["replication", "case_id"], kind="stable").reset_index(drop=True)


def _documents_frame(columns: dict[str, np.ndarray], r: int) -> pd.DataFrame:
    """One row per document that happened; ``seq`` numbers them 1, 2, ... per parent and kind in the order they
    arrived, ``planned_seq`` is the number in the planned stream (the key of their draws, with gaps where a
    planned document fell before implementation)."""
    df = pd.DataFrame(columns, columns=list(DOCUMENT_COLUMNS))
    df.insert(0, "replication", np.int64(r))
    df.insert(3, "seq", np.int64(0))
    df = df.astype(DOCUMENT_DTYPES)[list(DOCUMENT_DTYPES)]
    df = df.sort_values(["replication", "case_id", "document", "planned_seq"], kind="stable").reset_index(drop=True)
    df["seq"] = df.groupby(["case_id", "document"]).cumcount().astype("int64") + 1
    return df


def _visits_frame(visits: list, r: int) -> pd.DataFrame:
    df = pd.DataFrame(visits, columns=list(VISIT_COLUMNS))
    df.insert(0, "replication", np.int64(r))
    df = df.astype({"case_id": "int64"})
    return df.sort_values(["replication", "case_id", "arrived", "started", "finished", "stage"], kind="stable")\
        .reset_index(drop=True)


def _pool_windows(model: FmsModel, r: int) -> pd.DataFrame:
    rows = []
    for label, snaps in model.snapshots.items():
        for name, s in snaps.items():
            rows.append((r, label, name, s.time, s.queue_area, s.busy_area, s.capacity_area,
                         s.requests, s.starts, s.releases, s.queue, s.busy, s.capacity,
                         math.nan if s.cases_area is None else s.cases_area))
    return pd.DataFrame(rows, columns=["replication", "at", "pool", "day", "queue_area", "busy_area",
                                       "capacity_area", "requests", "starts", "releases", "queue", "busy",
                                       "capacity", "cases_area"])


def simulate(scenario: Union[Scenario, Params], replication: int, *,
             start: Union[Sequence[Mapping[str, Any]], Mapping[str, Any], None] = None,
             observers: Sequence[object] = ()) -> Replication:
    """Replication ``replication`` of ``scenario`` (a :class:`~sim.model.scenario.Scenario`, or ``Params``, then
    checked and resolved here), watched also by ``observers`` (``sim.model.observers``).  ``start``: the rows of a
    milestone state (``sim.states``: each open case resumes by the rule of ``sim.model.start``), or an exact state
    (``sim.model.checkpoint.save``, ``sim.state_cache.read_exact``: the run goes on from it exactly; it must be this
    replication's, under these parameters, a reform dated on or after its day allowed).  Nothing outside the run
    is changed: for long runs in a process of your own, ``sim.engine.collection.rare_collections()`` around the
    call saves about a third of the time (``run_replications`` does it)."""
    if not isinstance(replication, (int, np.integer)) or isinstance(replication, bool) or not 0 <= replication < WORD:
        raise ValueError(f"simulate: replication={replication!r}; allowed: {WORD_RULE}")
    resolved = resolve(scenario)
    if isinstance(start, Mapping):
        if resolved.prestart is not None:
            raise ValueError("simulate: an exact state as start with run.settle_years (which starts from the cached "
                             "state itself); allowed: one of them")
        return _simulate(resolved, replication, tuple(observers), exact=start)
    rows = list(start or ())
    if rows:  # a file's rows are checked when read (sim.states); rows made by hand are checked here
        from sim.model.state import problems, report

        found = problems(rows, resolved.given)
        if found:
            raise ValueError(f"simulate: start has {len(found)} problem(s): " + "; ".join(report(found)))
    return _simulate(resolved, replication, tuple(observers), tuple(rows))


run_replication = simulate  # the name before issue 21 (issue 7's public API: ``from sim import run_replication``)


def _simulate(resolved: Scenario, replication: int, extra: tuple[object, ...] = (),
              start: tuple[Mapping[str, Any], ...] = (), exact: Optional[Mapping[str, Any]] = None) -> Replication:
    params, scenario, policy = resolved.given, resolved.params, resolved.policy
    full = params.run.records == "full"  # otherwise the visits are summed as they end, never kept
    rows = params.run.records != "summary"  # otherwise the cases are only counted as they finish
    run = scenario.run
    warmup, horizon = years(run.warmup_years), years(run.horizon_years)
    counted = CaseTally(replication, warmup, horizon, int(math.ceil(horizon / DAYS_PER_YEAR)), run.sample_days)
    # done cases are counted, and become rows of columns if kept, as they finish: memory does not grow with
    # the horizon
    ledger = Ledger() if rows else None
    totals = None if full else CohortVisits()
    records = Visits() if full else None  # a list of its own: a caller's visit observer must not empty it
    observers = [o for o in (totals, records, counted, ledger) if o is not None]
    model = FmsModel(scenario, RandomStreams(params.seed, replication), policy, observers=[*observers, *extra],
                     epochs=resolved.epochs, start=start)
    if resolved.prestart is not None:  # run.settle_years: from the cached state without the reform (sim.state_cache)
        resume(model, cached_state(resolved.prestart, replication, resolved.start_day))
    elif exact is not None:
        resume(model, exact)
    model.run()
    model.close_books()
    pools = pd.DataFrame(model.samples, columns=list(POOL_SAMPLE_COLUMNS))
    pools.insert(0, "replication", np.int64(replication))
    tally = counted.result(sorted(set(pools["day"].tolist())))
    del counted
    cases = documents = None
    if ledger is not None:
        case_columns, document_columns = ledger.case_columns(), ledger.document_columns()
        cases = _cases_frame(case_columns, replication, model.warmup, model.horizon)
        del case_columns
        documents = _documents_frame(document_columns, replication)
        del document_columns
    if totals is None:
        assert cases is not None and records is not None
        visits = _visits_frame(records.records, replication)
        by_stage = stage_totals(cases, visits, (warmup, horizon))
        flow, events = stage_flow(visits), len(records.records)
        visits = visits[visits["case_id"].isin(cases["case_id"])].reset_index(drop=True)  # the run's own cases
    else:
        visits = None
        by_stage = stage_totals_from(totals.totals, len(totals.cohort), replication)
        flow, events = stage_flow_from(totals.arrivals, totals.completions, replication), totals.count
    if model.start_day > 0:  # started from an exact state: the years before its day saw part of their visits only
        flow = flow[flow["year"] >= math.ceil(model.start_day / DAYS_PER_YEAR - 1e-9)].reset_index(drop=True)
    return Replication(
        replication=replication,
        tally=tally,
        cases=cases,
        documents=documents,
        visits=visits,
        stage_totals=by_stage,
        stage_flow=flow,
        pools=pools,
        pool_windows=_pool_windows(model, replication),
        end_day=model.end_time,
        start_day=model.start_day,
        events=events,
    )


Loader = Callable[[], Mapping[str, Any]]  # reads one replication's exact state (picklable: a partial of a function)


def _run_one(args: tuple[Scenario, int, tuple[Mapping[str, Any], ...], Optional[Loader]]) -> Replication:
    scenario, replication, start, exact = args
    state = exact() if exact is not None else None  # read where it is used: a worker reads its own
    with rare_collections():  # a third of the CPU time went to the cyclic collector (sim.engine.collection)
        return _simulate(scenario, replication, (), start, exact=state)


def run_replications(
    params: Union[Scenario, Params],
    replications: Optional[Iterable[int]] = None,
    progress: Optional[Callable[[int], None]] = None,
    start: Sequence[Mapping[str, Any]] = (),
    exact: Optional[Mapping[int, Loader]] = None,
) -> list[Replication]:
    """Replications first..first+n-1 of ``run`` (or the given ones), sorted by replication number; ``start``: the
    rows of a user-made state whose open cases each replication resumes on day 0 (``sim.states``); ``exact``: for
    each replication, what reads its exact state (``functools.partial(sim.state_cache.read_exact, path)``: called in
    the worker, so no state is copied between processes), from which it goes on exactly."""
    scenario = resolve(params)  # checked and resolved once, for every replication and worker
    params = scenario.given
    fixed_mmap_threshold()  # freed draw blocks go back to the system (sim.engine.allocator); forked workers inherit it
    first = params.run.first_replication
    reps = list(range(first, first + params.run.replications)) if replications is None else list(replications)
    jobs = max(1, min(params.run.jobs, len(reps)))
    out: list[Replication] = []
    if jobs == 1:
        for r in reps:
            out.append(_run_one((scenario, r, tuple(start), exact[r] if exact else None)))
            if progress:
                progress(1)
    else:
        # a pool that can be terminated (ProcessPoolExecutor cannot before Python 3.14): on any error,
        # a signal or Ctrl-C in this process the workers are killed, never left orphaned
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_signals)
        try:
            work = [(scenario, r, tuple(start), exact[r] if exact else None) for r in reps]
            for res in pool.imap_unordered(_run_one, work, chunksize=1):
                out.append(res)
                if progress:
                    progress(1)
            pool.close()
        finally:
            pool.terminate()
            pool.join()
    return sorted(out, key=lambda x: x.replication)


class Stopped(BaseException):
    """The process was asked to stop (SIGTERM); a BaseException, so no ``except Exception`` swallows it."""

    def __init__(self, signum: "int | str" = signal.SIGTERM) -> None:
        if isinstance(signum, str):  # SimPy re-raises an exception from a process as type(e)(*e.args)
            signum = signal.Signals[signum.rsplit(" ", 1)[-1]]
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = int(signum)


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Stopped` and SIGINT KeyboardInterrupt (even if the process
    inherited it ignored), so runs record a failed manifest and worker pools are terminated on the way out."""
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    # a process started in the background by a script inherits SIGINT ignored; Ctrl-C must still stop it
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _worker_signals() -> None:
    """Workers leave stopping to the parent: default SIGTERM (the parent's terminate), no Ctrl-C traceback."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def combine(results: list[Replication], attr: str) -> pd.DataFrame:
    frames = [getattr(r, attr) for r in results if getattr(r, attr) is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

