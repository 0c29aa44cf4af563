"""Bulk import in headless Chromium: the section on the survey page, the dry run with
errors, "Nu invoeren" and the result page; axe reports no WCAG 2.1 A/AA violations."""
from __future__ import annotations

import csv
import io

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import func, select

from consult.db import session_scope
from consult.models import Channel, Response
from tests.browser.conftest import navigates, run_axe, shot
from tests.browser.test_staff_screens import log_in
from tests.web.conftest import SLUG

pytestmark = pytest.mark.browser

HEADER = ["volgnummer", "datum", "rol", "zwaarte", "wijk", "beter", "tevreden", "belangrijk",
          "belangrijk:anders", "volgorde", "toestemming"]
GOOD = ["1", "03-05-2019", "Mantelzorger", "Zwaar", "Bathmen", "Het vervoer komt vaak te laat.", "2",
        "Hulp dichtbij", "", "", "ja"]
BAD = ["2", "31-13-2019", "mantelzorgr", "", "", "", "9", "", "", "", "nee"]


def write_csv(path, *rows) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))
    return str(path)


def upload(d, path: str, channel_label: str) -> None:
    d.find_element(By.ID, "bulk-file").send_keys(path)
    Select(d.find_element(By.ID, "bulk-channel")).select_by_visible_text(channel_label)
    button = d.find_element(By.XPATH, "//button[normalize-space()='Bestand controleren']")
    navigates(d, button.click)


def paper_responses(web_app) -> int:
    with session_scope(web_app.extensions["consult.sessions"]) as s:
        return s.scalar(select(func.count(Response.id)).where(Response.channel == Channel.TELEPHONE))


def test_bulk_section_dry_run_with_errors_and_import(server, fresh_browser, screenshots, tmp_path, axe_source,
                                                     web_app):
    d = fresh_browser
    world = web_app.config["WORLD"]
    log_in(d, server.url, "beleid@test.nl")
    d.get(server.url + f"/beheer/c/{SLUG}/vragenlijsten/{world.survey_id}")
    section = d.find_element(By.ID, "in-bulk")
    assert section.text == "Papieren en telefonische antwoorden in één keer invoeren"
    assert d.find_element(By.LINK_TEXT, "Download sjabloon (Excel)")
    assert d.find_element(By.LINK_TEXT, "Download sjabloon (CSV)")
    assert run_axe(d, axe_source) == []

    upload(d, write_csv(tmp_path / "fouten.csv", GOOD, BAD), "Telefoongesprekken")
    assert d.find_element(By.TAG_NAME, "h1").text == "Controle van het bestand"
    summary = d.find_element(By.ID, "fouten").text
    assert "Er zijn 5 fouten in 1 rij" in summary and "Er is nog niets ingevoerd" in summary
    cells = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
             for tr in d.find_elements(By.CSS_SELECTOR, "table.bulk-problems tbody tr")]
    assert ["3", "rol"] == cells[1][:2] and cells[1][2].startswith("'mantelzorgr' is geen keuze. Kies uit:")
    assert ["3", "datum", "'31-13-2019' is geen datum. Schrijf de datum als 31-12-2026."] == cells[0]
    assert not d.find_elements(By.XPATH, "//button[normalize-space()='Nu invoeren']")
    assert run_axe(d, axe_source) == []
    shot(d, screenshots / "bulk-dry-run-errors.png")
    assert paper_responses(web_app) == 0

    upload(d, write_csv(tmp_path / "goed.csv", GOOD), "Telefoongesprekken")
    assert "1 antwoord kan worden ingevoerd, 0 zijn al eerder ingevoerd." in d.find_element(
        By.CSS_SELECTOR, ".notice").text
    assert run_axe(d, axe_source) == []
    navigates(d, d.find_element(By.XPATH, "//button[normalize-space()='Nu invoeren']").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Antwoorden ingevoerd"
    assert "1 antwoord is ingevoerd" in d.find_element(By.CSS_SELECTOR, ".notice").text
    assert run_axe(d, axe_source) == []
    assert paper_responses(web_app) == 1
