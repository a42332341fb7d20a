"""sim.model.lever_ranges: every sized lever of every shipped reform has a range with its tag and source, and
``reform.assume`` runs the reforms at either end of them (issue 23, item 1)."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest

from sim.model.checks import validate_params
from sim.model.lever_ranges import TAGS, sized
from sim.model.levers import LeverRange
from sim.model.scenario import resolve

REFORMS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "configs" / "reform").glob("*.yaml"))


@pytest.mark.parametrize("name", REFORMS)
def test_every_sized_lever_of_a_shipped_reform_has_a_sourced_range(name, compose):
    p = compose("debug=tiny", f"reform={name}")
    for reform, lv in p.reform.levers.items():
        assert set(lv.ranges) == set(sized(lv)), reform
        for path, r in lv.ranges.items():
            assert r.tag in TAGS and len(r.source) > 20, f"{reform}.{path}"
    for end in ("low", "high"):
        p.reform.assume = end
        assert validate_params(p) == []


def test_contracting_standards_low_end_is_close_to_no_change(compose):
    """The DoD IG traced none of 18 reviewed acquisition delays to the acquisition process itself."""
    medians = {}
    for end in ("low", "likely", "high"):
        s = resolve(compose("debug=tiny", "reform=contracting_standards", f"reform.assume={end}"))
        medians[end] = s.params.process.contracting.work["new_procurement"].median
    base = resolve(compose("debug=tiny")).params.process.contracting.work["new_procurement"].median
    assert base > medians["low"] > medians["likely"] > medians["high"]
    assert medians["low"] >= 0.95 * base
    assert medians["likely"] == pytest.approx(0.8 * base, rel=1e-12)


def test_a_zero_width_range_runs_exactly_the_point(compose):
    """A bill's thresholds are its text: low = likely = high, so every end resolves to the same scenario."""
    point = resolve(compose("debug=tiny", "reform=raise_thresholds_tiger"))
    for end in ("low", "high"):
        other = resolve(compose("debug=tiny", "reform=raise_thresholds_tiger", f"reform.assume={end}"))
        assert other.params.process == point.params.process and other.policy == point.policy
        assert other.headcounts == point.headcounts


def test_staff_and_package_ranges_reach_the_run(compose):
    low = resolve(compose("debug=tiny", "reform=more_staff", "reform.assume=low"))
    likely = resolve(compose("debug=tiny", "reform=more_staff"))
    none = resolve(compose("debug=tiny"))
    for office in ("case_writers", "contracting_officers"):
        assert none.headcounts[office] < low.headcounts[office] < likely.headcounts[office]
    pkg = resolve(compose("debug=tiny", "reform=tiger_team_package", "reform.assume=high"))
    lines = resolve(compose("debug=tiny", "reform=industrial_capacity", "reform.assume=high"))
    assert pkg.params.staffing.production_lines == lines.params.staffing.production_lines  # the bundled reform's


def _edited(compose, edit):
    p = copy.deepcopy(compose("debug=tiny", "reform=contracting_standards"))
    edit(p.reform.levers["contracting_standards"])
    return validate_params(p)


K = "reform.levers.contracting_standards"


@pytest.mark.parametrize("edit, message", [
    (lambda lv: lv.ranges.update(loa_work_speed=LeverRange(1.0, 0.9, "ESTIMATE", "x")),
     f"{K}.ranges.loa_work_speed: no such lever; allowed: a range for each lever the reform sets"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "low", 0.75),
     f"{K}.ranges.contracting_work_factor.low=0.75; allowed: from no change (1) to likely (0.8)"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "low", 1.1),
     f"{K}.ranges.contracting_work_factor.low=1.1; allowed: from no change (1) to likely (0.8)"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "high", 0.9),
     f"{K}.ranges.contracting_work_factor.high=0.9; allowed: likely (0.8) or further from no change (1); a value "
     f"set by hand runs as a point without its range: ~{K}.ranges.contracting_work_factor"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "tag", "GUESS"),
     f"{K}.ranges.contracting_work_factor.tag='GUESS'; allowed: STATUTE, TARGET"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "source", " "),
     f"{K}.ranges.contracting_work_factor.source is empty"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "high", None),
     f"{K}.ranges.contracting_work_factor: low and high are both needed"),
    (lambda lv: setattr(lv.ranges["contracting_work_factor"], "high", -0.5),
     f"{K} (at reform.assume=high).contracting_work_factor=-0.5; allowed: >= 0"),
])
def test_each_range_rule_names_its_key(compose, edit, message):
    problems = _edited(compose, edit)
    assert any(m.startswith(message) for m in problems), problems


def test_assume_takes_three_values(compose):
    p = compose("debug=tiny")
    p.reform.assume = "medium"
    assert "reform.assume='medium'; allowed: likely, low, high" in validate_params(p)


def test_a_lever_set_by_hand_without_a_range_stays_at_its_value(compose):
    low = resolve(compose("debug=tiny", "reform=contracting_standards", "reform.assume=low",
                          "reform.levers.contracting_standards.loa_work_factor=0.9"))
    likely = resolve(compose("debug=tiny", "reform=contracting_standards",
                             "reform.levers.contracting_standards.loa_work_factor=0.9"))
    assert low.params.process.loa_development.work == likely.params.process.loa_development.work
    assert low.params.process.contracting.work != likely.params.process.contracting.work


