"""run.resume keeps a complete job only for the same config, and refuses another naming the keys (issue 21)."""
from __future__ import annotations

import pytest

from sim.output.resume import ResumeError, completed_summary, differences
from sim.output.run_dir import write_json

CONFIG = {"seed": 1, "run": {"replications": 3, "jobs": 2}, "precision": {"half_width": 10.0},
          "demand": {"lor_per_year": 3000.0, "shocks": []}}


@pytest.fixture
def done(tmp_path):
    write_json(tmp_path / "manifest.json", {"status": "complete", "config": CONFIG})
    write_json(tmp_path / "summary.json", {"lead_times": {"lor_to_delivery": {"mean": 700.0}}})
    return tmp_path


def test_a_complete_job_counts_as_done_whatever_the_precision_target_or_run_control(done):
    """precision.* decides which jobs a precision study runs, not what a job computes; run.jobs how it is run."""
    assert completed_summary(done, CONFIG)["lead_times"]["lor_to_delivery"]["mean"] == 700.0
    assert completed_summary(done, {**CONFIG, "precision": {"half_width": 2.0}}) is not None
    assert completed_summary(done, {**CONFIG, "run": {"replications": 3, "jobs": 1}}) is not None
    assert completed_summary(done, {**CONFIG, "reference": "more_staff"}) is not None  # what the report compares


def test_a_complete_job_of_another_config_is_refused_naming_every_key(done):
    other = {**CONFIG, "seed": 2, "run": {"replications": 4, "jobs": 2}, "demand": {"lor_per_year": 3000.0}}
    with pytest.raises(ResumeError) as e:
        completed_summary(done, other)
    assert str(e.value) == (
        f"run.resume=true: {done} holds a complete job made with another config (demand.shocks: [] -> absent; "
        "run.replications: 3 -> 4; seed: 1 -> 2); allowed: the earlier command's settings, or a new hydra.sweep.dir")


def test_no_complete_job_means_the_job_runs(tmp_path, done):
    assert completed_summary(tmp_path / "nothing", CONFIG) is None
    write_json(tmp_path / "manifest.json", {"status": "failed", "config": {"seed": 9}})
    assert completed_summary(tmp_path, CONFIG) is None  # a failed job is run again, whatever its config
    (tmp_path / "manifest.json").write_text("{broken")
    assert completed_summary(tmp_path, CONFIG) is None


def test_differences_lists_dotted_keys_and_stops_after_a_few_in_the_message(done):
    assert differences({"a": {"b": 1, "c": [1]}}, {"a": {"b": 2, "c": [1]}, "d": 0}) == ["a.b: 1 -> 2",
                                                                                          "d: absent -> 0"]
    many = {**CONFIG, "x1": 1, "x2": 2, "x3": 3, "x4": 4, "x5": 5}
    with pytest.raises(ResumeError, match=r"x4: absent -> 4 and 1 more\)"):
        completed_summary(done, many)
