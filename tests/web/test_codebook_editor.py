"""The codebook editor over HTTP, and the service behind it: codings follow a renamed or
edited code, merging moves them (collapsing duplicates, audited once with the counts),
a split leaves them for review, keywords/description/examples can be edited, and other
consultations sharing the codebook are left alone."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from analysis import codebook as edits
from consult.codebooks import apply_edit, code_usage, version_to_definition
from consult.models import (
    AssignmentStatus, AuditLog, Code, CodeAssignment, Consultation, Finding, Origin, Segment, User,
)
from tests.web.conftest import SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"
URL = f"{STAFF}/codeboek"
REVIEW = f"{STAFF}/codering"


def _found(client, code_id: int) -> int:
    html = client.get(REVIEW, query_string={"code": code_id, "status": "all"}).get_data(as_text=True)
    return int(re.search(r"(\d+) (?:stuk|stukken) gevonden", html).group(1))


def _used(client, label: str) -> int:
    html = client.get(URL).get_data(as_text=True)
    row = re.search(r"<td>" + re.escape(label) + r"</td>.*?</tr>", html, re.S).group(0)
    return int(re.search(r'>(\d+)<span class="visually-hidden"> stukken met', row).group(1))


def _current_codes(db_session, consultation_id) -> dict[str, Code]:
    db_session.expire_all()
    c = db_session.get(Consultation, consultation_id)
    return {code.key: code for code in c.codebook_version.codes}


def test_rename_keeps_the_codings(client, world, db_session):
    login(client, "beleid@test.nl")
    assert _found(client, world.code_ids["VERVOER"]) == 1 and _used(client, "Vervoer") == 1
    token = csrf_token(client, URL)
    r = client.post(URL, data={"csrf_token": token, "operation": "rename", "code": "VERVOER",
                               "label": "Vervoer en taxi"}, follow_redirects=True)
    assert "De coderingen zijn meegegaan met hun code." in r.get_data(as_text=True)
    codes = _current_codes(db_session, world.consultation_id)
    new = codes["VERVOER"]
    assert new.label == "Vervoer en taxi" and new.id != world.code_ids["VERVOER"]
    assert _found(client, new.id) == 1 and _used(client, "Vervoer en taxi") == 1
    a = db_session.get(CodeAssignment, world.assignment_ids[1])
    assert a.code_id == new.id and a.status == AssignmentStatus.SUGGESTED and a.coder == "model:1"
    # the review screen shows no "old version" badge any more
    assert "codeboek versie" not in client.get(REVIEW).get_data(as_text=True)
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "codebook_rename"))
    assert entry.details["codings_moved"] == 2 and entry.details["old"] == "Vervoer"


def test_edit_keywords_description_and_examples(client, world, db_session):
    login(client, "beleid@test.nl")
    url = f"{URL}/code/VERVOER"
    html = client.get(URL).get_data(as_text=True)
    assert f'href="{url}"' in html
    html = client.get(url).get_data(as_text=True)
    assert "vervoer\ntaxi</textarea>" in html
    token = csrf_token(client, url)
    r = client.post(url, data={"csrf_token": token, "label": "Vervoer", "description": "Over  reizen naar zorg.",
                               "keywords": "vervoer\n taxi \n\nregiotaxi\ntaxi", "examples": "De taxi kwam te laat."})
    assert r.status_code == 302
    codes = _current_codes(db_session, world.consultation_id)
    code = codes["VERVOER"]
    assert code.keywords == ["vervoer", "taxi", "regiotaxi"]
    assert code.description == "Over reizen naar zorg." and code.examples == ["De taxi kwam te laat."]
    assert code.version.number == 2 and _found(client, code.id) == 1
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "codebook_edit"))
    assert entry.details["fields"] == ["description", "keywords", "examples"]
    # an empty name is refused with a Dutch message, nothing stored
    r = client.post(url, data={"csrf_token": token, "label": " ", "keywords": "x"})
    assert r.status_code == 422 and "Vul een naam in." in r.get_data(as_text=True)
    assert _current_codes(db_session, world.consultation_id)["VERVOER"].version.number == 2
    # saving without a change makes no new version
    r = client.post(url, data={"csrf_token": token, "label": "Vervoer", "description": "Over reizen naar zorg.",
                               "keywords": "vervoer\ntaxi\nregiotaxi", "examples": "De taxi kwam te laat."},
                    follow_redirects=True)
    assert "Er is niets veranderd" in r.get_data(as_text=True)
    assert client.get(f"{URL}/code/ONBEKEND").status_code == 404
    # facilitators may look at the codebook but not change it
    client.post("/uitloggen", data={"csrf_token": token})
    login(client, "gesprek@test.nl")
    assert client.get(url).status_code == 403


def test_merge_moves_codings_and_collapses_duplicates(client, world, db_session):
    seg1, seg2 = world.segment_ids
    writer = db_session.get(User, world.writer_id)
    # segment 1: MANTELZORG suggested (rule); add REGELS accepted by a person and REGELS rejected (model)
    db_session.add_all([
        CodeAssignment(segment_id=seg1, code_id=world.code_ids["REGELS"], origin=Origin.PERSON,
                       coder=f"user:{writer.id}", status=AssignmentStatus.ACCEPTED, decided_by_id=writer.id),
        CodeAssignment(segment_id=seg2, code_id=world.code_ids["REGELS"], origin=Origin.MODEL, coder="model:1",
                       confidence=0.4, status=AssignmentStatus.REJECTED),
    ])
    c = db_session.get(Consultation, world.consultation_id)
    finding = Finding(consultation_id=c.id, title="Zorg en regels")
    finding.codes = [db_session.get(Code, world.code_ids["REGELS"]), db_session.get(Code, world.code_ids["MANTELZORG"])]
    db_session.add(finding)
    db_session.commit()
    login(client, "beleid@test.nl")
    token = csrf_token(client, URL)
    r = client.post(URL, data={"csrf_token": token, "operation": "merge", "sources": ["REGELS", "VERVOER"],
                               "target": "MANTELZORG"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert "meegegaan naar de code waarin ze opgaan" in html and "dubbele coderingen zijn samengevoegd" in html
    codes = _current_codes(db_session, world.consultation_id)
    assert list(codes) == ["MANTELZORG"]
    target = codes["MANTELZORG"]
    rows = db_session.scalars(select(CodeAssignment).order_by(CodeAssignment.segment_id)).all()
    by_segment = {}
    for a in rows:
        assert a.code_id == target.id
        by_segment.setdefault(a.segment_id, []).append(a)
    # segment 1: the person's acceptance wins over the rule's suggestion
    assert [(a.origin, a.status) for a in by_segment[seg1]] == [(Origin.PERSON, AssignmentStatus.ACCEPTED)]
    # segment 2: the suggestion (VERVOER) wins over the rejection (REGELS)
    assert [(a.coder, a.status) for a in by_segment[seg2]] == [("model:1", AssignmentStatus.SUGGESTED)]
    entry = db_session.scalars(select(AuditLog).where(AuditLog.action == "codebook_merge")).one()
    assert entry.details["codings_moved"] == 2 and entry.details["codings_collapsed"] == 2
    assert entry.details["sources"] == ["REGELS", "VERVOER"] and entry.details["target"] == "MANTELZORG"
    db_session.expire_all()
    assert [code.id for code in db_session.get(Finding, finding.id).codes] == [target.id]
    assert _found(client, target.id) == 2 and _used(client, "Mantelzorg") == 2


def test_split_leaves_codings_for_review_unless_the_key_stays(client, world, db_session):
    login(client, "beleid@test.nl")
    token = csrf_token(client, URL)
    r = client.post(URL, data={"csrf_token": token, "operation": "split", "code": "MANTELZORG",
                               "key1": "MANTELZORG_STEUN", "label1": "Steun", "key2": "RESPIJT", "label2": "Respijt"},
                    follow_redirects=True)
    assert "1 codering van de gesplitste code blijft bij versie 1" in r.get_data(as_text=True)
    a = db_session.get(CodeAssignment, world.assignment_ids[0])
    assert a.code.version.number == 1
    assert "codeboek versie 1" in client.get(REVIEW).get_data(as_text=True)
    r = client.post(URL, data={"csrf_token": token, "operation": "split", "code": "VERVOER",
                               "key1": "VERVOER", "label1": "Vervoer", "key2": "TAXI", "label2": "Taxi"})
    codes = _current_codes(db_session, world.consultation_id)
    assert db_session.get(CodeAssignment, world.assignment_ids[1]).code_id == codes["VERVOER"].id


def test_other_consultations_sharing_the_codebook_keep_their_codings(world, db_session):
    c = db_session.get(Consultation, world.consultation_id)
    other = Consultation(organisation_id=c.organisation_id, slug="ander", title="Ander", summary="",
                         description="", starts_on=date(2020, 1, 1), ends_on=date(2020, 2, 1),
                         codebook_version=c.codebook_version)
    db_session.add(other)
    db_session.flush()
    seg = Segment(consultation_id=other.id, document_id=db_session.get(Segment, world.segment_ids[0]).document_id,
                  position=9, text="Vervoer.", masked_text="Vervoer.")
    db_session.add(seg)
    db_session.flush()
    mine = CodeAssignment(segment_id=seg.id, code_id=world.code_ids["VERVOER"], origin=Origin.RULE, coder="rule:v1")
    db_session.add(mine)
    db_session.flush()
    v1 = c.codebook_version
    writer = db_session.get(User, world.writer_id)
    result = apply_edit(db_session, c, edits.rename_code(version_to_definition(v1), "VERVOER", "Reizen"), actor=writer)
    assert result.codings_moved == 2 and result.codings_left == 0
    assert mine.code_id == world.code_ids["VERVOER"] and other.codebook_version_id == v1.id
    assert code_usage(db_session, v1, other) == {world.code_ids["VERVOER"]: 1}
    assert code_usage(db_session, v1, c) == {}
    # the other consultation then makes the same edit: it moves to the version that already exists
    again = apply_edit(db_session, other, edits.rename_code(version_to_definition(v1), "VERVOER", "Reizen"),
                       actor=writer)
    assert again is not None and again.version.id == result.version.id == other.codebook_version_id
    assert again.codings_moved == 1
    assert db_session.get(Code, mine.code_id).label == "Reizen"
    # and an edit that changes nothing still stores nothing
    assert apply_edit(db_session, other, edits.rename_code(version_to_definition(again.version), "VERVOER",
                                                           "Reizen"), actor=writer) is None


def test_keywords_proposed_from_accepted_segments_are_added_in_one_click(app, client, world, db_session):
    """The editor starts the job that proposes keywords (no NLP in the request), shows what
    it found per code, and one click adds a keyword as a new codebook version."""
    from consult.models import Document, Job, JobStatus
    from tests.jobqueue import drain_jobs

    doc = db_session.scalar(select(Document))
    texts = [(f"De regiotaxi naar de dagbesteding kwam {n} keer te laat en de chauffeur wist de weg niet.", "VERVOER")
             for n in range(2, 8)]
    texts += [(f"Als mantelzorger ben ik {n} dagen per week bezig met de zorg voor mijn moeder.", "MANTELZORG")
              for n in range(2, 8)]
    for pos, (text, key) in enumerate(texts, start=10):
        seg = Segment(consultation_id=world.consultation_id, document_id=doc.id, position=pos, start_char=0,
                      end_char=len(text), text=text, masked_text=text)
        db_session.add(seg)
        db_session.flush()
        db_session.add(CodeAssignment(segment_id=seg.id, code_id=world.code_ids[key], origin=Origin.PERSON,
                                      coder=f"user:{world.writer_id}", status=AssignmentStatus.ACCEPTED,
                                      decided_by_id=world.writer_id))
    db_session.commit()

    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    assert "Trefwoorden uit beoordeelde stukken" in html and "Voorgestelde trefwoorden per code" not in html
    token = csrf_token(client, URL)
    assert client.post(f"{URL}/trefwoorden-zoeken").status_code == 400          # no CSRF token
    r = client.post(f"{URL}/trefwoorden-zoeken", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{URL}#trefwoordvoorstellen")
    job = db_session.scalar(select(Job).where(Job.kind == "suggest_keywords"))
    assert job is not None and job.requested_by_id == world.writer_id
    drain_jobs(app)
    db_session.expire_all()
    job = db_session.get(Job, job.id)
    assert job.status == JobStatus.FINISHED, job.error
    assert job.result["segments"] == 12 and job.result["accepted_segments"] == 12
    html = client.get(URL).get_data(as_text=True)
    table = re.search(r'<table class="keyword-proposals">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr><td>([^<]+)</td>\s*<td>([^<]+)", table)
    assert ("Vervoer", "regiotaxi") in rows and ("Mantelzorg", "moeder") in rows
    # current keywords are not proposed again
    assert ("Mantelzorg", "mantelzorger") not in rows
    assert "in 12 beoordeelde stukken (12 met een geaccepteerde code)" in " ".join(html.split())

    r = client.post(URL, data={"csrf_token": token, "operation": "add_keyword", "code": "VERVOER",
                               "keyword": "regiotaxi"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{URL}#trefwoordvoorstellen")
    html = client.get(URL).get_data(as_text=True)
    assert "Trefwoord ‘regiotaxi’ is toegevoegd. Codeboek versie 2 is gemaakt en wordt nu gebruikt." in html
    codes = _current_codes(db_session, world.consultation_id)
    assert codes["VERVOER"].keywords == ["vervoer", "taxi", "regiotaxi"]
    assert codes["VERVOER"].version.note == "Trefwoord ‘regiotaxi’ toegevoegd aan Vervoer"
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "codebook_edit"))
    assert entry.details["keyword"] == "regiotaxi" and entry.details["fields"] == ["keywords"]
    rows = re.findall(r"<tr><td>([^<]+)</td>\s*<td>([^<]+)",
                      re.search(r'<table class="keyword-proposals">.*?</table>', html, re.S).group(0))
    assert ("Vervoer", "regiotaxi") not in rows and ("Mantelzorg", "moeder") in rows
    # the codings went along to version 2
    a = db_session.get(CodeAssignment, world.assignment_ids[1])
    assert a.code_id == codes["VERVOER"].id

    # bad input: a Dutch error, nothing stored
    r = client.post(URL, data={"csrf_token": token, "operation": "add_keyword", "code": "VERVOER", "keyword": " "},
                    follow_redirects=True)
    assert "Kies een trefwoord van hoogstens 80 tekens." in r.get_data(as_text=True)
    r = client.post(URL, data={"csrf_token": token, "operation": "add_keyword", "code": "GEEN", "keyword": "bus"},
                    follow_redirects=True)
    assert "Kies een bestaande code." in r.get_data(as_text=True)
    assert _current_codes(db_session, world.consultation_id)["VERVOER"].version.number == 2


def test_only_editors_see_and_start_keyword_proposals(app, client, world):
    login(client, "gesprek@test.nl")                       # a facilitator reads the codebook
    html = client.get(URL).get_data(as_text=True)
    assert "Trefwoorden uit beoordeelde stukken" not in html
    token = csrf_token(client, URL)
    assert client.post(f"{URL}/trefwoorden-zoeken", data={"csrf_token": token}).status_code == 403
    assert client.post(URL, data={"csrf_token": token, "operation": "add_keyword", "code": "VERVOER",
                                  "keyword": "bus"}).status_code == 403
