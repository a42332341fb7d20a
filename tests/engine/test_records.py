"""VisitTotals: visit records summed as they end, equal to the sums over the kept records."""
from __future__ import annotations

import pytest

from sim.engine.clock import DAYS_PER_YEAR
from sim.engine.records import Cohort, VisitTotals


def test_totals_sum_cohort_visits_and_count_every_visit_by_year():
    t = VisitTotals()
    t.cohort.add(1)
    t.cohort.add(2)
    y = DAYS_PER_YEAR
    t.append((1, "writing", "case_writers", 10.0, 12.0, 20.0, 3.0, 5.0))
    t.append((2, "writing", "case_writers", 11.0, 11.0, 15.0, 1.0, 2.0))
    t.append((9, "writing", "case_writers", 0.0, 50.0, 60.0, 0.0, 10.0))  # not in the cohort: counted, not summed
    t.append((1, "transport", "", y - 1.0, y - 1.0, y + 4.0, 5.0, 0.0))  # arrives in year 0, finishes in year 1
    assert t.count == 4
    assert t.totals == {("writing", "case_writers"): [2.0, 12.0, 4.0, 7.0, 2.0],
                        ("transport", ""): [0.0, 5.0, 5.0, 0.0, 1.0]}
    assert t.arrivals == {("writing", 0): 3, ("transport", 0): 1}
    assert t.completions == {("writing", 0): 3, ("transport", 1): 1}


def test_the_cohort_is_a_set_of_ids_in_one_byte_each():
    c = Cohort([3, 1000, 3])
    assert len(c) == 2 and 3 in c and 1000 in c and 4 not in c and 5000 not in c and -1 not in c
    assert len(c.flags) < 4000  # grown by doubling, not per id
    with pytest.raises(ValueError, match="non-negative"):
        c.add(-2)
