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
    (["{tmp}/s.parquet", "--at", "FY2003"], "before the run's first fiscal year FY2004"),
    (["{tmp}/s.parquet", "--at", "FY2006", "--replication", "-1"], "--replication=-1; allowed"),
    (["{tmp}/s.parquet", "--at", "FY2006", "--nope"], "unknown option --nope"),
    (["{tmp}/s.txt", "--at", "FY2006"], "no recipe"),
    (["{tmp}/s.parquet", "--at", "FY2006", "start=example_open_cases"], "start=example_open_cases: a state is made"),
    (["{tmp}/s.parquet", "--at", "FY2006", "run.nope=1"], "run.nope"),
])
def test_bad_requests_exit_2_with_one_line_and_no_file(tmp_path, capsys, args, message):
    assert make([a.format(tmp=tmp_path) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fms-sim state make: error: ") and message in err, err
    assert "Traceback" not in err and not any(tmp_path.iterdir())


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
