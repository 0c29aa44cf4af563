"""Staff accounts managed by administrators, one-time set-password links, and the audit log viewer.

Accounts
    An administrator creates an account with a name, an e-mail address and a role; no
    password is chosen for anyone. Instead the account gets a *set-password link*: a
    random token of which only the SHA-256 is stored (``User.password_token_hash``), valid
    until ``User.password_token_expires_at``. The administrator passes the link on; the
    first use sets the password and clears the token, so the link works once. Until then
    the account has an unguessable random password hash that nobody knows, so it cannot
    log in. Making a new link (a reset) also replaces the password by such a random hash
    and ends every session of the account: a reset locks out whoever knew the old one.

    Guards: an administrator cannot deactivate their own account, and the last active
    administrator keeps the administrator role (and stays active), so the organisation
    can always manage its accounts.

Audit log viewer
    The log is append-only (``consult.models.AuditLog``); entries point at an entity
    (``entity_type`` is its table name, ``entity_id`` its id) and carry free-form details.
    An entry belongs to a consultation when (see :func:`_consultation_condition`):

    1. its entity is the consultation itself; or
    2. its entity belongs to the consultation through foreign keys: the entity's table has
       a ``consultation_id`` column, or reaches a table with one through at most three
       required foreign keys (``code_assignment`` -> ``segment``, ``answer`` -> ``response``
       -> ``survey``, ``advice_point`` -> ``advice_document`` ...). The paths are computed
       from the table metadata, so new tables are covered without changes here; or
    3. its details name the consultation: ``"consultation_id": <id>`` or
       ``"consultation": <id or slug>`` (e.g. a codebook edit, whose entity is a shared
       codebook version). This also finds entries whose entity was deleted since.

    An entry belongs to a person when the person did it (``user_id``), or it is about the
    person: the entity is their account, or the details say ``"user": <id>`` (membership).

Every change is recorded with ``consult.audit.record``; the caller commits.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterator

from sqlalchemy import String, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select

from consult.audit import record
from consult.db import Base, local_day_start, to_local, utcnow
from consult.models import AuditLog, Consultation, Role, User

#: Default lifetime of a set-password link (setting ``CONSULT_PASSWORD_LINK_HOURS``).
DEFAULT_LINK_HOURS = 72
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
#: Audit log rows per page in the viewer.
PAGE_SIZE = 50

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class PeopleError(ValueError):
    """A request the rules refuse; the message is Dutch and shown to the administrator.

    ``field`` names the form field it is about (or None for the whole page).
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- accounts -----------------------------------------------------------------------------------

def staff(session: Session) -> list[User]:
    """Every staff account, active ones first, then by name."""
    return list(session.scalars(select(User).order_by(User.active.desc(), func.lower(User.name), User.id)))


def active_staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(func.lower(User.name))))


def normalise_email(email: str) -> str:
    """The address trimmed and in lower case; PeopleError when it is not an address."""
    email = (email or "").strip().lower()
    if not email:
        raise PeopleError("Vul een e-mailadres in.", "email")
    if len(email) > 254 or not _EMAIL.match(email):
        raise PeopleError("Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.", "email")
    return email


def _check_email_free(session: Session, email: str, user: User | None = None) -> None:
    other = User.by_email(session, email)
    if other is not None and other is not user:
        raise PeopleError("Er is al een medewerker met dit e-mailadres.", "email")


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise PeopleError("Vul een naam in.", "name")
    if len(name) > 200:
        raise PeopleError("Een naam mag hooguit 200 tekens hebben.", "name")
    return name


def _lock_out(user: User) -> None:
    """Give ``user`` a random password nobody knows (and end their sessions)."""
    user.set_password(secrets.token_urlsafe(32))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _link_lifetime(hours: int | str | None) -> timedelta:
    try:
        hours = int(hours) if hours not in (None, "") else DEFAULT_LINK_HOURS
    except (TypeError, ValueError):
        hours = DEFAULT_LINK_HOURS
    return timedelta(hours=max(1, hours))


