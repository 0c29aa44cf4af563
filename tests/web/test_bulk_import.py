"""Bulk import of paper and telephone responses over HTTP: template downloads, the dry run,
"Nu invoeren", re-uploads, segmenting after the import, roles and the audit entry."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from consult.db import session_scope
from consult.models import (
    AuditLog, Channel, Job, Response, ResponseStatus, Segment, StakeholderGroup, Survey, SurveyStatus, User,
)
from surveys import responses as R
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"
HEADER = ["volgnummer", "datum", "rol", "zwaarte", "wijk", "beter", "tevreden", "belangrijk",
          "belangrijk:anders", "volgorde", "toestemming"]
ROW_1 = ["1", "03-05-2019", "Mantelzorger", "Zwaar", "Bathmen",
         "De mantelzorg is zwaar. Het vervoer met de taxi komt vaak te laat.", "2", "Hulp dichtbij", "", "", "ja"]
ROW_2 = ["2", "", "Inwoner", "", "Binnenstad", "Minder formulieren graag.", "", "", "boodschappen",
         "Snelheid; Deskundigheid", "ja"]
ROW_3 = ["3", "", "Cliënt", "", "", "Meer hulp in de wijk.", "5", "", "", "", "ja"]
BAD = ["4", "", "mantelzorgr", "", "", "", "9", "", "", "", "nee"]


def survey_url(world) -> str:
    return f"{STAFF}/vragenlijsten/{world.survey_id}"


def csv_file(*rows) -> bytes:
    """A CSV as Dutch Excel saves it (";", UTF-8 with BOM), without the row of questions."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def upload(client, world, data: bytes, name: str = "antwoorden.csv", channel: str = "paper", token=None):
    token = token or csrf_token(client, survey_url(world))
    return client.post(f"{survey_url(world)}/antwoorden-uploaden", content_type="multipart/form-data", data={
        "bulk-csrf_token": token, "bulk-file": (io.BytesIO(data), name), "bulk-channel": channel})


def page(r) -> str:
    return htmllib.unescape(r.get_data(as_text=True))


def import_token(r) -> str:
    m = re.search(r'name="token" type="hidden" value="([^"]+)"', r.get_data(as_text=True))
    assert m, "no 'Nu invoeren' form on the page"
    return m.group(1)


def confirm(client, world, token: str):
    html = client.get(f"{survey_url(world)}/antwoorden-uploaden").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="bulk-csrf_token" type="hidden" value="([^"]+)"', html)
    return client.post(f"{survey_url(world)}/antwoorden-invoeren", data={"csrf_token": csrf.group(1), "token": token})


def count_responses(db_session, **filters) -> int:
    db_session.expire_all()
    q = select(func.count(Response.id))
    for name, value in filters.items():
        q = q.where(getattr(Response, name) == value)
    return db_session.scalar(q)


def pending_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "bulk-uploads"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_survey_page_offers_templates_and_upload(client, world):
    login(client, "beleid@test.nl")
    html = page(client.get(survey_url(world)))
    assert "Papieren en telefonische antwoorden in één keer invoeren" in html
    assert "Download sjabloon (Excel)" in html and "Download sjabloon (CSV)" in html
    assert 'name="bulk-file"' in html and 'name="bulk-channel"' in html and "Bestand controleren" in html
    assert 'id="channel"' in html and 'id="bulk-channel"' in html  # no clash with assisted entry


