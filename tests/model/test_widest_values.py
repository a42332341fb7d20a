"""No accepted value hangs (issue 21, item 6): the widest values each rule accepts are run, not only validated, each
under a time limit.  The rules bound derived quantities (a shared clock cannot progress when one case's attention
is 1e300 times another's; weights of 1e308 sum to inf), so a value just inside a bound must still finish a run."""
from __future__ import annotations

import signal
from contextlib import contextmanager

import numpy as np
import pytest

from sim.model.checks import validate_params
from sim.model.rules import SIGMA_MAX, WEIGHT_MAX
from sim.runner import simulate

LIMIT_S = 60  # a short run takes 1-3 s here; a hang never ends
BASE = ["debug=tiny", "run.jobs=1", "run.records=cases", "run.warmup_years=0", "run.horizon_years=0.25",
        "run.drain_years=1", "run.after_horizon=drain"]


@contextmanager
def time_limit(seconds: int):
    def stop(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: an accepted value hangs the run")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _widest_weights(p):
    for i, partner in enumerate(p.demand.partners):  # one partner at the bound, the others at the smallest
        partner.weight = WEIGHT_MAX if i == 0 else 1e-300
    for i, platform in enumerate(p.demand.platforms):
        platform.weight = WEIGHT_MAX if i == 0 else 0.0


def _one_month_of_lors(p):
    p.demand.seasonal = [WEIGHT_MAX] + [0.0] * 11  # every LOR in October
    p.demand.envelope = 12.0  # the peak relative rate: the rules ask the envelope to cover it
    p.demand.bpc.share = 0.0  # the envelope must also cover the BPC peak: off, to isolate this bound


def _widest_sigma(p):
    for mix in p.demand.groups.values():  # a lognormal's widest sigma, kept under the cap on a mean
        mix.value.sigma = SIGMA_MAX
        mix.value.cap = 1e5  # $100 billion a case: under the cap on the largest value with 40 years of amendments


CASES = {
    "urgent cases 1e6 times as attended": (["staffing.priority_attention=1e6", "demand.urgent_share=0.5"], None),
    "urgent cases 1e-6 times as attended": (["staffing.priority_attention=1e-6", "demand.urgent_share=0.5"], None),
    "weights 1e12 beside 1e-300 and 0": ([], _widest_weights),
    "all LORs in one month": ([], _one_month_of_lors),
    "case values with sigma 5": ([], _widest_sigma),
    "the largest seed": (["seed=4294967295"], None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_widest_accepted_values_finish_a_run(name, compose):
    overrides, edit = CASES[name]
    p = compose(*BASE, *overrides)
    if edit is not None:
        edit(p)
    assert validate_params(p) == []  # accepted: the bound is inside, not beyond
    with time_limit(LIMIT_S):
        r = simulate(p, 0)
    cohort = r.cases[r.cases.in_cohort]
    assert len(cohort) > 100 and np.isfinite(cohort.lor_received).all()
    assert r.end_day <= 365.25 * 1.25 + 1e-9  # the run stopped at its cap, its clock moving to the end
    assert cohort.loa_offered.notna().mean() > 0.5, "the offices hardly moved"

def test_the_largest_replication_finishes_and_differs_from_its_neighbour(compose):
    """Replication 2^32 - 1, the last allowed: its streams are its own (seed and replication are bounded below
    2^32 so no two allowed pairs draw the same streams)."""
    p = compose(*BASE)
    with time_limit(LIMIT_S):
        last, before = simulate(p, 2**32 - 1), simulate(p, 2**32 - 2)
    assert len(last.cases) > 0
    assert not last.cases.lor_received.equals(before.cases.lor_received)


def test_the_time_limit_stops_a_run_that_does_not_end():
    import time

    with pytest.raises(TimeoutError, match="still running after 1 s"):
        with time_limit(1):
            time.sleep(5)
