"""The tables a study's shape asks for, beside ``comparison.csv`` (written by ``sim.commands.report``).

* ``surface.csv``: a two-way staffing sweep, each reform's change over effort share x load (``sim.analysis.surface``);
* ``assumptions.csv``: a sweep of ``reform.assume``, each reform's change at each end of its lever ranges side by
  side, with the span from low to high (``sim.analysis.assumptions``);
* ``uncertainty.csv`` and ``uncertainty_drivers.csv``: an uncertainty study, each reform's change at likely beside
  its percentiles over the design points, and the inputs that drive the spread (``sim.analysis.uncertainty``);
* ``breakeven.csv``: a sweep of ``reform.strength``, the strength (and levers, added people) at which each reform
  saves the target days, with its interval, or "not reachable within the range" (``sim.analysis.breakeven``).

A report made again on a folder that no longer has that shape leaves no stale table or figure behind.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping, Sequence

import pandas as pd

from sim.analysis.assumptions import assumption_table
from sim.analysis.breakeven import breakeven_table, levers_of, question
from sim.analysis.surface import surface_table
from sim.analysis.uncertainty import driver_table, lever_table
from sim.output.run_dir import write_text

FIGURES = ("staffing_surface.png", "uncertainty.png", "breakeven.png")


def write_study_tables(multirun_dir: Path, table: pd.DataFrame, files: list[str],
                       jobs: Sequence[Mapping] = ()) -> Callable[[Path], list]:
    """Write the tables ``table`` (comparison.csv's rows; ``jobs``: the job records, for what their summaries ask)
    has the shape for, naming each in ``files``; returns what draws the study's own figures into a folder (a list
    of ``ReportFigure``s, the lead one first)."""
    surface, levers = surface_table(table), lever_table(table)
    target, metric = question(jobs)
    strengths = breakeven_table(table, levers_of(jobs, table), target, metric)
    made = {"surface.csv": surface, "assumptions.csv": assumption_table(table), "uncertainty.csv": levers,
            "uncertainty_drivers.csv": driver_table(table) if levers is not None else None,
            "breakeven.csv": strengths}
    for name, frame in made.items():
        if frame is not None:
            write_text(multirun_dir / name, frame.to_csv(index=False))
            files.append(name)
        else:
            (multirun_dir / name).unlink(missing_ok=True)
    for name in FIGURES:
        (multirun_dir / "figures" / name).unlink(missing_ok=True)

    def figures(out: Path) -> list:
        drawn = []
        if levers is not None and not levers.empty:
            from sim.output.uncertainty_figure import uncertainty_figure

            drawn.append(uncertainty_figure(levers, out))
        if surface is not None and not surface.empty:
            from sim.output.surface_figure import surface_figure

            drawn.append(surface_figure(surface, out))
        if strengths is not None and not strengths.empty:
            from sim.output.breakeven_figure import breakeven_figure

            drawn.append(breakeven_figure(strengths, out))
        return drawn

    return figures
