"""sim.output.findings_page: the answer first, formatted from the tables (issue 23, item 8)."""
from __future__ import annotations

import pandas as pd

from sim.output.findings_page import breakeven_answer, uncertainty_answer


def test_the_uncertainty_answer_names_the_largest_median_saving_with_both_intervals():
    t = pd.DataFrame([
        {"reform": "a", "metric": "lor_to_delivery", "likely_change": -20.0, "likely_half_width": 2.0,
         "lever_p05": -40.0, "lever_p50": -22.0, "lever_p95": -5.0, "lever_p05_mc": 6.0, "lever_p50_mc": 3.0,
         "lever_p95_mc": 4.0},
        {"reform": "b", "metric": "lor_to_delivery", "likely_change": -60.0, "likely_half_width": 3.0,
         "lever_p05": -90.0, "lever_p50": -58.0, "lever_p95": -30.0, "lever_p05_mc": 9.0, "lever_p50_mc": 4.0,
         "lever_p95_mc": 5.0}])
    drivers = pd.DataFrame([{"reform": "b", "metric": "lor_to_delivery", "input": "staffing.design_load",
                             "spearman": -0.81, "p_value": 0.01, "points": 10}])
    lines = uncertainty_answer(t, drivers)
    assert lines[0].startswith("Over the plausible ranges") and "**b**" in lines[0]
    assert "median -58 days (5th to 95th percentile -90 to -30; at the likely values -60 ± 3.0)" in lines[0]
    table = "\n".join(lines)
    assert table.index("| b |") < table.index("| a |")  # ranked by the median saving
    assert "staffing.design_load (ρ -0.81, p 0.01)" in table


def test_no_winner_is_named_from_noise():
    t = pd.DataFrame([{"reform": "a", "metric": "lor_to_delivery", "likely_change": -0.4, "likely_half_width": 3.0,
                       "lever_p05": -0.7, "lever_p50": -0.4, "lever_p95": 0.2, "lever_p05_mc": 3.1,
                       "lever_p50_mc": 3.0, "lever_p95_mc": 3.1}])
    assert uncertainty_answer(t, None)[0].startswith("No reform's change from LOR to delivery is told apart")


def test_the_breakeven_answer_counts_the_reforms_that_reach_the_target():
    t = pd.DataFrame([
        {"reform": "x", "metric": "lor_to_delivery", "target_days": 30.0, "status": "reached", "strength": 0.62,
         "strength_low": 0.5, "strength_high": float("nan"), "levers_at_strength": "staff_factor.c=1.12",
         "added_staff": 14.0, "grid": "0 0.5 1", "changes": "+0.0 -25.0 -48.0"},
        {"reform": "y", "metric": "lor_to_delivery", "target_days": 30.0, "status": "not reachable within the range",
         "strength": float("nan"), "strength_low": float("nan"), "strength_high": float("nan"),
         "levers_at_strength": float("nan"), "added_staff": float("nan"), "grid": "0 0.5 1",
         "changes": "+0.0 -2.0 -4.0"},
        {"reform": "z", "metric": "lor_to_delivery", "target_days": 30.0, "status": "reached", "strength": 0.3,
         "strength_low": 0.2, "strength_high": 0.45, "levers_at_strength": "f=0.9", "added_staff": float("nan"),
         "grid": "0 0.5 1", "changes": "+0.0 -40.0 -60.0"}])
    lines = breakeven_answer(t)
    # x reaches it on average only (its pessimistic edge never does): not counted with z, whose whole interval does
    # z's 0.30 lies below the lowest strength run (0.5): read from the line to no change, and said so
    assert lines[0].startswith("1 of 3 reforms save 30 days of LOR to delivery within their lever ranges with their "
                               "whole 95% interval: **z** (on average at strength 0.30 (below 0.5, the lowest "
                               "strength run), with its whole interval by 0.45). On average only")
    assert "could make it look sufficient): **x** at 0.62." in lines[0]
    table = "\n".join(lines)
    assert "| x | reached on average only | 0.62 | 0.50 to beyond | staff_factor.c=1.12 | +14 |" in table
    assert "| z | reached | 0.30 (below 0.5, the lowest strength run) | 0.20 to 0.45 |" in table
    assert "| y | not reachable within the range | - | - | - | - |" in table


