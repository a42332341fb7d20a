"""What every figure of fms-sim shares: matplotlib's object-oriented API, one resolution, one way to save.

Figures are ``matplotlib.figure.Figure`` objects drawn without pyplot, so no global backend is switched
and nothing stays open between figures; PNGs carry no software stamp, so the same numbers give the same
file.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

DPI = 110


def new_figure(**subplots: Any) -> tuple[Figure, Any]:
    """A figure and its axes (``Figure.subplots`` arguments, e.g. ``nrows``, ``ncols``, ``sharey``)."""
    size = subplots.pop("figsize", None)
    fig = Figure(figsize=size)
    return fig, fig.subplots(**subplots)


def save(fig: Figure, path: Path, bottom: float = 0.0) -> None:
    """Lay out (leaving ``bottom`` of the height for a figure legend) and write the PNG."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.savefig(path, dpi=DPI, metadata={"Software": None})


def wrap_label(label: str, width: int = 34) -> str:
    """``label`` in lines of about ``width`` characters, broken after a space, dot, comma, '=' or '+' (never inside
    a word, so a sweep's ``key=value`` stays readable)."""
    lines, line = [], ""
    for token in re.split(r"(?<=[ .,=+])", label):
        if line and len(line) + len(token) > width:
            lines.append(line.rstrip())
            line = ""
        line += token
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x) or label
