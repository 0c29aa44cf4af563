"""The findings service (``consult.findings``): findings per kind and their order, codes and
advice points of the consultation only, the evidence search over accepted segments with
the review screen's filters, decisions and their links; and what reaches the report
(scenarios' voordelen and nadelen, what a decision is about) in every format."""
from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document as DocxDocument
from sqlalchemy import select

from consult import findings as service
from consult.models import (
    AdviceDocument, AdvicePoint, AdviceResponse, Answer, AssignmentStatus, AuditLog, CodeAssignment, Consultation,
    Decision, Finding, FindingKind, Origin, Participant, Response, ResponseStatus, Segment, Stance, Survey,
)
from consult.reporting import report_input
from exports.render import render_docx, render_html, render_markdown
from exports.report import build_report
from exports.text import simple_lemmatiser
from tests.web.conftest import build_world


@pytest.fixture
def world(session):
    w = build_world(session)
    session.commit()
    return w


def consultation(session, world) -> Consultation:
    return session.get(Consultation, world.consultation_id)


def accept_all(session, world):
    for a in session.scalars(select(CodeAssignment).where(CodeAssignment.id.in_(world.assignment_ids))):
        a.status = AssignmentStatus.ACCEPTED
    session.flush()


def answer_segment(session, world, text: str, *, hood: str, group_key: str, submitted: bool = True) -> Segment:
    """A survey answer of a participant in ``hood``/``group_key`` with one segment coded REGELS (accepted)."""
    c = consultation(session, world)
    survey = session.get(Survey, world.survey_id)
    question = next(q for q in survey.questions if q.key == "beter")
    hoods = {n.name: n for n in c.organisation.neighbourhoods}
    groups = {g.key: g for g in c.stakeholder_groups}
    answer = Answer(question=question, text=text)
    session.add(Response(survey=survey, participant=Participant(consultation=c, neighbourhood=hoods[hood],
                                                                 stakeholder_group=groups[group_key]),
                         status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.IN_PROGRESS,
                         answers=[answer]))
    session.flush()
    seg = Segment(consultation_id=c.id, answer=answer, position=0, start_char=0, end_char=len(text), text=text)
    session.add(seg)
    session.flush()
    session.add(CodeAssignment(segment_id=seg.id, code_id=world.code_ids["REGELS"], origin=Origin.PERSON,
                               coder="user:1", status=AssignmentStatus.ACCEPTED))
    session.flush()
    return seg


def test_lines_are_one_item_per_line():
    assert service.lines("- Snel\n\n  * Goedkoop  \n• Dichtbij\r\nDuur") == ["Snel", "Goedkoop", "Dichtbij", "Duur"]
    assert service.lines("") == [] and service.lines(None) == []


def test_create_order_and_move_per_kind(session, world):
    c = consultation(session, world)
    make = lambda kind, title: service.create_finding(session, c, kind, service.FindingValues(title=title))
    a = make(FindingKind.FINDING, "A")
    s1 = make(FindingKind.SCENARIO, "S1")
    b = make(FindingKind.FINDING, "B")
    p = make(FindingKind.PRINCIPLE, "P")
    grouped = service.by_kind(c)
    assert [f.title for f in grouped[FindingKind.FINDING]] == ["A", "B"]
    assert [f.title for f in grouped[FindingKind.PRINCIPLE]] == ["P"]
    assert list(service.SECTIONS.values()) == ["Wat is opgehaald", "Uitgangspunten", "Scenario's"]

    assert service.move_finding(session, b, -1) is True
    assert [f.title for f in service.by_kind(c)[FindingKind.FINDING]] == ["B", "A"]
    assert [f.title for f in service.by_kind(c)[FindingKind.SCENARIO]] == ["S1"]  # other kinds stay put
    assert service.move_finding(session, b, -1) is False  # already first
    assert service.move_finding(session, p, 1) is False   # alone
    assert sorted(f.position for f in c.findings) == [0, 1, 2, 3]
    with pytest.raises(service.FindingError):
        service.move_finding(session, a, 2)

    # equal positions (e.g. imported) sort by id, and still move one place at a time
    for f in c.findings:
        f.position = 0
    session.flush()
    assert service.move_finding(session, a, 1) is True
    assert [f.title for f in service.by_kind(c)[FindingKind.FINDING]] == ["B", "A"]
    assert len({f.position for f in c.findings}) == 4


