"""The stored strength sweep the reform estimate is fitted to: a findings page, or a break-even multirun's folder.

Two sources give the same rows (a reform, a lead time, the grid of strengths and the paired change at each, as
``sim.analysis.breakeven.breakeven_table`` writes them):

- **the committed findings page** ``docs/findings/breakeven.md`` (made by ``python -m sim findings make`` from the
  break-even study), read through the table ``findings make`` keeps beside it (``breakeven/comparison.csv``: every
  lead time) and its stamp ``breakeven.json`` (the settings: ``reform.assume``, ``run.settle_years``,
  replications).  Its status line says whether the model changed since (``python -m sim findings check``), and
  the page shows it;
- **a break-even multirun's folder** (``python -m sim serve --study results/multiruns/<name>``): its
  ``comparison.csv`` gives every lead time, and its first job's ``manifest.json`` the settings.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import pandas as pd

from sim.analysis.breakeven import breakeven_table
from sim.app.fitted_estimate import Curve
from sim.app.paths import MEASURES

DOCS = Path(__file__).resolve().parents[2] / "docs"
FINDINGS_PAGE = DOCS / "findings" / "breakeven.md"


class StudyError(ValueError):
    """A source that holds no strength sweep (said in one line)."""


@dataclass(frozen=True)
class Study:
    """The curves of a stored strength sweep, by (reform, lead time), and the settings they hold at."""

    curves: Mapping[tuple[str, str], Curve]
    assume: str  # reform.assume of the sweep: strength is the share of the way to that end of each lever's range
    source: str  # where the numbers come from, for the page
    settle_years: Optional[float] = None
    replications: Optional[int] = None
    status: str = ""  # the findings page's status line (current or stale), if any
    settings: str = field(default="")

    def reforms(self) -> list[str]:
        return sorted({r for r, _ in self.curves})

    def measures(self) -> list[str]:
        return [m for m in MEASURES if any(mm == m for _, mm in self.curves)]


def curves_of(rows: Iterable[tuple[str, str, str, str]]) -> dict[tuple[str, str], Curve]:
    """Curves from (reform, lead time, grid text, changes text) rows (``"0 0.25 0.5"``, ``"+0.0 -4.1 -9.0"``)."""
    out = {}
    for reform, measure, grid, changes in rows:
        s, c = [float(v) for v in str(grid).split()], [float(v) for v in str(changes).split()]
        if len(s) != len(c) or len(s) < 2:
            raise StudyError(f"{reform}, {measure}: {len(s)} strengths and {len(c)} changes; allowed: equal, two or "
                             "more")
        out[(reform, measure)] = Curve(reform, measure, tuple(s), tuple(c))
    return out


def _rows(table: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(reform, lead time, grid, changes) of every lead time's strength sweep in a comparison table."""
    rows = []
    for m in MEASURES:
        t = breakeven_table(table, metric=m)
        if t is not None:
            rows += [(r.reform, m, r.grid, r.changes) for r in t.itertuples() if not r.context]
    return rows


def read_findings(page: Path = FINDINGS_PAGE) -> Study:
    """The curves of every lead time in the break-even findings page's kept table (``<study>/comparison.csv``
    beside the page, written by ``findings make``), with the settings of its stamp (``<page>.json``) and the page's
    status line."""
    try:
        text = page.read_text()
        stamp = json.loads(page.with_suffix(".json").read_text())
        table = pd.read_csv(page.parent / page.stem / "comparison.csv")
    except (OSError, ValueError) as e:
        raise StudyError(f"{page}: no findings page with its stamp and its kept comparison.csv beside it ({e}); "
                         "make it again with python -m sim findings make <multirun>") from None
    rows = _rows(table)
    if not rows:
        raise StudyError(f"{page}: its comparison.csv holds no strength sweep")
    settings = stamp.get("first_job_settings") or {}
    status = next((line for line in text.splitlines() if line.startswith("<!-- status -->")), "")
    status = re.sub(r"<!--.*?-->|\*\*", "", status).strip()
    run = settings.get("run") or {}
    return Study(curves_of(rows), str((settings.get("reform") or {}).get("assume", "likely")),
                 f"{page.name} ({stamp.get('command', 'a break-even study')}, made {stamp.get('made', '?')})",
                 _float(run.get("settle_years")), _int(run.get("replications")), status,
                 str((stamp.get("run") or {}).get("settings", "")))


def read_multirun(folder: Path) -> Study:
    """The curves of every lead time in a break-even multirun's ``comparison.csv`` (the sweep's other keys held
    fixed) and the settings of its first job."""
    try:
        table = pd.read_csv(folder / "comparison.csv")
        first = min((p for p in folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
        config = json.loads((first / "manifest.json").read_text()).get("config") or {}
    except (OSError, ValueError) as e:
        raise StudyError(f"{folder}: not a multirun folder with comparison.csv and its jobs' manifests ({e})") from None
    rows = _rows(table)
    if not rows:
        raise StudyError(f"{folder}: no strength sweep in comparison.csv (reform.strength over two values or more)")
    run = config.get("run") or {}
    return Study(curves_of(rows), str((config.get("reform") or {}).get("assume", "likely")),
                 f"{folder / 'comparison.csv'}", _float(run.get("settle_years")), _int(run.get("replications")))


def load_study(folder: Optional[Path] = None) -> Optional[Study]:
    """The study the page fits to: ``folder`` (a multirun) if given, else the committed findings page; None when
    neither is there (an installed copy without the docs)."""
    if folder is not None:
        return read_multirun(folder)
    return read_findings() if FINDINGS_PAGE.is_file() else None


def _float(x: Any) -> Optional[float]:
    return None if x is None else float(x)


def _int(x: Any) -> Optional[int]:
    return None if x is None else int(x)
