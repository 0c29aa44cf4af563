"""Responses: starting, saving answers page by page, and submitting exactly once.

Idempotency: the start form carries a random token stored as ``Response.submission_token``
(unique), so a double-clicked or replayed start finds the response it already created.
Submitting is a conditional UPDATE (``WHERE status = 'in_progress'``): of two concurrent
submits only one changes the row, the other finds the response submitted and shows the
same receipt.
"""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult.audit import record
from consult.db import utcnow
from consult.models import (
    Answer, Channel, Consultation, InvitationCode, Neighbourhood, Participant, Question, QuestionType,
    Response, ResponseStatus, StakeholderGroup, Survey, User,
)
from surveys.codes import normalise_code, short_code


class InvitationError(ValueError):
    """The invitation code is unknown or already used (message in Dutch)."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def find_invitation(session: Session, survey: Survey, code: str) -> InvitationCode:
    normalised = normalise_code(code or "")
    inv = session.scalar(select(InvitationCode).where(
        InvitationCode.survey_id == survey.id, InvitationCode.code == normalised))
    if inv is None:
        raise InvitationError("Deze code kennen wij niet. Controleer de code op uw uitnodiging.")
    if inv.used_at is not None:
        raise InvitationError("Met deze code is de vragenlijst al ingevuld. "
                              "Elke code kan maar één keer worden gebruikt.")
    return inv


def start_response(session: Session, survey: Survey, start_token: str, *,
                   invitation: InvitationCode | None = None, channel: Channel = Channel.ONLINE,
                   entered_by: User | None = None) -> Response:
    """Create a response for ``start_token``, or return the one it already created."""
    existing = session.scalar(select(Response).where(Response.submission_token == start_token))
    if existing is not None:
        return existing
    if invitation is not None:  # one response per code: resume the one in progress
        current = session.scalar(select(Response).where(Response.invitation_code_id == invitation.id))
        if current is not None:
            return current
    response = Response(survey=survey, channel=channel, status=ResponseStatus.IN_PROGRESS,
                        resume_token=new_token(), submission_token=start_token,
                        invitation_code_id=invitation.id if invitation else None,
                        entered_by_id=entered_by.id if entered_by else None)
    session.add(response)
    try:
        session.flush()
    except IntegrityError:  # the same token or invitation code raced us: use the winner's response
        session.rollback()
        existing = session.scalar(select(Response).where(Response.submission_token == start_token))
        if existing is None and invitation is not None:
            existing = session.scalar(select(Response).where(Response.invitation_code_id == invitation.id))
        if existing is None:
            raise
        return existing
    return response


def answer_maps(response: Response) -> tuple[dict[str, Any], dict[str, str]]:
    """Stored answers by question key: values and texts."""
    values, texts = {}, {}
    for a in response.answers:
        if a.value is not None:
            values[a.question.key] = a.value
        if a.text:
            texts[a.question.key] = a.text
    return values, texts


def combined(values: dict[str, Any], texts: dict[str, str], questions: list[Question]) -> dict[str, Any]:
    """Answers as conditions see them: the value, or the text for open questions."""
    out = dict(values)
    for q in questions:
        if q.is_open_text and q.key in texts:
            out[q.key] = texts[q.key]
    return out


def save_answers(session: Session, response: Response, questions: list[Question],
                 parsed: dict[str, tuple[Any, str | None]]) -> None:
    """Store answers of one page; an emptied question loses its stored answer."""
    by_question = {a.question_id: a for a in response.answers}
    for q in questions:
        if q.key not in parsed:
            continue
        value, text = parsed[q.key]
        answer = by_question.get(q.id)
        if value is None and not text:
            if answer is not None:
                response.answers.remove(answer)
            continue
        if answer is None:
            answer = Answer(question=q)
            response.answers.append(answer)
        answer.value, answer.text = value, text


def drop_hidden(response: Response, visible: list[Question]) -> None:
    """Remove answers to questions that are no longer shown (a condition changed)."""
    keep = {q.id for q in visible}
    for a in list(response.answers):
        if a.question_id not in keep:
            response.answers.remove(a)


def missing_required(visible: list[Question], values: dict[str, Any], texts: dict[str, str]) -> list[Question]:
    return [q for q in visible if q.required and q.key not in values and q.key not in texts]


def submit_response(session: Session, response: Response) -> bool:
    """Submit once. Returns True when this call submitted it, False when it already was.

    With an invitation code the code is claimed first, in the same transaction: of two
    responses started with one code at the same moment only one can be submitted
    (:class:`InvitationError` for the other).
    """
    if response.invitation_code_id is not None and response.status == ResponseStatus.IN_PROGRESS:
        claimed = session.execute(
            update(InvitationCode).where(InvitationCode.id == response.invitation_code_id,
                                         InvitationCode.used_at.is_(None))
            .values(used_at=utcnow()).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            session.refresh(response)
            if response.status == ResponseStatus.SUBMITTED:
                return False
            raise InvitationError("Met deze code is de vragenlijst al ingevuld. "
                                  "Elke code kan maar één keer worden gebruikt.")
    receipt = short_code()
    result = session.execute(
        update(Response).where(Response.id == response.id, Response.status == ResponseStatus.IN_PROGRESS)
        .values(status=ResponseStatus.SUBMITTED, submitted_at=utcnow(), receipt_code=receipt)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()  # someone else submitted it: undo our claim, show their receipt
        session.refresh(response)
        return False
    _link_participant(session, response)
    session.flush()
    session.refresh(response)
    return True


def _link_participant(session: Session, response: Response) -> None:
    """An anonymous participant row carrying the role and neighbourhood answers."""
    survey = response.survey
    values, _ = answer_maps(response)
    group = hood = None
    for q in survey.questions:
        if q.key not in values:
            continue
        if q.type == QuestionType.STAKEHOLDER_ROLE:
            group = session.scalar(select(StakeholderGroup).where(
                StakeholderGroup.consultation_id == survey.consultation_id,
                StakeholderGroup.key == values[q.key]))
        elif q.type == QuestionType.NEIGHBOURHOOD:
            hood = session.scalar(select(Neighbourhood).where(
                Neighbourhood.organisation_id == survey.consultation.organisation_id,
                Neighbourhood.name == values[q.key]))
    if response.participant_id is None:
        response.participant = Participant(consultation_id=survey.consultation_id,
                                           stakeholder_group=group, neighbourhood=hood)
        session.add(response.participant)


def start_assisted_response(session: Session, survey: Survey, channel: Channel, *, entered_by: User) -> Response:
    """A response a staff member enters on a participant's behalf (paper, telephone, meeting)."""
    response = start_response(session, survey, new_token(), channel=channel, entered_by=entered_by)
    record(session, "assisted_entry", response, actor=entered_by, details={"channel": channel.value})
    return response


