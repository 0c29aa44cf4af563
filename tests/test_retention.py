"""Retention of raw text: `consult privacy purge [--dry-run]` masks unmasked text for good
in consultations reported longer ago than CONSULT_RETENTION_MONTHS."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import select

from consult.cli import cli
from consult.db import session_scope
from consult.models import (
    Answer, AuditLog, Consultation, ConsultationStatus, Document, Meeting, Participant, Response, ResponseStatus, Segment,
    Survey,
)
from consult.retention import add_months, due_for_purge, purge_due_on
from tests.web.conftest import SLUG, build_world

PII = "Bel mevrouw Jansen op 06-12345678"


def invoke(app, args):
    return CliRunner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: app))


@pytest.fixture
def reported(app):
    """The test consultation, reported 13 months ago, with an answer, notes and a contact address."""
    with session_scope(app.extensions["consult.sessions"]) as s:
        build_world(s)
        c = s.scalar(select(Consultation).where(Consultation.slug == SLUG))
        c.reported_on = add_months(date.today(), -13)
        c.status = ConsultationStatus.REPORTED
        survey = s.scalar(select(Survey).where(Survey.consultation_id == c.id))
        p = Participant(consultation=c, contact_consent=True, contact_email="piet@voorbeeld.nl")
        r = Response(survey=survey, participant=p, status=ResponseStatus.SUBMITTED, receipt_code="AAAA-BBBB-CCCC")
        s.add(r)  # before the lazy load of survey.questions autoflushes
        r.answers.append(Answer(question=survey.questions[0], text=f"{PII}, zij weet er meer van."))
        doc = s.scalar(select(Document).where(Document.consultation_id == c.id))
        doc.original = doc.text.encode("utf-8")
        doc.filename = "verslag_bij_mevrouw_Jansen.docx"
        meeting = s.scalar(select(Meeting).where(Meeting.consultation_id == c.id))
        meeting.title, meeting.place = "Keukentafelgesprek bij mevrouw Jansen", "Kerkstraat 12a, Deventer"
    return app


def test_months_and_due_dates():
    assert add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2019, 11, 15), 14) == date(2021, 1, 15)
    assert add_months(date(2019, 3, 15), -13) == date(2018, 2, 15)
    c = Consultation(slug="x", title="x", status=ConsultationStatus.OPEN)
    assert purge_due_on(c, 12) is None
    c.status = ConsultationStatus.REPORTED  # setting "reported" notes the day
    assert c.reported_on == date.today() and purge_due_on(c, 12) == add_months(date.today(), 12)


def test_dry_run_changes_nothing_then_purge_masks_for_good(reported):
    app = reported
    sessions = app.extensions["consult.sessions"]
    r = invoke(app, ["privacy", "purge", "--dry-run"])
    assert r.exit_code == 0, r.output
    assert f"Would purge {SLUG}" in r.output and "1 documents" in r.output and "1 contact addresses" in r.output
    assert "Dry run: nothing was changed." in r.output
    with session_scope(sessions) as s:
        assert PII in s.scalar(select(Answer.text))
        assert s.scalar(select(Participant.contact_email)) == "piet@voorbeeld.nl"

    from consult.reporting import lemma_store

    with session_scope(sessions) as s:
        store = lemma_store(app.instance_path, s.scalar(select(Consultation).where(Consultation.slug == SLUG)))
    store.put({"Bel [naam].": [("bellen", "VERB")]})
    assert store.get(["Bel [naam]."])
    r = invoke(app, ["privacy", "purge"])
    assert r.exit_code == 0 and f"Purged {SLUG}" in r.output, r.output
    assert store.get(["Bel [naam]."]) == {}  # the reports' lemma cache is emptied with the purge
    with session_scope(sessions) as s:
        texts = [a for (a,) in s.execute(select(Answer.text))] + [d for (d,) in s.execute(select(Document.text))] \
            + [t for (t,) in s.execute(select(Segment.text))] + [d for (d,) in s.execute(select(Document.filename))] \
            + [x for m in s.scalars(select(Meeting)) for x in (m.title, m.place or "")]
        assert texts and not any("Jansen" in t or "06-12345678" in t or "Kerkstraat 12" in t for t in texts)
        assert all(seg.text == seg.masked_text for seg in s.scalars(select(Segment)))
        assert s.scalar(select(Document.original)) is None
        assert s.scalar(select(Participant.contact_email)) is None
        c = s.scalar(select(Consultation).where(Consultation.slug == SLUG))
        assert c.raw_text_purged_at is not None
        entry = s.scalars(select(AuditLog).where(AuditLog.action == "purge_raw_text")).one()
        assert entry.details["retention_months"] == 12 and "Jansen" not in str(entry.details)
    # the masked text, the codes and the report material stay; a second run finds nothing
    r = invoke(app, ["privacy", "purge"])
    assert r.exit_code == 0 and "Nothing to purge" in r.output


def test_consultations_not_yet_due_keep_their_text(reported):
    sessions = reported.extensions["consult.sessions"]
    with session_scope(sessions) as s:
        c = s.scalar(select(Consultation).where(Consultation.slug == SLUG))
        c.reported_on = date.today() - timedelta(days=30)
    r = invoke(reported, ["privacy", "purge"])
    assert r.exit_code == 0 and "Nothing to purge" in r.output
    with session_scope(sessions) as s:
        assert PII in s.scalar(select(Answer.text))
        assert due_for_purge(s, 1, today=date.today() + timedelta(days=40))  # a shorter retention would


def test_the_consultation_page_says_how_long_raw_text_is_kept(reported):
    html = reported.test_client().get(f"/c/{SLUG}").get_data(as_text=True)
    assert "Wat bewaren wij, hoe lang en waarom?" in html and "12 maanden nadat het verslag klaar is" in html
    assert "terugkoppeling" in html
