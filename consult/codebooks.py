"""Storing codebooks (``analysis.codebook.Codebook``) as versioned database rows.

Edits made in the codebook editor (the pure functions ``analysis.codebook.add_code``,
``rename_code``, ``merge_codes`` and ``split_code``) are stored by :func:`apply_edit` as a
new version that becomes the consultation's current one. Older versions never change:
code assignments keep pointing at the codes of the version they were made with.
"""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.codebook import Code as CodeDef, Codebook as CodebookDef, CodebookEdit, diff
from consult.audit import record
from consult.models import Code, CodeAssignment, Codebook, CodebookVersion, Consultation, User


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "codeboek"


def version_to_definition(version: CodebookVersion) -> CodebookDef:
    """The analysis-side codebook for a stored version."""
    by_id = {c.id: c.key for c in version.codes}
    return CodebookDef(
        name=version.codebook.name, language=version.codebook.language, version=version.number,
        codes=tuple(
            CodeDef(code=c.key, label=c.label, gloss=c.gloss, description=c.description,
                    keywords=tuple(c.keywords), examples=tuple(c.examples), colour=c.colour,
                    parent=by_id.get(c.parent_id))
            for c in version.codes))


def store_codebook(session: Session, definition: CodebookDef, *, slug: str | None = None,
                   note: str = "", user: User | None = None) -> tuple[CodebookVersion, bool]:
    """Store ``definition`` as the newest version of codebook ``slug``.

    Returns ``(version, created)``: when the content equals the latest stored version no
    new version is made. Existing versions are never changed, so assignments keep the
    codes they were made with.
    """
    definition.validate()
    slug = slug or slugify(definition.name)
    codebook = session.scalar(select(Codebook).where(Codebook.slug == slug))
    if codebook is None:
        codebook = Codebook(slug=slug, name=definition.name, language=definition.language)
        session.add(codebook)
    latest = codebook.latest
    if latest is not None and not diff(version_to_definition(latest), definition):
        return latest, False
    version = CodebookVersion(codebook=codebook, number=(latest.number + 1) if latest else 1,
                              note=note, created_by_id=user.id if user else None)
    session.add(version)
    rows: dict[str, Code] = {}
    for position, c in enumerate(definition.codes):
        rows[c.code] = Code(version=version, key=c.code, label=c.label, gloss=c.gloss,
                            description=c.description, keywords=list(c.keywords),
                            examples=list(c.examples), colour=c.colour, position=position)
    for c in definition.codes:  # codebook.validate() guarantees parents exist
        if c.parent:
            rows[c.code].parent = rows[c.parent]
    session.add_all(rows.values())
    session.flush()
    return version, True


#: What happens to existing assignments, for the audit entry of edits that remove codes.
_ASSIGNMENTS_KEPT = {"merge": "kept on the previous version's codes",
                     "split": "kept on the previous version's code"}


def apply_edit(session: Session, consultation: Consultation, edit: CodebookEdit, *,
               actor: User) -> CodebookVersion | None:
    """Store ``edit`` (made on the consultation's current version) as a new version and use it.

    Returns the new version, or None when the edit changed nothing. Recorded in the audit
    log as ``codebook_<operation>``; the caller commits.
    """
    previous = consultation.codebook_version
    version, created = store_codebook(session, edit.codebook, slug=previous.codebook.slug,
                                      note=edit.note, user=actor)
    if not created:
        return None
    consultation.codebook_version = version
    details = dict(edit.details)
    if edit.operation in _ASSIGNMENTS_KEPT:
        details["assignments"] = _ASSIGNMENTS_KEPT[edit.operation]
    record(session, f"codebook_{edit.operation}", version, actor=actor,
           details={"consultation": consultation.slug, "from_version": previous.number,
                    "to_version": version.number, **details})
    return version


def code_usage(session: Session, version: CodebookVersion) -> dict[int, int]:
    """Number of code assignments per code id of ``version``."""
    return dict(session.execute(
        select(CodeAssignment.code_id, func.count(CodeAssignment.id))
        .where(CodeAssignment.code_id.in_([code.id for code in version.codes]))
        .group_by(CodeAssignment.code_id)).all())
