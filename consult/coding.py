"""Coding a consultation in the database: segmentation, automatic suggestions, review, retraining.

The analysis itself (segmentation, rule and learning coders, the review rule) lives in
``analysis``; this module moves data between the database and those functions. It is
the one path from text to stored segments (:func:`segment_answer`,
:func:`segment_document`), and the one place where the review rule
(:mod:`analysis.coding.review`) is applied: to automatic runs (:func:`code_consultation`:
automatic coders only ever add or replace undecided suggestions and never touch what a
person decided) and to people (:func:`decide`, :func:`add_code`, :func:`accept_many`,
:func:`undo_last_decision`, which restores the state a person's last decision replaced,
read back from its audit entry).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, Sequence

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from analysis.coding.base import Assignment, Suggestion, is_codable
from analysis.coding.combined import CombinedCoder, train
from analysis.coding.learning import keyword_suggestions
from analysis.coding.ranking import ThemeCounts
from analysis.coding.review import AUTOMATIC, decision_status, is_human_decision, merge_suggestions
from analysis.coding.rules import RuleCoder
from analysis.privacy import mask
from analysis.segmentation import segment_text
from consult.audit import record
from consult.codebooks import version_to_definition
from consult.db import utcnow
from consult.models import (
    Answer, AssignmentStatus, AuditLog, Code, CodeAssignment, CoderModel, Consultation, Document, Job, Origin,
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


def segment_answer(session: Session, answer: Answer, consultation_id: int) -> list[Segment]:
    """Cut a survey answer into segments, with their masked text."""
    segments = [Segment(consultation_id=consultation_id, answer=answer, position=s.position,
                        start_char=s.start, end_char=s.end, text=s.text, masked_text=mask(s.text))
                for s in segment_text(answer.text, kind="answer")]
    session.add_all(segments)
    return segments


def segment_response(session: Session, response: Response) -> list[Segment]:
    """Segment the open answers of one submitted response that have no segments yet (the
    ``segment_response`` job after a submission); returns the new segments."""
    consultation_id = response.survey.consultation_id
    created: list[Segment] = []
    for answer in response.answers:
        if answer.text and answer.text.strip() and not answer.segments:
            created += segment_answer(session, answer, consultation_id)
    session.flush()
    return created


def segment_document(session: Session, document: Document) -> list[Segment]:
    """(Re)segment a notes document, with masked text and table/group labels.

    Existing segments of the document are replaced. A heading or line such as "Tafel 3"
    or "Tafel 1 – mantelzorgers" is no segment but the ``group_label`` of the segments
    after it (:func:`analysis.segmentation.table_label`); the facilitator can correct it
    per segment.
    """
    if document.id is None:
        session.flush()  # a new document: give it its id
    session.execute(delete(Segment).where(Segment.document_id == document.id))
    segments = [Segment(consultation_id=document.consultation_id, document=document,
                        position=s.position, start_char=s.start, end_char=s.end, text=s.text,
                        masked_text=mask(s.text), group_label=s.group, furniture=s.kind == "furniture")
                for s in segment_text(document.text, kind="notes")]
    session.add_all(segments)
    session.flush()
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

@dataclass(frozen=True)
class ReviewedExample:
    """A segment a person reviewed, as training data: ``codes`` accepted (positives),
    ``rejected`` (a person saw the code and said no: negatives), ``pending`` (still
    suggested, nobody decided). Unpacks as ``(text, codes)``, the form
    :func:`analysis.coding.combined.train` takes, which counts every code not accepted as
    absent: the rejected ones and the codes nobody proposed."""

    text: str
    codes: tuple[str, ...]
    rejected: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()

    def __iter__(self):
        return iter((self.text, self.codes))


def reviewed_examples(session: Session, consultation: Consultation) -> list[ReviewedExample]:
    """Every segment a person has reviewed, with its accepted and rejected codes.

    A segment counts as reviewed when a person accepted, rejected or added a code on it:
    a segment where the only decision was a rejection is an example too (nothing of the
    codebook applies, or at least not that code), so the learner learns from the rules'
    false alarms as well as from their hits.
    """
    rows = session.execute(
        select(Segment.id, Segment.text, Code.key, CodeAssignment.status, CodeAssignment.origin,
               CodeAssignment.decided_at)
        .join(CodeAssignment, CodeAssignment.segment_id == Segment.id)
        .join(Code, Code.id == CodeAssignment.code_id)
        .where(Segment.consultation_id == consultation.id)
        .order_by(Segment.id)).all()
    texts: dict[int, str] = {}
    codes: dict[int, dict[str, set[str]]] = {}
    reviewed: set[int] = set()
    for seg_id, text, key, status, origin, decided_at in rows:
        texts[seg_id] = text
        by_status = codes.setdefault(seg_id, {"accepted": set(), "rejected": set(), "suggested": set()})
        by_status[status.value].add(key)
        if origin == Origin.PERSON or decided_at is not None:
            reviewed.add(seg_id)
    out = []
    for i in sorted(reviewed):
        c = codes[i]
        accepted = c["accepted"]
        out.append(ReviewedExample(texts[i], tuple(sorted(accepted)), tuple(sorted(c["rejected"] - accepted)),
                                   tuple(sorted(c["suggested"] - accepted - c["rejected"]))))
    return out


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


#: Keywords proposed per code in the codebook editor.
KEYWORD_PROPOSALS = 8


def keyword_proposals(session: Session, consultation: Consultation) -> dict:
    """Keywords per code that set its accepted segments apart from the other reviewed
    ones (:func:`analysis.coding.learning.keyword_suggestions`), without the code's
    current keywords: the ``suggest_keywords`` job's result, which the codebook editor
    shows (:func:`consult.codebooks.stored_keyword_proposals`). NLP: run it in a job."""
    version = _require_codebook(consultation)
    examples = reviewed_examples(session, consultation)
    definition = version_to_definition(version)
    found = keyword_suggestions(definition, [(e.text, e.codes) for e in examples], top_n=KEYWORD_PROPOSALS)
    codes = {key: [{"lemma": k.lemma, "z": k.z, "count": k.count} for k in items if not k.already_keyword]
             for key, items in found.items()}
    return {"codebook_version": version.number, "segments": len(examples),
            "accepted_segments": sum(1 for e in examples if e.codes),
            "codes": {key: items for key, items in codes.items() if items}}


#: A learning run starts after this many new decisions (accept, reject, add) since the
#: coder was last trained, once :data:`MIN_TRAINING_SEGMENTS` segments were reviewed.
LEARN_AFTER_DECISIONS = 25


def decisions_since_training(session: Session, consultation: Consultation) -> int:
    """Decisions people took in ``consultation`` since its current coder was trained or
    the last learning run was started, whichever came later (all of them when neither
    happened yet): a run that is under way, or failed, is not started again at once."""
    model = latest_coder(session, consultation)
    runs = session.execute(select(Job.created_at, Job.params).where(
        Job.consultation_id == consultation.id, Job.kind == "code_consultation", Job.parent_id.is_(None))
        .order_by(Job.id.desc()).limit(20)).all()
    last_run = next((t for t, params in runs if (params or {}).get("learn") or (params or {}).get("retrain")), None)
    since = max([t for t in (getattr(model, "created_at", None), last_run) if t is not None], default=None)
    stmt = (select(func.count(CodeAssignment.id)).join(Segment)
            .where(Segment.consultation_id == consultation.id, CodeAssignment.decided_at.is_not(None)))
    if since is not None:
        stmt = stmt.where(CodeAssignment.decided_at > since)
    return session.scalar(stmt) or 0


def learning_due(session: Session, consultation: Consultation) -> bool:
    """Should the coder learn from the reviews now? When at least
    :data:`LEARN_AFTER_DECISIONS` decisions were taken since it was last trained and
    enough segments were reviewed to train on (:data:`MIN_TRAINING_SEGMENTS`)."""
    if consultation.codebook_version is None:
        return False
    if decisions_since_training(session, consultation) < LEARN_AFTER_DECISIONS:
        return False
    reviewed = (select(func.count(func.distinct(CodeAssignment.segment_id))).join(Segment)
                .where(Segment.consultation_id == consultation.id,
                       (CodeAssignment.origin == Origin.PERSON) | CodeAssignment.decided_at.is_not(None)))
    return (session.scalar(reviewed) or 0) >= MIN_TRAINING_SEGMENTS


def learner_active(session: Session, consultation: Consultation) -> bool:
    """Did the learning coder rank the segments still to review (so the review queue can
    put the most informative ones first)?"""
    return session.scalar(select(Segment.id).where(
        Segment.consultation_id == consultation.id, Segment.review_margin.is_not(None)).limit(1)) is not None


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

#: Segments per chunk job of a coding run (consult.jobs): small enough that a chunk
#: takes seconds and memory stays flat, large enough that the coder's setup is paid rarely.
CHUNK_SIZE = 2000


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class PreparedCoder:
    """The coder of a run: a trained model (by ``CoderModel`` id) or the keyword rules."""

    coder: object
    names: dict[str, str]
    model_id: int | None


# -- ranking codes per segment ---------------------------------------------------------
#
# The coders rank every code per segment in the same pass that makes their suggestions
# (``code_ranked`` in analysis.coding), the learning coder with each code's distance to its
# decision edge. Both put the codes they do not suggest in one order
# (analysis.coding.ranking): how much the segment resembles the code's text in the
# codebook, lifted for codes the coder suggests often among the segments coded together
# (a batch of BATCH segments of one consultation: its themes; a few segments, such as a new
# response's, count with the rest of the consultation's coded segments,
# consultation_themes; fewer than 20 codable segments in all rank by the resemblance
# alone). A candidate's score stays the coder's own (probability or resemblance); the
# floor below which a code is no candidate is on the resemblance, for both coders, since
# that is what orders them.

#: Codes below the threshold kept per segment as one-key choices on the review screen.
N_CANDIDATES = 3
#: A code whose codebook text the segment resembles less than this (cosine) is no
#: candidate: a choice that is almost never right only costs the reviewer attention. Before,
#: the learning coder's floor was its probability (0.05), which left it 1.3 candidates a
#: segment against the rules' 2.2 and one key from 31% of the gold codes it missed, against
#: 46% (benchmarks/review_ranking.py).
MIN_CANDIDATE_SIMILARITY = 0.05


@dataclass
class Ranked:
    """One segment's coding: the suggestions, every code's score in the coder's ranking
    order, every code's similarity to its codebook text and, for the learning coder, every
    code's distance to the probability that would change its decision (None: the keyword
    rules, which have no such edge)."""

    suggestions: list[Suggestion]
    scores: dict[str, float]
    distances: dict[str, float] | None = None
    similarity: dict[str, float] | None = None

    def candidates(self, exclude: set[str] = frozenset(), n: int = N_CANDIDATES) -> list[tuple[str, float]]:
        """The ``n`` best codes that were not suggested and are not in ``exclude``, in the
        coder's order, with their score; each resembles its codebook text at least
        :data:`MIN_CANDIDATE_SIMILARITY` (without similarities: scores at least that)."""
        taken = {s.code for s in self.suggestions} | set(exclude)
        floor = self.similarity if self.similarity is not None else self.scores
        return [(c, p) for c, p in self.scores.items()
                if c not in taken and floor.get(c, 0.0) >= MIN_CANDIDATE_SIMILARITY][:n]

    def margin(self, exclude: set[str] = frozenset()) -> float | None:
        """How close the learning coder is to changing its mind on this segment: the
        smallest distance to a decision edge over the codes not in ``exclude`` (codes a
        person decided on teach nothing new); None for the keyword rules."""
        if self.distances is None:
            return None
        gaps = [d for c, d in self.distances.items() if c not in exclude]
        return round(min(gaps), 4) if gaps else None


def rank_texts(prepared: PreparedCoder, texts: Sequence[str], themes: ThemeCounts | None = None) -> list[Ranked]:
    """Code ``texts`` with ``prepared`` and rank every code per text (see above); ``themes``:
    the consultation's themes outside ``texts`` (:func:`consultation_themes`), if known."""
    return [Ranked(r.suggestions, {c.code: c.score for c in r.candidates}, r.distances,
                   {c.code: c.similarity for c in r.candidates} if all(c.similarity is not None for c in r.candidates)
                   else None)
            for r in prepared.coder.code_ranked(texts, themes)]


