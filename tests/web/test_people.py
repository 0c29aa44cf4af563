"""People over HTTP: staff accounts, one-time set-password links, access per consultation,
and the audit log viewer with its CSV download."""
from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import people
from consult.audit import record
from consult.db import utcnow
from consult.models import AuditLog, Consultation, ConsultationMember, Role, User
from tests.web.conftest import PASSWORD, SLUG, csrf_token, login

STAFF_LIST = "/beheer/medewerkers"
NEW = "/beheer/medewerkers/nieuw"
MEMBERS = f"/beheer/c/{SLUG}/toegang"
AUDIT = "/beheer/logboek"
NEW_PASSWORD = "een nieuw lang wachtwoord"


def logout(client):
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})


def as_admin(client):
    r = login(client, "admin@test.nl")
    assert r.status_code == 302
    return client


def link_from(html: str) -> str:
    m = re.search(r'id="password-link" class="password-link" value="([^"]+)"', html)
    assert m, html
    return m.group(1)


def create_account(client, name="Nina Nieuw", email="nina@test.nl", role="facilitator"):
    r = client.post(NEW, data={"csrf_token": csrf_token(client, NEW), "name": name, "email": email, "role": role})
    return r


def actions(db_session) -> list[str]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def set_password(client, path, password=NEW_PASSWORD, again=None):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "password": password,
                                   "password_again": password if again is None else again})


# -- staff accounts ---------------------------------------------------------------------------

def test_staff_list_shows_accounts_with_dutch_roles_and_last_login(client, world, db_session):
    as_admin(client)
    html = client.get(STAFF_LIST).get_data(as_text=True)
    assert "<h1>Medewerkers</h1>" in html
    for text in ("Admin", "beleid@test.nl", "beheerder", "beleidsmedewerker", "gespreksleider", "nog nooit"):
        assert text in html
    # the administrator just logged in: a Dutch date with the month name
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(rf"<td>\d{{1,2}} ({months}) \d{{4}}, \d\d:\d\d</td>", html)
    user = db_session.get(User, world.facilitator_id)
    user.active = False
    db_session.commit()
    html = client.get(STAFF_LIST).get_data(as_text=True)
    assert "uitgezet" in html


def test_non_administrators_get_403_on_every_people_page(client, world):
    login(client, "beleid@test.nl")
    for path in (STAFF_LIST, NEW, f"/beheer/medewerkers/{world.writer_id}", MEMBERS, AUDIT, "/beheer/logboek.csv"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/beheer/")
    for path, data in ((NEW, {"name": "X", "email": "x@test.nl", "role": "administrator"}),
                       (f"/beheer/medewerkers/{world.writer_id}/actief", {"active": "0"}),
                       (f"/beheer/medewerkers/{world.admin_id}/wachtwoordlink", {}),
                       (MEMBERS, {"user_id": str(world.outsider_id)}),
                       (f"{MEMBERS}/intrekken", {"user_id": str(world.facilitator_id)})):
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
    logout(client)
    assert client.get(STAFF_LIST).status_code == 302  # to the login page


def test_create_account_gives_a_one_time_link_and_the_account_cannot_log_in_before(client, world, db_session):
    as_admin(client)
    r = create_account(client, email="  Nina@Test.NL ")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Het account van Nina Nieuw is aangemaakt." in html
    link = link_from(html)
    assert link.startswith("http://localhost/wachtwoord/")
    token = link.rsplit("/", 1)[1]
    db_session.expire_all()
    user = User.by_email(db_session, "nina@test.nl")
    assert user.email == "nina@test.nl" and user.role == Role.FACILITATOR and user.active
    # only the SHA-256 of the token is stored, with an expiry about 72 hours away
    assert user.password_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (user.password_hash or "")
    left = user.password_token_expires_at - utcnow()
    assert timedelta(hours=71) < left <= timedelta(hours=72)
    assert "create_user" in actions(db_session) and "password_link" in actions(db_session)

    # nobody can log in before the password is set, not even with an empty or guessed password
    anon = client.application.test_client()
    for guess in ("", token, "x" * 10):
        assert login(anon, "nina@test.nl", guess).status_code in (200, 401)
    assert anon.get("/beheer/").status_code == 302

    # the link sets the password, once
    path = link[len("http://localhost"):]
    page = anon.get(path)
    assert page.status_code == 200 and "Nina Nieuw" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    r = set_password(anon, path)
    assert r.status_code == 302 and r.headers["Location"].endswith("/inloggen")
    assert "Uw wachtwoord is ingesteld" in anon.get("/inloggen").get_data(as_text=True)
    assert login(anon, "nina@test.nl", NEW_PASSWORD).status_code == 302
    db_session.expire_all()
    user = db_session.get(User, user.id)
    assert user.password_token_hash is None and user.password_token_expires_at is None
    assert "set_password" in actions(db_session)

    # the link is used up
    again = anon.get(path)
    assert again.status_code == 404
    assert "Vraag de beheerder" in again.get_data(as_text=True)


def test_link_lifetime_comes_from_the_setting(app, client, world, db_session):
    app.config["PASSWORD_LINK_HOURS"] = 5
    as_admin(client)
    create_account(client)
    db_session.expire_all()
    left = User.by_email(db_session, "nina@test.nl").password_token_expires_at - utcnow()
    assert timedelta(hours=4) < left <= timedelta(hours=5)


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "email": "n@test.nl", "role": "facilitator"}, "name", "Vul een naam in."),
    ({"name": "N", "email": "", "role": "facilitator"}, "email", "Vul een e-mailadres in."),
    ({"name": "N", "email": "geen-adres", "role": "facilitator"}, "email", "Vul een geldig e-mailadres in"),
    ({"name": "N", "email": "BELEID@test.nl", "role": "facilitator"}, "email",
     "Er is al een medewerker met dit e-mailadres."),
    ({"name": "N", "email": "n@test.nl", "role": "koning"}, "role", "Kies een rol uit de lijst."),
])
def test_create_account_errors_are_dutch_and_keep_the_input(client, world, db_session, data, field, message):
    as_admin(client)
    before = db_session.scalar(select(User.id).order_by(User.id.desc()))
    r = client.post(NEW, data={"csrf_token": csrf_token(client, NEW), **data})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert message in html and f'href="#{field}"' in html
    if data["email"]:
        assert f'value="{data["email"]}"' in html
    db_session.expire_all()
    assert db_session.scalar(select(User.id).order_by(User.id.desc())) == before


