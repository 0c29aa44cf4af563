"""People screens in headless Chromium with axe: staff list, a new account and its link,
editing an account, the set-password page, access per consultation and the audit log."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import navigates, run_axe, shot
from tests.web.conftest import PASSWORD, SLUG

pytestmark = pytest.mark.browser

NEW_PASSWORD = "een nieuw lang wachtwoord"


def log_in(d, url, email, password=PASSWORD):
    d.get(url + "/inloggen")
    d.find_element(By.ID, "email").send_keys(email)
    d.find_element(By.ID, "password").send_keys(password)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button").click)
    assert "/inloggen" not in d.current_url, d.find_element(By.TAG_NAME, "main").text


def no_violations(d, axe_source):
    violations = run_axe(d, axe_source)
    assert violations == [], (d.current_url, violations)


def click_button(d, text, scope="main"):
    buttons = [b for b in d.find_elements(By.CSS_SELECTOR, f"{scope} button") if b.text == text]
    assert buttons, f"no button {text!r} on {d.current_url}"
    navigates(d, buttons[0].click)


def test_administrator_creates_an_account_and_the_new_colleague_sets_a_password(
        server, fresh_browser, screenshots, axe_source):
    d = fresh_browser
    log_in(d, server.url, "admin@test.nl")
    d.get(server.url + "/beheer/medewerkers")
    assert d.find_element(By.TAG_NAME, "h1").text == "Medewerkers"
    assert "nog nooit" in d.find_element(By.CSS_SELECTOR, "table").text
    no_violations(d, axe_source)
    shot(d, screenshots / "people-staff-list.png")

    navigates(d, d.find_element(By.LINK_TEXT, "Nieuwe medewerker").click)
    no_violations(d, axe_source)
    # a taken e-mail address is a Dutch message on the page
    d.find_element(By.ID, "name").send_keys("Nina Nieuw")
    d.find_element(By.ID, "email").send_keys("beleid@test.nl")
    click_button(d, "Account aanmaken")
    assert "Er is al een medewerker met dit e-mailadres." in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    no_violations(d, axe_source)
    email = d.find_element(By.ID, "email")
    email.clear()
    email.send_keys("nina@test.nl")
    Select(d.find_element(By.ID, "role")).select_by_visible_text("gespreksleider")
    click_button(d, "Account aanmaken")
    assert d.find_element(By.TAG_NAME, "h1").text == "Wachtwoordlink voor Nina Nieuw"
    link = d.find_element(By.ID, "password-link").get_attribute("value")
    assert link.startswith(server.url + "/wachtwoord/")
    no_violations(d, axe_source)
    shot(d, screenshots / "people-password-link.png")

    navigates(d, d.find_element(By.LINK_TEXT, "Naar het account van Nina Nieuw").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Account van Nina Nieuw"
    assert "wacht op wachtwoord" in d.find_element(By.CSS_SELECTOR, ".facts").text
    no_violations(d, axe_source)
    shot(d, screenshots / "people-staff-edit.png")

    # the new colleague opens the link in another browser session
    d.delete_all_cookies()
    d.get(link)
    assert d.find_element(By.TAG_NAME, "h1").text == "Wachtwoord instellen"
    no_violations(d, axe_source)
    shot(d, screenshots / "people-set-password.png")
    d.find_element(By.ID, "password").send_keys(NEW_PASSWORD)
    d.find_element(By.ID, "password_again").send_keys("iets anders dan dat")
    click_button(d, "Wachtwoord opslaan")
    assert "niet gelijk" in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    no_violations(d, axe_source)
    d.find_element(By.ID, "password").send_keys(NEW_PASSWORD)
    d.find_element(By.ID, "password_again").send_keys(NEW_PASSWORD)
    click_button(d, "Wachtwoord opslaan")
    assert "/inloggen" in d.current_url
    assert "Uw wachtwoord is ingesteld" in d.find_element(By.CSS_SELECTOR, ".notice").text
    log_in(d, server.url, "nina@test.nl", NEW_PASSWORD)

    # the link is used up
    d.delete_all_cookies()
    d.get(link)
    assert d.find_element(By.TAG_NAME, "h1").text == "Deze link werkt niet"
    no_violations(d, axe_source)


def test_administrator_manages_access_and_reads_the_audit_log(server, fresh_browser, screenshots, axe_source,
                                                              web_app):
    d = fresh_browser
    log_in(d, server.url, "admin@test.nl")
    d.get(server.url + f"/beheer/c/{SLUG}")
    navigates(d, d.find_element(By.LINK_TEXT, "Toegang geven of intrekken").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Toegang tot deze raadpleging"
    no_violations(d, axe_source)
    Select(d.find_element(By.ID, "user_id")).select_by_visible_text("Ander (beleidsmedewerker, ander@test.nl)")
    click_button(d, "Toegang geven")
    assert "Ander heeft nu toegang" in d.find_element(By.CSS_SELECTOR, ".notice").text
    rows = d.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert any("ander@test.nl" in r.text for r in rows)
    shot(d, screenshots / "people-members.png")
    no_violations(d, axe_source)
    row = [r for r in d.find_elements(By.CSS_SELECTOR, "main table tbody tr") if "gesprek@test.nl" in r.text][0]
    navigates(d, row.find_element(By.TAG_NAME, "button").click)
    assert "Gesprek heeft geen toegang meer" in d.find_element(By.CSS_SELECTOR, ".notice").text
    assert "gesprek@test.nl" not in d.find_element(By.CSS_SELECTOR, "main table").text

    d.get(server.url + "/beheer/logboek")
    assert d.find_element(By.TAG_NAME, "h1").text == "Logboek"
    no_violations(d, axe_source)
    Select(d.find_element(By.ID, "f-raadpleging")).select_by_visible_text("Wmo in Deventer")
    Select(d.find_element(By.ID, "f-actie")).select_by_visible_text("toegang ingetrokken")
    navigates(d, d.find_element(By.CSS_SELECTOR, "form.filters button").click)
    assert d.find_element(By.CSS_SELECTOR, "main p[role=status]").text.startswith("1 regel gevonden")
    table = d.find_element(By.CSS_SELECTOR, "table.audit-table").text
    assert "toegang ingetrokken" in table and "Admin" in table
    no_violations(d, axe_source)
    shot(d, screenshots / "people-audit-log.png")
    href = d.find_element(By.LINK_TEXT, "Download als CSV").get_attribute("href")
    assert "/beheer/logboek.csv?" in href and "actie=remove_member" in href
