"""Responses: starting, saving answers page by page, and submitting exactly once.

Idempotency: the start form carries a random token stored as ``Response.submission_token``
(unique), so a double-clicked or replayed start finds the response it already created.
Submitting is a conditional UPDATE (``WHERE status = 'in_progress'``): of two concurrent
submits only one changes the row, the other finds the response submitted and shows the
same receipt.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult.audit import record
from consult.db import utcnow
from consult.people import token_hash
from consult.models import (
    Answer, Channel, Consultation, InvitationCode, Neighbourhood, Participant, Question, QuestionType,
    Response, ResponseStatus, StakeholderGroup, Survey, SurveyStatus, User,
)
from surveys.bulk import CheckResult, ParsedRow, check_file
from surveys.codes import normalise_code, short_code


class InvitationError(ValueError):
    """The invitation code is unknown or already used (message in Dutch)."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_resume_code(response: Response) -> str:
    """Give ``response`` a fresh short resume code (``K7QX-3MPD-W9TA``) and return it.

    Only its SHA-256 is stored (``Response.resume_code_hash``), as with other tokens; the
    code is shown once, and a new one replaces the old one. It opens the same response as
    the resume link, for people who cannot copy a long link (typed on the start page)."""
    code = short_code()
    response.resume_code_hash = token_hash(code)
    return code


def find_by_resume_code(session: Session, survey: Survey, code: str) -> Response | None:
    """The unfinished response of ``survey`` that ``code`` resumes, or None (unknown code,
    a code of another survey, a response already sent)."""
    normalised = normalise_code(code or "")
    if not normalised:
        return None
    return session.scalar(select(Response).where(
        Response.survey_id == survey.id, Response.resume_code_hash == token_hash(normalised),
        Response.status == ResponseStatus.IN_PROGRESS))


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


def _participant_links(session: Session, survey: Survey, values: dict[str, Any],
                       cache: dict[tuple[str, Any], Any] | None = None
                       ) -> tuple[StakeholderGroup | None, Neighbourhood | None]:
    """The stakeholder group and neighbourhood that the role and neighbourhood answers name."""
    cache = {} if cache is None else cache
    group = hood = None
    for q in survey.questions:
        if q.key not in values or q.type not in (QuestionType.STAKEHOLDER_ROLE, QuestionType.NEIGHBOURHOOD):
            continue
        found_key = (q.type.value, values[q.key])
        if found_key not in cache:
            if q.type == QuestionType.STAKEHOLDER_ROLE:
                cache[found_key] = session.scalar(select(StakeholderGroup).where(
                    StakeholderGroup.consultation_id == survey.consultation_id,
                    StakeholderGroup.key == values[q.key]))
            else:
                cache[found_key] = session.scalar(select(Neighbourhood).where(
                    Neighbourhood.organisation_id == survey.consultation.organisation_id,
                    Neighbourhood.name == values[q.key]))
        if q.type == QuestionType.STAKEHOLDER_ROLE:
            group = cache[found_key]
        else:
            hood = cache[found_key]
    return group, hood


def _link_participant(session: Session, response: Response) -> None:
    """An anonymous participant row carrying the role and neighbourhood answers; when the
    answers leave them empty, the group and neighbourhood the invitation list gave the
    invitation code (never the invitee's address). A participant that already exists (one
    who asked for e-mail before submitting) gets what it lacks."""
    from consult import invitations  # consult.invitations imports this module

    survey = response.survey
    values, _ = answer_maps(response)
    group, hood = _participant_links(session, survey, values)
    if group is None or hood is None:
        invited_group, invited_hood = invitations.links_for_code(session, response.invitation_code_id)
        group, hood = group or invited_group, hood or invited_hood
    participant = response.participant
    if participant is None:
        response.participant = Participant(consultation_id=survey.consultation_id,
                                           stakeholder_group=group, neighbourhood=hood)
        session.add(response.participant)
    else:
        participant.stakeholder_group = participant.stakeholder_group or group
        participant.neighbourhood = participant.neighbourhood or hood


def start_assisted_response(session: Session, survey: Survey, channel: Channel, *, entered_by: User) -> Response:
    """A response a staff member enters on a participant's behalf (paper, telephone, meeting)."""
    response = start_response(session, survey, new_token(), channel=channel, entered_by=entered_by)
    record(session, "assisted_entry", response, actor=entered_by, details={"channel": channel.value})
    return response


# -- paper and telephone responses in bulk (rows checked by surveys.bulk) ---------------------------

#: The channels of a bulk import.
BULK_CHANNELS = (Channel.PAPER, Channel.TELEPHONE)


class BulkImportError(ValueError):
    """The import cannot be done (message in Dutch); nothing was stored."""


@dataclass
class ImportResult:
    added: int
    already: int
    #: Responses with open answers: the web layer queues their ``segment_response`` jobs.
    to_segment: list[int] = field(default_factory=list)
    audit_id: int | None = None


@dataclass
class DryRun:
    """What an upload would do: the check, and how many valid rows are new."""
    check: CheckResult
    new: int
    already: int


def survey_choices(survey: Survey) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(neighbourhoods, stakeholder groups)`` as choices for the survey's consultation."""
    c = survey.consultation
    hoods = [(n.name, n.name) for n in c.organisation.neighbourhoods]
    groups = [(g.key, g.label) for g in c.stakeholder_groups]
    return hoods, groups


def check_upload(session: Session, survey: Survey, data: bytes, filename: str, *,
                 today: date | None = None) -> DryRun:
    """The dry run of a bulk upload: nothing is stored. Raises :class:`surveys.bulk.BulkFileError`."""
    hoods, groups = survey_choices(survey)
    result = check_file(data, filename, survey.questions, hoods, groups, today=today)
    new, already = split_new(session, survey, result.rows)
    return DryRun(result, len(new), already)


