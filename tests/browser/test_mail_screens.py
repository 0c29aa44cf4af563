"""Staff send invitations from the browser through a real SMTP server on loopback; a
resident opens the link from the received message and reaches the survey's first page."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from consult import migrate
from consult.db import session_scope
from consult.models import Consultation, Survey, SurveyAccess
from tests.browser.conftest import navigates, run_axe, shot
from tests.conftest import FreshDatabase, LiveServer, make_app
from tests.jobqueue import drain_jobs
from tests.mailserver import code_in, links, smtp_server, text_of  # noqa: F401 (fixture)
from tests.web.conftest import PASSWORD, SLUG, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server_app(tmp_path, smtp_server):
    db = FreshDatabase("sqlite", tmp_path)
    migrate.upgrade(db.url)
    app = make_app(db.url, tmp_path / "instance", RATELIMIT_ENABLED=False, **smtp_server.config())
    with session_scope(app.extensions["consult.sessions"]) as s:
        world = build_world(s)
        s.get(Survey, world.survey_id).access = SurveyAccess.INVITATION
        s.get(Consultation, world.consultation_id).contact = "Bel 14 0570"
    app.config["WORLD"] = world
    server = LiveServer(app)
    yield app, server
    server.stop()
    app.extensions["consult.engine"].dispose()


def test_staff_send_invitations_and_the_link_opens_the_survey(mail_server_app, smtp_server, fresh_browser,
                                                              axe_source, screenshots):
    app, server = mail_server_app
    world = app.config["WORLD"]
    d = fresh_browser
    d.get(server.url + "/inloggen")
    d.find_element(By.ID, "email").send_keys("beleid@test.nl")
    d.find_element(By.ID, "password").send_keys(PASSWORD)
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button").click)

    d.get(server.url + f"/beheer/c/{SLUG}/vragenlijsten/{world.survey_id}")
    navigates(d, d.find_element(By.LINK_TEXT, "Uitnodigen per e-mail").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Uitnodigen per e-mail"
    assert run_axe(d, axe_source) == []

    d.find_element(By.ID, "addresses").send_keys(
        "an@voorbeeld.nl\nbert@voorbeeld.nl\ngeen-adres\nan@voorbeeld.nl\n")
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=check]").click)
    report = d.find_element(By.CSS_SELECTOR, "#controle + .notice, section .notice").text
    assert "2 adressen krijgen een uitnodiging" in report
    assert "1 adres staat vaker in de lijst" in report and "1 regel heeft geen geldig e-mailadres" in report
    assert not smtp_server.messages  # the dry run sends nothing
    shot(d, screenshots / "invitations-check.png")
    assert run_axe(d, axe_source) == []

    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=send]").click)
    assert "2 uitnodigingen worden verstuurd" in d.find_element(By.CSS_SELECTOR, ".notice").text
    drain_jobs(app)
    d.refresh()
    assert d.find_element(By.XPATH, "//dt[.='Uitnodigingen verstuurd']/following-sibling::dd[1]").text == "2"
    assert run_axe(d, axe_source) == []
    d.get(server.url + f"/beheer/c/{SLUG}/e-mail")
    assert run_axe(d, axe_source) == []

    # the resident: no staff session, the link and the code from the received message
    [message] = smtp_server.to("an@voorbeeld.nl")
    link = [u for u in links(message) if "/v/" in u][0]
    assert link.startswith(server.url)
    d.delete_all_cookies()
    d.get(link)
    assert run_axe(d, axe_source) == []
    d.find_element(By.ID, "code").send_keys(code_in(message))
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert d.current_url.endswith("/deel/1")
    assert "Wie bent u?" in d.find_element(By.TAG_NAME, "main").text
    assert "Wmo in Deventer" in text_of(message) and "Bel 14 0570" in text_of(message)
