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
    import gc

    allocator.fixed_mmap_threshold()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            allocator.fixed_mmap_threshold()
        assert gc.collect() == 0
    finally:
        gc.enable()

