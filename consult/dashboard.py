"""The results dashboard of a consultation: who responded (per day, channel, neighbourhood
and stakeholder group), meeting attendance, closed-question distributions, themes from
accepted codes and the progress of the review.

Everything is read with a handful of aggregate queries (GROUP BY in the database), so the
page stays fast with thousands of responses and segments. Nothing here writes.

Small-group protection: a count of people in a breakdown (responses, attendance, answers)
from 1 to ``MIN_CELL - 1`` is shown as "minder dan 5", in the tables and in the charts
(:func:`people_cell`); 0 is shown as 0. ``MIN_CELL`` is the one threshold of the project
(:mod:`exports.model`, also used by the report). Theme and review counts are counts of
text segments, not of people, and are shown exactly, as in the report.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.orm import Session, selectinload

from consult import review
from consult.db import LOCAL_TIME
from consult.models import (
    CHANNEL_LABELS, Answer, AssignmentStatus, Channel, Code, CodeAssignment, Consultation, Meeting,
    MeetingAttendance, Participant, QuestionType, Response, ResponseStatus, Segment, Survey,
)
from exports.model import MIN_CELL, SMALL
from exports.svg_charts import Bar, bar_chart, column_chart, nl_number
from surveys.forms import OTHER, OTHER_LABEL, question_choices

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")
SHORT_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
#: Question types whose answers are counted per option (a ranking: what was put first).
CLOSED_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.SCALE,
                QuestionType.RANKING)
QUESTION_TYPE_LABELS = {
    QuestionType.SINGLE_CHOICE: "één antwoord",
    QuestionType.MULTIPLE_CHOICE: "meer antwoorden mogelijk",
    QuestionType.SCALE: "schaal",
    QuestionType.RANKING: "volgorde; hier staat hoe vaak iets op nummer 1 stond",
}
NOT_GIVEN = "Niet ingevuld"
#: Responses are counted per day up to this many days from the first to the last, else per week.
MAX_DAYS = 42


@dataclass(frozen=True)
class Cell:
    """One row of a breakdown: a label and its count, and whether the count is protected."""
    label: str
    count: int
    #: Counts of people are protected (1..4 -> "minder dan 5"); counts of segments are not.
    protected: bool = True
    short: str = ""

    @property
    def small(self) -> bool:
        return self.protected and 0 < self.count < MIN_CELL

    @property
    def shown(self) -> str:
        """The count as the page shows it."""
        return SMALL if self.small else nl_number(self.count)

    def bar(self) -> Bar:
        return Bar(self.label, None if self.small else self.count, self.shown, self.short)


def people_cell(label: str, count: int, short: str = "") -> Cell:
    return Cell(label, count, True, short)


def segment_cell(label: str, count: int) -> Cell:
    return Cell(label, count, False)


@dataclass
class Breakdown:
    """A table of counts with its chart (inline SVG)."""
    key: str            # id on the page
    title: str          # heading and chart title
    label_header: str   # first column of the table
    count_header: str
    cells: list[Cell]
    intro: str = ""
    svg: str = ""

    @property
    def has_data(self) -> bool:
        return any(c.count for c in self.cells)


@dataclass
class QuestionResult:
    survey_title: str
    label: str
    type_label: str
    #: Submitted responses that answered the question (a person counts once).
    answered: int
    breakdown: Breakdown

    @property
    def answered_shown(self) -> str:
        return people_cell("", self.answered).shown


@dataclass
class ReviewProgress:
    """Review progress. Every segment is in exactly one of three states, so
    ``reviewed + to_review + without_suggestion == segments``:

    - *nog te beoordelen*: at least one suggested code waits for a decision;
    - *beoordeeld*: it has codes and a person decided on all of them (or added them);
    - *zonder voorstel*: no code at all yet.

    The code counts (accepted, rejected, suggested) count code assignments: a segment can
    have several codes.
    """
    segments: int = 0
    reviewed: int = 0
    to_review: int = 0
    without_suggestion: int = 0
    accepted: int = 0
    rejected: int = 0
    suggested: int = 0
    breakdown: Breakdown | None = None

    @property
    def codes(self) -> int:
        return self.accepted + self.rejected + self.suggested

    @property
    def percent_reviewed(self) -> int:
        return round(100 * self.reviewed / self.segments) if self.segments else 0


@dataclass
class Dashboard:
    consultation: Consultation
    responses: int
    meetings: int
    attendance_total: int
    per_day: Breakdown
    per_channel: Breakdown
    per_neighbourhood: Breakdown
    per_group: Breakdown
    attendance: Breakdown
    questions: list[QuestionResult]
    themes: Breakdown
    review: ReviewProgress
    min_cell: int = MIN_CELL
    small: str = SMALL
    first_day: date | None = None
    last_day: date | None = None


def dutch_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _describe(cells: list[Cell], what: str) -> str:
    """The chart's description: what it shows and where most were (the table has all)."""
    shown = [c for c in cells if c.count and not c.small]
    text = f"Staafdiagram: {what}."
    if shown:
        top = max(shown, key=lambda c: c.count)
        text += f" Het meest: {top.label} ({top.shown})."
    return text + " Alle aantallen staan in de tabel bij de grafiek."


