"""The review screen and the codebook editor in headless Chromium: the text around a
segment, focus on the next segment after a decision, accepting several suggestions at
once, undoing the last decision, editing a code's keywords; axe on every state."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import navigates, run_axe, shot
from tests.browser.test_staff_screens import log_in
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

STAFF = f"/beheer/c/{SLUG}"


def active_id(d) -> str:
    return d.execute_script("return document.activeElement && document.activeElement.id")


def test_review_focus_context_bulk_and_undo(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    world = web_app.config["WORLD"]
    seg1, seg2 = world.segment_ids
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/codering")
    assert "nog te beoordelen" in d.find_element(By.CSS_SELECTOR, "main p[role=status]").text
    why = d.find_element(By.CSS_SELECTOR, f"#segment-{seg1} .why").text
    assert why == "Waarom: Herkend aan het woord ‘mantelzorg’ (regel)."
    # the text around the segment, with the segment itself marked
    d.find_element(By.CSS_SELECTOR, f"#segment-{seg1} .segment-context summary").click()
    context = d.find_element(By.CSS_SELECTOR, f"#segment-{seg1} .context-text")
    assert "taxi" in context.text
    assert context.find_element(By.TAG_NAME, "mark").text.startswith("Mevrouw [naam]")
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "review.png")
    d.execute_script("arguments[0].scrollIntoView()", d.find_element(By.ID, f"segment-{seg1}"))
    d.save_screenshot(str(screenshots / "review-context.png"))

    # accept: back on the list, focus on the next segment to review
    navigates(d, d.find_element(By.CSS_SELECTOR, f"#segment-{seg1} button[value=accept]").click)
    assert d.current_url.endswith(f"#segment-{seg2}")
    assert active_id(d) == f"segment-{seg2}"
    assert not d.find_elements(By.ID, f"segment-{seg1}")  # reviewed: no longer in "nog te beoordelen"

    # bulk: choose the remaining suggestion and accept the selection
    d.find_element(By.CSS_SELECTOR, f"#segment-{seg2} .bulk-choice label").click()
    assert d.find_element(By.CSS_SELECTOR, f"#segment-{seg2} .bulk-choice input").is_selected()
    assert run_axe(d, axe_source) == []
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Geselecteerde voorstellen accepteren']").click)
    assert "1 voorstel geaccepteerd." in d.find_element(By.TAG_NAME, "main").text
    assert active_id(d) == "resultaat"
    assert d.find_element(By.CSS_SELECTOR, "main p[role=status]").text.startswith("0 stukken gevonden")

    # undo the last decision (the bulk step): the suggestion is open again and focused
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Laatste beslissing ongedaan maken']").click)
    assert "ongedaan gemaakt" in d.find_element(By.TAG_NAME, "main").text
    assert active_id(d) == f"segment-{seg2}"
    assert "voorgesteld" in d.find_element(By.ID, f"segment-{seg2}").text
    assert run_axe(d, axe_source) == []


def test_codebook_editor_edits_keywords(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/codeboek")
    navigates(d, d.find_element(By.XPATH, "//a[normalize-space()='Aanpassen: Vervoer']").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Code ‘Vervoer’ aanpassen"
    keywords = d.find_element(By.ID, "keywords")
    assert keywords.get_attribute("value") == "vervoer\ntaxi"
    keywords.send_keys("\nregiotaxi")
    d.find_element(By.ID, "description").send_keys("Reizen naar zorg en activiteiten.")
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "codebook-edit-code.png")
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Opslaan']").click)
    assert "De coderingen zijn meegegaan met hun code." in d.find_element(By.TAG_NAME, "main").text
    row = d.find_element(By.XPATH, "//tr[td[normalize-space()='Vervoer']]")
    assert "regiotaxi" in row.text
    assert run_axe(d, axe_source) == []
    # an empty name: a Dutch error, status 422 page with the summary
    navigates(d, d.find_element(By.XPATH, "//a[normalize-space()='Aanpassen: Vervoer']").click)
    d.find_element(By.ID, "label").clear()
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Opslaan']").click)
    assert "Vul een naam in." in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert run_axe(d, axe_source) == []
