"""Typed parameters of the FMS model, and their validation.

These dataclasses are the single source of truth for every parameter: Hydra uses them as
its structured-config schema (``sim.config``) so types and key names are checked when the
config is composed, and the model receives them as plain Python objects.  Defaults here are
*neutral* (zeros, empty lists); the real, sourced defaults live in ``configs/`` with a comment
naming each figure's source and tag.  No Hydra or OmegaConf import here.

They stay mutable (Hydra cannot override a frozen structured config); every rule on their values is
in :mod:`sim.model.checks`, and the model receives a resolved copy that is read-only all the way down
(:func:`sim.model.scenario.resolve`, :mod:`sim.model.frozen`).

Why the rules are hand-written, not a pydantic model (issue 21 asked): these dataclasses must stay Hydra's schema
(Hydra 1.3 takes dataclasses, not pydantic models, as structured configs), so pydantic would mean a second schema
kept in step by hand; most rules that have caught real failures are derived or cross-field (sums of weights that
overflow, a distribution's moments after reforms scale it, attention weights a shared clock cannot progress
under, a headcount after scale and sizing), which pydantic would hold as hand-written validators anyway; and every
message keeps one format, ``<full key>=<value>; allowed: ...``, all problems at once.  A JSON Schema for a form can
be generated from these dataclasses when the what-if page needs one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from sim.engine.distributions import Dist
from sim.model.levers import CostItem, OfficeRanges, ReformParams, year_field
from sim.model.levers import ReformLevers as ReformLevers  # re-exported: the schema names it here too
from sim.model.run_params import BreakevenParams, PrecisionParams, RunParams, SensitivityPoint, UncertaintyParams

PARTNER_GROUPS = ("nato5", "other")
FMS_GROUPS = ("A", "B", "C")  # the groups of partner-funded LOAs, drawn by share
LOA_GROUPS = (*FMS_GROUPS, "D")  # SAMM Group D: Building Partner Capacity (BPC) documents
FUNDING = ("fms", "bpc")
DOCUMENTS = ("amendment", "modification")
ACQUISITION_TYPES = ("stock", "on_contract", "new_procurement")
POOLS = ("case_managers", "tech_reviewers", "case_writers", "policy_reviewers", "contracting_officers")
RECORDS = ("full", "cases", "summary")
AFTER_HORIZON = ("arrivals", "drain")  # run.after_horizon



# ---------------------------------------------------------------- demand
@dataclass
class Partner:
    name: str = ""
    group: str = "other"  # nato5 | other
    weight: float = 0.0


@dataclass
class Platform:
    """A major-platform family with its own production line (line rate in staffing)."""

    name: str = ""
    weight: float = 0.0
    quantity: Dist = field(default_factory=Dist)


@dataclass
class GroupMix:
    """Attributes of cases in one LOA group (A, B or C by share; D: the BPC cases)."""

    share: float = 0.0  # of partner-funded (FMS) LORs; Group D's must be 0 (its cases come from demand.bpc)
    value: Dist = field(default_factory=Dist)  # total case value, $M
    p_mde: float = 0.0  # probability the case includes major defense equipment
    mde_fraction: Dist = field(default_factory=Dist)  # MDE value / case value, when it has MDE
    p_tech_release: float = 0.0
    acquisition: Dict[str, float] = field(default_factory=dict)  # stock / on_contract / new_procurement
    p_major_platform: float = 0.0  # given new procurement


@dataclass
class Shock:
    """A change in the LOR rate: ramps linearly to ``multiplier`` over ``ramp_years`` from ``start_year``,
    holds until ``end_year`` (null: to the end), then returns to 1."""

    start_year: Any = year_field(0.0)
    ramp_years: float = 0.0
    multiplier: float = 1.0
    end_year: Any = year_field(None)


@dataclass
class Growth:
    """From fiscal year ``from_fiscal_year`` on, the LOR rate grows by ``per_year`` (compound)."""

    from_fiscal_year: int = 0
    per_year: float = 0.0


@dataclass
class BpcParams:
    """Building Partner Capacity ("pseudo-LOA") cases: funded by U.S. appropriations that expire, SAMM Group D."""

    share: float = 0.0  # share of all LORs (over a year) that are BPC
    seasonal: List[float] = field(default_factory=lambda: [1.0] * 12)  # relative BPC rate by month, October first
    partners: List[Partner] = field(default_factory=list)  # recipients of BPC cases


@dataclass
class DemandParams:
    lor_per_year: float = 0.0  # all LORs: partner-funded (FMS) and BPC
    growth_per_year: float = 0.0  # compound yearly growth of the LOR rate from day 0
    growth_by_fiscal_year: List[Growth] = field(default_factory=list)  # later growth rates, by fiscal year
    seasonal: List[float] = field(default_factory=lambda: [1.0] * 12)  # relative rate by month
    envelope: float = 2.0  # candidate-stream rate / base rate (thinning envelope)
    urgent_share: float = 0.0
    partners: List[Partner] = field(default_factory=list)
    value_factor: Dict[str, float] = field(default_factory=dict)  # case value multiplier by partner group
    groups: Dict[str, GroupMix] = field(default_factory=dict)
    platforms: List[Platform] = field(default_factory=list)
    shocks: List[Shock] = field(default_factory=list)
    bpc: BpcParams = field(default_factory=BpcParams)


# ---------------------------------------------------------------- process
@dataclass
class LorIntakeParams:
    work: Dist = field(default_factory=Dist)
    p_incomplete: float = 0.0
    rework: Dist = field(default_factory=Dist)  # partner + SCO fix the LOR (a delay)


@dataclass
class TechReleaseParams:
    work: Dist = field(default_factory=Dist)


@dataclass
class LoaDevelopmentParams:
    work: Dict[str, Dist] = field(default_factory=dict)  # by LOA group; includes policy review


@dataclass
class PolicyReviewParams:
    share_of_loa_work: float = 0.0  # part of the LOA-development figure that is review


@dataclass
class CongressionalReviewParams:
    mde_threshold: Dict[str, float] = field(default_factory=dict)  # by partner group, $M
    total_threshold: Dict[str, float] = field(default_factory=dict)
    informal_days: Dict[str, float] = field(default_factory=dict)
    formal_days: Dict[str, float] = field(default_factory=dict)
    p_hold: float = 0.0
    hold: Dist = field(default_factory=Dist)
    notify_bpc: bool = False  # BPC cases are not AECA 36(b) sales


@dataclass
class OfferAcceptanceParams:
    acceptance: Dist = field(default_factory=Dist)
    offer_expiry_days: float = 85.0
    p_expire: float = 0.0
    p_restate: float = 1.0  # given expiry
    p_withdraw: float = 0.0  # given expiry
    restate_share: float = 0.0  # share of LOA development and policy review redone
    bpc_acceptance: Dist = field(default_factory=Dist)  # BPC (Group D) cases: U.S. acceptance of the pseudo-LOA
    bpc_offer_expiry_days: float = 30.0  # BPC offer expiration


@dataclass
class DelayParams:
    work: Dist = field(default_factory=Dist)


@dataclass
class ContractingParams:
    work: Dict[str, Dist] = field(default_factory=dict)  # on_contract / new_procurement
    p_requirement_change: float = 0.0
    change_delay: Dist = field(default_factory=Dist)
    change_rework_share: float = 0.0


@dataclass
class ProductionParams:
    lead_time: Dict[str, Dist] = field(default_factory=dict)  # standard / major_platform


@dataclass
class DocumentParams:
    """Amendments (scope changes) or modifications (no scope change) of implemented cases.

    Each case's document times are drawn at creation, as a Poisson stream from its LOR at ``per_year`` of its
    group; a document happens only while its parent is implemented and not yet closed.
    """

    per_year: Dict[str, float] = field(default_factory=dict)  # by LOA group of the parent
    work_share: float = 0.0  # share of a fresh LOA work-content draw that the document needs
    work_group: Dict[str, str] = field(default_factory=dict)  # whose group's LOA work it draws (default: own)
    value_share: Dist = field(default_factory=Dist)  # value added / parent value
    p_enhancement: float = 0.0  # amendments of notified cases that enhance or upgrade capability


@dataclass
class ProcessParams:
    lor_intake: LorIntakeParams = field(default_factory=LorIntakeParams)
    tech_release: TechReleaseParams = field(default_factory=TechReleaseParams)
    loa_development: LoaDevelopmentParams = field(default_factory=LoaDevelopmentParams)
    policy_review: PolicyReviewParams = field(default_factory=PolicyReviewParams)
    congressional_review: CongressionalReviewParams = field(default_factory=CongressionalReviewParams)
    offer_acceptance: OfferAcceptanceParams = field(default_factory=OfferAcceptanceParams)
    implementation: DelayParams = field(default_factory=DelayParams)
    contracting: ContractingParams = field(default_factory=ContractingParams)
    production: ProductionParams = field(default_factory=ProductionParams)
    delivery: DelayParams = field(default_factory=DelayParams)
    closure: DelayParams = field(default_factory=DelayParams)
    amendments: DocumentParams = field(default_factory=DocumentParams)
    modifications: DocumentParams = field(default_factory=DocumentParams)


# ---------------------------------------------------------------- staffing
DISCIPLINES = ("slots", "portfolio")


@dataclass
class PoolStaff:
    """One office.  ``slots``: ``headcount x caseload`` slots, each held for a case's whole stage time.
    ``portfolio``: ``headcount`` people, each sharing their effort among a portfolio of cases
    (``sim.engine.portfolio``); a case's drawn stage time ``D`` splits into hands-on effort ``effort_share x D``
    (person-days) and waits on others ``D x (1 - effort_share / (1 - design_load))``, so that at the design
    load (processor sharing stretches effort by ``1 / (1 - load)``) the mean stage time is still ``D``."""

    headcount: int = 0
    caseload: int = 1  # slots: cases one person works on at once; portfolio: the comfortable number of cases
    discipline: str = "slots"  # slots | portfolio
    effort_share: float = 1.0  # portfolio: hands-on effort as a share of the drawn stage time
    design_load: float = 0.0  # portfolio: per-person load the office is staffed for (sets the waits on others)
    pooling: float = 0.0  # portfolio: share of cases that go to the least-loaded person instead of their desk
    max_cases: Optional[int] = None  # portfolio: cap on a person's cases (None: no cap); above it, the backlog
    switching_cost: float = 0.0  # portfolio: productivity lost per case above ``caseload``: p / (1 + k x excess)

    def wait_share(self) -> float:
        """Waits on others as a share of the drawn stage time (portfolio discipline)."""
        return max(0.0, 1.0 - self.effort_share / (1.0 - self.design_load))


@dataclass
class Hire:
    year: Any = year_field(0.0)
    headcount: int = 0


@dataclass
class StaffPlan:
    """Staffing over time for one pool: hires at given years, attrition, and new hires' productivity ramp."""

    hires: List[Hire] = field(default_factory=list)
    attrition_per_year: float = 0.0  # share of staff leaving per year (continuous)
    backfill: bool = False  # leavers are replaced at once by new hires (who then ramp up)
    ramp_years: float = 0.0  # time for a new hire to reach full productivity
    ramp_start: float = 0.5  # productivity of a new hire on day one (share of a trained person)