def test_download_templates(client, world):
    login(client, "beleid@test.nl")
    r = client.get(f"{survey_url(world)}/sjabloon.xlsx")
    assert r.status_code == 200 and "sjabloon-wmo-vragen.xlsx" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    assert [c.value for c in wb["Antwoorden"][1]] == HEADER
    rol = [row for row in wb["Uitleg"].iter_rows(values_only=True) if row[0] == "rol"][0]
    assert "Mantelzorger" in rol[3] and "Cliënt" in rol[3]  # the consultation's own groups
    r = client.get(f"{survey_url(world)}/sjabloon.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.startswith(b"\xef\xbb\xbf" + ";".join(HEADER).encode())


def test_dry_run_shows_errors_and_imports_nothing(app, client, world, db_session):
    login(client, "beleid@test.nl")
    r = upload(client, world, csv_file(ROW_1, BAD, ROW_2 + ["extra"]))
    assert r.status_code == 422
    html = page(r)
    assert "Er zijn 4 fouten in 1 rij" in html and "2 rijen zijn goed" in html
    assert "<td>3</td><td>rol</td><td>'mantelzorgr' is geen keuze. Kies uit: Inwoner, Cliënt" in html
    assert "<td>3</td><td>beter</td><td>Deze vraag is verplicht, maar de cel is leeg." in html
    assert "<td>3</td><td>tevreden</td><td>'9' past niet. Schrijf een heel getal van 1 tot en met 5.</td>" in html
    assert "<td>3</td><td>toestemming</td><td>Zonder toestemming" in html
    assert "Rij 4: in kolom L staat iets, maar in rij 1 staat geen naam" in html  # a warning
    assert "Er is nog niets ingevoerd" in html and "Nu invoeren" not in html
    assert count_responses(db_session) == 0 and pending_files(app) == []
    assert not db_session.scalar(select(AuditLog.id).where(AuditLog.action == "bulk_import"))


def test_import_adds_responses_with_channel_and_reupload_adds_nothing(app, client, world, db_session):
    login(client, "beleid@test.nl")
    r = upload(client, world, csv_file(ROW_1, ROW_2), channel="telephone")
    assert r.status_code == 200
    assert "2 antwoorden kunnen worden ingevoerd, 0 zijn al eerder ingevoerd." in page(r)
    token = import_token(r)
    assert len(pending_files(app)) == 2  # the file and its metadata, owner-only
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in pending_files(app))
    assert count_responses(db_session) == 0  # the dry run stored nothing

    r = confirm(client, world, token)
    assert r.status_code == 303 and "/antwoorden-ingevoerd/" in r.headers["Location"]
    assert pending_files(app) == []
    done = page(client.get(r.headers["Location"]))
    assert "Antwoorden ingevoerd" in done and "2 antwoorden zijn ingevoerd" in done and "telefoon" in done

    writer = db_session.get(User, world.writer_id)
    responses = db_session.scalars(select(Response).order_by(Response.id)).all()
    assert len(responses) == 2
    for resp in responses:
        assert resp.channel == Channel.TELEPHONE and resp.status == ResponseStatus.SUBMITTED
        assert resp.entered_by_id == writer.id and len(resp.import_key) == 64 and resp.receipt_code
    first, second = responses
    assert first.submitted_at == datetime(2019, 5, 3, 12)  # the date on the form
    answers = {a.question.key: (a.value, a.text) for a in first.answers}
    assert answers["rol"] == ("mantelzorger", None) and answers["zwaarte"] == ("zwaar", None)
    assert answers["tevreden"] == (2, None) and answers["belangrijk"] == (["hulp_dichtbij"], None)
    assert first.participant.stakeholder_group.key == "mantelzorger"
    assert first.participant.neighbourhood.name == "Bathmen"
    answers = {a.question.key: (a.value, a.text) for a in second.answers}
    assert answers["belangrijk"] == (["anders"], "boodschappen")
    assert answers["volgorde"] == (["snelheid", "deskundigheid"], None)

    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "bulk_import")).one()
    assert entry.user_id == writer.id and entry.entity_type == "survey" and entry.entity_id == world.survey_id
    assert entry.details["added"] == 2 and entry.details["already"] == 0
    assert entry.details["channel"] == "telephone" and entry.details["filename"] == "antwoorden.csv"

    # the same file again: nothing new, no button
    r = upload(client, world, csv_file(ROW_1, ROW_2))
    assert r.status_code == 200
    assert "Er is niets nieuws in te voeren: 2 antwoorden zijn al eerder ingevoerd." in page(r)
    assert "Nu invoeren" not in page(r) and pending_files(app) == []
    # the same rows plus a new one: only the new one
    r = upload(client, world, csv_file(ROW_1, ROW_2, ROW_3))
    assert "1 antwoord kan worden ingevoerd, 2 zijn al eerder ingevoerd." in page(r)
    r = confirm(client, world, import_token(r))
    assert r.status_code == 303
    assert count_responses(db_session) == 3 and count_responses(db_session, channel=Channel.PAPER) == 1
    # a used token cannot import again
    r = confirm(client, world, token)
    assert r.status_code == 303 and r.headers["Location"].endswith("/antwoorden-uploaden")
    assert "niet meer bewaard" in page(client.get(r.headers["Location"]))
    assert count_responses(db_session) == 3


def test_open_answers_are_segmented_after_the_import(app, client, world, db_session):
    login(client, "gesprek@test.nl")  # facilitators enter paper responses too
    template = client.get(f"{survey_url(world)}/sjabloon.xlsx").data
    wb = load_workbook(io.BytesIO(template))
    for row in (ROW_1, ROW_3):
        wb["Antwoorden"].append(row)
    out = io.BytesIO()
    wb.save(out)
    r = upload(client, world, out.getvalue(), name="papier.xlsx")
    assert r.status_code == 200, page(r)
    assert confirm(client, world, import_token(r)).status_code == 303
    jobs = db_session.scalars(select(Job).where(Job.kind == "segment_response")).all()
    assert len(jobs) == 2
    drain_jobs(app)
    db_session.expire_all()
    segments = db_session.scalars(select(Segment).where(Segment.answer_id.is_not(None))).all()
    texts = " ".join(s.text for s in segments)
    assert "taxi komt vaak te laat" in texts and "Meer hulp in de wijk" in texts
    assert {s.answer.response.channel for s in segments} == {Channel.PAPER}