def consultation_themes(session: Session, consultation: Consultation,
                        outside: Sequence[int]) -> ThemeCounts:
    """The consultation's themes as its segments outside ``outside`` (segment ids) show
    them: per code key, on how many segments the code is suggested or accepted, and how
    many segments have such a code. A new response's few segments, or a segment recoded
    on its own, are so ranked by the consultation's themes as a whole run ranks its
    batches, not by their resemblance to the codebook alone (see above)."""
    version = _require_codebook(consultation)
    key_of = {c.id: c.key for c in version.codes}
    coded = (select(CodeAssignment.segment_id, CodeAssignment.code_id)
             .join(Segment, Segment.id == CodeAssignment.segment_id)
             .where(Segment.consultation_id == consultation.id, Segment.furniture.is_(False),
                    CodeAssignment.status != AssignmentStatus.REJECTED,
                    CodeAssignment.code_id.in_(list(key_of)))
             .distinct())
    if outside:
        coded = coded.where(~CodeAssignment.segment_id.in_(list(outside)))
    coded = coded.subquery()
    counts = {key_of[code_id]: n for code_id, n in session.execute(
        select(coded.c.code_id, func.count()).group_by(coded.c.code_id))}
    texts = session.scalar(select(func.count(func.distinct(coded.c.segment_id)))) or 0
    return ThemeCounts(counts, int(texts))


