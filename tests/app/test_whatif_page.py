"""The what-if page end to end in a real headless browser (issue 24, item 6): ``python -m sim serve`` on a free port,
a headcount changed in the page, the estimate shown checked against processor sharing with the juggling cost computed
here from the office's parameters, then a quick confirmation whose intervals, seed and replications must appear.

With ``FMS_SCREENSHOT_DIR`` set, the page after the confirmation is saved there as ``whatif.png``."""
from __future__ import annotations

import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

import pytest

from helpers import stretch_by_hand
from report_fixtures import CHROMEDRIVER, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]


def _browser() -> Any:
    """Headless Chromium via selenium, or skip (fail if FMS_REQUIRE_BROWSER=1) when it is missing (the rule of
    tests/system/test_report.py)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("the selenium package")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        missing.append("the streamlit package (the app extra)")
    if missing:
        why = f"browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("FMS_REQUIRE_BROWSER") == "1":
            pytest.fail(why + "; FMS_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(why)
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1200"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(what: str, check: Callable[[], Any], timeout: float) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            found = check()
        except Exception:  # the page is being redrawn: look again
            found = None
        if found:
            return found
        time.sleep(0.25)
    raise AssertionError(f"waited {timeout:g} s for {what}")


@pytest.fixture
def server(tmp_path):
    """``python -m sim serve`` on a free port, with a start-state cache of its own; stopped with its children."""
    port = _free_port()
    env = {**os.environ, "FMS_SIM_CACHE": str(tmp_path / "cache"), "TMPDIR": str(tmp_path),  # its files stay here
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "sim", "serve", "--port", str(port), "--no-browser"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200

    try:
        _wait("the server", healthy, 60)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the group this fixture started: serve, Streamlit and any worker
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def _formula(params) -> float:
    """LOR to offer, 90 -> 100 case writers, from the office's parameters: the load is effort share x stage-days per
    day / people, a case's hands-on work (effort share x its writing days) stretches by :func:`_stretch` (its waits
    on others, the rest of the stage, do not change), and its writing days are the (1 - review share) of its LOA
    group's lognormal work content (mean median x exp(sigma^2 / 2); groups A-C by share of the partner-funded LORs,
    D the BPC share)."""
    office = params.staffing.pools["case_writers"]
    s, days = office.effort_share, params.staffing.stage_days_per_day["case_writers"]
    wait = 1 - s / (1 - office.design_load)  # waits on others as a share of the drawn stage time
    bpc = params.demand.bpc.share
    weights = {g: (1 - bpc) * params.demand.groups[g].share for g in ("A", "B", "C")} | {"D": bpc}
    work = params.process.loa_development.work
    assert all(work[g].kind == "lognormal" for g in weights)
    writing = (1 - params.process.policy_review.share_of_loa_work) * sum(
        w * work[g].median * math.exp(work[g].sigma ** 2 / 2) for g, w in weights.items())
    assert office.headcount == 90 and office.max_cases is not None
    stretch = {c: stretch_by_hand(s * days / c, days / c * wait, office.caseload, office.switching_cost,
                                  office.max_cases) for c in (90, 100)}
    return s * writing * (stretch[100] - stretch[90])


def _cells(driver, lead_time: str) -> list[str]:
    from selenium.webdriver.common.by import By

    for row in driver.find_elements(By.CSS_SELECTOR, "table tr"):
        cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
        if cells and cells[0] == lead_time:
            return cells
    return []


@pytest.mark.slow
def test_the_what_if_page_estimates_at_once_and_confirms_by_simulation(server, baseline_params):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = _browser()
    try:
        driver.get(server)
        writers = _wait("the headcount control", lambda: driver.find_element(
            By.CSS_SELECTOR, 'input[aria-label="Case writers"]'), 60)
        assert _wait("the estimate table", lambda: _cells(driver, "LOR to offer"), 30)[1] == "+0.0"
        writers.send_keys(Keys.CONTROL, "a")
        writers.send_keys("100", Keys.ENTER)
        offer = _wait("the new estimate", lambda: (c := _cells(driver, "LOR to offer")) and c[1] != "+0.0" and c, 30)
        expected = _formula(baseline_params)
        assert offer[1] == f"{expected:+.1f}" and "processor-sharing formula" in offer[3], (offer, expected)
        assert expected < -1  # ten more writers shorten the way to the offer by days, not by rounding

        driver.find_element(By.XPATH, "//label[.//p[starts-with(normalize-space(.), 'Quick')]]").click()
        reps = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="Replications"]')
        reps.send_keys(Keys.CONTROL, "a")
        reps.send_keys("2", Keys.ENTER)
        confirm = _wait("the Confirm button", lambda: [b for b in driver.find_elements(By.TAG_NAME, "button")
                                                       if b.text == "Confirm by simulation" and b.is_enabled()], 30)
        time.sleep(1.0)  # the controls' last change has been sent
        confirm[0].click()
        _wait("the progress bar", lambda: "Simulating:" in driver.find_element(By.TAG_NAME, "body").text, 30)
        _wait("the confirmed result", lambda: any("Confirmed by simulation" in h.text for h in
                                                  driver.find_elements(By.TAG_NAME, "h3")), 90)
        interval = re.compile(r"^\[[-+]\d+\.\d, [-+]\d+\.\d\]$")
        for lead_time in ("LOR to offer", "LOR to contract", "LOR to delivery"):
            cells = _cells(driver, lead_time)
            assert re.match(r"^[-+]\d+\.\d$", cells[1]) and interval.match(cells[2]) and cells[3] == "2", cells
        assert _cells(driver, "LOR to offer")[5] == f"{expected:+.1f}"  # the estimate, beside what replaced it
        body = driver.find_element(By.TAG_NAME, "body").text
        assert f"seed {baseline_params.seed}, replications 0-1 of each (2 pairs)" in body
        folder = os.environ.get("FMS_SCREENSHOT_DIR")
        if folder:  # the whole page, top first, without the button's tooltip
            driver.find_element(By.TAG_NAME, "h1").click()
            height = driver.execute_script(
                "return Math.max(...Array.from(document.querySelectorAll('*')).map(e => e.scrollHeight));")
            driver.set_window_size(1400, max(1200, int(height) + 150))
            driver.execute_script("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; });")
            time.sleep(0.5)
            driver.save_screenshot(str(Path(folder) / "whatif.png"))
    finally:
        driver.quit()
