"""Coding a consultation in the database: segments, suggestions, and the review rule."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from consult.coding import code_consultation, reviewed_examples, segment_consultation
from consult.db import session_scope
from consult.demo import DEMO_SLUG, build_demo
from consult.models import (
    AssignmentStatus, Code, CodeAssignment, Consultation, Document, Origin, Segment,
)


@pytest.fixture
def demo(app):
    with session_scope(app.extensions["consult.sessions"]) as s:
        build_demo(s, code=False)
    return app.extensions["consult.sessions"]


def _consultation(s) -> Consultation:
    return s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))


def test_segments_point_into_their_sources(demo):
    with session_scope(demo) as s:
        c = _consultation(s)
        created = segment_consultation(s, c)
        assert created > 900
        assert segment_consultation(s, c) == 0  # nothing new: nothing added
        for seg in s.scalars(select(Segment).limit(400)):
            source = seg.answer.text if seg.answer_id else seg.document.text
            assert source[seg.start_char:seg.end_char] == seg.text
        # Personal data left in free text is masked in the stored masked_text.
        masked = s.scalars(select(Segment.masked_text).where(Segment.masked_text.is_not(None))).all()
        assert any("0570-123456" not in m and "telefoonnummer" in m for m in masked)
        assert not any("@voorbeeld.nl" in m for m in masked)


def test_rules_code_first_and_human_decisions_survive_reruns(demo):
    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        first = code_consultation(s, c)
        assert first.coder.startswith("rule:") and first.suggestions_added > 50
        suggestion = s.scalar(select(CodeAssignment).where(
            CodeAssignment.status == AssignmentStatus.SUGGESTED).order_by(CodeAssignment.id))
        assert suggestion.evidence["explanation"] and suggestion.confidence is not None
        # A person rejects one suggestion and adds a code elsewhere.
        suggestion.status = AssignmentStatus.REJECTED
        suggestion.decided_at = datetime(2026, 1, 1)
        other = s.scalar(select(Segment).where(Segment.id != suggestion.segment_id).order_by(Segment.id))
        code = s.scalar(select(Code).where(Code.key == "INSPRAAK"))
        other.assignments.append(CodeAssignment(code=code, origin=Origin.PERSON, coder="user:1",
                                                status=AssignmentStatus.ACCEPTED))
        s.flush()
        rejected_id, segment_id, code_id = suggestion.id, suggestion.segment_id, suggestion.code_id

    with session_scope(demo) as s:
        second = code_consultation(s, _consultation(s))
        assert second.kept_human_decisions >= 1
        kept = s.get(CodeAssignment, rejected_id)
        assert kept.status == AssignmentStatus.REJECTED
        # The coder does not re-suggest a code a person already decided on.
        assert s.scalar(select(func.count(CodeAssignment.id)).where(
            CodeAssignment.segment_id == segment_id, CodeAssignment.code_id == code_id)) == 1
        assert s.scalar(select(func.count(CodeAssignment.id)).where(
            CodeAssignment.origin == Origin.PERSON)) == 1
        # Re-running replaces its own suggestions instead of piling them up.
        assert second.suggestions_added == first.suggestions_added - 1
        before = dict(s.execute(select(CodeAssignment.id, CodeAssignment.confidence).where(
            CodeAssignment.status == AssignmentStatus.SUGGESTED)).all())

    with session_scope(demo) as s:
        # A suggestion made again keeps its row, so a review screen opened before the run
        # still decides on it; one the run no longer makes is gone.
        s.execute(update(CodeAssignment).where(CodeAssignment.id.in_(list(before)[:5])).values(coder="model:old"))
        code_consultation(s, _consultation(s))
        after = dict(s.execute(select(CodeAssignment.id, CodeAssignment.confidence).where(
            CodeAssignment.status == AssignmentStatus.SUGGESTED)).all())
        assert after == before
        assert s.scalar(select(func.count(CodeAssignment.id)).where(CodeAssignment.coder == "model:old")) == 0


def test_learning_coder_trains_on_reviewed_segments(demo):
    from consult.demo import _accept_generated_themes

    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        _accept_generated_themes(s, c, c.codebook_version)
        examples = reviewed_examples(s, c)
        assert len(examples) > 500 and all(codes for _, codes in examples)
        summary = code_consultation(s, c)
        assert summary.coder.startswith("model:")
        # Notes (never reviewed) now carry model suggestions with evidence.
        on_notes = s.scalars(select(CodeAssignment).join(Segment).where(
            Segment.document_id.is_not(None))).all()
        assert on_notes and all(a.status == AssignmentStatus.SUGGESTED for a in on_notes)
        assert {a.origin for a in on_notes} <= {Origin.MODEL, Origin.RULE}


def test_non_dutch_and_empty_text_stay_uncoded(demo):
    with session_scope(demo) as s:
        c = _consultation(s)
        doc = Document(consultation=c, title="English notes",
                       text="The neighbourhood meeting was very useful. We talked about the budget "
                            "and the cooperation between the care providers in the area.")
        s.add(doc)
        segment_consultation(s, c)
        code_consultation(s, c)
        codes = s.scalar(select(func.count(CodeAssignment.id)).join(Segment).where(
            Segment.document_id == doc.id))
        assert codes == 0


def test_one_path_from_notes_to_segments_labels_tables_and_always_masks(demo):
    from analysis.coding.base import ORIGINS
    from consult.coding import segment_document
    from consult.models import Meeting

    with session_scope(demo) as s:
        c = _consultation(s)
        doc = s.scalar(select(Document).join(Meeting).where(Meeting.title == "Wijkbijeenkomst Keizerslanden"))
        segments = segment_document(s, doc)
        # "Tafel 1 – Wat gaat goed?" headings label the segments after them
        labels = [seg.group_label for seg in segments]
        assert labels[0] == "" and "Tafel 1 – Wat gaat goed?" in labels and labels[-1] == "Tafel 2 – Ideeën"
        # topic headings ("Maatwerk") are no table: no label
        colmschate = s.scalar(select(Document).join(Meeting).where(Meeting.title == "Wijkbijeenkomst Colmschate"))
        assert {seg.group_label for seg in segment_document(s, colmschate)} == {""}
        # masked text is always stored: the text itself when there is nothing to mask
        segment_consultation(s, c)
        assert s.scalar(select(func.count(Segment.id)).where(Segment.masked_text.is_(None))) == 0
        assert s.scalar(select(func.count(Segment.id)).where(Segment.masked_text == Segment.text)) > 900
        # re-segmenting replaces, it does not pile up
        n = len(segment_document(s, doc))
        assert s.scalar(select(func.count(Segment.id)).where(Segment.document_id == doc.id)) == n == len(segments)
    # analysis and the database use one word per origin
    assert {o.value for o in Origin} == set(ORIGINS)


def test_people_decide_through_the_review_service(demo):
    from consult.coding import add_code, decide
    from consult.models import AuditLog, Role, User

    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        code_consultation(s, c)
        writer = User(email="beleid@example.nl", name="Beleid", role=Role.POLICY_WRITER, password_hash="x")
        s.add(writer)
        s.flush()
        a = s.scalar(select(CodeAssignment).where(CodeAssignment.status == AssignmentStatus.SUGGESTED)
                     .order_by(CodeAssignment.id))
        decide(s, a, "reject", writer)
        assert a.status == AssignmentStatus.REJECTED and a.decided_by_id == writer.id and a.decided_at
        decide(s, a, "undo", writer)
        assert a.status == AssignmentStatus.SUGGESTED and a.decided_by_id is None and a.decided_at is None
        with pytest.raises(ValueError):
            decide(s, a, "maybe", writer)
        code = next(k for k in c.codebook_version.codes if k.id != a.code_id)
        added = add_code(s, a.segment, code, writer)
        s.flush()
        assert (added.origin, added.coder, added.status) == (Origin.PERSON, f"user:{writer.id}",
                                                            AssignmentStatus.ACCEPTED)
        decide(s, added, "undo", writer)        # a person's own code has no "suggested" state
        assert added.status == AssignmentStatus.REJECTED
        assert add_code(s, a.segment, code, writer) is added and added.status == AssignmentStatus.ACCEPTED
        with pytest.raises(ValueError):
            add_code(s, a.segment, None, writer)
        actions = s.scalars(select(AuditLog.action).where(AuditLog.action.in_(
            ["reject_code", "undo_code", "add_code"]))).all()
        assert sorted(actions) == ["add_code", "add_code", "reject_code", "undo_code", "undo_code"]
        segment_id, code_id = added.segment_id, added.code_id

    # the automatic coder keeps what people decided
    with session_scope(demo) as s:
        code_consultation(s, _consultation(s))
        assert s.scalar(select(func.count(CodeAssignment.id)).where(
            CodeAssignment.segment_id == segment_id, CodeAssignment.code_id == code_id,
            CodeAssignment.origin == Origin.PERSON, CodeAssignment.status == AssignmentStatus.ACCEPTED)) == 1


def test_labels_sit_next_to_their_enums():
    from consult.models.coding import ASSIGNMENT_STATUS_LABELS, ORIGIN_LABELS

    assert set(ORIGIN_LABELS) == set(Origin) and ORIGIN_LABELS[Origin.PERSON] == "persoon"
    assert set(ASSIGNMENT_STATUS_LABELS) == set(AssignmentStatus)
    assert ASSIGNMENT_STATUS_LABELS["suggested"] == "voorgesteld"   # templates look up by value


# -- ranked candidates, learning from reviews (issue 18) ---------------------------------

def test_coding_runs_keep_ranked_candidates_and_the_learner_ranks_by_doubt(demo):
    from consult.coding import MIN_CANDIDATE_SIMILARITY, N_CANDIDATES, PreparedCoder, latest_coder, load_coder, rank_texts
    from consult.demo import _accept_generated_themes

    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        code_consultation(s, c)          # keyword rules: candidates by similarity to the codebook text
        coded = s.scalars(select(Segment).where(Segment.candidates.is_not(None))).all()
        assert len(coded) > 500
        assert s.scalar(select(func.count(Segment.id)).where(Segment.review_margin.is_not(None))) == 0
        for seg in coded[:200]:
            assert seg.candidates["coder"] == "rule:v1"
            items = seg.candidates["codes"]
            # in the coder's order (similarity lifted by the batch's theme prior, see
            # tests/analysis/test_coding_rank.py), not necessarily by score
            scores = [i["score"] for i in items]
            assert 1 <= len(items) <= N_CANDIDATES and min(scores) >= MIN_CANDIDATE_SIMILARITY  # rules: score = similarity
            assert len({i["code"] for i in items}) == len(items)
            suggested = {a.code.key for a in seg.assignments}
            assert not suggested & {i["code"] for i in items}   # below the threshold: not suggested

        _accept_generated_themes(s, c, c.codebook_version)
        code_consultation(s, c)          # the learning coder: its probabilities and thresholds
        model = latest_coder(s, c)
        prepared = load_coder(s, c, model.id)
        assert isinstance(prepared, PreparedCoder) and prepared.model_id == model.id
        notes = s.scalars(select(Segment).where(Segment.document_id.is_not(None), Segment.review_margin.is_not(None))
                          .order_by(Segment.id).limit(30)).all()
        assert len(notes) == 30
        ranked = rank_texts(prepared, [seg.text for seg in notes])
        for seg, r in zip(notes, ranked):
            # the stored margin is the smallest distance of a code to its decision edge
            assert seg.review_margin == pytest.approx(min(r.distances.values()), abs=1e-3)
            suggested = {a.code.key for a in seg.assignments if a.status == AssignmentStatus.SUGGESTED}
            assert suggested == {x.code for x in r.suggestions}
            for item in (seg.candidates or {}).get("codes", []):
                assert item["code"] not in suggested   # below the edge: not suggested
                assert item["score"] == pytest.approx(r.scores[item["code"]], abs=1e-3)
                # the floor is on the resemblance to the codebook text, as for the rules
                assert r.similarity[item["code"]] >= MIN_CANDIDATE_SIMILARITY
        # the ranking pass gives exactly the coder's own suggestions
        plain = prepared.coder.code([seg.text for seg in notes])
        assert [[(x.code, x.confidence) for x in ss] for ss in plain] == \
            [[(x.code, x.confidence) for x in r.suggestions] for r in ranked]
        # a person's decisions are no candidates and do not count in the margin
        answer_seg = s.scalar(select(Segment).join(CodeAssignment).where(
            Segment.candidates.is_not(None), CodeAssignment.origin == Origin.PERSON).order_by(Segment.id).limit(1))
        decided = {a.code.key for a in answer_seg.assignments if a.origin == Origin.PERSON}
        assert decided and not decided & {i["code"] for i in answer_seg.candidates["codes"]}
        r = rank_texts(prepared, [answer_seg.text])[0]
        assert answer_seg.review_margin == pytest.approx(r.margin(decided), abs=1e-3)
        assert r.margin(decided) == pytest.approx(
            min(d for k, d in r.distances.items() if k not in decided), abs=1e-3)


def test_a_few_segments_are_ranked_by_the_consultations_themes(demo):
    """A new response's segments, or one recoded on its own, are too few for a theme prior
    of their own: the rest of the consultation's coded segments count with them."""
    from consult.coding import code_segments, consultation_themes, load_coder, rank_texts

    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        code_consultation(s, c)
        segs = s.scalars(select(Segment).where(Segment.furniture.is_(False), Segment.candidates.is_not(None))
                         .order_by(Segment.id).limit(300)).all()
        one = segs[0]
        # a person rejects a suggestion elsewhere: it no longer counts as a theme
        rejected = s.scalar(select(CodeAssignment).where(CodeAssignment.segment_id != one.id)
                            .order_by(CodeAssignment.id).limit(1))
        rejected.status, rejected.decided_at = AssignmentStatus.REJECTED, datetime(2026, 1, 1)
        s.flush()
        themes = consultation_themes(s, c, [one.id])
        rows = s.execute(select(CodeAssignment.segment_id, Code.key).join(Code)
                         .join(Segment, Segment.id == CodeAssignment.segment_id)
                         .where(Segment.consultation_id == c.id, Segment.id != one.id,
                                CodeAssignment.status != AssignmentStatus.REJECTED)).all()
        assert themes.texts == len({seg for seg, _ in rows}) > 500
        expected = {}
        for seg, key in set(rows):
            expected[key] = expected.get(key, 0) + 1
        assert dict(themes.codes) == expected
        with_rejected = s.scalar(select(func.count(func.distinct(CodeAssignment.segment_id)))
                                 .where(CodeAssignment.code_id == rejected.code_id, CodeAssignment.segment_id != one.id))
        assert themes.codes.get(rejected.code.key, 0) == with_rejected - 1

        prepared = load_coder(s, c, None)
        alone = rank_texts(prepared, [seg.text for seg in segs])       # as if coded on their own
        themed = [rank_texts(prepared, [seg.text], consultation_themes(s, c, [seg.id]))[0] for seg in segs[:60]]
        moved = [i for i, (a, t) in enumerate(zip(alone, themed)) if a.candidates() != t.candidates()]
        assert moved, "the consultation's themes change the order of some segments' near misses"
        target = segs[moved[0]]
        code_segments(s, c, prepared, segment_ids=[target.id])
        s.flush()
        s.refresh(target)
        assert [i["code"] for i in target.candidates["codes"]] == [k for k, _ in themed[moved[0]].candidates()]


