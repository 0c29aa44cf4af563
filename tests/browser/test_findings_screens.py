"""A policy writer in headless Chromium writes a finding with evidence, a scenario with
voordelen and nadelen, orders them and records a decision; axe finds no WCAG 2.1 AA
violations on the overview, the finding form, the evidence search and the decision form."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from consult.db import session_scope
from consult.models import AssignmentStatus, CodeAssignment, Decision, Finding
from tests.browser.conftest import navigates, run_axe, shot
from tests.browser.test_staff_screens import log_in
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

STAFF = f"/beheer/c/{SLUG}"


def click(d, text: str) -> None:
    """Click the button or link whose visible text starts with ``text`` and wait for the next page."""
    for el in d.find_elements(By.CSS_SELECTOR, "main button, main a"):
        if el.text.strip().startswith(text) and el.is_displayed():
            navigates(d, el.click)
            return
    raise AssertionError(f"no button or link {text!r} on {d.current_url}")


def notice(d) -> str:
    return " ".join(n.text for n in d.find_elements(By.CSS_SELECTOR, ".notice"))


def test_policy_writer_writes_findings_and_a_decision(server, fresh_browser, screenshots, axe_source, web_app):
    world = web_app.config["WORLD"]
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        for a in s.scalars(select(CodeAssignment).where(CodeAssignment.id.in_(world.assignment_ids))):
            a.status = AssignmentStatus.ACCEPTED
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + STAFF)
    click(d, "Bevindingen en besluiten")
    assert d.find_element(By.TAG_NAME, "h1").text == "Bevindingen en besluiten"
    assert [h.text for h in d.find_elements(By.CSS_SELECTOR, "main h2")] == [
        "Wat is opgehaald", "Uitgangspunten", "Scenario's", "Besluiten"]
    assert run_axe(d, axe_source) == []

    # a finding with a code; a mistake first: no title
    click(d, "Nieuwe bevinding toevoegen")
    d.find_element(By.ID, "statement").send_keys("Mantelzorgers willen vaker een dag vrij.")
    d.find_element(By.XPATH, "//label[normalize-space()='Mantelzorg']").click()
    click(d, "Opslaan")
    assert "Vul een titel in." in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert d.find_element(By.ID, "statement").get_attribute("value") == "Mantelzorgers willen vaker een dag vrij."
    assert run_axe(d, axe_source) == []
    d.find_element(By.ID, "title").send_keys("Mantelzorgers hebben rust nodig")
    shot(d, screenshots / "finding-form.png")
    click(d, "Opslaan")
    assert "is opgeslagen" in notice(d)
    assert d.find_element(By.TAG_NAME, "h1").text == "Bevinding bewerken"

    # an edit not saved yet: leaving the page (for the evidence search, say) asks first.
    # (WebDriver answers the browser's own question itself, so the page's answer to a
    # beforeunload event is checked.)
    leaving = ("var e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);"
               " return e.defaultPrevented;")
    assert d.execute_script(leaving) is False                              # nothing changed yet
    d.find_element(By.ID, "statement").send_keys(" Ook in het weekend.")
    assert d.execute_script(leaving) is True                               # would ask
    click(d, "Opslaan")
    assert "De wijzigingen zijn opgeslagen." in notice(d)
    assert d.execute_script(leaving) is False                              # saved: leaves freely

    # evidence: search the accepted segments, tick one, add it
    d.find_element(By.ID, "zoek-q").send_keys("mantelzorg")
    Select(d.find_element(By.ID, "zoek-bron")).select_by_visible_text("verslag van bijeenkomst")
    click(d, "Zoeken")
    assert d.find_element(By.TAG_NAME, "h1").text == "Bewijs toevoegen"
    assert d.find_element(By.CSS_SELECTOR, "main p[role=status]").text == "1 stuk gevonden."
    results = d.find_element(By.CSS_SELECTOR, ".evidence-list").text
    assert "Mevrouw [naam] vertelt dat mantelzorg zwaar is." in results and "Jansen" not in results
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "finding-evidence.png")
    d.find_element(By.CSS_SELECTOR, "input[name=segment_ids]").click()
    click(d, "Toevoegen als bewijs")
    assert "1 stuk toegevoegd als bewijs." in notice(d)
    click(d, "Terug naar de bevinding")
    assert "Mevrouw [naam] vertelt" in d.find_element(By.ID, "bewijs").find_element(By.XPATH, "..").text

    # two scenarios with voordelen and nadelen; the second is moved up
    for title, pros in (("Scenario 1: alles blijft", "Rust"), ("Scenario 2: pilots in de wijk", "Snel\nDichtbij")):
        d.get(server.url + f"{STAFF}/bevindingen")
        click(d, "Nieuw scenario toevoegen")
        d.find_element(By.ID, "title").send_keys(title)
        d.find_element(By.ID, "advantages").send_keys(pros)
        d.find_element(By.ID, "disadvantages").send_keys("Kost geld")
        click(d, "Opslaan")
    d.get(server.url + f"{STAFF}/bevindingen")
    assert "2 voordelen, 1 nadeel" in d.page_source
    click(d, "Omhoog")
    assert "een plek omhoog gezet" in notice(d)
    titles = [h.text for h in d.find_elements(By.CSS_SELECTOR, ".finding-list h3")]
    assert titles.index("Scenario 2: pilots in de wijk") < titles.index("Scenario 1: alles blijft")
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "findings-overview.png")

    # a decision with a date, a number and a link to the chosen scenario
    click(d, "Nieuw besluit toevoegen")
    assert d.find_element(By.ID, "body").get_attribute("value") == "college van B&W"
    d.execute_script("arguments[0].value = '2020-01-21'", d.find_element(By.ID, "taken_on"))
    d.find_element(By.ID, "reference").send_keys("2019-002451")
    d.find_element(By.ID, "text").send_keys("Het college kiest scenario 2.")
    d.find_element(By.XPATH, "//label[starts-with(normalize-space(), 'Scenario 2: pilots in de wijk')]").click()
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "decision-form.png")
    click(d, "Opslaan")
    assert "Het besluit is opgeslagen." in notice(d)
    assert "21 januari 2020 (nummer 2019-002451)" in d.find_element(By.ID, "besluiten").find_element(By.XPATH, "..").text

    with session_scope(web_app.extensions["consult.sessions"]) as s:
        decision = s.scalars(select(Decision)).one()
        assert [f.title for f in decision.findings] == ["Scenario 2: pilots in de wijk"]
        finding = s.scalars(select(Finding).where(Finding.title == "Mantelzorgers hebben rust nodig")).one()
        assert [c.key for c in finding.codes] == ["MANTELZORG"] and len(finding.evidence) == 1
