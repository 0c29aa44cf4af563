"""Choosing a codebook for a consultation in the browser (no shell needed): the bundled
Wmo codebook, one already stored, or an uploaded file; refused once something is coded."""
from __future__ import annotations

import io

from sqlalchemy import select

from consult.models import AuditLog, Consultation, ConsultationMember, Organisation, User
from tests.web.conftest import SLUG, csrf_token, login

NEW = "zonder-codeboek"


def _bare_consultation(db_session) -> Consultation:
    writer = User.by_email(db_session, "beleid@test.nl")
    c = Consultation(organisation=db_session.scalars(select(Organisation)).first(), slug=NEW,
                     title="Raadpleging zonder codeboek")
    db_session.add_all([c, ConsultationMember(user=writer, consultation=c)])
    db_session.commit()
    return c


def _choose(client, slug: str, **data):
    url = f"/beheer/c/{slug}/codeboek"
    return client.post(f"{url}/kiezen", data={"csrf_token": csrf_token(client, url), **data},
                       content_type="multipart/form-data", follow_redirects=True)


def test_choose_the_bundled_wmo_codebook(client, world, db_session):
    c = _bare_consultation(db_session)
    login(client, "beleid@test.nl")
    page = client.get(f"/beheer/c/{NEW}/codeboek").get_data(as_text=True)
    assert "Codeboek kiezen" in page and "consult codebook import" not in page
    r = _choose(client, NEW, source="standaard")
    assert "gebruikt nu het codeboek" in r.get_data(as_text=True)
    db_session.expire_all()
    version = db_session.get(Consultation, c.id).codebook_version
    assert len(version.codes) == 19
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "choose_codebook")).one()
    assert entry.entity_id == c.id and entry.details["codes"] == 19


def test_choose_a_stored_codebook_or_upload_a_file(client, world, db_session):
    c = _bare_consultation(db_session)
    stored = db_session.get(Consultation, world.consultation_id).codebook_version.codebook
    login(client, "beleid@test.nl")
    r = _choose(client, NEW, source=f"opgeslagen-{stored.id}")
    assert r.status_code == 200
    db_session.expire_all()
    assert db_session.get(Consultation, c.id).codebook_version.codebook_id == stored.id

    other = Consultation(organisation=db_session.scalars(select(Organisation)).first(), slug="nog-een",
                         title="Nog een")
    db_session.add(other)
    db_session.commit()
    login(client, "admin@test.nl")
    yaml_text = "name: Wonen\ncodes:\n  - code: HUUR\n    label: Huur\n    keywords: [huur]\n"
    bad = _choose(client, "nog-een", source="bestand", file=(io.BytesIO(b"\xff\xfe"), "x.yaml"))
    assert "geen tekst" in bad.get_data(as_text=True)
    wrong_type = _choose(client, "nog-een", source="bestand", file=(io.BytesIO(b"a"), "x.exe"))
    assert ".yaml, .yml, .csv of .qdc" in wrong_type.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Consultation, other.id).codebook_version is None  # nothing stored
    ok = _choose(client, "nog-een", source="bestand", file=(io.BytesIO(yaml_text.encode()), "wonen.yaml"))
    assert "Wonen" in ok.get_data(as_text=True)
    db_session.expire_all()
    assert [code.key for code in db_session.get(Consultation, other.id).codebook_version.codes] == ["HUUR"]


def test_no_other_codebook_once_something_is_coded_and_roles(client, world, db_session):
    login(client, "gesprek@test.nl")  # facilitators do not choose codebooks
    url = f"/beheer/c/{SLUG}/codeboek"
    assert client.post(f"{url}/kiezen", data={"csrf_token": csrf_token(client, url),
                                               "source": "standaard"}).status_code == 403
    login(client, "beleid@test.nl")
    before = db_session.get(Consultation, world.consultation_id).codebook_version_id
    r = _choose(client, SLUG, source="standaard")
    assert "al stukken tekst gecodeerd" in r.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Consultation, world.consultation_id).codebook_version_id == before
