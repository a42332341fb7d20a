"""The screening estimate of a reform: the monotone fit to a stored strength sweep, its range and its
cross-validated error, by hand."""
from __future__ import annotations

import math

import pytest

from sim.app.choices import Choice
from sim.app.fitted_estimate import Curve, fit, loo_error, predict
from sim.app.screening import FITTED, screen
from sim.app.study_table import Study

GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def _curve(changes, strengths=GRID, reform="x", measure="lor_to_delivery") -> Curve:
    return Curve(reform, measure, tuple(strengths), tuple(changes))


def test_the_fit_is_monotone_and_anchored_at_no_change():
    assert fit([0.25, 0.5, 0.75], [-10, -6, -20]).tolist() == [-8, -8, -20]  # pooled adjacent violators
    # slope through the origin negative: non-increasing, and at most the anchor's 0 (bounded isotonic regression)
    assert fit([0.5, 1.0], [3, -4]).tolist() == [0.0, -4.0]
    assert fit([0.5, 1.0], [-3, -2]).tolist() == [-2.5, -2.5]
    assert fit([0.5, 1.0], [12, 10]).tolist() == [11, 11]  # a reform that lengthens a lead time: non-decreasing


def test_the_estimate_interpolates_inside_the_grid_and_refuses_outside():
    c = _curve([0, -10, -22, -28, -40])
    assert predict(c, 0.375) == pytest.approx(-16.0)
    assert predict(c, 0.1) == pytest.approx(-4.0)  # between the anchor and the first strength
    assert predict(c, 0.0) == 0.0 and predict(c, 1.0) == pytest.approx(-40.0)
    narrow = _curve([0, -10, -22], strengths=(0.0, 0.25, 0.5))
    assert predict(narrow, 0.75) is None and predict(narrow, -0.1) is None


def test_the_cross_validated_error_by_hand():
    """Leave 0.25 out: the line from (0, 0) to (0.5, -22) gives -11 (miss -1); leave 0.5 out: (0.25, -10) to
    (0.75, -28) gives -19 (miss +3); leave 0.75 out: (0.5, -22) to (1, -40) gives -31 (miss -3).  The largest strength
    is not left out (without it the model refuses it).  RMS = sqrt(19 / 3)."""
    assert loo_error(_curve([0, -10, -22, -28, -40])) == pytest.approx(math.sqrt(19 / 3))
    assert loo_error(_curve([0, -5], strengths=(0.0, 1.0))) is None  # one measured strength: nothing to check


def _study(**kw) -> Study:
    curves = {("x", "lor_to_delivery"): _curve([0, -10, -22, -28, -40]),
              ("narrow", "lor_to_delivery"): _curve([0, -10, -22], strengths=(0.0, 0.25, 0.5))}
    return Study(curves, **{"assume": "high", "source": "hand-made", **kw})


def test_the_page_shows_the_fit_with_its_error_only_where_the_study_measured(baseline_params):
    estimates, _ = screen(baseline_params, Choice(reforms=("x",), strength=0.375), _study())
    by = {e.measure: e for e in estimates}
    assert by["lor_to_delivery"].days == pytest.approx(-16.0) and by["lor_to_delivery"].method == FITTED
    assert by["lor_to_delivery"].error == pytest.approx(math.sqrt(19 / 3))
    assert by["lor_to_offer"].days is None and "keeps lor_to_delivery only" in by["lor_to_offer"].note
    cases = [(Choice(reforms=("narrow",), strength=0.75), "outside the study's 0 to 0.5"),
             (Choice(reforms=("x",), strength=0.5, assume="likely"), "the study measured high"),
             (Choice(reforms=("y",), strength=0.5), "did not measure y"),
             (Choice(reforms=("x", "narrow"), strength=0.5), "2 reforms together")]
    for choice, why in cases:
        delivery = screen(baseline_params, choice, _study())[0][2]
        assert delivery.days is None and why in delivery.note, (choice, delivery.note)
    none = screen(baseline_params, Choice(reforms=("x",), strength=0.5), None)[0][2]
    assert none.days is None and "no stored strength sweep" in none.note