#: Trained coders read in this process, by database, ``CoderModel`` id and training time:
#: ids repeat across databases (tests, instances sharing a worker) and after a reset.
_MODEL_CACHE: dict[tuple[str, int, str], object] = {}


def choose_coder(session: Session, consultation: Consultation, *, retrain: bool = False,
                 actor: str | User = "system") -> int | None:
    """Decide the coder of a run, once, before any segment is coded: the id of the
    newest trained ``CoderModel`` for the consultation's codebook version (training one
    first when there is none, or when ``retrain``, and enough segments were reviewed), or
    None when the keyword rules code alone."""
    _require_codebook(consultation)
    model = None if retrain else latest_coder(session, consultation)
    if model is None:
        examples = reviewed_examples(session, consultation)
        if len(examples) >= MIN_TRAINING_SEGMENTS:
            model = train_coder(session, consultation, actor=actor, examples=examples)
    return model.id if model else None


def load_coder(session: Session, consultation: Consultation, model_id: int | None) -> PreparedCoder:
    """The coder chosen by :func:`choose_coder`. A trained model is read from its
    ``CoderModel`` row once per process (the rows never change; see ``_MODEL_CACHE``)."""
    version = _require_codebook(consultation)
    rule_name = f"rule:v{version.number}"
    if model_id is None:
        rules = RuleCoder(version_to_definition(version))
        return PreparedCoder(rules, {"rule": rule_name, "model": rule_name}, None)
    model = session.get(CoderModel, model_id)      # its data column is deferred: a small read
    if model is None or model.consultation_id != consultation.id:
        raise ValueError(f"coder model {model_id} does not belong to {consultation.slug!r}")
    key = (session.get_bind().url.render_as_string(hide_password=True), model_id, model.created_at.isoformat())
    coder = _MODEL_CACHE.get(key)
    if coder is None:
        coder = CombinedCoder.from_bytes(model.data)
        if len(_MODEL_CACHE) >= 4:
            _MODEL_CACHE.pop(next(iter(_MODEL_CACHE)))
        _MODEL_CACHE[key] = coder
    return PreparedCoder(coder, {"rule": rule_name, "model": f"model:{model_id}"}, model_id)


