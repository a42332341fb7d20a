"""The multirun report end to end (sim.commands.report): whole reports, the command, the callback, the page in Chromium.

Unit tests use hand-made summaries; the slow tests run the real tool twice, report on the
result and open the page in headless Chromium.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from report_fixtures import (
    CHROMEDRIVER,
    CHROMIUM,
    fake_summary,
    row,
    write_run,
)
from sim.analysis import comparison
from sim.analysis.intervals import mean_ci
from sim.commands import report

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- whole report, no simulation

def _sensitivity_dir(tmp_path: Path, points: int = 10) -> Path:
    from sim.analysis.sensitivity import lhs_design

    design = lhs_design({"staffing.scale.case_writers": (0.5, 1.5), "demand.lor_per_year": (1500, 3000)},
                        points, seed=5)
    for i, p in enumerate(design):
        base = 100 / p["staffing.scale.case_writers"]             # fewer writers: slower
        offer = [base + 3 * r for r in range(3)]
        s = fake_summary(f"none point={i}", offer, study="sens", question="Which factors matter?",
                         sensitivity={"point": i, "factors": p}, reference="none",
                         warmup_check={"method": "MSER-5", "truncation_day": 400.0, "warmup_day": 2922.0,
                                       "adequate": i != 3},
                         unstable=["case_writers"] if i == 4 else [])
        write_run(tmp_path / str(i), s)
    write_run(tmp_path / str(points), None, status="failed", error="MemoryError: <big> & \"bad\"")
    return tmp_path


def test_sensitivity_report_without_simulation(tmp_path):
    d = _sensitivity_dir(tmp_path)
    rec = report.make_report(d)
    assert rec["status"] == "complete" and rec["jobs"] == {
        "total": 11, "ok": 10, "failed": 1, "missing": 0,
        "failed_jobs": [{"job": 10, "error": "MemoryError: <big> & \"bad\""}]}
    table = pd.read_csv(d / "comparison.csv")
    assert {"staffing.scale.case_writers", "demand.lor_per_year", "point"} <= set(table.columns)
    assert table["diff_mean"].isna().all()                     # no job is 'none'
    pr = pd.read_csv(d / "sensitivity_prcc.csv")
    offer = pr[pr["metric"] == "lor_to_offer"].set_index("factor")
    assert offer.loc["staffing.scale.case_writers", "prcc"] < -0.99
    assert (offer["n_points"] == 10).all()
    figs = {Path(f).name for f in rec["files"] if f.startswith("figures/")}
    assert figs == {"lead_time_distributions.png", "where_time_goes.png", "sensitivity_prcc.png"}
    page = (d / "report.html").read_text()
    assert "Which factors matter?" in page and "no completed job has the reference scenario" in page
    assert "MemoryError: &lt;big&gt; &amp; &quot;bad&quot;" in page          # escaped, never raw
    assert "warm-up too short in 1 of 10" in page and "case_writers" in page
    assert "Only the 5 scenarios" in page  # the distributions: the reference and the 4 that differ most
    assert json.loads((d / "report.json").read_text())["status"] == "complete"


def test_cli_exit_codes(tmp_path, capsys):
    assert report.main([str(tmp_path / "missing")]) == 2
    assert report.main([str(tmp_path)]) == 2                    # exists, but no job folders
    assert "no job folders" in capsys.readouterr().err
    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    write_run(tmp_path / "1", fake_summary("b", [90.0, 100.0]))
    assert report.main([str(tmp_path), "--reference", "b"]) == 0
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert (table["reference"] == "b").all() and row(table, 0, "lor_to_offer")["diff_mean"] == pytest.approx(10)
    assert "paired changes are against 'b' (job 1; chosen by --reference)" in capsys.readouterr().out
    assert report.main([str(tmp_path)]) == 0  # the console always names the reference, even the default one
    out = capsys.readouterr().out
    assert "paired changes are against 'none' (job 0; chosen by default)" in out
    ranked = next(line for line in out.splitlines() if line.startswith("b "))  # the ranked change, on the console
    assert "-10 [" in ranked and "ranked by" in out and "LOR to LOA offer: b shortens it most, by 10" in out
    (tmp_path / "2").mkdir()  # a failed job: the report is written, and the exit code says the study has a hole
    (tmp_path / "2" / "manifest.json").write_text('{"status": "failed", "tool": "fms-sim", "error": "boom"}')
    assert report.main([str(tmp_path)]) == 1
    assert "1 of 3 failed or never ran" in capsys.readouterr().err
    assert json.loads((tmp_path / "report.json").read_text())["status"] == "complete"


def test_report_failure_is_recorded_in_report_json(tmp_path, monkeypatch):
    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))

    def broken(*args, **kwargs):
        raise RuntimeError("figure trouble")

    monkeypatch.setattr(report, "render_html", broken)
    assert report.main([str(tmp_path)]) == 1
    rec = json.loads((tmp_path / "report.json").read_text())
    assert rec["status"] == "failed" and "figure trouble" in rec["error"]


def test_callback_has_hydras_interface_and_never_raises(tmp_path, capsys):
    from hydra.experimental.callback import Callback
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    hooks = [name for name in vars(Callback) if name.startswith("on_")]
    assert hooks and all(callable(getattr(report.ReportCallback, h, None)) for h in hooks)
    cb = instantiate({"_target_": "sim.commands.report.ReportCallback"})
    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    cb.on_multirun_end(config=OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}))
    assert (tmp_path / "report.html").is_file()
    cb.on_multirun_end(config=OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path / "gone")}}}))
    cb.on_multirun_end(config=OmegaConf.create({}))
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 4 and sum("warning" in line for line in err) == 2
    assert "no paired changes to rank (reference 'none')" in captured.out  # one job only: nothing to rank, said
    assert err[1].startswith("paired changes are against 'none' (job 0")  # the console names the reference


# --------------------------------------------------------------------------- end to end (real runs)

def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.fixture(scope="module")
def multirun(tmp_path_factory) -> Path:
    """Two real tiny runs (default and 40 case writers) in parallel, plus a failed job; then the report."""
    d = tmp_path_factory.mktemp("multirun")
    runs = [[], ["staffing.pools.case_writers.headcount=40"]]
    procs = [subprocess.Popen([sys.executable, "-m", "sim", "debug=tiny", "run.replications=2", *extra,
                               f"hydra.run.dir={d / str(i)}"], cwd=ROOT, env=_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for i, extra in enumerate(runs)]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0, out
    write_run(d / "2", None, status="failed", error="ValueError: staffing.pools.x: injected failure")
    done = subprocess.run([sys.executable, "-m", "sim", "report", str(d)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "1 of 3 failed or never ran" in done.stderr, done.stderr  # job 2 failed
    return d


@pytest.mark.slow
def test_end_to_end_comparison_csv(multirun):
    table = pd.read_csv(multirun / "comparison.csv")
    assert sorted(table["job"].unique()) == [0, 1, 2]
    failed = table[table["job"] == 2]
    assert len(failed) == 1 and failed.iloc[0]["status"] == "failed"
    assert "injected failure" in failed.iloc[0]["error"]
    ok = table[table["status"] == "complete"]
    assert len(ok) == 2 * len(comparison.METRICS) and (ok["n_reps"] == 2).all()
    assert (table["reference"] == "none").all() and (ok["reference_job"] == 0).all()
    summaries = [json.loads((multirun / str(i) / "summary.json").read_text()) for i in (0, 1)]
    for metric in comparison.LEAD_TIMES:
        r = row(table, 1, metric)
        a, b = (s["lead_times"][metric]["per_replication"] for s in summaries)
        expected = mean_ci([y - x for x, y in zip(a, b)])
        assert r["diff_mean"] == pytest.approx(expected["mean"], rel=1e-12)
        assert r["diff_half_width"] == pytest.approx(expected["half_width"], rel=1e-12)
        assert r["mean"] == pytest.approx(summaries[1]["lead_times"][metric]["mean"], rel=1e-12)
        assert row(table, 0, metric)["diff_mean"] == 0.0
    assert row(table, 1, "lor_to_offer")["diff_mean"] > 20  # 40 case writers instead of 90: each shares more
    rec = json.loads((multirun / "report.json").read_text())
    assert rec["status"] == "complete" and rec["jobs"]["ok"] == 2 and rec["jobs"]["failed"] == 1


@pytest.mark.slow
def test_end_to_end_html_is_self_contained(multirun):
    figures = sorted(p.name for p in (multirun / "figures").glob("*.png"))
    assert figures == ["change_vs_reference.png", "lead_time_distributions.png", "trajectory.png",
                       "trajectory_change.png", "where_time_goes.png"]
    page = (multirun / "report.html").read_text()
    assert "<h2>Year by year" not in page  # not a dated study: the year by year comes last, among the figures
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<script|<link|<iframe|<object|<embed|@import|url\(", page, re.I)
    srcs = re.findall(r"""<img[^>]*\ssrc=['"]([^'"]*)['"]""", page)
    assert len(srcs) == len(figures) and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "injected failure" in page and "staffing.pools.case_writers.headcount=40" in page


@pytest.mark.slow
def test_end_to_end_the_report_opens_with_the_answer(multirun):
    """Question, one sentence per lead time, the ranked figure; then the ranked table, who gains and who loses, all
    results; settings and jobs at the end (issue 24)."""
    page = (multirun / "report.html").read_text()
    marks = ["Question: How does each scenario change the lead times against &#x27;none&#x27;?", "<h2>Answer</h2>",
             "LOR to LOA offer: no scenario shortens it on average", "(figure)", "<h2>Ranked changes</h2>",
             "<h2>Who gains and who loses</h2>", "<h2>All results</h2>", "<h2>Settings</h2>", "<h2>Jobs</h2>"]
    marks[3] = "<figcaption><b>Change in lead time against the reference, ranked.</b>"
    where = [page.find(m) for m in marks]
    assert -1 not in where and where == sorted(where), dict(zip(marks, where))
    groups = pd.read_csv(multirun / "by_group.csv")
    assert {"partner", "partner_group", "loa_group", "platform", "priority"} <= set(groups["dimension"])
    nato = groups[(groups["job"] == 1) & (groups["group"] == "nato5") & (groups["metric"] == "lor_to_offer")].iloc[0]
    kpis = [pd.read_parquet(multirun / str(i) / "kpis.parquet") for i in (0, 1)]
    per_rep = [k[(k["metric"] == "group.lor_to_offer") & (k["group"] == "partner_group=nato5")]["value"].to_numpy()
               for k in kpis]
    assert nato["diff_mean"] == pytest.approx(float((per_rep[1] - per_rep[0]).mean()), rel=1e-12)
    assert nato["reference_mean"] == pytest.approx(float(per_rep[0].mean()), rel=1e-12)


@pytest.fixture(scope="module")
def dated(tmp_path_factory) -> Path:
    """A dated study: no reform and more staff from FY2005, two tiny jobs in one multirun."""
    d = tmp_path_factory.mktemp("dated")
    done = subprocess.run([sys.executable, "-m", "sim", "-m", "reform=none,more_staff", "debug=tiny",
                           "run.replications=2", "reform.effective=FY2005", f"hydra.sweep.dir={d}"], cwd=ROOT,
                          env=_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return d


@pytest.mark.slow
def test_a_dated_study_opens_with_the_year_by_year(dated):
    page = (dated / "report.html").read_text()
    heading = page.index("<h2>Year by year, from FY2005</h2>")
    assert heading < page.index("<h2>Settings</h2>")
    first = re.findall(r"<figcaption><b>([^<]*)</b>", page)[:3]  # the answer's ranked figure, then the years
    assert first == ["Change in lead time against the reference, ranked.", "Year by year.",
                     "Year by year: the change against the reference."]
    assert "cases not yet delivered" in page[heading:page.index("<h2>Settings</h2>")]  # the yearly change table
    assert "Only 2 replication(s) per scenario" in page[:heading]  # said before any interval is shown
    assert "LOR to offer (days), by LOR year" in page[heading:page.index("<h2>Settings</h2>")]


@pytest.mark.slow
def test_end_to_end_yearly_csv_pairs_each_year(multirun):
    """yearly.csv: each measure per fiscal year after the warm-up, with the paired change against the reference
    (equal to the mean of the replications' differences in the jobs' own rows); each run has its own."""
    y = pd.read_csv(multirun / "yearly.csv")
    assert set(y["fiscal_year"]) == {2005} and set(y["job"]) == {0, 1}  # tiny: warm-up 0.5 y, horizon 2 y
    assert (y.loc[y["job"] == 0, "diff_mean"] == 0).all()
    rows = {i: pd.read_parquet(multirun / str(i) / "kpis.parquet") for i in (0, 1)}
    open_ = [r[(r["metric"] == "year.open_cases") & (r["fiscal_year"] == 2005)]["value"].to_numpy() for r in
             rows.values()]
    got = y[(y["job"] == 1) & (y["metric"] == "year.open_cases")].iloc[0]
    assert got["diff_mean"] == pytest.approx(float((open_[1] - open_[0]).mean()), rel=1e-12)
    assert got["mean"] == pytest.approx(float(open_[1].mean()), rel=1e-12)
    assert set(y.loc[y["office"].notna(), "metric"]) == {"year.office_load", "year.office_backlog"}
    for i in (0, 1):
        assert (multirun / str(i) / "yearly.csv").is_file() and (multirun / str(i) / "figures/trajectory.png").is_file()


def _browser():
    """Headless Chromium via selenium, or skip (fail if FMS_REQUIRE_BROWSER=1) when it is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("the selenium package")
    if missing:
        why = f"browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("FMS_REQUIRE_BROWSER") == "1":
            pytest.fail(why + "; FMS_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(why)
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def test_missing_browser_skips_unless_required(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("FMS_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        _browser()
    monkeypatch.setenv("FMS_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="FMS_REQUIRE_BROWSER=1"):
        _browser()


@pytest.mark.slow
def test_end_to_end_report_renders_in_a_browser(multirun):
    driver = _browser()
    try:
        driver.get((multirun / "report.html").as_uri())
        assert driver.title.startswith("FMS simulation report")
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight]);")
        assert len(images) == 5  # the year by year first (a dated study: levels and changes), then the others
        assert all(complete and width > 0 and height > 0 for complete, width, height in images), images
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not severe, severe
        if os.environ.get("FMS_SCREENSHOT_DIR"):  # the report's first screen, for a reviewer
            driver.set_window_size(1280, 1000)
            driver.save_screenshot(str(Path(os.environ["FMS_SCREENSHOT_DIR"]) / "report_first_screen.png"))
    finally:
        driver.quit()


def test_a_malformed_summary_fails_only_its_job(tmp_path):
    import json as _json

    from sim.output.multirun import read_job

    job = tmp_path / "3"
    job.mkdir()
    (job / "manifest.json").write_text(_json.dumps({"status": "complete", "error": None}))
    (job / "summary.json").write_text("[1, 2]")
    rec = read_job(job)
    assert rec["status"] == "failed" and "no lead_times" in rec["error"]


def test_the_precision_line_shows_enough_digits_to_see_a_missed_target_below_a_day():
    from sim.output.precision_summary import precision_line

    p = {"target": {"half_width": 0.3, "metrics": ["lor_to_delivery"]}, "rounds": 2, "widest_half_width": 0.334,
         "scenarios": [{"label": "none", "replications": 4, "reference": True, "met": None},
                       {"label": "x", "replications": 4, "reference": False, "met": False}]}
    line = precision_line(p)
    assert "met by 0 of 1" in line and "widest ±0.334 d" in line
    p["target"]["half_width"], p["widest_half_width"] = 10.0, 5.84
    assert "widest ±5.8 d" in precision_line(p)


def test_an_earlier_report_json_never_outlives_a_failed_report(tmp_path, monkeypatch):
    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    assert report.make_report(tmp_path)["status"] == "complete"
    # the comparison itself breaks: report.json says failed, not the earlier "complete"
    monkeypatch.setattr(report, "comparison_table", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        report.make_report(tmp_path)
    assert json.loads((tmp_path / "report.json").read_text())["status"] == "failed"
    monkeypatch.undo()
    assert report.make_report(tmp_path)["status"] == "complete"
    # the job folders are gone: exit 2, and report.json says why instead of claiming the last success
    shutil.rmtree(tmp_path / "0")
    assert report.main([str(tmp_path)]) == 2
    rec = json.loads((tmp_path / "report.json").read_text())
    assert rec["status"] == "failed" and "no job folders" in rec["error"]


def test_a_damaged_precision_plan_is_recorded_not_trusted(tmp_path, capsys):
    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    (tmp_path / "precision_plan.json").write_text("{not json")
    rec = report.make_report(tmp_path)
    assert rec["status"] == "complete" and rec["precision"] is None
    assert rec["unreadable"] and rec["unreadable"][0].startswith("precision_plan.json: damaged")
    assert report.main([str(tmp_path)]) == 0 and "not read: precision_plan.json" in capsys.readouterr().out


@pytest.mark.parametrize("plan", [
    {"scenarios": [5]},
    {"scenarios": []},  # a breaker's find: a "complete" report of 0 scenarios, then a KeyError on the console
    {"scenarios": [{"label": "none", "jobs": [0]}]},  # no target
])
def test_a_plan_without_scenarios_or_target_is_damaged_and_the_jobs_are_reported_one_by_one(tmp_path, capsys, plan):
    from sim.output.multirun import SWEEPER

    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    (tmp_path / "precision_plan.json").write_text(json.dumps({"sweeper": SWEEPER, **plan}))
    assert report.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 job(s): 1 complete") and "not read: precision_plan.json: damaged" in out
    rec = json.loads((tmp_path / "report.json").read_text())
    assert rec["status"] == "complete" and rec["precision"] is None


def test_a_plan_that_parses_but_does_not_fit_fails_the_report_and_says_so(tmp_path):
    from sim.output.multirun import SWEEPER

    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    assert report.make_report(tmp_path)["status"] == "complete"
    plan = {"sweeper": SWEEPER, "target": {"half_width": 1.0, "metrics": ["lor_to_delivery"]},
            "scenarios": [{"label": "none", "jobs": ["not a job number"]}]}
    (tmp_path / "precision_plan.json").write_text(json.dumps(plan))
    with pytest.raises(Exception):
        report.make_report(tmp_path)
    rec = json.loads((tmp_path / "report.json").read_text())
    assert rec["status"] == "failed" and rec["error"] and "precision_plan.json" in rec["unreadable"][0]
