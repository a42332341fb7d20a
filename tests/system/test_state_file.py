"""State files of open cases (sim.model.state, sim.states): the shipped example reads; a damaged file is refused
with one line per problem; Parquet and CSV read the same; the command exits 2 on a bad file."""
from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config import CONFIG_DIR, load_params
from sim.model.state import MAX_LISTED, stage_of
from sim.states import StateError, read_state

EXAMPLE = CONFIG_DIR / "states" / "example_open_cases.csv"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def params():
    return load_params([])


def _example() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)


def test_the_example_reads_with_every_stage_and_day_zero_after_as_of(params):
    st = read_state(EXAMPLE, params)
    assert st.as_of == dt.date(2026, 9, 30) and st.start_fiscal_year == 2027 and st.ignored == ("note",)
    by_id = {r["case_id"]: r for r in st.rows}
    assert by_id[1001]["lor_received"] == -48.0  # 14 August 2026 is 48 days before 1 October 2026
    assert math.isnan(by_id[1001]["lor_complete"])
    assert {stage_of(r) for r in st.rows} == {"lor_intake", "reviews", "offer_acceptance", "implementation",
                                               "contracting", "production", "closure"}
    assert stage_of(by_id[1004]) == "implementation" and stage_of(by_id[1008]) == "closure"  # stock: no contract
    assert by_id[1012]["acquisition"] is None  # not known: drawn as for a new case


def test_parquet_and_csv_read_the_same(params, tmp_path):
    frame = _example()
    for c in ("value_musd", "mde_musd"):
        frame[c] = frame[c].astype(float)
    frame["case_id"] = frame["case_id"].astype("int64")
    frame["lor_received"] = pd.to_datetime(frame["lor_received"])  # a real date column, as an export would hold
    frame.to_parquet(tmp_path / "s.parquet")
    a, b = read_state(EXAMPLE, params), read_state(tmp_path / "s.parquet", params)
    assert a.as_of == b.as_of
    for x, y in zip(a.rows, b.rows):
        assert x.keys() == y.keys()
        assert all(x[k] == y[k] or (x[k] != x[k] and y[k] != y[k]) for k in x), (x, y)


def _damaged(tmp_path: Path) -> Path:
    f = _example()
    f.loc[0, "partner"] = "Atlantis"  # unknown partner
    f.loc[1, "value_musd"] = "-5"  # negative value
    f.loc[2, "loa_offered"] = "2025-10-01"  # before its LOR was complete (2025-12-01)
    f.loc[3, "loa_group"] = "E"  # unknown group
    f.loc[4, "lor_complete"] = ""  # a later milestone without an earlier one
    f.loc[5, "case_id"] = "1001"  # twice
    f.loc[6, "delivered"] = "2027-01-01"  # after the state's date
    f.loc[7, "mde_musd"] = "9"  # MDE above the case value (4)
    f.loc[8, "lor_received"] = "yesterday"  # not a date
    path = tmp_path / "damaged.csv"
    f.to_csv(path, index=False)
    return path


def test_a_damaged_file_is_refused_with_one_line_per_problem(params, tmp_path):
    with pytest.raises(StateError) as e:
        read_state(_damaged(tmp_path), params)
    lines = e.value.lines
    expected = ["row 1 (case 1001): partner='Atlantis'; allowed: a partner of demand.partners",
                "row 2 (case 1002): value_musd=-5.0; allowed: a number of $M >= 0",
                "row 3 (case 1003): loa_offered comes before lor_complete",
                "row 4 (case 1004): loa_group='E'; allowed: A, B, C, D",
                "row 5 (case 1005): loa_offered is given but lor_complete is not",
                "row 6 (case 1001): case_id=1001 appears again (first in row 1)",
                "row 7 (case 1007): delivered is after as_of",
                "row 8 (case 1008): mde_musd=9.0; allowed: a number of $M from 0 to value_musd",
                "row 9 (case 1009): lor_received='yesterday'; allowed: a date (YYYY-MM-DD) or empty"]
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected):
        assert line.startswith(start), (line, start)


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=["partner"]), "column 'partner' is missing; required: as_of, case_id, partner"),
    (lambda f: f.assign(as_of="2026-06-30"), "as_of=2026-06-30; allowed: the last day of a fiscal year"),
    (lambda f: f.assign(as_of=["2026-09-30"] * (len(f) - 1) + ["2025-09-30"]), "allowed: one date (YYYY-MM-DD)"),
    (lambda f: f.iloc[0:0], "no rows"),
    (lambda f: f.assign(state_version="2"), "state_version=2; allowed: 1 (this fms-sim reads state version 1)"),
])
def test_a_file_level_problem_is_one_line(params, tmp_path, change, message):
    path = tmp_path / "s.csv"
    change(_example()).to_csv(path, index=False)
    with pytest.raises(StateError) as e:
        read_state(path, params)
    assert any(message in line for line in e.value.lines), e.value.lines


def test_many_problems_are_listed_up_to_a_limit(params, tmp_path):
    f = pd.concat([_example()] * 5, ignore_index=True)  # 48 duplicate case ids
    path = tmp_path / "s.csv"
    f.to_csv(path, index=False)
    with pytest.raises(StateError) as e:
        read_state(path, params)
    assert len(e.value.lines) == MAX_LISTED + 1 and e.value.lines[-1] == "(and 28 more problem(s))"