def test_expired_wrong_and_malformed_links(client, world, db_session):
    as_admin(client)
    path = link_from(create_account(client).get_data(as_text=True))[len("http://localhost"):]
    anon = client.application.test_client()
    assert anon.get("/wachtwoord/verkeerd-token").status_code == 404
    assert anon.get("/wachtwoord/" + "a" * 300).status_code == 404
    page = anon.post("/wachtwoord/" + "x" * 43, data={"csrf_token": csrf_token(anon, "/inloggen"),
                                                      "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert page.status_code == 404
    # the link expires
    user = User.by_email(db_session, "nina@test.nl")
    user.password_token_expires_at = utcnow() - timedelta(minutes=1)
    db_session.commit()
    expired = anon.get(path)
    assert expired.status_code == 410
    text = expired.get_data(as_text=True)
    assert "verlopen" in text and "Vraag de beheerder" in text
    r = anon.post(path, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD,
                              "csrf_token": csrf_token(anon, "/inloggen")})
    assert r.status_code == 410
    db_session.expire_all()
    assert not db_session.get(User, user.id).check_password(NEW_PASSWORD)


@pytest.mark.parametrize("password, again, message", [
    ("", "", "Vul een nieuw wachtwoord in."),
    ("kort", "kort", "Kies een wachtwoord van minstens 10 tekens."),
    ("een lang wachtwoord", "een ander wachtwoord", "De twee wachtwoorden zijn niet gelijk."),
])
def test_set_password_errors_are_dutch_and_keep_the_link(client, world, db_session, password, again, message):
    as_admin(client)
    path = link_from(create_account(client).get_data(as_text=True))[len("http://localhost"):]
    anon = client.application.test_client()
    r = set_password(anon, path, password, again)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert anon.get(path).status_code == 200  # the link still works
    assert set_password(anon, path).status_code == 302


def test_set_password_page_is_rate_limited_like_the_login(db_url, tmp_path, world_factory):
    from tests.conftest import make_app

    app = make_app(db_url, tmp_path / "limited", RATELIMITS={"login": (3, 300)})
    try:
        world_factory(app)
        anon = app.test_client()
        codes = [anon.get("/wachtwoord/raden-" + str(i)).status_code for i in range(4)]
        assert codes[:3] == [404, 404, 404] and codes[3] == 429
    finally:
        app.extensions["consult.engine"].dispose()


@pytest.fixture
def world_factory():
    from consult.db import session_scope
    from tests.web.conftest import build_world

    def build(app):
        with session_scope(app.extensions["consult.sessions"]) as s:
            return build_world(s)
    return build


def test_edit_role_and_name(client, world, db_session):
    as_admin(client)
    path = f"/beheer/medewerkers/{world.writer_id}"
    page = client.get(path).get_data(as_text=True)
    assert 'value="beleid@test.nl"' in page and "Account uitzetten" in page
    r = client.post(path, data={"csrf_token": csrf_token(client, path), "name": "Bea Beleid",
                                "email": "beleid@test.nl", "role": "facilitator"})
    assert r.status_code == 302
    db_session.expire_all()
    user = db_session.get(User, world.writer_id)
    assert user.name == "Bea Beleid" and user.role == Role.FACILITATOR
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "update_user")).one()
    assert entry.details["changes"]["role"] == ["policy_writer", "facilitator"]
    # an e-mail address already in use is refused
    r = client.post(path, data={"csrf_token": csrf_token(client, path), "name": "Bea Beleid",
                                "email": "Gesprek@test.nl", "role": "facilitator"})
    assert r.status_code == 422 and "Er is al een medewerker met dit e-mailadres." in r.get_data(as_text=True)


