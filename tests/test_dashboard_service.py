"""The results dashboard's numbers (consult.dashboard) against a built world: responses per
day (in Dutch time), channel, neighbourhood and group, attendance, closed questions, themes
from accepted codes, review progress, and the small-count rule everywhere."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import event, select

from consult.dashboard import MIN_CELL, SMALL, consultation_dashboard
from consult.models import (
    Answer, AssignmentStatus, Channel, CodeAssignment, Consultation, MeetingAttendance, Neighbourhood, Origin,
    Participant, Question, Response, ResponseStatus, Segment, StakeholderGroup,
)
from tests.web.conftest import build_world


def _respond(s, world, *, when, channel=Channel.ONLINE, hood=None, group=None, answers=None,
             status=ResponseStatus.SUBMITTED):
    c = s.get(Consultation, world.consultation_id)
    participant = None
    if hood or group:
        participant = Participant(
            consultation_id=c.id,
            neighbourhood_id=s.scalar(select(Neighbourhood.id).where(Neighbourhood.name == hood)) if hood else None,
            stakeholder_group_id=s.scalar(select(StakeholderGroup.id).where(
                StakeholderGroup.consultation_id == c.id, StakeholderGroup.key == group)) if group else None)
        s.add(participant)
    r = Response(survey_id=world.survey_id, participant=participant, channel=channel, status=status,
                 submitted_at=when if status == ResponseStatus.SUBMITTED else None)
    s.add(r)
    s.flush()
    questions = {q.key: q.id for q in s.scalars(select(Question).where(Question.survey_id == world.survey_id))}
    for key, value in (answers or {}).items():
        s.add(Answer(response_id=r.id, question_id=questions[key], value=value,
                     text="iets anders" if value == ["anders"] else None))
    return r


def add_results(s, world) -> None:
    """7 online (Keizerslanden, mantelzorger), 2 paper (Bathmen, inwoner), 1 telephone without
    participant, 1 unfinished; attendance 14 inwoners and 3 mantelzorgers; codes decided."""
    full = {"zwaarte": "zwaar", "tevreden": 4, "belangrijk": ["hulp_dichtbij", "minder_regels"],
            "volgorde": ["snelheid", "deskundigheid"]}
    for i in range(5):
        _respond(s, world, when=datetime(2019, 5, 1, 10, i), hood="Keizerslanden", group="mantelzorger",
                 answers=full)
    # 22:30 UTC on 2 May is 00:30 on 3 May in the Netherlands (summer time)
    _respond(s, world, when=datetime(2019, 5, 2, 22, 30), hood="Keizerslanden", group="mantelzorger", answers=full)
    _respond(s, world, when=datetime(2019, 5, 2, 22, 45), hood="Keizerslanden", group="mantelzorger",
             answers={"zwaarte": "licht", "tevreden": 2, "belangrijk": ["anders"]})
    for i in range(2):
        _respond(s, world, when=datetime(2019, 5, 3, 9, i), channel=Channel.PAPER, hood="Bathmen", group="inwoner",
                 answers={"tevreden": 2})
    _respond(s, world, when=datetime(2019, 5, 5, 12, 0), channel=Channel.TELEPHONE, answers={"tevreden": 4})
    _respond(s, world, when=None, status=ResponseStatus.IN_PROGRESS, hood="Binnenstad", group="inwoner",
             answers={"zwaarte": "licht", "tevreden": 1})
    groups = {g.key: g.id for g in s.scalars(select(StakeholderGroup).where(
        StakeholderGroup.consultation_id == world.consultation_id))}
    s.add_all([MeetingAttendance(meeting_id=world.meeting_id, stakeholder_group_id=groups["inwoner"], count=14),
               MeetingAttendance(meeting_id=world.meeting_id, stakeholder_group_id=groups["mantelzorger"], count=3)])
    # segment 0: MANTELZORG accepted, REGELS rejected -> reviewed; segment 1: VERVOER suggested -> to review;
    # a third segment without any code
    first = s.get(CodeAssignment, world.assignment_ids[0])
    first.status, first.decided_by_id = AssignmentStatus.ACCEPTED, world.writer_id
    first.decided_at = datetime(2019, 6, 1)
    s.add(CodeAssignment(segment_id=world.segment_ids[0], code_id=world.code_ids["REGELS"], origin=Origin.RULE,
                         coder="rule:v1", status=AssignmentStatus.REJECTED, decided_at=datetime(2019, 6, 1),
                         decided_by_id=world.writer_id))
    seg = s.get(Segment, world.segment_ids[1])
    s.add(Segment(consultation_id=world.consultation_id, document_id=seg.document_id, position=2, start_char=0,
                  end_char=7, text="Tafel 1"))
    s.flush()


def _cells(b) -> dict[str, str]:
    return {c.label: c.shown for c in b.cells}


def _world(session):
    world = build_world(session)
    add_results(session, world)
    session.commit()
    return world


def test_respondents_per_day_channel_neighbourhood_and_group(session):
    world = _world(session)
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    assert d.responses == 10  # the unfinished response does not count
    assert _cells(d.per_day) == {"1 mei 2019": "5", "2 mei 2019": "0", "3 mei 2019": SMALL,
                                 "4 mei 2019": "0", "5 mei 2019": SMALL}
    assert [c.count for c in d.per_day.cells] == [5, 0, 4, 0, 1]
    assert _cells(d.per_channel) == {"Online": "7", "Papier": SMALL, "Telefoon": SMALL, "Bijeenkomst": "0"}
    assert _cells(d.per_neighbourhood) == {"Binnenstad": "0", "Keizerslanden": "7", "Bathmen": SMALL,
                                           "Niet ingevuld": SMALL}
    groups = _cells(d.per_group)
    assert groups["Mantelzorger"] == "7" and groups["Inwoner"] == SMALL and groups["Niet ingevuld"] == SMALL
    assert groups["Cliënt"] == "0"
    assert sum(c.count for c in d.per_group.cells) == d.responses == sum(c.count for c in d.per_channel.cells)


def test_attendance_per_group_with_small_counts_hidden(session):
    world = _world(session)
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    assert d.meetings == 1 and d.attendance_total == 17
    cells = _cells(d.attendance)
    assert cells["Inwoner"] == "14" and cells["Mantelzorger"] == SMALL and cells["Vrijwilliger"] == "0"


def test_closed_question_distributions(session):
    world = _world(session)
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    by_label = {q.label: q for q in d.questions}
    # text, consent, role and neighbourhood questions are not distributions
    assert list(by_label) == ["Hoe zwaar is de zorg voor uw naaste?", "Hoe tevreden bent u?",
                              "Wat vindt u belangrijk?", "Zet in volgorde van belang"]
    zwaarte = by_label["Hoe zwaar is de zorg voor uw naaste?"]
    assert zwaarte.type_label == "één antwoord"
    assert _cells(zwaarte.breakdown) == {"Licht": SMALL, "Zwaar": "6"}  # the unfinished "licht" is left out
    assert zwaarte.answered == 7
    scale = by_label["Hoe tevreden bent u?"]
    assert _cells(scale.breakdown) == {"1 – Heel ontevreden": "0", "2": SMALL, "3": "0", "4": "7",
                                       "5 – Heel tevreden": "0"}
    assert scale.answered == 10
    multi = by_label["Wat vindt u belangrijk?"]
    assert _cells(multi.breakdown) == {"Hulp dichtbij": "6", "Minder regels": "6", "Anders, namelijk": SMALL}
    assert multi.answered == 7 and multi.answered_shown == "7"
    ranking = by_label["Zet in volgorde van belang"]  # how often each item was put first
    assert _cells(ranking.breakdown) == {"Snelheid": "6", "Vriendelijkheid": "0", "Deskundigheid": "0"}
    assert ranking.breakdown.count_header == "Op nummer 1" and ranking.answered == 6


def test_themes_count_accepted_codes_and_review_progress_adds_up(session):
    world = _world(session)
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    # counts of segments are exact (no small-count rule): they are text, not people
    assert _cells(d.themes) == {"Mantelzorg": "1", "Vervoer": "0", "Regels en formulieren": "0"}
    assert d.themes.cells[0].label == "Mantelzorg"
    r = d.review
    assert (r.segments, r.reviewed, r.to_review, r.without_suggestion) == (3, 1, 1, 1)
    assert r.reviewed + r.to_review + r.without_suggestion == r.segments
    assert (r.accepted, r.rejected, r.suggested) == (1, 1, 1) and r.codes == 3
    assert _cells(r.breakdown) == {"Beoordeeld": "1", "Nog te beoordelen": "1", "Zonder voorstel": "1"}


def test_small_counts_are_never_drawn_exactly(session):
    world = _world(session)
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    for b in (d.per_day, d.per_channel, d.per_neighbourhood, d.per_group, d.attendance,
              *[q.breakdown for q in d.questions]):
        for c in b.cells:
            bar = c.bar()
            if 0 < c.count < MIN_CELL:
                assert bar.value is None and bar.text == SMALL
            else:
                assert bar.value == c.count
        assert b.svg.startswith("<svg")
    assert SMALL in d.per_channel.svg and ">2<" not in d.per_channel.svg


def test_empty_consultation(session):
    world = build_world(session)
    session.commit()
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    assert d.responses == 0 and d.per_day.cells == [] and not d.per_channel.has_data
    assert d.per_channel.svg == "" and all(q.answered == 0 for q in d.questions)


def test_a_handful_of_queries_whatever_the_number_of_rows(session):
    world = _world(session)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    engine = session.get_bind()

    def count() -> int:
        statements.clear()
        session.expire_all()
        consultation_dashboard(session, session.get(Consultation, world.consultation_id))
        return len(statements)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        before = count()
        for i in range(30):
            _respond(session, world, when=datetime(2019, 5, 10 + i % 10, 12), hood="Bathmen", group="client",
                     answers={"zwaarte": "zwaar", "tevreden": 3, "belangrijk": ["minder_regels"]})
        session.commit()
        after = count()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert before == after
    assert after <= 16, statements


def test_long_consultations_count_per_week_from_monday(session):
    world = build_world(session)
    # Wednesday 1 May 2019 .. Sunday 16 June 2019 (47 days): per week
    for when in [datetime(2019, 5, 1, 10)] * 3 + [datetime(2019, 5, 5, 21, 59)] * 3 + [datetime(2019, 6, 16, 12)]:
        _respond(session, world, when=when)
    session.commit()
    d = consultation_dashboard(session, session.get(Consultation, world.consultation_id))
    assert d.per_day.title == "Ingevulde vragenlijsten per week" and d.per_day.key == "per-week"
    assert (d.first_day, d.last_day) == (datetime(2019, 5, 1).date(), datetime(2019, 6, 16).date())
    cells = d.per_day.cells
    assert cells[0].label == "week van 29 april 2019" and cells[0].shown == "6"  # 21:59 UTC on Sunday is still Sunday
    assert cells[-1].label == "week van 10 juni 2019" and cells[-1].shown == SMALL
    assert len(cells) == 7 and sum(c.count for c in cells) == d.responses == 7
    assert "per week" in d.per_day.svg