@dataclass
class StaffingParams:
    pools: Dict[str, PoolStaff] = field(default_factory=dict)
    production_lines: Dict[str, float] = field(default_factory=dict)  # units per year, by platform
    scale: Dict[str, float] = field(default_factory=dict)  # headcount multiplier by pool (for sweeps)
    plans: Dict[str, StaffPlan] = field(default_factory=dict)  # time-varying staffing by pool
    plan_step_days: float = 30.0  # how often planned capacity is updated
    priority_attention: float = 1.0  # portfolio pools: attention weight of an urgent case (others 1)
    # re-size portfolio offices to this per-person load (sim/model/sizing.py); None: the stated headcounts
    size_to_load: Optional[float] = None
    effort_share: Optional[float] = None  # if set, every portfolio office's effort share (for sweeps)
    stage_days_per_day: Dict[str, float] = field(default_factory=dict)  # measured in the baseline, by pool
    # per portfolio office, how far its effort share and design load are known: low and high with tag and source
    # (staffing.ranges.case_writers.effort_share.high=0.2; the staffing surface spans them; rules: lever_ranges)
    ranges: Dict[str, OfficeRanges] = field(default_factory=dict)
    # per office, what a person-year costs in $M (salary and burden; sim/model/costs.py): what added staff costs
    person_year_cost: Dict[str, CostItem] = field(default_factory=dict)


# ---------------------------------------------------------------- run
@dataclass
class Params:
    seed: int = 0
    study: str = "baseline"
    run: RunParams = field(default_factory=RunParams)
    demand: DemandParams = field(default_factory=DemandParams)
    process: ProcessParams = field(default_factory=ProcessParams)
    staffing: StaffingParams = field(default_factory=StaffingParams)
    reform: ReformParams = field(default_factory=ReformParams)  # selected reforms, their date and strength
    reference: str = "none"  # scenario label that studies compare against
    question: str = ""  # the question a study answers (set by experiment files)
    scenario: str = ""  # explicit scenario label; empty: derived from the reforms and sweep overrides
    start: Optional[str] = None  # a state of open cases to start from: a name in configs/states/ or a file (sim.states)
    sensitivity: Optional[SensitivityPoint] = None  # set for jobs of a sensitivity study
    precision: PrecisionParams = field(default_factory=PrecisionParams)  # for hydra/sweeper=precision
    # a point of an uncertainty study: every ranged input drawn (sim.model.uncertainty); point None: likely values
    uncertainty: UncertaintyParams = field(default_factory=UncertaintyParams)
    breakeven: BreakevenParams = field(default_factory=BreakevenParams)  # what a break-even study's report asks
