"""The review screen over HTTP: default filter, progress counts that add up, the next
segment after a decision, the "waarom" line in plain Dutch, the text around a segment,
accepting several suggestions at once and undoing the last decision; plus the service
functions behind them (consult.review, consult.coding)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from consult import coding, review
from consult.models import (
    Answer, AssignmentStatus, AuditLog, Code, CodeAssignment, Consultation, Origin, Question, Response,
    ResponseStatus, Segment, User,
)
from tests.web.conftest import SLUG, csrf_token, login

STAFF = f"/beheer/c/{SLUG}"
URL = f"{STAFF}/codering"

RULE_EVIDENCE = {"explanation": "x", "sources": ["rule"], "items": [
    {"kind": "keyword", "rule_id": "TEAM:kw:team", "keyword": "team", "matched_text": "team",
     "start_char": 4, "end_char": 8, "match": "whole", "negated": False},
    {"kind": "keyword", "rule_id": "TEAM:kw:spreken", "keyword": "spreken", "matched_text": "spreken",
     "start_char": 12, "end_char": 19, "match": "whole", "negated": False}]}
MODEL_EVIDENCE = {"explanation": "x", "sources": ["model", "codebook"], "items": [
    {"kind": "feature", "rule_id": "profile:TEAM", "keyword": "similarity to the codebook text", "weight": 0.4},
    {"kind": "feature", "rule_id": "lemma:spreek~", "keyword": "spreek~", "weight": 0.3},
    {"kind": "feature", "rule_id": "lemma:team in", "keyword": "team in", "weight": 0.2},
    {"kind": "feature", "rule_id": "lemma:team", "keyword": "team", "weight": 0.1}]}


def _assignment(origin, evidence, confidence=None):
    return CodeAssignment(origin=origin, coder="x", confidence=confidence, evidence=evidence)


def test_explain_covers_every_evidence_shape():
    rule = review.explain(_assignment(Origin.RULE, RULE_EVIDENCE, 1.0))
    assert rule == "Herkend aan de woorden ‘team’ en ‘spreken’ (regel)."
    a = _assignment(Origin.MODEL, MODEL_EVIDENCE, 0.724)
    a.segment = Segment(text="Het team spreekt af.", masked_text="Het team spreekt af.")
    model = review.explain(a)
    assert model.startswith("Voorgesteld door het lerende model (zekerheid 72%).")
    assert "de woorden ‘team’ en ‘spreekt’" in model and "de woordcombinatie ‘team in’" in model
    assert "omschrijving van de code" in model
    assert "~" not in model and "lemma" not in model and "beginnen met" not in model
    # without the text a word start is not shown as a cut-off stem
    assert "spreek" not in review.explain(_assignment(Origin.MODEL, MODEL_EVIDENCE, 0.724))
    # a coder's guess is never 100% sure; negation words are not named
    sure = _assignment(Origin.MODEL, {"items": [{"kind": "feature", "rule_id": "lemma:niet", "weight": 0.5}]}, 0.9996)
    assert review.certainty(sure) == 99 and "zekerheid 99%" in review.explain(sure) and "niet" not in review.explain(sure)
    assert review.certainty(_assignment(Origin.RULE, None, 0.9999)) == 99
    # a model suggestion backed by the rules names the words too
    both = review.explain(_assignment(Origin.MODEL, {"items": RULE_EVIDENCE["items"] + MODEL_EVIDENCE["items"][:1]}, 0.9))
    assert "Herkend aan de woorden ‘team’ en ‘spreken’." in both and "zekerheid 90%" in both
    family = review.explain(_assignment(Origin.RULE, {"items": [
        {"kind": "keyword", "keyword": "financiering", "matched_text": "trajectfinanciering", "match": "compound",
         "negated": True}]}, 0.5))
    assert family == ("Herkend aan het woord ‘trajectfinanciering’ (lijkt op ‘financiering’) (regel). "
                      "Let op: er staat een ontkenning bij ‘trajectfinanciering’.")
    assert review.explain(_assignment(Origin.RULE, None)) == "Voorgesteld door de regels van het codeboek."
    assert review.explain(_assignment(Origin.MODEL, {"explanation": "only text"})) == "Voorgesteld door het lerende model."
    assert review.explain(_assignment(Origin.MODEL, ["odd"], 0.5)) == "Voorgesteld door het lerende model (zekerheid 50%)."
    assert review.explain(_assignment(Origin.PERSON, None)) == "Toegevoegd door een persoon."
    demo = review.explain(_assignment(Origin.PERSON, {"note": "thema uit de demo"}))
    assert demo == "Toegevoegd door een persoon. Opmerking: thema uit de demo."


def test_words_that_word_order_split_are_marked_one_by_one():
    text = "De teams werken in de wijk goed samen."
    split = {"items": [{"kind": "keyword", "rule_id": "S:kw:samenwerken", "keyword": "samenwerken",
                        "matched_text": "werken … samen", "start_char": 9, "end_char": 37,
                        "parts": [[9, 15], [32, 37]], "match": "whole", "negated": False}]}
    a = _assignment(Origin.RULE, split, 0.9)
    assert str(review.highlight(text, a, original=True)) == \
        "De teams <mark>werken</mark> in de wijk goed <mark>samen</mark>."
    # on the masked text the words are found by what they say
    assert str(review.highlight(text, a, original=False)) == \
        "De teams <mark>werken</mark> in de wijk goed <mark>samen</mark>."
    assert review.explain(a) == "Herkend aan de woorden ‘werken … samen’ (regel)."


def test_every_proposal_is_marked_as_whole_words_with_its_code():
    text = "Er is geen buurthuis meer in onze buurt. Het wijkteam helpt."
    wijk = Code(key="WIJK", label="Wijk")
    team = Code(key="TEAM", label="Sociaal team")
    a1 = CodeAssignment(origin=Origin.RULE, coder="x", confidence=0.9, code=wijk, evidence={"items": [
        {"kind": "keyword", "keyword": "buurt", "matched_text": "buurt", "match": "whole"}]})
    a2 = CodeAssignment(origin=Origin.RULE, coder="x", confidence=0.8, code=team, evidence={"items": [
        {"kind": "keyword", "keyword": "wijkteam", "matched_text": "wijkteam", "match": "whole"}]})
    html = str(review.highlight(text, [a1, a2], original=False, query="buurthuis"))
    # the second proposal is marked too; "buurt" is not marked inside "buurthuis", which the
    # search marks whole
    assert html == ('Er is geen <mark>buurthuis</mark> meer in onze <mark title="Wijk">buurt</mark>. '
                    'Het <mark title="Sociaal team">wijkteam</mark> helpt.')
    # overlapping marks are merged and name both codes
    a3 = CodeAssignment(origin=Origin.RULE, coder="x", confidence=0.7, code=team, evidence={"items": [
        {"kind": "keyword", "keyword": "buurt", "matched_text": "onze buurt", "match": "whole"}]})
    assert '<mark title="Sociaal team, Wijk">onze buurt</mark>' in str(review.highlight(text, [a1, a3], original=False))


def _add_answer(s, world, text: str, parts: list[str]) -> list[int]:
    c = s.get(Consultation, world.consultation_id)
    question = s.scalar(select(Question).where(Question.key == "beter"))
    r = Response(survey_id=world.survey_id, status=ResponseStatus.SUBMITTED)
    s.add(r)
    s.flush()
    answer = Answer(response_id=r.id, question_id=question.id, text=text)
    s.add(answer)
    s.flush()
    ids = []
    for pos, part in enumerate(parts):
        start = text.index(part)
        seg = Segment(consultation_id=c.id, answer_id=answer.id, position=pos, start_char=start,
                      end_char=start + len(part), text=part, masked_text=part.replace("Pietersen", "[naam]"))
        s.add(seg)
        s.flush()
        ids.append(seg.id)
    s.commit()
    return ids


def test_default_filter_progress_and_next_segment(client, world, db_session):
    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    assert "2 stukken gevonden (nog te beoordelen)" in html
    assert re.search(r'<select id="f-status" name="status">\s*<option value="open" selected>', html)
    # progress: segments split in three, codes by status
    assert "<strong>2</strong> stukken tekst" in html
    assert "<strong>2</strong> nog te beoordelen" in html and "<strong>0</strong> beoordeeld" in html
    assert "<strong>2</strong> voorstellen nog te beoordelen" in html
    assert "Waarom: Herkend aan het woord ‘mantelzorg’ (regel)." in html
    assert 'id="segment-%d" data-segment="%d" tabindex="-1"' % (world.segment_ids[0], world.segment_ids[0]) in html

    token = csrf_token(client, URL)
    first, second = world.assignment_ids
    r = client.post(f"{URL}/toewijzing/{first}", data={"csrf_token": token, "decision": "accept", "next": URL})
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"{URL}#segment-{world.segment_ids[1]}")
    html = client.get(URL).get_data(as_text=True)
    assert "1 stuk gevonden (nog te beoordelen)" in html
    assert "<strong>1</strong> nog te beoordelen" in html and "<strong>1</strong> beoordeeld" in html
    assert "<strong>1</strong> geaccepteerd" in html
    # the filter is kept, and with nothing left to review the page lands on the result line
    r = client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "reject",
                                                         "next": f"{URL}?kanaal=meeting&status=open"})
    assert r.headers["Location"].endswith(f"{URL}?kanaal=meeting#resultaat")
    html = client.get(URL, query_string={"status": "all"}).get_data(as_text=True)
    assert "2 stukken gevonden (alle stukken)" in html
    p = review.progress(db_session, db_session.get(Consultation, world.consultation_id))
    assert (p.total, p.open, p.reviewed, p.without, p.accepted, p.rejected, p.suggested) == (2, 0, 2, 0, 1, 1, 0)
    assert p.total == p.open + p.reviewed + p.without
    # a decision records who and when, and is audited with the previous state
    db_session.expire_all()
    a = db_session.get(CodeAssignment, first)
    assert a.decided_by_id == world.writer_id and a.decided_at is not None
    entry = db_session.scalar(select(AuditLog).where(AuditLog.action == "accept_code"))
    assert entry.details["previous"]["status"] == "suggested" and entry.details["consultation"] == world.consultation_id


def test_a_segment_without_proposal_says_why_when_it_is_not_dutch_prose(client, world, db_session):
    parts = ["La commune doit améliorer les soins à domicile pour les personnes âgées.",
             "Tabel 3: Aantal cliënten per wijk", "Het is hier gewoon fijn wonen."]
    ids = _add_answer(db_session, world, " ".join(parts), parts)
    login(client, "beleid@test.nl")
    html = client.get(URL, query_string={"status": "none", "bron": "answer"}).get_data(as_text=True)
    items = {i: html[html.index(f'id="segment-{i}"'):] for i in ids}
    items = {i: h[:h.index("</li>")] if "</li>" in h else h for i, h in items.items()}
    assert "Geen voorstel: deze tekst lijkt niet in het Nederlands. U kunt zelf een code kiezen." in items[ids[0]]
    assert "Geen voorstel: dit lijkt een kop, inhoudsopgave, tabel of bronvermelding." in items[ids[1]]
    assert "Geen voorstel:" not in items[ids[2]]      # Dutch prose that no keyword matched
    assert 'class="add-code"' in items[ids[0]]        # a person can still code it


def test_next_segment_on_a_later_page(client, world, db_session, app):
    c = db_session.get(Consultation, world.consultation_id)
    doc_seg = db_session.get(Segment, world.segment_ids[0])
    code_id = world.code_ids["REGELS"]
    for i in range(review.PAGE_SIZE + 2):
        seg = Segment(consultation_id=c.id, document_id=doc_seg.document_id, position=10 + i, text=f"Regels {i}.",
                      masked_text=f"Regels {i}.")
        db_session.add(seg)
        db_session.flush()
        db_session.add(CodeAssignment(segment_id=seg.id, code_id=code_id, origin=Origin.RULE, coder="rule:v1",
                                      confidence=0.5))
    db_session.commit()
    ids = sorted(db_session.scalars(select(Segment.id).where(Segment.consultation_id == c.id)))
    login(client, "beleid@test.nl")
    token = csrf_token(client, URL)
    # accept the last one on page 1: the next one to review moves up onto page 1
    last_on_page = db_session.scalar(select(CodeAssignment.id).where(CodeAssignment.segment_id == ids[review.PAGE_SIZE - 1]))
    r = client.post(f"{URL}/toewijzing/{last_on_page}", data={"csrf_token": token, "decision": "accept", "next": URL})
    assert r.headers["Location"].endswith(f"{URL}#segment-{ids[review.PAGE_SIZE]}")
    # seen with all segments, the next one is on page 2
    all_url = f"{URL}?status=all"
    r = client.post(f"{URL}/toewijzing/{last_on_page}", data={"csrf_token": token, "decision": "accept",
                                                              "next": all_url})
    assert r.headers["Location"].endswith(f"{URL}?status=all&pagina=2#segment-{ids[review.PAGE_SIZE]}")
    assert f'id="segment-{ids[review.PAGE_SIZE]}"' in client.get(r.headers["Location"]).get_data(as_text=True)


def test_context_of_answers_and_notes(client, world, db_session):
    text = "Ik ben mantelzorger. Mevrouw Pietersen helpt mij. Het vervoer is slecht."
    parts = ["Ik ben mantelzorger.", "Mevrouw Pietersen helpt mij.", "Het vervoer is slecht."]
    ids = _add_answer(db_session, world, text, parts)
    login(client, "beleid@test.nl")
    html = client.get(URL, query_string={"status": "all", "bron": "answer"}).get_data(as_text=True)
    assert "Tekst eromheen" in html and "Vraag: Wat kan er beter?" in html
    # the segment itself is marked inside the whole (masked) answer
    assert ("Ik ben mantelzorger. <mark>Mevrouw [naam] helpt mij.</mark> Het vervoer is slecht.") in html
    assert "Pietersen" not in html
    # notes: the previous and next segment of the same document
    html = client.get(URL).get_data(as_text=True)
    assert ("<mark>Mevrouw [naam] vertelt dat mantelzorg zwaar is.</mark> Het vervoer met de taxi komt vaak te laat."
            in html)
    contexts = review.segment_contexts(db_session, list(db_session.scalars(select(Segment).where(Segment.id.in_(ids)))))
    assert set(contexts) == set(ids)
    # a long answer shows its neighbours only
    long_parts = [f"Zin nummer {i} over de Wmo." for i in range(8)]
    long_ids = _add_answer(db_session, world, " ".join(long_parts), long_parts)
    ctx = review.segment_contexts(db_session, [db_session.get(Segment, long_ids[4])])[long_ids[4]]
    assert "Zin nummer 3" in ctx.html and "<mark>Zin nummer 4" in ctx.html and "Zin nummer 5" in ctx.html
    assert "Zin nummer 2" not in ctx.html and "Zin nummer 6" not in ctx.html


def test_bulk_accept_and_undo(client, world, db_session):
    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    assert "Geselecteerde voorstellen accepteren" in html and "Laatste beslissing ongedaan maken" not in html
    token = csrf_token(client, URL)
    first, second = world.assignment_ids
    r = client.post(f"{URL}/accepteren", data={"csrf_token": token, "assignment": [str(first), str(second)],
                                               "next": URL})
    assert r.status_code == 303 and r.headers["Location"].endswith("#resultaat")
    db_session.expire_all()
    assert {db_session.get(CodeAssignment, i).status for i in (first, second)} == {AssignmentStatus.ACCEPTED}
    html = client.get(URL, query_string={"status": "all"}).get_data(as_text=True)
    assert "2 voorstellen geaccepteerd." in html
    assert "Uw laatste beslissing: 2 voorstellen geaccepteerd." in html
    # nothing chosen: a clear message, nothing changes
    r = client.post(f"{URL}/accepteren", data={"csrf_token": token, "next": URL}, follow_redirects=True)
    assert "Kies eerst een of meer voorstellen" in r.get_data(as_text=True)
    # chosen again, from a page opened before: already decided, said so, nothing changes
    r = client.post(f"{URL}/accepteren", data={"csrf_token": token, "assignment": [str(first)], "next": URL},
                    follow_redirects=True)
    assert "Deze voorstellen zijn al beoordeeld. Er is niets veranderd." in r.get_data(as_text=True)
    assert "Kies eerst" not in r.get_data(as_text=True)

    # one undo takes back the whole bulk step
    r = client.post(f"{URL}/ongedaan", data={"csrf_token": token, "next": URL})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"#segment-{world.segment_ids[0]}")
    db_session.expire_all()
    for i in (first, second):
        a = db_session.get(CodeAssignment, i)
        assert a.status == AssignmentStatus.SUGGESTED and a.decided_by_id is None and a.decided_at is None
    undo_entries = db_session.scalars(select(AuditLog).where(AuditLog.action == "undo_decision")).all()
    assert len(undo_entries) == 2 and all(e.user_id == world.writer_id for e in undo_entries)

    # reject, then add a code, then undo twice: the added code goes, the rejection is taken back
    client.post(f"{URL}/toewijzing/{first}", data={"csrf_token": token, "decision": "reject", "next": URL})
    client.post(f"{URL}/stuk/{world.segment_ids[0]}/code", data={"csrf_token": token, "next": URL,
                                                                  "code_id": world.code_ids["REGELS"]})
    html = client.get(URL, query_string={"status": "all"}).get_data(as_text=True)
    assert "Uw laatste beslissing: ‘Regels en formulieren’ toegevoegd." in html
    client.post(f"{URL}/ongedaan", data={"csrf_token": token, "next": URL})
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(CodeAssignment).where(
        CodeAssignment.origin == Origin.PERSON)) == 0
    client.post(f"{URL}/ongedaan", data={"csrf_token": token, "next": URL})
    db_session.expire_all()
    assert db_session.get(CodeAssignment, first).status == AssignmentStatus.SUGGESTED
    # nothing left to undo
    r = client.post(f"{URL}/ongedaan", data={"csrf_token": token, "next": URL}, follow_redirects=True)
    assert "Er is geen beslissing van u om ongedaan te maken." in r.get_data(as_text=True)


def _replace(db_session, assignment_id: int, *, again: bool) -> int | None:
    """What a coding run after learning does to a suggestion: drop it and, with ``again``,
    suggest the same code on the same segment under a new row."""
    old = db_session.get(CodeAssignment, assignment_id)
    segment_id, code_id = old.segment_id, old.code_id
    db_session.delete(old)
    db_session.flush()
    new_id = None
    if again:
        new = CodeAssignment(segment_id=segment_id, code_id=code_id, origin=Origin.MODEL, coder="model:2",
                             confidence=0.8, status=AssignmentStatus.SUGGESTED)
        db_session.add(new)
        db_session.flush()
        new_id = new.id
    db_session.commit()
    return new_id


def test_a_choice_made_on_a_page_opened_before_the_coder_learned_is_kept(client, world, db_session):
    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    first, second = world.assignment_ids
    token = csrf_token(client, URL)
    form = html[html.index(f"/codering/toewijzing/{first}"):]
    seg_id = int(re.search(r'name="stuk" value="(\d+)"', form).group(1))
    code_id = int(re.search(r'name="code" value="(\d+)"', form).group(1))
    # the same code is suggested again under a new id: the decision goes to it
    new_id = _replace(db_session, first, again=True)
    r = client.post(f"{URL}/toewijzing/{first}", data={"csrf_token": token, "decision": "accept", "next": URL,
                                                       "stuk": seg_id, "code": code_id})
    assert r.status_code == 303
    db_session.expire_all()
    assert db_session.get(CodeAssignment, new_id).status == AssignmentStatus.ACCEPTED
    # the code is no longer suggested: accepting adds it as the person's own code, rejecting changes nothing
    other = db_session.get(CodeAssignment, second)
    seg2, code2 = other.segment_id, other.code_id
    _replace(db_session, second, again=False)
    r = client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "reject", "next": URL,
                                                        "stuk": seg2, "code": code2}, follow_redirects=True)
    assert r.status_code == 200 and "stelt deze code hier intussen niet meer voor. Er is niets veranderd." in r.get_data(as_text=True)
    assert db_session.scalar(select(func.count(CodeAssignment.id)).where(CodeAssignment.segment_id == seg2,
                                                                         CodeAssignment.code_id == code2)) == 0
    r = client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "accept", "next": URL,
                                                        "stuk": seg2, "code": code2}, follow_redirects=True)
    assert "Uw keuze is opgeslagen als een code die u zelf toevoegt." in r.get_data(as_text=True)
    mine = db_session.scalar(select(CodeAssignment).where(CodeAssignment.segment_id == seg2, CodeAssignment.code_id == code2))
    assert mine.origin == Origin.PERSON and mine.status == AssignmentStatus.ACCEPTED and mine.decided_by_id == world.writer_id
    # without the segment and code (an old form), an unknown id is still not found
    r = client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "accept", "next": URL})
    assert r.status_code == 404


def test_bulk_accept_with_choices_made_before_the_coder_learned(client, world, db_session):
    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    first, second = world.assignment_ids
    values = re.findall(r'name="assignment" value="([\d:]+)"', html)
    assert len(values) == 2 and all(v.count(":") == 2 for v in values)
    token = csrf_token(client, URL)
    new_id = _replace(db_session, first, again=True)
    _replace(db_session, second, again=False)
    r = client.post(f"{URL}/accepteren", data={"csrf_token": token, "assignment": values, "next": URL},
                    follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "1 voorstel geaccepteerd. 1 voorstel was er intussen niet meer" in page
    db_session.expire_all()
    assert db_session.get(CodeAssignment, new_id).status == AssignmentStatus.ACCEPTED
    # all of them gone: a clear message, not "choose first"
    r = client.post(f"{URL}/accepteren", data={"csrf_token": token, "assignment": [values[1]], "next": URL},
                    follow_redirects=True)
    assert "Deze voorstellen zijn er intussen niet meer" in r.get_data(as_text=True)


def test_undo_refuses_when_someone_changed_the_code_since(world, db_session):
    c = db_session.get(Consultation, world.consultation_id)
    writer, admin = db_session.get(User, world.writer_id), db_session.get(User, world.admin_id)
    a = db_session.get(CodeAssignment, world.assignment_ids[0])
    coding.decide(db_session, a, "accept", writer)
    coding.decide(db_session, a, "reject", admin)
    db_session.commit()
    try:
        coding.undo_last_decision(db_session, c, writer)
    except coding.ReviewError as exc:
        assert "daarna nog veranderd" in str(exc)
    else:
        raise AssertionError("undo should refuse")
    db_session.rollback()
    # the administrator's own undo restores the writer's acceptance, with its decider and time
    accepted_at = db_session.scalars(select(AuditLog).where(AuditLog.action == "reject_code")).one() \
        .details["previous"]["decided_at"]
    coding.undo_last_decision(db_session, c, admin)
    db_session.commit()
    db_session.expire_all()
    a = db_session.get(CodeAssignment, world.assignment_ids[0])
    assert a.status == AssignmentStatus.ACCEPTED and a.decided_by_id == world.writer_id
    assert a.decided_at.isoformat() == accepted_at
    # the administrator has nothing left to undo; the writer's acceptance is undoable again
    assert coding.last_decision(db_session, c, admin) == ""
    assert coding.last_decision(db_session, c, writer) == "‘Mantelzorg’ geaccepteerd"


def test_a_code_already_there_is_not_added_twice_and_a_proposed_one_is_accepted(client, world, db_session):
    login(client, "beleid@test.nl")
    token = csrf_token(client, URL)
    first, second = world.assignment_ids
    seg1, seg2 = world.segment_ids
    # MANTELZORG is proposed on segment 1: "add" accepts that proposal, no second assignment
    r = client.post(f"{URL}/stuk/{seg1}/code", data={"csrf_token": token, "code_id": world.code_ids["MANTELZORG"]})
    assert r.status_code == 303
    db_session.expire_all()
    rows = db_session.scalars(select(CodeAssignment).where(CodeAssignment.segment_id == seg1,
                                                           CodeAssignment.code_id == world.code_ids["MANTELZORG"])).all()
    assert [(a.id, a.status) for a in rows] == [(first, AssignmentStatus.ACCEPTED)]
    # adding it again: said, nothing changes
    r = client.post(f"{URL}/stuk/{seg1}/code", data={"csrf_token": token, "code_id": world.code_ids["MANTELZORG"]},
                    follow_redirects=True)
    assert "De code ‘Mantelzorg’ staat al bij dit stuk. Er is niets veranderd." in r.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(CodeAssignment).where(
        CodeAssignment.segment_id == seg1, CodeAssignment.code_id == world.code_ids["MANTELZORG"])) == 1


def test_after_a_decision_the_screen_stays_on_a_segment_with_codes_left_to_decide(client, world, db_session):
    seg1, seg2 = world.segment_ids
    extra = CodeAssignment(segment_id=seg1, code_id=world.code_ids["VERVOER"], origin=Origin.RULE, coder="rule:v1",
                           confidence=0.6, evidence={"items": []})
    db_session.add(extra)
    db_session.commit()
    login(client, "beleid@test.nl")
    token = csrf_token(client, URL)
    first, _ = world.assignment_ids
    r = client.post(f"{URL}/toewijzing/{first}", data={"csrf_token": token, "decision": "accept"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"#segment-{seg1}")   # VERVOER is still open
    r = client.post(f"{URL}/toewijzing/{extra.id}", data={"csrf_token": token, "decision": "reject"})
    assert r.headers["Location"].endswith(f"#segment-{seg2}")                            # now on to the next


def test_bulk_accept_ignores_other_consultations_and_decided_rows(world, db_session):
    c = db_session.get(Consultation, world.consultation_id)
    writer = db_session.get(User, world.writer_id)
    first, second = world.assignment_ids
    coding.decide(db_session, db_session.get(CodeAssignment, second), "reject", writer)
    accepted = coding.accept_many(db_session, c, [first, second, 999999], writer)
    assert [a.id for a in accepted] == [first]
    assert db_session.get(CodeAssignment, second).status == AssignmentStatus.REJECTED


# -- one-key candidates, the learner's order, learning from reviews (issue 18) -----------

def _rank(db_session, world, margins, candidates=None):
    """Give the world's segments what a learning coder's run stores."""
    for seg_id, margin in zip(world.segment_ids, margins):
        seg = db_session.get(Segment, seg_id)
        seg.review_margin = margin
    if candidates is not None:
        db_session.get(Segment, world.segment_ids[0]).candidates = candidates
    db_session.commit()


def _order(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="segment" id="segment-(\d+)"', html)]


def test_candidates_are_one_click_choices_with_provenance(client, world, db_session):
    seg1, seg2 = world.segment_ids
    _rank(db_session, world, [None, None], {"coder": "model:1", "codes": [
        {"code": "VERVOER", "score": 0.41}, {"code": "MANTELZORG", "score": 0.3}, {"code": "REGELS", "score": 0.12}]})
    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    block = re.search(r'<form method="post" action="[^"]+/stuk/%d/code" class="candidates">.*?</form>' % seg1,
                      html, re.S).group(0)
    # MANTELZORG is on the segment already: not offered again; the others renumbered 1 and 2
    assert "Mantelzorg" not in block
    assert re.search(r'data-key="candidate-1" aria-keyshortcuts="1">\s*<kbd>1</kbd> Vervoer toevoegen '
                     r'<span class="candidate-hint">\(zekerheid 41%\)</span>', block)
    assert 'data-key="candidate-2"' in block and "Regels en formulieren toevoegen" in block
    assert 'name="bron" value="kandidaat"' in block and 'name="csrf_token"' in block
    assert "<kbd>1</kbd>/<kbd>2</kbd>/<kbd>3</kbd>" in html
    token = csrf_token(client, URL)
    assert client.post(f"{URL}/stuk/{seg1}/code", data={"code_id": world.code_ids["VERVOER"],
                                                         "bron": "kandidaat"}).status_code == 400  # no CSRF token
    r = client.post(f"{URL}/stuk/{seg1}/code", data={"csrf_token": token, "code_id": world.code_ids["VERVOER"],
                                                      "bron": "kandidaat", "next": URL})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"#segment-{seg1}")
    a = db_session.scalar(select(CodeAssignment).where(CodeAssignment.segment_id == seg1,
                                                        CodeAssignment.code_id == world.code_ids["VERVOER"]))
    assert (a.origin, a.status, a.coder) == (Origin.PERSON, AssignmentStatus.ACCEPTED, f"user:{world.writer_id}")
    assert a.evidence == {"candidate": {"coder": "model:1", "score": 0.41, "rank": 1}}
    html = client.get(URL).get_data(as_text=True)
    assert ("Waarom: Toegevoegd door Beleid. Gekozen uit de codes die het lerende model net niet voorstelde, "
            "zekerheid 41%.") in html
    block = re.search(r'/stuk/%d/code" class="candidates">.*?</form>' % seg1, html, re.S).group(0)
    assert "Vervoer" not in block and 'data-key="candidate-1"' in block   # Regels moved up to 1
    # the one-key choice can be undone like any other decision
    assert "Uw laatste beslissing: ‘Vervoer’ toegevoegd." in html


def test_the_learners_candidates_are_listed_by_its_probability(client, world, db_session):
    """The learner's candidates were chosen by resemblance and themes; shown with its
    probability, they are listed by it, so a lower "zekerheid" never stands above a higher."""
    seg1, _ = world.segment_ids
    _rank(db_session, world, [None, None], {"coder": "model:1", "codes": [
        {"code": "REGELS", "score": 0.12}, {"code": "VERVOER", "score": 0.41}]})
    login(client, "beleid@test.nl")
    html = client.get(URL).get_data(as_text=True)
    block = re.search(r'/stuk/%d/code" class="candidates">.*?</form>' % seg1, html, re.S).group(0)
    assert re.search(r'<kbd>1</kbd> Vervoer toevoegen <span class="candidate-hint">\(zekerheid 41%\)</span>.*'
                     r'<kbd>2</kbd> Regels en formulieren toevoegen <span class="candidate-hint">\(zekerheid 12%\)',
                     block, re.S)
    # the rules' candidates (resemblance, not shown as a number) keep the coder's order
    _rank(db_session, world, [None, None], {"coder": "rule:v1", "codes": [
        {"code": "REGELS", "score": 0.12}, {"code": "VERVOER", "score": 0.41}]})
    html = client.get(URL).get_data(as_text=True)
    block = re.search(r'/stuk/%d/code" class="candidates">.*?</form>' % seg1, html, re.S).group(0)
    assert re.search(r'<kbd>1</kbd> Regels en formulieren toevoegen.*<kbd>2</kbd> Vervoer toevoegen', block, re.S)


def test_the_learner_puts_the_most_informative_segments_first(client, world, db_session):
    seg1, seg2 = world.segment_ids
    login(client, "beleid@test.nl")
    # rules only: text order, no explanation of another order
    html = client.get(URL).get_data(as_text=True)
    assert _order(html) == [seg1, seg2] and "twijfelt" not in html.split('id="resultaat"')[1]
    _rank(db_session, world, [0.3, 0.02])
    html = client.get(URL).get_data(as_text=True)
    assert _order(html) == [seg2, seg1]
    assert re.search(r'<option value="leerzaam" selected>eerst waar het model twijfelt</option>', html)
    assert "Bovenaan staan de stukken waarover het lerende model het meest twijfelt." in html
    # the text order is still there
    html = client.get(URL, query_string={"volgorde": "tekst"}).get_data(as_text=True)
    assert _order(html) == [seg1, seg2] and '<option value="tekst" selected>' in html
    # after a decision the list goes on in its own order: here from seg2 to seg1
    token = csrf_token(client, URL)
    first, second = world.assignment_ids
    r = client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "accept", "next": URL})
    assert r.headers["Location"].endswith(f"{URL}#segment-{seg1}")
    # in text order, from seg1 nothing open is left after it, so back to the first open one
    _rank(db_session, world, [0.3, 0.02])
    r = client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "undo",
                                                         "next": f"{URL}?volgorde=tekst"})
    r = client.post(f"{URL}/toewijzing/{first}", data={"csrf_token": token, "decision": "accept",
                                                        "next": f"{URL}?volgorde=tekst"})
    assert r.headers["Location"].endswith(f"{URL}?volgorde=tekst#segment-{seg2}")


def test_review_page_of_follows_the_order(world, db_session):
    c = db_session.get(Consultation, world.consultation_id)
    seg1, seg2 = world.segment_ids
    _rank(db_session, world, [None, 0.5])
    f = review.resolve_order(db_session, c, review.Filters(status="all"))
    assert f.sort == "leerzaam"
    assert review.next_to_review(db_session, c, f, None, unmasked=False) == (seg2, 1)
    assert review.next_to_review(db_session, c, f, seg2, unmasked=False) == (seg1, 1)
    assert review.next_to_review(db_session, c, f, seg1, unmasked=False) == (seg2, 1)   # wraps around
    f = review.resolve_order(db_session, c, review.Filters(status="all", order="tekst"))
    assert review.next_to_review(db_session, c, f, seg1, unmasked=False) == (seg2, 1)


def test_the_coder_learns_after_enough_decisions(app, client, world, db_session, monkeypatch):
    from consult import jobs
    from consult.models import CoderModel, Document, Job, JobStatus
    from tests.jobqueue import drain_jobs

    monkeypatch.setattr(coding, "MIN_TRAINING_SEGMENTS", 2)
    monkeypatch.setattr(coding, "LEARN_AFTER_DECISIONS", 2)
    doc = db_session.scalar(select(Document))
    todo = Segment(consultation_id=world.consultation_id, document_id=doc.id, position=2, start_char=0,
                   end_char=10, text="Het formulier voor de regiotaxi is lastig in te vullen.",
                   masked_text="Het formulier voor de regiotaxi is lastig in te vullen.")
    db_session.add(todo)
    db_session.commit()
    login(client, "beleid@test.nl")
    token = csrf_token(client, URL)
    first, second = world.assignment_ids
    client.post(f"{URL}/toewijzing/{first}", data={"csrf_token": token, "decision": "accept", "next": URL})
    assert db_session.scalar(select(func.count(Job.id))) == 0          # one decision: not yet
    client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "reject", "next": URL})
    job = db_session.scalar(select(Job).where(Job.kind == "code_consultation"))
    assert job is not None and job.params == {"learn": True} and job.requested_by_id == world.writer_id
    assert jobs.kind_label(job) == "Coder leert van beoordelingen"
    html = client.get(URL).get_data(as_text=True)
    if job.status == JobStatus.QUEUED:
        assert "Het model leert nu van de beoordelingen." in html and f"/taken/{job.id}" in html
    # a decision while the run is under way starts no second one
    client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "undo", "next": URL})
    client.post(f"{URL}/toewijzing/{second}", data={"csrf_token": token, "decision": "reject", "next": URL})
    drain_jobs(app)
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Job.id)).where(Job.kind == "code_consultation",
                                                              Job.parent_id.is_(None))) == 1
    job = db_session.get(Job, job.id)
    assert job.status == JobStatus.FINISHED and job.result["trained"] is True
    model = db_session.scalar(select(CoderModel))
    assert model.metrics["n_training_segments"] == 2
    # only the segment still to review was coded again, by the new model, with its margin
    assert job.result["segments"] == 1
    todo = db_session.get(Segment, todo.id)
    assert todo.review_margin is not None and todo.assignments
    assert {a.coder for a in todo.assignments} == {f"model:{model.id}"}
    assert todo.candidates is None or todo.candidates["coder"] == f"model:{model.id}"
    reviewed = db_session.get(Segment, world.segment_ids[0])
    assert reviewed.review_margin is None
    assert jobs.result_summary(job)[0].startswith("De coder heeft geleerd van de beoordelingen en 1 stuk")
    # the review screen says the learner re-coded, so changed counts and order are explained
    html = client.get(URL).get_data(as_text=True)
    assert "Het lerende model heeft op " in html and "opnieuw gecodeerd" in html and f"/taken/{job.id}" in html
    page = client.get(f"{STAFF}/taken").get_data(as_text=True)
    assert "Coder leert van beoordelingen" in page
    # the learner ranked what is left: the list now opens on its order
    html = client.get(URL, query_string={"status": "all"}).get_data(as_text=True)
    assert _order(html)[0] == todo.id and '<option value="leerzaam" selected>' in html
    assert coding.decisions_since_training(db_session, db_session.get(Consultation, world.consultation_id)) == 0


def test_the_demo_offers_candidates_in_the_learners_order(app, client):
    """`consult demo` data: the demo's trained coder ranked the segments, so the review
    screen opens in its order with one-key candidates, and keyword proposals work."""
    from consult.db import session_scope
    from consult.demo import DEMO_SLUG, build_demo
    from consult.models import Job, JobStatus, Role
    from tests.jobqueue import drain_jobs
    from tests.web.conftest import PASSWORD

    with session_scope(app.extensions["consult.sessions"]) as s:
        build_demo(s)
        admin = User(email="beheer@demo-test.nl", name="Beheer", role=Role.ADMINISTRATOR)
        admin.set_password(PASSWORD)
        s.add(admin)
    login(client, "beheer@demo-test.nl")
    url = f"/beheer/c/{DEMO_SLUG}/codering"
    html = client.get(url).get_data(as_text=True)
    assert '<option value="leerzaam" selected>' in html
    forms = re.findall(r'action="([^"]+/stuk/(\d+)/code)" class="candidates">(.*?)</form>', html, re.S)
    assert len(forms) >= 5
    action, seg_id, block = forms[0]
    code_id = re.search(r'name="code_id" value="(\d+)"', block).group(1)
    token = csrf_token(client, url)
    r = client.post(action, data={"csrf_token": token, "code_id": code_id, "bron": "kandidaat", "next": url})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"#segment-{seg_id}")
    s = app.extensions["consult.sessions"]()
    a = s.scalar(select(CodeAssignment).where(CodeAssignment.segment_id == int(seg_id),
                                              CodeAssignment.code_id == int(code_id)))
    assert a.origin == Origin.PERSON and a.evidence["candidate"]["coder"].startswith("model:")
    # keyword proposals from the demo's accepted segments
    editor = f"/beheer/c/{DEMO_SLUG}/codeboek"
    client.post(f"{editor}/trefwoorden-zoeken", data={"csrf_token": token})
    drain_jobs(app)
    job = s.scalar(select(Job).where(Job.kind == "suggest_keywords"))
    assert job.status == JobStatus.FINISHED and job.result["accepted_segments"] > 300
    assert 'class="keyword-proposals"' in client.get(editor).get_data(as_text=True)
    s.close()