def test_values_are_cleaned_and_only_this_consultations_links_are_taken(session, world):
    c = consultation(session, world)
    f = service.create_finding(session, c, FindingKind.FINDING, service.FindingValues(
        title="  Titel  ", statement=" Tekst ", advantages="Alleen bij scenario's",
        code_ids=[world.code_ids["VERVOER"], world.code_ids["VERVOER"]]))
    assert (f.title, f.statement, f.advantages) == ("Titel", "Tekst", "")
    assert [x.key for x in f.codes] == ["VERVOER"]
    sc = service.create_finding(session, c, FindingKind.SCENARIO, service.FindingValues(
        title="Scenario", advantages="- Snel\n\n- Goedkoop", disadvantages="Duur\n"))
    assert (sc.advantages, sc.disadvantages) == ("Snel\nGoedkoop", "Duur")
    with pytest.raises(service.FindingError):
        service.create_finding(session, c, FindingKind.FINDING, service.FindingValues(title="x", code_ids=[999999]))
    with pytest.raises(service.FindingError):
        service.create_decision(session, c, service.DecisionValues(text="x", finding_ids=[999999]))
    assert len(c.findings) == 2 and c.decisions == [] and not session.new  # nothing half-added
    with pytest.raises(service.FindingError):
        service.update_finding(session, f, service.FindingValues(title="x", code_ids=[999999]))
    with pytest.raises(service.FindingError):
        service.update_finding(session, f, service.FindingValues(title="x", advice_point_ids=[999999]))
    assert service.update_finding(session, f, service.FindingValues(
        title="Titel", statement="Tekst", code_ids=[world.code_ids["VERVOER"]])) == {}
    changes = service.update_finding(session, f, service.FindingValues(title="Nieuw", statement="Tekst"))
    assert changes == {"title": {"before": "Titel", "after": "Nieuw"},
                       "codes": {"before": ["VERVOER"], "after": []}}
    session.commit()
    actions = session.scalars(select(AuditLog.action).where(AuditLog.entity_type == "finding")
                              .order_by(AuditLog.id)).all()
    assert actions == ["create_finding", "create_finding", "update_finding"]


def test_evidence_search_uses_the_review_filters_on_accepted_segments(session, world):
    c = consultation(session, world)
    accept_all(session, world)
    mine = answer_segment(session, world, "De regels voor 100% vergoeding zijn te_ingewikkeld.",
                          hood="Binnenstad", group_key="mantelzorger")
    unfinished = answer_segment(session, world, "Nog niet verstuurd: regels.", hood="Binnenstad",
                                group_key="inwoner", submitted=False)
    f = service.EvidenceFilters
    search = lambda **kw: [r.segment.id for r in service.search_evidence(session, c, f(**kw)).rows]
    doc1, doc2 = world.segment_ids
    assert search() == [doc1, doc2, mine.id]  # the unfinished response's segment is not input
    assert unfinished.id not in search(q="verstuurd")
    assert search(q="JANSEN") == []          # the masked text is searched: the name is gone
    assert search(q="[naam]") == [doc1]
    assert search(q="100%") == [mine.id] and search(q="te_i") == [mine.id] and search(q="0%v") == []
    assert search(code=world.code_ids["VERVOER"]) == [doc2]
    assert search(source="answer") == [mine.id] and search(source="document") == [doc1, doc2]
    hoods = {n.name: n.id for n in c.organisation.neighbourhoods}
    groups = {g.key: g.id for g in c.stakeholder_groups}
    assert search(neighbourhood=hoods["Bathmen"]) == [doc1, doc2]  # the meeting's neighbourhood
    assert search(neighbourhood=hoods["Binnenstad"]) == [mine.id]  # the participant's
    assert search(group=groups["mantelzorger"]) == [mine.id]
    # a group marked on a segment wins over the participant's
    session.get(Segment, doc2).stakeholder_group_id = groups["inwoner"]
    session.flush()
    assert search(group=groups["inwoner"]) == [doc2]

    page = service.search_evidence(session, c, f())
    rows = {r.segment.id: r for r in page.rows}
    assert rows[doc1].text == "Mevrouw [naam] vertelt dat mantelzorg zwaar is."
    assert rows[doc1].source == "Verslag: Wijkbijeenkomst Bathmen · Bathmen" and rows[doc1].codes == ["Mantelzorg"]
    assert rows[mine.id].source == "Vragenlijst, vraag ‘Wat kan er beter?’ · Binnenstad"
    assert rows[mine.id].group == "Mantelzorger"
    # a rejected code is no evidence
    session.scalars(select(CodeAssignment).where(CodeAssignment.segment_id == doc2)).one().status = \
        AssignmentStatus.REJECTED
    session.flush()
    assert doc2 not in search()

    # the URL parameters are the review screen's, and bad values are dropped
    parsed = f.from_args({"q": " zorg ", "code": "x", "bron": "elders", "wijk": "3", "groep": "", "pagina": "0"})
    assert (parsed.q, parsed.code, parsed.source, parsed.neighbourhood, parsed.group, parsed.page) == (
        "zorg", None, "", 3, None, 1)
    assert parsed.args() == {"q": "zorg", "wijk": 3} and parsed.args(pagina=2)["pagina"] == 2


