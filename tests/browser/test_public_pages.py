"""The public consultation pages in headless Chromium."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from consult.demo import DEMO_SLUG
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(demo_app):
    server = LiveServer(demo_app)
    yield server
    server.stop()


def test_resident_finds_the_consultation_and_the_advice(demo_server, browser, artifacts):
    browser.get(demo_server.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    browser.find_element(By.LINK_TEXT, "Verkenning Wmo – hoe kan de ondersteuning beter?").click()
    assert browser.current_url.endswith(f"/c/{DEMO_SLUG}")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Verkenning Wmo")
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) == 8
    headings = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert "Wat is opgehaald" in headings and any(h.startswith("Advies van de") for h in headings)
    browser.save_screenshot(str(artifacts / "consultation-page.png"))


def test_skip_link_is_first_and_moves_focus_to_content(demo_server, browser):
    browser.get(demo_server.url + f"/c/{DEMO_SLUG}")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.text == "Ga direct naar de inhoud" and active.is_displayed()
    active.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "inhoud"


def test_page_fits_a_small_phone_screen(demo_server, browser):
    browser.set_window_size(360, 800)
    try:
        browser.get(demo_server.url + f"/c/{DEMO_SLUG}")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360
    finally:
        browser.set_window_size(1280, 1024)
