"""python -m sim findings: pages generated from saved studies, stamped with the model's fingerprint, and marked
stale when the code or a number-shaping setting changes (issue 23, item 8)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.commands import findings
from sim.commands.run import main

TINY = ["debug=tiny", "run.replications=2", "run.horizon_years=0.6", "run.warmup_years=0.1", "run.drain_years=0.5"]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("findings")
    assert main(["-m", "reform=none,contracting_standards", *TINY, f"hydra.sweep.dir={root / 'm'}"]) == 0
    return root


def _fresh_docs(study, name):
    docs = study / name
    assert findings.main(["make", str(study / "m"), "--docs", str(docs)]) == 0
    return docs


def test_the_page_opens_with_the_answer_from_the_tables(study):
    """A multirun without a study file is named by its folder ('m'), so two such pages never overwrite each other."""
    docs = _fresh_docs(study, "docs")
    page = (docs / "findings" / "m.md").read_text()
    comparison = pd.read_csv(study / "m" / "comparison.csv")
    row = comparison[(comparison.metric == "lor_to_contract") & (comparison.job == 1)].iloc[0]
    assert "**Current**" in page.splitlines()[2]
    assert page.index("## Answer") < page.index("## How this was made")
    shown = f"{row.diff_mean:+.1f}" if abs(row.diff_mean) < 10 else f"{row.diff_mean:+.0f}"
    assert "| contracting_standards | " in page and shown in page
    assert (docs / "findings" / "m" / "change_vs_reference.png").is_file()
    kept = pd.read_csv(docs / "findings" / "m" / "comparison.csv")  # the tables behind the page, beside it
    assert kept.equals(comparison) and (docs / "findings" / "m" / "ranking.csv").is_file()
    stamp = json.loads((docs / "findings" / "m.json").read_text())
    assert len(stamp["jobs"]) == 2 and len(stamp["fingerprint"]) == 16
    assert findings.main(["check", "--docs", str(docs)]) == 0


def test_a_changed_setting_makes_the_finding_stale_and_a_changed_source_text_does_not(study):
    docs = _fresh_docs(study, "docs_settings")
    path = docs / "findings" / "m.json"
    stamp = json.loads(path.read_text())
    for job in stamp["jobs"]:  # as if the default had been another: today's composition now differs
        job["overrides"] = [*job["overrides"], "staffing.ranges.case_writers.effort_share.source=reworded"]
    path.write_text(json.dumps(stamp))
    assert findings.main(["check", "--docs", str(docs)]) == 0  # a source's words shape no number
    for job in stamp["jobs"]:
        job["overrides"] = [*job["overrides"], "demand.lor_per_year=1234"]
    path.write_text(json.dumps(stamp))
    assert findings.main(["check", "--docs", str(docs)]) == 1
    page = (docs / "findings" / "m.md").read_text()
    assert "**Stale**" in page and "demand.lor_per_year" in page
    assert "stale: settings changed: demand.lor_per_year" in (docs / "findings" / "index.md").read_text()


def test_changed_code_makes_the_finding_stale(study, monkeypatch):
    docs = _fresh_docs(study, "docs_code")
    monkeypatch.setattr(findings, "working_code", lambda: "0" * 64)
    assert findings.main(["check", "--docs", str(docs)]) == 1
    assert "the model code changed: run the study again" in (docs / "findings" / "m.md").read_text()


def test_changed_analysis_code_asks_for_the_page_again_not_a_rerun(study, monkeypatch):
    """Analysis code (intervals, tables) is applied by findings make to the saved results; layout code is in no part."""
    docs = _fresh_docs(study, "docs_analysis")
    monkeypatch.setattr(findings, "analysis_code", lambda: "0" * 64)
    assert findings.main(["check", "--docs", str(docs)]) == 1
    assert "the analysis code changed: make the page again" in (docs / "findings" / "m.md").read_text()
    monkeypatch.undo()
    assert findings.main(["make", str(study / "m"), "--docs", str(docs)]) == 0
    assert findings.main(["check", "--docs", str(docs)]) == 0


def test_the_parts_of_the_fingerprint_cover_the_numbers_and_leave_out_the_layout():
    from sim.output import fingerprint as fp

    run = {*fp.RUN_FOLDERS, *fp.RUN_FILES}
    analysis = {*fp.ANALYSIS_FOLDERS, *fp.ANALYSIS_FILES}
    assert {"model", "engine", "runner.py", "config.py"} <= run and "analysis" in analysis
    assert not run & analysis and "commands/report.py" not in run | analysis
    assert not any(name.startswith("output/report") for name in run | analysis)
    job = set(fp.job_analysis())  # the analysis a job runs (its summary, its tidy rows) is run code too
    assert {"analysis/tally.py", "analysis/group_tally.py", "analysis/kpis.py"} <= job
    assert not {"analysis/breakeven.py", "analysis/kpi_comparison.py", "analysis/calibration.py"} & job


def test_a_folder_without_a_report_or_with_mixed_code_is_refused(study, tmp_path, capsys):
    assert findings.main(["make", str(tmp_path), "--docs", str(tmp_path / "d")]) == 2
    assert f"fms-sim findings: error: {tmp_path}: " in capsys.readouterr().err
    manifests = [json.loads((study / "m" / str(j) / "manifest.json").read_text()) for j in (0, 1)]
    for m in manifests:  # as if run from uncommitted code: each job's recorded hash is all there is
        m["git_dirty"] = True
    manifests[1]["model_code"] = "1" * 64
    with pytest.raises(findings.FindingsError, match="2 versions of the model code"):
        findings._code([{**m, "job": n} for n, m in enumerate(manifests)])


def test_bad_folders_and_stamps_are_said_not_crashed_on(study, tmp_path, capsys):
    assert findings.main(["check", "--docs", str(tmp_path / "nowhere")]) == 2
    assert "no findings folder" in capsys.readouterr().err
    docs = _fresh_docs(study, "docs_bad")
    (docs / "findings" / "stray.json").write_text("{not json")
    assert findings.main(["check", "--docs", str(docs)]) == 1
    assert "stray: stale: unreadable stamp stray.json" in capsys.readouterr().out


@pytest.mark.slow
def test_only_a_dated_studys_page_shows_the_year_by_year(tmp_path):
    """A dated study asks what happens year by year (reform_outlook): its page showed only the cohort's change."""
    assert main(["-m", "reform=none,more_staff", "debug=tiny", "run.replications=2", "reform.effective=FY2005",
                 f"hydra.sweep.dir={tmp_path / 'm'}"]) == 0
    assert findings.main(["make", str(tmp_path / "m"), "--docs", str(tmp_path / "docs")]) == 0
    page = (tmp_path / "docs" / "findings" / "m.md").read_text()
    shown = [line for line in page.splitlines() if line.startswith("![")]
    assert shown == ["![Change in lead time against the reference, ranked](m/change_vs_reference.png)",
                     "![Year by year: the change against the reference](m/trajectory_change.png)",
                     "![Year by year](m/trajectory.png)"]
    assert all((tmp_path / "docs" / "findings" / "m" / name).is_file()
               for name in ("change_vs_reference.png", "trajectory_change.png", "trajectory.png"))

    # the same saved run read as a steady-state study (its reform always in effect): its cohort is the question, and
    # the break-even page once showed year-by-year figures of a made-up calendar (reforms 'taking effect' in FY2010)
    for n in (0, 1):
        path = tmp_path / "m" / str(n) / "manifest.json"
        manifest = json.loads(path.read_text())
        manifest["config"]["reform"]["effective"] = None
        path.write_text(json.dumps(manifest))
    assert findings.main(["make", str(tmp_path / "m"), "--docs", str(tmp_path / "steady")]) == 0
    page = (tmp_path / "steady" / "findings" / "m.md").read_text()
    assert "Year by year" not in page and "![Change in lead time against the reference, ranked]" in page
    # made again into the same docs, the page drops the figures it no longer shows
    assert findings.main(["make", str(tmp_path / "m"), "--docs", str(tmp_path / "docs")]) == 0
    assert sorted(p.name for p in (tmp_path / "docs" / "findings" / "m").glob("*.png")) == ["change_vs_reference.png"]
