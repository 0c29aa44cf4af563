"""The demo: what it builds, idempotency, and that it is what the web shows."""
from __future__ import annotations

from sqlalchemy import distinct, func, select

from consult.db import session_scope
from consult.demo import DEMO_SLUG, N_RESPONSES, build_demo, demo_counts
from consult.models import (
    AssignmentStatus, CodeAssignment, Document, Segment, AdvicePoint, Answer, Channel, Consultation, Meeting, MeetingAttendance, MeetingType, Participant,
    Response, StakeholderGroup, Stance,
)


def _sessions(app):
    return app.extensions["consult.sessions"]


def test_demo_contents(demo_app):
    with session_scope(_sessions(demo_app)) as s:
        c = s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        counts = demo_counts(s, c)
        assert counts["wijkbijeenkomsten"] == 6
        # 250 people took part in the six wijkbijeenkomsten, as in Deventer.
        wijk_attendance = s.scalar(select(func.sum(MeetingAttendance.count)).join(Meeting).where(
            Meeting.consultation_id == c.id, Meeting.type == MeetingType.WIJKBIJEENKOMST))
        assert wijk_attendance == 250
        assert counts["responses"] == N_RESPONSES == 250
        assert all(m.documents and len(m.documents[0].text) > 300 for m in c.meetings)

        # Responses are spread over neighbourhoods, stakeholder groups and channels.
        hoods = s.scalar(select(func.count(func.distinct(Participant.neighbourhood_id))).where(
            Participant.consultation_id == c.id))
        groups = s.execute(select(StakeholderGroup.key, func.count(Participant.id)).join(
            Participant, Participant.stakeholder_group_id == StakeholderGroup.id).where(
            StakeholderGroup.consultation_id == c.id).group_by(StakeholderGroup.key)).all()
        channels = {ch for (ch,) in s.execute(select(Response.channel).distinct())}
        assert hoods == 10 and len(groups) >= 7 and channels == set(Channel) - {Channel.MEETING}
        assert max(n for _, n in groups) < 250 * 0.5

        # Every submitted response has the required open answer; receipt codes are unique.
        codes = s.scalars(select(Response.receipt_code)).all()
        assert len(set(codes)) == len(codes) == 250
        better = s.scalars(select(Answer.text).join(Answer.question).where(
            Answer.text.is_not(None))).all()
        assert len(better) >= 250 and all(t.strip() for t in better)

        # The ASDD advice: 11 points, 9 answered with a stance, 2 unanswered (A4, A8).
        points = s.scalars(select(AdvicePoint).order_by(AdvicePoint.position)).all()
        assert [p.label for p in points] == [f"A{i}" for i in range(1, 12)]
        unanswered = [p.label for p in points if p.response is None]
        assert unanswered == ["A4", "A8"]
        assert points[5].response.stance == Stance.DEELS_OVERGENOMEN  # A6: R3 partly, R5 fully
        assert {link.paragraph.label for link in points[5].links} == {"R3", "R5"}
        assert c.codebook_version.codebook.name == "Wmo sociaal domein"

        # Segmented and coded: generated themes accepted (coder "demo"), the rest suggested.
        assert counts["segments"] > 900
        assert counts["accepted_codes"] > 600 and counts["suggested_codes"] > 100
        coders = set(s.scalars(select(CodeAssignment.coder).distinct()))
        assert "demo" in coders and any(c.startswith(("model:", "rule:")) for c in coders)
        # Meeting notes reviewed as a team would: most suggestions accepted, some rejected,
        # a few themes added by a person; little left unreviewed (the numbered headings of
        # the notes, "1. Eenzaamheid", are headings now, not segments with suggestions).
        notes = dict(s.execute(select(CodeAssignment.status, func.count(CodeAssignment.id)).join(Segment).where(
            Segment.consultation_id == c.id, Segment.document_id.is_not(None)).group_by(CodeAssignment.status)).all())
        assert notes[AssignmentStatus.ACCEPTED] > 80 and 0 < notes[AssignmentStatus.REJECTED] < 20
        assert notes.get(AssignmentStatus.SUGGESTED, 0) < 10
        headings = s.scalars(select(Segment.text).where(Segment.consultation_id == c.id,
                                                        Segment.document_id.is_not(None))).all()
        assert "Eenzaamheid" not in headings and "Jongeren en gezinnen" not in headings
        added = s.scalar(select(func.count(CodeAssignment.id)).join(Segment).where(
            Segment.document_id.is_not(None), CodeAssignment.coder == "demo"))
        assert added > 10
        decided = s.scalars(select(CodeAssignment).join(Segment).where(
            Segment.document_id.is_not(None), CodeAssignment.status != AssignmentStatus.SUGGESTED)).all()
        assert all(a.decided_at is not None for a in decided)
        meetings_coded = s.scalar(select(func.count(distinct(Meeting.id))).select_from(CodeAssignment)
                                  .join(Segment).join(Document, Document.id == Segment.document_id).join(Meeting)
                                  .where(CodeAssignment.status == AssignmentStatus.ACCEPTED))
        assert meetings_coded == 8


def test_demo_is_idempotent(demo_app):
    with session_scope(_sessions(demo_app)) as s:
        c = s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        before = demo_counts(s, c)
    with session_scope(_sessions(demo_app)) as s:
        result = build_demo(s)
    assert result.created is False and result.counts == before
    with session_scope(_sessions(demo_app)) as s:
        assert s.scalar(select(func.count(Consultation.id))) == 1


def test_demo_reset_rebuilds_identically(app):
    with session_scope(_sessions(app)) as s:
        first = build_demo(s, code=False)
    with session_scope(_sessions(app)) as s:
        codes_before = sorted(s.scalars(select(Response.receipt_code)))
    with session_scope(_sessions(app)) as s:
        second = build_demo(s, reset=True, code=False)
    assert first.created and second.created and first.counts == second.counts
    with session_scope(_sessions(app)) as s:
        assert sorted(s.scalars(select(Response.receipt_code))) == codes_before
        assert s.scalar(select(func.count(Consultation.id))) == 1


def test_demo_consultation_page(demo_app):
    client = demo_app.test_client()
    home = client.get("/")
    assert home.status_code == 200 and "Verkenning Wmo" in home.text
    page = client.get(f"/c/{DEMO_SLUG}")
    assert page.status_code == 200
    html = page.text
    assert "Wijkbijeenkomst Keizerslanden" in html and "Dorpsbijeenkomst Bathmen" in html
    assert "250 keer ingevuld" in html
    assert "Adviesraad Sociaal Domein Deventer" in html
    assert html.count("Nog geen reactie van de gemeente op dit punt") == 2
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert client.get("/c/bestaat-niet").status_code == 404
