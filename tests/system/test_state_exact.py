"""Exact states on the command line (issue 22, item 4): ``state make <folder> --exact`` writes one exact state per
replication, and ``start=<folder>`` goes on from them as the run that never stopped, case by case; a run that cannot
go on from them is refused before any folder is made, in one line naming the key."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.commands.run import main as run_main
from sim.commands.state_make import make

TINY = ["debug=tiny", "run.after_horizon=arrivals", "run.drain_years=3", "run.warmup_years=1", "run.jobs=1"]
MILESTONES = ["lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
              "delivered", "withdrawn"]


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exact") / "fy2004"
    assert make([str(folder), "--exact", "--at", "FY2004", "--replications", "2", *TINY]) == 0
    return folder


def test_the_folder_holds_one_exact_state_per_replication(states, capsys):
    from sim.state_cache import code_fingerprint, exact_meta

    assert sorted(p.name for p in states.iterdir()) == ["rep-0.parquet", "rep-1.parquet"]
    meta = exact_meta(states / "rep-1.parquet")
    assert meta["fingerprint"]["replication"] == 1 and meta["clock"]["now"] == 365.25
    assert meta["provenance"]["code"] == code_fingerprint() and meta["provenance"]["at"] == 2004


@pytest.mark.slow
def test_a_run_from_the_states_is_the_run_that_never_stopped(states, tmp_path, capsys):
    """Replication 1 from its state, with a reform dated on the state's day, against the same run from day 0: every
    case the started run has is the continuous run's, milestone for milestone; it lacks only the cases closed or
    withdrawn before the day (they are not in the state), and the lead times of the cohort (which begins on the
    day) agree exactly."""
    common = [*TINY, "run.replications=1", "run.first_replication=1", "reform=more_staff", "reform.effective=FY2005"]
    assert run_main([f"start={states}", *common, f"hydra.run.dir={tmp_path / 's'}"]) == 0
    assert run_main([*common, f"hydra.run.dir={tmp_path / 'c'}"]) == 0
    started = pd.read_parquet(tmp_path / "s" / "cases.parquet").set_index("case_id")
    whole = pd.read_parquet(tmp_path / "c" / "cases.parquet").set_index("case_id")
    assert set(started.index) <= set(whole.index) and len(started) > 1000
    gone = whole.loc[whole.index.difference(started.index)]
    ended = gone[["closed", "withdrawn"]].min(axis=1)
    assert len(gone) and (ended <= 365.25).all()  # closed or withdrawn before the state's day: not in it
    pd.testing.assert_frame_equal(started[MILESTONES], whole.loc[started.index, MILESTONES])
    s, c = (json.loads((tmp_path / d / "summary.json").read_text()) for d in ("s", "c"))
    for lead in ("lor_to_offer", "lor_to_contract", "lor_to_delivery"):
        assert s["lead_times"][lead]["per_replication"] == c["lead_times"][lead]["per_replication"]
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["config"]["start_state"]["exact"] is True and set(manifest["config"]["start_state"]["sha256"]) \
        == {"0", "1"}
    assert "exact states; each replication goes on from its own" in capsys.readouterr().err


@pytest.mark.parametrize("overrides, message", [
    (["run.replications=3"], "replication(s) 2 have no state in"),
    (["run.warmup_years=0.5"], "the run's warmup (day 182.625, set by run.warmup_years) and the state's (day 365.25)"),
    (["reform=more_staff"], "a reform without reform.effective acts from day 0: date it on or after the state's day"),
    (["reform=more_staff", "reform.effective=0.5"], "the reform acts from day 182.625, before the state's day 365.25"),
    (["demand.lor_per_year=1900"], "the run's parameters differ from the state's in"),
    (["run.settle_years=0.5"], "run.settle_years=0.5 with start="),
])
def test_a_run_that_cannot_go_on_from_the_states_is_refused_before_any_folder(states, tmp_path, capsys, overrides,
                                                                             message):
    out = tmp_path / "never"
    assert run_main([f"start={states}", *TINY, "run.replications=2", *overrides, f"hydra.run.dir={out}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fms-sim: error: ") and message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_states_made_by_other_model_code_are_refused(states, tmp_path, capsys, monkeypatch):
    import sim.state_cache

    monkeypatch.setattr(sim.state_cache, "code_fingerprint", lambda: "0" * 64)
    assert run_main([f"start={states}", *TINY, "run.replications=1", f"hydra.run.dir={tmp_path / 'x'}"]) == 2
    assert "made by another version of model code" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--at", "FY2004"], "exists and is not an empty folder"),  # the fixture's folder, full
    (["--at", "FY2004", "--replication", "1"], "--replication with --exact"),
    (["--at", "FY2004", "debug=tiny"], "run.after_horizon=drain"),
    (["--at", "FY2003", *TINY], "--at=FY2003; allowed: a fiscal year from the run's first, FY2004"),
    (["--at", "FY2004", *TINY, "reform=more_staff", "reform.effective=FY2005"], "a dated, partial or phased reform"),
])
def test_state_make_exact_refuses_in_one_line(states, tmp_path, capsys, args, message):
    target = states if "exists" in message else tmp_path / "new"
    assert make([str(target), "--exact", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fms-sim state make: error: ") and message in err, err
    assert target == states or not target.exists()


def test_a_day_past_the_run_leaves_nothing_behind(tmp_path, capsys):
    target = tmp_path / "late"
    assert make([str(target), "--exact", "--at", "FY2010", *TINY]) == 2  # tiny's run ends in FY2009
    assert "not before the run's end" in capsys.readouterr().err
    assert not target.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".late")]