def chunk_ranges(session: Session, consultation: Consultation,
                 size: int = CHUNK_SIZE) -> list[tuple[int, int, int]]:
    """Disjoint ``(first_id, last_id, count)`` ranges of the consultation's segments, in id
    order, ``size`` segments each (the last one smaller). Only the boundaries are kept, so
    this stays small for 10^5 segments."""
    ranges: list[tuple[int, int, int]] = []
    first = last = None
    n = 0
    for (seg_id,) in session.execute(select(Segment.id).where(
            Segment.consultation_id == consultation.id, Segment.furniture.is_(False))  # furniture: never coded
            .order_by(Segment.id)).yield_per(10_000):
        if first is None:
            first = seg_id
        last, n = seg_id, n + 1
        if n == size:
            ranges.append((first, last, n))
            first, n = None, 0
    if first is not None:
        ranges.append((first, last, n))
    return ranges


def code_segments(session: Session, consultation: Consultation, prepared: PreparedCoder, *,
                  first_id: int | None = None, last_id: int | None = None,
                  segment_ids: list[int] | None = None, progress=None,
                  commit_batches: bool = False) -> CodingSummary:
    """Code the consultation's segments with ids in ``first_id..last_id`` (or in
    ``segment_ids``; default: all) with ``prepared``, under the review rule.

    Each batch locks its segment rows (:func:`lock_segments`) before it reads their
    assignments, and :func:`decide` and
    :func:`add_code` lock the segment too. So two runs, or a run and a person, never
    work on the same segment at once: a second run sees the first one's suggestions and
    replaces them (no double insert), and a decision taken while a batch was running is
    seen by the next run. The delete of stale suggestions is also guarded by status, so
    it can never remove a decided row. With ``commit_batches`` every batch is committed
    (a chunk job: progress becomes visible, locks are short); a re-run is idempotent.
    """
    version = _require_codebook(consultation)
    codes = {c.key: c for c in version.codes}
    coder, coder_names = prepared.coder, prepared.names
    summary = CodingSummary(coder=coder_names["model"])
    query = select(Segment.id, Segment.text).where(Segment.consultation_id == consultation.id)
    # notes furniture (title, "Aanwezig: ...", contents) is never coded
    query = query.where(Segment.furniture.is_(False))
    if first_id is not None:
        query = query.where(Segment.id >= first_id)
    if last_id is not None:
        query = query.where(Segment.id <= last_id)
    if segment_ids is not None:
        query = query.where(Segment.id.in_(segment_ids))
    segments = session.execute(query.order_by(Segment.id)).all()
    summary.segments = len(segments)
    key_of = {c.id: c.key for c in codes.values()}
    # Some segments (a new response, the unreviewed ones): rank them with the rest of the
    # consultation's themes too. A whole run or chunk ranks by its own batches of BATCH.
    themes = consultation_themes(session, consultation, [seg_id for seg_id, _ in segments]) \
        if segment_ids is not None and segments else None
    for batch in _batches(segments):
        ids = [seg_id for seg_id, _ in batch]
        # Empty or non-Dutch segments are left uncoded rather than mis-coded.
        texts = [text if is_codable(text) else "" for _, text in batch]
        new, suggestion_of = [], {}
        ranked = rank_texts(prepared, texts, themes)
        for seg_id, text, r in zip(ids, texts, ranked):
            for s in r.suggestions if text else []:
                code = codes.get(s.code)
                if code is None:
                    continue
                a = Assignment(segment_id=seg_id, code=code.id, origin=_origin(s).value,
                               coder=coder_names[_origin(s).value], confidence=s.confidence)
                new.append(a)
                suggestion_of.setdefault((seg_id, code.id), s)
        # Code first, then lock: the segments are locked only while their rows are written.
        lock_segments(session, ids)
        existing, row_ids = _stored_assignments(session, ids)
        # The run stands for every automatic coder: what the rules or an earlier model
        # proposed and nobody decided on is recomputed; the rest stays.
        automatic = {a.coder for a in existing if a.origin in AUTOMATIC} | set(coder_names.values())
        merged = merge_suggestions(existing, new, coder=automatic, segment_ids=ids)
        # A suggestion the run makes again (the same segment and code, from the rules or a
        # newer model) keeps its row and id, so that a review screen opened before the run
        # still decides on it; the others are deleted and added.
        reusable: dict[tuple[int, int], list[int]] = {}
        for a in merged.removed:
            reusable.setdefault((a.segment_id, a.code), []).append(row_ids[a.segment_id, a.code, a.coder])
        kept_rows = {}
        for a in merged.added:
            if reusable.get((a.segment_id, a.code)):
                kept_rows[a.segment_id, a.code] = reusable[a.segment_id, a.code].pop(0)
        stale = [rid for rids in reusable.values() for rid in rids]
        if stale:
            session.execute(delete(CodeAssignment).where(
                CodeAssignment.id.in_(stale), CodeAssignment.status == AssignmentStatus.SUGGESTED,
                CodeAssignment.decided_at.is_(None)).execution_options(synchronize_session=False))
        summary.suggestions_removed += len(merged.removed)
        summary.kept_human_decisions += len(merged.blocked)
        for a in merged.added:
            s = suggestion_of[a.segment_id, a.code]
            row = _assignment(a, s)
            rid = kept_rows.get((a.segment_id, a.code))
            if rid is None:
                session.add(row)
            else:
                session.execute(update(CodeAssignment).where(
                    CodeAssignment.id == rid, CodeAssignment.status == AssignmentStatus.SUGGESTED,
                    CodeAssignment.decided_at.is_(None)).values(
                    origin=row.origin, coder=row.coder, confidence=row.confidence, evidence=row.evidence,
                    created_at=utcnow())
                    .execution_options(synchronize_session=False))
            summary.suggestions_added += 1
            summary.per_code[s.code] = summary.per_code.get(s.code, 0) + 1
        _store_ranking(session, ids, texts, ranked, existing, key_of, coder_names["model"])
        session.flush()
        if progress is not None:
            progress(len(batch))
        if commit_batches:
            session.commit()
    session.flush()
    return summary