def test_deactivate_and_reactivate_ends_sessions(client, world, db_session):
    writer = client.application.test_client()
    login(writer, "beleid@test.nl")
    assert writer.get(f"/beheer/c/{SLUG}").status_code == 200
    as_admin(client)
    path = f"/beheer/medewerkers/{world.writer_id}"
    r = client.post(f"{path}/actief", data={"csrf_token": csrf_token(client, path), "active": "0"})
    assert r.status_code == 302
    assert "staat uit" in client.get(path).get_data(as_text=True)
    assert writer.get(f"/beheer/c/{SLUG}").status_code == 302  # logged out
    assert login(writer, "beleid@test.nl").status_code == 401
    r = client.post(f"{path}/actief", data={"csrf_token": csrf_token(client, path), "active": "1"})
    assert r.status_code == 302
    assert login(writer, "beleid@test.nl").status_code == 302
    assert {"deactivate_user", "reactivate_user"} <= set(actions(db_session))


def test_administrator_cannot_deactivate_themselves(client, world, db_session):
    as_admin(client)
    path = f"/beheer/medewerkers/{world.admin_id}"
    page = client.get(path).get_data(as_text=True)
    assert "Account uitzetten" not in page and "U kunt het niet zelf uitzetten." in page
    r = client.post(f"{path}/actief", data={"csrf_token": csrf_token(client, path), "active": "0"})
    assert r.status_code == 422
    assert "U kunt uw eigen account niet uitzetten." in r.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, world.admin_id).active
    assert client.get(STAFF_LIST).status_code == 200  # still logged in


def test_last_active_administrator_keeps_the_role(client, world, db_session):
    as_admin(client)
    path = f"/beheer/medewerkers/{world.admin_id}"
    data = {"name": "Admin", "email": "admin@test.nl", "role": "policy_writer"}
    r = client.post(path, data={"csrf_token": csrf_token(client, path), **data})
    assert r.status_code == 422 and "laatste actieve beheerder" in r.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(User, world.admin_id).role == Role.ADMINISTRATOR
    # with a second administrator, the first may step down
    second = db_session.get(User, world.outsider_id)
    second.role = Role.ADMINISTRATOR
    db_session.commit()
    r = client.post(path, data={"csrf_token": csrf_token(client, path), **data})
    assert r.status_code == 302
    db_session.expire_all()
    assert db_session.get(User, world.admin_id).role == Role.POLICY_WRITER
    assert client.get(STAFF_LIST).status_code == 403  # the new role applies at once


def test_last_administrator_cannot_be_deactivated_by_the_service(db_session, world):
    admin = db_session.get(User, world.admin_id)
    other = db_session.get(User, world.outsider_id)
    other.role = Role.ADMINISTRATOR
    db_session.flush()
    admin.active = False  # the other administrator is now the last active one
    db_session.flush()
    with pytest.raises(people.PeopleError, match="laatste actieve beheerder"):
        people.set_active(db_session, other, False, actor=admin)
    with pytest.raises(people.PeopleError, match="laatste actieve beheerder"):
        people.update_staff(db_session, other, name=other.name, email=other.email,
                            role=Role.FACILITATOR, actor=admin)
    db_session.rollback()


