"""Staff screens over HTTP: login, roles and membership, survey import and assisted entry,
meetings and notes upload, segment marking and masking, coding review, codebook editor,
and the audit trail of every change."""
from __future__ import annotations

import io
import re

import docx
from sqlalchemy import func, select

from consult.models import (
    AssignmentStatus, AuditLog, CodeAssignment, Consultation, Document, InvitationCode, Meeting,
    Origin, Response, Segment, Survey,
)
from tests.jobqueue import drain_jobs
from tests.web.conftest import SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"


def audit_actions(db_session) -> list[str]:
    db_session.expire_all()
    return list(db_session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_login_logout_and_cookie_flags(client, world, db_session):
    r = client.get("/beheer/")
    assert r.status_code == 302 and "/inloggen" in r.headers["Location"]
    r = login(client, "beleid@test.nl", "wrong password!")
    assert r.status_code == 401 and "klopt niet" in r.get_data(as_text=True)
    r = login(client, "BELEID@test.nl")
    assert r.status_code == 302 and r.headers["Location"].endswith("/beheer/")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get("/beheer/").get_data(as_text=True)
    assert "Wmo in Deventer" in html
    assert client.get("/beheer/").headers["Cache-Control"] == "no-store"
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    assert client.get("/beheer/").status_code == 302
    assert "login" in audit_actions(db_session)


def test_login_is_rate_limited(app, client, world):
    app.extensions["consult.limiter"].limits["login"] = (3, 300)
    token = csrf_token(client, "/inloggen")
    codes = [client.post("/inloggen", data={"email": "x@test.nl", "password": "nope nope nope",
                                            "csrf_token": token}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_only_failed_logins_count_against_the_limit(app, client, world):
    # an office behind one address logs in all at nine
    app.extensions["consult.limiter"].limits["login"] = (3, 300)
    for _ in range(5):
        token = csrf_token(client, "/inloggen")
        r = client.post("/inloggen", data={"email": "beleid@test.nl", "password": "correct horse battery",
                                           "csrf_token": token})
        assert r.status_code == 302
        client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    token = csrf_token(client, "/inloggen")
    codes = [client.post("/inloggen", data={"email": "beleid@test.nl", "password": "wrong wrong wrong",
                                            "csrf_token": token}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    # once full, the right password waits too: the limit is what stops guessing
    r = client.post("/inloggen", data={"email": "beleid@test.nl", "password": "correct horse battery",
                                       "csrf_token": token})
    assert r.status_code == 429


def test_open_redirect_after_login_is_refused(client, world):
    token = csrf_token(client, "/inloggen")
    r = client.post("/inloggen?next=//evil.example/", data={"email": "beleid@test.nl", "password": "correct horse battery",
                                                           "csrf_token": token})
    assert r.headers["Location"].endswith("/beheer/")


def test_membership_and_roles(client, world):
    login(client, "ander@test.nl")  # a policy writer who is not a member
    assert client.get(STAFF).status_code == 404
    assert client.get(f"{STAFF}/codering").status_code == 404
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    login(client, "gesprek@test.nl")  # a facilitator may not review codes or edit surveys
    assert client.get(STAFF).status_code == 200
    assert client.get(f"{STAFF}/codering").status_code == 403
    assert client.get(f"{STAFF}/vragenlijsten/nieuw").status_code == 403


def test_navigation_shows_only_what_the_role_may_open(client, world):
    login(client, "gesprek@test.nl")  # facilitator
    page = client.get(STAFF).get_data(as_text=True)
    assert "Bijeenkomsten en verslagen" in page
    assert "Codes beoordelen" not in page and "Advies en reactie" not in page
    # a facilitator follows the jobs but cannot start a coding run
    assert "Taken</a>: zien hoe verslagen" in page and "nieuwe tekst laten coderen" not in page
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    login(client, "beleid@test.nl")  # policy writer
    page = client.get(STAFF).get_data(as_text=True)
    assert "Codes beoordelen" in page and "Advies en reactie" in page
    assert "Coderen</a>: nieuwe tekst laten coderen" in page


def test_security_headers(client, world):
    r = client.get(f"/c/{SLUG}")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["Referrer-Policy"] == "same-origin" and r.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in r.get_data(as_text=True) and "style=" not in r.get_data(as_text=True)


def test_survey_import_status_codes_and_assisted_entry(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{STAFF}/vragenlijsten/nieuw"
    bad = client.post(url, data={"csrf_token": csrf_token(client, url), "definition": "slug: x\ntitle: X\nsections: 3"})
    assert bad.status_code == 422 and "De definitie klopt niet" in bad.get_data(as_text=True)
    definition = ("slug: uitnodiging\ntitle: Met code\naccess: invitation\nsections:\n"
                  "  - title: Vraag\n    questions:\n      - {key: idee, type: text_short, label: 'Uw idee?', required: true}\n")
    r = client.post(url, data={"csrf_token": csrf_token(client, url),
                               "upload": (io.BytesIO(definition.encode()), "vragen.yaml")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    detail = r.headers["Location"]
    survey_id = int(detail.rsplit("/", 1)[1])
    token = csrf_token(client, detail)
    client.post(f"{detail}/status", data={"csrf_token": token, "status": "open"})
    r = client.post(f"{detail}/codes", data={"csrf_token": token, "count": "5", "imported": "ABCD-EFGH\nabcd efgh\n"})
    db_session.expire_all()
    codes = db_session.scalars(select(InvitationCode.code).where(InvitationCode.survey_id == survey_id)).all()
    assert len(codes) == 6 and "ABCD-EFGH" in codes
    assert "1 overgeslagen" in client.get(detail).get_data(as_text=True)
    csv = client.get(f"{detail}/codes.csv").get_data(as_text=True)
    assert csv.startswith("code,gebruikt") and "ABCD-EFGH,nee" in csv

    # assisted entry: a telephone response entered by the facilitator, no invitation code needed
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "gesprek@test.nl")
    r = client.post(f"{detail}/invoer", data={"csrf_token": csrf_token(client, detail), "channel": "telephone"})
    page = r.headers["Location"]
    html = client.get(page).get_data(as_text=True)
    assert "Invoer door een medewerker" in html
    client.post(page, data={"csrf_token": csrf_token(client, page), "action": "next", "q_idee": "Een buurtbus."})
    review = page.replace("/deel/1", "/controleren")
    client.post(review, data={"csrf_token": csrf_token(client, review)})
    db_session.expire_all()
    response = db_session.scalar(select(Response).where(Response.survey_id == survey_id))
    assert response.channel.value == "telephone" and response.entered_by_id == world.facilitator_id
    assert response.receipt_code
    assert {"create_survey", "survey_status", "create_invitation_codes", "assisted_entry"} <= set(audit_actions(db_session))


def test_survey_editor_locks_after_responses(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{STAFF}/vragenlijsten/{world.survey_id}/bewerken"
    overview = client.get(f"{STAFF}/vragenlijsten/{world.survey_id}").get_data(as_text=True)
    assert "met ‘anders, namelijk’" in overview and "rol = mantelzorger" in overview
    html = client.get(url).get_data(as_text=True)
    assert "slug: wmo-vragen" in html
    new = html.split('name="definition"')[1].split(">", 1)[1].split("</textarea>")[0]
    new = new.replace("Wie bent u?", "Wie bent u eigenlijk?").replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "definition": new})
    assert r.status_code == 302
    db_session.expire_all()
    assert db_session.get(Survey, world.survey_id).questions[0].label == "Wie bent u eigenlijk?"
    db_session.add(Response(survey_id=world.survey_id))
    db_session.commit()
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "definition": new})
    assert r.status_code == 422 and "al (deels) ingevuld" in r.get_data(as_text=True)


def _docx_bytes() -> bytes:
    d = docx.Document()
    d.add_paragraph("Tafel 2")
    d.add_paragraph("Meneer De Vries zegt dat het formulier voor de taxi veel te ingewikkeld is. "
                    "Hij woont op de Kerkstraat 12 en is bereikbaar op 0570-123456.")
    d.add_paragraph("Mantelzorgers willen vaker een pauze en meer respijtzorg in het dorp.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_meeting_registration_and_notes_upload(client, world, db_session, app):
    login(client, "gesprek@test.nl")
    url = f"{STAFF}/bijeenkomsten/nieuw"
    form = client.get(url).get_data(as_text=True)
    group_field = re.search(r'name="(att_\d+)"', form).group(1)
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "type": "wijkbijeenkomst", "title": "",
                               group_field: "-3"})
    assert r.status_code == 422 and "error-summary" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf_token(client, url), "type": "wijkbijeenkomst",
                               "title": "Wijkbijeenkomst Colmschate", "held_on": "2019-05-20", "place": "Het Trefpunt",
                               group_field: "12"})
    assert r.status_code == 302
    meeting_url = r.headers["Location"]
    meeting_id = int(meeting_url.rsplit("/", 1)[1])
    db_session.expire_all()
    meeting = db_session.get(Meeting, meeting_id)
    assert meeting.attendance_total == 12 and meeting.facilitator_id == world.facilitator_id

    upload = f"{meeting_url}/verslag"
    # refused by content, not by name: an executable renamed to .docx, an encrypted zip-less "pdf"
    for data, name, message in ((b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "notes.docx", "geen tekst"),
                                (b"%PDF-1.4\n1 0 obj broken", "notes.pdf", "PDF"),
                                (b"PK\x03\x04rubbish", "notes.docx", "beschadigd")):
        r = client.post(upload, data={"csrf_token": csrf_token(client, meeting_url), "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
        assert r.status_code == 422 and message in r.get_data(as_text=True), name
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Document.id)).where(Document.meeting_id == meeting_id)) == 0

    notes = _docx_bytes()
    r = client.post(upload, data={"csrf_token": csrf_token(client, meeting_url), "title": "Verslag Colmschate",
                                  "file": (io.BytesIO(notes), "verslag.docx")},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    doc_url = r.headers["Location"]
    drain_jobs(app)  # cutting into segments and masking run as a background job
    db_session.expire_all()
    doc = db_session.scalar(select(Document).where(Document.meeting_id == meeting_id))
    assert doc.media_type.endswith("wordprocessingml.document") and "Kerkstraat 12" in doc.text
    segments = doc.segments
    assert len(segments) >= 2
    masked = " ".join(s.masked_text for s in segments)
    assert "De Vries" not in masked and "0570-123456" not in masked and "Kerkstraat 12" not in masked
    assert "[naam]" in masked and "[telefoonnummer]" in masked

    # the same file again is not stored twice
    r = client.post(upload, data={"csrf_token": csrf_token(client, meeting_url),
                                  "file": (io.BytesIO(notes), "verslag.docx")},
                    content_type="multipart/form-data")
    assert r.headers["Location"] == doc_url

    # the facilitator sees the original and marks table and stakeholder group, corrects masking
    html = client.get(doc_url).get_data(as_text=True)
    assert "0570-123456" in html
    group_id = db_session.get(Consultation, world.consultation_id).stakeholder_groups[2].id
    first = segments[0]
    data = {"csrf_token": csrf_token(client, doc_url), f"group-{first.id}": "Tafel 2",
            f"stakeholder-{first.id}": str(group_id), f"masked-{first.id}": "Meneer [naam] zegt iets over [adres]."}
    client.post(doc_url, data=data)
    db_session.expire_all()
    first = db_session.get(Segment, first.id)
    assert first.group_label == "Tafel 2" and first.stakeholder_group_id == group_id
    assert first.masked_text == "Meneer [naam] zegt iets over [adres]."

    # a policy writer only ever sees masked text
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, doc_url)})
    login(client, "beleid@test.nl")
    html = client.get(doc_url).get_data(as_text=True)
    assert "0570-123456" not in html and "De Vries" not in html
    assert client.post(doc_url, data={"csrf_token": csrf_token(client, doc_url)}).status_code == 403
    log = db_session.scalars(select(AuditLog).where(AuditLog.action == "update_segments")).one()
    assert "De Vries" not in str(log.details)
    assert {"create_meeting", "upload_notes", "update_segments"} <= set(audit_actions(db_session))


