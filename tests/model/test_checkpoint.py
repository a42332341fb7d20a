"""Exact states (issue 22 item 4): a run saved at a day (``sim.model.checkpoint``) and resumed
(``sim.model.resume``) goes on exactly as the run that never stopped, bit for bit: every visit record after the day
(case, stage, office, arrival, start and end times, waits, effort), in the same order, and every case's milestones.
Through JSON, as a state file keeps it."""
from __future__ import annotations

import json

import pytest

from sim.config import load_params
from sim.engine.rng import RandomStreams
from sim.model.checkpoint import save
from sim.model.fms_model import FmsModel
from sim.model.ledger import Ledger
from sim.model.observers import Visits
from sim.model.resume import resume as restore
from sim.model.scenario import resolve

BASE = ["debug=tiny", "run.after_horizon=arrivals", "run.records=full", "run.warmup_years=0.25",
        "run.horizon_years=0.75", "run.drain_years=1"]


def _model(overrides, resume=None, replication=0):
    scenario = resolve(load_params([*BASE, *overrides]))
    visits, ledger = Visits(), Ledger()
    m = FmsModel(scenario.params, RandomStreams(scenario.seed, replication), scenario.policy,
                 observers=[visits, ledger], epochs=scenario.epochs)
    if resume is not None:
        restore(m, resume)
    return m, visits, ledger


def _state(overrides, day, replication=0):
    m, _, _ = _model(overrides, replication=replication)
    m.run(until=day)
    return json.loads(json.dumps(save(m)))  # as a file keeps it


def _cases(m, ledger):
    """Every case the run ended or left open, by id: each column as a list (NaN as None, so == compares it)."""
    m.close_books()
    cols = ledger.case_columns()
    ids = cols["case_id"].tolist()
    return {name: dict(zip(ids, [None if v != v else v for v in col.tolist()])) for name, col in cols.items()}


CLOSING = ["run.horizon_years=2", "process.closure.work.low=10", "process.closure.work.mode=30",
           "process.closure.work.high=60", *(f"process.modifications.per_year.{g}=8" for g in "ABC")]