def issue_password_link(session: Session, user: User, *, actor: User | str,
                        hours: int | None = DEFAULT_LINK_HOURS) -> str:
    """Make a new one-time set-password token for ``user`` and return it (shown once).

    A previous link stops working, the current password stops working and every session
    of the account ends.
    """
    token = secrets.token_urlsafe(32)
    _lock_out(user)
    user.password_token_hash = token_hash(token)
    user.password_token_expires_at = utcnow() + _link_lifetime(hours)
    record(session, "password_link", user, actor=actor,
           details={"expires_at": user.password_token_expires_at.isoformat(timespec="minutes")})
    return token


def create_staff(session: Session, *, name: str, email: str, role: Role, actor: User | str,
                 hours: int | None = DEFAULT_LINK_HOURS) -> tuple[User, str]:
    """Create an account that cannot log in until its password is set; returns it and the
    token of its set-password link."""
    name = _clean_name(name)
    email = normalise_email(email)
    _check_email_free(session, email)
    user = User(email=email, name=name, role=Role(role), active=True, password_hash="")
    _lock_out(user)
    session.add(user)
    session.flush()
    record(session, "create_user", user, actor=actor, details={"email": email, "role": user.role.value})
    return user, issue_password_link(session, user, actor=actor, hours=hours)


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMINISTRATOR, User.active.is_(True), User.id != user.id)) or 0


def update_staff(session: Session, user: User, *, name: str, email: str, role: Role,
                 actor: User) -> dict[str, list]:
    """Change name, e-mail and role; returns the changes ({field: [before, after]})."""
    name = _clean_name(name)
    email = normalise_email(email)
    role = Role(role)
    _check_email_free(session, email, user)
    if (user.role == Role.ADMINISTRATOR and role != Role.ADMINISTRATOR and user.active
            and _other_active_admins(session, user) == 0):
        raise PeopleError("Dit is de laatste actieve beheerder. Maak eerst iemand anders beheerder "
                          "voordat u deze rol verandert.", "role")
    changes: dict[str, list] = {}
    for key, value in (("name", name), ("email", email), ("role", role)):
        before = getattr(user, key)
        if before != value:
            changes[key] = [str(before.value if isinstance(before, Role) else before),
                            str(value.value if isinstance(value, Role) else value)]
            setattr(user, key, value)
    if changes:
        record(session, "update_user", user, actor=actor, details={"changes": changes})
    return changes


def set_active(session: Session, user: User, active: bool, *, actor: User) -> bool:
    """Deactivate (ends every session) or reactivate ``user``; False when nothing changed."""
    if user.active == active:
        return False
    if not active:
        if user.id == actor.id:
            raise PeopleError("U kunt uw eigen account niet uitzetten. Vraag een andere beheerder.")
        if user.role == Role.ADMINISTRATOR and _other_active_admins(session, user) == 0:
            raise PeopleError("Dit is de laatste actieve beheerder. Dit account blijft aan.")
    user.active = active
    record(session, "reactivate_user" if active else "deactivate_user", user, actor=actor)
    return True


# -- set-password links -------------------------------------------------------------------------

