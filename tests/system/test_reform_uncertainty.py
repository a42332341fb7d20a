"""An uncertainty study end to end (issue 23, item 4): a tiny sweep of a reform and the reference over design points
writes uncertainty.csv, the percentile columns beside the change at likely and the lead figure, and with its
break-even strengths (hydra/sweeper=grids), breakeven.csv."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.commands.run import main
from sim.sweep import sweep_jobs

STUDY = Path(__file__).resolve().parents[2] / "experiments" / "reform_uncertainty.yaml"


def test_the_study_sweeps_every_point_of_its_design_and_the_likely_run():
    study = yaml.safe_load(STUDY.read_text())
    points = study["uncertainty"]["points"]
    swept = study["hydra"]["sweeper"]["params"]["uncertainty.point"].split(",")
    assert swept == ["null", *map(str, range(points))]
    assert "none" in study["hydra"]["sweeper"]["params"]["reform"].split(",")
    (grid,) = study["hydra"]["sweeper"]["grids"]  # the break-even strengths: the same reforms, none beside them
    assert grid["reform"] == study["hydra"]["sweeper"]["params"]["reform"] and grid["reform.assume"] == "high"


@pytest.mark.slow
def test_an_uncertainty_sweep_reports_percentiles_beside_likely(tmp_path):
    out = tmp_path / "m"
    args = ["experiment=reform_uncertainty", "reform=none,contracting_standards", "uncertainty.points=3",
            "uncertainty.point=null,0,1,2", "reform.strength=0.5,1", "debug=tiny", "run.replications=2",
            "run.horizon_years=0.6", "run.warmup_years=0.1", "run.drain_years=0.5", "run.settle_years=null"]
    assert main(["-m", *args, f"hydra.sweep.dir={out}"]) == 0
    # the grids sweeper launched the jobs the pre-check expanded: the hypercube, then the strengths
    launched = [json.loads((out / str(n) / "manifest.json").read_text())["overrides"] for n in range(12)]
    assert launched == sweep_jobs(args) and not (out / "12").exists()
    comparison = pd.read_csv(out / "comparison.csv")
    delivery = comparison[comparison.metric == "lor_to_delivery"]
    strengths = delivery[delivery.overrides.str.contains("reform.strength=")]
    assert len(strengths) == 4
    delivery = delivery.drop(strengths.index)
    points = delivery[delivery.u_point.notna() & delivery.overrides.str.contains("reform=contracting_standards")]
    assert sorted(points.u_point) == [0, 1, 2]
    for row in points.itertuples():  # each point against the none job of its own point
        ref = delivery[delivery.job == row.reference_job].iloc[0]
        assert "reform=none" in ref.overrides and ref.u_point == row.u_point
    likely = delivery[delivery.u_point.isna() & delivery.overrides.str.contains("reform=contracting_standards")]
    assert len(likely) == 1
    expected = np.percentile(points.diff_mean.to_numpy(), [5, 50, 95])
    assert [likely.iloc[0][c] for c in ("lever_p05", "lever_p50", "lever_p95")] == pytest.approx(list(expected))
    table = pd.read_csv(out / "uncertainty.csv")
    assert set(table.reform) == {"contracting_standards"} and (table.points == 3).all()
    summary = json.loads((out / str(int(points.job.iloc[0])) / "summary.json").read_text())
    assert 0.7 <= summary["uncertainty"]["values"]["reform.contracting_standards.contracting_work_factor"] <= 0.97
    record = json.loads((out / "report.json").read_text())
    assert {"uncertainty.csv", "uncertainty_drivers.csv", "figures/uncertainty.png", "breakeven.csv",
            "figures/breakeven.png"} <= set(record["files"])
    assert "assumptions.csv" not in record["files"]  # the strengths' reform.assume=high is not a sweep of the ends
    # the report's answer ranks the reforms at likely, not at the high end of their strengths (it led with those)
    assert list(pd.read_csv(out / "ranking.csv").label) == ["contracting_standards uncertainty.point=null"]
    # the break-even sizes from the strengths alone, each paired with none at its own strength
    be = pd.read_csv(out / "breakeven.csv").iloc[0]
    assert (be.reform, be.grid, be.pairs) == ("contracting_standards", "0 0.5 1", 2)
    by_strength = strengths[strengths.overrides.str.contains("reform=contracting_standards")]
    assert be.changes == " ".join(f"{c:+.1f}" for c in [0.0, *by_strength.diff_mean])
    for row in by_strength.itertuples():
        ref = strengths[strengths.job == row.reference_job].iloc[0]
        assert ref.overrides == row.overrides.replace("reform=contracting_standards", "reform=none")
    html = (out / "report.html").read_text()
    assert html.index("How far each reform&#x27;s effect rests on its assumptions") < html.index("<table") or \
        "How far each reform" in html
