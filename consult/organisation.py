"""The organisation (gemeente) that runs consult: its name, logo and footer links, and its
neighbourhoods (wijken and dorpen).

consult serves one organisation per installation. :func:`the_organisation` finds it and
creates it when the database has none yet. Logos are checked by their content (magic bytes;
an SVG is parsed and refused when it could run script or load anything from elsewhere).
Every change is recorded in the audit log; the caller commits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from consult.audit import record
from consult.models import (
    Answer, Consultation, Meeting, Neighbourhood, NeighbourhoodKind, Organisation, Participant, Question,
    QuestionType, Survey, User,
)

DEFAULT_NAME = "Gemeente"
#: Largest accepted logo, in bytes.
MAX_LOGO_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
SVG_NS = "http://www.w3.org/2000/svg"


class OrganisationError(ValueError):
    """Input that cannot be stored; the message is Dutch and fit for the page.

    ``field`` names the form field it is about (for the error summary)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def slugify(text: str, separator: str = "-", max_length: int = 80) -> str:
    """Lowercase ASCII letters and digits joined by ``separator`` ("Cliënt en zorg" -> "client-en-zorg")."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = separator.join(parts)[:max_length].strip(separator)
    return slug


# -- the organisation ---------------------------------------------------------------------

def get_organisation(session: Session) -> Organisation | None:
    """The installation's organisation (the first one), or None while there is none."""
    return session.scalar(select(Organisation).order_by(Organisation.id).limit(1))


def the_organisation(session: Session, default_name: str = DEFAULT_NAME) -> Organisation:
    """The installation's organisation; created with ``default_name`` when there is none."""
    org = get_organisation(session)
    if org is None:
        name = (default_name or DEFAULT_NAME).strip() or DEFAULT_NAME
        org = Organisation(slug=slugify(name) or "gemeente", name=name)
        session.add(org)
        session.flush()
    return org


@dataclass(frozen=True)
class OrganisationView:
    """What every page shows of the organisation (header and footer); no database row."""

    name: str
    has_logo: bool
    privacy_url: str
    accessibility_url: str
    contact_url: str

    @property
    def footer_links(self) -> list[tuple[str, str]]:
        return [(label, url) for label, url in (
            ("Privacyverklaring", self.privacy_url),
            ("Toegankelijkheidsverklaring", self.accessibility_url),
            ("Contact", self.contact_url)) if url]


def organisation_view(session: Session) -> OrganisationView | None:
    org = get_organisation(session)
    if org is None:
        return None
    return OrganisationView(name=org.name, has_logo=bool(org.logo_media_type), privacy_url=org.privacy_url or "",
                            accessibility_url=org.accessibility_url or "", contact_url=org.contact_url or "")


def check_link(url: str, field: str) -> str:
    """A footer link: an http(s) URL or a path on this site ("/privacy"); "" for none."""
    url = (url or "").strip()
    if not url:
        return ""
    if len(url) > 500:
        raise OrganisationError("Dit adres is te lang (meer dan 500 tekens).", field)
    if any(ch.isspace() or ord(ch) < 32 or ch == "\\" for ch in url):
        raise OrganisationError("Een adres mag geen spaties bevatten.", field)
    if re.match(r"^https?://[^/?#]+", url, re.I):
        return url
    if url.startswith("/") and not url.startswith("//"):
        return url
    raise OrganisationError("Vul een webadres in dat begint met https:// of http://, "
                            "of een adres op deze site dat begint met /.", field)


def update_settings(session: Session, org: Organisation, *, name: str, privacy_url: str, accessibility_url: str,
                    contact_url: str, actor: User) -> None:
    """Change the name and footer links (validated: raises :class:`OrganisationError`)."""
    name = (name or "").strip()
    if not name:
        raise OrganisationError("Vul de naam van de gemeente in.", "name")
    if len(name) > 200:
        raise OrganisationError("De naam is te lang (meer dan 200 tekens).", "name")
    links = {"privacy_url": check_link(privacy_url, "privacy_url"),
             "accessibility_url": check_link(accessibility_url, "accessibility_url"),
             "contact_url": check_link(contact_url, "contact_url")}
    changed = {}
    for key, value in {"name": name, **links}.items():
        if getattr(org, key) != value:
            changed[key] = value
            setattr(org, key, value)
    if changed:
        record(session, "update_organisation", org, actor=actor, details=changed)


# -- the logo -----------------------------------------------------------------------------