def test_reset_link_ends_sessions_and_the_old_password(client, world, db_session):
    writer = client.application.test_client()
    login(writer, "beleid@test.nl")
    as_admin(client)
    path = f"/beheer/medewerkers/{world.writer_id}"
    first = client.post(f"{path}/wachtwoordlink", data={"csrf_token": csrf_token(client, path)})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Er is een nieuwe wachtwoordlink gemaakt." in html
    old_link = link_from(html)[len("http://localhost"):]
    assert writer.get(f"/beheer/c/{SLUG}").status_code == 302  # the session ended
    assert login(writer, "beleid@test.nl").status_code == 401  # the old password is gone
    # a second reset makes the first link useless
    second = link_from(client.post(f"{path}/wachtwoordlink", data={"csrf_token": csrf_token(client, path)})
                       .get_data(as_text=True))[len("http://localhost"):]
    assert old_link != second
    assert writer.get(old_link).status_code == 404
    assert set_password(writer, second).status_code == 302
    assert login(writer, "beleid@test.nl", NEW_PASSWORD).status_code == 302
    assert actions(db_session).count("password_link") == 2


def test_deactivated_account_gets_no_link_and_its_link_stops_working(client, world, db_session):
    as_admin(client)
    path = f"/beheer/medewerkers/{world.writer_id}"
    link = link_from(client.post(f"{path}/wachtwoordlink", data={"csrf_token": csrf_token(client, path)})
                     .get_data(as_text=True))[len("http://localhost"):]
    client.post(f"{path}/actief", data={"csrf_token": csrf_token(client, path), "active": "0"})
    assert client.application.test_client().get(link).status_code == 404
    r = client.post(f"{path}/wachtwoordlink", data={"csrf_token": csrf_token(client, path)})
    assert r.status_code == 422 and "Dit account staat uit." in r.get_data(as_text=True)


def test_unknown_account_is_404(client, world):
    as_admin(client)
    assert client.get("/beheer/medewerkers/99999").status_code == 404


# -- access per consultation ------------------------------------------------------------------

def test_membership_list_add_and_remove(client, world, db_session):
    as_admin(client)
    html = client.get(MEMBERS).get_data(as_text=True)
    assert "<h1>Toegang tot deze raadpleging</h1>" in html
    assert "beleid@test.nl" in html and "gesprek@test.nl" in html
    assert html.count(">Toegang intrekken</button>") == 2
    # the select offers only active staff without access (no administrators)
    options = re.findall(r'<option value="(\d+)"', html)
    assert options == [str(world.outsider_id)]
    r = client.post(MEMBERS, data={"csrf_token": csrf_token(client, MEMBERS), "user_id": str(world.outsider_id)})
    assert r.status_code == 302
    assert "Ander heeft nu toegang tot deze raadpleging." in client.get(MEMBERS).get_data(as_text=True)
    other = client.application.test_client()
    login(other, "ander@test.nl")
    assert other.get(f"/beheer/c/{SLUG}").status_code == 200
    r = client.post(f"{MEMBERS}/intrekken", data={"csrf_token": csrf_token(client, MEMBERS),
                                                  "user_id": str(world.facilitator_id)})
    assert r.status_code == 302
    html = client.get(MEMBERS).get_data(as_text=True)
    assert "Gesprek heeft geen toegang meer tot deze raadpleging." in html
    db_session.expire_all()
    members = set(db_session.scalars(select(ConsultationMember.user_id)
                                     .where(ConsultationMember.consultation_id == world.consultation_id)))
    assert members == {world.writer_id, world.outsider_id}
    assert actions(db_session).count("add_member") == 1 and actions(db_session).count("remove_member") == 1
    _, table = _audit(client, actie="remove_member")
    assert "raadpleging Wmo in Deventer" in table and "medewerker: Gesprek" in table
    # a bad choice is a Dutch message, not an error page
    r = client.post(MEMBERS, data={"csrf_token": csrf_token(client, MEMBERS), "user_id": "abc"})
    assert r.status_code == 422 and "Kies een medewerker uit de lijst." in r.get_data(as_text=True)


def test_overview_links_to_the_access_page_for_administrators_only(client, world):
    as_admin(client)
    html = client.get(f"/beheer/c/{SLUG}").get_data(as_text=True)
    assert f'href="{MEMBERS}"' in html and "/leden" not in html
    logout(client)
    login(client, "beleid@test.nl")
    html = client.get(f"/beheer/c/{SLUG}").get_data(as_text=True)
    assert MEMBERS not in html


