"""Feedback to participants: "Wat is er met uw inbreng gedaan?"

Everyone may see what came of a consultation (findings, scenarios, decisions and the
responses to advice). A participant with a receipt code also sees under which themes their
input was coded and in which findings it shows up: themes and findings only, never text,
so a guessed code reveals nothing personal.

With the same code a participant can remove their input (the AVG's right to erasure,
:func:`erase_response`): the answers, the segments cut from them, their codes and their
place as evidence of findings go; reports count from what is left. The audit log notes
that an erasure happened, never what was erased.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from consult.audit import record
from consult.models import (
    FINDING_KIND_LABELS, Answer, Participant, AssignmentStatus, Code, CodeAssignment, Consultation, Decision, Finding,
    FindingKind, Response, ResponseStatus, Segment, Survey,
)
from consult.models.findings import finding_evidence
from consult.reporting import advice_infos
from exports.model import AdviceInfo


@dataclass
class FeedbackTheme:
    label: str
    segments: int


@dataclass
class FeedbackFinding:
    kind: str
    title: str
    statement: str
    themes: list[str] = field(default_factory=list)


@dataclass
class ParticipantFeedback:
    """What a participant with a receipt code may see: themes and findings, no text."""
    themes: list[FeedbackTheme]
    findings: list[FeedbackFinding]
    coded: bool                      # at least one of their segments has an accepted code
    segmented: bool                  # their answers have been segmented at all


@dataclass
class Outcome:
    """What came of a consultation, for everyone."""
    findings: list[Finding]          # findings and principles
    scenarios: list[Finding]
    decisions: list[Decision]        # by date, undated last
    advice: list[AdviceInfo]         # with the confirmed responses per point


def outcome(session: Session, consultation: Consultation) -> Outcome:
    return Outcome(
        findings=[f for f in consultation.findings if f.kind != FindingKind.SCENARIO],
        scenarios=[f for f in consultation.findings if f.kind == FindingKind.SCENARIO],
        decisions=sorted(consultation.decisions, key=lambda d: (d.taken_on is None, d.taken_on)),
        advice=advice_infos(session, consultation))


def submitted_response(session: Session, consultation: Consultation, code: str) -> Response | None:
    """The submitted response with receipt ``code`` in this consultation, or None."""
    if not code:
        return None
    return session.scalar(
        select(Response).join(Survey, Survey.id == Response.survey_id)
        .where(Response.receipt_code == code, Survey.consultation_id == consultation.id,
               Response.status == ResponseStatus.SUBMITTED))


@dataclass
class Erasure:
    answers: int
    segments: int
    codes: int


def erase_response(session: Session, consultation: Consultation, code: str) -> Erasure | None:
    """Remove the submitted response with receipt ``code`` and everything derived from it.

    Goes: its answers, their segments, the codes on those segments, their use as evidence
    of findings, and the participant record (group, neighbourhood, contact address) when
    it has no other response. An invitation code stays used, so it cannot be used again.
    Returns what was removed, or None for an unknown code. The caller commits.
    """
    response = submitted_response(session, consultation, code)
    if response is None:
        return None
    answer_ids = select(Answer.id).where(Answer.response_id == response.id).scalar_subquery()
    segment_ids = list(session.scalars(select(Segment.id).where(Segment.answer_id.in_(answer_ids))))
    n_codes = session.scalar(select(func.count(CodeAssignment.id)).where(
        CodeAssignment.segment_id.in_(segment_ids or [-1]))) or 0
    n_answers = session.scalar(select(func.count(Answer.id)).where(Answer.response_id == response.id)) or 0
    if segment_ids:
        session.execute(delete(finding_evidence).where(finding_evidence.c.segment_id.in_(segment_ids)))
        session.execute(delete(CodeAssignment).where(CodeAssignment.segment_id.in_(segment_ids)))
        session.execute(delete(Segment).where(Segment.id.in_(segment_ids)))
    participant = response.participant
    survey_id = response.survey_id
    session.delete(response)  # and its answers (ORM cascade)
    session.flush()
    if participant is not None and not session.scalar(
            select(func.count(Response.id)).where(Response.participant_id == participant.id)):
        session.delete(participant)
    session.flush()
    session.expire_all()  # findings' evidence lists, the consultation's participants
    # no receipt code, no text, no participant details: only that it happened and how much
    record(session, "erase_response", consultation, actor="participant",
           details={"survey": survey_id, "answers": n_answers, "segments": len(segment_ids), "codes": n_codes})
    return Erasure(answers=n_answers, segments=len(segment_ids), codes=n_codes)


def participant_feedback(session: Session, consultation: Consultation, code: str) -> ParticipantFeedback | None:
    """Feedback for the submitted response with receipt ``code`` in this consultation
    (None when there is none: unknown, unfinished or another consultation's code)."""
    response = submitted_response(session, consultation, code)
    if response is None:
        return None
    segment_ids = list(session.scalars(
        select(Segment.id).join(Answer, Answer.id == Segment.answer_id).where(Answer.response_id == response.id)))
    rows = session.execute(
        select(CodeAssignment.segment_id, Code.key, Code.label).join(Code, Code.id == CodeAssignment.code_id)
        .where(CodeAssignment.segment_id.in_(segment_ids or [-1]),
               CodeAssignment.status == AssignmentStatus.ACCEPTED)).all()
    per_code: dict[str, set[int]] = defaultdict(set)
    labels: dict[str, str] = {}
    for sid, key, label in rows:
        per_code[key].add(sid)
        labels[key] = label
    themes = sorted((FeedbackTheme(labels[k], len(v)) for k, v in per_code.items()), key=lambda t: (-t.segments, t.label))
    findings = []
    mine = set(segment_ids)
    for f in consultation.findings:
        keys = {c.key for c in f.codes}
        cites_me = any(s.id in mine for s in f.evidence)
        shared = keys & set(per_code)
        if cites_me or shared:
            findings.append(FeedbackFinding(kind=FINDING_KIND_LABELS[f.kind], title=f.title, statement=f.statement,
                                            themes=sorted(labels[k] for k in shared)))
    return ParticipantFeedback(themes=themes, findings=findings, coded=bool(themes), segmented=bool(segment_ids))
