"""The report's settings rows (``sim.output.report_html.settings_rows``): a settled study says what its answers mean."""
from __future__ import annotations

from sim.output.report_html import settings_rows


def _job(settle):
    run = {"horizon_years": 17, "warmup_years": 12, "drain_years": 12, "settle_years": settle}
    return {"status": "complete", "summary": {"replications": 3, "seed": 1, "run": run}}


def test_a_settled_study_says_its_reforms_were_enacted_and_what_has_not_settled():
    rows = dict(settings_rows([_job(6.0), _job(6.0)], {0: "none", 1: "more_staff"}))
    text = rows["settling (run.settle_years)"]
    assert text.startswith("6 years: each reform was enacted that long before the warm-up ended")
    assert "open cases at the horizon do not yet" in text and "benchmarks/SETTLE_CHECK.md" in text


def test_a_study_that_warms_up_itself_has_no_settling_row():
    rows = dict(settings_rows([_job(None)], {0: "none"}))
    assert "settling (run.settle_years)" not in rows