def test_the_command_checks_a_file_and_exits_2_on_a_damaged_one(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "sim", "state", "check", str(EXAMPLE)], cwd=ROOT, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0 and "12 open case(s) as of 2026-09-30" in ok.stdout, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "sim", "state", "check", str(_damaged(tmp_path))], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n  row ") == 9 and "9 problem line(s)" in bad.stderr
    missing = subprocess.run([sys.executable, "-m", "sim", "state", "check", str(tmp_path / "none.csv")], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no such file" in missing.stderr


@pytest.mark.parametrize("text, message", [
    ("as_of,case_id,partner,loa_group,value_musd,lor_received\n,1,Japan,B,35,2026-03-02\n"
     "2026-09-30,2,Japan,B,35,2026-03-02\n", "as_of is empty in row(s) 1"),  # once read the first row's only
    ("as_of,case_id,partner,loa_group,value_musd,lor_received\n2026-09-30,1099511627776,Japan,B,35,2026-03-02\n",
     "case_id=1099511627776; allowed: a whole number from 0 to 1,099,511,627,775"),
    ("as_of,case_id,partner,loa_group,value_musd,lor_received\n2026-09-30,1,Japan,B,1_000,2026-03-02\n",
     "value_musd='1_000'"),
    ("as_of,case_id,case_id,partner,loa_group,value_musd,lor_received\n2026-09-30,1,2,Japan,B,3,2026-03-02\n",
     "column 'case_id' appears more than once"),
    ("as_of;case_id;partner;loa_group;value_musd;lor_received\n2026-09-30;1;Japan;B;3;2026-03-02\n",
     "the file seems to use semicolons"),
    ("as_of,case_id,partner,loa_group,value_musd,lor_received\n9999-09-30,1,Japan,B,3,2026-03-02\n",
     "as_of=9999-09-30; allowed: the last day of a fiscal year (30 September) before 9999"),
])
def test_file_level_problems_found_by_a_breaker(params, tmp_path, text, message):
    path = tmp_path / "s.csv"
    path.write_text(text)
    with pytest.raises(StateError) as e:
        read_state(path, params)
    assert any(message in line for line in e.value.lines), e.value.lines


def test_blank_rows_are_skipped_and_datetimes_read_as_dates(params, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(" as_of ,case_id,partner,loa_group,value_musd,lor_received\n"
                    "2026-09-30,1,Japan,B,35,2026-03-02 00:00:00\n,,,,,\n")
    st = read_state(path, params)
    assert len(st.rows) == 1 and st.rows[0]["lor_received"] == -213.0


def test_a_number_in_a_parquet_date_column_is_not_a_date(params, tmp_path):
    f = _example().head(1).assign(lor_received=[-48])  # a day count, or a spreadsheet serial: never a date
    f["case_id"] = f["case_id"].astype("int64")
    f.to_parquet(tmp_path / "s.parquet")
    with pytest.raises(StateError, match="lor_received='-48'; allowed: a date"):
        read_state(tmp_path / "s.parquet", params)


def test_the_state_fixes_the_calendar_and_the_manifest_keeps_the_file(tmp_path):
    from sim.config import ConfigError, compose_config, to_params, with_state

    with pytest.raises(ConfigError, match="run.start_fiscal_year=2030 with start=example_open_cases"):
        to_params(compose_config(["start=example_open_cases", "run.start_fiscal_year=2030"]))
    with pytest.raises(ConfigError, match="no state named 'nowhere' in .*there: example_open_cases"):
        to_params(compose_config(["start=nowhere"]))
    copy = tmp_path / "mine.csv"
    copy.write_bytes(EXAMPLE.read_bytes())
    first = with_state({"start": str(copy), "run": {"start_fiscal_year": 2004}})
    assert first["run"]["start_fiscal_year"] == 2027 and len(first["start_state"]["sha256"]) == 64
    copy.write_text(EXAMPLE.read_text().replace("Japan,B,fms,35", "Japan,B,fms,36"))
    assert with_state({"start": str(copy)})["start_state"] != first["start_state"]  # run.resume will not reuse it


def test_validate_refuses_a_start_state():
    """validate compares an empty system's steady state with published figures: a start state is refused."""
    done = subprocess.run([sys.executable, "-m", "sim", "validate", "start=example_open_cases"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "start=example_open_cases; allowed: validate runs from an empty system" in \
        done.stderr and "Traceback" not in done.stderr


def test_an_exact_state_given_as_a_milestone_state_is_named_as_such(tmp_path):
    """Read where a milestone state is expected (``read_state``), an exact state is named, and the message says how
    a run goes on from it (``start=``: tests/system/test_state_exact.py)."""
    from sim.state_cache import make_state, write_exact

    tiny = load_params(["debug=tiny", "run.after_horizon=arrivals"])
    path = tmp_path / "exact.parquet"
    write_exact(path, make_state(tiny, 0, 50.0))
    with pytest.raises(StateError, match=r"an exact state \(made by the model: sim.state_cache\), not a state of "
                                         r"milestone dates; .* a run goes on from an exact state with start="):
        read_state(path, tiny)
