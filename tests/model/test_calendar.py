"""sim.model.calendar: every year key takes a simulation year or a fiscal year, and a year outside the run is
refused with one line (issue 22 item 2: ``demand.shocks=[{start_year: 2027}]`` was accepted and did nothing)."""
from __future__ import annotations

import pytest

from sim.config import ConfigError, load_params
from sim.model.calendar import fiscal_years_to_run_years, year_problem

TINY = ["debug=tiny"]  # day 0 is 1 October 2003 (FY2004); horizon 2 + drain 8 years: FY2004 to FY2013


def test_fiscal_years_become_simulation_years_in_every_year_key():
    p = load_params([*TINY, "demand.shocks=[{start_year: FY2005, ramp_years: 0.5, end_year: FY2007, multiplier: 1.5}]",
                     "staffing.plans.case_managers.hires=[{year: fy2006, headcount: 2}]"])
    shock = p.demand.shocks[0]
    assert (shock.start_year, shock.end_year) == (1.0, 3.0)  # FY2005 begins 1 October 2004, a year after day 0
    assert p.staffing.plans["case_managers"].hires[0].year == 2.0
    same = load_params([*TINY, "demand.shocks=[{start_year: 1, ramp_years: 0.5, end_year: 3, multiplier: 1.5}]"])
    assert same.demand.shocks == p.demand.shocks


@pytest.mark.parametrize("override, message", [
    ("demand.shocks=[{start_year: 2027, multiplier: 1.5}]",
     r"^demand.shocks\[0\].start_year=2027; allowed: a year of the run: a simulation year from 0 to 10 \(years from "
     r"day 0, 1 October 2003\) or a fiscal year from FY2004 to FY2013$"),
    ("demand.shocks=[{start_year: FY2040, multiplier: 1.5}]", r"^demand.shocks\[0\].start_year=FY2040; allowed: a"),
    ("demand.shocks=[{start_year: FY2003, multiplier: 1.5}]", r"start_year=FY2003; allowed: a year of the run"),
    ("demand.shocks=[{start_year: FY27, multiplier: 1.5}]",
     r"start_year='FY27'; allowed: a simulation year \(a number\) or a fiscal year such as FY2005"),
    ("demand.shocks=[{start_year: true, multiplier: 1.5}]", r"start_year=True; allowed: a number \(not bool\)"),
    ("staffing.plans.case_managers.hires=[{year: 11, headcount: 2}]", r"hires\[0\].year=11; allowed: a year"),
])
def test_a_year_outside_the_run_or_not_a_year_is_refused_in_one_line(override, message):
    with pytest.raises(ConfigError, match=message):
        load_params([*TINY, override])


def test_a_library_caller_gives_numbers():
    """Fiscal years are read by the config bridge; in Python a year key is a number, and text is refused."""
    from sim import validate_params
    from sim.model.params import Shock

    p = load_params(TINY)
    p.demand.shocks = [Shock(start_year="FY2005", multiplier=1.2)]
    assert validate_params(p) == ["demand.shocks[0].start_year='FY2005'; allowed: a number (not str)"]


def test_the_conversion_on_plain_data():
    data = {"demand": {"shocks": [{"start_year": " FY2010 ", "end_year": None}]},
            "staffing": {"plans": {"a": {"hires": [{"year": 1.5}, {"year": "${x}"}]}}}}
    assert fiscal_years_to_run_years(data, 2004, 29.0) == []
    assert data["demand"]["shocks"][0] == {"start_year": 6.0, "end_year": None}
    assert data["staffing"]["plans"]["a"]["hires"] == [{"year": 1.5}, {"year": "${x}"}]  # OmegaConf's to resolve
    assert year_problem("k", 29.0, 2004, 29.0) is None and year_problem("k", -0.5, 2004, 29.0).startswith("k=-0.5;")
