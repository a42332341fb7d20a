"""hydra/sweeper=precision end to end: rounds of blocks until every paired change meets the target."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.commands.run import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ["debug=tiny", "run.horizon_years=1.0", "run.records=summary"]
SWEEP = ["-m", *TINY, "reform=none,more_staff,sdaf_prebuy", "hydra/sweeper=precision",
         "precision.half_width=1.5", "precision.max_replications=6"]


def _run(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *SWEEP, *extra, f"hydra.sweep.dir={out}"],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Under the joblib launcher (two jobs at a time): the sweeper launches its rounds through whatever launcher
    is configured; the basic launcher's path is the one every other multirun test takes."""
    out = tmp_path_factory.mktemp("precision") / "study"
    r = _run(out, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "run.jobs=1")
    assert r.returncode == 0, r.stderr[-3000:]
    return out, r


@pytest.mark.slow
def test_rounds_stop_when_every_paired_change_meets_the_target(study):
    out, r = study
    plan = json.loads((out / "precision_plan.json").read_text())
    assert plan["status"] == "complete" and len(plan["rounds"]) >= 2  # the pilot of 3 is not enough here
    assert [j["job"] for rnd in plan["rounds"] for j in rnd] == list(range(sum(map(len, plan["rounds"]))))
    table = pd.read_csv(out / "comparison.csv")
    delivery = table[table["metric"] == "lor_to_delivery"].set_index("scenario")
    assert list(delivery.index) == ["none", "more_staff", "sdaf_prebuy"]  # one row per scenario, blocks merged
    for scen in ("more_staff", "sdaf_prebuy"):
        row = delivery.loc[scen]
        assert row["diff_half_width"] <= 1.5 or row["n_reps"] == 6
        assert row["diff_n"] == row["n_reps"]  # every replication has its pair
    # the reference ran every replication any scenario ran
    assert delivery.loc["none", "n_reps"] == delivery["n_reps"].max()
    assert delivery.loc["none", "replications"] == f"0-{int(delivery['n_reps'].max()) - 1}"
    report = json.loads((out / "report.json").read_text())
    assert report["precision"]["all_met"] == all(s["met"] for s in report["precision"]["scenarios"]
                                                 if not s["reference"])
    assert "precision: target ±1.5 d on lor_to_delivery" in r.stderr
    assert "<h2>Precision</h2>" in (out / "report.html").read_text()


@pytest.mark.slow
def test_a_merged_scenario_equals_one_run_of_its_replications(study):
    """Replication r has the same random numbers in whatever round it ran: the merged blocks of the reference
    give exactly the per-replication values of one plain run of as many replications."""
    from sim.config import load_params
    from sim.job import summarise_results
    from sim.runner import run_replications

    out, _ = study
    plan = json.loads((out / "precision_plan.json").read_text())
    ref = plan["scenarios"][0]
    assert ref["label"] == "none" and len(ref["jobs"]) >= 2
    params = load_params([*TINY, "run.jobs=1", f"run.replications={ref['replications']}"])
    plain = summarise_results(params, run_replications(params))
    table = pd.read_csv(out / "comparison.csv")
    for name, lt in plain["lead_times"].items():
        row = table[(table["scenario"] == "none") & (table["metric"] == name)].iloc[0]
        assert row["mean"] == pytest.approx(lt["mean"], rel=1e-12)
        assert row["half_width"] == pytest.approx(lt["half_width"], rel=1e-9)
        assert abs(row["median"] - lt["median"]) <= 1.0  # from the merged 1-day counts
    blocks = [json.loads((out / str(j) / "summary.json").read_text()) for j in ref["jobs"]]
    per = [v for b in blocks for v in b["lead_times"]["lor_to_delivery"]["per_replication"]]
    assert per == plain["lead_times"]["lor_to_delivery"]["per_replication"]


@pytest.mark.slow
def test_a_resumed_precision_study_plans_the_same_rounds_and_reruns_nothing(study, tmp_path):
    out, _ = study
    before = (out / "comparison.csv").read_text()
    r = _run(out, "run.resume=true", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", "run.jobs=1")
    assert r.returncode == 0, r.stderr[-3000:]
    jobs = sum(len(rnd) for rnd in json.loads((out / "precision_plan.json").read_text())["rounds"])
    assert r.stderr.count("complete already") == jobs
    assert (out / "comparison.csv").read_text() == before


@pytest.mark.slow
def test_a_precision_study_resumed_with_another_config_is_refused_before_any_job_runs(study):
    """The pre-check compares each pilot's folder with the config it would have now (it was left to the first job)."""
    out, _ = study
    before = {p: p.read_bytes() for p in sorted(out.rglob("summary.json"))}
    r = _run(out, "run.resume=true", "demand.lor_per_year=2500")
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr[-2000:]
    assert "holds a complete job made with another config (demand.lor_per_year: " in r.stderr
    assert {p: p.read_bytes() for p in sorted(out.rglob("summary.json"))} == before


@pytest.mark.parametrize("extra, says", [
    (["precision.pilot=2"], "precision.pilot=2; allowed: an integer >= 3"),
    (["precision.max_replications=2"], "precision.max_replications=2; allowed: an integer >= precision.pilot"),
    (["precision.metrics=[lor_to_closure]"], "allowed: a non-empty list of lor_to_offer"),
    (["precision.half_width=-1"], "precision.half_width=-1.0; allowed: a number of days > 0"),
    (["precision.metrics=lor_to_offer"], "a list is written in brackets, quoted for the shell: 'key=[a,b]'"),
    (["run.replications=4"], "the precision sweeper sets each job's run.replications"),
    (["reference=more_stuff"], "reference='more_stuff': no scenario of the sweep has this label"),
    (["reform=none"], "a precision study needs at least one scenario to compare with it"),
    (["precision.half_width=-1,5"], "precision.half_width=-1,5: a precision study has one target"),
    (["run.sample_days=30,60"], "name more than one job of the sweep"),
    (["precision.max_replications=10000000"], "run.replications=10000000: the run would need about"),
])
def test_precision_mistakes_stop_before_anything_runs(extra, says, tmp_path, capsys):
    out = tmp_path / "never"
    assert main([*SWEEP, *extra, f"hydra.sweep.dir={out}"]) == 2
    assert says in capsys.readouterr().err
    assert not out.exists()


def test_the_precision_sweeper_needs_multirun(capsys):
    assert main([*TINY, "hydra/sweeper=precision"]) == 2
    assert "runs a study in rounds: a multirun; add -m" in capsys.readouterr().err


def test_printing_the_config_of_a_precision_study_runs_nothing(capsys):
    assert main(["--cfg", "job", *TINY, "hydra/sweeper=precision", "precision.half_width=3"]) == 0
    assert "half_width: 3.0" in capsys.readouterr().out
