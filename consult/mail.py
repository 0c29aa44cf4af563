"""E-mail: settings, templates, the mail log, sending in background jobs, unsubscribing,
and the messages to participants who asked for them.

Settings
    ``CONSULT_MAIL_HOST``, ``_PORT``, ``_SECURITY`` (``starttls``, ``tls`` or ``none``),
    ``_USER``, ``_PASSWORD``, ``_SENDER``, ``_REPLY_TO`` and ``_TIMEOUT`` (see the README).
    Mail is *configured* when host and sender are set. Without it nothing is queued: the
    screens say so in Dutch (:data:`NOT_CONFIGURED`), the CLI in English, and every other
    function of consult works as before (password links stay on screen, for example).

Sending
    A producer renders a message (:func:`render`), adds a :class:`MailMessage` row
    (status ``queued``; :func:`queue`), commits and calls :func:`dispatch`, which puts the
    rows in ``send_mail`` jobs of :data:`BATCH_SIZE` messages (see :mod:`consult.jobs`:
    RQ, or a background thread without Redis). The job opens one SMTP connection per
    batch (:mod:`smtplib`, :mod:`email`), retries a failed connection and temporary
    refusals (4xx, dropped connections) :data:`ATTEMPTS` times with a short pause, and
    writes the outcome on each row: ``sent``, or ``failed`` with the reason in Dutch and
    the server's words. An unreachable server fails the batch's messages with that reason;
    staff can queue failed messages again from the e-mail page (:func:`retry_failed`).
    The rendered text leaves the row once sent (it holds codes and links).

Never twice
    Each message can carry a ``dedup_key`` (unique in the database): ``invitation:<id>``,
    ``reminder:<id>:<n>``, ``receipt:<response id>``, ``published:<consultation>:<participant>``.
    Queuing a key that exists does nothing, so a double click, a repeated upload or a
    second "send the notice" sends nothing twice.

Templates
    Every kind has a Dutch B1 default (:data:`DEFAULTS`); staff can give a consultation
    its own subject and text (:class:`MailTemplate`) with placeholders such as ``{link}``
    (:data:`PLACEHOLDERS`). The footer with the consultation's name, the municipality, the
    contact and the unsubscribe link is always added, so no edit can drop it. The HTML
    part is made from the text: ``lang="nl"``, real paragraphs and links, no images.

Participants
    Only with explicit consent, stored on the participant (``contact_consent`` and
    ``contact_email``), separate from the privacy consent question:
    :func:`record_contact_consent`, then :func:`send_resume_link`, :func:`send_receipt`
    and, once per participant, :func:`send_published_notice`. Every such message has a
    one-click unsubscribe link (:func:`unsubscribe_token`, :func:`unsubscribe`) that
    works without logging in, and the ``List-Unsubscribe`` headers of RFC 8058.
"""
from __future__ import annotations

import html as html_lib
import logging
import re
import smtplib
import ssl
import string
import time
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from consult.audit import record
from consult.db import utcnow
from consult.models import (
    Consultation, Invitation, MailKind, MailMessage, MailStatus, MailTemplate, Organisation, Participant,
    Response, ResponseStatus, User,
)

log = logging.getLogger(__name__)

#: Messages per ``send_mail`` job (one SMTP connection each).
BATCH_SIZE = 200
#: Tries per connection and per message before it counts as failed; pause between tries.
ATTEMPTS = 3
RETRY_PAUSE = 0.5
SECURITY_CHOICES = ("starttls", "tls", "none")

NOT_CONFIGURED = ("E-mail is nog niet ingesteld. Er is niets verstuurd. Vraag de beheerder om de "
                  "instellingen voor e-mail (CONSULT_MAIL_HOST en CONSULT_MAIL_SENDER) in te vullen.")


class MailError(ValueError):
    """A request the rules refuse; the message is Dutch and shown on the screen."""


# -- settings --------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = ""
    sender: str = ""
    reply_to: str = ""
    timeout: int = 10

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(host=str(config.get("MAIL_HOST") or "").strip(), port=int(config.get("MAIL_PORT") or 587),
                   security=str(config.get("MAIL_SECURITY") or "starttls").strip().lower(),
                   user=str(config.get("MAIL_USER") or ""), password=str(config.get("MAIL_PASSWORD") or ""),
                   sender=str(config.get("MAIL_SENDER") or "").strip(),
                   reply_to=str(config.get("MAIL_REPLY_TO") or "").strip(),
                   timeout=int(config.get("MAIL_TIMEOUT") or 10))


#: The settings of every app in this process, by database URL: the ``send_mail`` job
#: (a worker forked from ``consult worker``, or the background thread) finds them here.
_settings_by_database: dict[str, MailSettings] = {}


def init_app(app) -> None:
    settings = MailSettings.from_config(app.config)
    app.extensions["consult.mail"] = settings
    _settings_by_database[app.config["DATABASE_URL"]] = settings


def settings_for(app) -> MailSettings:
    return app.extensions["consult.mail"]


def configured(app) -> bool:
    """Whether this app can send e-mail (host and sender set); the screens ask this."""
    return settings_for(app).configured


def _settings_for_database(database_url: str) -> MailSettings:
    settings = _settings_by_database.get(database_url)
    if settings is None:  # a process that built no app for this database: read the environment
        from consult.config import build_config

        settings = MailSettings.from_config(build_config())
    return settings


