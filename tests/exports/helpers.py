"""A small consultation built with the models, for export, trace and feedback tests."""
from __future__ import annotations

from datetime import date, datetime

from analysis.codebook import Code as CodeDef, Codebook as CodebookDef
from consult.codebooks import store_codebook
from consult.models import (
    DEFAULT_STAKEHOLDER_GROUPS, AdviceDocument, AdviceLink, AdvicePoint, AdviceResponse, Answer,
    AssignmentStatus, Channel, CodeAssignment, Consultation, ConsultationStatus, Decision, Document,
    Finding, FindingKind, FollowUpStatus, Meeting, MeetingAttendance, MeetingType, Neighbourhood,
    Organisation, Origin, Participant, ReactionLetter, ReactionParagraph, Response, ResponseStatus,
    Segment, StakeholderGroup, Stance, SurveyStatus,
)
from surveys.definition import parse_definition
from surveys.store import create_survey

SLUG = "wmo-export-test"
RECEIPT = "ACDE-FGHJ-KMNP"
OTHER_RECEIPT = "QRTU-VWXY-2346"

SURVEY = """
slug: vragen
title: Vragenlijst
access: open
sections:
  - title: Over u
    questions:
      - key: rol
        type: stakeholder_role
        label: Wie bent u?
      - key: wijk
        type: neighbourhood
        label: Waar woont u?
      - key: beter
        type: text_long
        label: Wat kan er beter?
"""

ANSWERS = [
    # (receipt, group, neighbourhood, text, [(sentence, codes)])
    (RECEIPT, "mantelzorger", "Bathmen",
     "Als mantelzorger heb ik nooit een dag vrij. De taxi komt vaak te laat.",
     [("Als mantelzorger heb ik nooit een dag vrij.", ["MANTELZORG"]),
      ("De taxi komt vaak te laat.", ["VERVOER"])]),
    (OTHER_RECEIPT, "inwoner", "Binnenstad",
     "Er zijn te veel formulieren. Bel mij op 06-12345678.",
     [("Er zijn te veel formulieren.", ["REGELS"])]),
]