def create_invitation_codes(session: Session, survey: Survey, *, count: int = 0,
                            imported: list[str] | None = None,
                            actor: User | str | None = None) -> tuple[list[str], list[str]]:
    """Generate ``count`` codes and/or import a list. Returns (added, skipped duplicates).

    With an ``actor`` the change is recorded in the audit log.
    """
    existing = set(session.scalars(select(InvitationCode.code)))
    added, skipped = [], []
    for raw in imported or []:
        code = normalise_code(raw)
        if not code:
            continue
        if code in existing or len(code) > 40:
            skipped.append(raw.strip())
            continue
        existing.add(code)
        added.append(code)
    for _ in range(count):
        code = short_code()
        while code in existing:
            code = short_code()
        existing.add(code)
        added.append(code)
    for code in added:
        session.add(InvitationCode(survey=survey, code=code))
    session.flush()
    if actor is not None:
        record(session, "create_invitation_codes", survey, actor=actor,
               details={"added": len(added), "skipped": len(skipped)})
    return added, skipped


def invitation_codes_csv(session: Session, survey: Survey) -> str:
    """All codes of ``survey`` with whether they were used, as CSV (``code,gebruikt``)."""
    rows = session.execute(select(InvitationCode.code, InvitationCode.used_at).where(
        InvitationCode.survey_id == survey.id).order_by(InvitationCode.id)).all()
    return "code,gebruikt\n" + "".join(f"{code},{'ja' if used else 'nee'}\n" for code, used in rows)


def submitted_counts(session: Session, consultation: Consultation) -> dict[int, dict[Channel, int]]:
    """Submitted responses per survey id and channel (surveys without any are left out)."""
    rows = session.execute(
        select(Survey.id, Response.channel, func.count(Response.id))
        .join(Response, Response.survey_id == Survey.id)
        .where(Survey.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)
        .group_by(Survey.id, Response.channel)).all()
    out: dict[int, dict[Channel, int]] = {}
    for survey_id, channel, count in rows:
        out.setdefault(survey_id, {})[channel] = count
    return out


def invitation_code_counts(session: Session, survey: Survey) -> tuple[int, int]:
    """``(codes, used codes)`` of ``survey``."""
    total, used = session.execute(
        select(func.count(InvitationCode.id), func.count(InvitationCode.used_at))
        .where(InvitationCode.survey_id == survey.id)).one()
    return total or 0, used or 0
