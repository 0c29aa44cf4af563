"""Retention of raw text (AVG): unmasked text is kept only as long as it is needed.

Residents and facilitators write names, addresses and phone numbers into answers and
notes. consult keeps the masked text for good (it is what reports and staff read), and the
raw text until ``CONSULT_RETENTION_MONTHS`` months after the consultation was reported;
then :func:`purge` replaces every raw text by its masked form:

* segments: ``text`` becomes ``masked_text`` (the mask a facilitator may have corrected);
  their character offsets keep pointing into the original, which is gone;
* answers and notes documents: their text is masked by the rules, and uploaded files
  (``Document.original``) are deleted;
* meetings and documents: titles, places and file names are masked as well ("Keukentafel
  bij [naam]"), the form policy writers already saw;
* participants: the contact address left for feedback is deleted, and so is every
  address in the mail log and the invitations (see :mod:`consult.mail`).

The reports' lemma cache (:func:`consult.reporting.lemma_store`) holds lemmas of masked text
only; :func:`purge` does not touch files, the CLI clears that cache with the purge.

The advice and reaction letters are public documents and stay. Every purge is recorded in
the audit log (counts only). ``consult privacy purge [--dry-run]`` runs it.

Generated downloads (reports and data exports under ``<instance>/downloads``) have their
own, shorter retention: ``CONSULT_DOWNLOAD_RETENTION_DAYS`` days, enforced by
:func:`consult.downloads.purge_expired` (from the same command, and whenever the downloads
page is opened). See :mod:`consult.downloads`.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analysis.privacy import mask
from consult.audit import record
from consult.db import utcnow
from consult.models import (
    Answer, Consultation, ConsultationStatus, Document, Meeting, Participant, Response, Segment, Survey,
)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the 31st becomes the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def purge_due_on(consultation: Consultation, months: int) -> date | None:
    """The day the raw text of ``consultation`` is due to go (None while not reported)."""
    if consultation.status != ConsultationStatus.REPORTED or consultation.reported_on is None:
        return None
    return add_months(consultation.reported_on, months)


@dataclass
class PurgeCounts:
    slug: str
    due_on: date
    segments: int
    answers: int
    documents: int
    contact_addresses: int


def due_for_purge(session: Session, months: int, today: date | None = None) -> list[Consultation]:
    today = today or date.today()
    candidates = session.scalars(select(Consultation).where(
        Consultation.status == ConsultationStatus.REPORTED, Consultation.raw_text_purged_at.is_(None),
        Consultation.reported_on.is_not(None)).order_by(Consultation.id)).all()
    return [c for c in candidates if purge_due_on(c, months) <= today]


def _answers(consultation: Consultation):
    return select(Answer).join(Response, Response.id == Answer.response_id).join(
        Survey, Survey.id == Response.survey_id).where(
        Survey.consultation_id == consultation.id, Answer.text.is_not(None))


def count(session: Session, consultation: Consultation, months: int) -> PurgeCounts:
    """What :func:`purge` would change."""
    n_answers = session.scalar(select(func.count()).select_from(_answers(consultation).subquery())) or 0
    return PurgeCounts(
        slug=consultation.slug, due_on=purge_due_on(consultation, months) or date.today(),
        segments=session.scalar(select(func.count(Segment.id)).where(
            Segment.consultation_id == consultation.id, Segment.text != Segment.masked_text)) or 0,
        answers=n_answers,
        documents=session.scalar(select(func.count(Document.id)).where(
            Document.consultation_id == consultation.id)) or 0,
        contact_addresses=session.scalar(select(func.count(Participant.id)).where(
            Participant.consultation_id == consultation.id, Participant.contact_email.is_not(None))) or 0)


def purge(session: Session, consultation: Consultation, months: int, *, actor: str = "system") -> PurgeCounts:
    """Replace the raw text of ``consultation`` by its masked form (see the module docstring)."""
    counts = count(session, consultation, months)
    session.execute(update(Segment).where(Segment.consultation_id == consultation.id)
                    .values(text=Segment.masked_text).execution_options(synchronize_session=False))
    for answer in session.scalars(_answers(consultation)).yield_per(500):
        answer.text = mask(answer.text)
    for document in session.scalars(select(Document).where(Document.consultation_id == consultation.id)):
        document.text = mask(document.text)
        document.original = None
        document.title = mask(document.title) if document.title else document.title
        document.filename = mask(document.filename) if document.filename else document.filename
    for meeting in session.scalars(select(Meeting).where(Meeting.consultation_id == consultation.id)):
        meeting.title = mask(meeting.title) if meeting.title else meeting.title
        meeting.place = mask(meeting.place) if meeting.place else meeting.place
    session.execute(update(Participant).where(Participant.consultation_id == consultation.id)
                    .values(contact_email=None, contact_consent=False).execution_options(synchronize_session=False))
    from consult.mail import forget_all_addresses

    forget_all_addresses(session, consultation)  # invitees and the mail log
    consultation.raw_text_purged_at = utcnow()
    session.flush()
    session.expire_all()
    record(session, "purge_raw_text", consultation, actor=actor, details={
        "retention_months": months, "segments": counts.segments, "answers": counts.answers,
        "documents": counts.documents, "contact_addresses": counts.contact_addresses})
    return counts
