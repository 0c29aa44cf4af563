"""Responses: starting once, submitting once, invitation codes, counts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from consult.db import utcnow
from consult.models import (
    AuditLog, Channel, InvitationCode, Response, ResponseStatus, Survey, SurveyStatus, User,
)
from surveys import responses as R
from surveys.responses import start_response, submit_response


def submitted_count(session) -> int:
    return session.scalar(select(func.count(Response.id)).where(Response.status == ResponseStatus.SUBMITTED))


def test_two_responses_racing_for_one_invitation_code(world, session):
    """Started at the same moment on two devices: one response, which only one can submit."""
    survey = session.get(Survey, world.survey_id)
    code = InvitationCode(survey=survey, code="AAAA-BBBB-CCCC")
    session.add(code)
    session.flush()
    first = start_response(session, survey, "s1", invitation=code)
    second = start_response(session, survey, "s2", invitation=code)
    session.commit()
    assert second.id == first.id  # the second device resumes the same response
    # The database refuses a second response for the code even when the check is skipped.
    session.add(Response(survey=survey, invitation_code_id=code.id, resume_token="t3",
                         submission_token="s3"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert submit_response(session, first) is True
    session.commit()
    assert submit_response(session, first) is False  # a replay submits nothing new
    assert submitted_count(session) == 1
    assert start_response(session, survey, "s1").id == first.id  # a replayed start finds it


def test_invitation_codes_import_generate_and_export(world, session):
    survey = session.get(Survey, world.survey_id)
    added, skipped = R.create_invitation_codes(session, survey, count=3,
                                               imported=["abcd efgh", "ABCD-EFGH", "", "x" * 50], actor="cli")
    session.commit()
    assert added[0] == "ABCD-EFGH" and len(added) == 4 and skipped == ["ABCD-EFGH", "x" * 50]
    assert all(len(code) == 14 for code in added[1:])
    assert R.invitation_code_counts(session, survey) == (4, 0)
    with pytest.raises(R.InvitationError, match="kennen wij niet"):
        R.find_invitation(session, survey, "ZZZZ-ZZZZ")
    assert R.find_invitation(session, survey, " abcd-efgh ").code == "ABCD-EFGH"
    session.scalar(select(InvitationCode).where(InvitationCode.code == "ABCD-EFGH")).used_at = utcnow()
    session.commit()
    assert R.invitation_code_counts(session, survey) == (4, 1)
    csv = R.invitation_codes_csv(session, survey).splitlines()
    assert csv[0] == "code,gebruikt" and csv[1] == "ABCD-EFGH,ja" and len(csv) == 5
    assert all(line.endswith(",nee") for line in csv[2:])
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "create_invitation_codes"))
    assert entry.details == {"added": 4, "skipped": 2}


def test_assisted_entry_and_submitted_counts(world, consultation, session):
    survey = session.get(Survey, world.survey_id)
    facilitator = session.get(User, world.facilitator_id)
    phone = R.start_assisted_response(session, survey, Channel.TELEPHONE, entered_by=facilitator)
    online = R.start_response(session, survey, R.new_token())
    R.start_response(session, survey, R.new_token())  # started, never submitted: not counted
    session.flush()
    assert phone.entered_by_id == facilitator.id and phone.channel == Channel.TELEPHONE
    for response in (phone, online):
        assert R.submit_response(session, response)
    session.commit()
    assert R.submitted_counts(session, consultation) == {survey.id: {Channel.TELEPHONE: 1, Channel.ONLINE: 1}}
    entry = session.scalar(select(AuditLog).where(AuditLog.action == "assisted_entry"))
    assert entry.entity_id == phone.id and entry.user_id == facilitator.id
    assert entry.details == {"channel": "telephone"}


def test_survey_is_open_only_inside_its_window(world, session):
    survey = session.get(Survey, world.survey_id)
    now = utcnow()
    assert survey.is_open(now)
    survey.opens_at = now + timedelta(days=1)
    assert not survey.is_open(now) and survey.is_open(now + timedelta(days=2))
    survey.opens_at, survey.closes_at = None, now
    assert not survey.is_open(now) and survey.is_open(now - timedelta(seconds=1))
    survey.closes_at, survey.status = None, SurveyStatus.CLOSED
    assert not survey.is_open(now)
