"""Staff send invitations from the browser through a real SMTP server on loopback; a
resident opens the link from the received message (the code is filled in), saves and has
the resume link mailed, continues from that mail and completes the survey with the
receipt by e-mail. axe-core on the pages with the e-mail fields, at 360 px and desktop."""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from consult.db import session_scope
from consult.models import Consultation, Survey, SurveyAccess
from tests.browser.conftest import navigates, run_axe, shot
from tests.conftest import SCHEMA, FreshDatabase, LiveServer, make_app
from tests.jobqueue import drain_jobs
from tests.mailserver import code_in, links, smtp_server, text_of  # noqa: F401 (fixture)
from tests.web.conftest import PASSWORD, SLUG, build_world

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_server_app(tmp_path, smtp_server):
    db = FreshDatabase("sqlite", tmp_path)
    SCHEMA.apply(db)
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
    assert d.find_element(By.ID, "code").get_attribute("value") == code_in(message)  # from the link
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert d.current_url.endswith("/deel/1")
    assert "Wie bent u?" in d.find_element(By.TAG_NAME, "main").text
    assert "Wmo in Deventer" in text_of(message) and "Bel 14 0570" in text_of(message)

    # page 1, then "save and continue later": the saved page offers the link by e-mail
    d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=inwoner]").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=save]").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Uw antwoorden zijn bewaard"
    resume_code = d.find_element(By.ID, "verdercode").text
    for width in (360, 1280):
        d.set_window_size(width, 900)
        assert run_axe(d, axe_source) == [], width
        assert d.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
    d.find_element(By.ID, "contact-email").send_keys("an.prive@voorbeeld.nl")
    navigates(d, d.find_element(By.CSS_SELECTOR, ".resume-by-mail button[type=submit]").click)
    # no tick: the error summary, the address stays, nothing sent
    assert "Zet een vinkje" in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert d.find_element(By.ID, "contact-email").get_attribute("value") == "an.prive@voorbeeld.nl"
    for width in (360, 1280):
        d.set_window_size(width, 900)
        assert run_axe(d, axe_source) == [], width
    d.find_element(By.ID, "contact-consent").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, ".resume-by-mail button[type=submit]").click)
    assert "Wij sturen de link" in d.find_element(By.TAG_NAME, "main").text
    d.find_element(By.CSS_SELECTOR, ".resume-by-mail").screenshot(str(screenshots / "survey-saved-mail.png"))
    drain_jobs(app)
    [resume] = smtp_server.to("an.prive@voorbeeld.nl")
    assert resume_code in text_of(resume)  # the code the saved page showed, kept for the mail
    resume_link = [u for u in links(resume) if "/r/" in u][0]

    # another day, another browser session: on from the link in the mail, to the end
    d.delete_all_cookies()
    d.get(resume_link)
    assert "Deel 2 van 3" in d.find_element(By.TAG_NAME, "h1").text
    d.find_element(By.NAME, "q_beter").send_keys("Meer hulp bij het invullen van formulieren.")
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)
    d.find_element(By.NAME, "q_toestemming").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)
    assert d.find_element(By.TAG_NAME, "h1").text == "Controleer uw antwoorden"
    assert "an.prive@voorbeeld.nl" in d.find_element(By.TAG_NAME, "main").text  # consent given on saving
    for width in (360, 1280):
        d.set_window_size(width, 900)
        assert run_axe(d, axe_source) == [], width
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    receipt_code = d.find_element(By.ID, "ontvangstcode").text
    assert "Wij sturen uw ontvangstcode ook per e-mail" in d.find_element(By.TAG_NAME, "main").text
    drain_jobs(app)
    receipt = smtp_server.to("an.prive@voorbeeld.nl")[-1]
    assert receipt_code in text_of(receipt)
    assert not smtp_server.to("an@voorbeeld.nl")[1:]  # the invitation address got the invitation only


def test_review_page_asks_for_an_address_for_the_receipt(mail_server_app, smtp_server, fresh_browser,
                                                         axe_source, screenshots):
    """An open survey, no address given before: the review page has the e-mail field and
    its own consent checkbox; axe at 360 px and desktop; the receipt arrives."""
    app, server = mail_server_app
    with session_scope(app.extensions["consult.sessions"]) as s:
        s.get(Survey, app.config["WORLD"].survey_id).access = SurveyAccess.OPEN
    d = fresh_browser
    d.get(server.url + f"/c/{SLUG}/v/wmo-vragen")
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    d.find_element(By.CSS_SELECTOR, "input[name=q_rol][value=inwoner]").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)
    d.find_element(By.NAME, "q_beter").send_keys("Sneller antwoord op een aanvraag.")
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)
    d.find_element(By.NAME, "q_toestemming").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "button[value=next]").click)
    assert d.find_element(By.TAG_NAME, "legend").text == "Uw ontvangstcode per e-mail"
    for width in (360, 1280):
        d.set_window_size(width, 900)
        assert run_axe(d, axe_source) == [], width
        assert d.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
    d.find_element(By.CSS_SELECTOR, "fieldset.contact-consent").screenshot(str(screenshots / "survey-review-mail.png"))
    d.find_element(By.ID, "email").send_keys("geen-adres")
    d.find_element(By.ID, "consent").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    assert "geen geldig e-mailadres" in d.find_element(By.CSS_SELECTOR, ".error-summary").text
    assert run_axe(d, axe_source) == []
    field = d.find_element(By.ID, "email")
    field.clear()
    field.send_keys("bea@voorbeeld.nl")
    if not d.find_element(By.ID, "consent").is_selected():
        d.find_element(By.ID, "consent").click()
    navigates(d, d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click)
    receipt_code = d.find_element(By.ID, "ontvangstcode").text
    drain_jobs(app)
    [receipt] = smtp_server.to("bea@voorbeeld.nl")
    assert receipt_code in text_of(receipt)
