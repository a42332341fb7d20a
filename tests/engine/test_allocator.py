"""The C allocator's mmap threshold (``sim.engine.allocator``): set on glibc, a quiet no-op elsewhere."""
from __future__ import annotations

import ctypes
import platform

import pytest

from sim.engine import allocator


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_glibc_takes_the_fixed_threshold():
    assert allocator.fixed_mmap_threshold() is True


def test_without_mallopt_nothing_happens(monkeypatch):
    class NoMallopt:
        def __init__(self, name):
            pass

    monkeypatch.setattr(ctypes, "CDLL", NoMallopt)
    allocator._mallopt.cache_clear()
    try:
        assert allocator.fixed_mmap_threshold() is False
    finally:
        allocator._mallopt.cache_clear()


def test_calling_it_again_makes_no_garbage():
    """In a fresh interpreter: in a test worker, threads of other tests (a web page's runtime, a progress reader)
    may leave garbage of their own while this one counts."""
    import subprocess
    import sys

    code = ("import gc\nfrom sim.engine import allocator\nallocator.fixed_mmap_threshold()\ngc.collect()\n"
            "gc.disable()\nfor _ in range(3):\n    allocator.fixed_mmap_threshold()\nprint(gc.collect())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"
