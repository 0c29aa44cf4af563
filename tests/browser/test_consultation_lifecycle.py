"""The whole consultation cycle in headless Chromium, from an empty database where only the
first administrator exists (made with ``consult users create``):

1. the administrator creates a consultation with its groups and neighbourhoods;
2. adds a policy writer and a facilitator (one-time set-password links);
3. chooses the codebook, imports and opens a survey, opens the consultation;
4. two residents answer, one on a 360 px screen;
5. the facilitator registers a meeting and uploads a .docx of notes;
6. the policy writer starts a coding run and waits on its progress page;
7. accepts and rejects suggestions and writes a finding with evidence;
8. sets the consultation to reported and downloads the DOCX report, whose headings and
   counts are checked against the database;
9. a resident enters the receipt code on the feedback page and sees that finding.

No step uses the shell except creating the first administrator, and no step writes to the
database behind the browser's back: background jobs run as ``consult worker --burst``
would (``drain_jobs``).
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
import urllib.request

import docx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from consult.models import (
    AssignmentStatus, AuditLog, Code, CodeAssignment, Consultation, ConsultationStatus, Finding, Meeting, Response,
    ResponseStatus, Segment, User,
)
from tests.browser.conftest import navigates, run_axe, shot
from tests.conftest import SCHEMA, FreshDatabase, LiveServer, make_app
from tests.jobqueue import drain_jobs

pytestmark = pytest.mark.browser

ADMIN, ADMIN_PASSWORD = "beheer@gemeente.example", "eerste beheerder 2026"
WRITER, FACILITATOR = "beleid@gemeente.example", "gesprek@gemeente.example"
STAFF_PASSWORD = "een lang genoeg wachtwoord"
SLUG = "mantelzorg-in-de-wijk"
TITLE = "Mantelzorg in de wijk"
FINDING = "Mantelzorgers willen vaker even vrij"

SURVEY = """\
slug: mantelzorg
title: Vragenlijst mantelzorg
access: open
introduction: Vertel ons wat u nodig hebt.
sections:
  - title: Uw ervaring
    questions:
      - key: rol
        type: stakeholder_role
        label: Wie bent u?
        required: true
      - key: wijk
        type: neighbourhood
        label: In welke wijk woont u?
      - key: beter
        type: text_long
        label: Wat kan er beter?
        required: true
      - key: toestemming
        type: consent
        label: Ik geef toestemming om mijn antwoorden te gebruiken.
        required: true