def _breakdown(key: str, title: str, label_header: str, count_header: str, cells: list[Cell],
               what: str, intro: str = "") -> Breakdown:
    b = Breakdown(key, title, label_header, count_header, cells, intro)
    if b.has_data:
        b.svg = bar_chart([c.bar() for c in cells], chart_id=f"grafiek-{key}", title=title,
                          description=_describe(cells, what))
    return b


# -- responses ---------------------------------------------------------------------------

def _submitted(consultation: Consultation):
    return (Survey.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED)


def _hour_bucket(session: Session):
    """The submission hour as text 'YYYY-MM-DD HH' (UTC), in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(Response.submitted_at, "YYYY-MM-DD HH24")
    return func.strftime("%Y-%m-%d %H", Response.submitted_at)


def _per_day(session: Session, consultation: Consultation) -> tuple[Breakdown, date | None, date | None]:
    """Submitted responses per (Dutch) day, every day from the first to the last answer; per
    week (from Monday) when that is more than ``MAX_DAYS`` days, so that the bars stay
    readable and fewer of them are too small to show."""
    bucket = _hour_bucket(session).label("hour")
    rows = session.execute(select(bucket, func.count(Response.id)).join(Survey, Survey.id == Response.survey_id)
                           .where(*_submitted(consultation), Response.submitted_at.is_not(None))
                           .group_by(bucket)).all()
    days: Counter[date] = Counter()
    for hour, n in rows:
        utc = datetime(int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]), tzinfo=timezone.utc)
        days[utc.astimezone(LOCAL_TIME).date()] += n
    first = min(days) if days else None
    last = max(days) if days else None
    weekly = bool(days) and (last - first).days + 1 > MAX_DAYS
    if weekly:
        counts: Counter[date] = Counter()
        for d, n in days.items():
            counts[d - timedelta(days=d.weekday())] += n
        start, step = first - timedelta(days=first.weekday()), timedelta(weeks=1)
    else:
        counts, start, step = days, first, timedelta(days=1)
    cells = []
    d = start
    while d is not None and d <= last:
        label = f"week van {dutch_date(d)}" if weekly else dutch_date(d)
        cells.append(people_cell(label, counts.get(d, 0), short=f"{d.day} {SHORT_MONTHS[d.month - 1]}"))
        d += step
    unit = "week" if weekly else "dag"
    b = Breakdown(f"per-{unit}", f"Ingevulde vragenlijsten per {unit}", unit.capitalize(), "Ingevuld", cells,
                  intro=(f"De eerste en de laatste vragenlijst liggen meer dan {MAX_DAYS} dagen uit elkaar. "
                         "Daarom tellen we per week, van maandag tot en met zondag." if weekly else ""))
    if b.has_data:
        b.svg = column_chart([c.bar() for c in cells], chart_id=f"grafiek-per-{unit}", title=b.title,
                             description=(f"Kolomdiagram: ingevulde vragenlijsten per {unit}, van "
                                          f"{dutch_date(first)} tot en met {dutch_date(last)}. "
                                          "Alle aantallen staan in de tabel bij de grafiek."))
    return b, first, last


def _respondent_breakdowns(session: Session, consultation: Consultation) -> tuple[int, Breakdown, Breakdown, Breakdown]:
    """(total, per channel, per neighbourhood, per stakeholder group): one GROUP BY query."""
    rows = session.execute(
        select(Response.channel, Participant.neighbourhood_id, Participant.stakeholder_group_id,
               func.count(Response.id))
        .join(Survey, Survey.id == Response.survey_id)
        .outerjoin(Participant, Participant.id == Response.participant_id)
        .where(*_submitted(consultation))
        .group_by(Response.channel, Participant.neighbourhood_id, Participant.stakeholder_group_id)).all()
    channels: Counter = Counter()
    hoods: Counter = Counter()
    groups: Counter = Counter()
    for channel, hood_id, group_id, n in rows:
        channels[Channel(channel)] += n
        hoods[hood_id] += n
        groups[group_id] += n
    total = sum(channels.values())

    def with_unknown(cells: list[Cell], counts: Counter, known: set) -> list[Cell]:
        unknown = sum(n for k, n in counts.items() if k not in known)
        return cells + ([people_cell(NOT_GIVEN, unknown)] if unknown else [])

    per_channel = _breakdown(
        "kanaal", "Ingevulde vragenlijsten per kanaal", "Kanaal", "Ingevuld",
        [people_cell(label.capitalize(), channels.get(ch, 0)) for ch, label in CHANNEL_LABELS.items()],
        "ingevulde vragenlijsten per kanaal (online, papier, telefoon, bijeenkomst)",
        intro="Papier, telefoon en bijeenkomst: een medewerker heeft de antwoorden ingevoerd.")
    hood_list = consultation.organisation.neighbourhoods
    per_hood = _breakdown(
        "wijk", "Ingevulde vragenlijsten per wijk of dorp", "Wijk of dorp", "Ingevuld",
        with_unknown([people_cell(n.name, hoods.get(n.id, 0)) for n in hood_list], hoods,
                     {n.id for n in hood_list}),
        "ingevulde vragenlijsten per wijk of dorp, zoals de deelnemer die opgaf")
    group_list = consultation.stakeholder_groups
    per_group = _breakdown(
        "groep", "Ingevulde vragenlijsten per groep", "Groep", "Ingevuld",
        with_unknown([people_cell(g.label, groups.get(g.id, 0)) for g in group_list], groups,
                     {g.id for g in group_list}),
        "ingevulde vragenlijsten per groep (rol van de deelnemer)")
    return total, per_channel, per_hood, per_group


def _attendance(session: Session, consultation: Consultation) -> tuple[int, int, Breakdown]:
    """(meetings, total attendance, attendance per stakeholder group)."""
    meetings = session.scalar(select(func.count(Meeting.id)).where(Meeting.consultation_id == consultation.id)) or 0
    counts = dict(session.execute(
        select(MeetingAttendance.stakeholder_group_id, func.coalesce(func.sum(MeetingAttendance.count), 0))
        .join(Meeting, Meeting.id == MeetingAttendance.meeting_id)
        .where(Meeting.consultation_id == consultation.id)
        .group_by(MeetingAttendance.stakeholder_group_id)).all())
    cells = [people_cell(g.label, int(counts.get(g.id, 0))) for g in consultation.stakeholder_groups]
    b = _breakdown("aanwezig", "Aanwezigen bij bijeenkomsten per groep", "Groep", "Aanwezigen", cells,
                   "aanwezigen bij alle bijeenkomsten samen, per groep",
                   intro="De gespreksleider telt per bijeenkomst hoeveel mensen van elke groep er waren.")
    return meetings, int(sum(counts.values())), b


# -- closed questions ----------------------------------------------------------------------

def _decode(raw) -> object:
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _questions(session: Session, consultation: Consultation) -> list[QuestionResult]:
    """Per closed question of every survey: how many submitted responses chose each option.

    One GROUP BY over (question, stored value as text); lists of a multiple-choice answer
    are split in Python, where there are at most a few hundred distinct values. For a
    ranking question the count is how often each item was put first."""
    surveys = session.scalars(select(Survey).where(Survey.consultation_id == consultation.id)
                              .order_by(Survey.id).options(selectinload(Survey.questions))).all()
    closed = [(s, q) for s in surveys for q in s.questions if q.type in CLOSED_TYPES]
    ranking = {q.id for _, q in closed if q.type == QuestionType.RANKING}
    if not closed:
        return []
    value_text = cast(Answer.value, Text).label("value_text")
    rows = session.execute(
        select(Answer.question_id, value_text, func.count(Answer.id))
        .join(Response, Response.id == Answer.response_id)
        .join(Survey, Survey.id == Response.survey_id)
        .where(*_submitted(consultation), Answer.question_id.in_([q.id for _, q in closed]))
        .group_by(Answer.question_id, value_text)).all()
    counts: dict[int, Counter] = defaultdict(Counter)
    answered: Counter = Counter()
    for question_id, raw, n in rows:
        value = _decode(raw)
        if value is None or value == [] or value == "":
            continue
        answered[question_id] += n
        values = value if isinstance(value, list) else [value]
        for v in values[:1] if question_id in ranking else values:
            counts[question_id][str(v)] += n
    out = []
    for survey, q in closed:
        options = question_choices(q, [], [])
        if q.options.get("other"):
            options = options + [(OTHER, OTHER_LABEL)]
        known = {v for v, _ in options}
        got = counts.get(q.id, Counter())
        cells = [people_cell(label, got.get(value, 0)) for value, label in options]
        cells += [people_cell(value, n) for value, n in sorted(got.items()) if value not in known]
        what = f"antwoorden op de vraag ‘{q.label}’"
        title = q.label
        b = _breakdown(f"vraag-{q.id}", title, "Antwoord",
                       "Op nummer 1" if q.id in ranking else "Aantal", cells, what)
        out.append(QuestionResult(survey.title, q.label, QUESTION_TYPE_LABELS[q.type], answered.get(q.id, 0), b))
    return out


# -- themes and review -------------------------------------------------------------------

def _themes(session: Session, consultation: Consultation) -> Breakdown:
    """Segments per code with an accepted assignment, by code key: codes keep their key
    across codebook versions, so codings made with an earlier version count too."""
    n_segments = func.count(func.distinct(CodeAssignment.segment_id))
    rows = session.execute(
        select(Code.key, n_segments)
        .join(Code, Code.id == CodeAssignment.code_id)
        .join(Segment, Segment.id == CodeAssignment.segment_id)
        .where(Segment.consultation_id == consultation.id, CodeAssignment.status == AssignmentStatus.ACCEPTED)
        .group_by(Code.key)).all()
    counts = dict(rows)
    version = consultation.codebook_version
    current = [(c.key, c.label) for c in version.codes] if version is not None else []
    labels = dict(current)
    missing = [k for k in counts if k not in labels]
    if missing:  # codes no longer in the current version: their latest label
        for key, label in session.execute(select(Code.key, Code.label).where(Code.key.in_(missing))
                                          .order_by(Code.id)):
            labels[key] = label
    order = [k for k, _ in current] + sorted(missing, key=lambda k: labels[k].lower())
    cells = sorted((segment_cell(labels[k], counts.get(k, 0)) for k in order),
                   key=lambda c: -c.count)  # stable: codebook order among equal counts
    return _breakdown("themas", "Thema’s: segmenten met een geaccepteerde code", "Thema", "Segmenten", cells,
                      "aantal segmenten per thema, alleen geaccepteerde codes",
                      intro="Alleen codes die een medewerker heeft geaccepteerd of zelf heeft toegevoegd. "
                            "Een segment met twee thema’s telt bij allebei.")


def _review(session: Session, consultation: Consultation) -> ReviewProgress:
    """The review screen's own counts (consult.review.progress: one definition of
    "beoordeeld"), with the dashboard's table."""
    p = review.progress(session, consultation)
    r = ReviewProgress(reviewed=p.reviewed, to_review=p.open, without_suggestion=p.without,
                       accepted=p.accepted, rejected=p.rejected, suggested=p.suggested)
    r.segments = r.reviewed + r.to_review + r.without_suggestion
    r.breakdown = _breakdown(
        "beoordeling", "Voortgang van het beoordelen", "Stukken tekst", "Aantal",
        [segment_cell("Beoordeeld", r.reviewed), segment_cell("Nog te beoordelen", r.to_review),
         segment_cell("Zonder voorstel", r.without_suggestion)],
        "segmenten die beoordeeld zijn, nog beoordeeld moeten worden en zonder voorstel voor een code")
    return r


# -- the dashboard ---------------------------------------------------------------------------

def consultation_dashboard(session: Session, consultation: Consultation) -> Dashboard:
    """All numbers of the results dashboard of ``consultation``."""
    per_day, first, last = _per_day(session, consultation)
    total, per_channel, per_hood, per_group = _respondent_breakdowns(session, consultation)
    meetings, attendance_total, attendance = _attendance(session, consultation)
    return Dashboard(
        consultation=consultation, responses=total, meetings=meetings, attendance_total=attendance_total,
        per_day=per_day, per_channel=per_channel, per_neighbourhood=per_hood, per_group=per_group,
        attendance=attendance, questions=_questions(session, consultation), themes=_themes(session, consultation),
        review=_review(session, consultation), first_day=first, last_day=last)
