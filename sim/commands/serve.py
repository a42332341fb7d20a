"""``python -m sim serve [--port N] [--study DIR] [--no-browser]``: the what-if page in the browser (``sim.app``)."""
from __future__ import annotations

from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    from sim.app.launch import main as launch

    return launch(argv)