def test_reviewed_examples_count_rejections_as_negatives(demo):
    from consult.coding import decide
    from consult.models import Role, User

    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        code_consultation(s, c)
        writer = User(email="beleid@example.nl", name="Beleid", role=Role.POLICY_WRITER, password_hash="x")
        s.add(writer)
        s.flush()
        two = s.scalars(select(Segment).join(CodeAssignment).group_by(Segment.id)
                        .having(func.count(CodeAssignment.id) >= 2).order_by(Segment.id).limit(2)).all()
        only_rejected, partly = two
        for a in only_rejected.assignments:
            decide(s, a, "reject", writer)
        first, *rest = sorted(partly.assignments, key=lambda a: a.id)
        decide(s, first, "accept", writer)
        s.flush()
        examples = {e.text: e for e in reviewed_examples(s, c)}
        e = examples[only_rejected.text]
        assert e.codes == () and set(e.rejected) == {a.code.key for a in only_rejected.assignments}
        text, codes = e                        # still the (text, codes) pair train() takes
        assert (text, codes) == (only_rejected.text, ())
        p = examples[partly.text]
        assert p.codes == (first.code.key,) and set(p.pending) == {a.code.key for a in rest}
        assert len(examples) == 2


def test_a_code_chosen_from_the_candidates_keeps_its_provenance(demo):
    from consult.coding import add_code, candidate_of
    from consult.models import AuditLog, Role, User
    from consult.review import candidates, explain

    with session_scope(demo) as s:
        c = _consultation(s)
        segment_consultation(s, c)
        code_consultation(s, c)
        writer = User(email="beleid@example.nl", name="Beleid", role=Role.POLICY_WRITER, password_hash="x")
        s.add(writer)
        s.flush()
        seg = s.scalar(select(Segment).where(Segment.candidates.is_not(None)).order_by(Segment.id))
        codes = {k.key: k for k in c.codebook_version.codes}
        shown = candidates(seg, codes)
        assert shown and shown[0].code.key == seg.candidates["codes"][0]["code"]
        second = shown[1].code if len(shown) > 1 else shown[0].code
        a = add_code(s, seg, second, writer, from_candidates=True)
        s.flush()
        cand = a.evidence["candidate"]
        assert cand == candidate_of(seg, second) and cand["coder"] == "rule:v1" and cand["rank"] == (2 if len(shown) > 1 else 1)
        assert a.origin == Origin.PERSON and a.status == AssignmentStatus.ACCEPTED
        entry = s.scalar(select(AuditLog).where(AuditLog.action == "add_code").order_by(AuditLog.id.desc()))
        assert entry.details["candidate"] == cand
        assert explain(a) == "Toegevoegd door Beleid. Gekozen uit de codes waarvan de omschrijving op dit stuk lijkt."
        s.expire(seg, ["assignments"])
        assert second.key not in {x.code.key for x in candidates(seg, codes)}   # on the segment now
        # a code that was no candidate gets no candidate provenance, even when asked
        other = next(k for k in c.codebook_version.codes
                     if k.key not in {i["code"] for i in seg.candidates["codes"]} and k.key not in
                     {x.code.key for x in seg.assignments})
        plain = add_code(s, seg, other, writer, from_candidates=True)
        assert plain.evidence is None and candidate_of(seg, other) is None
