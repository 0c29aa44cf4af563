"""Collecting input: participants, surveys and their answers, meetings and their notes."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from analysis.privacy import mask
from consult.db import Base, utcnow
from consult.models._types import Timestamped, enum_column, fk

if TYPE_CHECKING:
    from consult.models.consultation import Consultation, Neighbourhood, StakeholderGroup
    from consult.models.coding import Segment
    from consult.models.users import User


class Participant(Timestamped, Base):
    """Someone who gave input. Anonymous by default: no name is stored.

    Contact details are kept only when the participant consents to be contacted
    about what was done with the input (feedback), and only for that purpose.
    """

    __tablename__ = "participant"
    __table_args__ = (
        CheckConstraint("contact_email IS NULL OR contact_consent", name="contact_needs_consent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    stakeholder_group_id: Mapped[int | None] = fk("stakeholder_group.id", nullable=True, ondelete="SET NULL")
    neighbourhood_id: Mapped[int | None] = fk("neighbourhood.id", nullable=True, ondelete="SET NULL")
    contact_consent: Mapped[bool] = mapped_column(default=False)
    contact_email: Mapped[str | None] = mapped_column(String(254))

    consultation: Mapped[Consultation] = relationship(back_populates="participants")
    stakeholder_group: Mapped[StakeholderGroup | None] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    responses: Mapped[list[Response]] = relationship(back_populates="participant")


class SurveyAccess(enum.StrEnum):
    OPEN = "open"            # anyone, anonymously
    INVITATION = "invitation"  # one response per personal invitation code


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


SURVEY_STATUS_LABELS = {
    SurveyStatus.DRAFT: "concept",
    SurveyStatus.OPEN: "open",
    SurveyStatus.CLOSED: "gesloten",
}


class Survey(Timestamped, Base):
    """An online consultation questionnaire, built from a definition (see ``surveys``)."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("consultation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(300))
    introduction: Mapped[str] = mapped_column(Text, default="")
    access: Mapped[SurveyAccess] = enum_column(SurveyAccess, default=SurveyAccess.OPEN)
    status: Mapped[SurveyStatus] = enum_column(SurveyStatus, default=SurveyStatus.DRAFT)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    #: The definition the survey was built from (YAML/JSON as a dict), kept for export and editing.
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    consultation: Mapped[Consultation] = relationship(back_populates="surveys")
    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan")
    responses: Mapped[list[Response]] = relationship(back_populates="survey", cascade="all, delete-orphan")
    invitation_codes: Mapped[list[InvitationCode]] = relationship(
        back_populates="survey", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return SURVEY_STATUS_LABELS[self.status]

    @property
    def section_titles(self) -> list[str]:
        """One title per page (section) of the survey; "Deel n" where the definition has none."""
        sections = (self.definition or {}).get("sections") or []
        count = max([q.section for q in self.questions] + [len(sections) - 1, 0]) + 1
        return [str(sections[i].get("title", f"Deel {i + 1}"))
                if i < len(sections) and isinstance(sections[i], dict) else f"Deel {i + 1}"
                for i in range(count)]

    def is_open(self, now: datetime | None = None) -> bool:
        """Whether residents can start and continue answering now: status open, inside
        the optional opening window, and the consultation not closed or reported (a
        survey reopened by hand in a closed consultation still takes no answers)."""
        from consult.models.consultation import ConsultationStatus

        now = now or utcnow()
        return (self.status == SurveyStatus.OPEN
                and self.consultation.status not in (ConsultationStatus.CLOSED, ConsultationStatus.REPORTED)
                and (self.opens_at is None or self.opens_at <= now)
                and (self.closes_at is None or now < self.closes_at))


class QuestionType(enum.StrEnum):
    TEXT_SHORT = "text_short"
    TEXT_LONG = "text_long"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SCALE = "scale"
    RANKING = "ranking"
    NEIGHBOURHOOD = "neighbourhood"
    STAKEHOLDER_ROLE = "stakeholder_role"
    CONSENT = "consent"


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("survey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = fk("survey.id")
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    #: Page/section the question is shown on (surveys can span several pages).
    section: Mapped[int] = mapped_column(default=0)
    type: Mapped[QuestionType] = enum_column(QuestionType)
    label: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    #: Choices, scale labels, "anders, namelijk" flag, ranking items ...
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Show only when an earlier answer matches, e.g. {"question": "rol", "equals": "mantelzorger"}.
    condition: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    survey: Mapped[Survey] = relationship(back_populates="questions")

    @property
    def is_open_text(self) -> bool:
        return self.type in (QuestionType.TEXT_SHORT, QuestionType.TEXT_LONG)


class InvitationCode(Timestamped, Base):
    """A personal invitation code: one response per code, no personal data needed."""

    __tablename__ = "invitation_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = fk("survey.id")
    code: Mapped[str] = mapped_column(String(40), unique=True)
    used_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship(back_populates="invitation_codes")


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    TELEPHONE = "telephone"
    MEETING = "meeting"


CHANNEL_LABELS = {
    Channel.ONLINE: "online",
    Channel.PAPER: "papier",
    Channel.TELEPHONE: "telefoon",
    Channel.MEETING: "bijeenkomst",
}

#: How staff name the channels when they enter a response on someone's behalf.
ASSISTED_CHANNEL_LABELS = {
    Channel.PAPER: "Papieren vragenlijst",
    Channel.TELEPHONE: "Telefoongesprek",
    Channel.MEETING: "Tijdens een bijeenkomst",
}


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Response(Base):
    """One filled-in survey."""

    __tablename__ = "response"
    #: One response per invitation code, enforced by the database too.
    __table_args__ = (UniqueConstraint("invitation_code_id"), UniqueConstraint("survey_id", "import_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = fk("survey.id")
    participant_id: Mapped[int | None] = fk("participant.id", nullable=True, ondelete="SET NULL")
    invitation_code_id: Mapped[int | None] = fk("invitation_code.id", nullable=True, ondelete="SET NULL")
    channel: Mapped[Channel] = enum_column(Channel, default=Channel.ONLINE)
    status: Mapped[ResponseStatus] = enum_column(ResponseStatus, default=ResponseStatus.IN_PROGRESS)
    #: Shown to the participant on submission; later opens "what was done with my input".
    receipt_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    #: Secret token in the save-and-continue link.
    resume_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: SHA-256 of the short resume code (typed on the survey's start page instead of the
    #: link); the code itself is shown once and never stored.
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Token of the submit form; a replayed submission finds the same response.
    submission_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Staff member who entered a paper or telephone response on someone's behalf.
    entered_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    #: Bulk import of paper/telephone responses: a hash of the imported row, so that
    #: uploading the same file again adds nothing (unique per survey).
    import_key: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship(back_populates="responses")
    participant: Mapped[Participant | None] = relationship(back_populates="responses")
    entered_by: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = fk("response.id")
    question_id: Mapped[int] = fk("question.id")
    #: Free text (open questions, "anders, namelijk").
    text: Mapped[str | None] = mapped_column(Text)
    #: Structured value: chosen option key(s), scale value, ranking order.
    value: Mapped[Any | None] = mapped_column(JSON)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    segments: Mapped[list[Segment]] = relationship(back_populates="answer")


class MeetingType(enum.StrEnum):
    WIJKBIJEENKOMST = "wijkbijeenkomst"
    KENNISKRING = "kennis_innovatiekring"
    REFLECTIE = "reflectiebijeenkomst"
    INTERVIEW = "interview"
    OVERIG = "overig"


MEETING_TYPE_LABELS = {
    MeetingType.WIJKBIJEENKOMST: "Wijkbijeenkomst",
    MeetingType.KENNISKRING: "Kennis- en innovatiekring",
    MeetingType.REFLECTIE: "Reflectiebijeenkomst",
    MeetingType.INTERVIEW: "Interview",
    MeetingType.OVERIG: "Overige bijeenkomst",
}


class Meeting(Timestamped, Base):
    """A meeting (bijeenkomst) where input was gathered."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    type: Mapped[MeetingType] = enum_column(MeetingType)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(300), default="")
    neighbourhood_id: Mapped[int | None] = fk("neighbourhood.id", nullable=True, ondelete="SET NULL")
    facilitator_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    #: Name of an external facilitator without an account.
    facilitator_name: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: ``title`` with personal data masked, kept whenever the title is set: masking loads
    #: the Dutch lexicon (~1 s and ~120 MB), which a report would otherwise load just for
    #: the meeting titles. NULL (rows from before migration 0014 that it could not fill):
    #: :attr:`masked_title` masks on the fly.
    title_masked: Mapped[str | None] = mapped_column(Text, nullable=True)

    consultation: Mapped[Consultation] = relationship(back_populates="meetings")
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    facilitator: Mapped[User | None] = relationship()
    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan")
    documents: Mapped[list[Document]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Document.id")

    @property
    def type_label(self) -> str:
        return MEETING_TYPE_LABELS[self.type]

    @validates("title")
    def _mask_title(self, _key: str, title: str) -> str:
        self.title_masked = mask(title or "")
        return title

    @property
    def masked_title(self) -> str:
        """The title with personal data masked ("Keukentafelgesprek bij [naam]"): what
        policy writers, reports and exports show; facilitators see and correct the title."""
        return self.title_masked if self.title_masked is not None else mask(self.title or "")

    @property
    def masked_place(self) -> str:
        """The place with personal data masked (a meeting at someone's home address)."""
        return mask(self.place or "")

    @property
    def attendance_total(self) -> int:
        return sum(a.count for a in self.attendance)


class MeetingAttendance(Base):
    """How many people of one stakeholder group attended a meeting."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (
        UniqueConstraint("meeting_id", "stakeholder_group_id"),
        CheckConstraint("count >= 0", name="count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = fk("meeting.id")
    stakeholder_group_id: Mapped[int] = fk("stakeholder_group.id")
    count: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    stakeholder_group: Mapped[StakeholderGroup] = relationship()


class Document(Base):
    """An uploaded or pasted document: meeting notes (txt, md, docx, pdf) and the like.

    The original bytes are kept so text extraction can be redone; ``text`` holds the
    extracted text that segments point into.
    """

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = fk("consultation.id")
    meeting_id: Mapped[int | None] = fk("meeting.id", nullable=True)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(120), default="text/plain")
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    original: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    text: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    consultation: Mapped[Consultation] = relationship()
    meeting: Mapped[Meeting | None] = relationship(back_populates="documents")

    @property
    def masked_title(self) -> str:
        """The title with personal data masked, as :attr:`Meeting.masked_title`."""
        return mask(self.title or "")

    @property
    def masked_filename(self) -> str:
        """The uploaded file's name with personal data masked ("verslag_[naam].docx")."""
        return mask(self.filename or "")
    segments: Mapped[list[Segment]] = relationship(back_populates="document", order_by="Segment.position")
