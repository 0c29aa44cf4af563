"""Residents in headless Chromium: axe-core on every public page, a survey completed with
the keyboard only, small screens and 200% zoom, screenshots of the main screens."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import navigates, run_axe, shot
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

SURVEY = f"/c/{SLUG}/v/wmo-vragen"


def keys(driver, *sequence):
    ActionChains(driver).send_keys(*sequence).perform()


def active(driver):
    return driver.switch_to.active_element


def tab_to(driver, predicate, limit=60):
    """Press Tab until ``predicate(active element)`` holds; fail after ``limit`` presses."""
    for _ in range(limit):
        keys(driver, Keys.TAB)
        el = active(driver)
        if predicate(el):
            return el
    raise AssertionError("element not reachable with Tab")


def by_name(name, value=None):
    def check(el):
        return el.get_attribute("name") == name and (value is None or el.get_attribute("value") == value)
    return check


def assert_no_axe_violations(driver, axe_source, where):
    violations = run_axe(driver, axe_source)
    assert violations == [], f"{where}: {violations}"


def test_survey_with_keyboard_only_and_axe_on_every_page(server, fresh_browser, axe_source, screenshots):
    d = fresh_browser
    d.get(server.url + "/")
    assert_no_axe_violations(d, axe_source, "home")
    d.get(server.url + f"/c/{SLUG}")
    assert_no_axe_violations(d, axe_source, "consultation page")

    d.get(server.url + SURVEY)
    assert_no_axe_violations(d, axe_source, "survey start")
    shot(d, screenshots / "survey-start.png")
    start = tab_to(d, lambda el: el.tag_name == "button")
    assert start.text == "Begin met de vragenlijst"
    navigates(d, lambda: keys(d, Keys.ENTER))

    # page 1: submit empty first -> error summary, links move focus to the field
    assert "Deel 1 van 3" in d.find_element(By.TAG_NAME, "h1").text
    assert_no_axe_violations(d, axe_source, "survey page 1")
    tab_to(d, lambda el: el.tag_name == "button" and el.get_attribute("value") == "next")
    navigates(d, lambda: keys(d, Keys.ENTER))
    summary = d.find_element(By.CSS_SELECTOR, ".error-summary")
    assert "Kies een antwoord" in summary.text
    assert_no_axe_violations(d, axe_source, "survey page with errors")
    shot(d, screenshots / "survey-errors.png")
    link = tab_to(d, lambda el: el.tag_name == "a" and el.get_attribute("href").endswith("#q_rol-0"))
    keys(d, Keys.ENTER)
    assert active(d).get_attribute("id") == "q_rol-0"

    # radio group: arrow keys move within the group; choose "Mantelzorger" (3rd option)
    keys(d, Keys.SPACE, Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert active(d).get_attribute("value") == "mantelzorger"
    tab_to(d, by_name("q_wijk"))
    keys(d, Keys.SPACE)
    tab_to(d, lambda el: el.tag_name == "button" and el.get_attribute("value") == "next")
    navigates(d, lambda: keys(d, Keys.ENTER))
    # the conditional question appears on the same page
    assert d.find_element(By.ID, "vraag-zwaarte").is_displayed()
    tab_to(d, by_name("q_zwaarte"))
    keys(d, Keys.SPACE)
    tab_to(d, lambda el: el.tag_name == "button" and el.get_attribute("value") == "next")
    navigates(d, lambda: keys(d, Keys.ENTER))

    # page 2: typing, scale, checkboxes with "anders, namelijk", ranking selects
    assert "Deel 2 van 3" in d.find_element(By.TAG_NAME, "h1").text
    assert_no_axe_violations(d, axe_source, "survey page 2")
    tab_to(d, by_name("q_beter"))
    keys(d, "Meer hulp bij het invullen van formulieren.")
    tab_to(d, by_name("q_tevreden"))
    keys(d, Keys.SPACE)
    tab_to(d, by_name("q_belangrijk", "anders"))
    keys(d, Keys.SPACE)
    tab_to(d, by_name("q_belangrijk__other"))
    keys(d, "Een vast aanspreekpunt")
    tab_to(d, by_name("q_volgorde__snelheid"))
    keys(d, "1")  # typing selects the option in a closed select
    shot(d, screenshots / "survey-page.png")
    tab_to(d, lambda el: el.tag_name == "button" and el.get_attribute("value") == "next")
    navigates(d, lambda: keys(d, Keys.ENTER))

    # page 3: consent checkbox, then "Opslaan en later verder" is not needed: go to review
    tab_to(d, by_name("q_toestemming"))
    keys(d, Keys.SPACE)
    tab_to(d, lambda el: el.tag_name == "button" and el.get_attribute("value") == "next")
    navigates(d, lambda: keys(d, Keys.ENTER))
    assert d.find_element(By.TAG_NAME, "h1").text == "Controleer uw antwoorden"
    assert "Anders, namelijk: Een vast aanspreekpunt" in d.page_source
    assert_no_axe_violations(d, axe_source, "review page")
    shot(d, screenshots / "survey-review.png")
    tab_to(d, lambda el: el.tag_name == "button")
    navigates(d, lambda: keys(d, Keys.ENTER))
    code = d.find_element(By.ID, "ontvangstcode").text
    assert len(code) == 14 and code.count("-") == 2
    assert_no_axe_violations(d, axe_source, "receipt page")
    shot(d, screenshots / "survey-receipt.png")
    # back button + resubmit does not make a second response
    d.back()
    d.refresh()
    assert "ontvangstcode" in d.page_source or "Bedankt" in d.page_source


def test_login_and_saved_pages_have_no_axe_violations(server, fresh_browser, axe_source):
    d = fresh_browser
    d.get(server.url + "/inloggen")
    assert_no_axe_violations(d, axe_source, "login")
    d.get(server.url + SURVEY)
    navigates(d, d.find_element(By.CSS_SELECTOR, "form button").click)
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=save]").click)
    assert "bewaard" in d.find_element(By.TAG_NAME, "h1").text
    assert_no_axe_violations(d, axe_source, "saved page")


@pytest.mark.parametrize("width,zoom", [(360, 1), (1280, 2)])
def test_survey_page_fits_small_screens_and_zoom(server, fresh_browser, width, zoom):
    d = fresh_browser
    d.set_window_size(width, 900)
    d.get(server.url + SURVEY)
    navigates(d, d.find_element(By.CSS_SELECTOR, "form button").click)
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)  # with the error summary
    if zoom != 1:  # 200% zoom: the same as a viewport half as wide at double size
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": width // zoom, "height": 450, "deviceScaleFactor": zoom, "mobile": False})
        d.refresh()
    try:
        overflow = d.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    finally:
        if zoom != 1:
            d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
