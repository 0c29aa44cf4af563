"""Survey rows from definitions: create, edit (rebuild the questions), status — and the audit."""
from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from consult.models import AuditLog, QuestionType, Response, Survey, SurveyAccess, SurveyStatus, User
from surveys import store
from surveys.definition import DefinitionError, parse_definition

DEFINITION = """
slug: buurt
title: Uw buurt
introduction: Vertel ons over uw buurt.
access: invitation
sections:
  - title: Wonen
    questions:
      - {key: wijk, type: neighbourhood, label: "Waar woont u?", required: true}
      - {key: fijn, type: scale, label: "Hoe fijn woont u?", min: 1, max: 3}
  - title: Ideeën
    questions:
      - {key: idee, type: text_long, label: "Wat is uw idee?", condition: {question: fijn, equals: 1}}
"""


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_create_survey_builds_questions_in_order(session, consultation):
    before = len(_actions(session))
    survey = store.create_survey(session, consultation, parse_definition(DEFINITION))
    session.commit()
    session.expire_all()
    survey = session.get(Survey, survey.id)
    assert (survey.slug, survey.title, survey.introduction) == ("buurt", "Uw buurt", "Vertel ons over uw buurt.")
    assert survey.access == SurveyAccess.INVITATION and survey.status == SurveyStatus.DRAFT
    assert [(q.key, q.position, q.section, q.type) for q in survey.questions] == [
        ("wijk", 0, 0, QuestionType.NEIGHBOURHOOD), ("fijn", 1, 0, QuestionType.SCALE),
        ("idee", 2, 1, QuestionType.TEXT_LONG)]
    assert survey.questions[0].required and survey.questions[1].options["max"] == 3
    assert survey.questions[2].condition == {"question": "fijn", "equals": 1}
    assert survey.section_titles == ["Wonen", "Ideeën"]
    assert len(_actions(session)) == before  # no actor (demo, fixtures): nothing recorded


def test_create_survey_refuses_a_second_survey_with_the_slug(session, consultation):
    user = session.scalar(select(User).where(User.email == "beleid@test.nl"))
    survey = store.create_survey(session, consultation, parse_definition(DEFINITION), actor=user)
    session.commit()
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "create_survey"))
    assert entry.entity_id == survey.id and entry.user_id == user.id
    assert entry.details == {"slug": "buurt", "questions": 3}
    with pytest.raises(DefinitionError, match="er is al een vragenlijst met slug 'buurt'"):
        store.create_survey(session, consultation, parse_definition(DEFINITION), actor=user)
    assert session.scalars(select(Survey.slug).where(Survey.slug == "buurt")).all() == ["buurt"]


def test_update_survey_rebuilds_questions_and_keeps_the_slug(session, consultation, world):
    session.expire_all()  # the definition as stored (JSON), not the dict the fixture built
    survey = session.get(Survey, world.survey_id)
    old_definition = survey.definition
    changed = yaml.safe_load(DEFINITION)
    changed["slug"] = "andere-slug"  # public links use the slug: it must not change
    store.update_survey(session, survey, parse_definition(changed), actor="cli")
    session.commit()
    session.expire_all()
    survey = session.get(Survey, world.survey_id)
    assert survey.slug == "wmo-vragen" and survey.definition["slug"] == "wmo-vragen"
    assert survey.title == "Uw buurt" and survey.access == SurveyAccess.INVITATION
    assert [q.key for q in survey.questions] == ["wijk", "fijn", "idee"]
    assert [q.position for q in survey.questions] == [0, 1, 2]
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "update_survey"))
    assert entry.actor == "cli" and entry.details == {"old_definition": old_definition, "questions": 3}


def test_update_survey_is_refused_once_someone_answered(session, world):
    survey = session.get(Survey, world.survey_id)
    keys = [q.key for q in survey.questions]
    session.add(Response(survey_id=survey.id))
    session.commit()
    assert store.response_count(session, survey) == 1
    with pytest.raises(store.SurveyLockedError, match="al \\(deels\\) ingevuld"):
        store.update_survey(session, survey, parse_definition(DEFINITION), actor="cli")
    session.rollback()
    assert [q.key for q in session.get(Survey, world.survey_id).questions] == keys
    assert "update_survey" not in _actions(session)


def test_set_status_is_recorded(session, world):
    survey = session.get(Survey, world.survey_id)
    store.set_status(session, survey, SurveyStatus.CLOSED, actor="cli")
    session.commit()
    assert survey.status_label == "gesloten" and not survey.is_open()
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "survey_status"))
    assert entry.details == {"from": "open", "to": "closed"}
