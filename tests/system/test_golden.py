"""The golden KPIs of a fixed small run are reproduced exactly (regenerate on purpose only)."""
from __future__ import annotations

import json

import pytest

from golden.regenerate import GOLDEN, GOLDEN_PORTFOLIO, OVERRIDES, OVERRIDES_PORTFOLIO, kpis


@pytest.mark.slow
@pytest.mark.parametrize("path, overrides", [(GOLDEN, OVERRIDES), (GOLDEN_PORTFOLIO, OVERRIDES_PORTFOLIO)],
                         ids=["slots", "portfolio"])
def test_golden_kpis_unchanged(path, overrides):
    expected = json.loads(path.read_text())
    got = json.loads(json.dumps(kpis(overrides)))  # through JSON, as the file was written
    assert got == expected, (
        "the numbers of the golden run changed; if that is intended, run `python tests/golden/regenerate.py` "
        "and say why in the commit message"
    )
