"""sim.output.multirun: failed jobs in the table and reading every kind of job folder."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from report_fixtures import (
    fake_summary,
    job,
    row,
    write_run,
)
from sim.analysis import comparison
from sim.output import multirun as multirun_io

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- failed jobs

def test_failed_jobs_get_one_row_and_do_not_stop_the_table():
    jobs = [job(0, fake_summary("none", [100.0, 110.0])), job(1, error="ValueError: bad things"),
            job(2, fake_summary("b", [105.0, 112.0]))]
    table, ref = comparison.comparison_table(jobs)
    failed = table[table["job"] == 1]
    assert len(failed) == 1
    assert failed.iloc[0]["status"] == "failed" and failed.iloc[0]["error"] == "ValueError: bad things"
    assert pd.isna(failed.iloc[0]["metric"]) and pd.isna(failed.iloc[0]["mean"])
    assert row(table, 2, "lor_to_offer")["diff_mean"] == pytest.approx(3.5)
    assert set(table.loc[table["job"] == 2, "metric"]) == set(comparison.METRICS)
    assert list(table.columns[:len(comparison.COLUMNS)]) == comparison.COLUMNS


def test_reference_that_failed_is_reported(tmp_path):
    jobs = [job(0, error="boom"), job(1, fake_summary("b", [105.0, 112.0]))]
    jobs[0]["scenario"] = "none"
    table, ref = comparison.comparison_table(jobs)
    # the failed reference is named, and the first complete job stands in for it (issue 21)
    assert (ref.job, ref.source) == (1, "first job") and "job 0 has it but failed" in ref.note
    assert "measured against the first job's scenario, 'b' (job 1)" in ref.note
    assert (table.loc[table["job"] == 1, "diff_mean"] == 0).all()  # the stand-in, against itself
    assert table.loc[table["job"] == 0, "diff_mean"].isna().all()  # the failed job has no change


def test_read_job_classifies_every_kind_of_failure(tmp_path):
    write_run(tmp_path / "0", fake_summary("none", [1.0, 2.0]), overrides=["a=1"])
    (tmp_path / "1").mkdir()
    write_run(tmp_path / "2", None, status="failed", error="RuntimeError: simulation broke")
    write_run(tmp_path / "3", None, status="running")
    write_run(tmp_path / "4", None, status="complete")
    (tmp_path / "5").mkdir()
    (tmp_path / "5" / "manifest.json").write_text("{not json")
    (tmp_path / "figures").mkdir()                            # not a job: ignored
    (tmp_path / "10").mkdir()                                 # numeric order: 10 after 5
    jobs = multirun_io.read_jobs(tmp_path)
    assert [j["job"] for j in jobs] == [0, 1, 2, 3, 4, 5, 10]
    status = {j["job"]: (j["status"], j["error"]) for j in jobs}
    assert status[0] == ("complete", None) and jobs[0]["overrides"] == ["a=1"]
    assert status[1] == ("failed", "no manifest")
    assert status[2] == ("failed", "RuntimeError: simulation broke")
    assert status[3][0] == "failed" and "running" in status[3][1]
    assert status[4] == ("failed", "no summary.json")
    assert status[5][0] == "failed" and "unreadable" in status[5][1]


def test_hydra_overrides_are_read_when_the_manifest_is_missing(tmp_path):
    (tmp_path / "0" / ".hydra").mkdir(parents=True)
    (tmp_path / "0" / ".hydra" / "overrides.yaml").write_text("- debug=tiny\n- 'reform=more_staff'\n")
    rec = multirun_io.read_job(tmp_path / "0")
    assert rec["overrides"] == ["debug=tiny", "reform=more_staff"] and rec["error"] == "no manifest"
