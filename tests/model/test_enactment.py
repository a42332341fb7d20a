"""Reforms with a date and a strength (sim.model.enactment): nothing acts before the date, strength 0 is no reform,
levers interpolate, switches reach cases by their own draws (nested in strength), staff join on the date."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.config import ConfigError, compose_config, to_params
from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.rng import RandomStreams
from sim.model import reform
from sim.model.enactment import enact, levels
from sim.model.entities import ATTR_SLOTS, NORMAL, URGENT, CaseFactory
from sim.model.levers import ReformParams
from sim.model.reform import Policy
from sim.runner import simulate

SHORT = ("debug=tiny", "run.replications=1", "run.horizon_years=1", "run.warmup_years=0", "run.drain_years=8")
EVERY_KIND = ("reform=[raise_thresholds_tiger,timebox_tiered_review,dscs_workforce,more_staff,parallel_reviews,"
              "priority_partners,sdaf_prebuy,contracting_standards,industrial_capacity]")
MILESTONES = ["lor_received", "lor_complete", "loa_offered", "loa_accepted", "implemented", "contract_awarded",
              "delivered", "closed", "withdrawn"]


@pytest.fixture(scope="module")
def runs():
    """Cases of the short run without reform and with every kind of lever, in full, at strength 0, and from day T."""
    def cases(*overrides: str) -> pd.DataFrame:
        return simulate(to_params(compose_config([*SHORT, *overrides])), 0).cases

    return {"none": cases(), "full": cases(EVERY_KIND), "zero": cases(EVERY_KIND, "reform.strength=0"),
            "dated": cases(EVERY_KIND, "reform.effective=0.5")}


def test_levels_step_from_the_effective_date_through_the_phase_in():
    assert levels(ReformParams()) == [(0.0, 1.0)]  # always in effect
    assert levels(ReformParams(effective=0.0)) == [(0.0, 0.0), (0.0, 1.0)]  # enacted on day 0: staff are hired
    assert levels(ReformParams(effective=2.0, strength=0.4)) == [(0.0, 0.0), (2 * DAYS_PER_YEAR, 0.4)]
    steps = levels(ReformParams(effective=1.0, strength=0.5, phase_in_years=1.0))
    assert len(steps) == 14 and steps[0] == (0.0, 0.0)
    assert steps[1] == (DAYS_PER_YEAR, 0.5 * 0.5 / 12)  # the first month at the ramp's mean over it
    assert steps[-1] == (2 * DAYS_PER_YEAR, 0.5)
    days, lv = zip(*steps)
    assert list(days) == sorted(days) and list(lv) == sorted(lv)
    assert steps[-2][1] == pytest.approx(0.5 * 11.5 / 12, rel=1e-15)


def test_levers_interpolate_between_neutral_and_their_stated_size(compose):
    p = compose("reform=[raise_thresholds_tiger,timebox_tiered_review,dscs_workforce,sdaf_prebuy]")
    cr = p.process.congressional_review
    lv = reform.combine(p.reform.levers)
    half = reform.at_level(lv, 0.5, cr)
    assert half.mde_threshold == {"other": cr.mde_threshold["other"] + 0.5 * (23.0 - cr.mde_threshold["other"])}
    assert half.informal_review_days["other"] == cr.informal_days["other"] + 0.5 * (20.0 - cr.informal_days["other"])
    assert half.hold_cap_days == cr.hold.cap + 0.5 * (30.0 - cr.hold.cap)
    assert (half.p_incomplete_factor, half.loa_work_factor, half.sdaf_share) == (0.75, 0.975, 0.05)
    assert reform.at_level(lv, 1.0, cr) is lv
    neutral, _ = reform.apply(compose())
    zero, policy = reform.apply(p, 0.0)
    assert zero.process == neutral.process and policy.uptake == 0.0


def test_strength_zero_is_no_reform_case_by_case(runs):
    pd.testing.assert_frame_equal(runs["zero"], runs["none"])
    assert not runs["full"].equals(runs["none"])  # the levers do act in full


def test_nothing_acts_before_the_effective_date(runs):
    """Every milestone reached before the date is the same as without reform, case by case and exactly."""
    t = 0.5 * DAYS_PER_YEAR
    none, dated = runs["none"].set_index("case_id"), runs["dated"].set_index("case_id")

    def before(c: pd.DataFrame) -> pd.Series:
        m = c[MILESTONES].stack()
        return m[m < t]

    early = before(none)
    assert len(early) > 2000 and early.index.get_level_values(0).nunique() > 500
    pd.testing.assert_series_equal(before(dated), early)
    assert not dated.equals(none)


def test_open_cases_of_listed_partners_take_priority_from_the_date(runs):
    dated, none = runs["dated"], runs["none"]
    listed = dated["partner"].isin(["Taiwan", "Poland", "Israel", "Japan", "Australia", "Philippines"])
    done = dated["closed"].fillna(dated["withdrawn"])
    open_then = done.isna() | (done >= 0.5 * DAYS_PER_YEAR)
    upgraded = listed & open_then & (none["priority"] == NORMAL)
    assert upgraded.sum() > 100  # cases that were normal without the reform, open on the date
    assert (dated.loc[listed & open_then, "priority"] == URGENT).all()
    early = listed & ~open_then
    assert (dated.loc[early, "priority"] == none.loc[early, "priority"]).all()


def test_a_switch_reaches_cases_nested_in_strength():
    """A priority list at uptake u reaches a case when the case's own draw is below u: the set grows with u."""
    p = to_params(compose_config(["reform=priority_partners"]))
    streams = RandomStreams(5, 0)
    bank, uptake = streams.bank("case_attrs", 1, ATTR_SLOTS), streams.bank("reform_uptake", 1, 2)
    urgent = {}
    for u in (0.0, 0.3, 0.7, 1.0):
        factory = CaseFactory(p.demand, bank, Policy(priority_partners=("Taiwan", "Poland"), uptake=u), uptake)
        urgent[u] = {c.id for c in (factory.make(i) for i in range(3000)) if c.priority == URGENT}
    assert urgent[0.0] < urgent[0.3] < urgent[0.7] < urgent[1.0]
    share = (len(urgent[0.7]) - len(urgent[0.0])) / (len(urgent[1.0]) - len(urgent[0.0]))
    assert abs(share - 0.7) < 0.1


