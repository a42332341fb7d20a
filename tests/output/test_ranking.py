"""The ranked answer of a comparison (sim/output/ranking.py): order, groups, shares and the one-line answers."""
from __future__ import annotations

import math

import pandas as pd

from sim.analysis.reference import Reference
from sim.output.ranking import answer_sentences, console_table, kind_of, ranked_changes

REF = Reference(label="none", job=0, source="summaries", note=None)


def _table(changes: dict[int, dict[str, tuple[float, float, float]]], point: dict[int, float] | None = None):
    """A comparison table: the reference (job 0) at 100/200/400 days, each job's (change, low, high) per metric."""
    base = {"lor_to_offer": 100.0, "lor_to_contract": 200.0, "lor_to_delivery": 400.0}
    rows = [{"job": 0, "status": "complete", "metric": m, "mean": v, "diff_mean": 0.0, "diff_ci_low": 0.0,
             "diff_ci_high": 0.0, "u_point": math.nan} for m, v in base.items()]
    for job, by_metric in changes.items():
        for m, (d, lo, hi) in by_metric.items():
            rows.append({"job": job, "status": "complete", "metric": m, "mean": base[m] + d, "diff_mean": d,
                         "diff_ci_low": lo, "diff_ci_high": hi, "u_point": (point or {}).get(job, math.nan)})
    return pd.DataFrame(rows)


def test_single_reforms_come_before_packages_each_ranked_by_the_saving_to_delivery():
    t = _table({1: {"lor_to_delivery": (-10.0, -12.0, -8.0)}, 2: {"lor_to_delivery": (-40.0, -50.0, -30.0)},
                3: {"lor_to_delivery": (-90.0, -99.0, -80.0)}, 4: {"lor_to_delivery": (5.0, -1.0, 11.0)}})
    kinds = {1: "single", 2: "single", 3: "package", 4: "single"}
    r = ranked_changes(t, REF, kinds, {1: "a", 2: "b", 3: "pack", 4: "c"})
    assert r["label"].tolist() == ["b", "a", "c", "pack"]
    assert r.loc[0, "lor_to_delivery_pct"] == -10.0 and r.loc[0, "lor_to_delivery_ref"] == 400.0
    text = console_table(r, REF, replications="5 replications")
    assert "against 'none' (job 0, 5 replications" in text.splitlines()[0]
    assert text.index("single reforms:") < text.index("packages of reforms:")
    assert "-40 [-50, -30]*" in text and "+5.0 [-1.0, +11.0] " in text and "+5.0 [-1.0, +11.0]*" not in text


def test_the_answer_names_the_largest_saving_and_counts_only_changes_beyond_their_interval():
    t = _table({1: {"lor_to_offer": (-3.0, -4.0, -2.0)}, 2: {"lor_to_offer": (-5.0, -11.0, 1.0)},
                3: {"lor_to_offer": (2.0, 1.0, 3.0)}})
    r = ranked_changes(t, REF, {}, {1: "a", 2: "b", 3: "c"})
    (sentence,) = answer_sentences(r, REF)
    assert sentence == ("LOR to LOA offer: b shortens it most, by 5.0 days [-1.0, +11.0] (5.0% of 100 days under "
                        "'none'), but its interval includes zero (the largest saving beyond its interval is a's, 3.0 "
                        "days [2.0, 4.0]); 1 of 3 shorten it and 1 lengthens it beyond their 95% interval.")
    t = _table({1: {"lor_to_offer": (-3.0, -4.0, -2.5)}})
    (sentence,) = answer_sentences(ranked_changes(t, REF, {}, {1: "a"}), REF)
    assert sentence.startswith("LOR to LOA offer: a shortens it most, by 3.0 days [2.5, 4.0] (3.0% of 100 days")
    assert sentence.endswith("1 of 1 shorten it beyond their 95% interval.")
    t = _table({1: {"lor_to_offer": (0.1, -6.9, 7.2)}})
    (sentence,) = answer_sentences(ranked_changes(t, REF, {}, {1: "a"}), REF)
    assert "no scenario shortens it on average (the smallest change is a's, +0.1 [-6.9, +7.2] days" in sentence
    assert "no scenario changes it beyond its 95% interval" in sentence


def test_the_answer_warns_when_censored_cases_leave_the_slowest_out():
    t = _table({1: {"lor_to_delivery": (-3.0, -4.0, -2.5)}}).assign(censored_share=0.7)
    (sentence,) = answer_sentences(ranked_changes(t, REF, {}, {1: "a"}), REF)
    assert sentence.endswith("Caution: up to 70% of cohort cases had not reached it when the runs ended, so these "
                             "means leave out the slowest cases.")


def test_an_uncertainty_study_ranks_its_scenarios_at_likely_and_a_long_group_is_cut_and_counted():
    t = _table({1: {"lor_to_delivery": (-1.0, -2.0, 0.0)}, 2: {"lor_to_delivery": (-99.0, -100.0, -98.0)}},
               point={2: 3.0})
    r = ranked_changes(t, REF, {}, {1: "a", 2: "a at point 3"})
    assert r["job"].tolist() == [1]
    many = _table({j: {"lor_to_delivery": (-float(j), -j - 1.0, -j + 1.0)} for j in range(1, 26)})
    text = console_table(ranked_changes(many, REF, {}, {j: f"s{j}" for j in range(1, 26)}), REF, limit=20)
    assert "... 5 more in comparison.csv" in text and text.index("s25") < text.index("s24")


def test_kinds_come_from_the_reforms_a_scenario_selects():
    assert kind_of({"reforms": ["none"]}) == "other" and kind_of({"reforms": ["sdaf_prebuy"]}) == "single"
    assert kind_of({"reforms": ["dscs_workforce", "tiger_team_package"]}) == "package" and kind_of(None) == "other"
