"""E-mail against a real SMTP server on loopback (aiosmtpd): invitations with a dry run,
reminders, resume links, receipts, the "outcome is online" notice, unsubscribing,
templates, staff password links, and what happens without a (reachable) server."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from consult import mail
from consult.config import ConfigError, build_config
from consult.consultations import set_status
from consult.db import session_scope
from consult.models import (
    Consultation, ConsultationStatus, Finding, Invitation, InvitationCode, MailKind, MailMessage, MailStatus,
    Participant, Response, ResponseStatus, Survey, SurveyAccess, User,
)
from surveys import responses as R
from tests.conftest import make_app
from tests.jobqueue import drain_jobs
from tests.mailserver import code_in, free_port, html_of, links, smtp_server, text_of  # noqa: F401 (fixture)
from tests.web.conftest import SLUG, build_world, csrf_token, login

INVITE_URL = None  # set per test from the world


@pytest.fixture
def mail_app(db_url, tmp_path, smtp_server):
    app = make_app(db_url, tmp_path / "instance", RATELIMIT_ENABLED=False, **smtp_server.config())
    yield app
    app.extensions["consult.engine"].dispose()


def _world(app, access=SurveyAccess.INVITATION):
    with session_scope(app.extensions["consult.sessions"]) as s:
        world = build_world(s)
        survey = s.get(Survey, world.survey_id)
        survey.access = access
        c = s.get(Consultation, world.consultation_id)
        c.contact = "Bel 14 0570 of mail participatie@deventer.nl"
    return world


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _invitations_url(world) -> str:
    return f"/beheer/c/{SLUG}/vragenlijsten/{world.survey_id}/uitnodigingen"


def _post_list(client, world, text: str, do: str):
    url = _invitations_url(world)
    return client.post(url, data={"csrf_token": csrf_token(client, url), "addresses": text, "do": do})


LIST = ("e-mail;groep;wijk;telefoon\n"
        "an@voorbeeld.nl;Mantelzorger;Bathmen;0570-123456\n"
        "Bert@Voorbeeld.nl;inwoner;Onbekendwijk;\n"
        "geen-adres;;;\n"
        "an@voorbeeld.nl;;;\n"
        "carla@voorbeeld.nl;;Keizerslanden;\n")


def _count(s, model, *where) -> int:
    s.expire_all()
    return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_invitations_dry_run_send_once_and_link_opens_survey(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    s = mail_app.extensions["consult.sessions"]()

    r = _post_list(client, world, LIST, "check")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "3 adressen krijgen een uitnodiging" in html
    assert "1 adres staat vaker in de lijst" in html and "Regel 5: an@voorbeeld.nl" in html
    assert "1 regel heeft geen geldig e-mailadres" in html and "Regel 4: geen-adres" in html
    assert "Deze wijken kennen wij niet" in html and "Onbekendwijk" in html
    assert "Deze kolommen gebruiken wij niet: telefoon" in html
    assert "Er is nog niets verstuurd" in html
    assert _count(s, Invitation) == 0 and _count(s, MailMessage) == 0  # a dry run stores nothing

    r = _post_list(client, world, LIST, "send")
    assert r.status_code == 302
    drain_jobs(mail_app)
    assert sorted(m["To"] for m in smtp_server.messages) == ["an@voorbeeld.nl", "bert@voorbeeld.nl",
                                                            "carla@voorbeeld.nl"]
    codes = {code_in(m) for m in smtp_server.messages}
    assert len(codes) == 3  # each address its own code
    message = smtp_server.to("an@voorbeeld.nl")[0]
    body = text_of(message)
    # consultation name, municipality and contact in every message; B1 Dutch; unsubscribe
    assert "Wmo in Deventer" in body and "Gemeente Deventer" in body and "Bel 14 0570" in body
    assert "Meld u af met één klik" in body
    assert message["From"] == "Gemeente Deventer <participatie@deventer.nl>"
    assert message["Reply-To"] == "participatie@deventer.nl"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page = html_of(message)
    assert '<html lang="nl">' in page and "<a href=" in page and "Wmo in Deventer" in page

    # the address is linked to the code only: group and neighbourhood from the list
    inv = s.scalar(select(Invitation).where(Invitation.email == "an@voorbeeld.nl"))
    assert inv.stakeholder_group.key == "mantelzorger" and inv.neighbourhood.name == "Bathmen"
    assert s.get(InvitationCode, inv.invitation_code_id).code == code_in(message)
    assert _count(s, MailMessage, MailMessage.status == MailStatus.SENT) == 3
    assert s.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.text.is_not(None))) == 0

    # the same list again: nothing twice
    r = _post_list(client, world, LIST, "check")
    assert "3 adressen zijn al eerder uitgenodigd" in r.get_data(as_text=True)
    r = _post_list(client, world, LIST, "send")
    drain_jobs(mail_app)
    assert len(smtp_server.messages) == 3 and _count(s, Invitation) == 3

    # the link from the message opens the survey; with the code the first page follows
    start_url = [u for u in links(message) if "/v/" in u][0]
    resident = mail_app.test_client()
    r = resident.get(_path(start_url))
    assert r.status_code == 200 and "persoonlijke code" in r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    r = resident.post(urlsplit(start_url).path, data={"csrf_token": csrf_token(resident, _path(start_url)),
                                                      "start_token": token, "code": code_in(message)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/deel/1")
    assert "Wie bent u?" in resident.get(r.headers["Location"]).get_data(as_text=True)
    # the response has no address anywhere
    response = s.scalar(select(Response))
    assert response.participant_id is None
    s.close()


def test_ten_thousand_lines_get_a_report_and_larger_lists_a_clear_error(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    big = "\n".join(f"persoon{i}@voorbeeld.nl" for i in range(10_000)) + "\npersoon7@voorbeeld.nl\nkapot@\n"
    r = _post_list(client, world, big, "check")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "10.000 adressen krijgen een uitnodiging" in html and "1 adres staat vaker" in html
    assert "1 regel heeft geen geldig e-mailadres" in html
    # a malformed first line is reported as such, not taken for a header
    html = _post_list(client, world, "kapot\nan@voorbeeld.nl\n", "check").get_data(as_text=True)
    assert "1 adres krijgt een uitnodiging" in html and "Regel 1: kapot" in html
    too_big = "\n".join(f"p{i}@voorbeeld.nl" for i in range(20_001))
    r = _post_list(client, world, too_big, "check")
    assert r.status_code == 422 and "Splits de lijst in delen" in r.get_data(as_text=True)
    assert not smtp_server.messages


def _respond_with_code(app, world, code: str) -> None:
    """Fill in the survey over HTTP with an invitation code."""
    c = app.test_client()
    base = f"/c/{SLUG}/v/wmo-vragen"
    html = c.get(base).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    r = c.post(base, data={"csrf_token": csrf_token(c, base), "start_token": token, "code": code})
    page1 = r.headers["Location"]
    for n, data in ((1, {"q_rol": "inwoner"}), (2, {"q_beter": "Sneller."}), (3, {"q_toestemming": "y"})):
        url = page1.replace("/deel/1", f"/deel/{n}")
        c.post(url, data={"csrf_token": csrf_token(c, url), "action": "next", **data})
    review = page1.replace("/deel/1", "/controleren")
    assert c.post(review, data={"csrf_token": csrf_token(c, review)}).status_code == 303


def test_reminders_only_to_who_did_not_respond_and_unsubscribe(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    _post_list(client, world, "an@voorbeeld.nl\nbert@voorbeeld.nl\ncarla@voorbeeld.nl\n", "send")
    drain_jobs(mail_app)
    _respond_with_code(mail_app, world, code_in(smtp_server.to("an@voorbeeld.nl")[0]))
    # bert unsubscribes with the one-click link (a GET, no login)
    unsubscribe = [u for u in links(smtp_server.to("bert@voorbeeld.nl")[0]) if "/afmelden/" in u][0]
    r = mail_app.test_client().get(_path(unsubscribe))
    assert r.status_code == 200 and "U bent afgemeld" in r.get_data(as_text=True)
    smtp_server.clear()

    url = _invitations_url(world) + "/herinnering"
    r = client.post(url, data={"csrf_token": csrf_token(client, _invitations_url(world))})
    assert r.status_code == 302
    drain_jobs(mail_app)
    assert [m["To"] for m in smtp_server.messages] == ["carla@voorbeeld.nl"]
    reminder = smtp_server.messages[0]
    assert "Herinnering" in reminder["Subject"]
    assert code_in(reminder) == code_in(reminder)  # the same personal code as the invitation
    # pressing again at once sends nothing new
    client.post(url, data={"csrf_token": csrf_token(client, _invitations_url(world))})
    drain_jobs(mail_app)
    assert len(smtp_server.messages) == 1
    page = client.get(_invitations_url(world)).get_data(as_text=True)
    assert "Heeft meegedaan</dt><dd>1" in page and "Afgemeld</dt><dd>1" in page
    s = mail_app.extensions["consult.sessions"]()
    assert s.scalar(select(Invitation.email).where(Invitation.unsubscribed_at.is_not(None))) is None
    # bert on a new upload of the list: not invited again
    smtp_server.clear()
    _post_list(client, world, "bert@voorbeeld.nl\n", "send")
    drain_jobs(mail_app)
    assert not smtp_server.messages
    s.close()


def test_resume_link_and_receipt_for_consenting_participants(mail_app, smtp_server):
    world = _world(mail_app, access=SurveyAccess.OPEN)
    s = mail_app.extensions["consult.sessions"]()
    survey = s.get(Survey, world.survey_id)
    response = R.start_response(s, survey, R.new_token())
    s.commit()
    with pytest.raises(mail.MailError, match="geen geldig e-mailadres"):
        mail.send_resume_link(mail_app, s, response, base_url="http://localhost/", email="niet-goed@")
    s.rollback()
    message = mail.send_resume_link(mail_app, s, response, base_url="http://localhost/", email="Dirk@Voorbeeld.nl")
    assert message is not None
    # a second save within minutes does not mail again
    assert mail.send_resume_link(mail_app, s, response, base_url="http://localhost/") is None
    drain_jobs(mail_app)
    [resume] = smtp_server.to("dirk@voorbeeld.nl")
    link = [u for u in links(resume) if "/r/" in u][0]
    assert response.resume_token in link
    r = mail_app.test_client().get(_path(link))
    assert r.status_code in (200, 302)
    participant = s.get(Participant, response.participant_id)
    assert participant.contact_consent and participant.contact_email == "dirk@voorbeeld.nl"

    R.save_answers(s, response, survey.questions, {"rol": ("inwoner", None), "beter": (None, "Sneller"),
                                                   "toestemming": (True, None)})
    R.submit_response(s, response)
    s.commit()
    assert mail.send_receipt(mail_app, s, response, base_url="http://localhost/") is not None
    assert mail.send_receipt(mail_app, s, response, base_url="http://localhost/") is None  # once
    drain_jobs(mail_app)
    receipt = smtp_server.to("dirk@voorbeeld.nl")[-1]
    assert response.receipt_code in text_of(receipt)
    assert any(u.endswith(f"/c/{SLUG}/terugkoppeling") for u in links(receipt))

    # without consent nobody is mailed
    other = R.start_response(s, survey, R.new_token())
    s.commit()
    assert mail.send_resume_link(mail_app, s, other, base_url="http://localhost/") is None
    s.close()


def test_published_notice_once_per_participant_and_unsubscribe_by_post(mail_app, smtp_server):
    world = _world(mail_app, access=SurveyAccess.OPEN)
    with session_scope(mail_app.extensions["consult.sessions"]) as s:
        for address in ("e@voorbeeld.nl", "f@voorbeeld.nl"):
            s.add(Participant(consultation_id=world.consultation_id, contact_consent=True, contact_email=address))
        s.add(Participant(consultation_id=world.consultation_id))  # no consent: no message
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    page = f"/beheer/c/{SLUG}/e-mail"
    r = client.post(page + "/uitkomst", data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert "Er staat nog niets online" in r.get_data(as_text=True)
    with session_scope(mail_app.extensions["consult.sessions"]) as s:
        s.add(Finding(consultation_id=world.consultation_id, title="Mantelzorg is zwaar", statement="..."))
    r = client.post(page + "/uitkomst", data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert "2 berichten staan klaar" in r.get_data(as_text=True)
    drain_jobs(mail_app)
    assert sorted(m["To"] for m in smtp_server.messages) == ["e@voorbeeld.nl", "f@voorbeeld.nl"]
    notice = smtp_server.to("e@voorbeeld.nl")[0]
    assert any(u.endswith(f"/c/{SLUG}/terugkoppeling") for u in links(notice))
    client.post(page + "/uitkomst", data={"csrf_token": csrf_token(client, page)})
    drain_jobs(mail_app)
    assert len(smtp_server.messages) == 2  # never twice

    # RFC 8058: the mail program POSTs to the List-Unsubscribe URL, without CSRF token or login
    target = notice["List-Unsubscribe"].strip("<>")
    r = mail_app.test_client().post(_path(target), data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    s = mail_app.extensions["consult.sessions"]()
    assert s.scalar(select(Participant).where(Participant.contact_email == "e@voorbeeld.nl")) is None
    r = mail_app.test_client().get("/afmelden/nep-token")
    assert r.status_code == 404 and "Deze afmeldlink klopt niet" in r.get_data(as_text=True)
    s.close()


def test_templates_are_previewed_checked_and_used(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    url = f"/beheer/c/{SLUG}/e-mail/invitation"
    html = client.get(url).get_data(as_text=True)
    assert "Uitnodiging: praat mee over {raadpleging}" in html and "Voorbeeld" in html
    token = csrf_token(client, url)
    r = client.post(url, data={"csrf_token": token, "subject": "Doe mee", "body": "Hallo {naamm} {link} {code}",
                               "do": "save"})
    assert r.status_code == 422 and "Onbekend invulveld: {naamm}" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": token, "subject": "Doe mee", "body": "Hallo, kijk op de site.",
                               "do": "save"})
    assert r.status_code == 422 and "Zet {link} en {code} in de tekst" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": token, "subject": "Doe mee met {raadpleging}",
                               "body": "Hallo buurtbewoner,\n\nStart hier: {link}\nCode: {code}", "do": "preview"})
    assert r.status_code == 200 and "Doe mee met Wmo in Deventer" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": token, "subject": "Doe mee met {raadpleging}",
                               "body": "Hallo buurtbewoner,\n\nStart hier: {link}\nCode: {code}", "do": "save"})
    assert r.status_code == 302
    preview = client.get(url + "/voorbeeld.html")
    assert preview.status_code == 200 and "Hallo buurtbewoner" in preview.get_data(as_text=True)
    assert "unsafe-inline" in preview.headers["Content-Security-Policy"]
    _post_list(client, world, "gert@voorbeeld.nl\n", "send")
    drain_jobs(mail_app)
    [m] = smtp_server.messages
    assert m["Subject"] == "Doe mee met Wmo in Deventer"
    assert "Hallo buurtbewoner" in text_of(m) and "Gemeente Deventer" in text_of(m)  # footer stays
    assert "Bel 14 0570" in text_of(m)


def test_closing_the_consultation_removes_invitation_addresses(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    _post_list(client, world, "an@voorbeeld.nl\nbert@voorbeeld.nl\n", "send")
    drain_jobs(mail_app)
    with session_scope(mail_app.extensions["consult.sessions"]) as s:
        c = s.get(Consultation, world.consultation_id)
        set_status(s, c, ConsultationStatus.CLOSED, actor=s.get(User, world.writer_id))
    s = mail_app.extensions["consult.sessions"]()
    assert _count(s, Invitation, Invitation.email.is_not(None)) == 0
    assert _count(s, Invitation, Invitation.address_key.is_not(None)) == 0
    assert _count(s, MailMessage, MailMessage.recipient.is_not(None)) == 0
    assert _count(s, InvitationCode) == 2  # the codes stay: responses keep working
    s.close()


def test_retention_purge_removes_every_address_of_the_mail_log(mail_app, smtp_server):
    from datetime import date

    from consult import invitations, retention

    world = _world(mail_app, access=SurveyAccess.INVITATION)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    _post_list(client, world, "an@voorbeeld.nl\n", "send")
    with session_scope(mail_app.extensions["consult.sessions"]) as s:
        s.add(Participant(consultation_id=world.consultation_id, contact_consent=True, contact_email="p@voorbeeld.nl"))
        s.add(Finding(consultation_id=world.consultation_id, title="Bevinding", statement="..."))
    page = f"/beheer/c/{SLUG}/e-mail"
    client.post(page + "/uitkomst", data={"csrf_token": csrf_token(client, page)})
    drain_jobs(mail_app)
    s = mail_app.extensions["consult.sessions"]()
    inv = s.scalar(select(Invitation))
    group, hood = invitations.links_for_code(s, inv.invitation_code_id)
    assert group is None and hood is None
    c = s.get(Consultation, world.consultation_id)
    set_status(s, c, ConsultationStatus.CLOSED, actor=s.get(User, world.writer_id))
    set_status(s, c, ConsultationStatus.REPORTED, actor=s.get(User, world.writer_id))
    s.commit()
    assert _count(s, MailMessage, MailMessage.recipient.is_not(None)) == 1  # the notice, until retention
    c.reported_on = date(2020, 1, 1)
    retention.purge(s, c, 12)
    s.commit()
    assert _count(s, MailMessage, MailMessage.recipient.is_not(None)) == 0
    assert _count(s, Participant, Participant.contact_email.is_not(None)) == 0
    s.close()


def test_staff_account_link_by_mail_with_on_screen_fallback(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "admin@test.nl")
    url = "/beheer/medewerkers/nieuw"
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "name": "Nieuwe Collega",
                               "email": "collega@voorbeeld.nl", "role": "facilitator"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Wij sturen de link per e-mail naar collega@voorbeeld.nl" in html
    on_screen = re.search(r'id="password-link" class="password-link" value="([^"]+)"', html).group(1)
    drain_jobs(mail_app)
    [m] = smtp_server.to("collega@voorbeeld.nl")
    assert on_screen in text_of(m) and "Beste Nieuwe Collega" in text_of(m)
    assert "List-Unsubscribe" not in m
    r = mail_app.test_client().get(_path(on_screen))
    assert r.status_code == 200


def test_without_mail_settings_nothing_is_sent_and_the_screens_say_so(app, tmp_path):
    world = _world(app)
    client = app.test_client()
    login(client, "beleid@test.nl")
    r = _post_list(client, world, "an@voorbeeld.nl\n", "check")
    assert "E-mail is nog niet ingesteld" in r.get_data(as_text=True)  # the dry run still works
    assert "1 adres krijgt een uitnodiging" in r.get_data(as_text=True)
    r = _post_list(client, world, "an@voorbeeld.nl\n", "send")
    assert r.status_code == 422 and "E-mail is nog niet ingesteld" in r.get_data(as_text=True)
    s = app.extensions["consult.sessions"]()
    assert _count(s, Invitation) == 0 and _count(s, MailMessage) == 0
    # password links: the page still shows the link, nothing else changes
    admin = app.test_client()
    login(admin, "admin@test.nl")
    r = admin.post("/beheer/medewerkers/nieuw", data={"csrf_token": csrf_token(admin, "/beheer/medewerkers/nieuw"),
                                                     "name": "Zonder Mail", "email": "zm@voorbeeld.nl",
                                                     "role": "facilitator"})
    assert r.status_code == 200 and "Geef deze link aan Zonder Mail" in r.get_data(as_text=True)
    s.close()


def test_unreachable_server_fails_messages_with_a_dutch_reason(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(mail, "RETRY_PAUSE", 0.01)
    app = make_app(db_url, tmp_path / "instance", RATELIMIT_ENABLED=False, MAIL_HOST="127.0.0.1",
                   MAIL_PORT=free_port(), MAIL_SECURITY="none", MAIL_SENDER="participatie@deventer.nl")
    world = _world(app)
    client = app.test_client()
    login(client, "beleid@test.nl")
    r = _post_list(client, world, "an@voorbeeld.nl\nbert@voorbeeld.nl\n", "send")
    assert r.status_code == 302  # the request itself is fine
    drain_jobs(app)
    s = app.extensions["consult.sessions"]()
    assert _count(s, MailMessage, MailMessage.status == MailStatus.FAILED) == 2
    page = client.get(f"/beheer/c/{SLUG}/e-mail").get_data(as_text=True)
    assert "is niet bereikbaar" in page and "Mislukte berichten opnieuw versturen" in page
    assert _count(s, Invitation) == 2  # the invitations stay; a retry sends them later
    s.close()
    app.extensions["consult.engine"].dispose()


def test_temporary_refusal_is_retried_and_permanent_refusal_logged(mail_app, smtp_server, monkeypatch):
    monkeypatch.setattr(mail, "RETRY_PAUSE", 0.01)
    smtp_server.flaky.add("tijdelijk@voorbeeld.nl")
    smtp_server.refuse["weg@voorbeeld.nl"] = "550 5.1.1 Unknown user"
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    _post_list(client, world, "tijdelijk@voorbeeld.nl\nweg@voorbeeld.nl\nok@voorbeeld.nl\n", "send")
    drain_jobs(mail_app)
    assert sorted(m["To"] for m in smtp_server.messages) == ["ok@voorbeeld.nl", "tijdelijk@voorbeeld.nl"]
    s = mail_app.extensions["consult.sessions"]()
    failed = s.scalar(select(MailMessage).where(MailMessage.status == MailStatus.FAILED))
    assert failed.recipient == "weg@voorbeeld.nl" and "550" in failed.reason and "weigert dit adres" in failed.reason
    retried = s.scalar(select(MailMessage).where(MailMessage.recipient == "tijdelijk@voorbeeld.nl"))
    assert retried.status == MailStatus.SENT and retried.attempts == 2
    s.close()


def test_cli_mail_test(mail_app, smtp_server, monkeypatch, tmp_path, db_url):
    from click.testing import CliRunner

    from consult.cli import cli

    for key, value in smtp_server.config().items():
        monkeypatch.setenv(f"CONSULT_{key}", str(value))
    monkeypatch.setenv("CONSULT_DATABASE_URL", db_url)
    monkeypatch.setenv("CONSULT_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    runner = CliRunner()
    result = runner.invoke(cli, ["mail", "test", "beheer@voorbeeld.nl"])
    assert result.exit_code == 0, result.output
    assert "Sent a test message to beheer@voorbeeld.nl" in result.output
    assert "Testbericht" in smtp_server.to("beheer@voorbeeld.nl")[0]["Subject"]
    monkeypatch.setenv("CONSULT_MAIL_PORT", str(free_port()))
    monkeypatch.setattr(mail, "RETRY_PAUSE", 0.01)
    result = runner.invoke(cli, ["mail", "test", "beheer@voorbeeld.nl"])
    assert result.exit_code == 1 and "cannot reach the SMTP server" in result.output
    monkeypatch.setenv("CONSULT_MAIL_HOST", "")
    monkeypatch.delenv("CONSULT_MAIL_HOST")
    result = runner.invoke(cli, ["mail", "test", "beheer@voorbeeld.nl"])
    assert result.exit_code == 1 and "Mail is not configured" in result.output


def test_mail_settings_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="CONSULT_MAIL_SECURITY"):
        build_config({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40, "MAIL_SECURITY": "ssl3"})
    with pytest.raises(ConfigError, match="CONSULT_MAIL_SENDER"):
        build_config({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 40, "MAIL_SENDER": "geen adres"})


def test_mail_screens_are_for_policy_writers_and_administrators(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "gesprek@test.nl")  # a facilitator of the consultation
    for url in (f"/beheer/c/{SLUG}/e-mail", f"/beheer/c/{SLUG}/e-mail/invitation", _invitations_url(world)):
        assert client.get(url).status_code == 403, url
    outsider = mail_app.test_client()
    login(outsider, "ander@test.nl")  # a policy writer without access to this consultation
    assert outsider.get(f"/beheer/c/{SLUG}/e-mail").status_code == 404


# -- the resident pages: resume link on "opgeslagen", receipt on the review page ----------------

BASE = f"/c/{SLUG}/v/wmo-vragen"


def _start(client, path: str = BASE, code: str | None = None) -> str:
    """Start the survey over HTTP; the URL of page 1."""
    html = client.get(path).get_data(as_text=True)
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(client, path), "start_token": token}
    if code is not None:
        data["code"] = code
    r = client.post(urlsplit(path).path, data=data)
    assert r.status_code == 302 and r.headers["Location"].endswith("/deel/1"), r.get_data(as_text=True)
    return r.headers["Location"]


def _answer_all(client, page1: str) -> str:
    """Answer the three pages; the URL of the review page."""
    for n, data in ((1, {"q_rol": "inwoner"}), (2, {"q_beter": "De taxi komt te laat."}),
                    (3, {"q_toestemming": "y"})):
        url = page1.replace("/deel/1", f"/deel/{n}")
        assert client.post(url, data={"csrf_token": csrf_token(client, url), "action": "next", **data}
                           ).status_code == 302
    return page1.replace("/deel/1", "/controleren")


def _token_of(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{re.escape(name)}" type="hidden" value="([^"]+)"', html).group(1)


def test_resume_link_and_code_mailed_from_the_saved_page(mail_app, smtp_server):
    world = _world(mail_app, access=SurveyAccess.OPEN)
    resident = mail_app.test_client()
    page1 = _start(resident)
    r = resident.post(page1, data={"csrf_token": csrf_token(resident, page1), "action": "save", "q_rol": "inwoner"})
    saved_url = r.headers["Location"]
    assert saved_url.endswith("/opgeslagen")
    html = resident.get(saved_url).get_data(as_text=True)
    code = re.search(r'id="verdercode">([^<]+)<', html).group(1)
    assert 'id="contact-email"' in html and 'id="contact-consent"' in html
    assert "Ja, u mag mij over deze raadpleging e-mailen" in html
    form_token = _token_of(html, "contact-csrf_token")
    action = re.search(r'action="([^"]+/opgeslagen/e-mail)#per-e-mail"', html).group(1)

    # an address without the consent checkbox: a Dutch error, nothing sent, nothing lost
    r = resident.post(action, data={"contact-csrf_token": form_token, "contact-email": "dirk@voorbeeld.nl"})
    assert r.status_code == 422 and "Zet een vinkje als wij u mogen e-mailen" in r.get_data(as_text=True)
    r = resident.post(action, data={"contact-csrf_token": form_token, "contact-email": "dirk@",
                                    "contact-consent": "y"})
    assert r.status_code == 422 and "geen geldig e-mailadres" in r.get_data(as_text=True)
    r = resident.post(action, data={"contact-csrf_token": form_token, "contact-consent": "y"})
    assert r.status_code == 422 and "Vul uw e-mailadres in" in r.get_data(as_text=True)
    drain_jobs(mail_app)
    assert not smtp_server.messages
    s = mail_app.extensions["consult.sessions"]()
    response = s.scalar(select(Response))
    assert response.participant_id is None  # no consent: no address stored
    assert [a.value for a in response.answers] == ["inwoner"]

    r = resident.post(action, data={"contact-csrf_token": form_token, "contact-email": " Dirk@Voorbeeld.nl ",
                                    "contact-consent": "y"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/opgeslagen#per-e-mail")
    assert "Wij sturen de link en de code naar dirk@voorbeeld.nl" in resident.get(r.headers["Location"]).get_data(
        as_text=True)
    drain_jobs(mail_app)
    [message] = smtp_server.to("dirk@voorbeeld.nl")
    body = text_of(message)
    assert code in body  # the short code shown on the saved page
    link = [u for u in links(message) if "/r/" in u][0]
    assert link.endswith(f"/r/{response.resume_token}")
    assert "Meld u af met één klik" in body and "Wmo in Deventer" in body
    # the link from the mail goes on where the resident stopped, in another browser
    other = mail_app.test_client()
    r = other.get(_path(link))
    assert r.status_code == 302 and "/deel/" in r.headers["Location"]
    s.expire_all()
    participant = s.get(Participant, s.get(Response, response.id).participant_id)
    assert participant.contact_consent and participant.contact_email == "dirk@voorbeeld.nl"

    # asking again at once sends nothing twice; the page says so
    html = resident.get(saved_url).get_data(as_text=True)
    r = resident.post(action, data={"contact-csrf_token": _token_of(html, "contact-csrf_token"),
                                    "contact-email": "dirk@voorbeeld.nl", "contact-consent": "y"})
    assert r.status_code == 303
    assert "Wij hebben de link al naar dirk@voorbeeld.nl gestuurd" in resident.get(r.headers["Location"]).get_data(
        as_text=True)
    drain_jobs(mail_app)
    assert len(smtp_server.to("dirk@voorbeeld.nl")) == 1

    # the consent given on the saved page also brings the receipt (the page says so)
    review = _answer_all(resident, page1)
    html = resident.get(review).get_data(as_text=True)
    assert "Wij sturen uw ontvangstcode naar dirk@voorbeeld.nl" in html and 'id="email"' not in html
    r = resident.post(review, data={"csrf_token": _token_of(html)})
    assert r.status_code == 303
    drain_jobs(mail_app)
    s.expire_all()
    receipt = smtp_server.to("dirk@voorbeeld.nl")[-1]
    assert s.get(Response, response.id).receipt_code in text_of(receipt)
    # the participant record keeps the role answer next to the address
    participant = s.get(Participant, participant.id)
    assert participant.stakeholder_group.key == "inwoner"
    assert s.scalar(select(func.count()).select_from(Participant)) == 1
    s.close()


def test_receipt_mailed_from_the_review_page_only_with_consent(mail_app, smtp_server):
    world = _world(mail_app, access=SurveyAccess.OPEN)
    s = mail_app.extensions["consult.sessions"]()

    # an address but no tick: the answers are not sent yet, and nothing is lost
    resident = mail_app.test_client()
    review = _answer_all(resident, _start(resident))
    html = resident.get(review).get_data(as_text=True)
    assert 'id="email"' in html and 'id="consent"' in html and "Uw ontvangstcode per e-mail" in html
    r = resident.post(review, data={"csrf_token": _token_of(html), "email": "eva@voorbeeld.nl"})
    assert r.status_code == 422 and "Zet een vinkje als wij u mogen e-mailen" in r.get_data(as_text=True)
    assert 'value="eva@voorbeeld.nl"' in r.get_data(as_text=True)  # what was typed stays
    response = s.scalar(select(Response))
    assert response.status == ResponseStatus.IN_PROGRESS and len(response.answers) == 3
    r = resident.post(review, data={"csrf_token": _token_of(html), "email": "eva@", "consent": "y"})
    assert r.status_code == 422 and "geen geldig e-mailadres" in r.get_data(as_text=True)

    r = resident.post(review, data={"csrf_token": _token_of(html), "email": "Eva@Voorbeeld.nl", "consent": "y"})
    assert r.status_code == 303
    done = resident.get(r.headers["Location"]).get_data(as_text=True)
    assert "Wij sturen uw ontvangstcode ook per e-mail" in done
    drain_jobs(mail_app)
    s.expire_all()
    response = s.get(Response, response.id)
    [receipt] = smtp_server.to("eva@voorbeeld.nl")
    assert response.status == ResponseStatus.SUBMITTED and response.receipt_code in text_of(receipt)
    assert any(u.endswith(f"/c/{SLUG}/terugkoppeling") for u in links(receipt))
    assert response.participant.contact_consent and response.participant.contact_email == "eva@voorbeeld.nl"
    # the stored consent is what lets the "outcome is online" notice reach her
    assert mail.published_recipients(s, s.get(Consultation, world.consultation_id))[0] == 1

    # without an address: submitted, no mail, no address
    smtp_server.clear()
    other = mail_app.test_client()
    review = _answer_all(other, _start(other))
    r = other.post(review, data={"csrf_token": csrf_token(other, review)})
    assert r.status_code == 303
    drain_jobs(mail_app)
    assert not smtp_server.messages
    s.expire_all()
    second = s.scalar(select(Response).where(Response.id != response.id))
    assert second.status == ResponseStatus.SUBMITTED
    assert second.participant.contact_email is None and not second.participant.contact_consent
    s.close()


def test_without_mail_settings_the_resident_pages_ask_for_no_address(app):
    _world(app, access=SurveyAccess.OPEN)
    resident = app.test_client()
    page1 = _start(resident)
    r = resident.post(page1, data={"csrf_token": csrf_token(resident, page1), "action": "save", "q_rol": "inwoner"})
    saved_url = r.headers["Location"]
    html = resident.get(saved_url).get_data(as_text=True)
    assert "Uw antwoorden zijn bewaard" in html
    assert "e-mailadres" not in html and "/opgeslagen/e-mail" not in html
    r = resident.post(saved_url + "/e-mail", data={"contact-csrf_token": csrf_token(resident, page1),
                                                   "contact-email": "a@voorbeeld.nl", "contact-consent": "y"})
    assert r.status_code == 404
    review = _answer_all(resident, page1)
    html = resident.get(review).get_data(as_text=True)
    assert "e-mailadres" not in html and 'name="email"' not in html
    # an address posted anyway is ignored; the answers are sent
    r = resident.post(review, data={"csrf_token": _token_of(html), "email": "a@voorbeeld.nl", "consent": "y"})
    assert r.status_code == 303
    s = app.extensions["consult.sessions"]()
    response = s.scalar(select(Response))
    assert response.status == ResponseStatus.SUBMITTED and response.participant.contact_email is None
    assert _count(s, MailMessage) == 0
    s.close()


def test_invitation_link_fills_in_the_code_and_the_list_fills_the_participant(mail_app, smtp_server):
    world = _world(mail_app)
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    _post_list(client, world, "e-mail;groep;wijk\nan@voorbeeld.nl;Mantelzorger;Bathmen\n", "send")
    drain_jobs(mail_app)
    [invitation] = smtp_server.to("an@voorbeeld.nl")
    code = code_in(invitation)
    link = [u for u in links(invitation) if "/v/" in u][0]
    assert urlsplit(link).query == f"code={code}"
    resident = mail_app.test_client()
    html = resident.get(_path(link)).get_data(as_text=True)
    assert re.search(rf'id="code" maxlength="40" name="code"[^>]* value="{code}"', html) or \
        re.search(rf'<input[^>]*id="code"[^>]*value="{code}"', html), html
    # the prefilled code is what the form posts: the resident only presses the button
    page1 = _start(resident, _path(link), code=re.search(r'<input[^>]*id="code"[^>]*value="([^"]*)"', html).group(1))
    review = _answer_all(resident, page1)  # role answered (inwoner), neighbourhood left empty
    assert resident.post(review, data={"csrf_token": csrf_token(resident, review)}).status_code == 303
    s = mail_app.extensions["consult.sessions"]()
    response = s.scalar(select(Response))
    assert response.status == ResponseStatus.SUBMITTED
    participant = response.participant
    assert participant.stakeholder_group.key == "inwoner"  # the answer wins over the list
    assert participant.neighbourhood.name == "Bathmen"  # the list fills what the answers leave empty
    # the invitation address is never stored with the response
    assert participant.contact_email is None and not participant.contact_consent
    assert "an@voorbeeld.nl" not in repr([(a.value, a.text) for a in response.answers])
    assert s.scalar(select(Invitation.email)) == "an@voorbeeld.nl"  # only with the code, until closing
    s.close()


def test_a_failing_job_queue_on_the_saved_page_is_a_dutch_error_and_loses_nothing(mail_app, smtp_server,
                                                                                 monkeypatch):
    _world(mail_app, access=SurveyAccess.OPEN)
    resident = mail_app.test_client()
    page1 = _start(resident)
    saved_url = resident.post(page1, data={"csrf_token": csrf_token(resident, page1), "action": "save",
                                           "q_rol": "inwoner"}).headers["Location"]
    html = resident.get(saved_url).get_data(as_text=True)

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(mail, "dispatch", down)
    r = resident.post(saved_url + "/e-mail", data={"contact-csrf_token": _token_of(html, "contact-csrf_token"),
                                                   "contact-email": "dirk@voorbeeld.nl", "contact-consent": "y"})
    assert r.status_code == 422 and "Het versturen lukt nu niet. Uw antwoorden zijn wel bewaard" in r.get_data(
        as_text=True)
    s = mail_app.extensions["consult.sessions"]()
    response = s.scalar(select(Response))
    assert response.status == ResponseStatus.IN_PROGRESS and [a.value for a in response.answers] == ["inwoner"]
    assert resident.get(page1).status_code == 200  # the response goes on
    s.close()


def test_marking_the_consultation_reported_sends_the_outcome_notice_once(mail_app, smtp_server):
    """"Gerapporteerd" is the moment the outcome is online: everyone who asked for a message
    gets one, once; staff can still send it themselves from the e-mail page."""
    world = _world(mail_app, access=SurveyAccess.OPEN)
    with session_scope(mail_app.extensions["consult.sessions"]) as s:
        s.add(Participant(consultation_id=world.consultation_id, contact_consent=True, contact_email="g@voorbeeld.nl"))
        s.add(Finding(consultation_id=world.consultation_id, title="Vervoer is lastig", statement="..."))
    client = mail_app.test_client()
    login(client, "beleid@test.nl")
    url = f"/beheer/c/{SLUG}/instellingen"
    for status in ("closed", "reported"):
        r = client.post(url + "/status", data={"csrf_token": csrf_token(client, url), "status": status},
                        follow_redirects=True)
        assert r.status_code == 200
    assert "1 deelnemer krijgt een e-mail dat de uitkomst online staat." in r.get_data(as_text=True)
    drain_jobs(mail_app)
    assert [m["To"] for m in smtp_server.messages] == ["g@voorbeeld.nl"]
    assert any(u.endswith(f"/c/{SLUG}/terugkoppeling") for u in links(smtp_server.messages[0]))
    page = f"/beheer/c/{SLUG}/e-mail"
    client.post(page + "/uitkomst", data={"csrf_token": csrf_token(client, page)})
    drain_jobs(mail_app)
    assert len(smtp_server.messages) == 1  # never twice
