"""What reforms change, and when: the reform part of the parameter schema (``reform.*`` in a config).

``reform.levers`` holds the selected reforms by name (each ``configs/reform/<name>.yaml`` sets its own levers
there); ``reform.effective``, ``reform.strength`` and ``reform.phase_in_years`` say from when, how far and how fast
all of them act together (``sim.model.enactment`` holds the rules).  Defaults are neutral: no reform, in full from
the start.  No Hydra or OmegaConf import here (``sim.model.params`` re-exports these classes).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


def year_field(default: Optional[float]) -> Any:
    """A year key: a number, or in a config a fiscal year (``FY2027``) the bridge makes one (``sim.model.calendar``);
    ``Any`` for Hydra, which would refuse the text, and ``metadata["type"]`` for the checks once it is read."""
    return field(default=default, metadata={"type": float if default is not None else Optional[float]})


@dataclass
class LeverRange:
    """How far one lever's size is known (``sim.model.lever_ranges``): the smallest plausible effect (``low``,
    between no change and the lever's likely size), the largest (``high``), and where they come from."""

    low: Optional[float] = None
    high: Optional[float] = None
    tag: str = ""  # STATUTE, TARGET, MEASURED, REPORTED, UNVERIFIED or ESTIMATE
    source: str = ""


@dataclass
class CostItem:
    """A cost in $M a year, as sure as it is known (``sim.model.costs``): ``likely`` with ``low`` and ``high``, what
    it pays for, and where it comes from."""

    likely: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    what: str = ""
    tag: str = ""  # STATUTE, TARGET, MEASURED, REPORTED, UNVERIFIED or ESTIMATE
    source: str = ""
    scales_with: str = ""  # a lever of the reform the cost is proportional to (its size from no change), if any


@dataclass
class WorkforceProgram:
    """A workforce whose certified share rises as a program trains it (``sim.model.workforce_program``): the reform's
    levers are stated as their effect were every officer certified, and act in proportion to the share gained."""

    officers: Optional[float] = None  # people in the workforce
    trained_per_year_before: Optional[float] = None  # certifications a year before the program (sets today's share)
    trained_per_year: Optional[float] = None  # certifications a year under the program
    tour_years: Optional[float] = None  # a certified officer leaves after a tour, replaced by an uncertified one
    tag: str = ""
    source: str = ""


@dataclass
class OfficeRanges:
    """How far one portfolio office's two staffing assumptions are known (``staffing.ranges.<office>``)."""

    effort_share: Optional[LeverRange] = None
    design_load: Optional[LeverRange] = None


NOT_LEVERS = ("includes", "ranges", "cost", "program")  # fields of a reform that say about it, not what it changes


@dataclass
class ReformLevers:
    """What one reform changes.  Every default is neutral (no change).

    How levers from several selected reforms combine (``sim.model.reform.combine``): ``*_factor`` fields
    multiply; ``staff_factor`` multiplies per pool; lists are united; flags are or-ed;
    ``sdaf_share`` combines as independent coverage (1 - prod(1 - s)); set values (the
    threshold and time-box dicts, ``hold_cap_days``, ``sdaf_days_saved``) may be set by one
    selected reform only, otherwise the run stops with an error naming both.
    """

    includes: List[str] = field(default_factory=list)  # a package: the reforms it bundles
    mde_threshold: Dict[str, float] = field(default_factory=dict)  # set value, $M, by partner group
    total_threshold: Dict[str, float] = field(default_factory=dict)  # set value, $M, by partner group
    informal_review_days: Dict[str, float] = field(default_factory=dict)  # set value: a fixed clock
    hold_cap_days: Optional[float] = None  # set value: holds end by this many days
    p_hold_factor: float = 1.0
    p_incomplete_factor: float = 1.0
    p_requirement_change_factor: float = 1.0
    loa_work_factor: float = 1.0
    tech_release_work_factor: float = 1.0
    contracting_work_factor: float = 1.0  # scales the contracting durations (median)
    contracting_sigma_factor: float = 1.0  # scales the lognormal sigma (variability)
    staff_factor: Dict[str, float] = field(default_factory=dict)  # headcount multiplier by pool
    line_rate_factor: float = 1.0  # production-line rates
    parallel_reviews: bool = False  # technology release and policy review overlap LOA development
    priority_partners: List[str] = field(default_factory=list)  # urgent priority at every pool and line
    priority_platforms: List[str] = field(default_factory=list)
    sdaf_share: float = 0.0  # share of non-stock cases whose long-lead items were bought ahead
    sdaf_days_saved: Optional[float] = None  # set value: production days saved for those cases
    ranges: Dict[str, LeverRange] = field(default_factory=dict)  # per sized lever: low and high (lever_ranges)
    cost: Optional[CostItem] = None  # what the reform costs a year beyond added staff (fund capital, a program)
    program: Optional[WorkforceProgram] = None  # its levers ramp with a workforce's certified share (DSCS)


@dataclass
class ReformParams:
    """The selected reforms and their enactment: from ``effective`` (a year of the run; null: always in effect), at
    ``strength`` (0: neutral, 1: every lever at its stated size; partial implementation in between), reached over
    ``phase_in_years`` (0: at once).  Which lever acts on which cases from the date: ``sim.model.enactment``."""

    levers: Dict[str, ReformLevers] = field(default_factory=dict)  # selected reforms by name
    effective: Any = year_field(None)  # the year they take effect (a simulation year or FY2027); null: always
    strength: float = 1.0  # share of each lever's stated size that is implemented, 0 to 1
    phase_in_years: float = 0.0  # years from the effective date until ``strength`` is reached (a linear ramp)
    assume: str = "likely"  # each sized lever at its likely size, or the low or high end of its range