class LinkInvalid(Exception):
    """The link is unknown or used (``expired`` False), or out of date (``expired`` True)."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "unknown")
        self.expired = expired


def user_for_token(session: Session, token: str) -> User:
    """The account whose set-password link ``token`` is, while it is valid; LinkInvalid otherwise."""
    if not token or len(token) > 200:
        raise LinkInvalid(expired=False)
    user = session.scalar(select(User).where(User.password_token_hash == token_hash(token)))
    if user is None or not user.active:
        raise LinkInvalid(expired=False)
    if user.password_token_expires_at is None or user.password_token_expires_at <= utcnow():
        raise LinkInvalid(expired=True)
    return user


def check_new_password(password: str, repeated: str) -> None:
    if not password:
        raise PeopleError("Vul een nieuw wachtwoord in.", "password")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PeopleError(f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens.", "password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PeopleError(f"Een wachtwoord mag hooguit {MAX_PASSWORD_LENGTH} tekens hebben.", "password")
    if password != repeated:
        raise PeopleError("De twee wachtwoorden zijn niet gelijk. Typ hetzelfde wachtwoord twee keer.",
                          "password_again")


def set_password_with_token(session: Session, token: str, password: str, repeated: str) -> User:
    """Set the password of the link's account and use the link up.

    LinkInvalid for a bad link, PeopleError for a password the rules refuse.
    """
    user = user_for_token(session, token)
    check_new_password(password, repeated)
    user.set_password(password)  # ends every session of the account
    user.password_token_hash = None
    user.password_token_expires_at = None
    record(session, "set_password", user, actor=user)
    return user


# -- audit log viewer ---------------------------------------------------------------------------

#: Dutch descriptions of audit actions; others are shown with spaces for underscores.
ACTION_LABELS = {
    "login": "ingelogd",
    "create": "aangemaakt",
    "create_user": "account aangemaakt",
    "update_user": "account gewijzigd",
    "deactivate_user": "account uitgezet",
    "reactivate_user": "account weer aangezet",
    "password_link": "wachtwoordlink gemaakt",
    "set_password": "wachtwoord ingesteld",
    "reset_password": "wachtwoord opnieuw ingesteld",
    "add_member": "toegang gegeven",
    "remove_member": "toegang ingetrokken",
    "download_audit_csv": "logboek gedownload",
    "create_survey": "vragenlijst aangemaakt",
    "update_survey": "vragenlijst gewijzigd",
    "survey_status": "status vragenlijst gewijzigd",
    "create_invitation_codes": "uitnodigingscodes gemaakt",
    "assisted_entry": "antwoorden ingevoerd voor iemand",
    "create_meeting": "bijeenkomst toegevoegd",
    "update_meeting": "bijeenkomst gewijzigd",
    "upload_notes": "verslag geüpload",
    "segment_document": "verslag in stukken verdeeld",
    "update_segments": "stukken van verslag gewijzigd",
    "code_consultation": "tekst gecodeerd",
    "train_coder": "coder getraind",
    "accept_code": "code geaccepteerd",
    "reject_code": "code afgewezen",
    "add_code": "code toegevoegd",
    "register_advice": "advies geregistreerd",
    "register_reaction": "reactie geregistreerd",
    "propose_links": "koppelingen voorgesteld",
    "confirm_link": "koppeling bevestigd",
    "reject_link": "koppeling afgewezen",
    "add_link": "koppeling toegevoegd",
    "add_point": "adviespunt toegevoegd",
    "update_point": "adviespunt gewijzigd",
    "update_response": "reactie op adviespunt gewijzigd",
    "erase_response": "inbreng gewist door deelnemer",
    "purge_raw_text": "ruwe tekst gewist (bewaartermijn)",
    "export_data": "gegevens geëxporteerd",
    "set_codebook": "codeboek gekozen",
    "import_codebook": "codeboek ingelezen",
    "create_demo": "demo gemaakt",
}

#: Dutch names of the things audit entries point at (table names).
ENTITY_LABELS = {
    "user": "medewerker",
    "consultation": "raadpleging",
    "survey": "vragenlijst",
    "response": "ingevulde vragenlijst",
    "meeting": "bijeenkomst",
    "document": "verslag",
    "segment": "tekststuk",
    "code_assignment": "code bij tekststuk",
    "codebook_version": "codeboek",
    "coder_model": "coder",
    "advice_document": "advies",
    "advice_point": "adviespunt",
    "reaction_letter": "reactiebrief",
    "finding": "bevinding",
    "decision": "besluit",
    "job": "achtergrondtaak",
    "organisation": "organisatie",
    "audit_log": "logboek",
}

_ACTOR_LABELS = {"cli": "opdrachtregel", "demo": "demo", "system": "systeem", "participant": "deelnemer"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or action.replace("_", " ")


def entity_label(entity_type: str) -> str:
    return ENTITY_LABELS.get(entity_type) or entity_type.replace("_", " ")


@dataclass(frozen=True)
class AuditFilter:
    """What the viewer shows; every part is optional. Dates are local days, both inclusive."""

    consultation: Consultation | None = None
    person: User | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> dict[str, Any]:
        """The filter as audit details (for the CSV download entry)."""
        return {k: v for k, v in {
            "consultation": self.consultation.slug if self.consultation else None,
            "person": self.person.id if self.person else None,
            "action": self.action,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }.items() if v is not None}


_MAX_FK_HOPS = 3


def _paths_to_consultation() -> dict[str, list]:
    """For every table whose rows belong to one consultation: the foreign-key path to a
    table with a ``consultation_id`` column, as a list of (table, fk column, target table).

    Only required (NOT NULL) foreign keys are followed, and never through the shared
    tables (accounts, organisations, codebooks): those do not belong to a consultation.
    """
    tables = Base.metadata.tables
    shared = {"user", "organisation", "neighbourhood", "codebook", "codebook_version", "code", "audit_log",
              "consultation"}
    paths: dict[str, list] = {}
    for name, table in tables.items():
        if name in shared:
            continue
        if "consultation_id" in table.c:
            paths[name] = []
            continue
        frontier = [(table, [])]
        found = None
        for _ in range(_MAX_FK_HOPS):
            next_frontier = []
            for current, path in frontier:
                for fkey in sorted(current.foreign_keys, key=lambda f: f.parent.name):
                    target = fkey.column.table
                    if fkey.parent.nullable or target.name in shared or target is current:
                        continue
                    step = path + [(current, fkey.parent, target)]
                    if "consultation_id" in target.c:
                        found = step
                        break
                    next_frontier.append((target, step))
                if found:
                    break
            if found:
                break
            frontier = next_frontier
        if found:
            paths[name] = found
    return paths


def _entity_ids_in(table_name: str, path: list, consultation_id: int) -> Select:
    """The ids of ``table_name`` rows that belong to the consultation, along ``path``."""
    table = Base.metadata.tables[table_name]
    stmt = select(table.c.id).select_from(table)
    last = table
    for _current, column, target in path:
        stmt = stmt.join(target, column == target.c.id)
        last = target
    return stmt.where(last.c.consultation_id == consultation_id)


def _detail_equals(key: str, value: str) -> ColumnElement:
    """``details[key]`` equals ``value`` as text (portable: SQLite json_extract, PostgreSQL ->>)."""
    return cast(AuditLog.details[key].as_string(), String) == value


def _consultation_condition(session: Session, consultation: Consultation) -> ColumnElement:
    present = set(session.scalars(select(AuditLog.entity_type).distinct()))
    conditions = [and_(AuditLog.entity_type == "consultation", AuditLog.entity_id == consultation.id)]
    for name, path in _paths_to_consultation().items():
        if name in present:
            stmt = _entity_ids_in(name, path, consultation.id)
            conditions.append(and_(AuditLog.entity_type == name, AuditLog.entity_id.in_(stmt)))
    conditions += [_detail_equals("consultation_id", str(consultation.id)),
                   _detail_equals("consultation", consultation.slug),
                   _detail_equals("consultation", str(consultation.id))]
    return or_(*conditions)


def _person_condition(person: User) -> ColumnElement:
    return or_(AuditLog.user_id == person.id,
               and_(AuditLog.entity_type == "user", AuditLog.entity_id == person.id),
               _detail_equals("user", str(person.id)))


def _audit_select(session: Session, f: AuditFilter) -> Select:
    stmt = select(AuditLog)
    if f.consultation is not None:
        stmt = stmt.where(_consultation_condition(session, f.consultation))
    if f.person is not None:
        stmt = stmt.where(_person_condition(f.person))
    if f.action:
        stmt = stmt.where(AuditLog.action == f.action)
    if f.date_from is not None:
        stmt = stmt.where(AuditLog.at >= local_day_start(f.date_from))
    if f.date_to is not None:
        stmt = stmt.where(AuditLog.at < local_day_start(f.date_to + timedelta(days=1)))
    if f.date_from and f.date_to and f.date_from > f.date_to:
        stmt = stmt.where(false())
    return stmt


@dataclass
class AuditRow:
    """One log entry as the viewer shows it."""

    id: int
    at: datetime  # local time
    who: str
    action: str
    action_label: str
    entity: str
    details: str


@dataclass
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    pages: int


def _details_text(details: dict | None, names: dict[int, str]) -> str:
    if not details:
        return ""
    parts = []
    for key, value in details.items():
        if key == "user" and isinstance(value, int) and value in names:
            key, value = "medewerker", names[value]
        elif not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def _rows(session: Session, entries: list[AuditLog]) -> list[AuditRow]:
    ids = {e.user_id for e in entries if e.user_id is not None}
    ids |= {e.entity_id for e in entries if e.entity_type == "user" and e.entity_id is not None}
    ids |= {e.details["user"] for e in entries
            if isinstance(e.details, dict) and isinstance(e.details.get("user"), int)}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    consultation_ids = {e.entity_id for e in entries if e.entity_type == "consultation" and e.entity_id}
    titles = dict(session.execute(select(Consultation.id, Consultation.title)
                                  .where(Consultation.id.in_(consultation_ids))).all()) if consultation_ids else {}
    rows = []
    for e in entries:
        if e.user_id is not None:
            who = names.get(e.user_id) or e.actor
        elif e.actor.startswith("job:"):
            who = f"achtergrondtaak {e.actor[4:]}"
        else:
            who = _ACTOR_LABELS.get(e.actor, e.actor)
        if e.entity_type == "consultation" and e.entity_id in titles:
            entity = f"raadpleging {titles[e.entity_id]}"
        elif e.entity_type == "user" and e.entity_id in names:
            entity = f"medewerker {names[e.entity_id]}"
        else:
            entity = entity_label(e.entity_type) + (f" {e.entity_id}" if e.entity_id is not None else "")
        rows.append(AuditRow(id=e.id, at=to_local(e.at), who=who, action=e.action,
                             action_label=action_label(e.action), entity=entity,
                             details=_details_text(e.details, names)))
    return rows


def audit_page(session: Session, f: AuditFilter, page: int = 1, per_page: int = PAGE_SIZE) -> AuditPage:
    """Page ``page`` (from 1) of the matching entries, newest first."""
    stmt = _audit_select(session, f)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    entries = list(session.scalars(stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())
                                   .offset((page - 1) * per_page).limit(per_page)))
    return AuditPage(rows=_rows(session, entries), total=total, page=page, pages=pages)


def audit_actions(session: Session) -> list[tuple[str, str]]:
    """The actions present in the log as (action, Dutch label), by label."""
    actions = session.scalars(select(AuditLog.action).distinct())
    return sorted(((a, action_label(a)) for a in actions), key=lambda pair: pair[1])


def _iter_rows(session: Session, f: AuditFilter, chunk: int = 500) -> Iterator[AuditRow]:
    stmt = _audit_select(session, f).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    offset = 0
    while True:
        entries = list(session.scalars(stmt.offset(offset).limit(chunk)))
        if not entries:
            return
        yield from _rows(session, entries)
        offset += chunk


CSV_HEADERS = ("Nummer", "Tijdstip", "Wie", "Actie", "Omschrijving", "Onderdeel", "Details")


def safe_cell(value: Any) -> str:
    """A CSV cell that spreadsheets do not run as a formula (CSV injection): text starting
    with ``= + - @`` (or a tab or carriage return) gets a leading quote."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def audit_csv(session: Session, f: AuditFilter, *, actor: User) -> str:
    """The matching entries as CSV (UTF-8 with BOM so that Excel reads accents), newest
    first; the download itself is recorded in the log."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    count = 0
    for row in _iter_rows(session, f):
        writer.writerow([safe_cell(v) for v in (
            row.id, row.at.strftime("%Y-%m-%d %H:%M:%S"), row.who, row.action, row.action_label,
            row.entity, row.details)])
        count += 1
    record(session, "download_audit_csv", None, actor=actor, entity_type="audit_log",
           details={"filter": f.describe(), "rows": count})
    return buf.getvalue()
