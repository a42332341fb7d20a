"""sim.model.workforce_program: DSCS as a workforce program whose certified share rises as it trains officers, its
levers acting with the share gained (issue 23, item 3)."""
from __future__ import annotations

import math

import pytest

from sim.config import ConfigError
from sim.engine.clock import DAYS_PER_YEAR
from sim.model.levers import WorkforceProgram
from sim.model.scenario import resolve
from sim.model.workforce_program import certified_share, level, steps

PROGRAM = WorkforceProgram(officers=1000, trained_per_year_before=200, trained_per_year=600, tour_years=4)


def test_the_certified_share_solves_its_balance_of_training_and_turnover():
    a0, a1, r = 0.2, 0.6, 0.25
    assert certified_share(PROGRAM, 0) == pytest.approx(a0 / (a0 + r))
    assert certified_share(PROGRAM, 200) == pytest.approx(a1 / (a1 + r))
    for t in (0.3, 1.0, 4.0):  # dc/dt = a1 (1 - c) - r c
        h = 1e-6
        slope = (certified_share(PROGRAM, t + h) - certified_share(PROGRAM, t - h)) / (2 * h)
        c = certified_share(PROGRAM, t)
        assert slope == pytest.approx(a1 * (1 - c) - r * c, rel=1e-5)


def test_the_level_is_the_share_gained_of_what_was_left_to_gain():
    c0, c1 = 0.2 / 0.45, 0.6 / 0.85
    assert level(PROGRAM, 0) == 0 and level(PROGRAM, math.inf) == pytest.approx((c1 - c0) / (1 - c0))
    ramp = steps(PROGRAM, 100.0)
    assert ramp[0][0] == 100.0 and all(b[1] >= a[1] for a, b in zip(ramp, ramp[1:]))
    assert ramp[-1][1] == pytest.approx(level(PROGRAM, math.inf))
    assert abs(ramp[-2][1] - ramp[-1][1]) <= 0.01 * ramp[-1][1]


def test_dscs_acts_with_its_ramp_from_its_date(compose):
    base = resolve(compose("debug=tiny")).params.process.lor_intake.p_incomplete
    p = compose("debug=tiny", "reform=dscs_workforce", "reform.effective=0.2")
    prog = p.reform.levers["dscs_workforce"].program
    s = resolve(p)
    assert s.params.process.lor_intake.p_incomplete == base  # nothing before the date
    first = s.epochs[0]
    assert first.day == pytest.approx(0.2 * DAYS_PER_YEAR)
    assert first.process.lor_intake.p_incomplete == pytest.approx(base * (1 - 0.5 * level(prog, 1 / 24)))
    last = s.epochs[-1].process.lor_intake.p_incomplete
    assert last == pytest.approx(base * (1 - 0.5 * level(prog, math.inf)), rel=1e-12)
    half = resolve(compose("debug=tiny", "reform=dscs_workforce", "reform.effective=0.2", "reform.strength=0.5"))
    assert half.epochs[-1].process.lor_intake.p_incomplete == pytest.approx(
        base * (1 - 0.5 * 0.5 * level(prog, math.inf)), rel=1e-12)


def test_another_reform_acts_in_full_while_the_program_ramps(compose):
    s = resolve(compose("debug=tiny", "reform=[dscs_workforce,contracting_standards]"))
    base = resolve(compose("debug=tiny")).params.process.contracting.work["new_procurement"].median
    assert s.params.process.contracting.work["new_procurement"].median == pytest.approx(0.8 * base)
    assert s.epochs[-1].process.contracting.work["new_procurement"].median == pytest.approx(0.8 * base)


@pytest.mark.parametrize("override,words", [
    ("reform.levers.dscs_workforce.program.tour_years=0", "reform.levers.dscs_workforce.program.tour_years=0.0; "
                                                         "allowed: a number above 0"),
    ("reform.levers.dscs_workforce.program.trained_per_year=100", "trained_per_year=100.0 is below "
                                                                  "trained_per_year_before=4000.0"),
])
def test_bad_program_numbers_are_named(compose, override, words):
    with pytest.raises(ConfigError) as e:
        compose("debug=tiny", "reform=dscs_workforce", override)
    assert words in str(e.value)
