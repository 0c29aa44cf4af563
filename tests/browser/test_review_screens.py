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

    # choose segment 2's suggestion for the bulk step, then accept segment 1's on its own:
    # back on the list, focus on the next segment to review, and the choice is still there
    d.find_element(By.CSS_SELECTOR, f"#segment-{seg2} .bulk-choice label").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, f"#segment-{seg1} button[value=accept]").click)
    assert d.current_url.endswith(f"#segment-{seg2}")
    assert active_id(d) == f"segment-{seg2}"
    assert not d.find_elements(By.ID, f"segment-{seg1}")  # reviewed: no longer in "nog te beoordelen"

    # bulk: accept the selection
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


def _name(element) -> str:
    return " ".join(element.get_attribute("textContent").split())


def _ranked_segment(web_app) -> tuple[int, int]:
    """A new notes segment as a learning coder's run leaves it: one suggestion, a margin
    that puts it first, and three candidates below the threshold."""
    from sqlalchemy import select

    from consult.db import session_scope
    from consult.models import CodeAssignment, Document, Origin, Segment

    world = web_app.config["WORLD"]
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        doc = s.scalar(select(Document))
        text = "Het formulier voor de regiotaxi is lastig en mijn moeder heeft hulp nodig."
        seg = Segment(consultation_id=world.consultation_id, document_id=doc.id, position=5, start_char=0,
                      end_char=len(text), text=text, masked_text=text, review_margin=0.01,
                      candidates={"coder": "model:1", "codes": [{"code": "MANTELZORG", "score": 0.38},
                                                                 {"code": "REGELS", "score": 0.2}]})
        s.add(seg)
        s.flush()
        s.add(CodeAssignment(segment_id=seg.id, code_id=world.code_ids["VERVOER"], origin=Origin.MODEL,
                             coder="model:1", confidence=0.7, evidence={"items": []}))
        return seg.id, world.code_ids["MANTELZORG"]


def test_review_one_key_candidates_in_the_learners_order(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    seg_id, _ = _ranked_segment(web_app)
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/codering")
    first = d.find_element(By.CSS_SELECTOR, ".segment-list > li.segment")
    assert first.get_attribute("id") == f"segment-{seg_id}"          # the most informative first
    assert d.find_element(By.ID, "f-volgorde").get_attribute("value") == "leerzaam"
    buttons = first.find_elements(By.CSS_SELECTOR, ".candidates button")
    # screen readers hear where a button belongs: the segment's number in the list, not a database id
    assert [_name(b) for b in buttons] == ["1 Mantelzorg toevoegen (zekerheid 38%) bij stuk 1",
                                          "2 Regels en formulieren toevoegen (zekerheid 20%) bij stuk 1"]
    assert run_axe(d, axe_source) == []
    d.execute_script("arguments[0].scrollIntoView()", first)
    d.save_screenshot(str(screenshots / "review-candidates.png"))
    # keyboard only: j to the first segment, 1 for its first candidate
    d.find_element(By.TAG_NAME, "body").send_keys("j")
    assert active_id(d) == f"segment-{seg_id}"
    navigates(d, lambda: d.switch_to.active_element.send_keys("1"))
    assert d.current_url.endswith(f"#segment-{seg_id}") and active_id(d) == f"segment-{seg_id}"
    seg = d.find_element(By.ID, f"segment-{seg_id}")
    assert "Gekozen uit de codes die het lerende model net niet voorstelde, zekerheid 38%." in seg.text
    number = [e.get_attribute("id") for e in d.find_elements(By.CSS_SELECTOR, ".segment-list > li.segment")].index(
        f"segment-{seg_id}") + 1
    assert [_name(b) for b in seg.find_elements(By.CSS_SELECTOR, ".candidates button")] == \
        [f"1 Regels en formulieren toevoegen (zekerheid 20%) bij stuk {number}"]
    assert run_axe(d, axe_source) == []
    # without JavaScript the buttons are plain form buttons: a click does the same
    navigates(d, seg.find_element(By.CSS_SELECTOR, ".candidates button").click)
    assert not d.find_element(By.ID, f"segment-{seg_id}").find_elements(By.CSS_SELECTOR, ".candidates")
    # the text order is one choice away
    d.find_element(By.CSS_SELECTOR, "#f-volgorde option[value=tekst]").click()
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Filter']").click)
    assert "volgorde=tekst" in d.current_url
    assert d.find_element(By.CSS_SELECTOR, ".segment-list > li.segment").get_attribute("id") != f"segment-{seg_id}"
    assert run_axe(d, axe_source) == []


def test_codebook_editor_adds_a_proposed_keyword(server, fresh_browser, screenshots, axe_source, web_app):
    from consult.db import session_scope
    from consult.models import Job, JobStatus

    world = web_app.config["WORLD"]
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        s.add(Job(kind="suggest_keywords", consultation_id=world.consultation_id, status=JobStatus.FINISHED,
                  progress=1.0, result={"codebook_version": 1, "segments": 14, "accepted_segments": 9, "codes": {
                      "VERVOER": [{"lemma": "rolstoelbus", "z": 2.1, "count": 4}, {"lemma": "formulier", "z": 1.2, "count": 2}],
                      "MANTELZORG": [{"lemma": "moeder", "z": 1.8, "count": 3}]}}))
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/codeboek#trefwoordvoorstellen")
    table = d.find_element(By.CSS_SELECTOR, "table.keyword-proposals")
    assert "Let op: al een trefwoord bij Regels en formulieren" in table.text
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "codebook-keyword-proposals.png")
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Toevoegen: ‘rolstoelbus’ bij Vervoer']").click)
    main = d.find_element(By.TAG_NAME, "main").text
    assert "Trefwoord ‘rolstoelbus’ is toegevoegd." in main and "wordt nu gebruikt" in main
    assert d.current_url.endswith("#trefwoordvoorstellen")
    row = d.find_element(By.XPATH, "//table[not(contains(@class,'keyword-proposals'))]//tr[td[normalize-space()='Vervoer']]")
    assert "rolstoelbus" in row.text
    assert "rolstoelbus" not in d.find_element(By.CSS_SELECTOR, "table.keyword-proposals").text
    assert run_axe(d, axe_source) == []
