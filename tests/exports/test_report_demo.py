"""The verkenning report of the demo: its numbers against counts computed with SQL, on
SQLite and PostgreSQL; every format rendered once (SQLite), masked and with alt texts."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import and_, distinct, func, select

from consult.demo import DEMO_SLUG
from consult.models import (
    AssignmentStatus, Code, CodeAssignment, Consultation, Document, Meeting, MeetingAttendance, MeetingType,
    Participant, Response, ResponseStatus, Segment, StakeholderGroup, Survey, Answer, Neighbourhood,
)
from consult.reporting import get_consultation, report_input
from tests.exports.pii import EMAIL, PHONE
from exports.report import build_report

#: Personal data the demo puts into free text and notes (to be masked everywhere).
DEMO_PII = ("0570-123456", "p.smit@voorbeeld.nl", "06-12345678", "j.bakker@voorbeeld.nl")


@pytest.fixture(scope="module")
def demo_report(demo_app):
    s = demo_app.extensions["consult.sessions"]()
    try:
        data = report_input(s, get_consultation(s, DEMO_SLUG))
        report = build_report(data, with_charts=False)
    finally:
        s.close()
    return data, report


def test_report_numbers_match_sql(demo_app, demo_report):
    data, report = demo_report
    s = demo_app.extensions["consult.sessions"]()
    try:
        c = s.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        meetings = s.scalar(select(func.count(Meeting.id)).where(Meeting.consultation_id == c.id))
        attendees = s.scalar(select(func.sum(MeetingAttendance.count)).join(Meeting)
                             .where(Meeting.consultation_id == c.id))
        submitted = and_(Survey.consultation_id == c.id, Response.status == ResponseStatus.SUBMITTED)
        responses = s.scalar(select(func.count(Response.id)).join(Survey).where(submitted))
        per_channel = dict(s.execute(select(Response.channel, func.count(Response.id)).join(Survey)
                                     .where(submitted).group_by(Response.channel)).all())
        per_group = dict(s.execute(
            select(StakeholderGroup.label, func.count(Response.id)).select_from(Response).join(Survey)
            .join(Participant, Participant.id == Response.participant_id)
            .join(StakeholderGroup, StakeholderGroup.id == Participant.stakeholder_group_id)
            .where(submitted).group_by(StakeholderGroup.label)).all())
        per_hood = dict(s.execute(
            select(Neighbourhood.name, func.count(Response.id)).select_from(Response).join(Survey)
            .join(Participant, Participant.id == Response.participant_id)
            .join(Neighbourhood, Neighbourhood.id == Participant.neighbourhood_id)
            .where(submitted).group_by(Neighbourhood.name)).all())
        accepted = (select(Code.key, func.count(distinct(Segment.id)))
                    .select_from(CodeAssignment).join(Code).join(Segment)
                    .where(Segment.consultation_id == c.id, CodeAssignment.status == AssignmentStatus.ACCEPTED)
                    .group_by(Code.key))
        theme_segments = dict(s.execute(accepted).all())
        theme_respondents = dict(s.execute(
            select(Code.key, func.count(distinct(Answer.response_id)))
            .select_from(CodeAssignment).join(Code).join(Segment).join(Answer, Answer.id == Segment.answer_id)
            .join(Response, Response.id == Answer.response_id).join(Survey)
            .where(submitted, CodeAssignment.status == AssignmentStatus.ACCEPTED).group_by(Code.key)).all())
        theme_meetings = dict(s.execute(
            select(Code.key, func.count(distinct(Meeting.id)))
            .select_from(CodeAssignment).join(Code).join(Segment).join(Document, Document.id == Segment.document_id)
            .join(Meeting, Meeting.id == Document.meeting_id)
            .where(Segment.consultation_id == c.id, CodeAssignment.status == AssignmentStatus.ACCEPTED)
            .group_by(Code.key)).all())
        wijk_meetings = s.scalar(select(func.count(Meeting.id)).where(
            Meeting.consultation_id == c.id, Meeting.type == MeetingType.WIJKBIJEENKOMST))
        open_suggestions = s.scalar(
            select(func.count(CodeAssignment.id)).join(Segment)
            .outerjoin(Answer, Answer.id == Segment.answer_id).outerjoin(Response, Response.id == Answer.response_id)
            .where(Segment.consultation_id == c.id, CodeAssignment.status == AssignmentStatus.SUGGESTED,
                   (Segment.document_id.is_not(None)) | (Response.status == ResponseStatus.SUBMITTED)))
    finally:
        s.close()

    assert report.totals["bijeenkomsten"] == meetings == 8
    assert report.totals["aanwezigen"] == attendees
    assert report.totals["vragenlijsten"] == responses == 250
    tables = {t.caption: t for t in report.approach_tables}
    from consult.models import CHANNEL_LABELS

    assert {r[0]: int(r[1]) for r in tables["Ingevulde vragenlijsten per kanaal"].rows} == {
        CHANNEL_LABELS[k]: v for k, v in per_channel.items()}
    group_rows = {r[0]: r[1] for r in tables["Deelnemers aan de vragenlijst per groep"].rows}
    assert group_rows == {g: (str(n) if n >= 5 else "minder dan 5") for g, n in per_group.items()}
    hood_rows = {r[0]: r[1] for r in tables["Deelnemers aan de vragenlijst per wijk of dorp"].rows}
    assert hood_rows == {h: str(n) for h, n in per_hood.items()}
    assert f"{meetings} bijeenkomsten" in report.approach[0] and str(attendees) in report.approach[0]

    # one section per theme with accepted codes, ordered by weight, counts as in SQL
    assert {t.key: t.n_segments for t in report.themes} == theme_segments
    assert {t.key: t.n_respondents for t in report.themes} == {k: theme_respondents.get(k, 0) for k in theme_segments}
    weights = [t.n_segments for t in report.themes]
    assert weights == sorted(weights, reverse=True)
    # the per-neighbourhood breakdown adds up to the theme's respondents when nothing is hidden
    for t in report.themes:
        cells = [r[1] for r in t.by_neighbourhood.rows]
        if all(c.isdigit() for c in cells):
            assert sum(int(c) for c in cells) == t.n_respondents
        assert not any(c in {"1", "2", "3", "4"} for r in t.by_group.rows for c in r[1:3])
        assert min(2, t.n_segments) <= len(t.quotes) <= 4
        # the documents say in words where the theme came from (the wijk with the highest
        # share that may be shown, with its count), instead of printing both tables per theme
        shown = [r for r in t.by_neighbourhood.rows if r[3].endswith("%") and r[3] != "0%"]
        if shown:
            top = max(int(r[3][:-1]) for r in shown)
            assert any(f"{r[0]} ({r[1]} van de {r[2]}, {r[3]})" in t.spread
                       for r in shown if int(r[3][:-1]) == top), (t.label, t.spread)

    # meetings counted per theme as in SQL: distinct meetings whose notes have an accepted code
    assert {t.key: t.n_meetings for t in report.themes} == {k: theme_meetings.get(k, 0) for k in theme_segments}
    assert sum(1 for t in report.themes if t.n_meetings) >= 10
    top = report.themes[0]
    assert f"van de {wijk_meetings} wijkbijeenkomsten" in top.summary and str(top.n_respondents) in top.summary

    # what is still unreviewed, as in SQL, and the concept notice while it is not zero
    assert open_suggestions > 0
    assert f"{open_suggestions} voorstellen" in report.notice and report.notice.startswith("Concept")
    assert any(f"{open_suggestions} voorstellen van de computer" in p for p in report.approach)

    # advice: 11 points, A4 and A8 unanswered; findings and the scenario
    advice = report.advice[0]
    assert len(advice.points) == 11 and [p.label for p in advice.unanswered] == ["A4", "A8"]
    kinds = [f.kind for f in report.findings]
    assert kinds.count("bevinding") == 8 and kinds.count("uitgangspunt") == 2 and len(report.scenarios) == 1
    # the samenvatting names the uitgangspunten (§ 4) and the scenario with its voor- and nadelen (§ 5)
    assert [p.title for p in report.summary_principles] == ["Ondersteuning in de eigen leefomgeving",
                                                              "Uitgaan van de kracht van de cliënt"]
    scenario = report.summary_scenarios[0]
    assert scenario.title.startswith("Scenario 2") and "Cliënten houden keuzevrijheid." in scenario.advantages
    assert scenario.disadvantages == ["Pilots naast het huidige systeem opzetten vraagt nog uitwerking."]
    assert report.decisions and report.decisions[0].reference == "2019-002451"


def test_meetings_are_quoted_in_the_theme_sections(demo_report):
    data, report = demo_report
    meeting_quotes = [q for t in report.themes for q in t.quotes if "vragenlijst" not in q.source]
    assert len(meeting_quotes) >= 20
    # the main themes quote both the meetings and the survey
    for t in report.themes[:5]:
        sources = {"vragenlijst" in q.source for q in t.quotes}
        assert sources == {True, False}, t.key


def test_samenvatting_up_front(demo_report):
    data, report = demo_report
    first = report.summary[0]
    attendees = sum(m.total for m in data.meetings)
    assert f"{attendees} mensen kwamen naar 8 bijeenkomsten" in first and "250 mensen vulden de vragenlijst in" in first
    assert "6 wijkbijeenkomsten" in first and "online" in first
    assert [label for label, _ in report.summary_themes] == [t.label for t in report.themes[:6]]
    assert all(sentence.startswith("Genoemd ") for _, sentence in report.summary_themes)
    state = " ".join(report.summary_state)
    assert "11 punten" in state and "2 punten zijn nog niet beantwoord" in state
    assert "Besluit (college van B&W, 21 januari 2020): Het college stelt de verkenning" in state


def test_no_coder_instructions_in_the_report(demo_report):
    """The codebook's description and gloss are for coders; without a reader-facing text
    a theme shows its label alone."""
    data, report = demo_report
    from exports.render import render_markdown

    md = " ".join(render_markdown(report).split())
    instructions = [x for c in data.codes for x in (c.description, c.gloss) if x]
    assert instructions
    for text in instructions:
        assert " ".join(text.split())[:60] not in md, text
    assert all(t.description == "" for t in report.themes)


def test_report_quotes_never_hold_personal_data(demo_report):
    data, report = demo_report
    quotes = [q.text for t in report.themes for q in t.quotes] + [t.summary for t in report.themes]
    for text in quotes:
        assert not EMAIL.search(text) and not PHONE.search(text), text
        assert not any(p in text for p in DEMO_PII)
    # masked text is used where it exists
    masked = {s.id: s for s in data.segments}
    assert all("@" not in q for q in quotes)
    assert masked


def test_report_files_in_every_format(demo_app, tmp_path):
    """Rendered once (SQLite): DOCX, PDF, HTML and Markdown from the same model."""
    if not demo_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("rendering does not depend on the database; done once on SQLite")
    from docx import Document
    from pypdf import PdfReader

    from exports.render import render

    s = demo_app.extensions["consult.sessions"]()
    try:
        data = report_input(s, get_consultation(s, DEMO_SLUG))
    finally:
        s.close()
    report = build_report(data)  # with charts and word clouds
    top = report.themes[0]
    outputs = {}
    for fmt in ("docx", "pdf", "html", "md"):
        outputs[fmt] = render(report, fmt, tmp_path / f"verslag.{fmt}")

    html = outputs["html"].read_text(encoding="utf-8")
    md = outputs["md"].read_text(encoding="utf-8")
    docx = Document(str(outputs["docx"]))
    docx_text = "\n".join(p.text for p in docx.paragraphs) + "\n" + "\n".join(
        c.text for t in docx.tables for r in t.rows for c in r.cells)
    pdf_text = "\n".join(page.extract_text() for page in PdfReader(str(outputs["pdf"])).pages)
    for name, text in (("html", html), ("md", md), ("docx", docx_text), ("pdf", pdf_text)):
        flat = " ".join(text.split())
        for needle in ("Inleiding", "Aanleiding", "Aanpak", "Wat is opgehaald", "Waar verschillen de meningen",
                       "Bevindingen", "Advies en reactie", "Codeboek", "Werkwijze", "Overeenstemming",
                       top.label, "250 mensen vulden de vragenlijst in", "Niet beantwoord", "Samenvatting",
                       "Concept. Nog niet alle voorstellen"):
            assert needle in flat, (name, needle)
        for pii in DEMO_PII:
            assert pii not in flat, (name, pii)
    # every chart has a text alternative: alt in HTML, descr in DOCX; Markdown links the PNGs
    imgs = re.findall(r"<img [^>]*>", html)
    from exports.report import MIN_CLOUD_SEGMENTS
    clouds = [t for t in report.themes if t.wordcloud]
    # a word cloud for every theme with enough fragments to make one worth reading
    assert {t.key for t in clouds} == {t.key for t in report.themes if t.n_segments >= MIN_CLOUD_SEGMENTS}
    assert any(t.n_segments < MIN_CLOUD_SEGMENTS for t in report.themes)      # (the demo has small themes)
    assert len(imgs) == 3 + len(clouds)
    assert all(re.search(r'alt="[^"]{30,}"', i) for i in imgs)
    descrs = [el.get("descr") for el in docx.element.body.iter() if el.tag.endswith("}docPr")]
    assert len(descrs) == len(imgs) and all(d and len(d) > 30 for d in descrs)
    assert (tmp_path / "verslag_bestanden" / "themas.png").exists() and "verslag_bestanden/themas.png" in md
    assert "<script" not in html.lower() and "http://" not in html and "https://" not in html


def test_word_clouds_hold_content_words(demo_report):
    """Word clouds: nouns and adjectives of the pipeline's lemmas, codebook keywords weighted,
    no domain fillers; verbs (by spaCy's Dutch lemma index: a verb lemma that is no noun or
    adjective) do not dominate."""
    from analysis.nlp.lookups import lemma_index

    from exports.text import CLOUD_STOP

    data, report = demo_report
    index = {k: set(v) for k, v in lemma_index().items()}
    only_verbs = index["verb"] - index["noun"] - index["adj"]
    fillers = {"houden", "zitten", "ver", "gemeente", "mensen", "gaan", "komen", "hebben", "goed", "veel"}
    top = [w for t in report.themes for w, _ in t.top_words[:10]]
    assert len(top) >= 10 * (len(report.themes) - 2)
    assert not fillers & set(top) and not CLOUD_STOP & set(top)
    verbs = [w for w in top if w in only_verbs]
    assert len(verbs) <= 0.05 * len(top), verbs
    # the theme's own keywords are there, and weighted: a keyword comes first in most clouds
    codes = {c.key: c for c in data.codes}
    firsts_keyword = 0
    for t in report.themes:
        keywords = {w for k in codes[t.key].keywords for w in k.lower().split()}
        words = [w for w, _ in t.top_words]
        assert all(n >= 1 for _, n in t.top_words) and set(t.cloud_weights) == set(words)
        firsts_keyword += any(words[0].startswith(k) or words[0].endswith(k) for k in keywords if len(k) > 3)
    assert firsts_keyword >= len(report.themes) // 2
    mantelzorg = next(t for t in report.themes if t.key == "INFORMEEL")
    assert {"mantelzorger", "vrijwilliger"} <= {w for w, _ in mantelzorg.top_words[:5]}


def test_heat_map_tables_give_share_and_count_and_hide_small_cells(demo_report):
    """Under each heat map: "35% (6)" per wijk or group, "<5" where fewer than 5 named the
    theme (the grey cells), never a count from 1 to 4."""
    import re

    from exports.text import simple_lemmatiser

    data, _report = demo_report
    report = build_report(data, lemmatiser=simple_lemmatiser)   # with charts
    tables = [c.table for c in report.overview_charts if c.key.startswith("heatmap-")]
    assert len(tables) == 2
    cells = [cell for t in tables for row in t.rows for cell in row[1:]]
    assert cells and all(re.fullmatch(r"\d+% \(\d+\)|<5", cell) for cell in cells), cells
    assert "<5" in cells and not [c for c in cells if re.fullmatch(r"\d+% \([1-4]\)", c)]


def test_divides_are_listed_once_in_words(demo_report):
    """§ 5 says what divides opinion in sentences, once per divide, the same in HTML (and so
    the PDF), Markdown and DOCX: no second copy as a table."""
    import html as html_lib
    import io

    from docx import Document as Docx

    from exports.render import render_docx, render_html, render_markdown

    _data, report = demo_report
    assert report.divides
    page = render_html(report)
    section = html_lib.unescape(page.split('id="verschillen"')[1].split("</section>")[0])
    md = render_markdown(report).split("## 5.")[1].split("## 6.")[0]
    docx = "\n".join(p.text for p in Docx(io.BytesIO(render_docx(report))).paragraphs)
    assert "<table" not in section
    for d in report.divides:
        sentence = d.sentence      # "Deelnemers uit de groep ‘Cliënt’ noemen ... vaker dan anderen (..)."
        assert sentence.startswith("Deelnemers uit ") and f" noemen {d.theme.lower()} {d.direction} dan anderen" in sentence
        assert section.count(sentence) == 1 and html_lib.unescape(sentence) in html_lib.unescape(md) \
            and sentence in docx