def test_pasted_notes_and_upload_size_limit(client, world, app, db_session):
    login(client, "gesprek@test.nl")
    meeting_url = f"{STAFF}/bijeenkomsten/{world.meeting_id}"
    r = client.post(f"{meeting_url}/verslag", data={"csrf_token": csrf_token(client, meeting_url),
                                                    "pasted": "Groep 3\nMail mij op jan@example.nl over de wachtlijst."})
    assert r.status_code == 302
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.post(f"{meeting_url}/verslag", data={"csrf_token": csrf_token(client, meeting_url),
                                                    "file": (io.BytesIO(b"x" * 4096), "groot.txt")},
                    content_type="multipart/form-data")
    assert r.status_code == 413 and "te groot" in r.get_data(as_text=True)


def test_review_accept_reject_add_and_filters(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{STAFF}/codering"
    html = client.get(url).get_data(as_text=True)
    assert "[naam]" in html and "Jansen" not in html             # masked for policy writers
    assert '<mark title="Mantelzorg">mantelzorg</mark>' in html      # evidence highlighted, with its code
    assert "2</strong> voorstellen nog te beoordelen" in html
    assert "Mantelzorg" in html and "zekerheid 80%" in html

    # filters: by code, by source, full-text search, neighbourhood (via the meeting)
    html = client.get(url, query_string={"code": world.code_ids["VERVOER"]}).get_data(as_text=True)
    assert "1 stuk gevonden" in html and "taxi" in html
    assert "0 stukken gevonden" in client.get(url, query_string={"bron": "answer"}).get_data(as_text=True)
    assert "1 stuk gevonden" in client.get(url, query_string={"q": "TAXI"}).get_data(as_text=True)
    # several words: each anywhere in the text, each marked
    html = client.get(url, query_string={"q": "laat taxi"}).get_data(as_text=True)
    assert "1 stuk gevonden" in html and re.search(r"<mark[^>]*>taxi</mark>", html) and "<mark>laat</mark>" in html
    assert "0 stukken gevonden" in client.get(url, query_string={"q": "Jansen"}).get_data(as_text=True)
    assert "0 stukken gevonden" in client.get(url, query_string={"kanaal": "online"}).get_data(as_text=True)

    token = csrf_token(client, url)
    first, second = world.assignment_ids
    r = client.post(f"{url}/toewijzing/{first}", data={"csrf_token": token, "decision": "accept",
                                                        "next": f"{url}?status=open"})
    # back to the list at the next segment to review
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{url}#segment-{world.segment_ids[1]}")
    client.post(f"{url}/toewijzing/{second}", data={"csrf_token": token, "decision": "reject"})
    client.post(f"{url}/stuk/{world.segment_ids[1]}/code", data={"csrf_token": token,
                                                                  "code_id": world.code_ids["REGELS"]})
    db_session.expire_all()
    a1, a2 = db_session.get(CodeAssignment, first), db_session.get(CodeAssignment, second)
    assert a1.status == AssignmentStatus.ACCEPTED and a1.decided_by_id == world.writer_id and a1.decided_at
    assert a2.status == AssignmentStatus.REJECTED and a2.decided_by_id == world.writer_id
    added = db_session.scalar(select(CodeAssignment).where(CodeAssignment.origin == Origin.PERSON))
    assert added.coder == f"user:{world.writer_id}" and added.status == AssignmentStatus.ACCEPTED
    assert added.code_id == world.code_ids["REGELS"]
    html = client.get(url, query_string={"status": "open"}).get_data(as_text=True)
    assert "0 stukken gevonden" in html
    assert {"accept_code", "reject_code", "add_code"} <= set(audit_actions(db_session))
    # a code from another codebook (or nonsense) is refused
    client.post(f"{url}/stuk/{world.segment_ids[1]}/code", data={"csrf_token": token, "code_id": "99999"})
    db_session.expire_all()
    assert db_session.scalar(select(func.count(CodeAssignment.id))) == 3


def test_codebook_rename_merge_split_make_new_versions(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{STAFF}/codeboek"
    token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token, "operation": "rename", "code": "VERVOER", "label": "Vervoer en taxi"})
    client.post(url, data={"csrf_token": token, "operation": "add", "key": "eenzaamheid", "label": "Eenzaamheid"})
    client.post(url, data={"csrf_token": token, "operation": "merge", "sources": ["REGELS"], "target": "VERVOER"})
    client.post(url, data={"csrf_token": token, "operation": "split", "code": "MANTELZORG",
                           "key1": "MANTELZORG_STEUN", "label1": "Steun voor mantelzorgers",
                           "key2": "RESPIJT", "label2": "Respijtzorg"})
    r = client.post(url, data={"csrf_token": token, "operation": "split", "code": "VERVOER",
                               "key1": "A", "label1": "", "key2": "B", "label2": "B"})
    assert "Vul voor beide" in client.get(r.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    c = db_session.get(Consultation, world.consultation_id)
    version = c.codebook_version
    assert version.number == 5
    keys = [code.key for code in version.codes]
    assert keys == ["MANTELZORG_STEUN", "RESPIJT", "VERVOER", "EENZAAMHEID"]
    assert {code.key: code.label for code in version.codes}["VERVOER"] == "Vervoer en taxi"
    # codings follow renamed and merged codes; the split code's stay on version 4 for review
    mantelzorg, vervoer = (db_session.get(CodeAssignment, i) for i in world.assignment_ids)
    assert vervoer.code.version.number == 5 and vervoer.code.key == "VERVOER"
    assert mantelzorg.code.version.number == 4
    html = client.get(f"{STAFF}/codering").get_data(as_text=True)
    assert "codeboek versie 4" in html
    assert audit_actions(db_session).count("codebook_split") == 1


def test_administrator_manages_membership(client, world, db_session):
    login(client, "ander@test.nl")
    assert client.get(STAFF).status_code == 404
    client.post("/uitloggen", data={"csrf_token": csrf_token(client, "/beheer/")})
    login(client, "admin@test.nl")
    token = csrf_token(client, f"{STAFF}/toegang")
    client.post(f"{STAFF}/toegang", data={"csrf_token": token, "user_id": str(world.outsider_id)})
    assert "Ander (beleidsmedewerker" in client.get(STAFF).get_data(as_text=True)
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "ander@test.nl")
    assert client.get(STAFF).status_code == 200
    # only administrators manage members
    assert client.post(f"{STAFF}/toegang/intrekken", data={"csrf_token": csrf_token(client, STAFF),
                                                          "user_id": str(world.outsider_id)}).status_code == 403
    assert "add_member" in audit_actions(db_session)
