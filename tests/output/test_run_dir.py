"""sim.output.run_dir: JSON that is always valid, Parquet that is byte-stable, a manifest that tells the truth."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from sim.output.run_dir import Manifest, read_json, write_json, write_table


def test_write_json_turns_nan_inf_and_numpy_values_into_plain_json(tmp_path):
    path = tmp_path / "s.json"
    write_json(path, {"a": math.nan, "b": [np.float64(1.5), np.int64(3), math.inf], "c": {1: np.bool_(True)},
                      "d": (1, 2)})
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"a": None, "b": [1.5, 3, None], "c": {"1": True}, "d": [1, 2]}
    assert read_json(path) == json.loads(text)
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file, then renamed


def test_write_table_gives_the_same_bytes_for_the_same_frame_and_drops_the_index(tmp_path):
    df = pd.DataFrame({"replication": [0, 0, 1], "day": [1.0, 2.0, 3.0], "pool": ["a", "b", "a"]},
                      index=[7, 8, 9])
    write_table(df, tmp_path / "x.parquet")
    write_table(df.copy(), tmp_path / "y.parquet")
    assert (tmp_path / "x.parquet").read_bytes() == (tmp_path / "y.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "x.parquet")
    pd.testing.assert_frame_equal(back, df.reset_index(drop=True))


def test_manifest_records_running_then_the_final_status(tmp_path):
    m = Manifest(tmp_path, {"seed": 3}, ["run.replications=2"], seed=3)
    first = read_json(tmp_path / "manifest.json")
    assert first["status"] == "running" and first["seed"] == 3 and first["config"] == {"seed": 3}
    assert first["overrides"] == ["run.replications=2"] and "numpy" in first["versions"]
    from importlib import metadata

    assert first["versions"]["fms-sim"] == metadata.version("fms-sim")  # a wheel's provenance (no git sha)
    m.finish("failed", [], error="RuntimeError: boom")
    last = read_json(tmp_path / "manifest.json")
    assert last["status"] == "failed" and last["error"] == "RuntimeError: boom" and last["files"] == []
    assert last["runtime_seconds"] >= 0


def test_a_symlink_left_where_a_temporary_file_would_go_is_never_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    run = tmp_path / "run"
    run.mkdir()
    for name in ("summary.json.tmp", ".summary.json.tmp", "cases.parquet.tmp"):
        (run / name).symlink_to(outside)
    write_json(run / "summary.json", {"a": 1})
    write_table(pd.DataFrame({"x": [1]}), run / "cases.parquet")
    assert outside.read_text() == "precious"
    assert read_json(run / "summary.json") == {"a": 1}


def test_a_failed_write_leaves_no_partial_file_and_the_old_content(tmp_path, monkeypatch):
    """A full disk (or any error while writing) removes the temporary file; the target is untouched."""
    import errno

    from sim.output import run_dir

    path = tmp_path / "summary.json"
    write_json(path, {"old": True})

    def full(f):
        f.write(b'{"new": ')
        raise OSError(errno.ENOSPC, "No space left on device")

    import pytest

    with pytest.raises(OSError, match="No space left"):
        run_dir.atomic_write(path, full)
    assert read_json(path) == {"old": True}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_written_files_follow_the_umask_like_any_other_file(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        from sim.output import run_dir

        run_dir._UMASK, saved = 0o022, run_dir._UMASK
        write_json(tmp_path / "s.json", {"a": 1})
        assert (tmp_path / "s.json").stat().st_mode & 0o777 == 0o644
    finally:
        run_dir._UMASK = saved
        os.umask(old)


@pytest.mark.parametrize("stdout, code, expected", [(" M sim/runner.py\n", 0, True), ("", 0, False),
                                                    ("", 128, None)])
def test_the_manifest_says_whether_the_code_had_uncommitted_edits(monkeypatch, tmp_path, stdout, code, expected):
    import subprocess

    from sim.output import run_dir

    real = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, code, stdout, "")
                        if cmd[:2] == ["git", "status"] else real(cmd, **kw))
    assert run_dir.git_dirty() is expected
    m = run_dir.Manifest(tmp_path, {}, [], 1)
    assert m.data["git_dirty"] is expected and "git_sha" in m.data
