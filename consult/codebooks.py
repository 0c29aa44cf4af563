"""Storing codebooks (``analysis.codebook.Codebook``) as versioned database rows.

Edits made in the codebook editor (the pure functions ``analysis.codebook.add_code``,
``rename_code``, ``edit_code``, ``merge_codes`` and ``split_code``) are stored by
:func:`apply_edit` as a new version that becomes the consultation's current one. Older
versions' codes never change; the consultation's codings move with their code (by its
stable key) to the new version, so a renamed or edited code keeps its segments and a
merged code's segments go to the code it merged into (:func:`move_codings`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from analysis.codebook import Code as CodeDef, Codebook as CodebookDef, CodebookEdit, diff
from consult.audit import record
from consult.models import (
    AssignmentStatus, Code, CodeAssignment, Codebook, CodebookVersion, Consultation, Finding, Job, JobStatus, Origin,
    Segment, User,
)
from consult.models.findings import finding_code


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
                    parent=by_id.get(c.parent_id), reader_text=c.reader_text or "",
                    exclude=tuple(c.exclude or ()))
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
                            examples=list(c.examples), colour=c.colour, position=position,
                            reader_text=c.reader_text, exclude=list(c.exclude))
    for c in definition.codes:  # codebook.validate() guarantees parents exist
        if c.parent:
            rows[c.code].parent = rows[c.parent]
    session.add_all(rows.values())
    session.flush()
    return version, True


@dataclass(frozen=True)
class EditResult:
    """A stored codebook edit: the new version and what happened to the codings."""
    version: CodebookVersion
    codings_moved: int
    codings_collapsed: int
    codings_left: int


def apply_edit(session: Session, consultation: Consultation, edit: CodebookEdit, *,
               actor: User) -> EditResult | None:
    """Store ``edit`` (made on the consultation's current version) as a new version and use it.

    The consultation's codings and finding links follow their codes to the new version
    (:func:`move_codings`): by key, and for a merge from the merged codes to the target.
    Returns the new version with the counts, or None when the edit changed nothing
    (nothing is stored then). Recorded in the audit
    log as one ``codebook_<operation>`` entry with the counts; the caller commits.
    """
    previous = consultation.codebook_version
    version, created = store_codebook(session, edit.codebook, slug=previous.codebook.slug,
                                      note=edit.note, user=actor)
    if not created and version.id == previous.id:
        return None
    # not created but another version: a consultation sharing this codebook already made
    # the same edit; use that version rather than silently staying behind
    consultation.codebook_version = version
    renamed = {k: edit.details["target"] for k in edit.details.get("sources", [])} if edit.operation == "merge" else {}
    moved = move_codings(session, consultation, previous, version, renamed)
    record(session, f"codebook_{edit.operation}", version, actor=actor,
           details={"consultation": consultation.slug, "from_version": previous.number,
                    "to_version": version.number, **edit.details, **moved})
    return EditResult(version, **moved)


#: Which of two codings of one code on one segment wins when a merge makes them meet.
_STRENGTH = {AssignmentStatus.ACCEPTED: 3, AssignmentStatus.SUGGESTED: 2, AssignmentStatus.REJECTED: 1}


def move_codings(session: Session, consultation: Consultation, previous: CodebookVersion,
                 version: CodebookVersion, renamed: dict[str, str] | None = None) -> dict[str, int]:
    """Point the consultation's code assignments and finding links on ``previous``'s codes
    at the codes of ``version`` with the same key (or the key ``renamed`` gives, for a
    merge). Codes whose key is gone (a split that made new keys) keep their codings on
    ``previous``: those segments need a new look.

    When a merge makes two codings of the target meet on one segment, they are collapsed:
    the strongest status wins (accepted > suggested > rejected); every person's own coding
    with that status stays (they count for inter-coder agreement), with at most one
    automatic one beside them. Other consultations using ``previous`` are not touched.
    Returns the counts for the audit entry.
    """
    renamed = renamed or {}
    new_ids = {c.key: c.id for c in version.codes}
    target_of = {}
    for c in previous.codes:
        key = renamed.get(c.key, c.key)
        if key in new_ids:
            target_of[c.id] = new_ids[key]
    if not target_of:
        return {"codings_moved": 0, "codings_collapsed": 0, "codings_left": 0}
    in_consultation = select(Segment.id).where(Segment.consultation_id == consultation.id)
    rows = session.scalars(select(CodeAssignment).where(
        CodeAssignment.code_id.in_([c.id for c in previous.codes]),
        CodeAssignment.segment_id.in_(in_consultation)).order_by(CodeAssignment.id)).all()
    groups: dict[tuple[int, int], list[CodeAssignment]] = {}
    left = 0
    for a in rows:
        if a.code_id in target_of:
            groups.setdefault((a.segment_id, target_of[a.code_id]), []).append(a)
        else:
            left += 1
    moved = collapsed = 0
    for (_, new_id), group in groups.items():
        keep = _collapse(group) if len(group) > 1 else group
        for a in group:
            if a in keep:
                a.code_id = new_id
                moved += 1
            else:
                session.delete(a)
                collapsed += 1
    session.flush()
    _move_finding_links(session, consultation, target_of)
    return {"codings_moved": moved, "codings_collapsed": collapsed, "codings_left": left}


def _collapse(group: list[CodeAssignment]) -> list[CodeAssignment]:
    best = max(_STRENGTH[a.status] for a in group)
    ranked = sorted((a for a in group if _STRENGTH[a.status] == best),
                    key=lambda a: (a.origin != Origin.PERSON, a.decided_at is None, -(a.confidence or 0), a.id))
    keep, coders, automatic = [], set(), False
    for a in ranked:
        if a.coder in coders or (a.origin != Origin.PERSON and automatic):
            continue
        coders.add(a.coder)
        automatic = automatic or a.origin != Origin.PERSON
        keep.append(a)
    return keep


def _move_finding_links(session: Session, consultation: Consultation, target_of: dict[int, int]) -> None:
    findings = select(Finding.id).where(Finding.consultation_id == consultation.id)
    links = session.execute(select(finding_code.c.finding_id, finding_code.c.code_id).where(
        finding_code.c.code_id.in_(list(target_of)), finding_code.c.finding_id.in_(findings))).all()
    if not links:
        return
    kept = set(session.execute(select(finding_code.c.finding_id, finding_code.c.code_id).where(
        finding_code.c.code_id.in_(set(target_of.values())), finding_code.c.finding_id.in_(findings))).all())
    new = {(f, target_of[c]) for f, c in links} - kept
    session.execute(delete(finding_code).where(
        finding_code.c.code_id.in_(list(target_of)), finding_code.c.finding_id.in_(findings)))
    if new:
        session.execute(insert(finding_code), [{"finding_id": f, "code_id": c} for f, c in sorted(new)])
    for f in session.scalars(select(Finding).where(Finding.consultation_id == consultation.id)):
        session.expire(f, ["codes"])


def code_usage(session: Session, version: CodebookVersion, consultation: Consultation | None = None) -> dict[int, int]:
    """Number of segments per code id of ``version`` that have the code, in any status (in
    ``consultation`` only, when given): what the review screen finds filtered by the code."""
    stmt = (select(CodeAssignment.code_id, func.count(func.distinct(CodeAssignment.segment_id)))
            .where(CodeAssignment.code_id.in_([code.id for code in version.codes]))
            .group_by(CodeAssignment.code_id))
    if consultation is not None:
        stmt = stmt.where(CodeAssignment.segment_id.in_(
            select(Segment.id).where(Segment.consultation_id == consultation.id)))
    return dict(session.execute(stmt).all())


class CodebookChoiceError(ValueError):
    """A codebook cannot be chosen (message in Dutch, for the editor page)."""


def available_codebooks(session: Session) -> list[Codebook]:
    """Codebooks stored in this instance, for choosing one for a new consultation."""
    return list(session.scalars(select(Codebook).order_by(Codebook.name)))


def choose_codebook(session: Session, consultation: Consultation, *, actor: User | str,
                    definition: CodebookDef | None = None, codebook: Codebook | None = None) -> CodebookVersion:
    """Give ``consultation`` a codebook: a definition (the bundled Wmo codebook, an uploaded
    file) stored as a new codebook version, or the latest version of a stored ``codebook``.

    Only while nothing in the consultation is coded yet: codings point at the codes of the
    current version, and changing an existing codebook is the editor's job (apply_edit).
    """
    if (definition is None) == (codebook is None):
        raise ValueError("give either a definition or a stored codebook")
    coded = session.scalar(select(func.count(CodeAssignment.id)).join(Segment)
                           .where(Segment.consultation_id == consultation.id))
    if coded:
        raise CodebookChoiceError(
            "Er zijn al stukken tekst gecodeerd met het huidige codeboek. Pas dat codeboek aan in plaats van "
            "een ander te kiezen.")
    if definition is not None:
        try:
            version, _created = store_codebook(session, definition, note="gekozen voor " + consultation.title[:80],
                                               user=actor if isinstance(actor, User) else None)
        except ValueError as exc:  # CodebookError from validate()
            raise CodebookChoiceError(f"Het codeboek klopt niet: {exc}") from None
    else:
        version = codebook.latest
        if version is None:
            raise CodebookChoiceError("Dit codeboek heeft nog geen codes.")
    consultation.codebook_version = version
    record(session, "choose_codebook", consultation, actor=actor,
           details={"codebook": version.codebook.slug, "version": version.number, "codes": len(version.codes)})
    return version


# -- keywords proposed from the accepted segments -------------------------------------------

@dataclass(frozen=True)
class KeywordProposal:
    lemma: str
    count: int                  # times in the code's accepted segments
    other_codes: tuple[str, ...]  # labels of other codes that already have it as a keyword


@dataclass(frozen=True)
class KeywordProposals:
    """The newest ``suggest_keywords`` result of a consultation, for the codebook editor:
    per code (by key) the proposals that are not yet keywords of the code in the
    consultation's current version."""
    job: Job | None
    segments: int
    accepted_segments: int
    by_code: dict[str, list[KeywordProposal]]
    running: bool


def stored_keyword_proposals(session: Session, consultation: Consultation) -> KeywordProposals:
    """Read the newest finished ``suggest_keywords`` job of ``consultation`` (no NLP here:
    the job computed them, :func:`consult.coding.keyword_proposals`)."""
    jobs = select(Job).where(Job.consultation_id == consultation.id, Job.kind == "suggest_keywords")
    job = session.scalar(jobs.where(Job.status == JobStatus.FINISHED).order_by(Job.id.desc()).limit(1))
    running = session.scalar(jobs.where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING))).limit(1)) is not None
    version = consultation.codebook_version
    result = (job.result or {}) if job is not None else {}
    by_code: dict[str, list[KeywordProposal]] = {}
    if version is not None:
        codes = {c.key: c for c in version.codes}
        owners: dict[str, list[str]] = {}
        for c in version.codes:
            for kw in c.keywords:
                owners.setdefault(kw.lower(), []).append(c.key)
        for key, items in (result.get("codes") or {}).items():
            code = codes.get(key)
            if code is None:
                continue
            own = {kw.lower() for kw in code.keywords}
            proposals = [KeywordProposal(str(i["lemma"]), int(i.get("count") or 0),
                                         tuple(codes[k].label for k in owners.get(str(i["lemma"]).lower(), [])
                                               if k != key))
                         for i in items if isinstance(i, dict) and i.get("lemma")
                         and str(i["lemma"]).lower() not in own]
            if proposals:
                by_code[key] = proposals
    return KeywordProposals(job, int(result.get("segments") or 0), int(result.get("accepted_segments") or 0),
                            by_code, running)