def _store_ranking(session: Session, ids: list[int], texts: list[str], ranked: list[Ranked],
                   existing: list[Assignment], key_of: dict[int, str], coder_name: str) -> None:
    """Write each segment's candidates and review margin (``Segment.candidates``,
    ``Segment.review_margin``); codes a person decided on are neither candidates nor
    counted in the margin."""
    decided: dict[int, set[str]] = {}
    for a in existing:
        if is_human_decision(a) and a.code in key_of:
            decided.setdefault(a.segment_id, set()).add(key_of[a.code])
    rows = []
    for seg_id, text, r in zip(ids, texts, ranked):
        done = decided.get(seg_id, set())
        best = r.candidates(done) if text else []
        rows.append({"id": seg_id, "review_margin": r.margin(done) if text else None,
                     "candidates": {"coder": coder_name, "codes": [{"code": c, "score": p} for c, p in best]}
                     if best else None})
    session.execute(update(Segment), rows)


def add_summaries(total: CodingSummary, part: CodingSummary) -> CodingSummary:
    total.segments += part.segments
    total.suggestions_added += part.suggestions_added
    total.suggestions_removed += part.suggestions_removed
    total.kept_human_decisions += part.kept_human_decisions
    total.coder = total.coder or part.coder
    for key, n in part.per_code.items():
        total.per_code[key] = total.per_code.get(key, 0) + n
    return total


def record_coding_run(session: Session, consultation: Consultation, summary: CodingSummary, *,
                      actor: str | User) -> None:
    record(session, "code_consultation", consultation, actor=actor, details={
        "coder": summary.coder, "segments": summary.segments, "added": summary.suggestions_added,
        "removed": summary.suggestions_removed, "kept_human_decisions": summary.kept_human_decisions})


def code_consultation(session: Session, consultation: Consultation, *, retrain: bool = False,
                      actor: str | User = "system", progress=None) -> CodingSummary:
    """Add automatic code suggestions to every segment of ``consultation``, in this process.

    Uses the newest trained coder for the consultation's codebook version, training one
    first when there is none (or when ``retrain``) and enough segments have been reviewed;
    with fewer than ``MIN_TRAINING_SEGMENTS`` reviewed segments the transparent keyword
    rules code alone. Earlier undecided automatic suggestions are replaced; rows a person
    decided, and codes a person already accepted or rejected on a segment, are left alone.
    For many segments, run it as a job instead (``code_consultation`` in consult.jobs):
    the same steps, split into chunks that several workers take.
    """
    model_id = choose_coder(session, consultation, retrain=retrain, actor=actor)
    prepared = load_coder(session, consultation, model_id)
    summary = code_segments(session, consultation, prepared, progress=progress)
    record_coding_run(session, consultation, summary, actor=actor)
    return summary


def code_new_segments(session: Session, consultation: Consultation, segments: list[Segment], *,
                      actor: str | User = "system") -> CodingSummary | None:
    """Code just-made segments (of one response or document) with the current coder, no
    retraining; None when the consultation has no codebook yet."""
    if consultation.codebook_version is None or not segments:
        return None
    prepared = load_coder(session, consultation, getattr(latest_coder(session, consultation), "id", None))
    return code_segments(session, consultation, prepared, segment_ids=[s.id for s in segments])


def _origin(s: Suggestion) -> Origin:
    return Origin.RULE if s.origin == "rule" else Origin.MODEL


