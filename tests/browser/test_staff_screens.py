"""Staff in headless Chromium: log in, register a meeting, upload notes, mark segments,
review codes with the keyboard shortcuts; screenshots of the main screens."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import navigates, run_axe, shot
from tests.jobqueue import drain_jobs
from tests.web.conftest import PASSWORD, SLUG

pytestmark = pytest.mark.browser

STAFF = f"/beheer/c/{SLUG}"


def log_in(d, url, email):
    d.get(url + "/inloggen")
    d.find_element(By.ID, "email").send_keys(email)
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Beheer"


def test_facilitator_registers_meeting_and_uploads_notes(server, fresh_browser, screenshots, tmp_path, axe_source,
                                                         web_app):
    d = fresh_browser
    log_in(d, server.url, "gesprek@test.nl")
    d.get(server.url + f"{STAFF}/bijeenkomsten/nieuw")
    Select(d.find_element(By.ID, "type")).select_by_value("wijkbijeenkomst")
    d.find_element(By.ID, "title").send_keys("Wijkbijeenkomst Keizerslanden")
    d.find_element(By.ID, "place").send_keys("Buurthuis De Kei")
    Select(d.find_element(By.ID, "neighbourhood")).select_by_visible_text("Keizerslanden")
    attendance = d.find_elements(By.CSS_SELECTOR, "input[name^=att_]")
    attendance[0].send_keys("14")
    attendance[2].send_keys("6")
    shot(d, screenshots / "meeting-form.png")
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert "Wijkbijeenkomst Keizerslanden" in d.find_element(By.TAG_NAME, "h1").text
    assert "20" in d.find_element(By.CSS_SELECTOR, ".facts").text

    notes = tmp_path / "verslag-keizerslanden.md"
    notes.write_text("# Verslag Keizerslanden\n\nTafel 1\n\nMevrouw Bakker (06-23456789) vindt dat de "
                     "wachttijd voor een traplift veel te lang is.\n\nTafel 2\n\n- Meer steun voor "
                     "mantelzorgers in de wijk\n- Het formulier voor de Wmo is te ingewikkeld\n", encoding="utf-8")
    d.find_element(By.ID, "file").send_keys(str(notes))
    navigates(d, d.find_element(By.CSS_SELECTOR, "form[enctype] button").click)
    assert "/documenten/" in d.current_url
    assert "stukken verdeeld" in d.find_element(By.CSS_SELECTOR, ".notice").text
    drain_jobs(web_app)  # segmenting runs as a background job
    d.refresh()
    masked = [el.get_attribute("value") for el in d.find_elements(By.CSS_SELECTOR, "textarea.masked")]
    assert any("[telefoonnummer]" in m and "[naam]" in m for m in masked)
    group_inputs = d.find_elements(By.CSS_SELECTOR, "input[id^=group-]")
    assert "Tafel 1" in [g.get_attribute("value") for g in group_inputs]
    Select(d.find_elements(By.CSS_SELECTOR, "select[id^=stakeholder-]")[0]).select_by_visible_text("Cliënt")
    shot(d, screenshots / "notes-segments.png")
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert "bijgewerkt" in d.find_element(By.CSS_SELECTOR, ".notice").text
    assert run_axe(d, axe_source) == []


def test_policy_writer_reviews_codes_with_keyboard(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/codering")
    text = d.find_element(By.CSS_SELECTOR, ".segment-list").text
    assert "[naam]" in text and "Jansen" not in text
    assert d.find_elements(By.CSS_SELECTOR, ".segment mark")
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "coding-review.png")

    # keyboard shortcuts (progressive enhancement): j = next segment, a = accept first suggestion
    seg1, seg2 = web_app.config["WORLD"].segment_ids
    ActionChains(d).send_keys("j").perform()
    assert "is-current" in d.find_elements(By.CSS_SELECTOR, ".segment")[0].get_attribute("class")
    navigates(d, lambda: ActionChains(d).send_keys("a").perform())
    # the list ("nog te beoordelen") came back at the next segment to review, which is focused
    assert d.current_url.endswith(f"#segment-{seg2}")
    current = d.find_element(By.ID, f"segment-{seg2}")
    assert "is-current" in current.get_attribute("class")
    navigates(d, lambda: ActionChains(d).send_keys("r").perform())
    d.get(server.url + f"{STAFF}/codering?status=all")
    first, second = d.find_element(By.ID, f"segment-{seg1}"), d.find_element(By.ID, f"segment-{seg2}")
    assert "geaccepteerd" in first.text and "afgewezen" in second.text

    # add a code with a plain form
    Select(second.find_element(By.CSS_SELECTOR, ".add-code select")).select_by_visible_text("Regels en formulieren")
    navigates(d, second.find_element(By.CSS_SELECTOR, ".add-code button").click)
    codes = d.find_element(By.ID, f"segment-{seg2}").find_elements(By.CSS_SELECTOR, ".assignment strong")
    assert "Regels en formulieren" in [c.text for c in codes]

    # filters and search
    d.find_element(By.ID, "f-q").send_keys("taxi")
    navigates(d, d.find_element(By.CSS_SELECTOR, "form.filters button").click)
    found = d.find_element(By.CSS_SELECTOR, "main p[role=status]").text
    assert found.startswith("1 stuk gevonden"), (found, d.current_url)
    d.get(server.url + f"{STAFF}/codeboek")
    shot(d, screenshots / "codebook-editor.png")
    assert run_axe(d, axe_source) == []