# -- audit log --------------------------------------------------------------------------------

@pytest.fixture
def audit_world(app, world, db_session):
    """Entries of several kinds: on the consultation, on things in it, in another
    consultation, with the consultation only in the details, and an injection attempt."""
    c = db_session.get(Consultation, world.consultation_id)
    other = Consultation(organisation=c.organisation, slug="ander-traject", title="Ander traject")
    db_session.add(other)
    db_session.flush()
    admin = db_session.get(User, world.admin_id)
    writer = db_session.get(User, world.writer_id)
    from consult.models import CodeAssignment, Survey
    assignment = db_session.get(CodeAssignment, world.assignment_ids[0])
    survey = db_session.get(Survey, world.survey_id)
    record(db_session, "set_codebook", c, actor=admin)
    record(db_session, "accept_code", assignment, actor=writer, details={"segment": 1})
    record(db_session, "survey_status", survey, actor=writer, details={"from": "draft", "to": "open"})
    record(db_session, "codebook_rename", None, actor=writer, entity_type="codebook_version",
           details={"consultation": SLUG, "note": "=HYPERLINK(\"http://evil\")"})
    record(db_session, "set_codebook", other, actor=admin, details={"note": "@SUM(1)"})
    record(db_session, "create_user", writer, actor=admin, details={"email": "+31 6 1234"})
    sneaky = User(email="sneaky@test.nl", name='=HYPERLINK("http://evil.example","klik")', role=Role.FACILITATOR,
                  password_hash="x")
    db_session.add(sneaky)
    db_session.flush()
    record(db_session, "add_code", assignment, actor=sneaky, details={"segment": 1})
    db_session.commit()
    return world


def _audit(client, **query):
    """The response and the text of the log table (or the page when there is no table)."""
    r = client.get(AUDIT, query_string=query)
    html = r.get_data(as_text=True)
    table = re.search(r"<tbody>.*</tbody>", html, re.S)
    status = re.search(r'<p role="status">[^<]*</p>', html)
    if table is None:
        return r, html
    return r, (status.group(0) if status else "") + table.group(0)


def test_audit_filters_by_consultation_person_action_and_date(client, audit_world, db_session):
    as_admin(client)
    r, html = _audit(client)
    assert r.status_code == 200
    for header in ("Wanneer", "Wie", "Wat", "Onderdeel", "Details"):
        assert f'<th scope="col">{header}</th>' in r.get_data(as_text=True)
    assert "code geaccepteerd" in html and "Beleid" in html

    _, html = _audit(client, raadpleging=SLUG)
    assert "code geaccepteerd" in html  # on a code assignment of a segment in it
    assert "status vragenlijst gewijzigd" in html  # on its survey
    assert "codebook rename" in html  # the consultation named in the details
    assert "@SUM(1)" not in html  # the other consultation
    assert "account aangemaakt" not in html  # accounts belong to no consultation

    _, html = _audit(client, raadpleging="ander-traject")
    assert "@SUM(1)" in html and "code geaccepteerd" not in html

    # person: what they did, and what was done to their account
    _, html = _audit(client, persoon=str(audit_world.writer_id))
    assert "code geaccepteerd" in html and "account aangemaakt" in html
    assert "@SUM(1)" not in html

    _, html = _audit(client, actie="survey_status")
    assert re.search(r"1 regel gevonden", html)

    today = utcnow().date()
    _, html = _audit(client, van=(today - timedelta(days=1)).isoformat(), tot=(today + timedelta(days=1)).isoformat())
    assert "code geaccepteerd" in html
    _, html = _audit(client, van=(today + timedelta(days=2)).isoformat())
    assert "0 regels gevonden" in html

    r, html = _audit(client, van="gisteren")
    assert r.status_code == 422 and "vul een datum in zoals 2026-12-01" in html
    r, html = _audit(client, raadpleging="bestaat-niet")
    assert r.status_code == 422 and "Kies een raadpleging uit de lijst." in html


