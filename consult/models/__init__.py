"""SQLAlchemy models for the whole consultation cycle.

- ``consultation``: organisations, consultations, stakeholder groups, neighbourhoods
- ``participation`` (collect): participants, surveys, questions, responses, answers,
  meetings, attendance, documents
- ``coding`` (code): segments, codebooks and versions, codes, code assignments, trained coders
- ``findings`` (report): findings, principles and scenarios, decisions
- ``advice`` (answer): advice and its points, reaction letters, links, responses (the advice register)
- ``mail``: invitations to address lists, message templates, the mail log
- ``users``: staff accounts, memberships, audit log, background jobs
"""
from consult.db import Base
from consult.models.advice import (
    ADVICE_FIELD_LABELS, FOLLOW_UP_LABELS, STANCE_LABELS, AdviceDocument, AdviceLink, AdvicePoint, AdviceResponse,
    FollowUpStatus, ReactionLetter, ReactionParagraph, Stance,
)
from consult.models.coding import (
    AssignmentStatus, Code, CodeAssignment, Codebook, CodebookVersion, CoderModel, Origin, Segment,
)
from consult.models.consultation import (
    DEFAULT_STAKEHOLDER_GROUPS, STATUS_LABELS, Consultation, ConsultationStatus, Neighbourhood,
    NeighbourhoodKind, Organisation, StakeholderGroup,
)
from consult.models.findings import FINDING_KIND_LABELS, Decision, Finding, FindingKind
from consult.models.mail import Invitation, MailKind, MailMessage, MailStatus, MailTemplate
from consult.models.participation import (
    CHANNEL_LABELS, MEETING_TYPE_LABELS, Answer, Channel, Document, InvitationCode, Meeting,
    MeetingAttendance, MeetingType, Participant, Question, QuestionType, Response, ResponseStatus,
    Survey, SurveyAccess, SurveyStatus,
)
from consult.models.users import ROLE_LABELS, AuditLog, ConsultationMember, Job, JobStatus, Role, User

__all__ = [name for name in dir() if not name.startswith("_")]
