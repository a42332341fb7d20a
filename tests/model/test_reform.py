"""The reform library: every reform moves exactly its levers; reforms compose; policies act as stated."""
from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from helpers import kept, make_case, model, start, timeline
from sim.config import CONFIG_DIR, ConfigError, compose_config, to_params
from sim.model import reform
from sim.model.entities import URGENT
from sim.runner import simulate

STAFF = {"case_writers": 1.2, "tech_reviewers": 1.2, "policy_reviewers": 1.2, "contracting_officers": 1.2}
PARTNERS = ["Taiwan", "Poland", "Israel", "Japan", "Australia", "Philippines"]
EXPECTED_LEVERS = {
    "none": {},
    "raise_thresholds_tiger": {"mde_threshold": {"other": 23.0}, "total_threshold": {"other": 83.0}},
    "raise_thresholds_hr3613": {"mde_threshold": {"other": 30.0}, "total_threshold": {"other": 55.0}},
    "timebox_tiered_review": {"informal_review_days": {"nato5": 20.0, "other": 20.0}, "hold_cap_days": 30.0},
    "dscs_workforce": {"p_incomplete_factor": 0.5, "p_requirement_change_factor": 0.6, "loa_work_factor": 0.95},
    "more_staff": {"staff_factor": STAFF},  # a package of the two below: the same levers as before the split
    "more_staff_offices": {"staff_factor": {p: 1.2 for p in ("case_writers", "tech_reviewers", "policy_reviewers")}},
    "more_contracting_officers": {"staff_factor": {"contracting_officers": 1.2}},
    "parallel_reviews": {"parallel_reviews": True},
    "priority_partners": {"priority_partners": PARTNERS},
    "sdaf_prebuy": {"sdaf_share": 0.1, "sdaf_days_saved": 365.0},
    "contracting_standards": {"contracting_work_factor": 0.8, "contracting_sigma_factor": 0.75},
    "industrial_capacity": {"line_rate_factor": 1.25},
    "tiger_team_package": {"p_incomplete_factor": 0.5, "p_requirement_change_factor": 0.6, "loa_work_factor": 0.95,
                           "contracting_work_factor": 0.8, "contracting_sigma_factor": 0.75,
                           "line_rate_factor": 1.25, "tech_release_work_factor": 0.7},
    "eo14268_package": {"parallel_reviews": True, "priority_partners": PARTNERS},
}
# what apply() changes in the parameters (dotted paths), per reform
EXPECTED_PATHS = {
    "none": set(),
    "raise_thresholds_tiger": {"process.congressional_review.mde_threshold.other",
                               "process.congressional_review.total_threshold.other"},
    "raise_thresholds_hr3613": {"process.congressional_review.mde_threshold.other",
                                "process.congressional_review.total_threshold.other"},
    "timebox_tiered_review": {"process.congressional_review.informal_days.other",
                              "process.congressional_review.hold.cap"},
    "dscs_workforce": {"process.lor_intake.p_incomplete", "process.contracting.p_requirement_change",
                       *{f"process.loa_development.work.{g}.median" for g in "ABCD"}},
    "more_staff": {f"staffing.pools.{p}.headcount" for p in STAFF},
    "more_staff_offices": {f"staffing.pools.{p}.headcount" for p in ("case_writers", "tech_reviewers",
                                                                    "policy_reviewers")},
    "more_contracting_officers": {"staffing.pools.contracting_officers.headcount"},
    "parallel_reviews": set(),
    "priority_partners": set(),
    "sdaf_prebuy": set(),
    "contracting_standards": {f"process.contracting.work.{a}.{f}" for a in ("on_contract", "new_procurement")
                              for f in ("median", "sigma")},
    "industrial_capacity": {f"staffing.production_lines.{p}" for p in
                            ("fighter_aircraft", "rotorcraft", "armored_vehicles", "air_defense")},
}


def _flat(x, prefix=""):
    if dataclasses.is_dataclass(x):
        x = dataclasses.asdict(x)
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: x}


def _changed(name: str) -> set[str]:
    base, _ = reform.apply(to_params(compose_config([])))
    new, _ = reform.apply(to_params(compose_config([f"reform={name}"])))
    a, b = _flat(base), _flat(new)
    return {k for k in a if not k.startswith("reform.") and a[k] != b.get(k)}


def test_every_reform_file_is_covered():
    assert sorted(p.stem for p in (CONFIG_DIR / "reform").glob("*.yaml")) == sorted(EXPECTED_LEVERS)


@pytest.mark.parametrize("name", sorted(EXPECTED_LEVERS))
def test_each_reform_sets_exactly_its_levers(name):
    p = to_params(compose_config([f"reform={name}"]))
    assert reform.active_levers(p.reform.levers) == EXPECTED_LEVERS[name]
    assert reform.label(p.reform.levers) == name


@pytest.mark.parametrize("name", sorted(EXPECTED_PATHS))
def test_each_reform_moves_exactly_the_parameters_it_says(name):
    assert _changed(name) == EXPECTED_PATHS[name]


def test_every_reform_file_opens_with_its_source_and_tags():
    for path in (CONFIG_DIR / "reform").glob("*.yaml"):
        head = path.read_text().split("\n\n")[0] if path.stem != "none" else path.read_text()
        assert head.startswith("#"), path
        if path.stem not in ("none", "parallel_reviews", "eo14268_package"):
            assert "[ESTIMATE" in head or "[REPORTED" in head, path


