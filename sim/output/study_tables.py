"""The tables a study's shape asks for, beside ``comparison.csv`` (written by ``sim.commands.report``).

* ``surface.csv``: a two-way staffing sweep, each reform's change over effort share x load (``sim.analysis.surface``);
* ``assumptions.csv``: a sweep of ``reform.assume``, each reform's change at each end of its lever ranges side by
  side, with the span from low to high (``sim.analysis.assumptions``).

A report made again on a folder that no longer has that shape leaves no stale table behind.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd

from sim.analysis.assumptions import assumption_table
from sim.analysis.surface import surface_table
from sim.output.run_dir import write_text


def write_study_tables(multirun_dir: Path, table: pd.DataFrame, files: list[str]) -> Optional[pd.DataFrame]:
    """Write the tables ``table`` (comparison.csv's rows) has the shape for, naming each in ``files``; the surface
    (for its figure), or None."""
    surface = surface_table(table)
    stale = [multirun_dir / "figures" / "staffing_surface.png"] if surface is None else []
    for name, made in (("surface.csv", surface), ("assumptions.csv", assumption_table(table))):
        if made is not None:
            write_text(multirun_dir / name, made.to_csv(index=False))
            files.append(name)
        else:
            stale.append(multirun_dir / name)
    for path in stale:
        path.unlink(missing_ok=True)
    return surface