"""

ANSWERS = (
    "Als mantelzorger voor mijn moeder heb ik te weinig respijtzorg. Ik wil af en toe even vrij zijn.",
    "De huishoudelijke hulp komt te weinig uur. Het schoonmaken lukt mijn vader niet meer alleen.",
)
NOTES = (
    "Verslag wijkbijeenkomst Keizerslanden\n\n"
    "Mantelzorgers vertellen dat zij zelden een dag vrij hebben. Respijtzorg is moeilijk te vinden.\n\n"
    "Bewoners vinden de huishoudelijke hulp belangrijk, maar het aantal uren is te laag.\n\n"
    "Er is behoefte aan een plek in de wijk om elkaar te ontmoeten, zoals een buurthuis."
)


# -- fixtures: an empty database with one administrator, served live ----------------------

@pytest.fixture
def cycle(tmp_path):
    db = FreshDatabase("sqlite", tmp_path)
    SCHEMA.apply(db)
    env = {**os.environ, "CONSULT_DATABASE_URL": db.url, "CONSULT_INSTANCE_PATH": str(tmp_path / "instance")}
    created = subprocess.run(
        [sys.executable, "-m", "consult.cli", "users", "create", "--email", ADMIN, "--name", "Bea Beheer",
         "--role", "administrator", "--password", ADMIN_PASSWORD],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert created.returncode == 0, created.stderr
    app = make_app(db.url, tmp_path / "instance", RATELIMIT_ENABLED=False)
    server = LiveServer(app)
    yield app, server
    server.stop()
    app.extensions["consult.engine"].dispose()


def session_of(app):
    return app.extensions["consult.sessions"]()


# -- browser helpers -----------------------------------------------------------------------

def button(d, text: str):
    """The button whose visible text starts with ``text`` (hidden suffixes name the item)."""
    return d.find_element(By.XPATH, f"//button[starts-with(normalize-space(.), {text!r})]")


def press(d, text: str) -> None:
    navigates(d, lambda: button(d, text).click())


def follow(d, text: str) -> None:
    link = d.find_element(By.XPATH, f"//main//a[starts-with(normalize-space(.), {text!r})]")
    navigates(d, link.click)


def fill(d, field_id: str, value: str) -> None:
    el = d.find_element(By.ID, field_id)
    el.clear()
    el.send_keys(value)


def set_date(d, field_id: str, iso: str) -> None:
    """Type into an ``<input type=date>`` whatever its locale order is: set the value."""
    d.execute_script("arguments[0].value = arguments[1]", d.find_element(By.ID, field_id), iso)


def notices(d) -> str:
    return " ".join(el.text for el in d.find_elements(By.CSS_SELECTOR, ".notice"))


def log_in(d, server, email: str, password: str) -> None:
    d.delete_all_cookies()
    d.get(server.url + "/inloggen")
    fill(d, "email", email)
    fill(d, "password", password)
    press(d, "Inloggen")
    assert "/inloggen" not in d.current_url, d.page_source[:2000]


def assert_accessible(d, axe_source: str, where: str) -> None:
    assert run_axe(d, axe_source) == [], where


def wait_until_done(d, app) -> str:
    """Run the queued jobs as a worker would; the progress page (jobs.js) then shows the end."""
    drain_jobs(app)
    WebDriverWait(d, 60).until(
        lambda drv: any(word in drv.find_element(By.ID, "taak-status").text for word in ("klaar", "mislukt")))
    return d.find_element(By.ID, "taak-status").text


def answer_survey(d, server, answer: str, role_value: str) -> str:
    d.get(f"{server.url}/c/{SLUG}")
    follow(d, "Vragenlijst mantelzorg")
    press(d, "Begin met de vragenlijst")
    d.find_element(By.CSS_SELECTOR, f"input[name='q_rol'][value='{role_value}']").click()
    d.find_element(By.CSS_SELECTOR, "input[name='q_wijk']").click()  # the first neighbourhood
    fill(d, "q_beter", answer)
    d.find_element(By.CSS_SELECTOR, "input[name='q_toestemming']").click()
    press(d, "Naar controleren")
    assert d.find_element(By.TAG_NAME, "h1").text == "Controleer uw antwoorden"
    press(d, "Verstuur mijn antwoorden")
    return d.find_element(By.ID, "ontvangstcode").text


def set_password_with_link(d, link: str) -> None:
    d.delete_all_cookies()
    d.get(link)
    assert d.find_element(By.TAG_NAME, "h1").text == "Wachtwoord instellen"
    fill(d, "password", STAFF_PASSWORD)
    fill(d, "password_again", STAFF_PASSWORD)
    press(d, "Wachtwoord opslaan")
    assert "Uw wachtwoord is ingesteld" in notices(d)


def download(d, href: str) -> bytes:
    """Fetch a download over real HTTP with the browser's session cookie."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in d.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookie}), timeout=60) as r:
        assert r.headers["Content-Disposition"].startswith("attachment")
        return r.read()


# -- the cycle -----------------------------------------------------------------------------