def test_notified_cases_are_nested_in_strength(compose):
    """Raised thresholds at strength s: every case notified at a higher strength is notified at a lower one."""
    notified = {}
    for s in ("0", "0.5", "1"):
        c = simulate(compose(*SHORT, "reform=raise_thresholds_tiger", f"reform.strength={s}"), 0).cases
        notified[s] = set(c.loc[c["notified"], "case_id"])
    assert notified["1"] < notified["0.5"] < notified["0"]


def test_a_reform_enacted_on_day_0_hires_its_people_one_always_in_effect_has_them(compose):
    """reform.effective=0 means enacted on day 0: the people join through the hiring ramp; null: always so."""
    always, _, no_epochs = enact(compose(*SHORT, "reform=more_staff"))
    dated, _, epochs = enact(compose(*SHORT, "reform=more_staff", "reform.effective=0"))
    assert no_epochs == () and [e.day for e in epochs] == [0.0]
    hired = dated.staffing.plans["case_writers"].hires
    assert [h.year for h in hired] == [0.0]
    assert dated.staffing.pools["case_writers"].headcount + hired[0].headcount == \
        always.staffing.pools["case_writers"].headcount


def test_added_staff_join_on_the_date_and_ramp_in(compose):
    p = compose(*SHORT, "reform=more_staff", "reform.effective=0.5", "reform.phase_in_years=0.25")
    applied, _, epochs = enact(p)
    full, _ = reform.apply(p)
    base, _ = reform.apply(compose(*SHORT))
    writers = applied.staffing.pools["case_writers"].headcount
    assert writers == base.staffing.pools["case_writers"].headcount
    hires = applied.staffing.plans["case_writers"].hires
    assert [round(h.year * DAYS_PER_YEAR, 6) for h in hires] == [round(e.day, 6) for e in epochs][:len(hires)]
    assert writers + sum(h.headcount for h in hires) == full.staffing.pools["case_writers"].headcount
    pools = simulate(p, 0).pools
    people = pools[pools["pool"] == "case_writers"].set_index("day")["capacity"]
    t0, t1 = 0.5 * DAYS_PER_YEAR, 0.75 * DAYS_PER_YEAR
    assert (people[people.index < t0] == writers).all()
    assert (people[people.index >= t1] == full.staffing.pools["case_writers"].headcount).all()
    during = people[(people.index >= t0) & (people.index < t1)]
    assert len(during) >= 2 and np.all(np.diff(during.to_numpy()) >= 0)


@pytest.mark.parametrize("override, message", [
    ("reform.effective=FY2100", "reform.effective=FY2100; allowed: a year of the run"),
    ("reform.effective=40", "reform.effective=40; allowed: a year of the run"),
    ("reform.strength=1.5", "reform.strength=1.5; allowed: 0 (no change) to 1"),
    ("reform.strength=nan", "reform.strength=nan: not a finite number"),
    ("reform.phase_in_years=-1", "reform.phase_in_years=-1.0; allowed: a finite number of years >= 0"),
    ("reform.effective=FY2021", "reform.effective=17; allowed: before the horizon (run.horizon_years=17, the start "
                                "of FY2021)"),  # a reform from the horizon on changes no counted LOR
    ("reform.phase_in_years=1e9", "reform.phase_in_years=1e+09; allowed: 0 to 29 (the phase-in ends by the run's "
                                  "end"),  # a phase-in past the run's end never reaches its strength
])
def test_a_bad_date_or_strength_is_refused_in_one_line(override, message):
    with pytest.raises(ConfigError) as e:
        to_params(compose_config(["reform=more_staff", override]))
    assert message in str(e.value) and "\n" not in str(e.value)


def test_a_fiscal_year_is_a_date_and_joins_the_scenario_label(compose):
    p = to_params(compose_config(["reform=more_staff", "reform.effective=FY2018"]), ["reform=more_staff",
                                                                                      "reform.effective=FY2018"])
    assert p.reform.effective == 2018 - p.run.start_fiscal_year
    assert p.scenario == "more_staff reform.effective=FY2018"
    assert not math.isnan(levels(p.reform)[1][0])