_SVG_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_comments=True)
_URL_REF = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.I)


def _local(name) -> str:
    return etree.QName(name).localname if isinstance(name, str) else ""


def _external_refs(text: str) -> bool:
    """True when CSS text loads something: ``@import`` or ``url(...)`` that is not ``#id``."""
    if "@import" in text.lower():
        return True
    return any(not ref.startswith("#") for ref in _URL_REF.findall(text))


def check_svg(data: bytes) -> None:
    """Refuse an SVG that could run script or fetch anything (raises :class:`OrganisationError`)."""
    bad = OrganisationError("Dit SVG-bestand kunnen wij niet gebruiken: het bevat script, "
                            "gebeurtenissen (on...=) of verwijzingen naar andere bestanden of sites.", "logo")
    if b"<script" in data.lower() or b"<!entity" in data.lower() or b"<!doctype" in data.lower():
        raise bad
    try:
        root = etree.fromstring(data, _SVG_PARSER)
    except etree.XMLSyntaxError:
        raise OrganisationError("Dit SVG-bestand is beschadigd of geen SVG.", "logo") from None
    if root is None or _local(root.tag) != "svg" or etree.QName(root.tag).namespace not in (SVG_NS, None):
        raise OrganisationError("Dit bestand is geen SVG-afbeelding.", "logo")
    for node in root.iter():
        if isinstance(node, etree._ProcessingInstruction):  # xml-stylesheet and the like
            raise bad
        tag = _local(node.tag)
        if tag in ("script", "foreignObject", "iframe", "embed", "object"):
            raise bad
        if tag == "style" and _external_refs(node.text or ""):
            raise bad
        for attr, value in node.attrib.items():
            name = _local(attr).lower()
            if name.startswith("on"):
                raise bad
            if name in ("href", "src") and not value.strip().startswith("#"):
                raise bad
            if _external_refs(value) or "javascript:" in value.lower():
                raise bad
    # processing instructions before the root element
    sibling = root.getprevious()
    while sibling is not None:
        if isinstance(sibling, etree._ProcessingInstruction):
            raise bad
        sibling = sibling.getprevious()


def logo_media_type(data: bytes) -> str:
    """The media type of an accepted logo (PNG, JPEG or safe SVG), from its content."""
    if not data:
        raise OrganisationError("Het bestand is leeg.", "logo")
    if len(data) > MAX_LOGO_BYTES:
        raise OrganisationError("Het logo is groter dan 512 kB. Kies een kleiner bestand.", "logo")
    if data.startswith(PNG_MAGIC):
        return "image/png"
    if data.startswith(JPEG_MAGIC):
        return "image/jpeg"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--"):
        check_svg(data)
        return "image/svg+xml"
    raise OrganisationError("Het logo moet een PNG-, JPEG- of SVG-bestand zijn.", "logo")


def set_logo(session: Session, org: Organisation, data: bytes, *, actor: User) -> str:
    """Store ``data`` as the logo after checking it; returns its media type."""
    media_type = logo_media_type(data)
    org.logo = data
    org.logo_media_type = media_type
    record(session, "set_logo", org, actor=actor, details={"media_type": media_type, "bytes": len(data)})
    return media_type


def remove_logo(session: Session, org: Organisation, *, actor: User) -> None:
    if org.logo_media_type is None and org.logo is None:
        return
    org.logo = None
    org.logo_media_type = None
    record(session, "remove_logo", org, actor=actor)


def save_settings(session: Session, org: Organisation, *, name: str, privacy_url: str, accessibility_url: str,
                  contact_url: str, logo_data: bytes | None = None, drop_logo: bool = False, actor: User) -> None:
    """The organisation settings form: name, footer links and (new or no) logo. Everything
    is checked before anything changes, so a bad logo keeps the old settings too."""
    if logo_data is not None:
        logo_media_type(logo_data)
    update_settings(session, org, name=name, privacy_url=privacy_url, accessibility_url=accessibility_url,
                    contact_url=contact_url, actor=actor)
    if logo_data is not None:
        set_logo(session, org, logo_data, actor=actor)
    elif drop_logo:
        remove_logo(session, org, actor=actor)


def logo(session: Session) -> tuple[bytes, str] | None:
    """The stored logo and its media type, or None."""
    org = get_organisation(session)
    if org is None or not org.logo_media_type or not org.logo:
        return None
    return org.logo, org.logo_media_type


# -- neighbourhoods -----------------------------------------------------------------------