def build_small_consultation(session) -> dict:
    org = Organisation(slug="export-test", name="Gemeente Testdorp")
    for i, name in enumerate(["Binnenstad", "Bathmen"]):
        org.neighbourhoods.append(Neighbourhood(name=name, position=i))
    session.add(org)
    version, _ = store_codebook(session, CodebookDef(name="Wmo export test", codes=(
        CodeDef(code="MANTELZORG", label="Mantelzorg"),
        CodeDef(code="VERVOER", label="Vervoer"),
        CodeDef(code="REGELS", label="Regels en formulieren"),
    )), slug="wmo-export-test")
    c = Consultation(organisation=org, slug=SLUG, title="Wmo in Testdorp", status=ConsultationStatus.REPORTED,
                     starts_on=date(2019, 4, 1), ends_on=date(2019, 7, 1), codebook_version=version,
                     report_introduction="Inleiding van de test.", report_background="Aanleiding van de test.",
                     decision_maker="Het college")
    groups = {}
    for i, (key, label) in enumerate(DEFAULT_STAKEHOLDER_GROUPS):
        groups[key] = StakeholderGroup(key=key, label=label, position=i)
        c.stakeholder_groups.append(groups[key])
    session.add(c)
    session.flush()
    hoods = {n.name: n for n in org.neighbourhoods}
    codes = {code.key: code for code in version.codes}
    survey = create_survey(session, c, parse_definition(SURVEY), status=SurveyStatus.CLOSED)
    questions = {q.key: q for q in survey.questions}
    coded, response_ids = [], {}
    for receipt, group, hood, text, sentences in ANSWERS:
        p = Participant(consultation=c, stakeholder_group=groups[group], neighbourhood=hoods[hood])
        r = Response(survey=survey, participant=p, channel=Channel.ONLINE, status=ResponseStatus.SUBMITTED,
                     receipt_code=receipt, submitted_at=datetime(2019, 5, 1, 10))
        r.answers.append(Answer(question=questions["rol"], value=group))
        r.answers.append(Answer(question=questions["wijk"], value=hood))
        answer = Answer(question=questions["beter"], text=text)
        r.answers.append(answer)
        session.add(r)
        session.flush()
        response_ids[receipt] = r.id
        for pos, (sentence, keys) in enumerate(sentences):
            start = text.index(sentence)
            seg = Segment(consultation_id=c.id, answer=answer, position=pos, start_char=start,
                          end_char=start + len(sentence), text=sentence)
            session.add(seg)
            session.flush()
            for key in keys:
                for coder in ("user:1", "user:2"):
                    session.add(CodeAssignment(segment_id=seg.id, code_id=codes[key].id, origin=Origin.PERSON,
                                               coder=coder, status=AssignmentStatus.ACCEPTED))
            coded.append(seg.id)
    meeting = Meeting(consultation=c, type=MeetingType.WIJKBIJEENKOMST, title="Wijkbijeenkomst Bathmen",
                      held_on=date(2019, 5, 14), neighbourhood=hoods["Bathmen"])
    meeting.attendance.append(MeetingAttendance(stakeholder_group=groups["inwoner"], count=14))
    meeting.attendance.append(MeetingAttendance(stakeholder_group=groups["mantelzorger"], count=3))
    note = "Mevrouw Jansen zegt dat mantelzorgers te weinig steun krijgen.\n"
    doc = Document(consultation=c, meeting=meeting, title="Verslag Bathmen", text=note)
    meeting.documents.append(doc)
    session.add(meeting)
    session.flush()
    sentence = note.strip()
    seg = Segment(consultation_id=c.id, document=doc, position=0, start_char=0, end_char=len(sentence),
                  text=sentence, masked_text=sentence.replace("Jansen", "[naam]"))
    session.add(seg)
    session.flush()
    session.add(CodeAssignment(segment_id=seg.id, code_id=codes["MANTELZORG"].id, origin=Origin.PERSON,
                               coder="user:1", status=AssignmentStatus.ACCEPTED))
    coded.append(seg.id)
    finding = Finding(consultation=c, kind=FindingKind.FINDING, title="Mantelzorgers hebben steun nodig",
                      statement="Mantelzorgers vragen om respijtzorg.", position=0,
                      codes=[codes["MANTELZORG"]], evidence=[seg, session.get(Segment, coded[0])])
    other = Finding(consultation=c, kind=FindingKind.FINDING, title="Minder regels",
                    statement="Minder formulieren.", position=1, codes=[codes["REGELS"]])
    session.add_all([finding, other])
    advice = AdviceDocument(consultation=c, advisory_body="Adviesraad Testdorp", subject="Verkenning Wmo",
                            received_on=date(2019, 8, 1), requested=True,
                            letter_text="1. Zorg voor respijtzorg voor mantelzorgers.\n\n2. Kijk naar de scootmobielpool.")
    p1 = AdvicePoint(position=0, label="1", text="Zorg voor respijtzorg voor mantelzorgers.")
    p2 = AdvicePoint(position=1, label="2", text="Kijk naar de scootmobielpool.")
    advice.points.extend([p1, p2])
    letter = ReactionLetter(sender="college van B&W", sent_on=date(2019, 9, 1),
                            letter_text="Wij nemen uw advies over respijtzorg over.")
    par = ReactionParagraph(position=0, label="R1", text="Wij nemen uw advies over respijtzorg voor mantelzorgers over.")
    letter.paragraphs.append(par)
    advice.reactions.append(letter)
    session.add(advice)
    session.flush()
    session.add(AdviceLink(point=p1, paragraph=par, origin="person", confirmed=True))
    p1.response = AdviceResponse(stance=Stance.OVERGENOMEN, rationale="Respijtzorg wordt uitgebreid.",
                                 promised_action="Respijtzorg in het beleidskader", owner="Team Wmo",
                                 due_on=date(2020, 6, 1), status=FollowUpStatus.IN_PROGRESS,
                                 decision_reference="B&W 2019-123")
    finding.advice_points.append(p1)
    session.add(Decision(consultation=c, body="college van B&W", taken_on=date(2019, 10, 1), reference="2019-123",
                         text="Het college kiest voor meer respijtzorg.", findings=[finding]))
    session.flush()
    return {"consultation": c.id, "coded_segments": coded, "responses": response_ids, "finding": finding.id,
            "points": [p1.id, p2.id], "paragraph": par.id, "masked_segment": seg.id}
