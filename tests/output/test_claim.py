"""Output folders are claimed, not assumed (issue 21): one command per folder, atomically, and no stale claims."""
from __future__ import annotations

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
    """The folder pattern is a timestamp to the second; here it is to the year, so the two runs clash for sure."""
    procs = [_sim(tmp_path, "hydra.run.dir=out/${now:%Y}") for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-500:] for o in outs]
    year = time.strftime("%Y")
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert folders == [year, f"{year}-2"]
    for name in folders:
        manifest = (tmp_path / "out" / name / "manifest.json").read_text()
        assert '"status": "complete"' in manifest and not (tmp_path / "out" / name / CLAIM_FILE).exists()
    assert sorted(o[0].strip().splitlines()[-1] for o in outs) == [
        f"results: {tmp_path / 'out' / name}" for name in folders]


@pytest.mark.slow
def test_a_sweep_folder_with_a_comma_reaches_hydra_whole(tmp_path):
    """The claimed folder is handed to Hydra quoted: a comma must not turn it into a sweep of folders."""
    proc = _sim(tmp_path, "seed=1,2", "hydra.sweep.dir='a, b'", multirun=True)  # quoted, as Hydra asks
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err[-800:]
    assert sorted(p.name for p in (tmp_path / "a, b").iterdir() if p.name.isdigit()) == ["0", "1"]
    assert (tmp_path / "a, b" / "report.html").is_file()
