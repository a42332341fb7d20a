"""The collector setting of a run (``sim.engine.collection``): rare young collections inside, restored after."""
from __future__ import annotations

import gc

import pytest

from sim.engine.collection import GEN0, rare_collections


def test_inside_the_objects_that_existed_are_frozen_and_young_collections_are_rare_then_all_is_restored():
    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold() == (GEN0, *before[1:])
        assert gc.get_freeze_count() > 1000  # the imports and everything else that existed before the run
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_an_error_inside_still_restores_the_collector():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_collections(gen0=1234):
        assert gc.get_threshold()[0] == 1234
        raise RuntimeError("boom")
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