def _stored_assignments(session: Session, segment_ids: list[int]) -> tuple[
        list[Assignment], dict[tuple[int, int, str], int]]:
    """The assignments on ``segment_ids`` for the review rule (codes by id), and their row ids."""
    rows = session.execute(select(
        CodeAssignment.id, CodeAssignment.segment_id, CodeAssignment.code_id, CodeAssignment.origin,
        CodeAssignment.coder, CodeAssignment.status).where(CodeAssignment.segment_id.in_(segment_ids))).all()
    existing = [Assignment(segment_id=seg, code=code, origin=origin.value, coder=coder, status=status.value)
                for _, seg, code, origin, coder, status in rows]
    return existing, {(seg, code, coder): row_id for row_id, seg, code, _, coder, _ in rows}


def _assignment(a: Assignment, s: Suggestion) -> CodeAssignment:
    return CodeAssignment(
        segment_id=a.segment_id, code_id=a.code, origin=Origin(a.origin), coder=a.coder,
        confidence=round(min(max(float(s.confidence), 0.0), 1.0), 4),
        status=AssignmentStatus.SUGGESTED,
        evidence={"explanation": s.explain(), "sources": list(s.sources),
                  "items": [e.to_dict() for e in s.evidence]})


# -- review by people ---------------------------------------------------------------------