KIND_LABELS = {NeighbourhoodKind.WIJK: "Wijk", NeighbourhoodKind.DORP: "Dorp"}


def _check_name(session: Session, org: Organisation, name: str, exclude: Neighbourhood | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise OrganisationError("Vul een naam in.", "name")
    if len(name) > 120:
        raise OrganisationError("De naam is te lang (meer dan 120 tekens).", "name")
    for n in org.neighbourhoods:
        if n is not exclude and n.name.lower() == name.lower():
            raise OrganisationError(f"Er is al een wijk of dorp met de naam {n.name}.", "name")
    return name


def renumber(items) -> None:
    for i, item in enumerate(items):
        item.position = i


def _rename_answers(session: Session, org: Organisation, old: str, new: str) -> int:
    """Neighbourhood answers store the name: make answers that chose ``old`` say ``new``."""
    answers = session.scalars(
        select(Answer).join(Question, Answer.question_id == Question.id).join(Survey, Question.survey_id == Survey.id)
        .join(Consultation, Survey.consultation_id == Consultation.id)
        .where(Consultation.organisation_id == org.id, Question.type == QuestionType.NEIGHBOURHOOD)).all()
    changed = 0
    for a in answers:
        if a.value == old:
            a.value = new
            changed += 1
    return changed


def add_neighbourhood(session: Session, org: Organisation, name: str, kind: NeighbourhoodKind, *,
                      actor: User) -> Neighbourhood:
    name = _check_name(session, org, name)
    hood = Neighbourhood(name=name, kind=kind, position=len(org.neighbourhoods))
    org.neighbourhoods.append(hood)
    session.flush()
    record(session, "add_neighbourhood", hood, actor=actor, details={"name": name, "kind": kind.value})
    return hood


def rename_neighbourhood(session: Session, hood: Neighbourhood, name: str, kind: NeighbourhoodKind, *,
                         actor: User) -> None:
    """New name (and kind); answers that named the old one follow."""
    org = hood.organisation
    name = _check_name(session, org, name, exclude=hood)
    old_name, old_kind = hood.name, hood.kind
    if name == old_name and kind == old_kind:
        return
    hood.name = name
    hood.kind = kind
    answers = _rename_answers(session, org, old_name, name) if name != old_name else 0
    record(session, "rename_neighbourhood", hood, actor=actor,
           details={"from": old_name, "to": name, "kind": kind.value, "answers": answers})


def merge_neighbourhoods(session: Session, source: Neighbourhood, target: Neighbourhood, *,
                         actor: User) -> dict[str, int]:
    """Move everything of ``source`` to ``target`` (participants, meetings, answers), then
    delete ``source``. Returns how many rows moved."""
    if source.id == target.id:
        raise OrganisationError("Kies een andere wijk of dorp om mee samen te voegen.", "target")
    if source.organisation_id != target.organisation_id:
        raise OrganisationError("Die wijk of dat dorp hoort bij een andere organisatie.", "target")
    org = source.organisation
    moved = {
        "participants": session.execute(update(Participant).where(Participant.neighbourhood_id == source.id)
                                        .values(neighbourhood_id=target.id)).rowcount,
        "meetings": session.execute(update(Meeting).where(Meeting.neighbourhood_id == source.id)
                                    .values(neighbourhood_id=target.id)).rowcount,
        "answers": _rename_answers(session, org, source.name, target.name),
    }
    record(session, "merge_neighbourhood", target, actor=actor,
           details={"merged": source.id, "merged_name": source.name, "into": target.name, **moved})
    org.neighbourhoods.remove(source)
    session.delete(source)
    session.flush()
    renumber(org.neighbourhoods)
    return moved


def move_neighbourhood(session: Session, hood: Neighbourhood, offset: int, *, actor: User) -> bool:
    """Move one place up (-1) or down (+1); False at the edge."""
    moved = move_in_list(hood.organisation.neighbourhoods, hood, offset)
    if moved:
        record(session, "move_neighbourhood", hood, actor=actor, details={"position": hood.position})
    return moved


def move_in_list(items: list, item, offset: int) -> bool:
    """Swap ``item`` with its neighbour in the ordered ``items`` and renumber positions."""
    items = sorted(items, key=lambda x: (x.position, x.id))
    i = items.index(item)
    j = i + offset
    if offset not in (-1, 1) or not 0 <= j < len(items):
        return False
    items[i], items[j] = items[j], items[i]
    renumber(items)
    return True
