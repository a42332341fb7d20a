"""The caveats a findings page adds from the saved run (sim.commands.findings): offices with no steady state, and
replications chosen by the precision sweeper (a reviewer found the staffing surface's page silent on a reference
whose case-manager queue grew without bound, and the reform comparison's on why it ran 3 replications, not 10)."""
from __future__ import annotations

import json

from sim.commands.findings import _precision, _unstable, sittings


def test_an_office_with_no_steady_state_is_named_with_its_jobs(tmp_path):
    for job, scenario, unstable in [(0, "none a", []), (5, "none b", ["case_managers"]),
                                    (14, "more_staff_offices b", ["case_managers"]), (7, "x", None)]:
        (tmp_path / str(job)).mkdir()
        (tmp_path / str(job) / "summary.json").write_text(json.dumps({"scenario": scenario, "unstable": unstable}))
    (tmp_path / "9").mkdir()  # a job without a summary (failed): no caveat from it, no crash
    notes = _unstable(tmp_path, [{"job": j} for j in (0, 5, 7, 9, 14)])
    assert notes == ["The case_managers queue grew without bound in job(s) 5 (none b), 14 (more_staff_offices b): "
                     "no steady state there, so those jobs' lead times and the changes against them depend on the "
                     "run's length."]
    assert _unstable(tmp_path, [{"job": 0}]) == []


def test_the_precision_sweepers_choice_of_replications_is_said():
    precision = {"target": {"half_width": 10.0, "metrics": ["lor_to_delivery"], "pilot": 3, "max_replications": 5},
                 "scenarios": [{"label": "none", "replications": 5, "met": None, "reference": True},
                               {"label": "a", "replications": 3, "met": True, "reference": False},
                               {"label": "b", "replications": 5, "met": False, "reference": False}]}
    assert _precision(precision) == [
        "Replications were chosen by the precision sweeper, not the study file: each scenario ran 3 first, then more "
        "until its paired 95% half-width on lor_to_delivery was at most ±10 days (at most 5); 1 of 2 met it, with 3 "
        "to 5 replications."]
    assert _precision(None) == [] and _precision({"status": "complete"}) == []


def test_a_resumed_study_is_timed_by_its_sittings_not_the_days_between():
    """The uncertainty study's strengths were added and run with run.resume=true two days after its hypercube: its
    page must not call the two days between 'minutes of running'."""
    jobs = [{"started_unix": 0, "runtime_seconds": 100}, {"started_unix": 50, "runtime_seconds": 200},
            {"started_unix": 800, "runtime_seconds": 10},  # within 10 minutes of the last end: the same sitting
            {"started_unix": 200_000, "runtime_seconds": 60}, {"started_unix": 200_030, "runtime_seconds": 60}]
    assert sittings(jobs) == [(0, 810), (200_000, 200_090)]
    assert sittings(jobs[:1]) == [(0, 100)]