def test_every_portfolio_office_has_sourced_ranges_for_its_two_assumptions(compose):
    """Issue 23, item 2: effort share and design load per office, each with a range; case writers' anchored on
    DSCA's 2-day figure."""
    p = compose("debug=tiny")
    offices = [n for n, s in p.staffing.pools.items() if s.discipline == "portfolio"]
    assert set(p.staffing.ranges) == set(offices)
    assert all(r.effort_share is not None and r.design_load is not None for r in p.staffing.ranges.values())
    writers = p.staffing.ranges["case_writers"].effort_share
    assert writers.low <= 0.035 <= writers.high and "2 days" in writers.source


def test_the_staffing_surface_spans_the_case_writers_ranges(compose):
    import yaml

    study = yaml.safe_load((Path(__file__).resolve().parents[2] / "experiments" / "staffing_surface.yaml").read_text())
    sweep = study["hydra"]["sweeper"]["params"]
    shares = [float(v) for v in str(sweep["staffing.effort_share"]).split(",")]
    loads = [float(v) for v in str(sweep["staffing.size_to_load"]).split(",")]
    r = compose("debug=tiny").staffing.ranges
    assert min(shares) <= 0.035 and 0.1 in shares and max(shares) == r["case_writers"].effort_share.high
    assert min(loads) == r["case_writers"].design_load.low and max(loads) == r["case_writers"].design_load.high
    assert 0.75 in loads


@pytest.mark.parametrize("office, key, value, message", [
    ("case_writers", "effort_share", LeverRange(0.2, 0.3, "ESTIMATE", "x"),
     "staffing.ranges.case_writers.effort_share: low=0.2, high=0.3; allowed: 0 < low <= the office's effort_share "
     "(0.1) <= high < 1"),
    ("typists", "design_load", LeverRange(0.1, 0.2, "ESTIMATE", "x"), "staffing.ranges.typists: no office of that"),
    ("case_writers", "design_load", LeverRange(0.6, 0.85, "GUESS", "x"),
     "staffing.ranges.case_writers.design_load.tag"),
])
def test_each_staffing_range_rule_names_its_key(compose, office, key, value, message):
    from sim.model.levers import OfficeRanges

    p = copy.deepcopy(compose("debug=tiny"))
    p.staffing.ranges.setdefault(office, OfficeRanges())
    setattr(p.staffing.ranges[office], key, value)
    assert any(m.startswith(message) for m in validate_params(p)), validate_params(p)


def test_a_lever_set_back_to_no_change_by_hand_keeps_no_range(compose):
    """Switching one lever off to isolate the other (a new user's find: it was refused as 'not set')."""
    off = compose("debug=tiny", "reform=contracting_standards", "reform.assume=high",
                  "reform.levers.contracting_standards.contracting_work_factor=1.0")
    assert validate_params(off) == []
    s = resolve(off)
    base = resolve(compose("debug=tiny")).params.process.contracting.work["new_procurement"]
    assert s.params.process.contracting.work["new_procurement"].median == base.median  # off, at every end
    assert s.params.process.contracting.work["new_procurement"].sigma == pytest.approx(base.sigma * 0.6)


def test_a_value_outside_its_range_runs_as_a_point_once_the_range_is_dropped(compose):
    lever = "reform.levers.contracting_standards.contracting_work_factor=0.6"
    drop = "~reform.levers.contracting_standards.ranges.contracting_work_factor"
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match=re.escape(drop)):
        compose("debug=tiny", "reform=contracting_standards", lever)
    q = compose("debug=tiny", "reform=contracting_standards", drop, lever)
    assert validate_params(q) == []


def test_a_grouped_lever_set_back_to_no_change_stays_off_at_every_end(compose):
    """A breaker's find: staff_factor.case_writers=1 by hand was moved back to 1.2 at reform.assume=high."""
    on = resolve(compose("debug=tiny", "reform=more_staff_offices", "reform.assume=high"))
    off = resolve(compose("debug=tiny", "reform=more_staff_offices", "reform.assume=high",
                          "reform.levers.more_staff_offices.staff_factor.case_writers=1"))
    none = resolve(compose("debug=tiny"))
    assert off.headcounts["case_writers"] == none.headcounts["case_writers"] < on.headcounts["case_writers"]
    assert off.headcounts["policy_reviewers"] == on.headcounts["policy_reviewers"]


def test_a_threshold_range_names_the_process_value_it_is_measured_from(compose):
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match=re.escape("(no change is the process's own value, "
                                                    "process.congressional_review.informal_days.other)")):
        compose("debug=tiny", "reform=timebox_tiered_review", "process.congressional_review.informal_days.other=25")


def test_a_staffing_range_is_set_from_the_command_line(compose):
    p = compose("debug=tiny", "staffing.ranges.case_writers.effort_share.high=0.2")
    assert p.staffing.ranges["case_writers"].effort_share.high == 0.2