def lock_segments(session: Session, segment_ids: list[int]) -> None:
    """Wait for whoever codes or reviews these segments, and keep them out until commit:
    ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite a no-op write, which takes the
    database's one write lock before the caller reads (SQLite has no row locks)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE segment SET id = id WHERE id IN :ids")
                        .bindparams(bindparam("ids", expanding=True)), {"ids": list(segment_ids)})
    else:
        session.execute(select(Segment.id).where(Segment.id.in_(segment_ids)).with_for_update())


def lock_segment(session: Session, segment_id: int) -> None:
    lock_segments(session, [segment_id])


class ReviewError(ValueError):
    """A review action that cannot be done; the message is Dutch, for the screen."""


#: Audit actions that are a person's decision on a code, and the one that undoes them.
DECISION_ACTIONS = ("accept_code", "reject_code", "undo_code", "add_code")
UNDO_ACTION = "undo_decision"


def _state(a: CodeAssignment) -> dict:
    return {"status": a.status.value, "decided_by": a.decided_by_id,
            "decided_at": a.decided_at.isoformat() if a.decided_at else None}


def decide(session: Session, assignment: CodeAssignment, decision: str, actor: User, *,
           batch: str | None = None) -> CodeAssignment:
    """A person accepts, rejects or undoes (``accept``/``reject``/``undo``) an assignment.

    The status follows the review rule (:func:`analysis.coding.review.decision_status`);
    a decision records who and when, undoing it clears both. The audit entry keeps the
    previous state, so that :func:`undo_last_decision` can restore it (``batch`` ties the
    entries of one bulk decision together). Raises ``ValueError`` for an unknown decision.
    """
    status = AssignmentStatus(decision_status(assignment.origin.value, decision))
    lock_segment(session, assignment.segment_id)
    old = assignment.status
    previous = _state(assignment)
    decided = status != AssignmentStatus.SUGGESTED
    assignment.status = status
    assignment.decided_by_id = actor.id if decided else None
    assignment.decided_at = utcnow() if decided else None
    details = {"consultation": assignment.segment.consultation_id, "segment": assignment.segment_id,
               "code": assignment.code.key, "from": old.value, "to": status.value, "previous": previous}
    if batch:
        details["batch"] = batch
    record(session, f"{decision}_code", assignment, actor=actor, details=details)
    return assignment


def current_suggestions(session: Session, consultation: Consultation,
                        chosen: list[tuple[int, int | None, int | None]]) -> dict[int, CodeAssignment | None]:
    """What a review screen's choices (assignment id, and the segment and code it was shown
    for) stand for now: per chosen id the assignment of ``consultation`` with that id (in
    any status) or, when a coding run removed it since the screen was opened, the open
    suggestion of the same code on the same segment; None when there is none."""
    out: dict[int, CodeAssignment | None] = {}
    ids = [i for i, _, _ in chosen]
    rows = {a.id: a for a in session.scalars(select(CodeAssignment).join(Segment).where(
        CodeAssignment.id.in_(ids), Segment.consultation_id == consultation.id))} if ids else {}
    for assignment_id, segment_id, code_id in chosen:
        a = rows.get(assignment_id)
        if a is None and segment_id is not None and code_id is not None:
            a = session.scalar(select(CodeAssignment).join(Segment).where(
                CodeAssignment.segment_id == segment_id, CodeAssignment.code_id == code_id,
                CodeAssignment.status == AssignmentStatus.SUGGESTED, CodeAssignment.origin != Origin.PERSON,
                Segment.consultation_id == consultation.id).order_by(CodeAssignment.id).limit(1))
        out[assignment_id] = a
    return out


def decide_choice(session: Session, consultation: Consultation, chosen: tuple[int, int | None, int | None],
                  decision: str, actor: User) -> tuple[CodeAssignment | None, str]:
    """A person's decision on a review screen's choice (assignment id, segment id, code id,
    see :func:`current_suggestions`): on the assignment itself or the open suggestion that
    replaced it (``"decided"``); when the code is no longer suggested on the segment,
    accepting adds it as the person's own code (``"added"``) and rejecting changes nothing
    (``"gone"``, no assignment). Raises ``LookupError`` when neither the assignment nor
    the segment and code are in ``consultation``, ``ValueError`` for an unknown decision."""
    segment_id = chosen[1]
    if segment_id is None:
        segment_id = session.scalar(select(CodeAssignment.segment_id).where(CodeAssignment.id == chosen[0]))
    if segment_id is not None:
        lock_segment(session, segment_id)    # before reading: a coding run may replace the row meanwhile
    a = current_suggestions(session, consultation, [chosen])[chosen[0]]
    if a is not None:
        return decide(session, a, decision, actor), "decided"
    segment = session.get(Segment, chosen[1]) if chosen[1] is not None else None
    if segment is None or segment.consultation_id != consultation.id or decision not in ("accept", "reject"):
        raise LookupError("no such suggestion in this consultation")
    if decision == "reject":
        return None, "gone"
    try:
        return add_code(session, segment, session.get(Code, chosen[2]), actor), "added"
    except ValueError:
        raise LookupError("the code is not in the consultation's codebook") from None


def accept_many(session: Session, consultation: Consultation, assignment_ids: list[int],
                actor: User) -> list[CodeAssignment]:
    """A person accepts several suggestions at once (the review screen's checkboxes).

    Only still-suggested assignments of ``consultation`` are accepted; each gets its own
    audit entry, tied together so that one undo takes back the whole step. Returns the
    accepted assignments (none: nothing matched)."""
    ids = sorted({int(i) for i in assignment_ids})
    if not ids:
        return []
    rows = session.scalars(select(CodeAssignment).join(Segment).where(
        CodeAssignment.id.in_(ids), Segment.consultation_id == consultation.id,
        CodeAssignment.status == AssignmentStatus.SUGGESTED).order_by(CodeAssignment.id)).all()
    if not rows:
        return []
    lock_segments(session, sorted({a.segment_id for a in rows}))
    batch = f"bulk:{actor.id}:{utcnow().isoformat()}:{rows[0].id}"
    for a in rows:
        session.refresh(a)  # the lock may have waited for someone else's decision
        if a.status == AssignmentStatus.SUGGESTED:
            decide(session, a, "accept", actor, batch=batch)
    return [a for a in rows if a.status == AssignmentStatus.ACCEPTED]


def candidate_of(segment: Segment, code: Code) -> dict | None:
    """``code`` among the segment's stored candidates (:func:`code_segments`): ``{"coder",
    "score", "rank"}`` (rank in the coder's ranking, 1 = best), or None."""
    stored = segment.candidates if isinstance(segment.candidates, dict) else {}
    for rank, item in enumerate(stored.get("codes") or [], start=1):
        if isinstance(item, dict) and item.get("code") == code.key:
            return {"coder": str(stored.get("coder") or ""), "score": item.get("score"), "rank": rank}
    return None


def add_code(session: Session, segment: Segment, code: Code | None, actor: User, *,
             from_candidates: bool = False) -> CodeAssignment:
    """A person adds ``code`` to ``segment``: their own assignment (coder ``user:<id>``),
    accepted at once; adding it again re-accepts it. With ``from_candidates`` (a one-key
    choice on the review screen) the code's place among the segment's candidates is kept
    as its provenance (``evidence["candidate"]``: coder, score, rank) and in the audit
    entry. A code the coder proposes on the segment is accepted instead (one assignment,
    not two); a code someone already accepted there raises :class:`ReviewError`. Raises
    ``ValueError`` when ``code`` is missing or not in the codebook version of the segment's
    consultation."""
    version_id = segment.consultation.codebook_version_id
    if code is None or version_id is None or code.version_id != version_id:
        raise ValueError("the code is not in the consultation's codebook")
    coder = f"user:{actor.id}"
    lock_segment(session, segment.id)
    a = session.scalar(select(CodeAssignment).where(CodeAssignment.segment_id == segment.id,
                                                    CodeAssignment.code_id == code.id, CodeAssignment.coder == coder))
    others = session.scalars(select(CodeAssignment).where(
        CodeAssignment.segment_id == segment.id, CodeAssignment.code_id == code.id,
        CodeAssignment.coder != coder).order_by(CodeAssignment.id)).all()
    if (a is None or a.status != AssignmentStatus.ACCEPTED) and any(
            x.status == AssignmentStatus.ACCEPTED for x in others):
        raise ReviewError(f"De code ‘{code.label}’ staat al bij dit stuk. Er is niets veranderd.")
    proposed = next((x for x in others if x.status == AssignmentStatus.SUGGESTED), None)
    if a is None and proposed is not None and not from_candidates:
        return decide(session, proposed, "accept", actor)     # the coder proposes it already: accept that
    now = utcnow()
    details = {"consultation": segment.consultation_id, "segment": segment.id, "code": code.key,
               "to": AssignmentStatus.ACCEPTED.value, "created": a is None}
    candidate = candidate_of(segment, code) if from_candidates else None
    if candidate is not None:
        details["candidate"] = candidate
    if a is None:
        a = CodeAssignment(segment_id=segment.id, code_id=code.id, origin=Origin.PERSON, coder=coder,
                           status=AssignmentStatus.ACCEPTED, created_by_id=actor.id,
                           decided_by_id=actor.id, decided_at=now,
                           evidence={"candidate": candidate} if candidate is not None else None)
        session.add(a)
    else:
        details.update({"from": a.status.value, "previous": _state(a)})
        a.status, a.decided_by_id, a.decided_at = AssignmentStatus.ACCEPTED, actor.id, now
        if candidate is not None:
            a.evidence = {**(a.evidence if isinstance(a.evidence, dict) else {}), "candidate": candidate}
    record(session, "add_code", a, actor=actor, details=details)
    return a


# -- undoing a person's last decision ---------------------------------------------------

#: How far back in a person's audit entries the last decision is looked for.
_UNDO_LOOKBACK = 500


@dataclass
class Undone:
    """What :func:`undo_last_decision` took back."""
    segment_id: int
    labels: list[str]
    count: int


def _last_decision(session: Session, consultation: Consultation, actor: User) -> list[AuditLog]:
    """The audit entries of ``actor``'s last decision in ``consultation`` that was not undone
    yet (several for a bulk decision), newest first; empty when there is none."""
    entries = session.scalars(select(AuditLog).where(
        AuditLog.user_id == actor.id, AuditLog.action.in_(DECISION_ACTIONS + (UNDO_ACTION,)))
        .order_by(AuditLog.id.desc()).limit(_UNDO_LOOKBACK)).all()
    undone: set[int] = set()
    found: list[AuditLog] = []
    for e in entries:
        details = e.details or {}
        if e.action == UNDO_ACTION:
            undone.update(details.get("undoes") or [])
            continue
        if e.id in undone or details.get("consultation") != consultation.id:
            continue
        if not found:
            found.append(e)
            if not details.get("batch"):
                break
        elif details.get("batch") == (found[0].details or {}).get("batch"):
            found.append(e)
    return found


def last_decision(session: Session, consultation: Consultation, actor: User) -> str:
    """A short Dutch description of what :func:`undo_last_decision` would take back
    (``""``: nothing)."""
    found = _last_decision(session, consultation, actor)
    if not found:
        return ""
    verbs = {"accept_code": "geaccepteerd", "reject_code": "afgewezen", "undo_code": "teruggezet naar voorstel",
             "add_code": "toegevoegd"}
    if len(found) > 1:
        return f"{len(found)} voorstellen geaccepteerd"
    e = found[0]
    a = session.get(CodeAssignment, e.entity_id) if e.entity_id else None
    label = a.code.label if a is not None else (e.details or {}).get("code", "")
    return f"‘{label}’ {verbs[e.action]}"


def undo_last_decision(session: Session, consultation: Consultation, actor: User) -> Undone:
    """Take back ``actor``'s last accept, reject, undo or add in ``consultation`` (a bulk
    acceptance as a whole): each assignment gets back the status, decider and time it had
    before; a code the person had newly added is removed. Audited as ``undo_decision``.

    Raises :class:`ReviewError` (Dutch) when there is nothing to undo, or when someone
    changed the code since (then nothing is changed)."""
    found = _last_decision(session, consultation, actor)
    if not found:
        raise ReviewError("Er is geen beslissing van u om ongedaan te maken.")
    rows = [(e, session.get(CodeAssignment, e.entity_id) if e.entity_id else None) for e in found]
    if any(a is None for _, a in rows):
        raise ReviewError("Deze code bestaat niet meer (het codeboek is misschien veranderd). "
                          "Er is niets ongedaan gemaakt.")
    lock_segments(session, sorted({a.segment_id for _, a in rows}))
    for e, a in rows:
        session.refresh(a)
        details = e.details or {}
        if a.status.value != details.get("to") or (
                a.status != AssignmentStatus.SUGGESTED and a.decided_by_id != actor.id):
            raise ReviewError("Iemand heeft deze code daarna nog veranderd. Er is niets ongedaan gemaakt.")
    segment_id = min(a.segment_id for _, a in rows)
    labels = []
    for e, a in rows:
        details = e.details or {}
        labels.append(a.code.label)
        if e.action == "add_code" and details.get("created"):
            record(session, UNDO_ACTION, a, actor=actor, details={
                "consultation": consultation.id, "undoes": [e.id], "segment": a.segment_id,
                "code": a.code.key, "from": a.status.value, "to": "removed"})
            session.delete(a)
            continue
        previous = details.get("previous")
        if previous is None:  # an entry from before the previous state was recorded
            previous = {"status": details.get("from", AssignmentStatus.SUGGESTED.value),
                        "decided_by": None, "decided_at": None}
        old = a.status.value
        a.status = AssignmentStatus(previous["status"])
        if a.status == AssignmentStatus.SUGGESTED and a.origin == Origin.PERSON:
            a.status = AssignmentStatus.REJECTED  # a person's own code has no suggested state
        a.decided_by_id = previous.get("decided_by")
        a.decided_at = datetime.fromisoformat(previous["decided_at"]) if previous.get("decided_at") else None
        record(session, UNDO_ACTION, a, actor=actor, details={
            "consultation": consultation.id, "undoes": [e.id], "segment": a.segment_id,
            "code": a.code.key, "from": old, "to": a.status.value})
    session.flush()
    return Undone(segment_id=segment_id, labels=labels, count=len(rows))
