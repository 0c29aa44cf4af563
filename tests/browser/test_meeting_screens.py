"""Facilitators on a 360 px phone and on a desktop (issue 17): the meeting form (label,
date hint, one neighbourhood, running attendance total, errors that name their group) and
notes upload (tables recognised, furniture kept but not coded, the job and its state).
Every page is checked with axe-core; the README's screenshots are made here."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from consult.db import session_scope
from consult.models import CodeAssignment, Document
from tests.browser.conftest import navigates, shot
from tests.browser.test_public_phone_and_desktop import SIZES, no_axe_violations, no_horizontal_scroll, sized
from tests.browser.test_staff_screens import log_in
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

STAFF = f"/beheer/c/{SLUG}"


@pytest.mark.parametrize("width", SIZES)
def test_meeting_form_total_hint_and_errors_per_group(server, fresh_browser, axe_source, screenshots, width):
    d = fresh_browser
    log_in(d, server.url, "gesprek@test.nl")
    sized(d, width)
    d.get(server.url + f"{STAFF}/bijeenkomsten/nieuw")
    label = d.find_element(By.CSS_SELECTOR, "label[for=title]")
    assert label.text == "Naam van de bijeenkomst (verplicht)"
    assert label.find_element(By.CSS_SELECTOR, ".required").text == "(verplicht)"
    date = d.find_element(By.ID, "held_on")
    assert date.get_attribute("type") == "date"
    assert "dag-maand-jaar" in d.find_element(By.ID, "held_on-hint").text.lower()
    hood = Select(d.find_element(By.ID, "neighbourhood"))
    assert not hood.is_multiple and hood.options[0].text == "Geen wijk of dorp (voor de hele gemeente)"
    assert "U kiest er één" in d.find_element(By.ID, "neighbourhood-hint").text

    d.find_element(By.ID, "title").send_keys("Wijkbijeenkomst Keizerslanden")
    hood.select_by_visible_text("Keizerslanden")
    total = d.find_element(By.ID, "deelnemers-som")
    counts = d.find_elements(By.CSS_SELECTOR, "input.attendance-count")
    assert total.text == "0"
    counts[0].send_keys("14")
    counts[2].send_keys("6")
    assert total.text == "20"  # the running total follows the typing
    counts[3].send_keys("-2")
    wrong = counts[3].get_attribute("id")
    assert total.text == "20"  # what is no count does not count
    no_horizontal_scroll(d, "meeting form")
    no_axe_violations(d, axe_source, f"meeting form at {width}px")
    if width == 1280:
        d.execute_script("document.getElementById('deelnemers-som').scrollIntoView({block: 'end'})")
        d.save_screenshot(str(screenshots / "meeting-form-total.png"))

    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    summary = d.find_element(By.CSS_SELECTOR, ".error-summary")
    group = d.find_element(By.CSS_SELECTOR, f"label[for={wrong}]").text
    assert f"Vul bij ‘{group}’ een heel getal van 0 of meer in" in summary.text
    field_error = d.find_element(By.ID, f"{wrong}-error")
    assert group in field_error.text
    assert d.find_element(By.ID, "deelnemers-som").text == "20"
    no_axe_violations(d, axe_source, f"meeting form with errors at {width}px")
    if width == 360:
        shot(d, screenshots / "meeting-form-errors-phone.png")
    fix = d.find_elements(By.CSS_SELECTOR, "input.attendance-count")[3]
    fix.clear()
    fix.send_keys("2")
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert "22" in d.find_element(By.CSS_SELECTOR, ".facts").text


NOTES = """Verslag wijkbijeenkomst Keizerslanden, 21 mei 2019
Aanwezig: 14 bewoners, 6 mantelzorgers en 2 medewerkers van het sociaal team.

Tafel 1 – mantelzorgers
Mantelzorgers zijn moe en willen vaker een dag vrij van de zorg.
Tafel 2: ouderen
De taxi naar de dagbesteding komt vaak te laat.

Groep B
- Het formulier voor de Wmo is te ingewikkeld.
"""


@pytest.mark.parametrize("width", SIZES)
def test_notes_upload_shows_the_job_tables_and_furniture(server, fresh_browser, axe_source, screenshots, web_app,
                                                        tmp_path, width):
    d = fresh_browser
    log_in(d, server.url, "gesprek@test.nl")
    sized(d, width)
    world = web_app.config["WORLD"]
    d.get(server.url + f"{STAFF}/bijeenkomsten/{world.meeting_id}")
    notes = tmp_path / f"verslag-{width}.txt"
    notes.write_text(NOTES.replace("21 mei", f"{width % 28 + 1} mei"), encoding="utf-8")
    d.find_element(By.ID, "title").send_keys(f"Verslag Keizerslanden {width}")
    d.find_element(By.ID, "file").send_keys(str(notes))
    navigates(d, d.find_element(By.CSS_SELECTOR, "form[enctype] button").click)
    job = d.find_element(By.ID, "verwerking")
    assert "Verslag in stukken verdelen" in job.text and "in de wachtrij" in job.text
    assert "voorstellen voor codes" in job.text
    assert job.find_element(By.LINK_TEXT, "Bekijk de taak").is_displayed()
    no_axe_violations(d, axe_source, f"document page, job queued, at {width}px")
    if width == 1280:
        shot(d, screenshots / "notes-job-queued.png")
    drain_jobs(web_app)
    d.refresh()
    job = d.find_element(By.ID, "verwerking")
    assert "klaar" in job.text and "stukken gemaakt" in job.text and "geen code" in job.text
    groups = [g.get_attribute("value") for g in d.find_elements(By.CSS_SELECTOR, "input[id^=group-]")]
    assert {"Tafel 1 – mantelzorgers", "Tafel 2: ouderen", "Groep B"} <= set(groups)
    index = groups.index("Tafel 1 – mantelzorgers")
    proposal = Select(d.find_elements(By.CSS_SELECTOR, "select[id^=stakeholder-]")[index])
    assert proposal.first_selected_option.text == "Mantelzorger"  # proposed from the label
    furniture = d.find_elements(By.CSS_SELECTOR, ".segment-furniture")
    assert len(furniture) == 2 and all("Niet gecodeerd" in f.text for f in furniture)
    no_horizontal_scroll(d, "document page")
    no_axe_violations(d, axe_source, f"document page, job finished, at {width}px")
    if width == 1280:
        shot(d, screenshots / "notes-job-finished.png")
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        doc = s.scalar(select(Document).where(Document.title == f"Verslag Keizerslanden {width}"))
        ids = [seg.id for seg in doc.segments if seg.furniture]
        assert len(ids) == 2
        assert not s.scalars(select(CodeAssignment).where(CodeAssignment.segment_id.in_(ids))).all()
    navigates(d, d.find_element(By.LINK_TEXT, "Bekijk de taak").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Verslag in stukken verdelen"
