"""The multirun report (sim.report, sim.output.report_figures): paired differences, failed jobs, HTML.

Unit tests use hand-made summaries; the slow tests run the real tool twice, report on the
result and open the page in headless Chromium.
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

import pandas as pd
import pytest

from sim import report
from sim.analysis import comparison
from sim.analysis.intervals import mean_ci
from sim.output import multirun as multirun_io
from sim.output.run_dir import write_json

ROOT = Path(__file__).resolve().parents[1]
T_975_2 = 4.302652729749464  # Student t, 97.5% quantile, 2 degrees of freedom
T_975_1 = 12.706204736174698  # 1 degree of freedom
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
STAGES = [("lor_intake", "case_managers", 6.0, 0.2), ("loa_development", "case_writers", 57.0, 3.0),
          ("offer_acceptance", "", 50.0, 0.0), ("delivery", "", 60.0, 0.0)]


# --------------------------------------------------------------------------- hand-made summaries

def _stat(per_rep: Sequence[Optional[float]], **extra) -> dict:
    return {**mean_ci([v for v in per_rep if v is not None]), "per_replication": list(per_rep), **extra}


def _lead(per_rep: Sequence[Optional[float]], censored: float = 0.0) -> dict:
    vals = [v for v in per_rep if v is not None]
    centre = sum(vals) / len(vals)
    counts = [0, 5, 20, 10, 3, 1]
    shift = int(centre // 100)
    return _stat(per_rep, median=centre * 0.9, p90=centre * 1.8, censored_share=censored, cases=100, reached=100,
                 per_replication_censored_share=[censored] * len(per_rep),
                 histogram={"bin_days": 30.0, "edges": [30.0 * i for i in range(len(counts) + shift + 1)],
                            "counts": [0] * shift + counts})


def fake_summary(scenario: str, offer: Sequence[Optional[float]], contract: Optional[Sequence] = None,
                 delivery: Optional[Sequence] = None, open_cases: Optional[Sequence] = None, seed: int = 1,
                 **extra) -> dict:
    """A summary.json with the keys the report reads (values made up, per_replication as given)."""
    n = len(offer)
    contract = contract or [None if v is None else v + 300 for v in offer]
    delivery = delivery or [None if v is None else v + 600 for v in offer]
    open_cases = open_cases or [1000 + 10 * r for r in range(n)]
    scale = (sum(v for v in offer if v is not None) / max(1, len([v for v in offer if v is not None]))) / 100
    return {
        "scenario": scenario, "study": "unit_study", "seed": seed, "replications": n,
        "run": {"replications": n, "horizon_years": 13.0, "warmup_years": 8.0, "drain_years": 12.0},
        "lead_times": {"lor_to_offer": _lead(offer), "lor_to_contract": _lead(contract),
                       "lor_to_delivery": _lead(delivery, censored=0.002)},
        "open_cases_at_horizon": _stat(open_cases),
        "stages": [{"stage": s, "pool": p, "work_per_case": mean_ci([work]), "wait_per_case": mean_ci([wait * scale]),
                    "visits_per_case": 1.0} for s, p, work, wait in STAGES],
        "window": {"warmup_day": 2922.0, "horizon_day": 4748.25},
        **extra,
    }


def job(num: int, summary: Optional[dict] = None, error: Optional[str] = None, overrides=()) -> dict:
    """A job record as ``multirun_io.read_job`` returns it."""
    if summary is None:
        return {"job": num, "path": f"/x/{num}", "status": "failed", "error": error or "no manifest",
                "overrides": list(overrides), "summary": None, "scenario": None}
    return {"job": num, "path": f"/x/{num}", "status": "complete", "error": None, "overrides": list(overrides),
            "summary": summary, "scenario": summary["scenario"]}


def write_run(path: Path, summary: Optional[dict], status: str = "complete", error: Optional[str] = None,
              overrides: Sequence[str] = ()) -> None:
    """A run directory on disk: manifest.json (+ summary.json)."""
    path.mkdir(parents=True, exist_ok=True)
    write_json(path / "manifest.json", {"status": status, "error": error, "overrides": list(overrides),
                                        "config": {"reform": {"label": summary["scenario"] if summary else "x"}},
                                        "runtime_seconds": 1.0})
    if summary is not None:
        write_json(path / "summary.json", summary)


def row(table: pd.DataFrame, job_num: int, metric: str) -> pd.Series:
    sel = table[(table["job"] == job_num) & (table["metric"] == metric)]
    assert len(sel) == 1
    return sel.iloc[0]


# --------------------------------------------------------------------------- paired differences

def test_paired_difference_hand_computed():
    """Reference 100/110/120, scenario 90/104/111: differences -10, -6, -9.

    mean = -25/3; sample variance = ((5/3)^2 + (7/3)^2 + (2/3)^2) / 2 = 13/3; half width =
    t(0.975, 2) * sqrt(13/3) / sqrt(3); change in % = mean / 110 (the paired reference mean).
    """
    jobs = [job(0, fake_summary("none", [100.0, 110.0, 120.0])),
            job(1, fake_summary("more_staff", [90.0, 104.0, 111.0]))]
    table, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source) == ("none", 0, "default")
    r = row(table, 1, "lor_to_offer")
    hw = T_975_2 * math.sqrt(13 / 3) / math.sqrt(3)
    assert r["diff_mean"] == pytest.approx(-25 / 3, abs=1e-12)
    assert r["diff_half_width"] == pytest.approx(hw, abs=1e-12)
    assert r["diff_ci_low"] == pytest.approx(-25 / 3 - hw, abs=1e-12)
    assert r["diff_ci_high"] == pytest.approx(-25 / 3 + hw, abs=1e-12)
    assert r["diff_pct"] == pytest.approx(100 * (-25 / 3) / 110, abs=1e-12)
    assert r["diff_n"] == 3 and r["n_reps"] == 3
    assert r["mean"] == pytest.approx(305 / 3) and r["reference"] == "none" and r["reference_job"] == 0
    # pairing removes the replication-to-replication spread the scenario shares with the reference
    assert r["diff_half_width"] < r["half_width"]
    # contract = offer + 300 in both jobs, so the same differences; the reference's own change is 0
    assert row(table, 1, "lor_to_contract")["diff_mean"] == pytest.approx(-25 / 3, abs=1e-9)
    ref_row = row(table, 0, "lor_to_offer")
    assert (ref_row["diff_mean"], ref_row["diff_half_width"]) == (0.0, 0.0)


def test_paired_difference_drops_unpaired_replications():
    """Reference 100/-/120/-, scenario 90/104/111/95/80: pairs r0 (-10) and r2 (-9) only."""
    jobs = [job(0, fake_summary("none", [100.0, None, 120.0, None])),
            job(1, fake_summary("faster", [90.0, 104.0, 111.0, 95.0, 80.0]))]
    table, _ = comparison.comparison_table(jobs)
    r = row(table, 1, "lor_to_offer")
    assert r["diff_n"] == 2
    assert r["diff_mean"] == pytest.approx(-9.5, abs=1e-12)
    assert r["diff_half_width"] == pytest.approx(T_975_1 * math.sqrt(0.5) / math.sqrt(2), abs=1e-12)
    assert r["diff_pct"] == pytest.approx(100 * -9.5 / 110, abs=1e-12)


def test_paired_differences_function_on_a_tidy_table():
    reps = pd.DataFrame({"job": [0, 0, 1, 1, 2], "metric": ["m"] * 5, "replication": [0, 1, 0, 1, 0],
                         "value": [10.0, 20.0, 13.0, 21.0, 5.0]})
    d = comparison.paired_differences(reps, reference_job=0).set_index("job")
    assert d.loc[1, "diff_mean"] == pytest.approx(2.0)                       # (3 + 1) / 2
    assert d.loc[1, "diff_half_width"] == pytest.approx(T_975_1 * math.sqrt(2.0) / math.sqrt(2))
    assert d.loc[2, "diff_mean"] == pytest.approx(-5.0) and d.loc[2, "diff_n"] == 1
    assert math.isnan(d.loc[2, "diff_ci_low"])                               # one pair: no interval


def test_reference_choice():
    a = fake_summary("none", [100.0, 110.0], reference="baseline_x")
    b = fake_summary("baseline_x", [90.0, 100.0], reference="baseline_x")
    jobs = [job(0, a), job(1, b)]
    _, ref = comparison.comparison_table(jobs)
    assert (ref.label, ref.job, ref.source) == ("baseline_x", 1, "summaries")
    table, ref = comparison.comparison_table(jobs, reference="none")
    assert (ref.label, ref.job, ref.source) == ("none", 0, "--reference")
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(-10.0)
    # a label no job has: no differences, and a note saying so
    table, ref = comparison.comparison_table(jobs, reference="nope")
    assert ref.job is None and "no completed job" in ref.note
    assert table["diff_mean"].isna().all() and (table["reference"] == "nope").all()


def test_shared_labels_are_told_apart_and_the_first_is_the_reference():
    jobs = [job(0, fake_summary("none", [100.0, 110.0]), overrides=["debug=tiny", "x.headcount=95"]),
            job(1, fake_summary("none", [130.0, 150.0]), overrides=["debug=tiny", "x.headcount=40"]),
            job(2, fake_summary("more_staff", [90.0, 95.0]), overrides=["debug=tiny", "reform=more_staff"])]
    labels = comparison.scenario_labels(jobs)
    assert labels == {0: "none [x.headcount=95]", 1: "none [x.headcount=40]", 2: "more_staff"}
    table, ref = comparison.comparison_table(jobs)
    assert ref.job == 0 and "2 jobs" in ref.note
    assert row(table, 1, "lor_to_offer")["diff_mean"] == pytest.approx(35.0)
    assert comparison.scenario_order(table, 0) == [0, 1, 2]          # +29% before -11%
    points = [job(i, fake_summary("lhs", [1.0, 2.0], sensitivity={"point": i, "factors": {"a": i}}),
                  overrides=[f"a={i}"]) for i in range(2)]
    assert comparison.scenario_labels(points) == {0: "lhs (point 0)", 1: "lhs (point 1)"}


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
    assert ref.job is None and "job 0 has it but failed" in ref.note
    assert table["diff_mean"].isna().all()


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
        "total": 11, "ok": 10, "failed": 1, "failed_jobs": [{"job": 10, "error": "MemoryError: <big> & \"bad\""}]}
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
    assert "Only the 8 scenarios" in page
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
    cb = instantiate({"_target_": "sim.report.ReportCallback"})
    write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
    cb.on_multirun_end(config=OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path)}}}))
    assert (tmp_path / "report.html").is_file()
    cb.on_multirun_end(config=OmegaConf.create({"hydra": {"sweep": {"dir": str(tmp_path / "gone")}}}))
    cb.on_multirun_end(config=OmegaConf.create({}))
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and sum("warning" in line for line in err) == 2


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
    done = subprocess.run([sys.executable, "-m", "sim.report", str(d)], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
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
    assert row(table, 1, "lor_to_offer")["diff_mean"] > 50      # 40 case writers instead of 95: slower offers
    rec = json.loads((multirun / "report.json").read_text())
    assert rec["status"] == "complete" and rec["jobs"]["ok"] == 2 and rec["jobs"]["failed"] == 1


@pytest.mark.slow
def test_end_to_end_html_is_self_contained(multirun):
    figures = sorted(p.name for p in (multirun / "figures").glob("*.png"))
    assert figures == ["change_vs_reference.png", "lead_time_distributions.png", "where_time_goes.png"]
    page = (multirun / "report.html").read_text()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"<script|<link|<iframe|<object|<embed|@import|url\(", page, re.I)
    srcs = re.findall(r"""<img[^>]*\ssrc=['"]([^'"]*)['"]""", page)
    assert len(srcs) == len(figures) and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "injected failure" in page and "staffing.pools.case_writers.headcount=40" in page


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
        assert len(images) == 3
        assert all(complete and width > 0 and height > 0 for complete, width, height in images), images
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        assert not severe, severe
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
