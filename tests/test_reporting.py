"""The read side (``consult.reporting``): the one query of a consultation's people, and
public text that is always the masked text."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.models import Answer, Channel, Participant, Response, ResponseStatus, Segment, Survey
from consult.reporting import NotFound, data_tables, get_consultation, people, public_text, segment_rows
from tests.exports.helpers import OTHER_RECEIPT, RECEIPT, SLUG, build_small_consultation


def _small(session):
    ids = build_small_consultation(session)
    for seg in session.scalars(select(Segment).where(Segment.masked_text.is_(None))):
        seg.masked_text = seg.text  # stored segments always have a masked text
    c = get_consultation(session, SLUG)
    # an unfinished response with a segment: not input yet
    survey = session.scalar(select(Survey).where(Survey.consultation_id == c.id))
    question = next(q for q in survey.questions if q.key == "beter")
    answer = Answer(question=question, text="Nog niet klaar.")
    unfinished = Response(survey=survey, participant=Participant(consultation=c), channel=Channel.PAPER,
                          status=ResponseStatus.IN_PROGRESS, answers=[answer])
    session.add(unfinished)
    session.flush()
    session.add(Segment(consultation_id=c.id, answer=answer, position=0, start_char=0, end_char=15,
                        text=answer.text, masked_text=answer.text))
    session.flush()
    return c, ids, unfinished, answer


def test_people_is_one_map_of_respondents_groups_and_neighbourhoods(session):
    c, ids, unfinished, answer = _small(session)
    who = people(session, c)
    first, other = ids["responses"][RECEIPT], ids["responses"][OTHER_RECEIPT]
    assert list(who.respondents) == sorted([first, other, unfinished.id])
    assert (who.respondents[first].group, who.respondents[first].neighbourhood) == ("Mantelzorger", "Bathmen")
    assert (who.respondents[other].group, who.respondents[other].neighbourhood) == ("Inwoner", "Binnenstad")
    assert (who.respondents[unfinished.id].group, who.respondents[unfinished.id].submitted) == (None, False)
    assert who.respondents[first].survey_slug == who.respondents[other].survey_slug
    assert who.answers[answer.id] == (unfinished.id, answer.question_id)
    assert len(who.answers) == 7 and who.questions[answer.question_id].key == "beter"

    # segments of the unfinished response are left out; the others carry group and neighbourhood
    rows = segment_rows(session, c, who=who).rows
    assert {r.unit for r in rows if r.source == "answer"} == {f"response:{first}", f"response:{other}"}
    assert {(r.group, r.neighbourhood) for r in rows if r.unit == f"response:{first}"} == {("Mantelzorger", "Bathmen")}


def test_public_text_is_the_masked_text_and_the_export_says_what_was_masked(session):
    c, ids, _unfinished, _answer = _small(session)
    masked = session.get(Segment, ids["masked_segment"])
    assert public_text(masked) == "Mevrouw [naam] zegt dat mantelzorgers te weinig steun krijgen."
    tables = {t.name: t for t in data_tables(session, c)}
    segments = tables["segmenten"]
    column = segments.headers.index("gemaskeerd")
    text = segments.headers.index("tekst")
    flags = {row[0]: (row[column], row[text]) for row in segments.rows}
    assert flags[masked.id] == (True, "Mevrouw [naam] zegt dat mantelzorgers te weinig steun krijgen.")
    assert [flag for sid, (flag, _) in flags.items() if sid != masked.id] == [False] * (len(flags) - 1)
    responses = tables["reacties"]
    assert len(responses.rows) == 3 and [row[6] for row in responses.rows] == ["Mantelzorger", "Inwoner", None]


def test_unknown_slug(session):
    with pytest.raises(NotFound, match="bestaat-niet"):
        get_consultation(session, "bestaat-niet")


def test_reader_text_is_stored_with_the_codebook_and_reaches_the_report_input(session):
    from analysis.codebook import Code as CodeDef, Codebook as CodebookDef
    from consult.codebooks import store_codebook, version_to_definition
    from consult.reporting import _codes

    c, _ids, _unfinished, _answer = _small(session)
    definition = CodebookDef(name="Met lezerstekst", codes=(
        CodeDef("ZORG", "Zorg", description="Coderen als ...", reader_text="Wat inwoners over zorg zeggen."),
        CodeDef("WONEN", "Wonen", description="Niet voor zorg.")))
    version, created = store_codebook(session, definition)
    assert created and version_to_definition(version) == definition
    # a changed reader text is a new version
    changed = CodebookDef(name="Met lezerstekst", codes=(
        CodeDef("ZORG", "Zorg", description="Coderen als ...", reader_text="Over zorg."), definition.codes[1]))
    assert store_codebook(session, changed)[1] is True
    c.codebook_version = version
    session.flush()
    infos = {i.key: i for i in _codes(c)}
    assert infos["ZORG"].reader_text == "Wat inwoners over zorg zeggen." and infos["WONEN"].reader_text == ""
