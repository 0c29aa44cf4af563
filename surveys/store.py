"""Creating survey rows from a parsed definition."""
from __future__ import annotations

from sqlalchemy.orm import Session

from consult.models import Consultation, Question, QuestionType, Survey, SurveyAccess, SurveyStatus
from surveys.definition import SurveyDef


def create_survey(session: Session, consultation: Consultation, definition: SurveyDef, *,
                  status: SurveyStatus = SurveyStatus.DRAFT) -> Survey:
    survey = Survey(
        consultation=consultation, slug=definition.slug, title=definition.title,
        introduction=definition.introduction, access=SurveyAccess(definition.access),
        status=status, definition=definition.source)
    session.add(survey)
    for position, q in enumerate(definition.questions):
        survey.questions.append(Question(
            key=q.key, position=position, section=q.section, type=QuestionType(q.type),
            label=q.label, help_text=q.help_text, required=q.required, options=q.options,
            condition=q.condition))
    session.flush()
    return survey