def test_a_whole_consultation_from_the_browser(cycle, fresh_browser, axe_source, screenshots, tmp_path):
    app, server = cycle
    d = fresh_browser

    # 1. the administrator creates the consultation, its groups and neighbourhoods
    log_in(d, server, ADMIN, ADMIN_PASSWORD)
    d.get(server.url + "/beheer/")
    follow(d, "Nieuwe raadpleging")
    fill(d, "title", TITLE)
    fill(d, "slug", SLUG)
    fill(d, "summary", "Hoe helpen we mantelzorgers in de wijk?")
    fill(d, "description", "De gemeente wil weten wat mantelzorgers nodig hebben. Uw ervaring helpt ons.")
    fill(d, "policy_field", "Wmo")
    fill(d, "decision_maker", "het college van B&W")
    set_date(d, "starts_on", "2026-11-01")
    set_date(d, "ends_on", "2027-01-31")
    fill(d, "follow_up", "Wij verwerken alle inbreng in een verslag. Daarna besluit het college.")
    fill(d, "contact", "Team Wmo, wmo@gemeente.example")
    press(d, "Raadpleging aanmaken")
    assert "aangemaakt" in notices(d)
    follow(d, "Groepen van deelnemers")
    fill(d, "label-new", "Jongeren")
    press(d, "Groep toevoegen")
    assert "Jongeren" in [el.text for el in d.find_elements(By.CSS_SELECTOR, ".manage-item h3")]
    follow(d, "Terug naar de instellingen")
    follow(d, "Wijken en dorpen")
    for name in ("Keizerslanden", "Colmschate"):
        fill(d, "name-new", name)
        press(d, "Toevoegen")
    assert [el.text for el in d.find_elements(By.CSS_SELECTOR, ".manage-item h3")][:2] == ["Keizerslanden (wijk)",
                                                                                                "Colmschate (wijk)"]

    # 2. staff accounts with one-time links, and access to the consultation
    links = {}
    for name, email, role in (("Piet Beleid", WRITER, "beleidsmedewerker"),
                              ("Gea Gesprek", FACILITATOR, "gespreksleider")):
        d.get(server.url + "/beheer/medewerkers/nieuw")
        fill(d, "name", name)
        fill(d, "email", email)
        Select(d.find_element(By.ID, "role")).select_by_visible_text(role)
        press(d, "Account aanmaken")
        links[email] = d.find_element(By.ID, "password-link").get_attribute("value")
        d.get(f"{server.url}/beheer/c/{SLUG}/toegang")
        Select(d.find_element(By.ID, "user_id")).select_by_visible_text(f"{name} ({role}, {email})")
        press(d, "Toegang geven")
    assert len(d.find_elements(By.XPATH, "//button[starts-with(normalize-space(.), 'Toegang intrekken')]")) == 2

    # 3. the codebook, the survey, and open for input
    d.get(f"{server.url}/beheer/c/{SLUG}/codeboek")
    assert_accessible(d, axe_source, "choosing a codebook")
    shot(d, screenshots / "codebook-choose.png")
    d.find_element(By.ID, "bron-standaard").click()
    press(d, "Codeboek gebruiken")
    assert "gebruikt nu het codeboek" in notices(d)
    d.get(f"{server.url}/beheer/c/{SLUG}/vragenlijsten/nieuw")
    fill(d, "definition", SURVEY)
    press(d, "Opslaan")
    d.find_element(By.CSS_SELECTOR, "input[name='status'][value='open']").click()
    press(d, "Status opslaan")
    d.get(f"{server.url}/beheer/c/{SLUG}/instellingen")
    press(d, "Openzetten voor inbreng")
    with session_of(app) as s:
        assert Consultation.by_slug(s, SLUG).status == ConsultationStatus.OPEN
    for email, link in links.items():
        set_password_with_link(d, link)

    # 4. two residents answer; the second on a 360 px phone
    d.delete_all_cookies()
    first_code = answer_survey(d, server, ANSWERS[0], "mantelzorger")
    d.set_window_size(360, 800)
    d.delete_all_cookies()
    second_code = answer_survey(d, server, ANSWERS[1], "inwoner")
    shot(d, screenshots / "lifecycle-receipt-360.png")
    assert d.execute_script("return document.documentElement.scrollWidth") <= 360
    d.set_window_size(1280, 1024)
    assert first_code != second_code
    drain_jobs(app)  # the worker segments and codes the answers

    # 5. the facilitator registers a meeting and uploads notes as .docx
    log_in(d, server, FACILITATOR, STAFF_PASSWORD)
    nav = d.find_element(By.CSS_SELECTOR, "nav[aria-label='Medewerkers']").text
    assert "Medewerkers" not in nav and "Logboek" not in nav
    d.get(f"{server.url}/beheer/c/{SLUG}")
    tabs = d.find_element(By.CSS_SELECTOR, "ul.tabs").text
    assert "Codes beoordelen" not in tabs and "Advies en reactie" not in tabs
    d.get(f"{server.url}/beheer/c/{SLUG}/bijeenkomsten/nieuw")
    fill(d, "title", "Wijkbijeenkomst Keizerslanden")
    set_date(d, "held_on", "2026-11-20")
    Select(d.find_element(By.ID, "neighbourhood")).select_by_visible_text("Keizerslanden")
    fields = d.find_elements(By.CSS_SELECTOR, "input[name^='att_']")
    fields[0].send_keys("12")
    fields[2].send_keys("5")
    press(d, "Opslaan")
    notes = tmp_path / "verslag-keizerslanden.docx"
    document = docx.Document()
    for paragraph in NOTES.split("\n\n"):
        document.add_paragraph(paragraph)
    document.save(notes)
    d.find_element(By.ID, "file").send_keys(str(notes))
    press(d, "Verslag opslaan")
    drain_jobs(app)

    # 6. the policy writer starts a coding run and waits on its progress page
    log_in(d, server, WRITER, STAFF_PASSWORD)
    with session_of(app) as s:
        writer_id = User.by_email(s, WRITER).id
    d.get(f"{server.url}/beheer/c/{SLUG}")
    assert_accessible(d, axe_source, "consultation overview with its steps")
    shot(d, screenshots / "consultation-overview.png")
    follow(d, "Coderen")
    press(d, "Coder opnieuw trainen")
    assert d.find_element(By.TAG_NAME, "h1").text == "Coder opnieuw trainen"
    assert wait_until_done(d, app) == "klaar"
    assert_accessible(d, axe_source, "progress page, finished")
    shot(d, screenshots / "lifecycle-coding-done.png")

    # 7. review: accept the suggestions on the first answer, reject one elsewhere
    follow(d, "Voorstellen beoordelen")
    fill(d, "f-q", "respijtzorg")
    d.find_element(By.ID, "f-q").submit()
    WebDriverWait(d, 10).until(lambda drv: "respijtzorg" in drv.current_url)
    with session_of(app) as s:
        first_segment = s.scalar(select(Segment.id).where(Segment.text.contains("te weinig respijtzorg")))
        open_before = s.scalar(select(func.count(CodeAssignment.id))
                               .where(CodeAssignment.status == AssignmentStatus.SUGGESTED))
    assert open_before > 0
    item = d.find_element(By.ID, f"segment-{first_segment}")
    accept = item.find_element(By.XPATH, ".//button[starts-with(normalize-space(.), 'Accepteren')]")
    navigates(d, accept.click)
    d.get(f"{server.url}/beheer/c/{SLUG}/codering")
    press(d, "Afwijzen")
    with session_of(app) as s:
        decided = dict(s.execute(select(CodeAssignment.status, func.count()).group_by(CodeAssignment.status)).all())
        accepted_code = s.scalar(select(CodeAssignment.code_id).where(
            CodeAssignment.segment_id == first_segment, CodeAssignment.status == AssignmentStatus.ACCEPTED))
    assert decided.get(AssignmentStatus.ACCEPTED, 0) >= 1 and decided.get(AssignmentStatus.REJECTED, 0) == 1

    d.get(f"{server.url}/beheer/c/{SLUG}/bevindingen")
    follow(d, "Nieuwe bevinding toevoegen")
    fill(d, "title", FINDING)
    fill(d, "statement", "In de vragenlijst en in de wijken zeggen mantelzorgers dat respijtzorg moeilijk te vinden is.")
    d.find_element(By.CSS_SELECTOR, f"input[name='codes'][value='{accepted_code}']").click()
    press(d, "Opslaan")
    fill(d, "zoek-q", "respijtzorg")
    press(d, "Zoeken")
    assert d.find_element(By.TAG_NAME, "h1").text == "Bewijs toevoegen"
    d.find_element(By.ID, f"stuk-{first_segment}").click()
    press(d, "Toevoegen als bewijs")
    assert "1 stuk toegevoegd als bewijs." in notices(d)
    with session_of(app) as s:
        finding = s.scalars(select(Finding)).one()
        assert [seg.id for seg in finding.evidence] == [first_segment]

    # 8. reported, and the DOCX report downloaded and checked against the database
    d.get(f"{server.url}/beheer/c/{SLUG}/instellingen")
    press(d, "Sluiten")
    press(d, "Verslag is gepubliceerd")
    d.get(f"{server.url}/beheer/c/{SLUG}/downloads")
    press(d, "Verslag in Word (DOCX)")
    assert wait_until_done(d, app) == "klaar"
    link = d.find_element(By.XPATH, "//a[starts-with(normalize-space(.), 'Downloaden:')]")
    assert link.text.endswith(".docx")
    report = docx.Document(io.BytesIO(download(d, link.get_attribute("href"))))
    headings = {p.text: p.style.name for p in report.paragraphs if p.style.name.startswith(("Heading", "Title"))}
    text = "\n".join(p.text for p in report.paragraphs)
    rows = [[cell.text.replace("\u00a0", " ") for cell in row.cells]  # dates hold non-breaking spaces
            for table in report.tables for row in table.rows]
    with session_of(app) as s:
        c = Consultation.by_slug(s, SLUG)
        assert c.status == ConsultationStatus.REPORTED and c.reported_on is not None
        responses = s.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.SUBMITTED))
        meeting = s.scalars(select(Meeting).where(Meeting.consultation_id == c.id)).one()
        attendance = meeting.attendance_total
        themes = set(s.scalars(select(Code.label).join(CodeAssignment, CodeAssignment.code_id == Code.id)
                               .where(CodeAssignment.status == AssignmentStatus.ACCEPTED)))
        downloads = s.scalars(select(AuditLog).where(AuditLog.action == "download_export")).all()
    assert headings[TITLE] == "Title"
    for heading in ("3. Aanpak", "4. Wat is opgehaald", "6. Bevindingen en scenario's", "7. Advies en reactie"):
        assert headings[heading] == "Heading 1", heading
    assert headings[FINDING] == "Heading 3"
    theme_headings = {h.split(" ", 1)[1] for h, style in headings.items() if style == "Heading 2" and h.startswith("4.")}
    assert theme_headings == themes  # one section per theme with an accepted code, no more
    assert f"{responses} mensen vulden de vragenlijst in" in text
    assert f"Daar waren in totaal {attendance} mensen bij" in text
    assert ["Wijkbijeenkomst Keizerslanden", "Wijkbijeenkomst", "20 november 2026", "Keizerslanden",
            str(attendance)] in rows
    assert (responses, attendance) == (2, 17)
    assert [e.user_id for e in downloads] == [writer_id]  # the download is in the audit log

    # 9. a resident reads what was done with their input
    d.delete_all_cookies()
    d.get(f"{server.url}/c/{SLUG}/terugkoppeling")
    fill(d, "code", first_code)
    press(d, "Toon mijn thema's")
    assert FINDING in d.find_element(By.CSS_SELECTOR, "section[aria-labelledby='uw-inbreng']").text
    assert_accessible(d, axe_source, "feedback page with a receipt code")