def test_pages_of_25(session, world):
    c = consultation(session, world)
    accept_all(session, world)
    for i in range(26):
        answer_segment(session, world, f"Regels deel {i}.", hood="Bathmen", group_key="inwoner")
    first = service.search_evidence(session, c, service.EvidenceFilters(code=world.code_ids["REGELS"]))
    assert (first.total, first.pages, first.page, len(first.rows)) == (26, 2, 1, 25)
    last = service.search_evidence(session, c, service.EvidenceFilters(code=world.code_ids["REGELS"], page=7))
    assert (last.page, len(last.rows)) == (2, 1)


def test_add_and_remove_evidence(session, world):
    c = consultation(session, world)
    doc1, doc2 = world.segment_ids
    session.get(CodeAssignment, world.assignment_ids[0]).status = AssignmentStatus.ACCEPTED
    f = service.create_finding(session, c, FindingKind.FINDING, service.FindingValues(title="Zorg"))
    with pytest.raises(service.FindingError):
        service.add_evidence(session, f, [doc1, doc2])  # doc2 is only suggested
    assert f.evidence == []
    assert service.add_evidence(session, f, [doc1, doc1]) == 1
    assert service.add_evidence(session, f, [doc1]) == 0
    assert service.add_evidence(session, f, []) == 0
    assert [r.segment.id for r in service.search_evidence(session, c, service.EvidenceFilters(), f).rows if r.chosen] \
        == [doc1]
    assert [r.text for r in service.evidence_rows(session, f)] == ["Mevrouw [naam] vertelt dat mantelzorg zwaar is."]
    assert service.remove_evidence(session, f, doc2) is False
    assert service.remove_evidence(session, f, doc1) is True and f.evidence == []
    session.commit()
    details = session.scalars(select(AuditLog.details).where(AuditLog.action.in_(("add_evidence", "remove_evidence")))
                              .order_by(AuditLog.id)).all()
    assert details == [{"segments": [doc1]}, {"segment": doc1}]


def _advice(session, c):
    advice = AdviceDocument(consultation=c, advisory_body="ASDD", subject="Advies", received_on=date(2019, 12, 1))
    p1 = AdvicePoint(position=0, label="1", text="Punt een.")
    p2 = AdvicePoint(position=1, label="", text="Punt twee.")
    advice.points += [p1, p2]
    p1.response = AdviceResponse(stance=Stance.OVERGENOMEN)
    p2.response = AdviceResponse()
    session.add(advice)
    session.flush()
    return p1, p2