def check_settings(values: dict) -> None:
    """Raise ConfigError for a mail setting that cannot work (called by build_config)."""
    from consult.config import ConfigError

    security = str(values.get("MAIL_SECURITY") or "").strip().lower()
    if security not in SECURITY_CHOICES:
        raise ConfigError(f"CONSULT_MAIL_SECURITY: invalid value {values.get('MAIL_SECURITY')!r} "
                          f"(one of {', '.join(SECURITY_CHOICES)})")
    port = values.get("MAIL_PORT")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"CONSULT_MAIL_PORT: invalid value {port!r} (a port number, 1-65535)")
    for name in ("MAIL_SENDER", "MAIL_REPLY_TO"):
        address = str(values.get(name) or "").strip()
        if address:
            try:
                validate_email(_bare_address(address), check_deliverability=False)
            except EmailNotValidError:
                raise ConfigError(f"CONSULT_{name}: not an e-mail address: {address!r}") from None


def _bare_address(value: str) -> str:
    """``naam@x.nl`` out of ``Gemeente Deventer <naam@x.nl>``."""
    from email.utils import parseaddr

    return parseaddr(value)[1] or value


# -- addresses -------------------------------------------------------------------------------

def normalise_address(raw: str) -> str:
    """The address in lower case when it is a valid e-mail address; MailError otherwise."""
    raw = (raw or "").strip()
    if not raw:
        raise MailError("Vul een e-mailadres in.")
    if len(raw) > 254:
        raise MailError("Dit e-mailadres is te lang.")
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise MailError(f"{raw} is geen geldig e-mailadres. Een goed adres ziet eruit als naam@voorbeeld.nl.") from None
    return checked.normalized.lower()


# -- templates ---------------------------------------------------------------------------------

#: What staff may write between braces, and what it becomes.
PLACEHOLDERS = {
    "raadpleging": "de naam van de raadpleging",
    "gemeente": "de naam van de gemeente",
    "contact": "hoe mensen contact opnemen",
    "vragenlijst": "de naam van de vragenlijst (uitnodiging en herinnering)",
    "link": "de persoonlijke link",
    "code": "de persoonlijke code (uitnodiging, herinnering), de code om verder te gaan (link om later "
            "verder te gaan) of de ontvangstcode (bewijs van inzending)",
    "naam": "de naam van de medewerker (alleen berichten aan medewerkers)",
    "geldig_tot": "tot wanneer de link werkt (alleen berichten aan medewerkers)",
}

KIND_LABELS = {
    MailKind.INVITATION: "Uitnodiging",
    MailKind.REMINDER: "Herinnering",
    MailKind.RESUME: "Link om later verder te gaan",
    MailKind.RECEIPT: "Bewijs van inzending",
    MailKind.PUBLISHED: "Bericht: de uitkomst staat online",
    MailKind.STAFF_ACCOUNT: "Nieuw account voor een medewerker",
    MailKind.PASSWORD_RESET: "Nieuwe wachtwoordlink voor een medewerker",
    MailKind.TEST: "Testbericht",
}

STATUS_LABELS = {MailStatus.QUEUED: "in de wachtrij", MailStatus.SENT: "verstuurd", MailStatus.FAILED: "mislukt"}

#: Kinds staff edit per consultation (the others are the same for everyone).
CONSULTATION_KINDS = (MailKind.INVITATION, MailKind.REMINDER, MailKind.RESUME, MailKind.RECEIPT,
                      MailKind.PUBLISHED)
#: Placeholders a kind's text must contain (else the message is useless).
REQUIRED = {
    MailKind.INVITATION: ("link", "code"), MailKind.REMINDER: ("link", "code"), MailKind.RESUME: ("link",),
    MailKind.RECEIPT: ("code",), MailKind.PUBLISHED: ("link",),
    MailKind.STAFF_ACCOUNT: ("link",), MailKind.PASSWORD_RESET: ("link",), MailKind.TEST: (),
}