def test_audit_is_paginated_newest_first(client, world, db_session):
    admin = db_session.get(User, world.admin_id)
    for i in range(60):
        record(db_session, "survey_status", admin, actor=admin, entity_type="user", details={"n": i})
    db_session.commit()
    as_admin(client)
    r, html = _audit(client, actie="survey_status")
    assert "60 regels gevonden · pagina 1 van 2" in html
    assert html.count("<tr><td>") == 50
    assert "n: 59" in html and "n: 0<" not in html  # newest first
    page = r.get_data(as_text=True)
    assert "Volgende pagina" in page and "Vorige pagina" not in page
    assert "pagina=2" in page and "actie=survey_status" in page  # the filter stays
    r, html = _audit(client, actie="survey_status", pagina="2")
    assert html.count("<tr><td>") == 10 and "n: 0<" in html and "Vorige pagina" in r.get_data(as_text=True)
    _, html = _audit(client, actie="survey_status", pagina="99")  # past the end: the last page
    assert "pagina 2 van 2" in html


def test_audit_csv_has_the_filtered_rows_is_safe_and_is_audited(client, audit_world, db_session):
    as_admin(client)
    r = client.get("/beheer/logboek.csv", query_string={"raadpleging": SLUG})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment; filename=logboek-" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(people.CSV_HEADERS)
    body = rows[1:]
    assert {row[3] for row in body} >= {"accept_code", "survey_status", "codebook_rename", "set_codebook"}
    assert "create_user" not in {row[3] for row in body}
    # CSV injection: a cell starting with = + - @ gets a quote in front
    details = [row[6] for row in body if row[3] == "codebook_rename"][0]
    assert "HYPERLINK" in details
    for row in body:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell
    all_rows = list(csv.reader(io.StringIO(client.get("/beheer/logboek.csv").get_data(as_text=True)
                                           .lstrip("\ufeff"))))
    emails = [row[6] for row in all_rows if row[3] == "create_user"]
    assert emails == ["email: +31 6 1234"]
    # a name that is a formula is written with a quote in front
    assert [row[2] for row in all_rows if row[3] == "add_code"] == ['\'=HYPERLINK("http://evil.example","klik")']
    db_session.expire_all()
    downloads = list(db_session.scalars(select(AuditLog).where(AuditLog.action == "download_audit_csv")))
    assert len(downloads) == 2 and downloads[0].details["filter"] == {"consultation": SLUG}
    assert downloads[0].user_id == audit_world.admin_id


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+31", "'+31"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("gewoon", "gewoon"), ("", ""), (12, "12"),
])
def test_safe_cell(value, expected):
    assert people.safe_cell(value) == expected


def test_new_tables_are_found_through_foreign_keys():
    paths = people._paths_to_consultation()
    assert paths["survey"] == [] and paths["finding"] == []
    assert [t.name for _t, _c, t in paths["code_assignment"]] == ["segment"]
    assert [t.name for _t, _c, t in paths["advice_point"]] == ["advice_document"]
    assert "user" not in paths and "codebook_version" not in paths


# -- command line -----------------------------------------------------------------------------

def test_cli_users_create_then_link_sets_a_password_over_http(db_url, tmp_path):
    from click.testing import CliRunner

    from consult.cli import cli
    from tests.conftest import make_app

    env = {"CONSULT_DATABASE_URL": db_url, "CONSULT_INSTANCE_PATH": str(tmp_path / "inst")}
    runner = CliRunner()
    created = runner.invoke(cli, ["users", "create", "--email", "Eerste@Gemeente.nl", "--name", "Eerste Beheerder",
                                  "--role", "administrator", "--password", PASSWORD], env=env)
    assert created.exit_code == 0, created.output
    result = runner.invoke(cli, ["users", "link", "eerste@gemeente.nl", "--base-url", "https://consult.example.nl"],
                           env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "One-time set-password link for Eerste Beheerder <eerste@gemeente.nl>, valid until ")
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("https://consult.example.nl/wachtwoord/")
    unknown = runner.invoke(cli, ["users", "link", "niemand@gemeente.nl"], env=env)
    assert unknown.exit_code == 1 and "no user with e-mail niemand@gemeente.nl" in unknown.output

    app = make_app(db_url, tmp_path / "web")
    try:
        web = app.test_client()
        assert login(web, "eerste@gemeente.nl").status_code == 401  # the link replaced the password
        path = url[len("https://consult.example.nl"):]
        assert set_password(web, path).status_code == 302
        assert login(web, "eerste@gemeente.nl", NEW_PASSWORD).status_code == 302
        with app.extensions["consult.sessions"]() as s:
            entries = list(s.scalars(select(AuditLog).where(AuditLog.action == "password_link")))
            assert [e.actor for e in entries] == ["cli"]
    finally:
        app.extensions["consult.engine"].dispose()
