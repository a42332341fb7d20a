"""Output folders are claimed, not assumed (issue 21): one command per folder, atomically, and no stale claims."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from sim.config import ROOT
from sim.output.claim import CLAIM_FILE, ClaimError, claim


def test_a_timestamped_name_taken_by_another_run_moves_to_the_next_free_name(tmp_path):
    base = tmp_path / "runs" / "2026-12-06_14-10-00"
    with claim(base, timestamped=True) as a, claim(base, timestamped=True) as b, \
            claim(base, timestamped=True) as c:
        assert [a.path, b.path, c.path] == [base, base.with_name(base.name + "-2"), base.with_name(base.name + "-3")]
        (a.path / "summary.json").write_text("{}")
    assert (base / "summary.json").is_file() and not (base / CLAIM_FILE).exists()  # released, results kept
    assert not base.with_name(base.name + "-2").exists()  # made by the claim and left empty: removed


def test_a_chosen_folder_in_use_is_refused_naming_the_holder(tmp_path):
    folder = tmp_path / "mine"
    with claim(folder, timestamped=False, key="hydra.run.dir"):
        with pytest.raises(ClaimError, match=rf"hydra.run.dir={folder} is in use by process {os.getpid()} on "):
            claim(folder, timestamped=False, key="hydra.run.dir")
    with claim(folder, timestamped=False) as again:  # free once released
        assert again.path == folder


def test_an_existing_chosen_folder_is_kept_on_release(tmp_path):
    folder = tmp_path / "kept"
    folder.mkdir()
    claim(folder, timestamped=False).release()
    assert folder.is_dir() and not any(folder.iterdir())


def test_a_killed_holder_leaves_no_stale_claim(tmp_path):
    """The lock belongs to the process: SIGKILL cannot leave the folder claimed for ever."""
    folder = tmp_path / "killed"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from sim.output.claim import claim
            claim(Path({str(folder)!r}), timestamped=False)
            print("claimed", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "claimed"
        with pytest.raises(ClaimError, match=f"process {holder.pid}"):
            claim(folder, timestamped=False)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (folder / CLAIM_FILE).exists()  # the file stays, the lock does not
    with claim(folder, timestamped=False) as c:
        assert c.path == folder


def _sim(cwd, *args, multirun=False):
    return subprocess.Popen([sys.executable, "-m", "sim", *(["-m"] if multirun else []), "debug=tiny",
                             "run.horizon_years=0.6",
                             "run.warmup_years=0.1", "run.drain_years=0.5", "run.replications=1", *args],
                            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_two_runs_started_in_the_same_second_write_two_folders(tmp_path):
    """The folder pattern is a timestamp to the second; here it is to the year, so the runs clash for sure: two at
    once, and a third after them (which once found the name taken and was told to overwrite it)."""
    procs = [_sim(tmp_path, "hydra.run.dir=out/${now:%Y}") for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    third = _sim(tmp_path, "hydra.run.dir=out/${now:%Y}")
    assert third.wait(timeout=300) == 0, third.stderr.read()[-500:]
    third.stdout.close(), third.stderr.close()
    year = time.strftime("%Y")
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert folders == [year, f"{year}-2", f"{year}-3"]
    for name in folders[:2]:
        manifest = (tmp_path / "out" / name / "manifest.json").read_text()
        assert '"status": "complete"' in manifest and not (tmp_path / "out" / name / CLAIM_FILE).exists()
    assert sorted(o[0].strip().splitlines()[-1] for o in outs) == [
        f"results: {tmp_path / 'out' / name}" for name in folders[:2]]


@pytest.mark.slow
def test_two_sweeps_started_at_once_keep_their_own_jobs_and_reports(tmp_path):
    """Two multiruns whose sweep folder names clash (a timestamp to the year): each claims its own folder, so neither
    sweep's jobs vanish under the other's and each report counts its own two jobs (issue 21: they once shared one
    folder and one "complete" manifest)."""
    procs = [_sim(tmp_path, f"seed={a},{b}", "hydra.sweep.dir=sw/${now:%Y}", multirun=True)
             for a, b in ((1, 2), (3, 4))]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-800:] for o in outs]
    year = time.strftime("%Y")
    folders = sorted(p.name for p in (tmp_path / "sw").iterdir())
    assert folders == [year, f"{year}-2"]
    seeds = []
    for name in folders:
        sweep = tmp_path / "sw" / name
        assert sorted(p.name for p in sweep.iterdir() if p.name.isdigit()) == ["0", "1"]
        summaries = [json.loads((sweep / j / "summary.json").read_text()) for j in ("0", "1")]
        seeds.append(sorted(s["seed"] for s in summaries))
        report = json.loads((sweep / "report.json").read_text())
        assert report["jobs"]["ok"] == 2 and report["jobs"]["failed"] == 0 and report["jobs"]["missing"] == 0
        assert not (sweep / CLAIM_FILE).exists()
    assert sorted(seeds) == [[1, 2], [3, 4]]  # each folder holds one sweep's jobs, whole


@pytest.mark.slow
def test_a_sweep_folder_with_a_comma_reaches_hydra_whole(tmp_path):
    """The claimed folder is handed to Hydra quoted: a comma must not turn it into a sweep of folders."""
    proc = _sim(tmp_path, "seed=1,2", "hydra.sweep.dir='a, b'", multirun=True)  # quoted, as Hydra asks
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-800:]
    assert sorted(p.name for p in (tmp_path / "a, b").iterdir() if p.name.isdigit()) == ["0", "1"]
    assert (tmp_path / "a, b" / "report.html").is_file()


def test_an_overwrite_cannot_remove_the_files_of_a_run_still_writing_them(tmp_path, capsys):
    """The earlier run's outputs are removed only under the claim: a live run keeps its files (issue 21's review:
    they were removed before the claim refused the command)."""
    from sim.commands.run import main
    from sim.output.run_dir import Manifest

    folder = tmp_path / "live"
    folder.mkdir()
    Manifest(folder, {}, [], seed=1).finish("complete", [])
    (folder / "summary.json").write_text("{}")
    with claim(folder, timestamped=False):  # the run still writing it
        assert main(["debug=tiny", "run.overwrite=true", f"hydra.run.dir={folder}"]) == 2
    assert f"is in use by process {os.getpid()}" in capsys.readouterr().err
    assert (folder / "summary.json").is_file() and (folder / "manifest.json").is_file()


def test_resume_or_overwrite_claim_a_timestamped_folder_by_its_name(tmp_path):
    """`hydra.sweep.dir=x/${now:%Y}` with run.resume=true continues that folder instead of starting a new one."""
    from sim.output.folders import OutputFolder, claim_folder

    base = tmp_path / "2026"
    (base / "0").mkdir(parents=True)
    with claim_folder(OutputFolder("hydra.sweep.dir", base, timestamped=True, multirun=True, resume=True)) as c:
        assert c.path == base
    with claim_folder(OutputFolder("hydra.sweep.dir", base, timestamped=True, multirun=True)) as c:
        assert c.path == base.with_name("2026-2")


def test_a_worker_forked_by_the_holder_does_not_keep_the_claim(tmp_path):
    """The run's worker processes are forked; an orphaned worker must not hold the folder once the run is killed."""
    folder, pid_file, ready = tmp_path / "forked", tmp_path / "worker.pid", tmp_path / "worker.ready"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import os, time
            from pathlib import Path
            from sim.output.claim import claim
            claim(Path({str(folder)!r}), timestamped=False)
            child = os.fork()
            if child == 0:  # a worker: its copy of the claim was closed as it started (os.register_at_fork)
                Path({str(ready)!r}).touch()
                time.sleep(60)
                os._exit(0)
            Path({str(pid_file)!r}).write_text(str(child))
            time.sleep(60)
        """)], cwd=ROOT)
    deadline = time.time() + 60
    while not (ready.exists() and pid_file.exists() and pid_file.read_text()) and time.time() < deadline:
        time.sleep(0.05)
    child = int(pid_file.read_text())
    try:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with claim(folder, timestamped=False) as c:  # the worker still lives
            assert c.path == folder
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_file_system_without_locks_is_named_and_the_run_goes_on(tmp_path, monkeypatch, capsys):
    import errno
    import fcntl

    def no_locks(fd, op):
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with claim(tmp_path / "lustre", timestamped=False) as c:
        assert c.path == tmp_path / "lustre"
    assert "cannot lock files (Function not implemented)" in capsys.readouterr().err
    assert not (tmp_path / "lustre").exists()  # made by the claim, left empty: removed


def test_a_folder_name_hydra_would_change_is_refused(tmp_path):
    from sim.output.folders import FolderError, OutputFolder, check_place

    for name in ("a\\b", "it's"):
        with pytest.raises(FolderError, match="a backslash or a quote in the name"):
            check_place(OutputFolder("hydra.run.dir", tmp_path / name), ROOT)


@pytest.mark.parametrize("inside", ["hydra_plugins", "hydra_plugins/fms_sim_precision", "docs", "sim/output",
                                    "configs/reform", ".ci"])
def test_no_output_folder_inside_the_sources_or_the_plugins(inside):
    """Every folder of the code is refused as an output folder, the Hydra plugins' namespace included (issue 21's
    audit: hydra_plugins/ was accepted)."""
    from sim.output.folders import FolderError, OutputFolder, check_place

    with pytest.raises(FolderError, match="is the project's own folder or sources"):
        check_place(OutputFolder("hydra.run.dir", ROOT / inside / "out"), ROOT)
    assert not (ROOT / inside / "out").exists()


def test_the_installed_package_is_refused_wherever_it_is(tmp_path):
    """A wheel installed in site-packages: its folders are sources too, though they are outside the project."""
    from sim.output.folders import FolderError, OutputFolder, check_place, package_folders

    package = package_folders()[0]
    with pytest.raises(FolderError, match="is the project's own folder or sources"):
        check_place(OutputFolder("hydra.sweep.dir", package / "results"), tmp_path)  # another "project"
    check_place(OutputFolder("hydra.sweep.dir", tmp_path / "results"), tmp_path / "project")  # accepted


@pytest.mark.slow
def test_a_flag_after_the_overrides_still_runs(tmp_path):
    """The claimed folder joins the user's overrides: placed after a trailing flag, Hydra refused every such command
    (issue 21's review)."""
    proc = _sim(tmp_path, "hydra.run.dir=out", "--run")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-800:]
    assert (tmp_path / "out" / "summary.json").is_file()


def test_the_mode_follows_the_command_line_only():
    """hydra.mode=MULTIRUN without -m skipped a multirun's folder rules (issue 21's review)."""
    from sim.config import ConfigError
    from sim.sweep import precheck

    with pytest.raises(ConfigError, match=r"hydra.mode=MULTIRUN: the mode follows -m; allowed: python -m sim -m"):
        precheck(["debug=tiny", "hydra.mode=MULTIRUN"])


def test_a_folder_the_system_cannot_make_is_one_line_and_exit_2(tmp_path, capsys):
    from sim.commands.run import main

    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    for name in ("x" * 300, "dangling"):
        assert main(["debug=tiny", f"hydra.run.dir={tmp_path / name}"]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"fms-sim: error: hydra.run.dir={tmp_path / name}") and err.count("\n") == 1
