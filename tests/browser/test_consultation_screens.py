"""The consultation workspace in headless Chromium: create a consultation, its settings,
groups and neighbourhoods, the organisation settings with a logo, and a public page with
the logo and footer links; axe-core reports no WCAG 2.1 A/AA violations on any of them."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from consult.models import Consultation, ConsultationStatus
from tests.browser.conftest import navigates, run_axe, shot
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" width="120" height="40">'
        '<rect width="120" height="40" fill="#ffffff"/><text x="8" y="27" font-size="20" fill="#154273">Deventer</text></svg>')


def log_in(d, url, email):
    d.get(url + "/inloggen")
    d.find_element(By.ID, "email").send_keys(email)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Beheer"


def log_out(d):
    navigates(d, d.find_element(By.CSS_SELECTOR, ".staff-nav button").click)


def submit(d, form_css: str = "main form"):
    navigates(d, d.find_element(By.CSS_SELECTOR, f"{form_css} button[type=submit]").click)


def notice(d) -> str:
    return d.find_element(By.CSS_SELECTOR, ".notice").text


def test_policy_writer_sets_up_a_consultation(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    navigates(d, d.find_element(By.LINK_TEXT, "Nieuwe raadpleging").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Nieuwe raadpleging"
    assert run_axe(d, axe_source) == []

    # a taken slug: the error is shown and what was typed stays
    d.find_element(By.ID, "title").send_keys("Samen wonen in Deventer")
    d.find_element(By.ID, "slug").send_keys("wmo-test")
    submit(d)
    assert "Dit webadres is al in gebruik" in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert d.find_element(By.ID, "title").get_attribute("value") == "Samen wonen in Deventer"
    assert run_axe(d, axe_source) == []
    d.find_element(By.ID, "slug").clear()
    d.find_element(By.ID, "summary").send_keys("Praat mee over wonen.")
    d.find_element(By.ID, "decision_maker").send_keys("De gemeenteraad")
    d.find_element(By.ID, "timeline").send_keys("Tot 1 juni: meedoen. Juli: verslag.")
    d.find_element(By.ID, "contact").send_keys("Team Wonen, telefoon 14 0570")
    shot(d, screenshots / "consultation-new.png")
    submit(d)
    assert d.current_url.endswith("/beheer/c/samen-wonen-in-deventer/instellingen")
    assert "aangemaakt" in notice(d)
    assert d.find_element(By.TAG_NAME, "h1").text == "Instellingen"
    assert "Dit kan nog niet." in d.find_element(By.CSS_SELECTOR, ".status-steps").text  # no description yet
    assert run_axe(d, axe_source) == []

    # groups: add, rename, move
    navigates(d, d.find_element(By.LINK_TEXT, "Groepen van deelnemers").click)
    assert run_axe(d, axe_source) == []
    d.find_element(By.ID, "label-new").send_keys("Huurder")
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Groep toevoegen']").click)
    assert "Huurder is toegevoegd" in notice(d)
    items = d.find_elements(By.CSS_SELECTOR, ".manage-item h3")
    assert items[-1].text == "Huurder"
    last = d.find_elements(By.CSS_SELECTOR, ".manage-item")[-1]
    field = last.find_element(By.CSS_SELECTOR, "input[name=label]")
    field.clear()
    field.send_keys("Huurder of kamerbewoner")
    navigates(d, last.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Naam opslaan')]").click)
    last = d.find_elements(By.CSS_SELECTOR, ".manage-item")[-1]
    navigates(d, last.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Omhoog')]").click)
    labels = [h.text for h in d.find_elements(By.CSS_SELECTOR, ".manage-item h3")]
    assert labels[-2:] == ["Huurder of kamerbewoner", "Overig"]
    shot(d, screenshots / "consultation-groups.png")
    assert run_axe(d, axe_source) == []

    # neighbourhoods: add one and merge it into another
    navigates(d, d.find_element(By.LINK_TEXT, "Terug naar de instellingen").click)
    navigates(d, d.find_element(By.LINK_TEXT, "Wijken en dorpen").click)
    assert run_axe(d, axe_source) == []
    d.find_element(By.ID, "name-new").send_keys("Zandweerd")
    Select(d.find_element(By.ID, "kind-new")).select_by_visible_text("Wijk")
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Toevoegen']").click)
    last = d.find_elements(By.CSS_SELECTOR, ".manage-item")[-1]
    assert last.find_element(By.TAG_NAME, "h3").text.startswith("Zandweerd")
    # the list belongs to the organisation: only an administrator renames, merges or moves
    assert "Alleen een beheerder" in d.page_source and not last.find_elements(By.CSS_SELECTOR, "select[name=target]")
    assert run_axe(d, axe_source) == []
    log_in(d, server.url, "admin@test.nl")
    d.get(server.url + "/beheer/c/samen-wonen-in-deventer/instellingen/wijken")
    last = d.find_elements(By.CSS_SELECTOR, ".manage-item")[-1]
    Select(last.find_element(By.CSS_SELECTOR, "select[name=target]")).select_by_visible_text("Keizerslanden")
    navigates(d, last.find_element(By.XPATH, ".//button[starts-with(normalize-space(), 'Samenvoegen')]").click)
    assert "Zandweerd is samengevoegd met Keizerslanden" in notice(d)
    assert run_axe(d, axe_source) == []

    # a description, then open it
    navigates(d, d.find_element(By.LINK_TEXT, "Terug naar de instellingen").click)
    d.find_element(By.ID, "description").send_keys("De gemeente wil weten hoe u in de toekomst wilt wonen.")
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Opslaan']").click)
    assert "opgeslagen" in notice(d)
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Openzetten voor inbreng']").click)
    assert "Open voor inbreng" in notice(d)
    shot(d, screenshots / "consultation-settings.png")
    assert run_axe(d, axe_source) == []
    s = web_app.extensions["consult.sessions"]()
    try:
        c = Consultation.by_slug(s, "samen-wonen-in-deventer")
        assert c.status == ConsultationStatus.OPEN and c.stakeholder_groups[-2].label == "Huurder of kamerbewoner"
    finally:
        s.close()


def test_administrator_sets_logo_and_footer_links(server, fresh_browser, screenshots, axe_source, tmp_path):
    d = fresh_browser
    log_in(d, server.url, "admin@test.nl")
    navigates(d, d.find_element(By.CSS_SELECTOR, ".staff-nav").find_element(By.LINK_TEXT, "Organisatie").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Organisatie"
    assert run_axe(d, axe_source) == []

    bad = tmp_path / "logo.svg"
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', encoding="utf-8")
    d.find_element(By.ID, "logo").send_keys(str(bad))
    d.find_element(By.ID, "privacy_url").send_keys("https://www.deventer.nl/privacy")
    submit(d)
    assert "script" in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert run_axe(d, axe_source) == []

    good = tmp_path / "deventer.svg"
    good.write_text(LOGO, encoding="utf-8")
    d.find_element(By.ID, "logo").send_keys(str(good))
    for field, value in (("privacy_url", "https://www.deventer.nl/privacy"),
                         ("accessibility_url", "/toegankelijkheid"),
                         ("contact_url", "https://www.deventer.nl/contact")):
        d.find_element(By.ID, field).clear()
        d.find_element(By.ID, field).send_keys(value)
    submit(d)
    assert "opgeslagen" in notice(d)
    shot(d, screenshots / "organisation-settings.png")
    assert run_axe(d, axe_source) == []
    log_out(d)

    d.get(server.url + "/c/wmo-test")
    logo = d.find_element(By.CSS_SELECTOR, ".site-header img")
    assert logo.get_attribute("alt") == "Gemeente Deventer"
    assert d.execute_script("return arguments[0].naturalWidth", logo) > 0  # the image loads
    links = [(a.text, a.get_attribute("href")) for a in d.find_elements(By.CSS_SELECTOR, ".footer-links a")]
    assert links == [("Privacyverklaring", "https://www.deventer.nl/privacy"),
                     ("Toegankelijkheidsverklaring", server.url + "/toegankelijkheid"),
                     ("Contact", "https://www.deventer.nl/contact")]
    shot(d, screenshots / "public-with-logo.png")
    assert run_axe(d, axe_source) == []
