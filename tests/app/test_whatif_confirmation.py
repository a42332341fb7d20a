"""The confirmation's two runs (composed through the config bridge) and its paired result, by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from sim.app.choices import Choice, effective_fiscal_year, run_overrides
from sim.app.worker import paired
from sim.commands.run import main
from sim.config import compose_config, to_scenario

T_975_1 = 12.706204736174698  # Student t, 97.5% quantile, 1 degree of freedom


def _rows(values: dict[str, list[float]], seed: int = 7) -> pd.DataFrame:
    return pd.DataFrame([{"seed": seed, "replication": r, "metric": m, "value": v}
                         for m, vs in values.items() for r, v in enumerate(vs)] +
                        [{"seed": seed, "replication": 0, "metric": "open_cases_at_horizon", "value": 1e4}])


def test_the_paired_change_by_hand():
    """Differences -2 and -1: mean -1.5, 95% interval -1.5 +- t(1) x 0.7071 / sqrt(2)."""
    ref = _rows({"lor_to_offer": [10, 12], "lor_to_contract": [100, 110], "lor_to_delivery": [300, float("nan")]})
    scen = _rows({"lor_to_offer": [8, 11], "lor_to_contract": [100, 110], "lor_to_delivery": [290, 280]})
    out = paired(ref, scen)
    offer = out["measures"]["lor_to_offer"]
    assert offer["diff_mean"] == pytest.approx(-1.5) and offer["diff_n"] == 2
    assert offer["diff_ci_high"] - offer["diff_mean"] == pytest.approx(T_975_1 * 0.5)
    assert offer["reference_mean"] == pytest.approx(11.0)
    assert out["measures"]["lor_to_contract"]["diff_mean"] == 0.0
    assert out["measures"]["lor_to_delivery"]["diff_n"] == 1  # a missing value leaves its pair out
    assert out["seed"] == 7 and out["replications"] == "0-1"


def test_the_two_runs_compose_from_cached_start_states():
    reference, scenario = run_overrides(Choice(reforms=("more_contracting_officers",), strength=0.5,
                                               headcounts={"case_writers": 100}, years_before_cohort=4))
    ref, sc = (to_scenario(compose_config(o)) for o in (reference, scenario))
    assert ref.given.reform.levers.keys() == {"none"} and ref.headcounts["case_writers"] == 90
    assert sc.headcounts["case_writers"] == 100 and sc.given.reform.strength == 0.5
    assert sc.given.reform.assume == "high" and sc.given.run.replications == 3
    assert ref.prestart is not None and sc.prestart is not None  # both go on from a cached state
    warmup = ref.given.run.warmup_years
    assert ref.start_day == pytest.approx(warmup * 365.25) and sc.start_day == pytest.approx((warmup - 4) * 365.25)
    assert effective_fiscal_year(2004, 12, 4) == 2012  # the date the page shows for it
    quick = run_overrides(Choice(headcounts={"case_writers": 100}, quick=True, replications=2))[1]
    assert to_scenario(compose_config(quick)).given.run.horizon_years == 1


def test_serve_is_a_subcommand(capsys):
    with pytest.raises(SystemExit) as e:
        main(["serve", "--help"])
    assert e.value.code == 0 and "what-if page" in capsys.readouterr().out
