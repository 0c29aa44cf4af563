"""Jobs and downloads in headless Chromium: a policy writer starts a coding run, watches its
progress page update itself (jobs.js) until it is done, makes an export and finds it on the
downloads page; axe-core finds no WCAG 2.1 A/AA violations on any of these screens."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from consult.db import session_scope
from consult.models import Job, JobStatus
from tests.browser.conftest import navigates, run_axe, shot
from tests.browser.test_staff_screens import log_in
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

STAFF = f"/beheer/c/{SLUG}"


def test_coding_run_progress_page_updates_itself(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/taken")
    assert d.find_element(By.TAG_NAME, "h1").text == "Coderen en taken"
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "jobs-index.png")

    button = d.find_element(By.XPATH, "//button[normalize-space()='Nieuwe tekst coderen']")
    navigates(d, button.click)
    assert "/taken/" in d.current_url
    assert d.find_element(By.TAG_NAME, "h1").text == "Nieuwe tekst coderen"
    assert d.find_element(By.ID, "taak-status").text == "in de wachtrij"
    assert d.find_element(By.ID, "taak-voortgang").get_attribute("value") == "0"
    assert run_axe(d, axe_source) == []

    drain_jobs(web_app)  # the worker does the run; the page notices without a reload
    marker = d.find_element(By.TAG_NAME, "html")
    WebDriverWait(d, 30).until(lambda _d: "Klaar" in d.find_element(By.ID, "taak-uitkomst").text)
    assert marker.is_enabled()  # the same page: updated in place, not reloaded
    assert d.find_element(By.ID, "taak-status").text == "klaar"
    assert d.find_element(By.ID, "taak-voortgang").get_attribute("value") == "100"
    assert "Klaar" in d.find_element(By.ID, "taak-melding").get_attribute("textContent")  # announced
    assert d.title.startswith("Nieuwe tekst coderen: klaar")
    assert d.find_element(By.LINK_TEXT, "Voorstellen beoordelen").is_displayed()
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "job-finished.png")

    d.refresh()  # the finished page as served
    assert "Klaar" in d.find_element(By.ID, "taak-uitkomst").text
    assert run_axe(d, axe_source) == []


def test_running_progress_page_is_accessible(server, fresh_browser, screenshots, axe_source, web_app):
    world = web_app.config["WORLD"]
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        job = Job(kind="code_consultation", consultation_id=world.consultation_id, status=JobStatus.RUNNING,
                  progress=0.4, params={"retrain": True}, requested_by_id=world.writer_id)
        s.add(job)
        s.flush()
        job_id = job.id
    try:
        d = fresh_browser
        log_in(d, server.url, "beleid@test.nl")
        d.get(server.url + f"{STAFF}/taken/{job_id}")
        assert d.find_element(By.ID, "taak-status").text == "bezig"
        assert d.find_element(By.ID, "taak-procent").text == "40%"
        assert run_axe(d, axe_source) == []
        shot(d, screenshots / "job-running.png")
    finally:
        with session_scope(web_app.extensions["consult.sessions"]) as s:
            s.get(Job, job_id).status = JobStatus.FAILED  # no coding run left "running" for other tests


def test_downloads_page_makes_and_lists_a_file(server, fresh_browser, screenshots, axe_source, web_app):
    d = fresh_browser
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"{STAFF}/downloads")
    assert d.find_element(By.TAG_NAME, "h1").text == "Verslag en downloads"
    assert run_axe(d, axe_source) == []
    button = d.find_element(By.XPATH, "//button[normalize-space()='Gegevens in Excel (XLSX)']")
    navigates(d, button.click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Gegevens in Excel (XLSX) maken"
    drain_jobs(web_app)
    WebDriverWait(d, 30).until(lambda _d: "Klaar" in d.find_element(By.ID, "taak-uitkomst").text)
    assert d.find_element(By.PARTIAL_LINK_TEXT, "Downloaden:").is_displayed()
    navigates(d, d.find_element(By.LINK_TEXT, "Naar alle downloads").click)
    rows = d.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert rows and "Gegevens in Excel (XLSX)" in rows[0].text and "Downloaden" in rows[0].text
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "downloads.png")
