"""Survey rows from a parsed definition: creating, editing and opening/closing surveys.

The one place where a :class:`surveys.definition.SurveyDef` becomes ``Survey`` and
``Question`` rows: the staff screens, the demo and the tests all go through here.
Changes made by a person (``actor``) are recorded in the audit log; the caller commits.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.audit import record
from consult.models import (
    Consultation, Question, QuestionType, Response, Survey, SurveyAccess, SurveyStatus, User,
)
from surveys.definition import DefinitionError, SurveyDef


LOCKED_MESSAGE = "Deze vragenlijst is al (deels) ingevuld. Vragen wijzigen kan dan niet meer."


class SurveyLockedError(ValueError):
    """The survey has responses, so its questions can no longer change (message in Dutch)."""


def build_questions(survey: Survey, definition: SurveyDef) -> None:
    """(Re)build ``survey``'s questions and texts from ``definition``.

    Existing questions are replaced; only call this while the survey has no responses
    (answers point at questions). The slug is left alone: it is part of public links.
    """
    survey.title, survey.introduction = definition.title, definition.introduction
    survey.access = SurveyAccess(definition.access)
    survey.questions.clear()
    for position, q in enumerate(definition.questions):
        survey.questions.append(Question(
            key=q.key, position=position, section=q.section, type=QuestionType(q.type),
            label=q.label, help_text=q.help_text, required=q.required, options=q.options,
            condition=q.condition))


def create_survey(session: Session, consultation: Consultation, definition: SurveyDef, *,
                  status: SurveyStatus = SurveyStatus.DRAFT, actor: User | str | None = None) -> Survey:
    """A new survey of ``consultation`` built from ``definition``.

    Raises :class:`DefinitionError` when the consultation already has a survey with the
    definition's slug. With an ``actor`` the creation is recorded in the audit log.
    """
    if consultation.id is not None and session.scalar(select(Survey.id).where(
            Survey.consultation_id == consultation.id, Survey.slug == definition.slug)):
        raise DefinitionError(f"er is al een vragenlijst met slug {definition.slug!r}")
    survey = Survey(consultation=consultation, slug=definition.slug, status=status,
                    definition=definition.source)
    session.add(survey)
    build_questions(survey, definition)
    session.flush()
    if actor is not None:
        record(session, "create_survey", survey, actor=actor,
               details={"slug": survey.slug, "questions": len(survey.questions)})
    return survey


def response_count(session: Session, survey: Survey) -> int:
    """Responses of ``survey`` in any state (started ones count: they hold answers)."""
    return session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def update_survey(session: Session, survey: Survey, definition: SurveyDef, *,
                  actor: User | str) -> Survey:
    """Replace ``survey``'s questions and texts by ``definition``; the slug stays.

    Raises :class:`SurveyLockedError` once anyone has started answering.
    """
    if response_count(session, survey):
        raise SurveyLockedError(LOCKED_MESSAGE)
    old: dict[str, Any] = survey.definition
    survey.questions.clear()
    session.flush()  # delete the old questions before new ones take their keys
    build_questions(survey, definition)
    definition.source["slug"] = survey.slug  # the slug is part of public links: keep it
    survey.definition = definition.source
    record(session, "update_survey", survey, actor=actor,
           details={"old_definition": old, "questions": len(definition.questions)})
    session.flush()
    return survey


def set_status(session: Session, survey: Survey, status: SurveyStatus, *, actor: User | str) -> None:
    """Open, close or return ``survey`` to draft (recorded)."""
    old = survey.status
    survey.status = status
    record(session, "survey_status", survey, actor=actor, details={"from": old.value, "to": status.value})
