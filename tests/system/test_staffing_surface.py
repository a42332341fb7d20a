"""The staffing surface end to end (issue 23, item 2): a tiny two-way sweep's report writes surface.csv and the
figure, each cell paired with the reference run at its own point."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from sim.commands.run import main


@pytest.mark.slow
def test_a_two_way_staffing_sweep_reports_a_surface(tmp_path):
    out = tmp_path / "m"
    assert main(["-m", "reform=none,more_contracting_officers", "staffing.effort_share=0.05,0.1",
                 "staffing.size_to_load=0.6,0.75", "debug=tiny", "run.replications=2", "run.horizon_years=0.6",
                 "run.warmup_years=0.1", "run.drain_years=0.5", f"hydra.sweep.dir={out}"]) == 0
    surface = pd.read_csv(out / "surface.csv")
    assert len(surface) == 4 and set(surface["reform"]) == {"more_contracting_officers"}
    comparison = pd.read_csv(out / "comparison.csv")
    for row in surface.itertuples():  # each cell against the none job of its own share and load
        ref = comparison[(comparison.job == row.reference_job) & (comparison.metric == "lor_to_delivery")].iloc[0]
        assert f"staffing.effort_share={row.effort_share:g}" in ref.overrides and "reform=none" in ref.overrides
        assert f"staffing.size_to_load={row.load:g}" in ref.overrides
    assert surface["default_point"].tolist() == [False, False, False, True]
    record = json.loads((out / "report.json").read_text())
    assert "surface.csv" in record["files"] and "figures/staffing_surface.png" in record["files"]
    assert "What added staff saves depends on two assumptions" in (out / "report.html").read_text()
