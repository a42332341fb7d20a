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
    assert manifest["config"]["start_state"]["exact"] is True
    assert set(manifest["config"]["start_state"]["sha256"]) == {"1"}  # the files it used: others may come and go
    assert ("exact states of the end of FY2004, day 365.25: each replication goes on from its own as the run that "
            "made it would have; the tables leave out the fiscal years before FY2005") in capsys.readouterr().err
    years = s["fiscal_years"]  # placed by their own year: FY2004 was not seen, FY2005 is the whole run's
    assert years["fiscal_year"][:2] == [2004, 2005] and years["loas_offered"][0] is None
    assert years["loas_offered"][1] == c["fiscal_years"]["loas_offered"][1]


@pytest.mark.parametrize("overrides, message", [
    (["run.replications=3"], "replication(s) 2 have no state there (it holds replication(s) 0, 1)"),
    (["run.warmup_years=0.5"], "run.warmup_years=0.5 begins the cohort on day 182.625, before the states' day (the end "
                               "of FY2004, day 365.25): its cases that ended before then are not in the states"),
    (["reform=more_staff"], "the reform has no reform.effective, so it would act from day 0, before the states' day "
                            "(the end of FY2004, day 365.25); allowed: reform.effective=FY2005 or later"),
    (["reform=more_staff", "reform.effective=0.5"], "reform.effective=0.5 takes effect on day 182.625, before the "
                                                    "states' day"),
    (["demand.lor_per_year=1900"], "the run's parameters differ from the state's in"),
    (["demand.lor_per_year=1900"], "(the states were made with: debug=tiny run.after_horizon=arrivals"),
    (["run.sample_days=60"], "run.sample_days (state: 30"),
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
    import sim.exact_start

    monkeypatch.setattr(sim.exact_start, "code_fingerprint", lambda: "0" * 64)
    assert run_main([f"start={states}", *TINY, "run.replications=1", f"hydra.run.dir={tmp_path / 'x'}"]) == 2
    assert "made by another version of model code" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--at", "FY2004"], "exists and is not an empty folder"),  # the fixture's folder, full
    (["--at", "FY2004", "--replication", "1"], "--replication with --exact"),
    (["--at", "FY2004", "debug=tiny", "run.warmup_years=1"], "run.after_horizon=drain"),
    (["--at", "FY2003", *TINY], "--at=FY2003; allowed: FY2004 (the run's first) to FY2004 (the last to end by"),
    (["--at", "FY2005", *TINY, "run.horizon_years=3"], "--at=FY2005; allowed: FY2004 (the run's first) to FY2004"),
    (["--at", "FY2004", "debug=tiny", "run.after_horizon=arrivals"],
     "run.warmup_years=0.5 ends before the first fiscal year does"),
    (["--at", "FY2004", *TINY, "reform=more_staff", "reform.effective=FY2005"], "a dated, partial or phased reform"),
    (["--at", "FY2004", "--replications", "\u00b2", *TINY], "--replications=\u00b2; allowed: a whole number >= 1"),
    (["--at", "FY2004", "--replications", "3", *TINY, "run.first_replication=4294967294"],
     "--replications=3 from run.first_replication=4294967294; allowed: replications below 2^32 (2 from there)"),
])
def test_state_make_exact_refuses_in_one_line(states, tmp_path, capsys, args, message):
    target = states if "exists" in message else tmp_path / "new"
    assert make([str(target), "--exact", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fms-sim state make: error: ") and message in err, err
    assert target == states or not target.exists()


def test_a_place_that_cannot_be_written_is_one_line_and_leaves_nothing(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "empty")
    for target, message in ((tmp_path / "file" / "sub", "cannot be written"), (tmp_path / "link", "is a link")):
        assert make([str(target), "--exact", "--at", "FY2004", *TINY]) == 2
        err = capsys.readouterr().err
        assert err.startswith("fms-sim state make: error: ") and message in err and len(err.splitlines()) == 1, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file", "link"]


def test_an_edited_or_damaged_state_is_refused_before_the_run(states, tmp_path, capsys):
    """Its cases are checked against the checksum written with them: a row removed with the metadata kept ran
    silently and gave other dates for 750 of 4,048 cases (a breaker's find)."""
    import shutil

    import pyarrow.parquet as pq

    edited = tmp_path / "edited"
    shutil.copytree(states, edited)
    table = pq.read_table(edited / "rep-1.parquet")
    pq.write_table(table.slice(0, table.num_rows - 1), edited / "rep-1.parquet")  # schema metadata kept
    (edited / "rep-\u00b2.parquet").write_text("not a replication")  # ignored: not rep-<digits>
    (edited / "rep-5.parquet").mkdir()  # ignored: not a file
    out = tmp_path / "never"
    assert run_main([f"start={edited}", *TINY, "run.replications=2", f"hydra.run.dir={out}"]) == 2
    err = capsys.readouterr().err
    assert "rep-1.parquet: not an exact state (incomplete: its cases are not those written" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()
    from sim.commands.state import main as state_main

    assert state_main(["check", str(edited)]) == 2
    assert "its cases are not those written" in capsys.readouterr().err


def test_an_empty_folder_is_named_in_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert run_main([f"start={tmp_path / 'empty'}", *TINY, f"hydra.run.dir={tmp_path / 'x'}"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"fms-sim: error: start={tmp_path / 'empty'}: a folder with no exact states in it (rep-<r>.parquet, "
                   "made by python -m sim state make <folder> --exact); allowed: such a folder, or a state file "
                   "(.parquet or .csv)")


def test_state_check_describes_exact_states(states, capsys):
    from sim.commands.state import main as state_main

    assert state_main(["check", str(states)]) == 0
    out = capsys.readouterr().out
    assert f"{states}: exact states of replication(s) 0, 1 at the end of FY2004, day 365.25, 2 file(s)" in out
    assert "overrides debug=tiny run.after_horizon=arrivals run.drain_years=3 run.warmup_years=1 run.jobs=1" in out
    assert f"start a run: python -m sim start={states} debug=tiny" in out and "reform.effective=FY2005" in out
    assert state_main(["check", str(states / "rep-0.parquet")]) == 0
