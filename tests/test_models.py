"""The data model on real databases: relations, constraints, the append-only audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from analysis.codebook import load_default_codebook
from consult.audit import record
from consult.codebooks import store_codebook, version_to_definition
from consult.models import (
    DEFAULT_STAKEHOLDER_GROUPS, Answer, AssignmentStatus, AuditLog, Code, CodeAssignment,
    Consultation, Document, Finding, Organisation, Origin, Participant, Question, QuestionType,
    Response, Role, Segment, StakeholderGroup, Survey, User,
)


def _consultation(session) -> Consultation:
    org = Organisation(slug="gemeente-x", name="Gemeente X")
    c = Consultation(organisation=org, slug="traject", title="Traject")
    c.stakeholder_groups = [StakeholderGroup(key=k, label=l, position=i)
                            for i, (k, l) in enumerate(DEFAULT_STAKEHOLDER_GROUPS)]
    session.add(c)
    session.flush()
    return c


def test_whole_cycle_round_trip(session):
    c = _consultation(session)
    version, created = store_codebook(session, load_default_codebook())
    assert created and version.number == 1 and len(version.codes) == 19
    survey = Survey(consultation=c, slug="s", title="S")
    q = Question(survey=survey, key="beter", type=QuestionType.TEXT_LONG, label="Wat kan beter?")
    participant = Participant(consultation=c, stakeholder_group=c.stakeholder_groups[2])
    response = Response(survey=survey, participant=participant, receipt_code="AAAA-BBBB-CCCC")
    answer = Answer(response=response, question=q, text="Mantelzorgers hebben te weinig steun.")
    seg = Segment(consultation=c, answer=answer, start_char=0, end_char=37, text=answer.text)
    code = next(k for k in version.codes if k.key == "INFORMEEL")
    seg.assignments.append(CodeAssignment(code=code, origin=Origin.RULE, coder="rule", confidence=0.8,
                                          evidence={"keyword": "mantelzorg"}))
    finding = Finding(consultation=c, title="Mantelzorg", codes=[code], evidence=[seg])
    session.add_all([seg, finding])
    session.commit()

    session.expire_all()
    loaded = session.scalar(select(Segment))
    assert loaded.answer.response.participant.stakeholder_group.key == "mantelzorger"
    assert loaded.assignments[0].status == AssignmentStatus.SUGGESTED
    assert loaded.assignments[0].evidence == {"keyword": "mantelzorg"}
    assert session.scalar(select(Finding)).evidence[0].id == loaded.id


def test_segment_needs_exactly_one_source(session):
    c = _consultation(session)
    session.add(Segment(consultation=c, start_char=0, end_char=1, text="x"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_contact_details_need_consent(session):
    c = _consultation(session)
    session.add(Participant(consultation=c, contact_email="a@b.nl", contact_consent=False))
    with pytest.raises(IntegrityError):
        session.flush()


def test_enum_values_are_checked(session):
    with pytest.raises(StatementError):
        session.add(User(email="x@y.nl", name="X", role="koning", password_hash="h"))
        session.flush()


def test_one_assignment_per_segment_code_and_coder(session):
    c = _consultation(session)
    version, _ = store_codebook(session, load_default_codebook())
    doc = Document(consultation=c, title="Notities", text="Samenwerking moet beter.")
    seg = Segment(consultation=c, document=doc, start_char=0, end_char=24, text=doc.text)
    code = version.codes[1]
    seg.assignments.append(CodeAssignment(code=code, origin=Origin.RULE, coder="rule"))
    seg.assignments.append(CodeAssignment(code=code, origin=Origin.PERSON, coder="user:1",
                                          status=AssignmentStatus.ACCEPTED))
    session.add(seg)
    session.flush()
    session.add(CodeAssignment(segment=seg, code=code, origin=Origin.RULE, coder="rule"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_codebook_versions_are_immutable(session):
    base = load_default_codebook()
    v1, _ = store_codebook(session, base)
    again, created = store_codebook(session, base)
    assert (again.id, created) == (v1.id, False)

    from dataclasses import replace

    changed = replace(base, codes=base.codes + (replace(base.codes[0], code="NIEUW", label="Nieuw"),))
    v2, created = store_codebook(session, changed)
    assert created and v2.number == 2 and v2.codebook_id == v1.codebook_id
    assert len(v1.codes) == 19 and len(v2.codes) == 20
    assert version_to_definition(v2).get("NIEUW").label == "Nieuw"
    assert session.scalar(select(Code).where(Code.key == "NIEUW")).version_id == v2.id


def test_user_passwords_are_hashed(session):
    user = User(email="a@b.nl", name="A", role=Role.FACILITATOR)
    user.set_password("correct horse battery")
    assert "correct" not in user.password_hash and user.password_hash.startswith("$argon2")
    assert user.check_password("correct horse battery")
    assert not user.check_password("wrong password!")
    with pytest.raises(ValueError):
        user.set_password("short")


def test_audit_log_is_append_only(session):
    c = _consultation(session)
    entry = record(session, "create", c, actor="test", details={"x": 1})
    session.commit()
    assert entry.entity_type == "consultation" and entry.entity_id == c.id

    entry.action = "tampered"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    # The database itself refuses changes too (triggers), also for raw SQL.
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM audit_log"))
    session.rollback()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE audit_log SET action = 'x'"))
    session.rollback()
    assert session.scalar(select(AuditLog.action)) == "create"
