"""The entry point as a user meets it: one command runs, bad input exits 2 with one line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def fms(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


@pytest.mark.parametrize("override", [
    "run.replicatons=3",
    "staffing.pools.case_writers.headcount=-3",
    "process.congressional_review.p_hold=1.2",
    "reform=nonexistent",
    "demand.partners[0].group=x",
])
def test_bad_input_exits_2_with_one_line_and_no_directory(tmp_path, override):
    out = tmp_path / "run"
    r = fms(override, f"hydra.run.dir={out}")
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("fms-sim: error: ")
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_sweep_values_are_checked_before_a_multirun_starts(tmp_path):
    r = fms("-m", "staffing.pools.case_writers.headcount=10,-1", f"hydra.sweep.dir={tmp_path / 'm'}")
    assert r.returncode == 2
    assert "headcount=-1" in r.stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.slow
@pytest.mark.parametrize("records, files, absent", [
    ("cases", ["cases.parquet", "pools.parquet"], ["visits.parquet"]),
    ("full", ["cases.parquet", "pools.parquet", "visits.parquet"], []),
    ("summary", [], ["cases.parquet", "pools.parquet", "visits.parquet"]),
])
def test_one_command_writes_the_run_directory(tmp_path, records, files, absent):
    out = tmp_path / "run"
    r = fms("debug=tiny", "run.replications=2", f"run.records={records}", f"hydra.run.dir={out}")
    assert r.returncode == 0, r.stderr
    assert "lor_to_offer" in r.stdout and "95% CI" in r.stdout
    for name in ["summary.json", "kpis.parquet", "manifest.json", *files]:
        assert (out / name).is_file(), name
    for name in absent:
        assert not (out / name).exists(), name
    for fig in ["lead_times.png", "where_time_goes.png", "queues_over_time.png", "utilisation.png"]:
        assert (out / "figures" / fig).stat().st_size > 10_000, fig
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["error"] is None
    assert manifest["config"]["run"]["records"] == records
    summary = json.loads((out / "summary.json").read_text())
    for name in ("lor_to_offer", "lor_to_contract", "lor_to_delivery"):
        lt = summary["lead_times"][name]
        assert lt["ci_low"] <= lt["mean"] <= lt["ci_high"]
        assert len(lt["per_replication"]) == 2
        assert 0 <= lt["censored_share"] <= 1
        assert sum(lt["histogram"]["counts"]) == lt["reached"]
    assert {p["pool"] for p in summary["pools"]} >= {"case_writers", "contracting_officers"}
    if records == "full":
        cases = pd.read_parquet(out / "cases.parquet")
        visits = pd.read_parquet(out / "visits.parquet")
        assert list(cases.columns[:2]) == ["replication", "case_id"]
        assert cases.equals(cases.sort_values(["replication", "case_id"]).reset_index(drop=True))
        assert set(visits.columns) >= {"replication", "case_id", "stage", "pool", "arrived", "started", "finished"}
        assert set(cases["outcome"]) <= {"delivered", "in_progress", "withdrawn"}


def test_help_lists_the_commands_and_subcommands_and_each_subcommand_has_its_own():
    r = fms("--help")
    assert r.returncode == 0 and r.stdout.startswith("fms-sim: a discrete-event simulator")
    for line in ("python -m sim -m reform=none,more_staff", "python -m sim report <multirun dir>",
                 "python -m sim figures <run dir>", "python -m sim validate [--out DIR]",
                 "reform: contracting_standards"):
        assert line in r.stdout, line
    for sub in ("report", "figures", "validate"):
        r = fms(sub, "--help")
        assert r.returncode == 0 and "usage:" in r.stdout, (sub, r.stderr[-300:])
    r = subprocess.run([sys.executable, "-m", "sim.commands.run", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout == fms("--help").stdout  # the module runs the command too


@pytest.mark.parametrize("argv", [["-m", "seed=1,2", "--cfg", "job"], ["--multirun", "--info", "plugins"]])
def test_flags_hydra_refuses_together_are_one_line_and_exit_2(argv):
    r = fms(*argv)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "allowed: only one of --run, --multirun, --cfg" in r.stderr


def test_console_script_routes_subcommands(tmp_path):
    code = "import sys; from sim.commands.run import main; sys.exit(main(['figures']))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "usage: fms-sim figures" in r.stderr
    r = subprocess.run([sys.executable, "-c",
                        f"import sys; from sim.commands.run import main; sys.exit(main(['figures', '{tmp_path}']))"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "no summary.json" in r.stderr


@pytest.mark.slow
def test_validate_writes_both_tables(tmp_path):
    out = tmp_path / "val"
    r = subprocess.run([sys.executable, "-m", "sim", "validate", "--out", str(out), "--replications", "1",
                        "--verification-replications", "2", "debug=tiny"],
                       capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    md = (out / "validation.md").read_text()
    assert "### " not in md and "## Verification" in md and "## Calibration" in md and "## Value by fiscal year" in md
    data = json.loads((out / "validation.json").read_text())
    assert {row["kind"] for row in data["calibration"]} == {"independent", "echo", "calibrated"}
    measures = [row["measure"] for row in data["calibration"]]
    assert sum("within 120 days" in m for m in measures) == 2  # both clocks of DSCA's LOA metric
    assert sum(row["kind"] == "independent" for row in data["calibration"]) >= 4
    assert all(len(row["why"]) > 20 for row in data["calibration"])  # each label says why (issue 23, item 7)
    sales = next(row for row in data["calibration"] if row["measure"].startswith("value accepted per year"))
    assert sales["published"] == "no public figure for FY2004-FY2005" and sales["low"] is None  # no borrowed band
    # debug=tiny starts in FY2004 and runs 2 years after a half-year warm-up: FY2004 and FY2005 are listed
    assert [r["fiscal_year"] for r in data["sales_by_fiscal_year"]] == [2004, 2005]
    assert all(row["analytic"] > 0 for row in data["verification"])
    # first-come-first-served and processor-sharing networks (M/G/1-PS, equal sharing, random desks)
    assert {row["measure"] for row in data["verification"]} == {"Wq", "T - S", "sojourn"}
    assert "M/G/1-PS lognormal cv 2" in md and "equal sharing" in md and "random desks" in md
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_validate_rejects_bad_overrides_with_exit_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "sim", "validate", "--out", str(tmp_path / "v"),
                        "run.replicatons=2"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 2 and "run.replicatons" in r.stderr
    assert not (tmp_path / "v").exists()


def test_validate_follows_the_folder_rules_of_a_run(tmp_path, capsys):
    """`fms-sim validate --out` refuses a folder holding another run, the project's sources and a folder another
    command is writing, as `python -m sim` does (issue 21)."""
    from sim.commands.validate import main
    from sim.output.claim import claim
    from sim.output.run_dir import Manifest

    (tmp_path / "old").mkdir()
    Manifest(tmp_path / "old", {}, [], seed=1).finish("complete", [])
    assert main(["--out", str(tmp_path / "old"), "debug=tiny"]) == 2
    assert "--out=" in capsys.readouterr().err
    assert main(["--out", str(ROOT / "sim" / "val"), "debug=tiny"]) == 2
    assert "is the project's own folder or sources" in capsys.readouterr().err and not (ROOT / "sim" / "val").exists()
    with claim(tmp_path / "busy", timestamped=False):
        assert main(["--out", str(tmp_path / "busy"), "debug=tiny"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"fms-sim: error: --out={tmp_path / 'busy'} is in use by process {os.getpid()}")


def test_a_failed_sweep_job_leaves_a_failed_manifest(tmp_path):
    from sim.commands.run import record_failure

    record_failure(tmp_path / "7", ["reform=x"], RuntimeError("boom"))
    m = json.loads((tmp_path / "7" / "manifest.json").read_text())
    assert m["status"] == "failed" and m["error"] == "RuntimeError: boom" and m["overrides"] == ["reform=x"]
    record_failure(tmp_path / "7", [], ValueError("later"))  # an existing failure record is kept
    assert json.loads((tmp_path / "7" / "manifest.json").read_text())["error"] == "RuntimeError: boom"



def test_a_complete_manifest_is_never_overwritten_by_a_failure_record(tmp_path):
    from sim.commands.run import record_failure

    (tmp_path / "3").mkdir()
    (tmp_path / "3" / "manifest.json").write_text(json.dumps({"status": "complete", "seed": 5, "config": {"a": 1}}))
    record_failure(tmp_path / "3", [], RuntimeError("console table broke"))
    assert json.loads((tmp_path / "3" / "manifest.json").read_text()) == {"status": "complete", "seed": 5,
                                                                          "config": {"a": 1}}


def test_a_multirun_with_a_failed_job_exits_1_and_says_how_many(tmp_path, monkeypatch, capsys):
    """In-process multirun (basic launcher): one job raises; the others and the report still run."""
    import sim.job
    from sim.commands.run import main

    real = sim.job.run_job

    def flaky(scenario, out_dir, *a, **kw):  # the job's checked scenario (sim.config.to_scenario)
        if "more_staff" in scenario.given.scenario:
            raise RuntimeError("planted failure")
        return real(scenario, out_dir, *a, **kw)

    monkeypatch.setattr(sim.job, "run_job", flaky)
    rc = main(["-m", "reform=none,more_staff", "debug=tiny", "run.replications=1", "run.horizon_years=0.3",
               "run.warmup_years=0", "run.drain_years=0.2", f"hydra.sweep.dir={tmp_path / 'm'}"])
    err = capsys.readouterr().err
    assert rc == 1
    assert f"fms-sim: 1 of 2 jobs failed; see {tmp_path / 'm' / 'report.html'}" in err
    assert (tmp_path / "m" / "report.html").is_file()


def test_when_the_launcher_stops_a_multirun_the_jobs_that_finished_are_still_reported(tmp_path, monkeypatch, capsys):
    """A cluster job killed or lost makes the launcher raise and Hydra exit 1 before the report callback: the entry
    point reports on the sweep folder itself, exits 1, and says how to rerun the rest."""
    import sim.commands.run as cli
    from report_fixtures import fake_summary, write_run
    from sim.commands.report import ReportCallback

    def hydra_main():  # the multirun started, one job finished, one was killed while running, then the launcher raised
        ReportCallback.started = tmp_path
        write_run(tmp_path / "0", fake_summary("none", [100.0, 110.0]))
        write_run(tmp_path / "1", None, status="running")
        raise SystemExit(1)

    from sim.sweep import Checked

    monkeypatch.setattr(cli, "check_command", lambda argv: Checked(None, None))
    monkeypatch.setattr(cli, "hydra_main", hydra_main)
    assert cli.main(["-m", "debug=tiny"]) == 1
    err = capsys.readouterr().err
    assert "the launcher stopped the multirun" in err and "1 complete, 1 failed" in err and "run.resume=true" in err
    assert (tmp_path / "report.html").is_file()


def test_a_launcher_for_a_single_run_or_slurm_without_slurm_is_refused(monkeypatch):
    import shutil

    from sim.config import ConfigError
    from sim.sweep import precheck

    with pytest.raises(ConfigError, match="a launcher runs the jobs of a multirun.*Add -m"):
        precheck(["debug=tiny", "hydra/launcher=fms_slurm"])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match=r"SLURM is not available here \(no srun\).*hydra/launcher=fms_slurm"):
        precheck(["-m", "debug=tiny", "seed=1,2", "hydra/launcher=fms_slurm_cluster"])


def test_a_command_checks_its_parameters_once(tmp_path, monkeypatch):
    """Issue 21: the rules ran three times per command-line run (the command's check, the job, the runner).  Now
    the check before any folder is made, the job Hydra runs and the runner share one checked scenario, and a
    multirun checks each job once."""
    import sim.model.scenario
    from sim.commands.run import main

    calls = []
    real = sim.model.scenario.validate_params

    def counted(params):
        calls.append(params.scenario)
        return real(params)

    monkeypatch.setattr(sim.model.scenario, "validate_params", counted)
    fast = ["debug=tiny", "run.replications=1", "run.horizon_years=0.3", "run.warmup_years=0", "run.drain_years=0.2"]
    assert main([*fast, "seed=11", f"hydra.run.dir={tmp_path / 'one'}"]) == 0
    assert calls == ["none"]
    calls.clear()
    assert main(["-m", "reform=none,more_staff", *fast, "seed=12", f"hydra.sweep.dir={tmp_path / 'm'}"]) == 0
    assert sorted(calls) == ["more_staff", "none"]
