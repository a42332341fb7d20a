"""The stored strength sweep the reform estimate is fitted to: a findings page and its stamp, or a multirun."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.analysis.comparison import COLUMNS
from sim.app.study_table import FINDINGS_PAGE, StudyError, read_findings, read_multirun

PAGE = """# breakeven

<!-- status --> **Stale**: the model changed since this run (the model code changed); rerun it.

The numbers are in breakeven/comparison.csv beside this page.
"""


def _sweep(folder):
    """A break-even comparison table: reform 'fast' at strengths 0.5 and 1 with its references (jobs 0 and 2)."""
    rows = []
    jobs = [("reform=none reform.strength=0.5", 0), ("reform=fast reform.strength=0.5", 0),
            ("reform=none reform.strength=1", 2), ("reform=fast reform.strength=1", 2)]
    for job, (overrides, ref) in enumerate(jobs):
        for metric, per in (("lor_to_offer", -1.0), ("lor_to_contract", -2.0), ("lor_to_delivery", -4.0)):
            fast = "fast" in overrides
            strength = 0.5 if "0.5" in overrides else 1.0
            rows.append({"job": job, "label": overrides, "status": "complete", "metric": metric,
                         "overrides": overrides, "reference_job": ref, "diff_n": 2, "diff_half_width": 1.0,
                         "diff_mean": per * strength * 10 if fast else 0.0})
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).reindex(columns=COLUMNS).to_csv(folder / "comparison.csv", index=False)


def _stamp(metric: str = "lor_to_delivery") -> dict:
    return {"command": "python -m sim -m experiment=breakeven", "made": "2026-12-07 10:03",
            "run": {"settings": "2 replications per job"},
            "first_job_settings": {"reform": {"assume": "high"}, "breakeven": {"metric": metric},
                                   "run": {"settle_years": 6.0, "replications": 2}}}


def test_a_findings_page_gives_its_curves_settings_and_status(tmp_path):
    page = tmp_path / "breakeven.md"
    page.write_text(PAGE)
    page.with_suffix(".json").write_text(json.dumps(_stamp()))
    _sweep(tmp_path / "breakeven")  # the table findings make keeps beside the page
    study = read_findings(page)
    assert study.reforms() == ["fast"] and study.measures() == ["lor_to_offer", "lor_to_contract", "lor_to_delivery"]
    fast = study.curves[("fast", "lor_to_delivery")]
    assert fast.strengths == (0.0, 0.5, 1.0) and fast.changes == (0.0, -20.0, -40.0)
    assert study.assume == "high" and study.settle_years == 6.0 and study.replications == 2
    assert study.status.startswith("Stale: the model changed")
    (tmp_path / "breakeven" / "comparison.csv").unlink()
    with pytest.raises(StudyError, match="comparison.csv"):
        read_findings(page)


def test_the_committed_findings_page_holds_the_break_even_curves():
    """The page's fitted estimates come from here: if the page moves or its table changes, this says so."""
    study = read_findings(FINDINGS_PAGE)
    assert study.assume == "high" and "lor_to_delivery" in study.measures()
    assert {"more_contracting_officers", "sdaf_prebuy"} <= set(study.reforms())
    assert all(len(c.strengths) >= 3 and c.strengths[0] == 0.0 and c.changes[0] == 0.0
               for c in study.curves.values())


def test_a_break_even_multirun_gives_every_lead_time(tmp_path):
    _sweep(tmp_path)
    (tmp_path / "0").mkdir()
    (tmp_path / "0" / "manifest.json").write_text(json.dumps({"config": {"reform": {"assume": "likely"},
                                                                          "run": {"replications": 2}}}))
    study = read_multirun(tmp_path)
    assert study.assume == "likely" and study.measures() == ["lor_to_offer", "lor_to_contract", "lor_to_delivery"]
    assert study.curves[("fast", "lor_to_contract")].changes == (0.0, -10.0, -20.0)
    with pytest.raises(StudyError, match="not a multirun"):
        read_multirun(tmp_path / "0")
