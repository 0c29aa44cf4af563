"""Consultations (trajecten): creating, editing, status, archiving, stakeholder groups.

The one home of a consultation's life cycle. The workspace screens
(``consult.web.consultations``) parse forms and call these functions; each change is
recorded in the audit log and the caller commits. Errors are :class:`ConsultationError`
with a Dutch message for the page.

Status: draft -> open -> closed -> reported, and closed -> open again. A draft is not
public (``consult.security.public_consultation``); closing a consultation closes its open
surveys, so they take no more answers; "reported" is final and sets ``reported_on``.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consult import membership
from consult.audit import record
from consult.db import utcnow
from consult.models import (
    DEFAULT_STAKEHOLDER_GROUPS, Answer, Consultation, ConsultationStatus, MeetingAttendance, Participant, Question,
    QuestionType, Role, Segment, StakeholderGroup, Survey, SurveyStatus, User,
)
from consult.organisation import OrganisationError, renumber, move_in_list, slugify, the_organisation
from surveys import store

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_TAKEN = "Dit webadres is al in gebruik. Kies een andere korte naam."


class ConsultationError(OrganisationError):
    """Input that cannot be stored (Dutch message; ``field`` names the form field)."""


@dataclass
class ConsultationDetails:
    """What a policy writer fills in about a consultation."""

    title: str
    slug: str = ""
    summary: str = ""
    description: str = ""
    policy_field: str = ""
    decision_maker: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    timeline: str = ""
    follow_up: str = ""
    privacy_statement: str = ""
    contact: str = ""

    def cleaned(self) -> ConsultationDetails:
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in asdict(self).items()}
        return ConsultationDetails(**values)


# -- slugs --------------------------------------------------------------------------------

def slug_taken(session: Session, slug: str, exclude: Consultation | None = None) -> bool:
    found = Consultation.by_slug(session, slug)
    return found is not None and found is not exclude


def suggest_slug(session: Session, title: str) -> str:
    """A free slug made from ``title`` ("Wmo in Deventer" -> "wmo-in-deventer", then "-2" ...)."""
    base = slugify(title, max_length=72) or "raadpleging"
    slug, n = base, 2
    while slug_taken(session, slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_slug(session: Session, slug: str, exclude: Consultation | None = None) -> str:
    if not SLUG_PATTERN.match(slug or "") or len(slug) > 80:
        raise ConsultationError("Gebruik voor de korte naam alleen kleine letters, cijfers en streepjes "
                                "(niet aan het begin of eind), bijvoorbeeld wmo-2024.", "slug")
    if slug_taken(session, slug, exclude):
        raise ConsultationError(SLUG_TAKEN, "slug")
    return slug


def _check_details(d: ConsultationDetails) -> None:
    if not d.title:
        raise ConsultationError("Vul een titel in.", "title")
    if len(d.title) > 300:
        raise ConsultationError("De titel is te lang (meer dan 300 tekens).", "title")
    if d.starts_on and d.ends_on and d.ends_on < d.starts_on:
        raise ConsultationError("De einddatum ligt voor de begindatum.", "ends_on")
    for name, limit in (("policy_field", 120), ("decision_maker", 300)):
        if len(getattr(d, name)) > limit:
            raise ConsultationError(f"Dit veld is te lang (meer dan {limit} tekens).", name)


FIELDS = ("title", "summary", "description", "policy_field", "decision_maker", "starts_on", "ends_on",
          "timeline", "follow_up", "privacy_statement", "contact")


def _audit_value(value):
    return value.isoformat() if isinstance(value, date) else value


# -- create and edit ----------------------------------------------------------------------

def create_consultation(session: Session, details: ConsultationDetails, *, actor: User,
                        organisation_name: str = "Gemeente") -> Consultation:
    """A new draft consultation of the installation's organisation, with the default
    stakeholder groups. A creator who is not an administrator becomes a member."""
    d = details.cleaned()
    _check_details(d)
    slug = check_slug(session, d.slug) if d.slug else suggest_slug(session, d.title)
    org = the_organisation(session, organisation_name)
    c = Consultation(organisation=org, slug=slug, status=ConsultationStatus.DRAFT,
                     **{name: getattr(d, name) for name in FIELDS})
    for i, (key, label) in enumerate(DEFAULT_STAKEHOLDER_GROUPS):
        c.stakeholder_groups.append(StakeholderGroup(key=key, label=label, position=i))
    session.add(c)
    session.flush()
    record(session, "create_consultation", c, actor=actor, details={"slug": slug, "title": c.title})
    if actor.role != Role.ADMINISTRATOR:
        membership.add_member(session, c, actor, actor=actor)
    return c


def update_consultation(session: Session, c: Consultation, details: ConsultationDetails, *,
                        actor: User) -> dict:
    """Change the texts and dates; the slug only while the consultation is a draft (its
    public address may already be on posters and letters). Returns what changed."""
    d = details.cleaned()
    _check_details(d)
    changed = {}
    if d.slug and d.slug != c.slug:
        if c.status != ConsultationStatus.DRAFT:
            raise ConsultationError("Het webadres kan alleen veranderen zolang de raadpleging "
                                    "in voorbereiding is.", "slug")
        check_slug(session, d.slug, exclude=c)
        changed["slug"] = d.slug
        c.slug = d.slug
    for name in FIELDS:
        value = getattr(d, name)
        if getattr(c, name) != value:
            changed[name] = _audit_value(value)
            setattr(c, name, value)
    if changed:
        record(session, "update_consultation", c, actor=actor, details=changed)
    return changed


# -- status -------------------------------------------------------------------------------

S = ConsultationStatus
#: Allowed changes: (from, to) -> (button text, what it means).
TRANSITIONS: dict[tuple[ConsultationStatus, ConsultationStatus], tuple[str, str]] = {
    (S.DRAFT, S.OPEN): ("Openzetten voor inbreng",
                        "De raadpleging wordt zichtbaar voor iedereen. Open vragenlijsten kunnen worden ingevuld."),
    (S.OPEN, S.CLOSED): ("Sluiten",
                         "Niemand kan nog iets invullen. Alle open vragenlijsten gaan dicht. "
                         "De pagina blijft zichtbaar."),
    (S.CLOSED, S.OPEN): ("Weer openzetten",
                         "De raadpleging is weer open. Zet daarna de vragenlijsten die weer open moeten zelf open."),
    (S.CLOSED, S.REPORTED): ("Verslag is gepubliceerd",
                             "Het verslag is klaar en openbaar. Dit is de laatste stap: "
                             "daarna kan de status niet meer veranderen."),
}

#: Why a change is not possible, per target status.
REFUSALS = {
    S.DRAFT: "Een raadpleging die al open is geweest, kan niet meer terug naar 'in voorbereiding'.",
    S.OPEN: "Alleen een raadpleging in voorbereiding of een gesloten raadpleging kan open.",
    S.CLOSED: "Alleen een open raadpleging kan dicht.",
    S.REPORTED: "Sluit de raadpleging eerst. Daarna kunt u aangeven dat het verslag is gepubliceerd.",
}


def open_blockers(c: Consultation) -> list[str]:
    """What is missing before ``c`` can open (Dutch; empty when it can)."""
    missing = []
    if not (c.title or "").strip():
        missing.append("Vul eerst een titel in.")
    if not (c.description or "").strip():
        missing.append("Vul eerst een beschrijving in, zodat inwoners weten waar het over gaat.")
    return missing


def transitions(c: Consultation) -> list[tuple[ConsultationStatus, str, str, list[str]]]:
    """The status changes possible from here: (status, button, explanation, blockers)."""
    result = []
    for (old, new), (button, explanation) in TRANSITIONS.items():
        if old == c.status:
            result.append((new, button, explanation, open_blockers(c) if new == S.OPEN else []))
    return result


def set_status(session: Session, c: Consultation, status: ConsultationStatus, *, actor: User) -> list[Survey]:
    """Change the status when allowed (raises :class:`ConsultationError` otherwise).

    Closing (or publishing the report) closes the open surveys; returns those."""
    status = ConsultationStatus(status)
    old = c.status
    if status == old:
        return []
    if c.status == S.REPORTED:
        raise ConsultationError("Het verslag is gepubliceerd. De status kan daarna niet meer veranderen.", "status")
    if (old, status) not in TRANSITIONS:
        raise ConsultationError(REFUSALS[status], "status")
    if status == S.OPEN:
        blockers = open_blockers(c)
        if blockers:
            raise ConsultationError(" ".join(blockers), "status")
    c.status = status  # "reported" sets reported_on (model validator)
    closed = []
    if status in (S.CLOSED, S.REPORTED):
        from consult.mail import forget_invitation_addresses

        forget_invitation_addresses(session, c)  # invitees' addresses go when it closes
        for survey in c.surveys:
            if survey.status == SurveyStatus.OPEN:
                store.set_status(session, survey, SurveyStatus.CLOSED, actor=actor)
                closed.append(survey)
    record(session, "consultation_status", c, actor=actor,
           details={"from": old.value, "to": status.value, "closed_surveys": [s.slug for s in closed]})
    return closed


def archive(session: Session, c: Consultation, *, actor: User) -> bool:
    """Move ``c`` out of the workspace lists (nothing is deleted); False when it already was."""
    if c.archived_at is not None:
        return False
    c.archived_at = utcnow()
    record(session, "archive_consultation", c, actor=actor)
    return True


def unarchive(session: Session, c: Consultation, *, actor: User) -> bool:
    if c.archived_at is None:
        return False
    c.archived_at = None
    record(session, "unarchive_consultation", c, actor=actor)
    return True


# -- stakeholder groups -------------------------------------------------------------------

def _check_label(c: Consultation, label: str, exclude: StakeholderGroup | None = None) -> str:
    label = (label or "").strip()
    if not label:
        raise ConsultationError("Vul een naam in.", "label")
    if len(label) > 120:
        raise ConsultationError("De naam is te lang (meer dan 120 tekens).", "label")
    for g in c.stakeholder_groups:
        if g is not exclude and g.label.lower() == label.lower():
            raise ConsultationError(f"Er is al een groep met de naam {g.label}.", "label")
    return label


def add_group(session: Session, c: Consultation, label: str, *, actor: User) -> StakeholderGroup:
    label = _check_label(c, label)
    base = slugify(label, separator="_", max_length=50) or "groep"
    keys = {g.key for g in c.stakeholder_groups}
    key, n = base, 2
    while key in keys:
        key, n = f"{base}_{n}", n + 1
    group = StakeholderGroup(key=key, label=label, position=len(c.stakeholder_groups))
    c.stakeholder_groups.append(group)
    session.flush()
    record(session, "add_stakeholder_group", group, actor=actor, details={"key": key, "label": label})
    return group


def rename_group(session: Session, group: StakeholderGroup, label: str, *, actor: User) -> bool:
    """A new label; the key stays, so answers and reports keep pointing at the group."""
    label = _check_label(group.consultation, label, exclude=group)
    if label == group.label:
        return False
    old = group.label
    group.label = label
    record(session, "rename_stakeholder_group", group, actor=actor, details={"from": old, "to": label})
    return True


def merge_groups(session: Session, source: StakeholderGroup, target: StakeholderGroup, *,
                 actor: User) -> dict[str, int]:
    """Move everything of ``source`` to ``target`` and delete ``source``: participants,
    segments, meeting attendance (counts added up when a meeting has both) and survey
    answers that chose it. Returns how many rows moved."""
    if source.id == target.id:
        raise ConsultationError("Kies een andere groep om mee samen te voegen.", "target")
    if source.consultation_id != target.consultation_id:
        raise ConsultationError("Die groep hoort bij een andere raadpleging.", "target")
    c = source.consultation
    moved = {
        "participants": session.execute(update(Participant).where(Participant.stakeholder_group_id == source.id)
                                        .values(stakeholder_group_id=target.id)).rowcount,
        "segments": session.execute(update(Segment).where(Segment.stakeholder_group_id == source.id)
                                    .values(stakeholder_group_id=target.id)).rowcount,
        "attendance": 0,
        "answers": 0,
    }
    target_rows = {a.meeting_id: a for a in session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.stakeholder_group_id == target.id))}
    for row in session.scalars(select(MeetingAttendance).where(
            MeetingAttendance.stakeholder_group_id == source.id)).all():
        moved["attendance"] += 1
        if row.meeting_id in target_rows:
            target_rows[row.meeting_id].count += row.count
            session.delete(row)
        else:
            row.stakeholder_group_id = target.id
    session.flush()
    answers = session.scalars(
        select(Answer).join(Question, Answer.question_id == Question.id).join(Survey, Question.survey_id == Survey.id)
        .where(Survey.consultation_id == c.id, Question.type == QuestionType.STAKEHOLDER_ROLE)).all()
    for a in answers:
        if a.value == source.key:
            a.value = target.key
            moved["answers"] += 1
    record(session, "merge_stakeholder_group", target, actor=actor,
           details={"merged": source.id, "merged_key": source.key, "merged_label": source.label,
                    "into": target.key, **moved})
    c.stakeholder_groups.remove(source)  # delete-orphan
    session.flush()
    renumber(c.stakeholder_groups)
    return moved


def move_group(session: Session, group: StakeholderGroup, offset: int, *, actor: User) -> bool:
    """One place up (-1) or down (+1); False at the edge."""
    moved = move_in_list(group.consultation.stakeholder_groups, group, offset)
    if moved:
        record(session, "move_stakeholder_group", group, actor=actor, details={"position": group.position})
    return moved
