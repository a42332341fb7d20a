"""sim.analysis.kpi_comparison: paired changes of any metric of the tidy rows, on hand-made rows."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from report_fixtures import T_975_2
from sim.analysis.comparison import Reference
from sim.analysis.kpi_comparison import COLUMNS, kpi_comparison


def _rows(seed, values, utilisation):
    """Three replications: notified_share, and case_writers' utilisation."""
    out = [{"metric": "notified_share", "office": None, "seed": seed, "replication": r, "value": v}
           for r, v in enumerate(values)]
    out += [{"metric": "pool.utilisation", "office": "case_writers", "seed": seed, "replication": r, "value": v}
            for r, v in enumerate(utilisation)]
    out += [{"metric": "end_day", "office": None, "seed": seed, "replication": r, "value": 9.0} for r in range(3)]
    return pd.DataFrame(out)


def test_any_metric_is_compared_paired_with_the_reference_of_its_seed():
    kpis = {0: _rows(1, [0.10, 0.12, 0.11], [0.70, 0.72, 0.74]),
            1: _rows(1, [0.05, 0.08, 0.06], [0.60, 0.61, 0.65]),
            2: _rows(7, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])}  # no reference was run with seed 7
    ref = Reference("none", 0, "default", None, {1: 0})
    t = kpi_comparison(kpis, ref, {0: "none", 1: "tiger", 2: "other"})
    assert list(t.columns) == COLUMNS
    assert set(t["metric"]) == {"notified_share", "pool.utilisation"}  # run control (end_day) is not compared
    share = t[(t["metric"] == "notified_share") & (t["job"] == 1)].iloc[0]
    d = [-0.05, -0.04, -0.05]  # differences replication by replication
    hw = T_975_2 * pd.Series(d).std() / math.sqrt(3)
    assert share["diff_mean"] == pytest.approx(sum(d) / 3, rel=1e-12)
    assert share["diff_half_width"] == pytest.approx(hw, rel=1e-9)
    assert share["diff_pct"] == pytest.approx(100 * (sum(d) / 3) / 0.11, rel=1e-12)
    assert share["label"] == "tiger" and share["reference_job"] == 0 and share["diff_n"] == 3
    util = t[(t["metric"] == "pool.utilisation") & (t["job"] == 1)].iloc[0]
    assert util["office"] == "case_writers" and util["diff_mean"] == pytest.approx(-0.1, rel=1e-12)
    unpaired = t[t["job"] == 2]
    assert unpaired["diff_mean"].isna().all() and unpaired["mean"].notna().all()
    assert t["metric"].tolist()[:3] == ["notified_share"] * 3 and t["job"].tolist()[:3] == [0, 1, 2]


def test_without_a_reference_the_means_are_still_there():
    t = kpi_comparison({0: _rows(1, [0.1, 0.2, 0.3], [0.5, 0.6, 0.7])}, Reference("none", None, "default", None),
                       {0: "a"})
    assert t["diff_mean"].isna().all() and t["mean"].tolist() == pytest.approx([0.2, 0.6])


def test_a_group_absent_from_a_replication_counts_zero_cases_there_and_no_lead_time():
    """A platform with one case in replication 1 and none in replication 0 has 0.5 cases a replication, not 1."""
    from sim.analysis.kpi_comparison import replication_values

    def rows(cases_in_rep1):
        out = [{"metric": "cases.cohort", "seed": 1, "replication": r, "value": 10.0, "office": None, "group": None}
               for r in (0, 1)]
        if cases_in_rep1:
            out += [{"metric": "group.cohort", "seed": 1, "replication": 1, "value": 1.0, "office": None,
                     "group": "platform=fighter_aircraft"},
                    {"metric": "group.lor_to_offer", "seed": 1, "replication": 1, "value": 50.0, "office": None,
                     "group": "platform=fighter_aircraft"}]
        return pd.DataFrame(out)

    v = replication_values({0: rows(False), 1: rows(True)})
    cohort = v[v["metric"] == "group.cohort{platform=fighter_aircraft}"].sort_values(["job", "replication"])
    assert cohort["value"].tolist() == [0.0, 0.0, 0.0, 1.0]  # both jobs, both replications
    offer = v[v["metric"] == "group.lor_to_offer{platform=fighter_aircraft}"]
    assert offer[["job", "replication", "value"]].values.tolist() == [[1, 1, 50.0]]  # no case: no lead time
