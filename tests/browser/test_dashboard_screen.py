"""The results dashboard in headless Chromium: axe finds nothing at 1280 px and at 360 px,
the charts fit the screen, and "Toon als tabel" opens a chart's table without JavaScript."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from consult.db import session_scope
from tests.browser.conftest import navigates, run_axe, shot
from tests.test_dashboard_service import add_results
from tests.web.conftest import PASSWORD, SLUG

pytestmark = pytest.mark.browser

URL = f"/beheer/c/{SLUG}/resultaten"


@pytest.fixture(scope="module")
def results(web_app):
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        add_results(s, web_app.config["WORLD"])


def log_in(d, url, email):
    d.get(url + "/inloggen")
    d.find_element(By.ID, "email").send_keys(email)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button").click)


def test_dashboard_is_accessible_on_wide_and_narrow_screens(server, results, fresh_browser, screenshots, axe_source):
    d = fresh_browser
    log_in(d, server.url, "gesprek@test.nl")
    d.get(server.url + URL)
    assert d.find_element(By.TAG_NAME, "h1").text == "Resultaten"
    charts = d.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert len(charts) == 11
    assert "minder dan 5" in d.find_element(By.ID, "kanaal").text
    assert run_axe(d, axe_source) == []
    d.set_window_size(1280, 2200)  # tall enough to show the first charts
    shot(d, screenshots / "dashboard.png")
    d.set_window_size(1280, 1024)

    # a chart's table opens with its "Toon als tabel" summary
    section = d.find_element(By.ID, "kanaal")
    table = section.find_element(By.CSS_SELECTOR, "details table")
    assert not table.is_displayed()
    section.find_element(By.CSS_SELECTOR, "details summary").click()
    assert table.is_displayed() and "Online" in table.text
    assert run_axe(d, axe_source) == []

    d.set_window_size(360, 1600)
    d.get(server.url + URL)
    width = d.execute_script("return document.documentElement.clientWidth")
    assert d.execute_script("return document.documentElement.scrollWidth") <= width  # no sideways scrolling
    for svg in d.find_elements(By.CSS_SELECTOR, "svg[role=img]")[:3]:
        assert 0 < svg.size["width"] <= width
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "dashboard-360.png")
