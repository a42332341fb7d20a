"""run_job on a tiny run: the files it leaves, its manifest, its printed table, and how it fails."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import sim.job
from sim.job import lead_time_table, run_job

TINY = ("debug=tiny", "run.replications=1", "run.horizon_years=0.5", "run.warmup_years=0", "run.drain_years=0.1")
LEAD_TIMES = ("lor_to_offer", "lor_to_contract", "lor_to_delivery")


def _on_disk(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def params(compose):
    return compose(*TINY, "run.records=summary")


@pytest.fixture(scope="module")
def summary_only_run(params, tmp_path_factory):
    """One tiny run with run.records=summary, shared: making the four figures takes 2-3 s of it."""
    out = tmp_path_factory.mktemp("job") / "run"
    stream = io.StringIO()
    summary = run_job(params, out, config={"run": {"records": "summary"}}, overrides=["run.records=summary"],
                      stream=stream, progress=False)
    return out, summary, stream.getvalue()


@pytest.mark.slow
def test_summary_records_write_only_summary_kpis_manifest_and_figures(summary_only_run):
    out, _, _ = summary_only_run
    files = _on_disk(out)
    assert "summary.json" in files and "manifest.json" in files
    figures = {f for f in files if f.startswith("figures/")}
    assert figures and all(f.endswith(".png") for f in figures)
    assert all((out / f).stat().st_size > 0 for f in figures)
    assert files == {"summary.json", "kpis.parquet", "yearly.csv", "manifest.json"} | figures  # no case tables, no .tmp


@pytest.mark.slow
def test_manifest_is_complete_and_lists_the_files_on_disk(summary_only_run):
    out, summary, _ = summary_only_run
    m = json.loads((out / "manifest.json").read_text())
    assert m["status"] == "complete"
    assert m["error"] is None
    assert m["overrides"] == ["run.records=summary"]
    assert m["config"] == {"run": {"records": "summary"}}
    assert len(m["files"]) == len(set(m["files"]))
    assert set(m["files"]) == _on_disk(out) - {"manifest.json"}
    assert m["runtime_seconds"] >= 0
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["scenario"] == summary["scenario"] == "none"
    assert on_disk["run"]["records"] == "summary"


@pytest.mark.slow
def test_printed_table_names_the_three_lead_times(summary_only_run):
    out, summary, printed = summary_only_run
    lines = printed.splitlines()
    assert any(line.startswith("lead time (days)") for line in lines)
    for name in LEAD_TIMES:
        row = [line for line in lines if line.startswith(name)]
        assert len(row) == 1, name
        mean = summary["lead_times"][name]["mean"]
        assert row[0].split()[1] == ("-" if mean is None else f"{mean:.0f}")
    assert "Scenario 'none'" in printed
    assert f"results: {out}" in printed


def test_failed_run_leaves_failed_manifest_and_raises(params, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("replication 0 exploded")

    monkeypatch.setattr(sim.job, "run_replications", boom)
    stream = io.StringIO()
    with pytest.raises(RuntimeError, match="replication 0 exploded"):
        run_job(params, tmp_path, config={}, overrides=[], stream=stream, progress=False)
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["status"] == "failed"
    assert "RuntimeError" in m["error"] and "replication 0 exploded" in m["error"]
    assert m["files"] == []
    assert _on_disk(tmp_path) == {"manifest.json"}
    assert stream.getvalue() == ""  # no table for a failed run


def _lt(mean, ci_low, ci_high, median, p90, censored):
    return {"mean": mean, "ci_low": ci_low, "ci_high": ci_high, "median": median, "p90": p90,
            "censored_share": censored}


def test_lead_time_table_prints_dash_for_missing_values():
    summary = {
        "lead_times": {
            "lor_to_offer": _lt(100.4, None, None, 90.0, None, None),
            "lor_to_delivery": _lt(1500.0, 1400.0, 1600.0, 1450.0, 2100.0, 0.125),
            "lor_to_contract": _lt(None, None, None, None, None, 1.0),
        },
        "open_cases_at_horizon": {"mean": 12.0},
        "cases": {"cohort": {"mean": 40.0}},
        "replications": 3,
    }
    lines = lead_time_table(summary).splitlines()
    assert lines[0].split() == ["lead", "time", "(days)", "mean", "95%", "CI", "median", "p90", "censored"]
    assert lines[1].split() == ["lor_to_offer", "100", "[-,", "-]", "90", "-", "-"]
    assert lines[2].split() == ["lor_to_delivery", "1500", "[1400,", "1600]", "1450", "2100", "12.5%"]
    assert lines[3].split() == ["lor_to_contract", "-", "[-,", "-]", "-", "-", "100.0%"]
    assert lines[4] == "open cases at horizon: 12; cohort cases per replication: 40; replications: 3"
    assert len(lines) == 5
    summary["unstable"] = ["case_writers"]
    assert lead_time_table(summary).splitlines()[5].startswith("UNSTABLE (utilisation >= 98% or a growing queue or "
                                                               "backlog): case_writers;")


def test_an_empty_cohort_still_prints_its_table(compose, tmp_path):
    """No LOR in the cohort window: every file is written, the manifest is complete, the lead times show '-'
    and the counts are zeros (the replication ran; its cohort was empty)."""
    import io

    from sim.job import run_job

    params = compose("debug=tiny", "run.replications=1", "run.horizon_years=1e-6", "run.warmup_years=0",
                     "run.drain_years=0")
    out = io.StringIO()
    summary = run_job(params, tmp_path / "empty", config={}, overrides=[], stream=out, progress=False)
    assert summary["cases"]["cohort"]["per_replication"] == [0]  # a replication that ran, with no case
    assert "lor_to_delivery          -              [-, -]" in out.getvalue()
    assert "open cases at horizon: 0; cohort cases per replication: 0; replications: 1" in out.getvalue()
    assert json.loads((tmp_path / "empty" / "manifest.json").read_text())["status"] == "complete"


def test_a_full_disk_while_writing_leaves_a_failed_manifest_and_no_partial_file(compose, tmp_path, monkeypatch):
    """A writer that fails with ENOSPC (a patched writer stands in for a full disk)."""
    import errno

    from sim.output import run_dir

    def full(path, write):
        raise OSError(errno.ENOSPC, "No space left on device")

    params = compose("debug=tiny", "run.replications=1", "run.horizon_years=0.3", "run.warmup_years=0",
                     "run.drain_years=0.2")
    real = run_dir.atomic_write
    monkeypatch.setattr(run_dir, "atomic_write", lambda path, write: (full if path.suffix == ".parquet" else real)(
        path, write))
    with pytest.raises(OSError, match="No space left"):
        run_job(params, tmp_path / "r", config={}, overrides=[], stream=io.StringIO(), progress=False)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "No space left" in manifest["error"]
    assert not [p for p in (tmp_path / "r").iterdir() if p.name.endswith(".tmp")]


def test_a_failure_writing_the_complete_manifest_leaves_it_failed_not_running(compose, tmp_path, monkeypatch):
    """The disk fills at the very end, as the manifest is marked complete: the exception goes on (exit 1) and the
    record says failed, in agreement (issue 21)."""
    import errno

    from sim.output import run_dir

    real = run_dir.Manifest.save

    def save(self):
        if self.data["status"] == "complete":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self)

    monkeypatch.setattr(run_dir.Manifest, "save", save)
    with pytest.raises(OSError, match="No space left"):
        run_job(compose(*TINY), tmp_path / "r", config={}, overrides=[], stream=io.StringIO(), progress=False)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "No space left" in manifest["error"]


def test_a_broken_output_after_a_complete_run_keeps_it_complete(compose, tmp_path, capsys):
    """``python -m sim | head -1``: the table cannot be printed, but the run and its record are complete, so the
    job returns normally (exit 0) instead of failing a complete run (issue 21)."""

    class Broken(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    summary = run_job(compose(*TINY), tmp_path / "r", config={}, overrides=[], stream=Broken(), progress=False)
    assert summary["replications"] == 1
    assert json.loads((tmp_path / "r" / "manifest.json").read_text())["status"] == "complete"
    assert "the run is complete" in capsys.readouterr().err


def test_run_control_keys_leave_summary_json_unchanged(compose):
    """run.jobs, run.allow_large, run.overwrite, run.resume change no result, so summary.json omits them:
    a resumed or overwritten run's summary is the one an ordinary run writes."""
    from sim.job import summarise_results
    from sim.runner import run_replications

    plain = compose("debug=tiny", "run.replications=1", "run.horizon_years=0.3", "run.warmup_years=0",
                    "run.drain_years=0.2")
    flagged = compose("debug=tiny", "run.replications=1", "run.horizon_years=0.3", "run.warmup_years=0",
                      "run.drain_years=0.2", "run.resume=true", "run.overwrite=false", "run.allow_large=true")
    a = summarise_results(plain, run_replications(plain))
    b = summarise_results(flagged, run_replications(flagged))
    assert a["run"] == b["run"] and not {"jobs", "allow_large", "overwrite", "resume"} & set(a["run"])