def test_two_reforms_on_the_same_multiplier_compose():
    p = to_params(compose_config(["reform=[contracting_standards,more_staff]"]))
    p.reform.levers["extra"] = reform.ReformLevers(contracting_work_factor=0.5, staff_factor={"case_writers": 1.5})
    lv = reform.combine(p.reform.levers)
    assert lv.contracting_work_factor == pytest.approx(0.4)
    assert lv.staff_factor["case_writers"] == pytest.approx(1.8)
    applied, _ = reform.apply(p)
    assert applied.staffing.pools["case_writers"].headcount == round(p.staffing.pools["case_writers"].headcount * 1.8)
    assert applied.process.contracting.work["new_procurement"].median == pytest.approx(240 * 0.4)


def test_two_reforms_setting_the_same_threshold_are_refused():
    with pytest.raises(ConfigError, match="conflicts with reform.levers.raise_thresholds_tiger"):
        to_params(compose_config(["reform=[raise_thresholds_tiger,raise_thresholds_hr3613]"]))


def test_combined_label_lists_top_level_reforms():
    p = to_params(compose_config(["reform=[dscs_workforce,more_staff]"]))
    assert reform.label(p.reform.levers) == "dscs_workforce+more_staff"
    p = to_params(compose_config(["reform=[more_staff,tiger_team_package]"]))
    assert reform.label(p.reform.levers) == "more_staff+tiger_team_package"


def test_sdaf_coverage_combines_as_independent_shares():
    lv = reform.combine({"a": reform.ReformLevers(sdaf_share=0.1), "b": reform.ReformLevers(sdaf_share=0.2)})
    assert lv.sdaf_share == pytest.approx(1 - 0.9 * 0.8)


def test_parallel_reviews_overlap_loa_development(det_params):
    _, policy = reform.apply(det_params)
    m = model(det_params)
    m.policy = dataclasses.replace(policy, parallel_reviews=True)
    start(m, make_case(tech_release=True))
    m.env.run()
    t = {s: (a, b, f) for s, a, b, f in timeline(m, 0)}
    assert t["tech_release"] == (3, 3, 33)
    assert t["loa_development"] == (3, 3, 83)
    assert t["policy_review"] == (3, 3, 23)
    assert t["offer_acceptance"][0] == 83  # the longest branch decides (sequential: 3+30+80+20 = 133)


def test_sdaf_saves_production_days(det_params):
    m = model(det_params)
    m.policy = reform.Policy(sdaf_days_saved=300)
    c = start(m, make_case(sdaf=True))
    m.env.run()
    prod = [v for v in timeline(m, 0) if v[0] == "production"]
    assert prod[0][3] - prod[0][2] == 365 - 300
    assert c.delivered == 402 - 240 + 45 + 65 + 45  # on-contract: contracting 45 -> 207, production 65, delivery 45


def test_priority_partners_get_urgent_priority(compose):
    short = ("debug=tiny", "run.horizon_years=0.5", "run.warmup_years=0", "run.drain_years=0.1")
    p = compose("reform=priority_partners", *short)
    cases = simulate(p, 0).cases
    listed = cases["partner"].isin(PARTNERS)
    assert (cases.loc[listed, "priority"] == URGENT).all()
    base = simulate(compose(*short), 0).cases
    # the others keep the priority they drew (common random numbers)
    pd.testing.assert_series_equal(cases.loc[~listed, "priority"], base.loc[~listed, "priority"])


@pytest.mark.parametrize("name", ["parallel_reviews", "more_staff", "timebox_tiered_review", "dscs_workforce"])
def test_same_replication_sees_the_same_cases_in_every_scenario(compose, name):
    args = ("debug=tiny", "run.replications=1", "run.horizon_years=1", "run.drain_years=0.1")
    a = simulate(compose(*args), 0).cases
    b = simulate(compose(*args, f"reform={name}"), 0).cases
    cols = ["case_id", "lor_received", "partner", "loa_group", "value_musd", "mde_musd", "tech_release",
            "acquisition", "platform", "quantity"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_timebox_caps_the_hold(det_params):
    det_params.process.congressional_review.p_hold = 1.0 - 1e-9
    det_params.reform.levers = {"timebox": reform.ReformLevers(hold_cap_days=30, informal_review_days={"other": 20})}
    applied, _ = reform.apply(det_params)
    m = model(applied)
    start(m, make_case(value_musd=60.0))
    m.env.run()
    review = [v for v in timeline(m, 0) if v[0] == "congressional_review"]
    assert review == [("congressional_review", 103, 103, 103 + 20 + 30 + 30)]
    assert not math.isnan(kept(m).cases[0].closed)


@pytest.mark.parametrize("name, changed", [("parallel_reviews", set()),
                                           ("timebox_tiered_review", {"congressional_review"}),
                                           ("more_staff", set())])
def test_same_replication_sees_the_same_per_case_draws(compose, name, changed):
    """Every stage's service time of every case is the same in the reform as in the baseline,
    except at the stages the reform changes, although it reorders who waits where.  (Amendments and
    modifications are keyed by their own number, not by visit order: tests/model/test_documents.py.)"""
    args = ("debug=tiny", "run.replications=1", "run.horizon_years=1", "run.drain_years=8", "run.records=full")
    a = simulate(compose(*args), 0).visits
    b = simulate(compose(*args, f"reform={name}"), 0).visits

    def durations(v):
        v = v.assign(visit=v.groupby(["case_id", "stage"]).cumcount(), d=v["effort"] + v["waits"])  # the drawn time
        keep = ~v["stage"].isin(changed) & ~v["stage"].str.startswith(("amendment", "modification"))
        return v[keep].set_index(["case_id", "stage", "visit"])["d"].sort_index()

    da, db = durations(a), durations(b)
    common = da.index.intersection(db.index)
    assert len(common) > 0.99 * len(da)
    pd.testing.assert_series_equal(da.loc[common], db.loc[common])
