"""Fixtures for the web tests: a small consultation with an open survey, staff accounts
with memberships, a codebook and coded segments — built with the models directly."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest

from analysis.codebook import Code as CodeDef, Codebook as CodebookDef
from consult.codebooks import store_codebook
from consult.db import session_scope
from consult.models import (
    DEFAULT_STAKEHOLDER_GROUPS, CodeAssignment, Consultation, ConsultationMember,
    ConsultationStatus, Document, Meeting, MeetingType, Neighbourhood, Organisation, Origin, Role,
    Segment, StakeholderGroup, SurveyStatus, User,
)
from surveys.definition import parse_definition
from surveys.store import create_survey

SLUG = "wmo-test"
PASSWORD = "correct horse battery"

SURVEY_YAML = """
slug: wmo-vragen
title: Vragenlijst Wmo
access: open
introduction: Help ons de Wmo beter te maken.
sections:
  - title: Over u
    questions:
      - key: rol
        type: stakeholder_role
        label: Wie bent u?
        required: true
      - key: zwaarte
        type: single_choice
        label: Hoe zwaar is de zorg voor uw naaste?
        choices: [Licht, Zwaar]
        required: true
        condition: {question: rol, equals: mantelzorger}
      - key: wijk
        type: neighbourhood
        label: In welke wijk woont u?
  - title: Uw ervaring
    questions:
      - key: beter
        type: text_long
        label: Wat kan er beter?
        required: true
      - key: tevreden
        type: scale
        label: Hoe tevreden bent u?
        labels: {1: Heel ontevreden, 5: Heel tevreden}
      - key: belangrijk
        type: multiple_choice
        label: Wat vindt u belangrijk?
        choices: [Hulp dichtbij, Minder regels]
        other: true
      - key: volgorde
        type: ranking
        label: Zet in volgorde van belang
        choices: [Snelheid, Vriendelijkheid, Deskundigheid]
  - title: Tot slot
    questions:
      - key: toestemming
        type: consent
        label: Ik geef toestemming om mijn antwoorden te gebruiken.
        required: true
"""


@dataclass
class World:
    consultation_id: int
    survey_id: int
    admin_id: int
    writer_id: int
    facilitator_id: int
    outsider_id: int
    meeting_id: int
    segment_ids: list[int]
    assignment_ids: list[int]
    code_ids: dict[str, int]


def build_world(session, *, survey_status=SurveyStatus.OPEN) -> World:
    org = Organisation(slug="deventer-test", name="Gemeente Deventer")
    for i, name in enumerate(["Binnenstad", "Keizerslanden", "Bathmen"]):
        org.neighbourhoods.append(Neighbourhood(name=name, position=i))
    session.add(org)
    version, _ = store_codebook(session, CodebookDef(name="Wmo test", codes=(
        CodeDef(code="MANTELZORG", label="Mantelzorg", keywords=("mantelzorg", "mantelzorger")),
        CodeDef(code="VERVOER", label="Vervoer", keywords=("vervoer", "taxi")),
        CodeDef(code="REGELS", label="Regels en formulieren", keywords=("formulier", "regels")),
    )), slug="wmo-test")
    c = Consultation(organisation=org, slug=SLUG, title="Wmo in Deventer", summary="Praat mee over de Wmo.",
                     description="De gemeente wil weten wat beter kan.", status=ConsultationStatus.OPEN,
                     starts_on=date(2019, 4, 1), ends_on=date(2019, 7, 1), decision_maker="De gemeenteraad",
                     follow_up="Wij maken een verslag.", privacy_statement="Wij bewaren geen namen.",
                     codebook_version=version)
    for i, (key, label) in enumerate(DEFAULT_STAKEHOLDER_GROUPS):
        c.stakeholder_groups.append(StakeholderGroup(key=key, label=label, position=i))
    session.add(c)
    session.flush()
    survey = create_survey(session, c, parse_definition(SURVEY_YAML), status=survey_status)
    users = {}
    for role, email in ((Role.ADMINISTRATOR, "admin@test.nl"), (Role.POLICY_WRITER, "beleid@test.nl"),
                        (Role.FACILITATOR, "gesprek@test.nl"), (Role.POLICY_WRITER, "ander@test.nl")):
        u = User(email=email, name=email.split("@")[0].title(), role=role)
        u.set_password(PASSWORD)
        session.add(u)
        users[email] = u
    session.flush()
    for email in ("beleid@test.nl", "gesprek@test.nl"):
        session.add(ConsultationMember(user=users[email], consultation=c))
    meeting = Meeting(consultation=c, type=MeetingType.WIJKBIJEENKOMST, title="Wijkbijeenkomst Bathmen",
                      held_on=date(2019, 5, 14), place="Dorpshuis", neighbourhood=org.neighbourhoods[2])
    session.add(meeting)
    text = ("Tafel 1\nMevrouw Jansen vertelt dat mantelzorg zwaar is. Bel haar op 06-12345678.\n\n"
            "Het vervoer met de taxi komt vaak te laat.\n")
    doc = Document(consultation=c, meeting=meeting, title="Verslag Bathmen", text=text)
    session.add(doc)
    session.flush()
    codes = {code.key: code for code in version.codes}
    segs = []
    for pos, sentence in enumerate(["Mevrouw Jansen vertelt dat mantelzorg zwaar is.",
                                    "Het vervoer met de taxi komt vaak te laat."]):
        start = text.index(sentence)
        segs.append(Segment(consultation_id=c.id, document=doc, position=pos, start_char=start,
                            end_char=start + len(sentence), text=sentence,
                            masked_text=sentence.replace("Jansen", "[naam]"), group_label="Tafel 1"))
    session.add_all(segs)
    session.flush()
    assignments = [
        CodeAssignment(segment_id=segs[0].id, code_id=codes["MANTELZORG"].id, origin=Origin.RULE, coder="rule:v1",
                       confidence=0.8, evidence={"items": [{"kind": "keyword", "rule_id": "kw", "matched_text": "mantelzorg",
                                                            "start_char": 27, "end_char": 37}]}),
        CodeAssignment(segment_id=segs[1].id, code_id=codes["VERVOER"].id, origin=Origin.MODEL, coder="model:1",
                       confidence=0.6, evidence={"items": [{"kind": "keyword", "rule_id": "kw", "matched_text": "taxi",
                                                            "start_char": 22, "end_char": 26}]}),
    ]
    session.add_all(assignments)
    session.flush()
    return World(consultation_id=c.id, survey_id=survey.id, admin_id=users["admin@test.nl"].id,
                 writer_id=users["beleid@test.nl"].id, facilitator_id=users["gesprek@test.nl"].id,
                 outsider_id=users["ander@test.nl"].id, meeting_id=meeting.id,
                 segment_ids=[s.id for s in segs], assignment_ids=[a.id for a in assignments],
                 code_ids={k: v.id for k, v in codes.items()})


@pytest.fixture
def world(app) -> World:
    with session_scope(app.extensions["consult.sessions"]) as s:
        return build_world(s)


@pytest.fixture
def db_session(app):
    s = app.extensions["consult.sessions"]()
    yield s
    s.close()


def csrf_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    m = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert m, f"no CSRF token on {url}"
    return m.group(1)


def login(client, email: str, password: str = PASSWORD):
    token = csrf_token(client, "/inloggen")
    return client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token})
