"""The golden KPIs of a fixed small run are reproduced exactly (regenerate on purpose only)."""
from __future__ import annotations

import json

import pytest

from golden.regenerate import GOLDEN, kpis


@pytest.mark.slow
def test_golden_kpis_unchanged():
    expected = json.loads(GOLDEN.read_text())
    got = json.loads(json.dumps(kpis()))  # through JSON, as the file was written
    assert got == expected, (
        "the numbers of the golden run changed; if that is intended, run `python tests/golden/regenerate.py` "
        "and say why in the commit message"
    )
