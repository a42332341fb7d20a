"""A break-even study end to end (issue 23, item 5): a tiny strength sweep writes breakeven.csv with the target the
study asks for, and the report shows the figure."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.commands.run import main


@pytest.mark.slow
def test_a_strength_sweep_reports_break_even_sizes(tmp_path):
    out = tmp_path / "m"
    assert main(["-m", "experiment=breakeven", "reform=none,more_contracting_officers", "reform.strength=0.5,1",
                 "breakeven.target_days=7", "debug=tiny", "run.horizon_years=0.6", "run.warmup_years=0.1",
                 "run.drain_years=0.5", "run.settle_years=null", f"hydra.sweep.dir={out}"]) == 0
    table = pd.read_csv(out / "breakeven.csv")
    row = table.iloc[0]
    assert len(table) == 1 and row.reform == "more_contracting_officers" and row.target_days == 7
    assert row.grid == "0 0.5 1" and row.status in ("reached", "not reachable within the range",
                                                    "only at the interval's edge")
    comparison = pd.read_csv(out / "comparison.csv")
    delivery = comparison[(comparison.metric == "lor_to_delivery") & comparison.overrides.str.contains(
        "reform=more_contracting_officers")].sort_values("job")
    assert row.changes == " ".join(f"{c:+.1f}" for c in [0.0, *delivery.diff_mean])
    record = json.loads((out / "report.json").read_text())
    assert {"breakeven.csv", "figures/breakeven.png"} <= set(record["files"])
    assert "How far each reform must go to save 7 days" in (out / "report.html").read_text()