DEFAULTS: dict[MailKind, tuple[str, str]] = {
    MailKind.INVITATION: (
        "Uitnodiging: praat mee over {raadpleging}",
        "Beste inwoner,\n\n"
        "{gemeente} wil graag weten wat u vindt. Daarom nodigen wij u uit om de vragenlijst "
        "'{vragenlijst}' in te vullen. Dat duurt ongeveer 10 minuten.\n\n"
        "Klik op deze link om te beginnen:\n{link}\n\n"
        "Uw persoonlijke code is: {code}\n"
        "Vul deze code in als daarom gevraagd wordt. De code werkt één keer.\n\n"
        "Wij weten niet wie welke antwoorden geeft. Uw e-mailadres bewaren wij niet bij uw antwoorden.\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.REMINDER: (
        "Herinnering: praat mee over {raadpleging}",
        "Beste inwoner,\n\n"
        "Kort geleden nodigden wij u uit voor de vragenlijst '{vragenlijst}'. "
        "Wij hebben uw antwoorden nog niet ontvangen. Wilt u de vragenlijst nog invullen?\n\n"
        "Klik op deze link om te beginnen:\n{link}\n\n"
        "Uw persoonlijke code is: {code}\n\n"
        "Heeft u de vragenlijst al ingevuld? Dan kunt u dit bericht vergeten.\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.RESUME: (
        "Uw link om verder te gaan: {raadpleging}",
        "Beste deelnemer,\n\n"
        "U heeft uw antwoorden voor {raadpleging} bewaard. Met deze link gaat u later verder "
        "waar u was gebleven:\n{link}\n\n"
        "U kunt ook naar de vragenlijst gaan en bij 'Verder met een code' deze code invullen: {code}\n\n"
        "Geef de link en de code aan niemand anders. Daarmee kan iemand uw antwoorden zien.\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.RECEIPT: (
        "Bedankt voor uw inbreng: {raadpleging}",
        "Beste deelnemer,\n\n"
        "Bedankt voor het invullen van de vragenlijst voor {raadpleging}. Wij hebben uw antwoorden ontvangen.\n\n"
        "Uw ontvangstcode is: {code}\n\n"
        "Bewaar deze code. Met de code ziet u later wat er met uw inbreng is gedaan:\n{link}\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.PUBLISHED: (
        "De uitkomst van {raadpleging} staat online",
        "Beste deelnemer,\n\n"
        "U deed mee aan {raadpleging}. Dank u wel daarvoor. U vroeg ons om te laten weten wat er "
        "met de inbreng is gedaan. Dat kunt u nu lezen:\n{link}\n\n"
        "Heeft u een ontvangstcode? Vul die op de pagina in. Dan ziet u ook bij welke onderwerpen "
        "uw eigen inbreng hoort.\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.STAFF_ACCOUNT: (
        "Uw account voor consult bij {gemeente}",
        "Beste {naam},\n\n"
        "Er is een account voor u gemaakt in consult, het programma voor raadplegingen van {gemeente}.\n\n"
        "Kies met deze link zelf een wachtwoord:\n{link}\n\n"
        "De link werkt één keer en is geldig tot {geldig_tot}.\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.PASSWORD_RESET: (
        "Nieuw wachtwoord kiezen voor consult",
        "Beste {naam},\n\n"
        "Er is een nieuwe wachtwoordlink voor uw account in consult gemaakt. Uw oude wachtwoord werkt niet meer.\n\n"
        "Kies met deze link een nieuw wachtwoord:\n{link}\n\n"
        "De link werkt één keer en is geldig tot {geldig_tot}.\n"
        "Heeft u hier niet om gevraagd? Neem dan contact op met de beheerder.\n\n"
        "Met vriendelijke groet,\n{gemeente}"),
    MailKind.TEST: (
        "Testbericht van consult",
        "Dit is een testbericht van consult voor {gemeente}.\n\nDe instellingen voor e-mail werken."),
}


class _Values(dict):
    def __missing__(self, key):  # only reached for names check_template let through
        return ""


def template_fields(text: str) -> list[str]:
    """The placeholder names in ``text``; MailError for braces that do not pair up."""
    try:
        return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise MailError("Er staat een losse { of } in de tekst. Gebruik accolades alleen om een invulveld, "
                        "zoals {link}, heen.") from None


def check_template(kind: MailKind, subject: str, body: str) -> tuple[str, str]:
    """Clean and check a template staff wrote; MailError (Dutch) when it cannot be used."""
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not subject:
        raise MailError("Vul een onderwerp in.")
    if len(subject) > 200:
        raise MailError("Het onderwerp is te lang (meer dan 200 tekens).")
    if not body:
        raise MailError("Vul de tekst van het bericht in.")
    if len(body) > 10_000:
        raise MailError("De tekst is te lang (meer dan 10.000 tekens).")
    used = template_fields(subject) + template_fields(body)
    unknown = sorted({name for name in used if name not in PLACEHOLDERS or not name})
    if unknown:
        raise MailError(f"Onbekend invulveld: {', '.join('{' + n + '}' for n in unknown)}. "
                        f"U kunt deze invulvelden gebruiken: {', '.join('{' + n + '}' for n in PLACEHOLDERS)}.")
    missing = [name for name in REQUIRED[kind] if name not in template_fields(body)]
    if missing:
        raise MailError(f"Zet {' en '.join('{' + n + '}' for n in missing)} in de tekst. "
                        "Anders mist de ontvanger wat nodig is.")
    return subject, body


def template_for(session: Session, consultation: Consultation | None, kind: MailKind) -> tuple[str, str, bool]:
    """(subject, body, own) for ``kind``: the consultation's own wording, or the default."""
    if consultation is not None:
        own = session.scalar(select(MailTemplate).where(MailTemplate.consultation_id == consultation.id,
                                                        MailTemplate.kind == kind))
        if own is not None:
            return own.subject, own.body, True
    subject, body = DEFAULTS[kind]
    return subject, body, False


def save_template(session: Session, consultation: Consultation, kind: MailKind, subject: str, body: str, *,
                  actor: User) -> MailTemplate:
    if kind not in CONSULTATION_KINDS:
        raise MailError("Dit bericht kunt u niet per raadpleging aanpassen.")
    subject, body = check_template(kind, subject, body)
    own = session.scalar(select(MailTemplate).where(MailTemplate.consultation_id == consultation.id,
                                                    MailTemplate.kind == kind))
    if own is None:
        own = MailTemplate(consultation_id=consultation.id, kind=kind, subject=subject, body=body)
        session.add(own)
    own.subject, own.body, own.updated_by_id = subject, body, actor.id
    session.flush()
    record(session, "edit_mail_template", consultation, actor=actor, details={"kind": kind.value})
    return own


