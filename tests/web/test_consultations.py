"""The consultation workspace over HTTP: create and edit consultations, status changes and
their guards, archiving, stakeholder groups and neighbourhoods (add, rename, merge, order),
organisation settings with the logo upload, and the header and footer they feed."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from consult.models import (
    DEFAULT_STAKEHOLDER_GROUPS, Answer, AuditLog, Consultation, ConsultationMember, ConsultationStatus, Meeting,
    MeetingAttendance, MeetingType, Neighbourhood, Organisation, Participant, Question, Response, ResponseStatus,
    Segment, StakeholderGroup, Survey, SurveyStatus, User,
)
from consult.organisation import OrganisationError, check_svg, logo_media_type
from tests.web.conftest import PASSWORD, SLUG, csrf_token, login

SETTINGS = f"/beheer/c/{SLUG}/instellingen"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
       b'<defs><linearGradient id="g"/></defs><rect width="10" height="10" fill="url(#g)"/></svg>')


def audit(db_session, action: str) -> list[AuditLog]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def logout(client):
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})


def consultation(db_session, slug: str = SLUG) -> Consultation:
    db_session.expire_all()
    return Consultation.by_slug(db_session, slug)


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **data}, **kwargs)


def new_consultation(client, **fields):
    data = {"title": "Wonen in de wijk", "slug": "", "summary": "Praat mee over wonen.",
            "description": "De gemeente wil weten hoe u wilt wonen.", "policy_field": "Wonen",
            "decision_maker": "De gemeenteraad", "starts_on": "2025-03-01", "ends_on": "2025-05-31",
            "timeline": "Tot 31 mei: meedoen.\nJuli: verslag.", "follow_up": "Wij schrijven een verslag.",
            "privacy_statement": "Wij vragen geen namen.", "contact": "Team Wonen, 0570-123456"}
    data.update(fields)
    return post_form(client, "/beheer/raadplegingen/nieuw", data)


def set_status(client, slug: str, status: str):
    return post_form(client, f"/beheer/c/{slug}/instellingen/status", {"status": status},
                     page=f"/beheer/c/{slug}/instellingen")


# -- creating ---------------------------------------------------------------------------------

def test_policy_writer_creates_a_consultation(client, world, db_session):
    login(client, "ander@test.nl")  # a policy writer of no consultation
    assert "Nieuwe raadpleging" in client.get("/beheer/").get_data(as_text=True)
    page = client.get("/beheer/raadplegingen/nieuw")
    assert page.status_code == 200 and 'id="slug"' in page.get_data(as_text=True)
    r = new_consultation(client)
    assert r.status_code == 302 and r.headers["Location"].endswith("/beheer/c/wonen-in-de-wijk/instellingen")
    c = consultation(db_session, "wonen-in-de-wijk")
    assert c.status == ConsultationStatus.DRAFT
    assert (c.title, c.policy_field, c.decision_maker, c.starts_on, c.ends_on) == (
        "Wonen in de wijk", "Wonen", "De gemeenteraad", date(2025, 3, 1), date(2025, 5, 31))
    assert c.timeline == "Tot 31 mei: meedoen.\r\nJuli: verslag." or c.timeline == "Tot 31 mei: meedoen.\nJuli: verslag."
    assert c.contact == "Team Wonen, 0570-123456" and c.follow_up and c.privacy_statement
    assert [(g.key, g.label) for g in c.stakeholder_groups] == list(DEFAULT_STAKEHOLDER_GROUPS)
    assert c.organisation.name == "Gemeente Deventer"  # the one organisation
    writer = User.by_email(db_session, "ander@test.nl")
    assert db_session.scalar(select(ConsultationMember).where(
        ConsultationMember.consultation_id == c.id, ConsultationMember.user_id == writer.id)) is not None
    assert client.get("/beheer/c/wonen-in-de-wijk").status_code == 200  # the creator may open it
    [entry] = audit(db_session, "create_consultation")
    assert entry.entity_id == c.id and entry.user_id == writer.id
    # a second one with the same title gets the next free slug
    new_consultation(client)
    assert consultation(db_session, "wonen-in-de-wijk-2") is not None


def test_administrator_is_not_made_a_member(client, world, db_session):
    login(client, "admin@test.nl")
    assert new_consultation(client, title="Jeugd 2025", slug="jeugd-2025").status_code == 302
    c = consultation(db_session, "jeugd-2025")
    assert db_session.scalars(select(ConsultationMember).where(ConsultationMember.consultation_id == c.id)).all() == []


def test_first_consultation_creates_the_organisation(app, client, db_session):
    admin = User(email="eerste@test.nl", name="Eerste", role="administrator")
    admin.set_password(PASSWORD)
    db_session.add(admin)
    db_session.commit()
    login(client, "eerste@test.nl")
    page = client.get("/beheer/").get_data(as_text=True)
    assert "Er zijn nog geen raadplegingen" in page and ">Consult<" in page  # no organisation: fallback name
    assert new_consultation(client, slug="eerste").status_code == 302
    db_session.expire_all()
    [org] = db_session.scalars(select(Organisation)).all()
    assert org.name == "Gemeente" and consultation(db_session, "eerste").organisation_id == org.id


@pytest.mark.parametrize("slug, message", [
    ("Wmo Test", "alleen kleine letters, cijfers en streepjes"),
    ("-wmo", "alleen kleine letters, cijfers en streepjes"),
    ("wmo_2024", "alleen kleine letters, cijfers en streepjes"),
    (SLUG, "Dit webadres is al in gebruik"),
])
def test_slug_errors(client, world, db_session, slug, message):
    login(client, "beleid@test.nl")
    r = new_consultation(client, slug=slug)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and message.lower() in html.lower()
    assert 'href="#slug"' in html and 'aria-invalid="true"' in html
    assert "Wonen in de wijk" in html  # what was typed is kept
    assert db_session.scalar(select(Consultation).where(Consultation.title == "Wonen in de wijk")) is None


def test_create_needs_a_title_and_valid_dates(client, world):
    login(client, "beleid@test.nl")
    r = new_consultation(client, title="  ")
    assert r.status_code == 422 and "Vul een titel in." in r.get_data(as_text=True)
    r = new_consultation(client, starts_on="2025-06-01", ends_on="2025-05-01")
    assert r.status_code == 422 and "De einddatum ligt voor de begindatum." in r.get_data(as_text=True)
    r = new_consultation(client, starts_on="1 maart")
    assert r.status_code == 422 and "Vul een datum in als jjjj-mm-dd" in r.get_data(as_text=True)


def test_facilitator_may_not_create_or_edit(client, world):
    login(client, "gesprek@test.nl")
    assert "Nieuwe raadpleging" not in client.get("/beheer/").get_data(as_text=True)
    assert client.get("/beheer/raadplegingen/nieuw").status_code == 403
    assert client.get(SETTINGS).status_code == 403
    assert client.get(f"{SETTINGS}/groepen").status_code == 403
    assert client.get(f"{SETTINGS}/wijken").status_code == 403
    assert client.get("/beheer/organisatie").status_code == 403
    token = csrf_token(client, "/beheer/")
    assert client.post(f"{SETTINGS}/status", data={"csrf_token": token, "status": "closed"}).status_code == 403
    assert client.post("/beheer/raadplegingen/nieuw", data={"csrf_token": token, "title": "x"}).status_code == 403
    assert "Instellingen" not in client.get(f"/beheer/c/{SLUG}").get_data(as_text=True)


def test_non_member_gets_404_on_settings(client, world):
    login(client, "ander@test.nl")
    assert client.get(SETTINGS).status_code == 404


# -- editing ----------------------------------------------------------------------------------

def test_edit_settings(client, world, db_session):
    login(client, "beleid@test.nl")
    page = client.get(SETTINGS).get_data(as_text=True)
    assert 'value="Wmo in Deventer"' in page and "Groepen van deelnemers" in page and "Wijken en dorpen" in page
    data = {"title": "Wmo in Deventer 2019", "slug": SLUG, "summary": "Nieuw", "description": "Uitleg",
            "policy_field": "Wmo", "decision_maker": "Het college", "starts_on": "2019-04-01", "ends_on": "2019-07-31",
            "timeline": "Juli: verslag", "follow_up": "Verslag", "privacy_statement": "Geen namen",
            "contact": "wmo@deventer.nl"}
    r = post_form(client, SETTINGS, data)
    assert r.status_code == 302
    c = consultation(db_session)
    assert (c.title, c.decision_maker, c.ends_on, c.contact, c.timeline) == (
        "Wmo in Deventer 2019", "Het college", date(2019, 7, 31), "wmo@deventer.nl", "Juli: verslag")
    [entry] = audit(db_session, "update_consultation")
    assert entry.details["title"] == "Wmo in Deventer 2019" and entry.details["ends_on"] == "2019-07-31"
    # the public page shows the timeline and the contact
    public = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert "Juli: verslag" in public and "wmo@deventer.nl" in public and "Vragen?" in public
    # an open consultation keeps its address
    r = post_form(client, SETTINGS, {**data, "slug": "ander-adres"})
    assert r.status_code == 422 and "zolang de raadpleging in voorbereiding is" in r.get_data(as_text=True)
    assert consultation(db_session).slug == SLUG and consultation(db_session).title == "Wmo in Deventer 2019"
    assert "readonly" in client.get(SETTINGS).get_data(as_text=True)


def test_draft_may_change_its_slug_but_not_to_a_taken_one(client, world, db_session):
    login(client, "beleid@test.nl")
    new_consultation(client, slug="concept")
    url = "/beheer/c/concept/instellingen"
    r = post_form(client, url, {"title": "Concept", "slug": SLUG})
    assert r.status_code == 422 and "Dit webadres is al in gebruik" in r.get_data(as_text=True)
    r = post_form(client, url, {"title": "Concept", "slug": "nieuw-adres"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/beheer/c/nieuw-adres/instellingen")
    assert consultation(db_session, "nieuw-adres").title == "Concept"


# -- status -----------------------------------------------------------------------------------

def test_every_status_transition_and_its_guards(client, world, db_session):
    login(client, "beleid@test.nl")
    new_consultation(client, slug="traject", description="")
    url = "/beheer/c/traject/instellingen"
    # a draft is invisible to the public (but staff can preview it)
    assert client.get("/c/traject").status_code == 200
    logout(client)
    assert client.get("/c/traject").status_code == 404
    assert "traject" not in client.get("/").get_data(as_text=True)
    login(client, "beleid@test.nl")
    # no description: cannot open
    assert "Dit kan nog niet." in client.get(url).get_data(as_text=True)
    r = set_status(client, "traject", "open")
    assert r.status_code == 422 and "Vul eerst een beschrijving in" in r.get_data(as_text=True)
    assert 'action="/beheer/c/traject/instellingen"' in r.get_data(as_text=True)  # the details form still saves
    assert consultation(db_session, "traject").status == ConsultationStatus.DRAFT
    post_form(client, url, {"title": "Traject", "slug": "traject", "description": "Waar het over gaat."})
    # draft cannot jump to closed or reported
    for status in ("closed", "reported"):
        r = set_status(client, "traject", status)
        assert r.status_code == 422 and consultation(db_session, "traject").status == ConsultationStatus.DRAFT
    assert set_status(client, "traject", "open").status_code == 302
    assert consultation(db_session, "traject").status == ConsultationStatus.OPEN
    logout(client)
    assert client.get("/c/traject").status_code == 200  # now public
    login(client, "beleid@test.nl")
    r = set_status(client, "traject", "draft")
    assert r.status_code == 422 and "kan niet meer terug" in r.get_data(as_text=True)
    r = set_status(client, "traject", "reported")
    assert r.status_code == 422 and "Sluit de raadpleging eerst" in r.get_data(as_text=True)
    assert set_status(client, "traject", "closed").status_code == 302
    assert set_status(client, "traject", "open").status_code == 302  # reopening is allowed
    assert set_status(client, "traject", "closed").status_code == 302
    assert set_status(client, "traject", "reported").status_code == 302
    c = consultation(db_session, "traject")
    assert c.status == ConsultationStatus.REPORTED and c.reported_on == date.today()
    for status in ("open", "closed", "draft"):
        r = set_status(client, "traject", status)
        assert r.status_code == 422 and "kan daarna niet meer veranderen" in r.get_data(as_text=True)
    assert consultation(db_session, "traject").status == ConsultationStatus.REPORTED
    assert "De status kan niet meer veranderen" in client.get(url).get_data(as_text=True)
    moves = [(e.details["from"], e.details["to"]) for e in audit(db_session, "consultation_status")]
    assert moves == [("draft", "open"), ("open", "closed"), ("closed", "open"), ("open", "closed"),
                     ("closed", "reported")]
    r = set_status(client, "traject", "bogus")
    assert r.status_code == 400


def test_closing_the_consultation_closes_its_surveys(client, world, db_session):
    survey_url = f"/c/{SLUG}/v/wmo-vragen"
    html = client.get(survey_url).get_data(as_text=True)  # a resident starts answering
    token = re.search(r'name="start_token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    r = client.post(survey_url, data={"csrf_token": csrf, "start_token": token})
    assert r.status_code == 302
    page_url = r.headers["Location"]
    assert client.get(page_url).status_code == 200

    staff = client.application.test_client()
    login(staff, "beleid@test.nl")
    r = set_status(staff, SLUG, "closed")
    assert r.status_code == 302
    assert "De vragenlijst is gesloten." in staff.get(SETTINGS).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Survey, world.survey_id).status == SurveyStatus.CLOSED
    assert [e.details["to"] for e in audit(db_session, "survey_status")] == ["closed"]
    # residents can no longer start or continue
    assert client.get(page_url).status_code == 404
    public = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert "Er is op dit moment geen vragenlijst open." in public
    assert 'name="start_token"' not in client.get(survey_url).get_data(as_text=True)
    assert client.post(survey_url, data={"csrf_token": csrf, "start_token": "x" * 20}).status_code == 404
    assert db_session.scalar(select(Response).where(Response.status == ResponseStatus.SUBMITTED)) is None

    # a survey reopened by hand in a closed consultation still takes no answers
    survey = db_session.get(Survey, world.survey_id)
    survey.status = SurveyStatus.OPEN
    db_session.commit()
    assert 'name="start_token"' not in client.get(survey_url).get_data(as_text=True)
    assert client.get(page_url).status_code == 404


def test_archive_and_unarchive(client, world, db_session):
    login(client, "beleid@test.nl")
    r = post_form(client, f"{SETTINGS}/archief", {"archived": "1"}, page=SETTINGS)
    assert r.status_code == 302
    c = consultation(db_session)
    assert c.archived_at is not None and c.status == ConsultationStatus.OPEN  # nothing else changes
    dashboard = client.get("/beheer/").get_data(as_text=True)
    assert "Gearchiveerd" in dashboard and "Al uw raadplegingen staan in het archief." in dashboard
    assert dashboard.index("Wmo in Deventer") > dashboard.index("Gearchiveerd")
    assert client.get(f"/c/{SLUG}").status_code == 200  # the public page stays
    assert "Uit het archief halen" in client.get(SETTINGS).get_data(as_text=True)
    post_form(client, f"{SETTINGS}/archief", {"archived": "0"}, page=SETTINGS)
    assert consultation(db_session).archived_at is None
    assert "Gearchiveerd" not in client.get("/beheer/").get_data(as_text=True)
    assert len(audit(db_session, "archive_consultation")) == 1
    assert len(audit(db_session, "unarchive_consultation")) == 1
    assert post_form(client, f"{SETTINGS}/archief", {"archived": "x"}, page=SETTINGS).status_code == 400


# -- stakeholder groups -----------------------------------------------------------------------

def groups(db_session) -> list[StakeholderGroup]:
    return consultation(db_session).stakeholder_groups


def test_groups_add_rename_and_order(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{SETTINGS}/groepen"
    page = client.get(url)
    assert page.status_code == 200 and "Mantelzorger" in page.get_data(as_text=True)
    r = post_form(client, f"{url}/nieuw", {"label": "Jongere (tot 23 jaar)"}, page=url)
    assert r.status_code == 302
    new = groups(db_session)[-1]
    assert (new.key, new.label, new.position) == ("jongere_tot_23_jaar", "Jongere (tot 23 jaar)", 10)
    r = post_form(client, f"{url}/nieuw", {"label": "mantelzorger"}, page=url)
    assert r.status_code == 422 and "Er is al een groep met de naam Mantelzorger." in r.get_data(as_text=True)
    r = post_form(client, f"{url}/nieuw", {"label": ""}, page=url)
    assert r.status_code == 422 and "Vul een naam in." in r.get_data(as_text=True)

    carer = next(g for g in groups(db_session) if g.key == "mantelzorger")
    r = post_form(client, f"{url}/{carer.id}/naam", {"label": "Mantelzorger of naaste"}, page=url)
    assert r.status_code == 302
    db_session.expire_all()
    assert db_session.get(StakeholderGroup, carer.id).label == "Mantelzorger of naaste"
    assert db_session.get(StakeholderGroup, carer.id).key == "mantelzorger"  # answers keep pointing at it

    first = groups(db_session)[0]
    post_form(client, f"{url}/{first.id}/verplaatsen", {"direction": "down"}, page=url)
    assert [g.key for g in groups(db_session)][:2] == ["client", "inwoner"]
    post_form(client, f"{url}/{first.id}/verplaatsen", {"direction": "up"}, page=url)
    post_form(client, f"{url}/{first.id}/verplaatsen", {"direction": "up"}, page=url)  # already first: nothing
    assert [g.key for g in groups(db_session)][:2] == ["inwoner", "client"]
    assert [g.position for g in groups(db_session)] == list(range(11))
    assert post_form(client, f"{url}/{first.id}/verplaatsen", {"direction": "sideways"}, page=url).status_code == 400
    assert len(audit(db_session, "add_stakeholder_group")) == 1
    assert len(audit(db_session, "rename_stakeholder_group")) == 1
    assert len(audit(db_session, "move_stakeholder_group")) == 2


def test_merging_groups_moves_every_reference(client, world, db_session):
    c = consultation(db_session)
    by_key = {g.key: g for g in c.stakeholder_groups}
    carer, client_group = by_key["mantelzorger"], by_key["client"]
    other_meeting = Meeting(consultation=c, type=MeetingType.KENNISKRING, title="Kenniskring")
    db_session.add(other_meeting)
    db_session.flush()
    db_session.add_all([
        MeetingAttendance(meeting_id=world.meeting_id, stakeholder_group_id=carer.id, count=4),
        MeetingAttendance(meeting_id=world.meeting_id, stakeholder_group_id=client_group.id, count=3),
        MeetingAttendance(meeting_id=other_meeting.id, stakeholder_group_id=client_group.id, count=5),
        Participant(consultation_id=c.id, stakeholder_group_id=client_group.id),
    ])
    db_session.get(Segment, world.segment_ids[0]).stakeholder_group_id = client_group.id
    role_q = db_session.scalar(select(Question).where(Question.survey_id == world.survey_id, Question.key == "rol"))
    response = Response(survey_id=world.survey_id)
    db_session.add(response)
    db_session.flush()
    db_session.add(Answer(response_id=response.id, question_id=role_q.id, value="client"))
    db_session.commit()
    carer_id, client_id = carer.id, client_group.id

    login(client, "beleid@test.nl")
    url = f"{SETTINGS}/groepen"
    r = post_form(client, f"{url}/{client_id}/samenvoegen", {"target": str(client_id)}, page=url)
    assert r.status_code == 422 and "Kies een andere groep" in r.get_data(as_text=True)
    r = post_form(client, f"{url}/{client_id}/samenvoegen", {"target": ""}, page=url)
    assert r.status_code == 422 and "Kies de groep waarmee u wilt samenvoegen." in r.get_data(as_text=True)
    r = post_form(client, f"{url}/{client_id}/samenvoegen", {"target": str(carer_id)}, page=url)
    assert r.status_code == 302

    db_session.expire_all()
    assert db_session.get(StakeholderGroup, client_id) is None
    assert db_session.scalar(select(Participant.stakeholder_group_id).where(Participant.consultation_id == c.id)) == carer_id
    assert db_session.get(Segment, world.segment_ids[0]).stakeholder_group_id == carer_id
    rows = {(a.meeting_id, a.stakeholder_group_id): a.count for a in db_session.scalars(select(MeetingAttendance))}
    assert rows == {(world.meeting_id, carer_id): 7, (other_meeting.id, carer_id): 5}
    assert db_session.scalar(select(Answer.value).where(Answer.question_id == role_q.id)) == "mantelzorger"
    assert [g.position for g in groups(db_session)] == list(range(9))
    [entry] = audit(db_session, "merge_stakeholder_group")
    assert entry.entity_id == carer_id and entry.details["merged_key"] == "client"
    assert (entry.details["participants"], entry.details["segments"], entry.details["attendance"],
            entry.details["answers"]) == (1, 1, 2, 1)


def test_groups_of_another_consultation_are_out_of_reach(client, world, db_session):
    login(client, "admin@test.nl")
    new_consultation(client, slug="tweede")
    other = consultation(db_session, "tweede").stakeholder_groups[0]
    mine = groups(db_session)[0]
    url = f"{SETTINGS}/groepen"
    assert post_form(client, f"{url}/{other.id}/naam", {"label": "x"}, page=url).status_code == 404
    r = post_form(client, f"{url}/{mine.id}/samenvoegen", {"target": str(other.id)}, page=url)
    assert r.status_code == 422
    db_session.expire_all()
    assert db_session.get(StakeholderGroup, mine.id) is not None and db_session.get(StakeholderGroup, other.id)


# -- neighbourhoods ---------------------------------------------------------------------------

def hoods(db_session) -> list[Neighbourhood]:
    return consultation(db_session).organisation.neighbourhoods


def test_neighbourhoods_add_rename_order_and_merge(client, world, db_session):
    login(client, "admin@test.nl")  # neighbourhoods belong to the organisation: administrators manage them
    url = f"{SETTINGS}/wijken"
    assert "Keizerslanden" in client.get(url).get_data(as_text=True)
    assert post_form(client, f"{url}/nieuw", {"name": "Diepenveen", "kind": "dorp"}, page=url).status_code == 302
    assert [(n.name, n.kind.value) for n in hoods(db_session)][-1] == ("Diepenveen", "dorp")
    r = post_form(client, f"{url}/nieuw", {"name": "bathmen", "kind": "dorp"}, page=url)
    assert r.status_code == 422 and "Er is al een wijk of dorp met de naam Bathmen." in r.get_data(as_text=True)

    by_name = {n.name: n for n in hoods(db_session)}
    centre, keizer, bathmen = by_name["Binnenstad"], by_name["Keizerslanden"], by_name["Bathmen"]
    # answers store the name: a rename follows in them
    hood_q = db_session.scalar(select(Question).where(Question.survey_id == world.survey_id, Question.key == "wijk"))
    response = Response(survey_id=world.survey_id)
    db_session.add(response)
    db_session.flush()
    db_session.add(Answer(response_id=response.id, question_id=hood_q.id, value="Binnenstad"))
    db_session.add(Participant(consultation_id=world.consultation_id, neighbourhood_id=centre.id))
    db_session.get(Meeting, world.meeting_id).neighbourhood_id = bathmen.id
    db_session.commit()
    r = post_form(client, f"{url}/{centre.id}/naam", {"name": "Centrum", "kind": "wijk"}, page=url)
    assert r.status_code == 302
    db_session.expire_all()
    assert db_session.get(Neighbourhood, centre.id).name == "Centrum"
    assert db_session.scalar(select(Answer.value).where(Answer.question_id == hood_q.id)) == "Centrum"

    post_form(client, f"{url}/{bathmen.id}/verplaatsen", {"direction": "up"}, page=url)
    assert [n.name for n in hoods(db_session)] == ["Centrum", "Bathmen", "Keizerslanden", "Diepenveen"]

    r = post_form(client, f"{url}/{centre.id}/samenvoegen", {"target": str(keizer.id)}, page=url)
    assert r.status_code == 302
    r = post_form(client, f"{url}/{bathmen.id}/samenvoegen", {"target": str(keizer.id)}, page=url)
    assert r.status_code == 302
    db_session.expire_all()
    assert [n.name for n in hoods(db_session)] == ["Keizerslanden", "Diepenveen"]
    assert [n.position for n in hoods(db_session)] == [0, 1]
    assert db_session.scalar(select(Participant.neighbourhood_id).where(
        Participant.consultation_id == world.consultation_id)) == keizer.id
    assert db_session.get(Meeting, world.meeting_id).neighbourhood_id == keizer.id
    assert db_session.scalar(select(Answer.value).where(Answer.question_id == hood_q.id)) == "Keizerslanden"
    merges = audit(db_session, "merge_neighbourhood")
    assert [(e.details["merged_name"], e.details["participants"], e.details["meetings"], e.details["answers"])
            for e in merges] == [("Centrum", 1, 0, 1), ("Bathmen", 0, 1, 0)]
    assert len(audit(db_session, "add_neighbourhood")) == 1
    assert len(audit(db_session, "rename_neighbourhood")) == 1
    assert len(audit(db_session, "move_neighbourhood")) == 1
    # the meeting form offers the merged list
    assert ">Bathmen</option>" not in client.get(f"/beheer/c/{SLUG}/bijeenkomsten/nieuw").get_data(as_text=True)


def test_policy_writers_add_neighbourhoods_but_do_not_rewrite_them(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{SETTINGS}/wijken"
    page = client.get(url).get_data(as_text=True)
    assert "Alleen een beheerder" in page
    assert "neighbourhood_merge" not in page and "/samenvoegen" not in page
    assert post_form(client, f"{url}/nieuw", {"name": "Diepenveen", "kind": "dorp"}, page=url).status_code == 302
    mine = hoods(db_session)[0]
    assert post_form(client, f"{url}/{mine.id}/naam", {"name": "x", "kind": "wijk"}, page=url).status_code == 403
    assert post_form(client, f"{url}/{mine.id}/verplaatsen", {"direction": "down"}, page=url).status_code == 403
    db_session.expire_all()
    assert db_session.get(Neighbourhood, mine.id).name != "x"


def test_neighbourhood_of_another_organisation_is_out_of_reach(client, world, db_session):
    other = Organisation(slug="elders", name="Elders")
    other.neighbourhoods.append(Neighbourhood(name="Ergens"))
    db_session.add(other)
    db_session.commit()
    foreign = other.neighbourhoods[0]
    login(client, "admin@test.nl")
    url = f"{SETTINGS}/wijken"
    assert post_form(client, f"{url}/{foreign.id}/naam", {"name": "x", "kind": "wijk"}, page=url).status_code == 404
    mine = hoods(db_session)[0]
    r = post_form(client, f"{url}/{mine.id}/samenvoegen", {"target": str(foreign.id)}, page=url)
    assert r.status_code == 422
    db_session.expire_all()
    assert db_session.get(Neighbourhood, mine.id) is not None


# -- organisation settings, header and footer -------------------------------------------------

def org_form(**fields):
    data = {"name": "Gemeente Deventer", "privacy_url": "https://www.deventer.nl/privacy",
            "accessibility_url": "/toegankelijkheid", "contact_url": "https://www.deventer.nl/contact"}
    data.update(fields)
    return data


def test_organisation_settings_header_and_footer(client, world, db_session):
    public = client.get("/").get_data(as_text=True)
    assert "Privacyverklaring" not in public and "Gemeente Deventer</a>" in public
    login(client, "admin@test.nl")
    assert 'href="/beheer/organisatie"' in client.get("/beheer/").get_data(as_text=True)
    r = post_form(client, "/beheer/organisatie", org_form(logo=(io.BytesIO(SVG), "logo.svg")),
                  content_type="multipart/form-data")
    assert r.status_code == 302
    db_session.expire_all()
    org = db_session.get(Organisation, consultation(db_session).organisation_id)
    assert org.logo == SVG and org.logo_media_type == "image/svg+xml"
    assert org.accessibility_url == "/toegankelijkheid"
    assert [e.action for e in audit(db_session, "update_organisation") + audit(db_session, "set_logo")] == [
        "update_organisation", "set_logo"]
    logout(client)

    page = client.get(f"/c/{SLUG}").get_data(as_text=True)
    assert '<img src="/organisatie/logo" alt="Gemeente Deventer">' in page
    footer = page[page.index("<footer"):]
    assert re.search(r'<ul class="footer-links">\s*<li><a href="https://www.deventer.nl/privacy">Privacyverklaring</a>'
                     r'</li><li><a href="/toegankelijkheid">Toegankelijkheidsverklaring</a></li>'
                     r'<li><a href="https://www.deventer.nl/contact">Contact</a></li>', footer)
    logo = client.get("/organisatie/logo")
    assert logo.status_code == 200 and logo.data == SVG
    assert logo.mimetype == "image/svg+xml" and logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in logo.headers["Content-Security-Policy"]

    login(client, "admin@test.nl")
    r = post_form(client, "/beheer/organisatie", org_form(privacy_url="", contact_url="", remove_logo="y"),
                  content_type="multipart/form-data")
    assert r.status_code == 302
    assert client.get("/organisatie/logo").status_code == 404
    footer = client.get("/").get_data(as_text=True)
    assert "Toegankelijkheidsverklaring" in footer and "Privacyverklaring" not in footer
    assert len(audit(db_session, "remove_logo")) == 1


@pytest.mark.parametrize("field, value, message", [
    ("privacy_url", "javascript:alert(1)", "begint met https://"),
    ("contact_url", "//evil.example/contact", "begint met https://"),
    ("accessibility_url", "www.deventer.nl", "begint met https://"),
    ("privacy_url", "https://www.deventer.nl/ privacy", "geen spaties"),
    ("name", "", "Vul de naam van de gemeente in."),
])
def test_organisation_link_errors(client, world, db_session, field, value, message):
    login(client, "admin@test.nl")
    r = post_form(client, "/beheer/organisatie", org_form(**{field: value}), content_type="multipart/form-data")
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert f'href="#{field}"' in r.get_data(as_text=True)
    db_session.expire_all()
    org = db_session.get(Organisation, consultation(db_session).organisation_id)
    assert org.privacy_url == "" and org.name == "Gemeente Deventer"


@pytest.mark.parametrize("data, message", [
    (b"GIF89a" + b"\x00" * 20, "PNG-, JPEG- of SVG-bestand"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (512 * 1024), "groter dan 512 kB"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>', "script"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<image xlink:href="https://evil.example/x.png"/></svg>', "verwijzingen"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/a.css);</style></svg>',
     "verwijzingen"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>', "verwijzingen"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "beschadigd"),
    (b'<?xml version="1.0"?><html><body/></html>', "geen SVG"),
])
def test_bad_logos_are_refused(client, world, db_session, data, message):
    login(client, "admin@test.nl")
    r = post_form(client, "/beheer/organisatie", org_form(name="Nieuwe naam", logo=(io.BytesIO(data), "logo.svg")),
                  content_type="multipart/form-data")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and message in html and 'href="#logo"' in html
    db_session.expire_all()
    org = db_session.get(Organisation, consultation(db_session).organisation_id)
    assert org.logo is None and org.name == "Gemeente Deventer"  # nothing changed


def test_logo_types_by_magic_bytes():
    assert logo_media_type(PNG) == "image/png"
    assert logo_media_type(JPEG) == "image/jpeg"
    assert logo_media_type(SVG) == "image/svg+xml"
    assert logo_media_type(b"\xef\xbb\xbf" + SVG) == "image/svg+xml"
    with pytest.raises(OrganisationError):
        logo_media_type(b"")
    with pytest.raises(OrganisationError):  # a PNG name does not make a PNG
        logo_media_type(b"<html><script>alert(1)</script></html>")
    with pytest.raises(OrganisationError):
        check_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>')
    with pytest.raises(OrganisationError):
        check_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>')
    with pytest.raises(OrganisationError):
        check_svg(b'<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>')
    check_svg(b'<svg xmlns="http://www.w3.org/2000/svg"><use href="#a"/><rect id="a"/></svg>')


def test_png_logo_upload(client, world, db_session):
    login(client, "admin@test.nl")
    r = post_form(client, "/beheer/organisatie", org_form(logo=(io.BytesIO(PNG), "logo.png")),
                  content_type="multipart/form-data")
    assert r.status_code == 302
    logo = client.get("/organisatie/logo")
    assert logo.mimetype == "image/png" and logo.data == PNG
    assert 'alt="Huidig logo van Gemeente Deventer"' in client.get("/beheer/organisatie").get_data(as_text=True)


def test_staff_header_links(client, world):
    login(client, "admin@test.nl")
    nav = client.get("/beheer/").get_data(as_text=True)
    nav = nav[nav.index('<nav class="staff-nav"'):nav.index("</nav>")]
    assert "Beheer" in nav and "Organisatie" in nav
    logout(client)
    login(client, "beleid@test.nl")
    nav = client.get("/beheer/").get_data(as_text=True)
    nav = nav[nav.index('<nav class="staff-nav"'):nav.index("</nav>")]
    assert "Beheer" in nav and "Organisatie" not in nav


def test_pages_work_without_an_organisation(client, app):
    for url in ("/", "/inloggen", "/bestaat-niet"):
        r = client.get(url)
        assert r.status_code in (200, 404) and ">Consult<" in r.get_data(as_text=True)
    assert client.get("/organisatie/logo").status_code == 404
