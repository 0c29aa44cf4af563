"""Coding a consultation in the database: segmentation, automatic suggestions, retraining.

The analysis itself (segmentation, rule and learning coders) lives in ``analysis``; this
module moves data between the database and those functions, and enforces the review rule:
automatic coders only ever add or replace their own undecided suggestions and never touch
what a person decided.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analysis.coding.base import Suggestion, is_codable
from analysis.coding.combined import CombinedCoder, train
from analysis.coding.rules import RuleCoder
from analysis.privacy import mask
from analysis.segmentation import segment_text
from consult.audit import record
from consult.codebooks import version_to_definition
from consult.models import (
    Answer, AssignmentStatus, Code, CodeAssignment, CoderModel, Consultation, Document, Origin,
    Question, Response, ResponseStatus, Segment, Survey, User,
)

BATCH = 256
#: Below this many reviewed segments the learning coder is not trained: rules alone code.
MIN_TRAINING_SEGMENTS = 30


@dataclass
class CodingSummary:
    segments: int = 0
    suggestions_added: int = 0
    suggestions_removed: int = 0
    kept_human_decisions: int = 0
    coder: str = ""
    per_code: dict[str, int] = field(default_factory=dict)


# -- segmentation ---------------------------------------------------------------------

def _unsegmented_answers(session: Session, consultation: Consultation) -> list[Answer]:
    has_segments = select(Segment.id).where(Segment.answer_id == Answer.id).exists()
    return list(session.scalars(
        select(Answer).join(Response).join(Survey).join(Question, Answer.question_id == Question.id)
        .where(Survey.consultation_id == consultation.id, Response.status == ResponseStatus.SUBMITTED,
               Answer.text.is_not(None), Answer.text != "", ~has_segments)
        .order_by(Answer.id)))


def _masked(text: str) -> str | None:
    """The text with personal data masked, or None when there was nothing to mask."""
    masked = mask(text)
    return masked if masked != text else None


def segment_answer(session: Session, answer: Answer, consultation_id: int) -> list[Segment]:
    segments = [Segment(consultation_id=consultation_id, answer=answer, position=s.position,
                        start_char=s.start, end_char=s.end, text=s.text, masked_text=_masked(s.text))
                for s in segment_text(answer.text, kind="answer")]
    session.add_all(segments)
    return segments


def segment_response(session: Session, response: Response) -> int:
    """Segment the open answers of one submitted response (right after submission)."""
    consultation_id = response.survey.consultation_id
    created = 0
    for answer in response.answers:
        if answer.text and answer.text.strip() and not answer.segments:
            created += len(segment_answer(session, answer, consultation_id))
    session.flush()
    return created


def segment_document(session: Session, document: Document) -> list[Segment]:
    """(Re)segment a notes document; existing segments of it are replaced."""
    session.execute(delete(Segment).where(Segment.document_id == document.id))
    segments = [Segment(consultation_id=document.consultation_id, document=document,
                        position=s.position, start_char=s.start, end_char=s.end, text=s.text,
                        masked_text=_masked(s.text), group_label=s.heading or "")
                for s in segment_text(document.text, kind="notes")]
    session.add_all(segments)
    return segments


def segment_consultation(session: Session, consultation: Consultation) -> int:
    """Create segments for every answer and document that has none yet; returns how many."""
    created = 0
    for answer in _unsegmented_answers(session, consultation):
        created += len(segment_answer(session, answer, consultation.id))
    has_segments = select(Segment.id).where(Segment.document_id == Document.id).exists()
    for document in session.scalars(select(Document).where(
            Document.consultation_id == consultation.id, ~has_segments)):
        created += len(segment_document(session, document))
    session.flush()
    return created


def segment_count(session: Session, consultation: Consultation) -> int:
    return session.scalar(select(func.count(Segment.id)).where(
        Segment.consultation_id == consultation.id)) or 0


# -- training ---------------------------------------------------------------------------

def reviewed_examples(session: Session, consultation: Consultation) -> list[tuple[str, tuple[str, ...]]]:
    """(text, accepted codes) for every segment a person has reviewed.

    A segment counts as reviewed when a person accepted, rejected or added a code on it;
    its accepted codes are the positives, every other code of the codebook a negative.
    """
    rows = session.execute(
        select(Segment.id, Segment.text, Code.key, CodeAssignment.status)
        .join(CodeAssignment, CodeAssignment.segment_id == Segment.id)
        .join(Code, Code.id == CodeAssignment.code_id)
        .where(Segment.consultation_id == consultation.id,
               (CodeAssignment.origin == Origin.PERSON) | CodeAssignment.decided_at.is_not(None))
        .order_by(Segment.id)).all()
    texts: dict[int, str] = {}
    codes: dict[int, set[str]] = {}
    for seg_id, text, key, status in rows:
        texts[seg_id] = text
        codes.setdefault(seg_id, set())
        if status == AssignmentStatus.ACCEPTED:
            codes[seg_id].add(key)
    return [(texts[i], tuple(sorted(codes[i]))) for i in texts]


def train_coder(session: Session, consultation: Consultation, *, actor: str | User = "system",
                examples: list[tuple[str, tuple[str, ...]]] | None = None) -> CoderModel:
    """Train the learning coder on the reviewed segments (or ``examples``) and store it."""
    version = _require_codebook(consultation)
    if examples is None:
        examples = reviewed_examples(session, consultation)
    coder = train(version_to_definition(version), examples)
    model = CoderModel(consultation_id=consultation.id, codebook_version_id=version.id,
                       data=coder.to_bytes(), metrics=dict(getattr(coder, "meta", {}) or {}),
                       description=f"{len(examples)} beoordeelde segmenten")
    model.metrics.setdefault("n_training_segments", len(examples))
    session.add(model)
    session.flush()
    record(session, "train_coder", model, actor=actor,
           details={"examples": len(examples), "codebook_version": version.number})
    return model


def latest_coder(session: Session, consultation: Consultation) -> CoderModel | None:
    version = _require_codebook(consultation)
    return session.scalar(select(CoderModel).where(
        CoderModel.consultation_id == consultation.id,
        CoderModel.codebook_version_id == version.id).order_by(CoderModel.id.desc()).limit(1))


def _require_codebook(consultation: Consultation):
    if consultation.codebook_version is None:
        raise ValueError(f"consultation {consultation.slug!r} has no codebook")
    return consultation.codebook_version


# -- coding -----------------------------------------------------------------------------

def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def code_consultation(session: Session, consultation: Consultation, *, retrain: bool = False,
                      actor: str | User = "system", progress=None) -> CodingSummary:
    """Add automatic code suggestions to every segment of ``consultation``.

    Uses the newest trained coder for the consultation's codebook version, training one
    first when there is none (or when ``retrain``) and enough segments have been reviewed;
    with fewer than ``MIN_TRAINING_SEGMENTS`` reviewed segments the transparent keyword
    rules code alone. Earlier undecided automatic suggestions are replaced; rows a person
    decided, and codes a person already accepted or rejected on a segment, are left alone.
    """
    version = _require_codebook(consultation)
    model = None if retrain else latest_coder(session, consultation)
    if model is None:
        examples = reviewed_examples(session, consultation)
        if len(examples) >= MIN_TRAINING_SEGMENTS:
            model = train_coder(session, consultation, actor=actor, examples=examples)
    coder_names = {"rule": f"rule:v{version.number}",
                   "model": f"model:{model.id}" if model else f"rule:v{version.number}"}
    coder = (CombinedCoder.from_bytes(model.data) if model
             else RuleCoder(version_to_definition(version)))
    codes = {c.key: c for c in version.codes}
    summary = CodingSummary(coder=coder_names["model"])

    segments = session.execute(
        select(Segment.id, Segment.text).where(Segment.consultation_id == consultation.id)
        .order_by(Segment.id)).all()
    summary.segments = len(segments)
    for batch in _batches(segments):
        ids = [seg_id for seg_id, _ in batch]
        # Automatic suggestions nobody decided on are recomputed; the rest stays.
        removed = session.execute(delete(CodeAssignment).where(
            CodeAssignment.segment_id.in_(ids), CodeAssignment.origin != Origin.PERSON,
            CodeAssignment.decided_at.is_(None)))
        summary.suggestions_removed += removed.rowcount or 0
        decided = set(session.execute(select(CodeAssignment.segment_id, CodeAssignment.code_id).where(
            CodeAssignment.segment_id.in_(ids))).all())
        # Empty or non-Dutch segments are left uncoded rather than mis-coded.
        texts = [text if is_codable(text) else "" for _, text in batch]
        for seg_id, text, suggestions in zip(ids, texts, coder.code(texts)):
            for s in suggestions if text else []:
                code = codes.get(s.code)
                if code is None:
                    continue
                if (seg_id, code.id) in decided:
                    summary.kept_human_decisions += 1
                    continue
                session.add(_assignment(seg_id, code, s, coder_names))
                summary.suggestions_added += 1
                summary.per_code[s.code] = summary.per_code.get(s.code, 0) + 1
        session.flush()
        if progress is not None:
            progress(len(batch))
    session.flush()
    record(session, "code_consultation", consultation, actor=actor, details={
        "coder": summary.coder, "segments": summary.segments, "added": summary.suggestions_added,
        "removed": summary.suggestions_removed, "kept_human_decisions": summary.kept_human_decisions})
    return summary


def _assignment(segment_id: int, code: Code, s: Suggestion, coder_names: dict) -> CodeAssignment:
    origin = Origin.RULE if s.origin == "rule" else Origin.MODEL
    return CodeAssignment(
        segment_id=segment_id, code_id=code.id, origin=origin,
        coder=coder_names["rule" if origin == Origin.RULE else "model"],
        confidence=round(min(max(float(s.confidence), 0.0), 1.0), 4),
        status=AssignmentStatus.SUGGESTED,
        evidence={"explanation": s.explain(), "sources": list(s.sources),
                  "items": [e.to_dict() for e in s.evidence]})