def reset_template(session: Session, consultation: Consultation, kind: MailKind, *, actor: User) -> bool:
    own = session.scalar(select(MailTemplate).where(MailTemplate.consultation_id == consultation.id,
                                                    MailTemplate.kind == kind))
    if own is None:
        return False
    session.delete(own)
    record(session, "reset_mail_template", consultation, actor=actor, details={"kind": kind.value})
    return True


def _organisation(session: Session, consultation: Consultation | None) -> Organisation | None:
    if consultation is not None:
        return consultation.organisation
    return session.scalar(select(Organisation).order_by(Organisation.id).limit(1))


def contact_text(consultation: Consultation | None, organisation: Organisation | None,
                 settings: MailSettings | None = None) -> str:
    """How to reach the organisers: the consultation's contact, else the organisation's
    contact page, else the reply-to or sender address."""
    if consultation is not None and consultation.contact.strip():
        return " ".join(consultation.contact.split())
    if organisation is not None and organisation.contact_url:
        return organisation.contact_url
    if settings is not None and (settings.reply_to or settings.sender):
        return _bare_address(settings.reply_to or settings.sender)
    return "neem contact op met de gemeente"


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


_URL = re.compile(r"https?://[^\s<>\"]+")


def _html_line(line: str) -> str:
    out, last = [], 0
    for m in _URL.finditer(line):
        out.append(html_lib.escape(line[last:m.start()]))
        url = m.group(0).rstrip(".,;)")
        out.append(f'<a href="{html_lib.escape(url)}" style="color:#0b4ea2;">{html_lib.escape(url)}</a>')
        last = m.start() + len(url)
    out.append(html_lib.escape(line[last:]))
    return "".join(out)


def _html(subject: str, paragraphs: list[str], footer: list[str]) -> str:
    body = "\n".join("<p>" + "<br>\n".join(_html_line(l) for l in p.split("\n")) + "</p>" for p in paragraphs)
    foot = "\n".join("<p>" + "<br>\n".join(_html_line(l) for l in p.split("\n")) + "</p>" for p in footer)
    return ("<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html_lib.escape(subject)}</title>\n</head>\n"
            "<body style=\"margin:0;padding:0;background:#ffffff;color:#1a1a1a;"
            "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;\">\n"
            "<div role=\"article\" aria-label=\"" + html_lib.escape(subject) + "\" lang=\"nl\" "
            "style=\"max-width:40em;margin:0 auto;padding:16px;\">\n"
            f"{body}\n<hr style=\"border:0;border-top:1px solid #767676;margin:24px 0;\">\n"
            f"<footer style=\"font-size:15px;color:#333333;\">\n{foot}\n</footer>\n</div>\n</body>\n</html>\n")


def render(session: Session, consultation: Consultation | None, kind: MailKind, values: dict[str, Any], *,
           unsubscribe_url: str | None = None, settings: MailSettings | None = None,
           template: tuple[str, str] | None = None) -> Rendered:
    """The message of ``kind`` with ``values`` filled in, as text and HTML, with the footer.

    ``template`` (subject, body) renders a draft instead of the stored wording (preview)."""
    organisation = _organisation(session, consultation)
    municipality = organisation.name if organisation is not None else "de gemeente"
    filled = _Values({k: "" for k in PLACEHOLDERS})
    filled.update(raadpleging=consultation.title if consultation is not None else "consult",
                  gemeente=municipality, contact=contact_text(consultation, organisation, settings))
    filled.update({k: str(v) for k, v in values.items()})
    subject_t, body_t = template or template_for(session, consultation, kind)[:2]
    subject = " ".join(subject_t.format_map(filled).split())
    body = body_t.format_map(filled).strip()
    footer = []
    if consultation is not None:
        footer.append(f"Dit bericht gaat over {consultation.title}, een raadpleging van {municipality}.")
    else:
        footer.append(f"Dit bericht komt van consult, het programma voor raadplegingen van {municipality}.")
    footer.append(f"Vragen? {filled['contact']}")
    if unsubscribe_url:
        footer.append(f"Wilt u geen e-mail meer over deze raadpleging? Meld u af met één klik:\n{unsubscribe_url}")
    text = body + "\n\n-- \n" + "\n\n".join(footer) + "\n"
    return Rendered(subject=subject, text=text,
                    html=_html(subject, [p for p in re.split(r"\n\s*\n", body) if p.strip()], footer))


def sample_values(kind: MailKind) -> dict[str, str]:
    """Example values for the preview."""
    return {"vragenlijst": "Vragenlijst", "link": "https://voorbeeld.nl/link-voor-u",
            "code": "K7QX-3MPD-W9TA", "naam": "Medewerker", "geldig_tot": "vrijdag 18.00 uur"}


# -- links -----------------------------------------------------------------------------------

def external_url(app, base_url: str, endpoint: str, **values) -> str:
    """An absolute URL of ``endpoint`` under ``base_url`` (e.g. ``request.url_root``), without
    needing a request: jobs and services build the links in messages with it."""
    parts = urlsplit(base_url)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                               url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="consult-unsubscribe")


