"""The AECA 36(b) notification rule: cases on both sides of every threshold, both partner groups."""
from __future__ import annotations

import pytest

from sim.model.process.congressional_review import is_notified

# (partner group, total $M, MDE $M, notified?) against the statutory defaults:
# other: MDE >= 14 or total >= 50; NATO+5: MDE >= 25 or total >= 100
TABLE = [
    ("other", 49.99, 0.0, False),
    ("other", 50.0, 0.0, True),
    ("other", 50.01, 0.0, True),
    ("other", 30.0, 13.99, False),
    ("other", 30.0, 14.0, True),
    ("other", 30.0, 14.01, True),
    ("nato5", 99.99, 0.0, False),
    ("nato5", 100.0, 0.0, True),
    ("nato5", 60.0, 24.99, False),
    ("nato5", 60.0, 25.0, True),
    ("nato5", 60.0, 14.0, False),  # above the other-group MDE threshold, below NATO+5's
    ("nato5", 50.0, 0.0, False),  # above the other-group total threshold, below NATO+5's
    ("other", 0.0, 0.0, False),
]


@pytest.mark.parametrize("group, total, mde, notified", TABLE)
def test_notification_rule(baseline_params, group, total, mde, notified):
    assert is_notified(baseline_params.process.congressional_review, group, total, mde) is notified


def test_thresholds_are_configurable(compose):
    p = compose("process.congressional_review.total_threshold.other=83",
                "process.congressional_review.mde_threshold.other=23")
    c = p.process.congressional_review
    assert not is_notified(c, "other", 82.9, 22.9)
    assert is_notified(c, "other", 83.0, 0.0)
    assert is_notified(c, "other", 10.0, 23.0)


def test_notified_share_in_a_run_follows_values(compose):
    from sim.runner import simulate

    p = compose("debug=tiny", "run.replications=1", "run.horizon_years=1", "run.drain_years=0.1")
    cases = simulate(p, 0).cases
    c = p.process.congressional_review
    expected = [f == "fms" and is_notified(c, g, v, m)  # BPC cases are not sales under 36(b)
                for f, g, v, m in zip(cases.funding, cases.partner_group, cases.value_musd, cases.mde_musd)]
    done = cases["loa_offered"].notna()  # the rule is applied when a case reaches the stage
    assert (cases.loc[done, "notified"] == [e for e, d in zip(expected, done) if d]).all()
    bpc = done & (cases["funding"] == "bpc")
    assert bpc.sum() > 20 and not cases.loc[bpc, "notified"].any()
    assert (cases.loc[bpc, "value_musd"] >= c.total_threshold["other"]).any()  # some would be, were they sales
    assert 0.03 < cases.loc[done, "notified"].mean() < 0.09  # baseline values put ~5-6% above thresholds