def import_upload(session: Session, survey: Survey, data: bytes, filename: str, *, channel: Channel,
                  entered_by: User) -> tuple[DryRun, ImportResult | None]:
    """Check the upload again (the survey may have changed since the dry run) and, when it
    has no errors, import it (:func:`import_responses`). ``None`` for the import when the
    check found errors: then nothing is stored."""
    dry = check_upload(session, survey, data, filename)
    if not dry.check.ok:
        return dry, None
    return dry, import_responses(session, survey, dry.check.rows, channel=channel, entered_by=entered_by,
                                 filename=filename, sha256=dry.check.sha256,
                                 duplicates_in_file=dry.check.duplicates)


def imported_keys(session: Session, survey: Survey, keys: list[str]) -> set[str]:
    """Those of ``keys`` that earlier imports into ``survey`` already stored."""
    wanted, found = list(dict.fromkeys(keys)), set()
    for i in range(0, len(wanted), 500):
        found.update(session.scalars(select(Response.import_key).where(
            Response.survey_id == survey.id, Response.import_key.in_(wanted[i:i + 500]))))
    return found


def split_new(session: Session, survey: Survey, rows: list[ParsedRow]) -> tuple[list[ParsedRow], int]:
    """``(rows not imported before, number imported before)``."""
    done = imported_keys(session, survey, [r.key for r in rows])
    new = [r for r in rows if r.key not in done]
    return new, len(rows) - len(new)


def _insert_many(session: Session, model, rows: list[dict[str, Any]]) -> list[int]:
    """INSERT ``rows`` in batches (Core ``insertmanyvalues``); their new ids, in order."""
    if not rows:
        return []
    table = model.__table__
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def import_responses(session: Session, survey: Survey, rows: list[ParsedRow], *, channel: Channel,
                     entered_by: User, filename: str = "", sha256: str = "",
                     duplicates_in_file: int = 0) -> ImportResult:
    """Store checked rows (:func:`surveys.bulk.check_file`) as submitted responses.

    Each new row becomes a submitted response as a participant's own submission would:
    answers, an anonymous participant with the role and neighbourhood, a receipt code;
    plus the ``channel``, who entered it, and the row key as ``import_key`` (rows imported
    before are skipped). The date on the form, when given, is the submission date (noon,
    so that it stays that day in every time zone). All rows are added in the caller's
    transaction with one audit entry (``bulk_import``, with the counts); on a clash with an
    import running at the same moment everything is rolled back and
    :class:`BulkImportError` raised. The caller commits, then queues the segmenting of
    ``to_segment`` as after a normal submission.
    """
    if survey.status == SurveyStatus.DRAFT:
        raise BulkImportError("Deze vragenlijst is nog een concept. Antwoorden invoeren kan pas als hij "
                              "open of gesloten is.")
    if channel not in BULK_CHANNELS:
        raise BulkImportError("Kies papier of telefoon.")
    new, already = split_new(session, survey, rows)
    questions = {q.key: q for q in survey.questions}
    unknown = {k for r in new for k in r.answers} - set(questions)
    if unknown:
        raise BulkImportError("De vragenlijst is veranderd sinds de controle. Upload het bestand opnieuw.")
    now, cache = utcnow(), {}
    receipts: set[str] = set()
    participants, found = [], []
    with session.no_autoflush:
        for row in new:
            values = {k: v for k, (v, _) in row.answers.items() if v is not None}
            group, hood = _participant_links(session, survey, values, cache)
            participants.append({"consultation_id": survey.consultation_id,
                                 "stakeholder_group_id": group.id if group else None,
                                 "neighbourhood_id": hood.id if hood else None})
    # bulk INSERTs (up to 10,000 rows of a file): a unit of work per object is far slower
    try:
        participant_ids = _insert_many(session, Participant, participants)
        response_rows = []
        for row, participant_id in zip(new, participant_ids):
            when = datetime.combine(row.filled_on, time(12)) if row.filled_on else now
            receipt = short_code()
            while receipt in receipts:
                receipt = short_code()
            receipts.add(receipt)
            response_rows.append({
                "survey_id": survey.id, "participant_id": participant_id, "channel": channel,
                "status": ResponseStatus.SUBMITTED, "entered_by_id": entered_by.id, "import_key": row.key,
                "receipt_code": receipt, "started_at": when, "submitted_at": when})
        response_ids = _insert_many(session, Response, response_rows)
        answer_rows = [{"response_id": response_id, "question_id": questions[k].id, "value": v, "text": t}
                       for row, response_id in zip(new, response_ids) for k, (v, t) in row.answers.items()]
        if answer_rows:
            session.execute(insert(Answer.__table__), answer_rows)
    except IntegrityError:
        session.rollback()
        raise BulkImportError("Iemand anders voerde net (een deel van) dezelfde antwoorden in. Er is niets "
                              "ingevoerd. Upload het bestand opnieuw: wat al is ingevoerd, komt er niet "
                              "dubbel in.") from None
    entry = record(session, "bulk_import", survey, actor=entered_by, details={
        "channel": channel.value, "added": len(new), "already": already,
        "duplicates_in_file": duplicates_in_file, "filename": filename, "sha256": sha256})
    session.flush()
    to_segment = [response_id for row, response_id in zip(new, response_ids)
                  if any(t and t.strip() for _, t in row.answers.values())]
    return ImportResult(added=len(new), already=already, to_segment=to_segment, audit_id=entry.id)


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
