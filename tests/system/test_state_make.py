"""Model-made states (``python -m sim state make``, sim.states.open_cases): the open cases of a run at a fiscal
year's end, as milestone dates a run can start from; the same file every time; the shipped FY2026 state is current
with its recipe and the outlook configs tell one story from FY2004 and from FY2027."""
from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import pandas as pd
import pytest

from sim.commands.state_make import make
from sim.config import STATES_DIR, compose_config, config_digest, load_params, state_recipe
from sim.engine.clock import DAYS_PER_YEAR
from sim.model.arrivals import LorRate
from sim.model.state import stage_of
from sim.runner import simulate
from sim.states import open_cases, provenance_of, read_state

TINY = ["debug=tiny"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("state") / "s.parquet"
    done = subprocess.run([sys.executable, "-m", "sim", "state", "make", str(out), "--at", "FY2006", *TINY],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_the_state_holds_exactly_the_cases_open_at_the_fiscal_years_end(made):
    out, stdout = made
    p = load_params([*TINY, "run.horizon_years=3", "run.warmup_years=0", "run.drain_years=0", "run.records=cases",
                     "run.replications=1"])
    cases = simulate(p, 0).cases
    at = 3 * DAYS_PER_YEAR
    end = cases["closed"].fillna(cases["withdrawn"])
    expected = cases[(cases["lor_received"] <= at) & ~(end <= at)]
    frame = pd.read_parquet(out)
    assert list(frame["case_id"]) == sorted(expected["case_id"])
    assert stdout.startswith(f"{out}: {len(expected):,} open cases worth $")
    st = read_state(out, load_params(TINY))
    assert st.as_of == dt.date(2006, 9, 30) and st.start_fiscal_year == 2007 and st.ignored == ()
    # each milestone reads back as whole days before day 0, floor(t - at): the order is kept, nothing is after as_of
    by_id = expected.set_index("case_id")
    for row in st.rows:
        src = by_id.loc[row["case_id"]]
        for m in ("lor_received", "loa_offered", "contract_awarded", "delivered"):
            t = src[m]
            want = math.floor(t - at) if t <= at else None
            assert (want is None and math.isnan(row[m])) or row[m] == want, (row["case_id"], m, t, row[m])
    assert {stage_of(r) for r in st.rows} >= {"reviews", "contracting", "production", "closure"}


def test_the_same_recipe_makes_the_same_bytes(made, tmp_path, capsys):
    out, _ = made
    again = tmp_path / "again.parquet"
    assert make([str(again), "--at=FY2006", *TINY]) == 0
    assert again.read_bytes() == out.read_bytes()
    made_from = provenance_of(again)
    assert made_from["at"] == 2006 and made_from["replication"] == 0 and made_from["overrides"] == TINY
    assert made_from["config_sha256"] == config_digest(TINY)


def test_open_cases_rules_on_a_hand_made_table():
    base = {"partner": "Poland", "loa_group": "A", "funding": "fms", "value_musd": 10.0, "mde_musd": 0.0,
            "acquisition": "stock", "platform": "", "quantity": 0, "priority": 1, "closed": math.nan,
            "withdrawn": math.nan, "lor_complete": math.nan, "loa_offered": math.nan, "loa_accepted": math.nan,
            "implemented": math.nan, "contract_awarded": math.nan, "delivered": math.nan}
    rows = [{**base, "case_id": 1, "lor_received": 99.5, "lor_complete": 99.99, "priority": 0},  # open, urgent
            {**base, "case_id": 2, "lor_received": 10.0, "closed": 50.0},  # closed before: not open
            {**base, "case_id": 3, "lor_received": 10.0, "withdrawn": 100.0},  # withdrawn on the day: not open
            {**base, "case_id": 4, "lor_received": 100.5},  # after the date: not open
            {**base, "case_id": 5, "lor_received": 20.0, "lor_complete": 100.5}]  # a milestone after: left empty
    frame = open_cases(pd.DataFrame(rows), 100.0, dt.date(2020, 9, 30))
    assert list(frame["case_id"]) == [1, 5]
    first = frame.iloc[0]
    assert first["lor_received"] == dt.date(2020, 9, 30) and first["lor_complete"] == dt.date(2020, 9, 30)
    assert first["priority"] == "urgent" and first["platform"] is None and frame.iloc[1]["priority"] == "normal"
    assert frame.iloc[1]["lor_received"] == dt.date(2020, 10, 1) - dt.timedelta(days=80)
    assert frame.iloc[1]["lor_complete"] is None


@pytest.mark.parametrize("args, message", [
    (["fy2026", "--at", "FY2020"], "is made by its recipe"),
    (["fy2026", "demand=history"], "is made by its recipe"),
    (["nowhere"], "no recipe configs/states/nowhere.recipe.yaml"),
    (["{tmp}/s.parquet"], "--at FY<year> is needed"),
    (["{tmp}/s.parquet", "--at", "2006x"], "--at=2006x; allowed: a fiscal year such as FY2026"),
    (["{tmp}/s.parquet", "--at", "FY2003"], "--at=FY2003; allowed: a fiscal year from the run's first, FY2004"),
    (["{tmp}/s.parquet", "--at", "FY9999"], "--at=FY9999; allowed"),
    (["{tmp}/d.parquet", "--at", "FY2006"], "d.parquet is a folder"),
    (["/proc/s.parquet", "--at", "FY2006"], "/proc/s.parquet cannot be written"),
    (["{tmp}/s.parquet", "--at", "FY2006", "--replication", "-1"], "--replication=-1; allowed"),
    (["{tmp}/s.parquet", "--at", "FY2006", "--nope"], "unknown option --nope"),
    (["{tmp}/s.txt", "--at", "FY2006"], "no recipe"),
    (["{tmp}/s.parquet", "--at", "FY2006", "start=example_open_cases"], "start=example_open_cases: a state is made"),
    (["{tmp}/s.parquet", "--at", "FY2006", "run.nope=1"], "run.nope"),
])
def test_bad_requests_exit_2_with_one_line_and_no_file(tmp_path, capsys, args, message):
    (tmp_path / "d.parquet").mkdir()
    assert make([a.format(tmp=tmp_path) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fms-sim state make: error: ") and message in err, err
    assert "Traceback" not in err and [p.name for p in tmp_path.iterdir()] == ["d.parquet"]


@pytest.mark.parametrize("text, message", [
    ("at: FY2026\nreplication: [\n", "not a readable recipe"),
    ("at: FY2026\nreplication: 1.7\noverrides: []\n", "replication=1.7 in the recipe; allowed: a whole number"),
    ("at: FY2026\nreplication: true\noverrides: []\n", "replication=True in the recipe"),
    ("at: FY2026\noverrides: []\n", "a recipe has the keys at, replication, overrides"),
])
def test_a_damaged_recipe_is_one_line(tmp_path, monkeypatch, capsys, text, message):
    import sim.config

    (tmp_path / "mine.recipe.yaml").write_text(text)
    monkeypatch.setattr(sim.config, "STATES_DIR", tmp_path)
    assert make(["mine"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


def test_a_run_with_no_open_case_writes_nothing(tmp_path, capsys):
    assert make([str(tmp_path / "s.parquet"), "--at", "FY2004", "debug=tiny", "demand.lor_per_year=0.001"]) == 2
    assert "no case is open at the end of FY2004: nothing written" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_the_window_overrides_of_a_state_do_not_clash(tmp_path):
    """Found by a breaker: the overrides were first checked with the default window, so run.horizon_years=1 was
    refused for its warm-up; and run.first_replication was ignored."""
    out = tmp_path / "s.csv"
    assert make([str(out), "--at", "FY2005", "debug=tiny", "run.horizon_years=1", "run.first_replication=1"]) == 0
    assert read_state(out, load_params(TINY)).start_fiscal_year == 2006
    assert make([str(tmp_path / "t.parquet"), "--at", "FY2005", "debug=tiny", "--replication", "1"]) == 0
    assert provenance_of(tmp_path / "t.parquet")["replication"] == 1
    assert pd.read_csv(out)["case_id"].tolist() == pd.read_parquet(tmp_path / "t.parquet")["case_id"].tolist()


def test_the_digest_leaves_out_how_a_run_is_controlled():
    assert config_digest(["run.jobs=1", "precision.half_width=3", "run.replications=2"]) == config_digest([])
    assert config_digest(["demand.lor_per_year=3000"]) != config_digest([])


def test_the_shipped_fy2026_state_is_current_with_its_recipe():
    recipe = state_recipe("fy2026")
    assert recipe is not None and recipe["at"] == "FY2026"
    made_from = provenance_of(STATES_DIR / "fy2026.parquet")
    assert made_from["overrides"] == recipe["overrides"] and made_from["replication"] == recipe["replication"]
    assert made_from["config_sha256"] == config_digest(recipe["overrides"]), (
        "the defaults changed since configs/states/fy2026.parquet was made: python -m sim state make fy2026")
    st = read_state(STATES_DIR / "fy2026.parquet", load_params(["experiment=reform_outlook"]))
    assert st.start_fiscal_year == 2027 and 14_000 < len(st.rows) < 20_000


def test_the_outlook_history_reaches_the_outlook_levels_by_fy2025():
    history, outlook = load_params(["demand=outlook_history", "staffing=outlook_history"]), load_params(
        ["demand=outlook", "staffing=outlook"])
    rate = LorRate(history.demand, history.run.start_fiscal_year)
    fy2025 = (2025 - history.run.start_fiscal_year) * DAYS_PER_YEAR
    assert rate.growth(fy2025) * history.demand.lor_per_year == pytest.approx(outlook.demand.lor_per_year, rel=1e-3)
    assert rate.growth(fy2025 + 5 * DAYS_PER_YEAR) == rate.growth(fy2025)  # flat after
    for name, pool in outlook.staffing.pools.items():
        then = history.staffing.pools[name].headcount + sum(h.headcount for h in history.staffing.plans[name].hires)
        assert then == pool.headcount, name
        assert all(h.year <= fy2025 / DAYS_PER_YEAR for h in history.staffing.plans[name].hires)
    assert history.staffing.production_lines == outlook.staffing.production_lines


def test_the_outlook_study_starts_from_the_fy2026_state_with_reforms_on_its_first_day():
    cfg = compose_config(["experiment=reform_outlook"])
    p = load_params(["experiment=reform_outlook"])
    assert cfg.start == "fy2026" and p.run.start_fiscal_year == 2027 and p.run.warmup_years == 0
    assert p.reform.effective == 0 and p.demand.lor_per_year == 2500


def test_a_run_at_other_levels_than_the_states_is_told_so():
    from sim.config import state_level_notes

    plain = state_level_notes(load_params(["start=fy2026"]))
    assert len(plain) == 1 and "demand.lor_per_year 2,000 (state 2,500)" in plain[0]
    assert "staffing.pools.case_writers.headcount 90 (state 113)" in plain[0]
    assert plain[0].endswith("the state carries on with demand=outlook staffing=outlook")
    assert state_level_notes(load_params(["experiment=reform_outlook"])) == []
    assert state_level_notes(load_params(["start=example_open_cases"])) == []  # user-made: no levels to compare
    levels = provenance_of(STATES_DIR / "fy2026.parquet")["levels"]
    assert levels["lor_per_year"] == pytest.approx(2500, rel=1e-3) and levels["headcount"]["case_writers"] == 113


def test_the_console_names_the_cohort_by_fiscal_year():
    from sim.job import cohort_years

    run = load_params(["experiment=reform_outlook", "run.horizon_years=3"]).run
    assert cohort_years(run) == "FY2027-FY2029 (years [0, 3) of the run)"
    assert cohort_years(load_params([]).run) == "FY2016-FY2020 (years [12, 17) of the run)"
    assert cohort_years(load_params(["run.horizon_years=12.5"]).run) == "[12, 12.5) years from day 0"


def test_a_state_from_a_run_whose_queue_kept_growing_is_flagged(made, tmp_path, capsys):
    """Found by a new user: a scenario whose offices cannot carry its demand made a state without a word."""
    assert "warning" not in made[1]
    assert make([str(tmp_path / "s.parquet"), "--at", "FY2006", *TINY, "staffing.pools.case_writers.headcount=3"]) == 0
    assert "warning: queues kept growing in this run at case_writers" in capsys.readouterr().out


def test_levels_are_compared_as_given_so_a_reform_is_not_a_mismatch():
    """Found by a second breaker pass: the state's levels were taken after the reform's staff, the run's before."""
    from sim.commands.state_make import levels_at
    from sim.states import level_mismatch

    p = load_params(["reform=more_staff"])
    made = {"levels": levels_at(p, 3 * DAYS_PER_YEAR), "overrides": ["reform=more_staff"]}
    assert level_mismatch(made, p) == ""
    assert "headcount 45 (state 90)" in level_mismatch(made, load_params(["staffing.pools.case_writers.headcount=45"]))


def test_a_run_through_fy2020_is_set_beside_dod_igs_open_cases(tmp_path, capsys):
    out = tmp_path / "s.parquet"
    assert make([str(out), "--at", "FY2020", *TINY, "run.start_fiscal_year=2019"]) == 0
    line = capsys.readouterr().out.splitlines()[2]
    frame = pd.read_parquet(out)
    assert line.startswith(f"end of FY2020 in the same run: {len(frame):,} open cases")  # the state's date is FY2020
    assert "public: 15,365 worth $620B" in line and "OUTSIDE the calibration band $400-900B" in line  # a tiny run