def test_days_per_10m_with_a_zero_low_cost_says_it_has_no_upper_end_not_nan():
    """A change of statute costs $0 at its low end: the ratio has no upper end (it showed as 'nan')."""
    from collections import namedtuple

    from sim.analysis.costs import with_cost_ratios
    from sim.output.report_sections import musd, per_10m

    rows = pd.DataFrame([{"metric": "lor_to_delivery", "diff_mean": -1.2, "diff_half_width": 0.9, "job": 1,
                          "reference_job": 0, "cost_musd": 0.25, "cost_low": 0.0, "cost_high": 0.5},
                         {"metric": "lor_to_delivery", "diff_mean": -20.0, "diff_half_width": 3.0, "job": 2,
                          "reference_job": 0, "cost_musd": 5.0, "cost_low": 4.0, "cost_high": 8.0},
                         {"metric": "lor_to_delivery", "diff_mean": -18.0, "diff_half_width": 88.0, "job": 3,
                          "reference_job": 0, "cost_musd": 1.7, "cost_low": 1.0, "cost_high": 2.0}])
    free, paid, noise = (r for _, r in with_cost_ratios(rows).iterrows())
    assert per_10m(noise) == "- (the saving is not told apart from 0)"  # ranked by its cost alone otherwise
    assert musd(0.25) == "0.25" and musd(22.0) == "22.0" and musd(float("nan")) == "unknown"
    assert per_10m(free) == "48.0 [24.0, no upper end: the low cost is $0]"
    assert per_10m(paid) == "40.0 [25.0, 50.0]"
    Row = namedtuple("Row", list(paid.index))  # the report's rows come from itertuples
    assert per_10m(Row(*paid.tolist())) == "40.0 [25.0, 50.0]"
    assert per_10m({"days_per_10musd": float("nan")}) == "-"


def _comparison(rows):
    return pd.DataFrame([{"status": "complete", "job": j, "reference_job": 0, "reference": "none", "label": label,
                          "metric": "lor_to_delivery", "diff_mean": m, "diff_half_width": h}
                         for j, (label, m, h) in enumerate([("none", 0.0, 0.0), *rows])])


def test_the_comparison_answer_names_the_largest_saving_beyond_its_interval_when_the_largest_is_noise():
    """The staffing surface's page said every interval included 0 because its largest mean saving's did; five
    others' did not."""
    from sim.output.findings_page import comparison_answer

    lines = comparison_answer(_comparison([("a", -68.0, 79.0), ("b", -26.0, 17.0), ("c", -3.0, 2.0),
                                           ("d", +4.0, 1.0)]))
    assert lines[0] == ("Against **none**, **a** shortens LOR to delivery the most on average, -68 ± 79 days, but "
                        "its interval includes zero; the largest saving beyond its interval is **b**'s, -26 ± 17 "
                        "days (paired, 95% CI); 2 of 4 scenarios shorten it beyond their paired 95% interval.")
    first = comparison_answer(_comparison([("b", -26.0, 17.0), ("a", -10.0, 79.0)]))[0]
    assert first == ("Against **none**, **b** shortens LOR to delivery the most: -26 ± 17 days (paired, 95% CI); "
                     "1 of 2 scenarios shorten it beyond their paired 95% interval.")
    none = comparison_answer(_comparison([("a", -5.0, 6.0), ("d", +4.0, 1.0)]))
    assert none[0].startswith("Against **none**, no scenario shortens LOR to delivery beyond its paired 95% interval")
    assert "| a | - | - | -5.0 ± 6.0 |" in none[2]