def test_a_replication_without_any_case_keeps_its_place(compose, tmp_path):
    """At 0.4 LORs a year, replication 2 of the tiny run draws no LOR at all (replication 1 draws several): it must
    stay in every per-replication list (zeros for counts, None for lead times), or paired comparisons pair the wrong
    runs."""
    import io

    from sim.engine.clock import years
    from sim.engine.rng import RandomStreams
    from sim.job import run_job
    from sim.model.arrivals import lor_times

    params = compose("debug=tiny", "demand.lor_per_year=0.4", "run.first_replication=1")
    end = years(params.run.horizon_years)
    drawn = [sum(1 for _ in lor_times(params.demand, RandomStreams(params.seed, r), end)) for r in (1, 2)]
    assert drawn[0] > 0 and drawn[1] == 0, f"the premise no longer holds for this seed: LORs drawn {drawn}"
    s = run_job(params, tmp_path / "sparse", config={}, overrides=[], stream=io.StringIO(), progress=False)
    assert s["replications"] == 2
    assert s["cases"]["cohort"]["per_replication"][1] == 0 and s["cases"]["cohort"]["n"] == 2
    assert s["open_cases_at_horizon"]["per_replication"][1] == 0
    assert len(s["open_cases_at_horizon"]["per_replication"]) == 2
    for lt in s["lead_times"].values():
        assert len(lt["per_replication"]) == 2 and lt["per_replication"][1] is None
    assert s["workload"]["loas_offered_per_year"]["n"] == 2
