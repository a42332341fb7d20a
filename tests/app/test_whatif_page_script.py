"""The what-if page's script without a browser (Streamlit's AppTest): a reform shows the fitted estimate with its
cross-validated error from the committed break-even findings, and other lever sizes get no estimate and why."""
from __future__ import annotations

from pathlib import Path

import pytest

from sim.app.fitted_estimate import loo_error, predict
from sim.app.study_table import read_findings

PAGE = Path(__file__).resolve().parents[2] / "sim" / "app" / "page.py"


def _table(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("| lead time"))


def test_a_reform_shows_the_fitted_estimate_and_its_error():
    testing = pytest.importorskip("streamlit.testing.v1")
    at = testing.AppTest.from_file(str(PAGE), default_timeout=120)
    at.run()
    assert not at.exception
    at.multiselect(key="reforms").select("sdaf_prebuy").run()
    at.slider(key="strength").set_value(0.6).run()
    curve = read_findings().curves[("sdaf_prebuy", "lor_to_delivery")]
    row = next(line for line in _table(at).splitlines() if line.startswith("| LOR to delivery"))
    assert f"| {predict(curve, 0.6):+.1f} | ± {loo_error(curve):.1f} |" in row and "fitted" in row
    offer = read_findings().curves[("sdaf_prebuy", "lor_to_offer")]  # every lead time: the page's kept table
    row = next(line for line in _table(at).splitlines() if line.startswith("| LOR to offer"))
    assert f"| {predict(offer, 0.6):+.1f} | ± {loo_error(offer):.1f} |" in row
    at.selectbox(key="assume").set_value("likely").run()
    assert _table(at).count("no estimate: reform.assume=likely: the study measured high") == 3