def unsubscribe_token(secret: str, target: Participant | Invitation) -> str:
    kind = "p" if isinstance(target, Participant) else "i"
    return _serializer(secret).dumps({"t": kind, "id": target.id})


def unsubscribe_url(app, base_url: str, target: Participant | Invitation) -> str:
    return external_url(app, base_url, "mail.unsubscribe",
                        token=unsubscribe_token(app.config["SECRET_KEY"], target))


@dataclass
class Unsubscribed:
    consultation: Consultation | None
    already: bool


def unsubscribe(session: Session, secret: str, token: str) -> Unsubscribed:
    """Stop all e-mail to whoever ``token`` names (no login: the signed token is the proof).

    A participant's contact address and consent go; an invitee's address goes (the key
    stays, so a new upload of the list does not invite them again). Queued messages to
    them are not sent. MailError for a token that is not ours."""
    try:
        data = _serializer(secret).loads(token)
        kind, target_id = data["t"], int(data["id"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise MailError("Deze afmeldlink klopt niet. Kopieer de hele link uit de e-mail, "
                        "of neem contact op met de gemeente.") from None
    if kind == "p":
        participant = session.get(Participant, target_id)
        if participant is None:
            return Unsubscribed(None, True)
        already = not participant.contact_email
        address = participant.contact_email
        participant.contact_email, participant.contact_consent = None, False
        consultation = participant.consultation
        keys = [f"published:{consultation.id}:{participant.id}"]
    else:
        invitation = session.get(Invitation, target_id)
        if invitation is None:
            return Unsubscribed(None, True)
        already = invitation.unsubscribed_at is not None
        address = invitation.email
        invitation.unsubscribed_at = invitation.unsubscribed_at or utcnow()
        invitation.email = None
        consultation = invitation.survey.consultation
        keys = [f"invitation:{invitation.id}"] + [f"reminder:{invitation.id}:{n}" for n in range(1, 50)]
    stop = MailMessage.dedup_key.in_(keys)
    if address:
        stop = stop | ((MailMessage.recipient == address) & (MailMessage.consultation_id == consultation.id))
    session.execute(update(MailMessage).where(MailMessage.status == MailStatus.QUEUED, stop)
                    .values(status=MailStatus.FAILED, reason="Niet verstuurd: de ontvanger heeft zich afgemeld.",
                            text=None, html=None).execution_options(synchronize_session=False))
    if not already:
        record(session, "mail_unsubscribe", consultation, actor="participant", details={"kind": kind})
    return Unsubscribed(consultation, already)


# -- queueing and dispatching --------------------------------------------------------------------

def new_message(consultation: Consultation | None, kind: MailKind, recipient: str, rendered: Rendered, *,
                dedup_key: str | None = None, unsubscribe: str | None = None,
                requested_by: User | None = None) -> MailMessage:
    return MailMessage(consultation_id=consultation.id if consultation is not None else None, kind=kind,
                       recipient=recipient, subject=rendered.subject[:300], text=rendered.text,
                       html=rendered.html, unsubscribe_url=unsubscribe, dedup_key=dedup_key,
                       requested_by_id=requested_by.id if requested_by is not None else None)


def queue(session: Session, message: MailMessage) -> MailMessage | None:
    """Add ``message`` unless one with its ``dedup_key`` exists (then None: never twice)."""
    if message.dedup_key is not None and session.scalar(
            select(MailMessage.id).where(MailMessage.dedup_key == message.dedup_key)) is not None:
        return None
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:  # the same key raced us
        return None
    return message


def dispatch(app, message_ids: list[int], *, consultation: Consultation | None = None,
             user: User | None = None) -> list[int]:
    """Hand committed queued messages to ``send_mail`` jobs (:data:`BATCH_SIZE` each)."""
    from consult import jobs

    if not message_ids:
        return []
    return jobs.enqueue_many_for_app(app, "send_mail", [{"messages": message_ids[i:i + BATCH_SIZE]}
                                                        for i in range(0, len(message_ids), BATCH_SIZE)],
                                     consultation=consultation, user=user)


def retry_failed(app, session: Session, consultation: Consultation, *, actor: User) -> int:
    """Queue the consultation's failed messages again (those that still have their text)."""
    ids = list(session.scalars(select(MailMessage.id).where(
        MailMessage.consultation_id == consultation.id, MailMessage.status == MailStatus.FAILED,
        MailMessage.text.is_not(None), MailMessage.recipient.is_not(None))))
    if not ids:
        return 0
    _require(app)
    session.execute(update(MailMessage).where(MailMessage.id.in_(ids))
                    .values(status=MailStatus.QUEUED, reason="").execution_options(synchronize_session=False))
    record(session, "mail_retry", consultation, actor=actor, details={"messages": len(ids)})
    session.commit()
    dispatch(app, ids, consultation=consultation, user=actor)
    return len(ids)


def _require(app) -> None:
    if not configured(app):
        raise MailError(NOT_CONFIGURED)


# -- sending (the job) ---------------------------------------------------------------------------

class Unreachable(Exception):
    """No usable SMTP connection: ``str()`` is Dutch (the mail log), ``english`` for the CLI."""

    def __init__(self, dutch: str, english: str):
        super().__init__(dutch)
        self.english = english


def _connect(settings: MailSettings) -> smtplib.SMTP:
    last: Exception | None = None
    for attempt in range(ATTEMPTS):
        try:
            if settings.security == "tls":
                smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
                if settings.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            return smtp
        except smtplib.SMTPAuthenticationError as exc:
            words = f"{exc.smtp_code} {_words(exc.smtp_error)}"
            raise Unreachable(f"De SMTP-server {settings.where} weigert de gebruikersnaam of het "
                              f"wachtwoord ({words}).",
                              f"the server refused the user name or password ({words})") from None
        except (OSError, smtplib.SMTPException) as exc:
            last = exc
            if attempt + 1 < ATTEMPTS:
                time.sleep(RETRY_PAUSE * (attempt + 1))
    detail = f"{type(last).__name__}: {last}"
    raise Unreachable(f"De SMTP-server {settings.where} is niet bereikbaar ({detail}).",
                      f"cannot reach the SMTP server ({detail})")


def _words(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def build_email(settings: MailSettings, message: MailMessage) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = settings.sender
    email["To"] = message.recipient
    if settings.reply_to:
        email["Reply-To"] = settings.reply_to
    email["Date"] = format_datetime(datetime.now().astimezone())
    email["Message-ID"] = make_msgid(domain=_bare_address(settings.sender).rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text or "")
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


def _permanent(exc: Exception) -> bool:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        return bool(codes) and all(c >= 500 for c in codes)
    return isinstance(code, int) and code >= 500


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        (code, words), = list(exc.recipients.values())[:1] or [(0, b"")]
        return f"De server weigert dit adres ({code} {_words(words)})."
    code = getattr(exc, "smtp_code", None)
    if code:
        return f"De server weigert het bericht ({code} {_words(getattr(exc, 'smtp_error', ''))})."
    return f"De verbinding met de server viel weg ({type(exc).__name__}: {exc})."


def _mark(session: Session, message: MailMessage, status: MailStatus, reason: str = "") -> None:
    message.status, message.reason = status, reason
    if status == MailStatus.SENT:
        message.sent_at, message.text, message.html = utcnow(), None, None


def send_job(session: Session, job, progress, database_url: str) -> dict[str, Any]:
    """The ``send_mail`` job: send the queued messages ``job.params["messages"]``."""
    settings = _settings_for_database(database_url)
    ids = [int(i) for i in job.params.get("messages") or []]
    messages = list(session.scalars(select(MailMessage).where(
        MailMessage.id.in_(ids or [-1]), MailMessage.status == MailStatus.QUEUED).order_by(MailMessage.id)))
    for m in messages:
        m.job_id = job.id
    sent = failed = 0
    if not settings.configured:
        for m in messages:
            _mark(session, m, MailStatus.FAILED, "Niet verstuurd: e-mail is niet ingesteld.")
        return {"sent": 0, "failed": len(messages), "reason": "not configured"}
    smtp = None
    try:
        for n, message in enumerate(messages, 1):
            if not message.recipient:
                _mark(session, message, MailStatus.FAILED, "Niet verstuurd: het adres is verwijderd.")
                failed += 1
                continue
            email = build_email(settings, message)
            for attempt in range(ATTEMPTS):
                message.attempts += 1
                try:
                    if smtp is None:
                        smtp = _connect(settings)
                    smtp.send_message(email)
                except Unreachable as exc:
                    for rest in messages[n - 1:]:
                        if rest.status == MailStatus.QUEUED:
                            _mark(session, rest, MailStatus.FAILED, f"Niet verstuurd: {exc}")
                            failed += 1
                    return {"sent": sent, "failed": failed, "reason": str(exc)}
                except (OSError, smtplib.SMTPException) as exc:
                    if _permanent(exc) or attempt + 1 == ATTEMPTS:
                        _mark(session, message, MailStatus.FAILED, _reason(exc))
                        failed += 1
                        if not isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                                                smtplib.SMTPDataError)):
                            smtp = _close(smtp)
                        break
                    smtp = _close(smtp)  # temporary: a fresh connection, after a pause
                    time.sleep(RETRY_PAUSE * (attempt + 1))
                else:
                    _mark(session, message, MailStatus.SENT)
                    sent += 1
                    break
            if n % 50 == 0:
                progress(n / len(messages))
                session.commit()
    finally:
        _close(smtp)
    return {"sent": sent, "failed": failed}


def _close(smtp):
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return None


def send_now(settings: MailSettings, recipient: str, rendered: Rendered) -> None:
    """Send one message synchronously (``consult mail test``); raises on failure."""
    message = MailMessage(kind=MailKind.TEST, recipient=recipient, subject=rendered.subject,
                          text=rendered.text, html=rendered.html)
    smtp = _connect(settings)
    try:
        smtp.send_message(build_email(settings, message))
    finally:
        _close(smtp)


# -- the log, for the e-mail page -------------------------------------------------------------

@dataclass
class LogSummary:
    counts: dict[MailStatus, int]
    recent: list[MailMessage]
    last_failure: str


def log_summary(session: Session, consultation: Consultation, limit: int = 50) -> LogSummary:
    counts = {status: 0 for status in MailStatus}
    for status, n in session.execute(select(MailMessage.status, func.count()).where(
            MailMessage.consultation_id == consultation.id).group_by(MailMessage.status)):
        counts[MailStatus(status)] = n
    recent = list(session.scalars(select(MailMessage).where(MailMessage.consultation_id == consultation.id)
                                  .order_by(MailMessage.id.desc()).limit(limit)))
    last_failure = session.scalar(select(MailMessage.reason).where(
        MailMessage.consultation_id == consultation.id, MailMessage.status == MailStatus.FAILED)
        .order_by(MailMessage.id.desc()).limit(1)) or ""
    return LogSummary(counts, recent, last_failure)


def job_summary(result: dict | None) -> list[str]:
    r = result or {}
    lines = [f"{int(r.get('sent') or 0)} e-mails verstuurd, {int(r.get('failed') or 0)} mislukt."]
    if r.get("reason") == "not configured":
        lines.append("E-mail is niet ingesteld.")
    elif r.get("reason"):
        lines.append(str(r["reason"]))
    return lines


# -- participants who asked for e-mail ---------------------------------------------------------

def record_contact_consent(session: Session, response: Response, email: str) -> Participant:
    """Store the address a participant gave, with their explicit consent to be e-mailed
    about this consultation (separate from the privacy consent). MailError (Dutch) for a
    malformed address. The caller commits."""
    address = normalise_address(email)
    participant = response.participant
    if participant is None:
        participant = Participant(consultation_id=response.survey.consultation_id)
        session.add(participant)
        response.participant = participant
    participant.contact_consent, participant.contact_email = True, address
    session.flush()
    return participant


def withdraw_contact_consent(session: Session, response: Response) -> None:
    if response.participant is not None:
        response.participant.contact_email, response.participant.contact_consent = None, False


def _contact(response: Response) -> Participant | None:
    p = response.participant
    return p if p is not None and p.contact_consent and p.contact_email else None


def contact_address(response: Response) -> str | None:
    """The address the participant of ``response`` gave with consent (None: none given)."""
    participant = _contact(response)
    return participant.contact_email if participant is not None else None


def _send_to_participant(app, session: Session, response: Response, kind: MailKind, values: dict, *,
                         base_url: str, dedup_key: str) -> MailMessage | None:
    participant = _contact(response)
    if participant is None or not configured(app):
        return None
    consultation = response.survey.consultation
    unsubscribe = unsubscribe_url(app, base_url, participant)
    rendered = render(session, consultation, kind, values, unsubscribe_url=unsubscribe, settings=settings_for(app))
    message = queue(session, new_message(consultation, kind, participant.contact_email, rendered,
                                         dedup_key=dedup_key, unsubscribe=unsubscribe))
    if message is None:
        return None
    session.commit()
    dispatch(app, [message.id], consultation=consultation)
    return message


#: What ``{code}`` says in a resume message when the caller does not have the short code
#: (only its hash is stored, so it cannot be looked up).
RESUME_CODE_UNKNOWN = "de code die u op het scherm kreeg toen u uw antwoorden bewaarde"


def send_resume_link(app, session: Session, response: Response, *, base_url: str,
                     email: str | None = None, code: str | None = None) -> MailMessage | None:
    """E-mail the save-and-continue link of an unfinished ``response`` to its participant,
    with the short resume ``code`` when the caller has it (see :data:`RESUME_CODE_UNKNOWN`).

    With ``email`` the address and the consent are stored first (MailError for a bad
    address). Returns the queued message, or None when there is nobody to send to, mail is
    not configured, or the same link went out less than 10 minutes ago. Commits."""
    if email is not None:
        record_contact_consent(session, response, email)
    if response.status != ResponseStatus.IN_PROGRESS or not response.resume_token:
        return None
    survey = response.survey
    link = external_url(app, base_url, "survey.resume", slug=survey.consultation.slug,
                        survey_slug=survey.slug, token=response.resume_token)
    window = int(utcnow().timestamp() // 600)
    return _send_to_participant(app, session, response, MailKind.RESUME,
                                {"link": link, "code": code or RESUME_CODE_UNKNOWN}, base_url=base_url,
                                dedup_key=f"resume:{response.id}:{window}")


def send_receipt(app, session: Session, response: Response, *, base_url: str,
                 email: str | None = None) -> MailMessage | None:
    """E-mail the receipt code of a submitted ``response`` (once), with the link to the
    feedback page. Same rules as :func:`send_resume_link`. Commits."""
    if email is not None:
        record_contact_consent(session, response, email)
    if response.status != ResponseStatus.SUBMITTED or not response.receipt_code:
        return None
    link = external_url(app, base_url, "feedback.page", slug=response.survey.consultation.slug)
    return _send_to_participant(app, session, response, MailKind.RECEIPT,
                                {"code": response.receipt_code, "link": link}, base_url=base_url,
                                dedup_key=f"receipt:{response.id}")


def notify_reported(app, session: Session, consultation: Consultation, *, base_url: str,
                    actor: User | str) -> int | None:
    """When a consultation is marked reported: the "outcome is online" notice to everyone who
    asked for it (:func:`send_published_notice`), once. ``None`` when mail is not configured or
    nothing is published yet; a failing queue is logged and never undoes the status change."""
    if not configured(app) or not has_outcome(session, consultation):
        return None
    try:
        return send_published_notice(app, session, consultation, base_url=base_url, actor=actor)
    except Exception:  # the status is committed already; staff can send it again from the e-mail page
        log.exception("published notice for %s could not be queued", consultation.slug)
        session.rollback()
        return None


def has_outcome(session: Session, consultation: Consultation) -> bool:
    """Whether findings, decisions or responses to advice (with a stance) are there to read."""
    from consult.models import AdviceDocument, AdvicePoint, AdviceResponse

    if consultation.findings or consultation.decisions:
        return True
    return bool(session.scalar(select(func.count(AdviceResponse.id)).join(
        AdvicePoint, AdvicePoint.id == AdviceResponse.point_id).join(
        AdviceDocument, AdviceDocument.id == AdvicePoint.advice_id).where(
        AdviceDocument.consultation_id == consultation.id, AdviceResponse.stance.is_not(None))))


def published_recipients(session: Session, consultation: Consultation) -> tuple[int, int]:
    """(participants who asked for e-mail, of whom already sent the notice)."""
    total = session.scalar(select(func.count(Participant.id)).where(
        Participant.consultation_id == consultation.id, Participant.contact_consent.is_(True),
        Participant.contact_email.is_not(None))) or 0
    done = session.scalar(select(func.count(MailMessage.id)).where(
        MailMessage.dedup_key.like(f"published:{consultation.id}:%"))) or 0
    return total, done


def send_published_notice(app, session: Session, consultation: Consultation, *, base_url: str,
                          actor: User | str) -> int:
    """One message per consenting participant: "the outcome is online", linking to the
    feedback page. Never twice to the same participant. Returns how many were queued.
    MailError when mail is not configured or there is nothing published yet. Commits."""
    _require(app)
    if not has_outcome(session, consultation):
        raise MailError("Er staat nog niets online om over te berichten. Voeg eerst bevindingen, besluiten "
                        "of reacties op advies toe.")
    link = external_url(app, base_url, "feedback.page", slug=consultation.slug)
    settings = settings_for(app)
    ids = []
    for participant in session.scalars(select(Participant).where(
            Participant.consultation_id == consultation.id, Participant.contact_consent.is_(True),
            Participant.contact_email.is_not(None)).order_by(Participant.id)):
        unsubscribe = unsubscribe_url(app, base_url, participant)
        rendered = render(session, consultation, MailKind.PUBLISHED, {"link": link},
                          unsubscribe_url=unsubscribe, settings=settings)
        message = queue(session, new_message(consultation, MailKind.PUBLISHED, participant.contact_email,
                                             rendered, dedup_key=f"published:{consultation.id}:{participant.id}",
                                             unsubscribe=unsubscribe,
                                             requested_by=actor if isinstance(actor, User) else None))
        if message is not None:
            session.flush()
            ids.append(message.id)
    record(session, "mail_published_notice", consultation, actor=actor, details={"messages": len(ids)})
    session.commit()
    dispatch(app, ids, consultation=consultation, user=actor if isinstance(actor, User) else None)
    return len(ids)


# -- staff ---------------------------------------------------------------------------------------

def send_password_link(app, session: Session, user: User, link: str, *, created: bool,
                       expires: str) -> MailMessage | None:
    """E-mail a set-password link to a staff member; None when mail is not configured (the
    link page stays the fallback). Commits."""
    if not configured(app):
        return None
    kind = MailKind.STAFF_ACCOUNT if created else MailKind.PASSWORD_RESET
    rendered = render(session, None, kind, {"naam": user.name, "link": link, "geldig_tot": expires},
                      settings=settings_for(app))
    message = queue(session, new_message(None, kind, user.email, rendered))
    session.commit()
    dispatch(app, [message.id])
    return message


# -- removing addresses ----------------------------------------------------------------------------

def forget_invitation_addresses(session: Session, consultation: Consultation) -> int:
    """Remove the invitees' addresses of ``consultation`` (on closing, and at the retention
    date), from the invitations and from the mail log; unsent invitations are not sent.
    Returns how many invitation addresses went."""
    from consult.models import Survey

    survey_ids = select(Survey.id).where(Survey.consultation_id == consultation.id).scalar_subquery()
    n = session.execute(update(Invitation).where(Invitation.survey_id.in_(survey_ids),
                                                 (Invitation.email.is_not(None)) | (Invitation.address_key.is_not(None)))
                        .values(email=None, address_key=None).execution_options(synchronize_session=False)).rowcount
    invite_kinds = (MailKind.INVITATION, MailKind.REMINDER)
    session.execute(update(MailMessage).where(
        MailMessage.consultation_id == consultation.id, MailMessage.kind.in_(invite_kinds),
        MailMessage.status == MailStatus.QUEUED)
        .values(status=MailStatus.FAILED, reason="Niet verstuurd: de raadpleging is gesloten.")
        .execution_options(synchronize_session=False))
    session.execute(update(MailMessage).where(
        MailMessage.consultation_id == consultation.id, MailMessage.kind.in_(invite_kinds))
        .values(recipient=None, text=None, html=None).execution_options(synchronize_session=False))
    return n


def forget_all_addresses(session: Session, consultation: Consultation) -> int:
    """At the retention date: every address of ``consultation`` in the mail log and the
    invitations goes (participants' contact addresses are cleared by the purge itself)."""
    n = forget_invitation_addresses(session, consultation)
    session.execute(update(MailMessage).where(MailMessage.consultation_id == consultation.id)
                    .values(recipient=None, text=None, html=None).execution_options(synchronize_session=False))
    return n

