"""A tiny multirun end to end, under the basic, joblib and submitit launchers: same numbers, a full report."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SWEEP = ["-m", "experiment=reform_comparison", "debug=tiny", "reform=none,parallel_reviews",
         "run.records=cases", "run.horizon_years=0.6", "run.warmup_years=0.1", "run.drain_years=0.5"]


def _multirun(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *SWEEP, *extra, f"hydra.sweep.dir={out}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    base = tmp_path_factory.mktemp("multirun")
    basic, joblib = base / "basic", base / "joblib"
    r1 = _multirun(basic)
    r2 = _multirun(joblib, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "run.jobs=2")
    assert r1.returncode == 0, r1.stderr[-2000:]
    assert r2.returncode == 0, r2.stderr[-2000:]
    return basic, joblib


@pytest.mark.slow
def test_the_slurm_launcher_config_run_here_gives_the_basic_launchers_files(sweeps, tmp_path):
    """hydra/launcher=fms_slurm (submitit, on this machine): each job a submitit job, the same files, a report."""
    basic, _ = sweeps
    r = _multirun(tmp_path, "hydra/launcher=fms_slurm")
    assert r.returncode == 0, r.stderr[-2000:]
    for job in ("0", "1"):
        for name in ("cases.parquet", "pools.parquet", "summary.json", "kpis.parquet"):
            assert (basic / job / name).read_bytes() == (tmp_path / job / name).read_bytes(), (job, name)
    assert (tmp_path / ".submitit").is_dir() and (tmp_path / "report.html").is_file()


@pytest.mark.slow
def test_basic_and_joblib_launchers_give_identical_files(sweeps):
    basic, joblib = sweeps
    for job in ("0", "1"):
        for name in ("cases.parquet", "pools.parquet", "summary.json", "kpis.parquet"):
            assert (basic / job / name).read_bytes() == (joblib / job / name).read_bytes(), (job, name)


@pytest.mark.slow
def test_multirun_ends_with_comparison_figures_and_report(sweeps):
    basic, _ = sweeps
    table = pd.read_csv(basic / "comparison.csv")
    assert set(table["scenario"]) == {"none", "parallel_reviews"}
    offer = table[(table["scenario"] == "parallel_reviews") & (table["metric"] == "lor_to_offer")].iloc[0]
    assert offer["diff_ci_low"] <= offer["diff_mean"] <= offer["diff_ci_high"]
    assert offer["diff_mean"] < 0  # overlapping reviews shorten the time to offer
    for fig in ("change_vs_reference.png", "lead_time_distributions.png", "where_time_goes.png"):
        assert (basic / "figures" / fig).stat().st_size > 10_000
    html = (basic / "report.html").read_text()
    assert "parallel_reviews" in html and "data:image/png;base64," in html
    assert json.loads((basic / "report.json").read_text())["status"] == "complete"


@pytest.mark.slow
def test_every_metric_in_the_rows_is_compared_and_the_lead_times_agree_with_comparison_csv(sweeps):
    """kpi_comparison.csv pairs the same replications as comparison.csv: its lead-time and open-case rows carry the
    same numbers, and it adds the metrics comparison.csv leaves out (notified share, office utilisation, ...)."""
    basic, _ = sweeps
    table = pd.read_csv(basic / "comparison.csv")
    kt = pd.read_csv(basic / "kpi_comparison.csv")
    assert "kpi_comparison.csv" in json.loads((basic / "report.json").read_text())["files"]
    for metric in ("lor_to_offer", "lor_to_contract", "lor_to_delivery", "open_cases_at_horizon"):
        a = table[table["metric"] == metric].set_index("job")
        b = kt[kt["metric"] == metric].set_index("job")
        for col in ("mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_pct"):
            pd.testing.assert_series_equal(a[col], b[col], check_names=False, rtol=1e-12, obj=f"{metric} {col}")
    assert {"notified_share", "notified_per_year", "value_notified_per_year", "pool.utilisation"} <= set(kt["metric"])
    util = kt[kt["metric"] == "pool.utilisation"]
    assert set(util["office"]) >= {"case_writers", "contracting_officers"} and util["mean"].between(0, 1).all()
    assert (kt.loc[kt["job"] == 0, "diff_mean"].fillna(0) == 0).all()  # the reference against itself
