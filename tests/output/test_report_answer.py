"""The report's opening (sim/output/report_answer.py) and its ranked change figure (sim/output/change_figure.py)."""
from __future__ import annotations

import math

import pandas as pd
from matplotlib.image import imread

from sim.analysis.reference import Reference
from sim.output.change_figure import change_figure
from sim.output.ranking import ranked_changes
from sim.output.report_answer import answer_section, group_changes, group_section, ranked_table

REF = Reference(label="none", job=0, source="summaries", note=None)


def _kpi_table():
    rows = []
    for job, label, d in ((0, "none", 0.0), (1, "priority_partners", -30.0)):
        for group, base, sign in (("partner_group=nato5", 400.0, 1), ("partner_group=other", 500.0, -1),
                                  ("partner=Japan", 450.0, 1)):
            rows.append({"job": job, "label": label, "metric": "group.lor_to_delivery", "office": None,
                         "group": group, "mean": base + sign * d, "diff_mean": sign * d,
                         "diff_ci_low": sign * d - 5 if job else 0.0, "diff_ci_high": sign * d + 5 if job else 0.0,
                         "n_reps": 4})
        rows.append({"job": job, "label": label, "metric": "notified_share", "office": None, "group": None,
                     "mean": 0.2, "diff_mean": 0.0, "diff_ci_low": 0.0, "diff_ci_high": 0.0, "n_reps": 4})
    return pd.DataFrame(rows)


def _ranked():
    table = pd.DataFrame([
        {"job": j, "status": "complete", "metric": m, "mean": base + d, "diff_mean": d, "diff_ci_low": d - 2,
         "diff_ci_high": d + 2, "u_point": math.nan}
        for j, d in ((0, 0.0), (1, -30.0), (2, -0.5), (3, -60.0))
        for m, base in (("lor_to_offer", 100.0), ("lor_to_delivery", 800.0))])
    return ranked_changes(table, REF, {1: "single", 2: "single", 3: "package"}, {1: "a", 2: "b", 3: "a+b"})


def test_group_changes_are_tidy_and_the_section_says_who_gains_and_who_loses():
    groups = group_changes(_kpi_table())
    assert set(groups["dimension"]) == {"partner_group", "partner"} and len(groups) == 6
    other = groups[(groups["job"] == 1) & (groups["group"] == "other")].iloc[0]
    assert (other["diff_mean"], other["reference_mean"], other["metric"]) == (30.0, 500.0, "lor_to_delivery")
    ranked = pd.DataFrame([{"job": 1, "label": "priority_partners", "kind": "single", "rank_by": "lor_to_delivery"}])
    html = group_section(groups, ranked, REF)
    assert html.index("By partner group") < html.index("<details><summary>By partner (1 partners)")
    assert "<b>-30 [-35, -25]</b>" in html and "<b>+30 [+25, +35]</b>" in html
    assert group_changes(None).empty and group_section(group_changes(None), ranked, REF) == ""


def test_the_ranked_table_and_the_answer_name_the_reference_and_the_groups():
    html = ranked_table(_ranked(), REF)
    assert html.index("single reforms") < html.index(">a<") < html.index(">b<") < html.index("packages of reforms")
    assert "<b>-30 [-32, -28]</b> (-3.8%)" in html
    assert "No paired changes" in answer_section([], Reference("none", None, "default", None), "2 replications")
    assert "<b>none</b> (job 0)" in answer_section(["LOR to delivery: ..."], REF, "3 to 5 replications")


def test_the_change_figure_is_drawn_in_ranked_order(tmp_path):
    drawn = change_figure(_ranked(), REF, tmp_path)
    assert drawn is not None and drawn[0] == "figures/change_vs_reference.png"
    image = imread(tmp_path / "change_vs_reference.png")
    assert image.shape[0] > 300 and image.shape[1] > 800
    assert "ranked by their saving in time to delivery" in drawn[2]
    assert change_figure(_ranked().iloc[:0], REF, tmp_path) is None
