"""The golden run is reproduced exactly: its simulated history, case by case, and its KPIs (regenerate on purpose
only)."""
from __future__ import annotations

import json

import pytest

from golden.regenerate import GOLDEN, GOLDEN_PORTFOLIO, OVERRIDES, OVERRIDES_PORTFOLIO, kpis

REGENERATE = ("if that is intended, run `python tests/golden/regenerate.py` and say why in the commit message")


@pytest.mark.slow
@pytest.mark.parametrize("path, overrides", [(GOLDEN, OVERRIDES), (GOLDEN_PORTFOLIO, OVERRIDES_PORTFOLIO)],
                         ids=["slots", "portfolio"])
def test_golden_history_and_kpis_unchanged(path, overrides):
    expected = json.loads(path.read_text())
    got = json.loads(json.dumps(kpis(overrides)))  # through JSON, as the file was written
    history, expected_history = got.pop("history"), expected.pop("history")
    changed = [f"{rep} {what}" for rep, digests in expected_history.items()
               for what, digest in digests.items() if history.get(rep, {}).get(what) != digest]
    assert not changed and history.keys() == expected_history.keys(), (
        f"the simulated history of the golden run changed ({path.name}): {', '.join(changed) or 'replications'}; "
        f"on an unchanged commit this means the host's CPU changed the simulation (issue 20); {REGENERATE}")
    assert history == expected_history, f"the golden run's history has new digests ({path.name}); {REGENERATE}"
    assert got == expected, f"the KPIs of the golden run changed ({path.name}); {REGENERATE}"