def test_file_problems_are_shown_in_dutch(client, world, db_session):
    login(client, "beleid@test.nl")
    r = upload(client, world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, name="oud.xls")
    assert r.status_code == 422 and "oud Excel-bestand (.xls)" in page(r) and "Er is niets ingevoerd" in page(r)
    token = csrf_token(client, survey_url(world))
    r = client.post(f"{survey_url(world)}/antwoorden-uploaden", content_type="multipart/form-data",
                    data={"bulk-csrf_token": token, "bulk-channel": "paper"})
    assert r.status_code == 422 and "Kies een bestand." in page(r)
    r = upload(client, world, csv_file(ROW_1), channel="online")
    assert r.status_code == 422 and "Kies papier of telefoon." in page(r)
    r = client.post(f"{survey_url(world)}/antwoorden-uploaden", content_type="multipart/form-data",
                    data={"bulk-file": (io.BytesIO(csv_file(ROW_1)), "a.csv"), "bulk-channel": "paper"})
    assert r.status_code == 400  # no CSRF token
    assert count_responses(db_session) == 0


def test_roles_membership_and_drafts(app, client, world, db_session):
    url = survey_url(world)
    r = client.get(f"{url}/sjabloon.csv")
    assert r.status_code == 302 and "/inloggen" in r.headers["Location"]
    login(client, "ander@test.nl")  # a policy writer who is not a member
    for path in ("/sjabloon.xlsx", "/sjabloon.csv", "/antwoorden-uploaden"):
        assert client.get(url + path).status_code == 404
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    login(client, "admin@test.nl")  # administrators may everything
    assert client.get(f"{url}/sjabloon.csv").status_code == 200
    r = upload(client, world, csv_file(ROW_1))
    token = import_token(r)
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    login(client, "beleid@test.nl")  # another member cannot use the administrator's upload
    r = confirm(client, world, token)
    assert r.status_code == 303 and r.headers["Location"].endswith("/antwoorden-uploaden")
    assert count_responses(db_session) == 0
    with session_scope(app.extensions["consult.sessions"]) as s:
        s.get(Survey, world.survey_id).status = SurveyStatus.DRAFT
    assert client.get(f"{url}/sjabloon.xlsx").status_code == 404
    assert "in één keer invoeren" not in page(client.get(url))


def test_result_page_only_for_its_own_survey(client, world, db_session):
    login(client, "beleid@test.nl")
    other = db_session.scalars(select(AuditLog.id)).first()
    assert client.get(f"{survey_url(world)}/antwoorden-ingevoerd/{other or 1}").status_code == 404


def test_a_clash_with_a_simultaneous_import_stores_nothing(app, world, db_session, monkeypatch):
    """Two staff members import the same rows at the same moment: the database's unique
    (survey, import_key) refuses the second import as a whole."""
    survey = db_session.get(Survey, world.survey_id)
    writer = db_session.get(User, world.writer_id)
    data = csv_file(ROW_1, ROW_2)
    dry = R.check_upload(db_session, survey, data, "a.csv")
    R.import_responses(db_session, survey, dry.check.rows[:1], channel=Channel.PAPER, entered_by=writer)
    db_session.commit()
    monkeypatch.setattr(R, "split_new", lambda session, survey, rows: (rows, 0))  # as if it had not seen it
    with pytest.raises(R.BulkImportError, match="Er is niets ingevoerd"):
        R.import_responses(db_session, survey, dry.check.rows, channel=Channel.PAPER, entered_by=writer)
    assert count_responses(db_session) == 1
    assert db_session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "bulk_import")) == 1


def test_service_refuses_drafts_and_other_channels(world, db_session):
    survey = db_session.get(Survey, world.survey_id)
    writer = db_session.get(User, world.writer_id)
    with pytest.raises(R.BulkImportError, match="papier of telefoon"):
        R.import_responses(db_session, survey, [], channel=Channel.ONLINE, entered_by=writer)
    survey.status = SurveyStatus.DRAFT
    with pytest.raises(R.BulkImportError, match="concept"):
        R.import_responses(db_session, survey, [], channel=Channel.PAPER, entered_by=writer)
    assert db_session.scalar(select(StakeholderGroup.id)) is not None


def test_a_large_import_starts_one_coding_run_instead(app, client, world, db_session, monkeypatch):
    from consult.web import bulk as bulk_web

    monkeypatch.setattr(bulk_web, "SEGMENT_JOBS_LIMIT", 1)
    login(client, "beleid@test.nl")
    r = confirm(client, world, import_token(upload(client, world, csv_file(ROW_1, ROW_3))))
    assert r.status_code == 303 and "taak=" in r.headers["Location"]
    kinds = db_session.scalars(select(Job.kind).where(Job.parent_id.is_(None))).all()
    assert kinds == ["code_consultation"]
    done = page(client.get(r.headers["Location"]))
    assert "in één codeerronde" in done and "Bekijk hoe ver de codeerronde is" in done
    drain_jobs(app)
    db_session.expire_all()
    texts = " ".join(db_session.scalars(select(Segment.text).where(Segment.answer_id.is_not(None))))
    assert "taxi komt vaak te laat" in texts and "Meer hulp in de wijk" in texts