CASES = {
    "portfolio offices": ([], [], 150.5),
    "closures waiting on documents": (CLOSING, [], 700.0),
    "slot offices": (["staffing=slots"], [], 120.0),
    "parallel reviews always": (["reform=parallel_reviews"], [], 140.25),
    "attrition and backfill": (["staffing.plans.case_writers.attrition_per_year=0.3",
                                "staffing.plans.case_writers.backfill=true", "staffing.plans.case_writers.ramp_years=1",
                                "staffing.plans.contracting_officers.attrition_per_year=0.2"], [], 200.0),
    "a reform dated at the state's day": ([], ["reform=tiger_team_package", "reform.effective=0.5"], 182.625),
    "phased in, in part, later": ([], ["reform=dscs_workforce", "reform.effective=0.6", "reform.phase_in_years=0.3",
                                       "reform.strength=0.6"], 182.625),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_resumed_run_goes_on_bit_for_bit(name):
    before, reform, day = CASES[name]
    whole, visits, ledger = _model([*before, *reform])
    whole.run()
    resumed, visits2, ledger2 = _model([*before, *reform], resume=_state(before, day))
    resumed.run()
    after = [v for v in visits.records if v[5] > day]
    assert len(after) > 2000
    assert visits2.records == after  # every visit after the day, in order, to the last bit
    assert resumed.end_time == whole.end_time
    assert resumed.snapshots == whole.snapshots  # every pool's integrals and counts, at every window's ends
    assert resumed.samples == whole.samples  # the pools' time series, before the day (kept) and after
    cases, cases2 = _cases(whole, ledger), _cases(resumed, ledger2)
    ids = list(cases2["case_id"])
    assert len(ids) > 300
    for name, column in cases2.items():  # every case open on the day or come since, as the whole run ended it
        assert column == {i: cases[name][i] for i in ids}, name


def test_closures_waiting_on_their_documents_are_in_the_state_of_that_set_up():
    """(the set-up above: short closures and many modifications, so some cases have done their closure work and
    wait for a document still in process; the baseline has a few such cases in a state of year 12)"""
    state = _state(CLOSING, 700.0)
    assert sum(c["where"]["closing"] for c in state["cases"]) >= 5
    assert {c["case"]["step"] for c in state["cases"]} >= {"closure", "production", "contracting"}


def test_a_state_is_plain_data_that_json_keeps():
    state = _state([], 100.0)
    assert json.loads(json.dumps(state)) == state
    assert state["clock"]["now"] == 100.0 and state["version"] == 1
    assert {c["case"]["step"] for c in state["cases"]} >= {"lor_intake", "reviews", "offer_acceptance"}


def test_resuming_twice_gives_the_same_run():
    state = _state([], 120.0)
    runs = []
    for _ in range(2):
        m, visits, _ = _model([], resume=json.loads(json.dumps(state)))
        m.run()
        runs.append(visits.records)
    assert runs[0] == runs[1]


def test_a_state_resumed_again_after_more_days_still_matches():
    """Saved, resumed, saved again (visits under way are now resumed ones), resumed: still the same run."""
    whole, visits, _ = _model([])
    whole.run()
    m, _, _ = _model([], resume=_state([], 100.0))
    m.run(until=180.0)
    again = json.loads(json.dumps(save(m)))
    m2, visits2, _ = _model([], resume=again)
    m2.run()
    assert visits2.records == [v for v in visits.records if v[5] > 180.0]


@pytest.mark.parametrize("overrides, message", [
    (["demand.lor_per_year=2100"], "demand.lor_per_year (state: 2000"),
    (["seed=7"], "seed (state:"),
    (["reform=more_staff"], "allowed: the saved run's, with a reform dated on or after the state's day"),
    (["reform=more_staff", "reform.effective=0.1"], "before the state's day"),
])
def test_a_run_that_does_not_fit_the_state_is_refused_naming_what_differs(overrides, message):
    state = _state([], 100.0)
    with pytest.raises(ValueError, match="resume: ") as info:
        _model(overrides, resume=state)
    assert message in str(info.value)


def test_a_damaged_state_is_refused():
    state = _state([], 100.0)
    case = next(c for c in state["cases"] if c["case"]["step"] == "lor_intake" and c["where"]["visits"])
    case["case"]["step_visits"]["lor_intake"] = 3  # the replay cannot reach its visit under way
    with pytest.raises(ValueError, match=r"did not replay to where they stood \(first: case \d+ in lor_intake"):
        _model([], resume=state)


def test_what_cannot_be_saved_is_refused():
    m, _, _ = _model(["reform=more_staff", "reform.effective=0.1"])
    m.run(until=50.0)
    with pytest.raises(ValueError, match="dated, partial or phased reform"):
        save(m)
    m, _, _ = _model(["run.after_horizon=drain"])
    m.run(until=50.0)
    with pytest.raises(ValueError, match="after_horizon=drain"):
        save(m)


def test_a_run_longer_than_the_saved_one_goes_on_as_if_it_had_always_been_that_long():
    """The calendar after the state's day may change (a later horizon, a longer cap): the resumed run is the run
    that always had the new calendar (the open cases' documents planned to its end, its cohort counted again)."""
    longer = ["run.horizon_years=1.0", "run.drain_years=2.5"]
    whole, visits, ledger = _model(longer)
    whole.run()
    resumed, visits2, ledger2 = _model(longer, resume=_state([], 150.5))
    resumed.run()
    assert visits2.records == [v for v in visits.records if v[5] > 150.5]
    assert resumed.end_time == whole.end_time


def test_a_calendar_moved_to_before_the_state_is_refused():
    with pytest.raises(ValueError, match=r"resume: the run's warmup .* are not both after the state's day"):
        _model(["run.warmup_years=0.1"], resume=_state([], 150.5))


def test_a_run_that_has_ended_is_not_saved():
    m, _, _ = _model([])
    m.run()
    ended = m.end_time
    m, _, _ = _model([])
    m.run(until=ended + 10.0)
    with pytest.raises(ValueError, match="save: the run had ended before day"):
        save(m)


def test_slot_pools_with_a_reform_hiring_later_keep_their_integrals_before_the_day():
    """(a plan that only resets a slot pool's capacity to the same value no longer cuts its integrals: the run
    with the reform's plan and the state without it have the same pool figures before the day)"""
    whole, _, _ = _model(["staffing=slots", "reform=more_staff", "reform.effective=0.6"])
    whole.run()
    resumed, _, _ = _model(["staffing=slots", "reform=more_staff", "reform.effective=0.6"],
                           resume=_state(["staffing=slots"], 200.0))
    resumed.run()
    assert resumed.snapshots == whole.snapshots