def test_a_job_staffed_by_hand_is_not_given_its_reforms_cost():
    """A staffing sweep's 'none' at x0.5 case writers showed cost 0.00: the cost is the reform's alone, and the job's
    staffing differs from its reference's; a staffing surface's jobs, staffed as their own reference, keep theirs."""
    from sim.output.findings_page import comparison_answer
    from sim.output.report_sections import NOT_COSTED, staffing_by_hand

    scale = "staffing.scale={case_writers:0.5,contracting_officers:1.0}"
    rows = []
    for job, label, overrides, ref, change, cost in [
            (0, "none", "reform=none staffing.scale={case_writers:1.0,contracting_officers:1.0}", 0, 0.0, 0.0),
            (1, "none scaled", f"reform=none {scale}", 0, 40.0, 0.0),
            (2, "more_staff", "reform=more_staff staffing.scale={case_writers:1.0,contracting_officers:1.0}", 0,
             -30.0, 10.0)]:
        rows.append({"job": job, "label": label, "status": "complete", "metric": "lor_to_delivery",
                     "overrides": overrides, "reference_job": ref, "reference": "none", "diff_mean": change,
                     "diff_half_width": 2.0, "cost_musd": cost, "cost_low": cost, "cost_high": cost,
                     "days_per_10musd": 30.0 if cost else float("nan"), "days_per_10musd_low": 30.0,
                     "days_per_10musd_high": 30.0})
    t = pd.DataFrame(rows)
    assert staffing_by_hand(t) == {1}
    table = "\n".join(comparison_answer(t))
    assert f"| none scaled | - | - | +40 ± 2.0 | {NOT_COSTED} | - |" in table
    assert "| more_staff | - | - | -30 ± 2.0 | 10.0 | 30.0 [30.0, 30.0] |" in table
    surface = t.assign(overrides=t["overrides"].str.replace("staffing.scale", "staffing.size_to_load=0.6 x"),
                       reference_job=[0, 1, 1])  # each job beside a reference with its own staffing
    surface.loc[1, "overrides"] = surface.loc[2, "overrides"].replace("reform=more_staff", "reform=none")
    assert staffing_by_hand(surface) == set()


def test_a_threshold_sweep_answers_with_its_own_lead_time_and_no_cost_of_zero():
    """The threshold sweep asks about LOR to offer (its precision target) and sets thresholds by hand: its page led
    with LOR to delivery and gave every threshold a cost of 0.00."""
    from sim.output.findings_page import comparison_answer
    from sim.output.report_sections import NOT_COSTED, staffing_by_hand

    rows = []
    for job, label, overrides, changes in [(0, "none t=14", "reform=none p.t=14", (0.0, 0.0)),
                                           (1, "none t=50", "reform=none p.t=50", (-1.7, -1.9)),
                                           (2, "none t=23", "reform=none p.t=23", (-0.6, -3.0))]:
        for metric, change in zip(("lor_to_offer", "lor_to_delivery"), changes):
            rows.append({"job": job, "label": label, "status": "complete", "metric": metric, "overrides": overrides,
                         "reference_job": 0, "reference": "none t=14", "diff_mean": change, "diff_half_width": 0.5,
                         "cost_musd": 0.0, "cost_low": 0.0, "cost_high": 0.0})
    t = pd.DataFrame(rows)
    assert staffing_by_hand(t) == {1, 2}
    lines = comparison_answer(t, "lor_to_offer")
    assert lines[0] == ("Against **none t=14**, **none t=50** shortens LOR to offer the most: -1.7 ± 0.5 days "
                        "(paired, 95% CI); 2 of 2 scenarios shorten it beyond their paired 95% interval.")
    assert f"| none t=50 | -1.7 ± 0.5 | - | -1.9 ± 0.5 | {NOT_COSTED} | - |" in "\n".join(lines)
    assert comparison_answer(t)[0].startswith("Against **none t=14**, **none t=23** shortens LOR to delivery")


def test_a_sensitivity_study_answers_with_its_partial_rank_correlations():
    """The sensitivity study's page had an empty answer (no reference to compare with)."""
    from sim.output.findings_page import sensitivity_answer

    t = pd.DataFrame([{"metric": m, "factor": f, "prcc": r, "p_value": p, "n_points": 30}
                      for m in ("lor_to_offer", "lor_to_delivery")
                      for f, r, p in (("demand.lor_per_year", 0.84, 1e-5), ("x.y", -0.43, 0.08), ("z", 0.7, 0.001))])
    lines = sensitivity_answer(t)
    assert lines[0].startswith("The assumptions that move LOR to delivery, strongest first (partial rank correlation "
                               "over 30 design points, p < 0.05): `demand.lor_per_year` (+0.84), `z` (+0.70). ")
    table = "\n".join(lines)
    assert table.index("| `demand.lor_per_year` |") < table.index("| `z` |") < table.index("| `x.y` |")
    assert "| `x.y` | -0.43 (p 0.08) | - | -0.43 (p 0.08) |" in table
