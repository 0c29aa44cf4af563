"""Invitations by e-mail: staff upload a list of addresses for a survey with personal codes.

1. :func:`check_list` reads the list (one address per line, or a CSV/Excel export with
   columns ``e-mail``, optionally ``groep`` and ``wijk``; separators ``,`` ``;`` or tab)
   and reports in Dutch what it found, before anything is sent: good addresses, malformed
   ones, duplicates in the list, addresses already invited, unknown groups or
   neighbourhoods, and columns that are not used. Lists up to :data:`MAX_LINES` lines.
2. :func:`send_invitations` gives every new address its own invitation code (an
   :class:`InvitationCode`, as staff make them by hand) and queues one message each. An
   address already invited for this survey gets nothing: sending the same list twice
   sends nothing twice (the :class:`Invitation` row keeps an HMAC of the address).
3. :func:`send_reminders` writes again to those whose code has no submitted response yet,
   at most once per :data:`REMINDER_GAP_HOURS` hours.

The address is linked to the invitation code only, never to the response, and removed
when the consultation closes or reaches its retention date
(:func:`consult.mail.forget_invitation_addresses`).
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session

from consult import mail
from consult.audit import record
from consult.db import utcnow
from consult.mail import MailError
from consult.models import (
    InvitationCode, Invitation, MailKind, MailMessage, MailStatus, Neighbourhood, Response, ResponseStatus,
    StakeholderGroup, Survey, SurveyAccess, User,
)
from surveys import responses as R

MAX_LINES = 20_000
MAX_BYTES = 5 * 1024 * 1024
REMINDER_GAP_HOURS = 12
#: Problems listed by line in the report (the counts are always complete).
SHOWN = 20

EMAIL_COLUMNS = ("e-mail", "email", "e-mailadres", "emailadres", "mail", "adres", "e-mail address")
GROUP_COLUMNS = ("groep", "group", "belanghebbende", "doelgroep", "rol")
HOOD_COLUMNS = ("wijk", "buurt", "kern", "neighbourhood", "dorp")


@dataclass
class ListEntry:
    line: int
    email: str
    group: StakeholderGroup | None = None
    neighbourhood: Neighbourhood | None = None


@dataclass
class ListReport:
    """What a list holds (the dry run). ``entries`` are the addresses that would be invited."""
    entries: list[ListEntry] = field(default_factory=list)
    lines: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    already_invited: list[tuple[int, str]] = field(default_factory=list)
    unknown_groups: dict[str, int] = field(default_factory=dict)
    unknown_hoods: dict[str, int] = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    header: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def sentences(self) -> list[str]:
        """The report in plain Dutch."""
        if self.error:
            return [self.error]
        n = len(self.entries)
        out = [f"De lijst heeft {_n(self.lines, 'regel', 'regels')}. "
               f"{_n(n, 'adres krijgt', 'adressen krijgen')} een uitnodiging met een eigen code."]
        if self.already_invited:
            out.append(f"{_n(len(self.already_invited), 'adres is', 'adressen zijn')} al eerder uitgenodigd "
                       "voor deze vragenlijst. Zij krijgen geen tweede uitnodiging.")
        if self.duplicates:
            out.append(f"{_n(len(self.duplicates), 'adres staat', 'adressen staan')} vaker in de lijst. "
                       "Elk adres krijgt maar één uitnodiging.")
        if self.malformed:
            out.append(f"{_n(len(self.malformed), 'regel heeft', 'regels hebben')} geen geldig e-mailadres. "
                       "Die regels slaan we over.")
        if self.unknown_groups:
            out.append("Deze groepen kennen wij niet; die adressen krijgen geen groep: "
                       + ", ".join(sorted(self.unknown_groups)[:SHOWN]) + ".")
        if self.unknown_hoods:
            out.append("Deze wijken kennen wij niet; die adressen krijgen geen wijk: "
                       + ", ".join(sorted(self.unknown_hoods)[:SHOWN]) + ".")
        if self.unused_columns:
            out.append("Deze kolommen gebruiken wij niet: " + ", ".join(self.unused_columns) + ".")
        return out


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,}".replace(",", ".") + " " + (one if n == 1 else many)


def address_key(secret: str, email: str) -> str:
    return hmac.new(secret.encode(), email.lower().encode(), hashlib.sha256).hexdigest()


def decode_upload(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise MailError("Het bestand is groter dan 5 MB. Splits de lijst in delen.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MailError("Het bestand is geen tekst. Sla de lijst op als CSV of als tekstbestand.")


def _rows(text: str) -> list[list[str]]:
    sample = text[:4096]
    delimiter = None
    for candidate in ("\t", ";", ","):
        if candidate in sample:
            delimiter = candidate
            break
    if delimiter is None:
        return [[line] for line in text.splitlines()]
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    for i, name in enumerate(header):
        if name.strip().lower() in names:
            return i
    return None


def check_list(session: Session, survey: Survey, text: str, *, secret: str) -> ListReport:
    """The dry run: read ``text`` and report; nothing is stored."""
    report = ListReport()
    if survey.access != SurveyAccess.INVITATION:
        report.error = ("Deze vragenlijst werkt zonder persoonlijke codes. Uitnodigen per e-mail kan alleen "
                        "bij een vragenlijst met persoonlijke codes (toegang: uitnodiging).")
        return report
    rows = _rows(text or "")
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    report.lines = len(rows)
    if not rows:
        report.error = "De lijst is leeg. Plak adressen (één per regel) of kies een bestand."
        return report
    if len(rows) > MAX_LINES:
        report.error = (f"De lijst heeft {_n(len(rows), 'regel', 'regels')}. Dat is meer dan "
                        f"{_n(MAX_LINES, 'regel', 'regels')}. Splits de lijst in delen.")
        return report
    first = [c.strip() for c in rows[0]]
    email_col = group_col = hood_col = None
    start = 0
    named = _column(first, EMAIL_COLUMNS + GROUP_COLUMNS + HOOD_COLUMNS) is not None
    if named or (len(first) > 1 and not any("@" in c for c in first)):
        report.header, start = True, 1
        report.lines -= 1
        email_col = _column(first, EMAIL_COLUMNS)
        group_col, hood_col = _column(first, GROUP_COLUMNS), _column(first, HOOD_COLUMNS)
        if email_col is None:
            report.error = ("Wij vinden geen kolom met e-mailadressen. Noem de kolom 'e-mail', of zet op elke "
                            "regel alleen een adres.")
            return report
        used = {email_col, group_col, hood_col}
        report.unused_columns = [name or f"kolom {i + 1}" for i, name in enumerate(first) if i not in used]
    else:
        email_col = next((i for i, c in enumerate(first) if "@" in c), 0)
        if len(first) > 1:
            report.unused_columns = [f"kolom {i + 1}" for i in range(len(first)) if i != email_col]
    groups = {g.label.lower(): g for g in survey.consultation.stakeholder_groups}
    groups.update({g.key.lower(): g for g in survey.consultation.stakeholder_groups})
    hoods = {h.name.lower(): h for h in survey.consultation.organisation.neighbourhoods}
    invited = set(session.scalars(select(Invitation.address_key).where(
        Invitation.survey_id == survey.id, Invitation.address_key.is_not(None))))
    seen: set[str] = set()
    for number, row in enumerate(rows[start:], start + 1):
        raw = row[email_col].strip() if email_col < len(row) else ""
        if not raw and not any(c.strip() for c in row):
            continue
        try:
            email = mail.normalise_address(raw)
        except MailError:
            report.malformed.append((number, raw[:100]))
            continue
        if email in seen:
            report.duplicates.append((number, email))
            continue
        seen.add(email)
        if address_key(secret, email) in invited:
            report.already_invited.append((number, email))
            continue
        entry = ListEntry(number, email)
        for col, known, unknown, attr in ((group_col, groups, report.unknown_groups, "group"),
                                          (hood_col, hoods, report.unknown_hoods, "neighbourhood")):
            value = row[col].strip() if col is not None and col < len(row) else ""
            if value:
                if value.lower() in known:
                    setattr(entry, attr, known[value.lower()])
                else:
                    unknown[value] = unknown.get(value, 0) + 1
        report.entries.append(entry)
    return report


def _invitation_link(app, base_url: str, survey: Survey, code: str) -> str:
    return mail.external_url(app, base_url, "survey.start", slug=survey.consultation.slug,
                             survey_slug=survey.slug, code=code)


@dataclass
class Sent:
    queued: int
    report: ListReport


def send_invitations(app, session: Session, survey: Survey, text: str, *, base_url: str, actor: User) -> Sent:
    """Invite every new address of the list (see the module docstring). Commits, then
    hands the messages to background jobs. MailError (Dutch) when it cannot start."""
    mail._require(app)
    if not survey.is_open():
        raise MailError("De vragenlijst is niet open. Open de vragenlijst eerst; anders werkt de link in de "
                        "uitnodiging niet.")
    secret = app.config["SECRET_KEY"]
    report = check_list(session, survey, text, secret=secret)
    if report.error:
        raise MailError(report.error)
    consultation = survey.consultation
    codes, _ = R.create_invitation_codes(session, survey, count=len(report.entries))
    code_ids = dict(session.execute(select(InvitationCode.code, InvitationCode.id).where(
        InvitationCode.survey_id == survey.id)).all())
    settings = mail.settings_for(app)
    subject_t, body_t, _ = mail.template_for(session, consultation, MailKind.INVITATION)
    invitations = []
    for entry, code in zip(report.entries, codes):
        invitation = Invitation(survey_id=survey.id, invitation_code_id=code_ids[code], email=entry.email,
                                address_key=address_key(secret, entry.email),
                                stakeholder_group_id=entry.group.id if entry.group else None,
                                neighbourhood_id=entry.neighbourhood.id if entry.neighbourhood else None)
        invitations.append((invitation, code))
    session.add_all([i for i, _ in invitations])
    session.flush()
    messages = []
    for invitation, code in invitations:
        unsubscribe = mail.unsubscribe_url(app, base_url, invitation)
        rendered = mail.render(session, consultation, MailKind.INVITATION,
                               {"vragenlijst": survey.title, "link": _invitation_link(app, base_url, survey, code),
                                "code": code}, unsubscribe_url=unsubscribe, settings=settings,
                               template=(subject_t, body_t))
        messages.append(mail.new_message(consultation, MailKind.INVITATION, invitation.email, rendered,
                                         dedup_key=f"invitation:{invitation.id}", unsubscribe=unsubscribe,
                                         requested_by=actor))
    session.add_all(messages)
    session.flush()
    ids = [m.id for m in messages]
    record(session, "send_invitations", survey, actor=actor, details={
        "invited": len(ids), "already_invited": len(report.already_invited),
        "duplicates": len(report.duplicates), "malformed": len(report.malformed)})
    session.commit()
    mail.dispatch(app, ids, consultation=consultation, user=actor)
    return Sent(len(ids), report)


def _not_responded():
    submitted = exists().where(Response.invitation_code_id == Invitation.invitation_code_id,
                               Response.status == ResponseStatus.SUBMITTED)
    return ~submitted


def send_reminders(app, session: Session, survey: Survey, *, base_url: str, actor: User) -> tuple[int, int]:
    """A reminder to every invitee without a submitted response, unless they had one in
    the last :data:`REMINDER_GAP_HOURS` hours or unsubscribed. Returns (queued, skipped
    because reminded recently). Commits."""
    mail._require(app)
    if not survey.is_open():
        raise MailError("De vragenlijst is niet open. Een herinnering heeft dan geen zin.")
    consultation = survey.consultation
    gap = utcnow() - timedelta(hours=REMINDER_GAP_HOURS)
    candidates = session.execute(select(Invitation, InvitationCode.code).join(
        InvitationCode, InvitationCode.id == Invitation.invitation_code_id).where(
        Invitation.survey_id == survey.id, Invitation.email.is_not(None), Invitation.unsubscribed_at.is_(None),
        _not_responded()).order_by(Invitation.id)).all()
    settings = mail.settings_for(app)
    template = mail.template_for(session, consultation, MailKind.REMINDER)[:2]
    ids, recently = [], 0
    for invitation, code in candidates:
        if invitation.last_reminded_at is not None and invitation.last_reminded_at > gap:
            recently += 1
            continue
        unsubscribe = mail.unsubscribe_url(app, base_url, invitation)
        rendered = mail.render(session, consultation, MailKind.REMINDER,
                               {"vragenlijst": survey.title, "link": _invitation_link(app, base_url, survey, code),
                                "code": code}, unsubscribe_url=unsubscribe, settings=settings, template=template)
        message = mail.queue(session, mail.new_message(
            consultation, MailKind.REMINDER, invitation.email, rendered,
            dedup_key=f"reminder:{invitation.id}:{invitation.reminders + 1}", unsubscribe=unsubscribe,
            requested_by=actor))
        if message is None:
            continue
        invitation.reminders += 1
        invitation.last_reminded_at = utcnow()
        session.flush()
        ids.append(message.id)
    record(session, "send_reminders", survey, actor=actor, details={"reminded": len(ids), "recently": recently})
    session.commit()
    mail.dispatch(app, ids, consultation=consultation, user=actor)
    return len(ids), recently


@dataclass
class InvitationCounts:
    invited: int
    responded: int
    reminded: int
    unsubscribed: int
    addresses_removed: int
    sent: int
    failed: int
    queued: int


def counts(session: Session, survey: Survey) -> InvitationCounts:
    base = select(func.count(Invitation.id)).where(Invitation.survey_id == survey.id)
    by_status = dict(session.execute(select(MailMessage.status, func.count()).join(
        Invitation, MailMessage.dedup_key == literal("invitation:").concat(cast(Invitation.id, String))).where(
        Invitation.survey_id == survey.id).group_by(MailMessage.status)).all())
    return InvitationCounts(
        invited=session.scalar(base) or 0,
        responded=session.scalar(base.where(~_not_responded())) or 0,
        reminded=session.scalar(base.where(Invitation.reminders > 0)) or 0,
        unsubscribed=session.scalar(base.where(Invitation.unsubscribed_at.is_not(None))) or 0,
        addresses_removed=session.scalar(base.where(Invitation.email.is_(None),
                                                    Invitation.unsubscribed_at.is_(None))) or 0,
        sent=by_status.get(MailStatus.SENT, 0), failed=by_status.get(MailStatus.FAILED, 0),
        queued=by_status.get(MailStatus.QUEUED, 0))


def links_for_code(session: Session, invitation_code_id: int | None
                   ) -> tuple[StakeholderGroup | None, Neighbourhood | None]:
    """The group and neighbourhood the uploaded list gave the invitee with this code, for
    the participant record when the response is submitted (never the address)."""
    if invitation_code_id is None:
        return None, None
    invitation = session.scalar(select(Invitation).where(Invitation.invitation_code_id == invitation_code_id))
    if invitation is None:
        return None, None
    return invitation.stakeholder_group, invitation.neighbourhood