def test_decisions_and_their_links(session, world):
    c = consultation(session, world)
    p1, p2 = _advice(session, c)
    assert [service.response_label(r) for r in service.advice_responses(session, c)] == [
        "ASDD, punt 1: overgenomen", "ASDD, punt 2: nog geen standpunt"]
    f = service.create_finding(session, c, FindingKind.SCENARIO, service.FindingValues(title="S"))
    late = service.create_decision(session, c, service.DecisionValues(text="Later.", taken_on=date(2020, 3, 1)))
    d = service.create_decision(session, c, service.DecisionValues(
        text=" Besloten. ", body="", taken_on=date(2020, 1, 21), reference=" 2019-002451 ",
        finding_ids=[f.id], response_ids=[p1.response.id]))
    undated = service.create_decision(session, c, service.DecisionValues(text="Zonder datum."))
    assert (d.body, d.text, d.reference) == ("college van B&W", "Besloten.", "2019-002451")
    assert service.decisions(c) == [d, late, undated]
    with pytest.raises(service.FindingError):
        service.update_decision(session, d, service.DecisionValues(text="x", finding_ids=[999999]))
    changes = service.update_decision(session, d, service.DecisionValues(
        text="Besloten.", taken_on=date(2020, 1, 22), reference="2019-002451", finding_ids=[f.id],
        response_ids=[p1.response.id, p2.response.id]))
    assert set(changes) == {"taken_on", "advice_responses"}
    # deleting a finding unlinks it from its decisions; deleting a decision keeps the finding
    service.delete_finding(session, f)
    assert d.findings == []
    service.delete_decision(session, late)
    assert service.decisions(c) == [d, undated]
    session.commit()
    assert session.scalar(select(Finding.id)) is None
    assert [x.id for x in session.get(Decision, d.id).advice_responses] == [p1.response.id, p2.response.id]


def test_scenarios_and_decisions_reach_every_report_format(session, world):
    c = consultation(session, world)
    accept_all(session, world)
    p1, _ = _advice(session, c)
    finding = service.create_finding(session, c, FindingKind.FINDING, service.FindingValues(
        title="Mantelzorg is zwaar", statement="Mantelzorgers willen rust.", code_ids=[world.code_ids["MANTELZORG"]]))
    service.add_evidence(session, finding, [world.segment_ids[0]])
    scenario = service.create_finding(session, c, FindingKind.SCENARIO, service.FindingValues(
        title="Scenario 2: pilots", statement="Proeven in de wijk.",
        advantages="Snel te starten\nDichtbij inwoners", disadvantages="Niet overal gelijk"))
    service.create_decision(session, c, service.DecisionValues(
        text="Het college kiest scenario 2.", taken_on=date(2020, 1, 21), reference="2019-002451",
        finding_ids=[scenario.id], response_ids=[p1.response.id]))
    session.commit()

    data = report_input(session, c)
    sc = next(f for f in data.findings if f.kind == "scenario")
    assert (sc.advantages, sc.disadvantages) == (["Snel te starten", "Dichtbij inwoners"], ["Niet overal gelijk"])
    assert data.decisions[0].findings == ["Scenario 2: pilots"]
    assert data.decisions[0].advice_responses == ["ASDD, punt 1: overgenomen"]
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    assert report.scenarios[0].advantages == ["Snel te starten", "Dichtbij inwoners"]
    assert report.findings[0].evidence[0].text == "Mevrouw [naam] vertelt dat mantelzorg zwaar is."

    html = render_html(report)
    md = render_markdown(report)
    docx = DocxDocument(io.BytesIO(render_docx(report)))
    docx_text = "\n".join(p.text for p in docx.paragraphs)
    for text in (html, md, docx_text):
        for needle in ("Voordelen:", "Snel te starten", "Dichtbij inwoners", "Nadelen:", "Niet overal gelijk",
                       "Gaat over: Scenario 2: pilots", "Antwoord op advies: ASDD, punt 1: overgenomen"):
            assert needle in text, needle
    assert "<li>Snel te starten</li>" in html and "- Snel te starten" in md
    bullets = [p.text for p in docx.paragraphs if p.style.name == "List Bullet"]
    assert "Snel te starten" in bullets and "Niet overal gelijk" in bullets
