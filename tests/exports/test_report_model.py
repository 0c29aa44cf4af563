"""The report model from hand-made plain data (no database, no NLP pipeline)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from analysis.privacy import contains_personal_data, scrub
from exports.model import (
    AdviceInfo, AdvicePointInfo, CodeInfo, MeetingInfo, ParagraphInfo, ReportInput, RespondentInfo,
    SegmentRow, protect,
)
from exports.render import render_docx, render_html, render_markdown
from exports.report import benjamini_hochberg, build_report, two_proportion_p
from exports.text import simple_lemmatiser
from tests.exports.pii import EMAIL, PHONE


def test_protect_small_counts():
    assert [protect(n) for n in (0, 1, 4, 5, 12)] == ["0", "minder dan 5", "minder dan 5", "5", "12"]


def test_scrub_removes_email_and_phone_numbers():
    text = "Bel 06-12345678, 0570 123456 of +31 6 1234 5678; mail p.smit@voorbeeld.nl. Nota 2019-002451."
    clean = scrub(text)
    assert not EMAIL.search(clean) and not PHONE.search(clean)
    assert clean.count("[verwijderd]") == 4 and "2019-002451" in clean
    assert contains_personal_data(text) and not contains_personal_data(clean)


def test_two_proportion_test_and_fdr():
    assert two_proportion_p(40, 50, 10, 100) < 1e-10
    assert two_proportion_p(5, 50, 10, 100) == 1.0
    assert benjamini_hochberg([0.001, 0.02, 0.04, 0.5]) == [True, True, False, False]


def test_two_proportion_test_and_fdr_match_statsmodels():
    """The hand-written z-test and Benjamini-Hochberg give statsmodels' figures (they are
    kept because they are some 500 times faster per test and need no statsmodels)."""
    import random

    proportion = pytest.importorskip("statsmodels.stats.proportion")
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    rng = random.Random(3)
    p_values = []
    for _ in range(300):
        n1, n2 = rng.randint(5, 200), rng.randint(5, 400)
        k1, k2 = rng.randint(1, n1 - 1), rng.randint(1, n2 - 1)
        p = two_proportion_p(k1, n1, k2, n2)
        assert p == pytest.approx(float(proportion.proportions_ztest([k1, k2], [n1, n2])[1]), rel=1e-9, abs=1e-300)
        p_values.append(p)
    for m in (1, 5, 40, 300):
        ps = p_values[:m]
        assert benjamini_hochberg(ps) == list(multitest.multipletests(ps, alpha=0.05, method="fdr_bh")[0])


def small_input() -> ReportInput:
    hoods = ["Noord", "Zuid", "Dorp"]
    groups = ["Inwoner", "Mantelzorger"]
    respondents, segments = [], []
    sid = 0
    for i in range(60):
        group = groups[1] if i < 20 else groups[0]
        hood = hoods[i % 3] if i < 57 else hoods[2]
        unit = f"response:{i}"
        respondents.append(RespondentInfo(unit=unit, group=group, neighbourhood=hood, channel="online"))
        sid += 1
        if group == "Mantelzorger" or i % 10 == 0:  # mantelzorgers raise MANTELZORG far more often
            segments.append(SegmentRow(id=sid, text=f"Als mantelzorger heb ik nooit een dag vrij, zegt nummer {i}.",
                                       source="answer", source_label=f"{group.lower()}, vragenlijst", unit=unit,
                                       codes=["MANTELZORG"], group=group, neighbourhood=hood))
        sid += 1
        segments.append(SegmentRow(id=sid, text="De taxi naar de dagbesteding komt vaak te laat en duurt lang.",
                                   source="answer", source_label=f"{group.lower()}, vragenlijst", unit=unit,
                                   codes=["VERVOER"] if i % 2 else [], group=group, neighbourhood=hood))
    # personal data in a coded segment: never quoted
    segments.append(SegmentRow(id=999, text="Mantelzorg is zwaar, mail mij op j.jansen@example.org of bel 06-11223344.",
                               source="document", source_label="deelnemer wijkbijeenkomst Dorp", unit="meeting:1",
                               codes=["MANTELZORG"], neighbourhood="Dorp"))
    return ReportInput(
        title="Test", slug="test", organisation="Gemeente Test", starts_on=date(2019, 5, 1), ends_on=date(2019, 6, 1),
        introduction="Inleiding.", background="Aanleiding.",
        meetings=[MeetingInfo(title="Bijeenkomst Dorp", type_label="Wijkbijeenkomst", held_on=date(2019, 5, 2),
                              neighbourhood="Dorp", attendance={"Inwoner": 12, "Mantelzorger": 3})],
        respondents=respondents, segments=segments,
        codes=[CodeInfo("MANTELZORG", "Mantelzorg"), CodeInfo("VERVOER", "Vervoer"), CodeInfo("LEEG", "Leeg")],
        advice=[AdviceInfo(advisory_body="Adviesraad", subject="Wmo", received_on=date(2019, 7, 1), requested=True,
                           points=[AdvicePointInfo("1", "Doe iets aan vervoer.", stance="overgenomen",
                                                   paragraphs=[ParagraphInfo("R1", "Wij nemen dit over.")]),
                                   AdvicePointInfo("2", "Kijk naar mantelzorg.")])],
        group_order=groups, neighbourhood_order=hoods)


def test_report_model_counts_quotes_and_protection():
    report = build_report(small_input(), lemmatiser=simple_lemmatiser, with_charts=False)
    themes = {t.key: t for t in report.themes}
    assert list(themes) == ["VERVOER", "MANTELZORG"]  # by weight; unused codes get no section
    m = themes["MANTELZORG"]
    assert m.n_segments == 20 + 4 + 1 and m.n_respondents == 24 and m.n_meetings == 1
    assert themes["VERVOER"].n_segments == 30
    # quotes: no personal data, and the segment with an address is never used
    for t in report.themes:
        assert 1 <= len(t.quotes) <= 4
        for q in t.quotes:
            assert not contains_personal_data(q.text) and "jansen" not in q.text.lower()
        assert not contains_personal_data(t.summary)
    # small groups: no count of 1..4 anywhere in a breakdown
    for t in report.themes:
        for table in (t.by_neighbourhood, t.by_group):
            for row in table.rows:
                for cell in row[1:3]:
                    assert cell not in {"1", "2", "3", "4"}
    attendance = [t for t in report.approach_tables if t.caption.startswith("Aanwezigen")][0]
    assert ["Mantelzorger", "minder dan 5"] in attendance.rows
    # what divides opinion: mantelzorgers name MANTELZORG far more often
    assert any(d.theme == "Mantelzorg" and d.group == "Mantelzorger" and d.direction == "vaker"
               for d in report.divides)
    assert report.advice[0].unanswered[0].label == "2"
    assert report.agreement == ["Overeenstemming tussen codeurs: niet beschikbaar."]


def test_every_format_says_the_same():
    report = build_report(small_input(), lemmatiser=simple_lemmatiser, with_charts=True)
    html = render_html(report)
    md = render_markdown(report)
    import io

    from docx import Document

    docx = Document(io.BytesIO(render_docx(report)))
    docx_text = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
        c.text for t in docx.tables for r in t.rows for c in r.cells)
    for text in (html, md, docx_text):
        for needle in ("Wat is opgehaald", "Mantelzorg", "Vervoer", "minder dan 5", "Niet beantwoord",
                       "Waar verschillen de meningen", "Codeboek", "Werkwijze", "niet beschikbaar"):
            assert needle.lower() in text.lower(), needle
        assert "j.jansen@example.org" not in text and "06-11223344" not in text
    # charts: alt text in HTML, descr in DOCX
    imgs = re.findall(r"<img [^>]*>", html)
    assert len(imgs) == 3 + 2  # overview, two heat maps, two word clouds
    assert all(re.search(r'alt="[^"]{20,}"', i) for i in imgs)
    descrs = [el.get("descr") for el in docx.element.body.iter()
              if el.tag.endswith("}docPr")]
    assert len(descrs) == 5 and all(d and len(d) > 20 for d in descrs)
    assert "<script" not in html.lower()


def test_chart_figures_are_in_an_appendix_in_every_format():
    import io

    from docx import Document

    report = build_report(small_input(), lemmatiser=simple_lemmatiser, with_charts=True)
    captions = [c.table.caption for c in report.overview_charts if c.table is not None]
    assert len(captions) == 3
    html = render_html(report)
    md = render_markdown(report)
    docx = Document(io.BytesIO(render_docx(report)))
    docx_text = "\n".join(p.text for p in docx.paragraphs)
    for text in (html, md, docx_text):
        appendix = text.rindex("D. Cijfers bij de grafieken")
        chapter4 = text[text.rindex("4. Wat is opgehaald"):text.rindex("5. Waar verschillen")]
        for caption in captions:      # the tables are in bijlage D, not between the charts
            assert caption not in chapter4 and text.index(caption, appendix) > appendix, caption
    assert html.count("De cijfers bij deze grafiek staan in bijlage D.") == 3
    assert all(f'id="cijfers-{c.key}"' in html and f'href="#cijfers-{c.key}"' in html for c in report.overview_charts)
    assert '<a href="#cijfers">D. Cijfers bij de grafieken</a>' in html       # in the contents


def test_docx_is_dutch_and_fills_in_its_contents_when_opened():
    import io

    from docx import Document
    from docx.oxml.ns import qn

    data = small_input()
    data.advice[0].reaction_sender, data.advice[0].reaction_sent_on = "het college", date(2019, 8, 1)
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    doc = Document(io.BytesIO(render_docx(report)))
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:val")) == "nl-NL"                              # spelling checked as Dutch
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    assert "python-docx" not in (doc.core_properties.comments or "")
    assert doc.core_properties.created.year >= 2024
    # a theme's spread points to the tables, which are in bijlage D
    assert all("bijlage D" in t.spread for t in report.themes if t.spread)
    # every format says who answered the advice, and when
    said = "Reactie van het college op 1 augustus 2019."
    docx_text = "\n".join(p.text for p in doc.paragraphs)
    html_text = re.sub(r"<[^>]+>", "", render_html(report))
    assert said in docx_text and said in render_markdown(report) and said in html_text


def test_the_meetings_business_is_not_quoted_as_what_participants_said():
    data = small_input()
    for k, text in enumerate(["Afspraak: de gemeente koppelt in juni terug wat met de inbreng is gedaan.",
                              "Actiepunten: de taxi en de dagbesteding bespreken met de vervoerder."]):
        data.segments.append(SegmentRow(id=2000 + k, text=text, source="document", unit="meeting:1",
                                        source_label="deelnemer wijkbijeenkomst Dorp", codes=["VERVOER"],
                                        neighbourhood="Dorp"))
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    vervoer = {t.key: t for t in report.themes}["VERVOER"]
    assert vervoer.n_segments == 32                       # counted as input of the theme ...
    said = [q.text for q in vervoer.quotes] + vervoer.highlights
    assert said and not any(t.startswith(("Afspraak", "Actiepunten")) for t in said)   # ... but not quoted


def test_advice_points_in_full_with_the_response_in_every_format():
    import io

    from docx import Document

    data = small_input()
    long_advice = "Het vervoer moet beter. " + "De bus rijdt niet vaak genoeg in de dorpen. " * 12 + "Slotzin."
    data.advice[0].points = [
        AdvicePointInfo("A1", long_advice, stance="overgenomen", rationale="Wij nemen dit over.",
                        promised_action="Nieuwe busdienst.", owner="Team Vervoer", status="in uitvoering",
                        decision_reference="B&W 21-01-2020",
                        paragraphs=[ParagraphInfo("R1", "Wij nemen dit over.")]),
        AdvicePointInfo("A2", "Kijk naar mantelzorg.", stance="deels overgenomen",
                        rationale="Respijtzorg komt er, een mantelzorgpas niet.", decision_reference="B&W 21-01-2020",
                        paragraphs=[ParagraphInfo("R2", "Wij breiden de respijtzorg uit.")]),
        AdvicePointInfo("A3", "Let op de kosten.")]
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    docx = Document(io.BytesIO(render_docx(report)))
    docx_text = "\n".join(p.text for p in docx.paragraphs)
    import html

    html_text = html.unescape(re.sub(r"<[^>]+>", " ", render_html(report)))
    for text in (html_text, html.unescape(render_markdown(report)), docx_text):
        flat = " ".join(text.split()).replace("**", "").replace(" :", ":")
        assert "Slotzin." in flat and "…" not in flat[flat.index("Advies en reactie"):]   # never cut off
        assert "Punt A1: overgenomen" in flat and "Punt A2: deels overgenomen" in flat
        assert "Reactie (R1)" in flat and "Wij breiden de respijtzorg uit." in flat
        assert flat.count("Besluit over de reactie: B&W 21-01-2020") == 1        # said once, not per point
        assert "besluit: B&" not in flat
        assert "Toelichting: Respijtzorg komt er, een mantelzorgpas niet." in flat
        assert "Toelichting: Wij nemen dit over." not in flat       # the response already says it
        assert "Actie: Nieuwe busdienst; eigenaar: Team Vervoer; status: in uitvoering." in flat
        assert "Niet beantwoord" in flat


def test_reader_text_not_coder_instructions_in_every_format():
    """A theme opens with its reader-facing text; the coder instructions (description and
    gloss) never appear. Without a reader text the label stands alone."""
    import io

    from docx import Document

    data = small_input()
    data.codes = [CodeInfo("MANTELZORG", "Mantelzorg", description="Codeer hier NIET de financiering (FINANCIERING).",
                           gloss="Informal care.", reader_text="Over de zorg die naasten elkaar geven."),
                  CodeInfo("VERVOER", "Vervoer", description="Alleen als het vervoer zelf ter sprake komt.")]
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    themes = {t.key: t for t in report.themes}
    assert themes["MANTELZORG"].description == "Over de zorg die naasten elkaar geven."
    assert themes["VERVOER"].description == ""
    assert report.codebook.headers == ["Code", "Thema", "Omschrijving", "Fragmenten"]
    assert report.codebook.rows[0][2] == "Over de zorg die naasten elkaar geven." and report.codebook.rows[1][2] == ""
    assert build_report(small_input(), lemmatiser=simple_lemmatiser, with_charts=False).codebook.headers == [
        "Code", "Thema", "Fragmenten"]
    docx = Document(io.BytesIO(render_docx(report)))
    docx_text = "\n".join(p.text for p in docx.paragraphs) + "\n".join(
        c.text for t in docx.tables for r in t.rows for c in r.cells)
    for text in (render_html(report), render_markdown(report), docx_text):
        assert "Over de zorg die naasten elkaar geven." in text
        for instruction in ("FINANCIERING", "Informal care", "Alleen als het vervoer zelf"):
            assert instruction not in text


def test_concept_notice_while_suggestions_are_unreviewed_and_the_samenvatting():
    data = small_input()
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    assert report.notice == "" and "Alle voorstellen van de computer zijn beoordeeld." in report.approach[-1]
    data.segments[0].open_suggestions = 2
    data.segments[-1].open_suggestions = 1
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    assert report.notice.startswith("Concept.") and "3 voorstellen bij 2 fragmenten" in report.notice
    assert "(1 uit verslagen van bijeenkomsten, 1 uit de vragenlijst)" in report.approach[-1]
    # samenvatting: who took part, the main themes with one sentence each, advice and decisions
    assert report.summary[0].startswith("Van 1 mei 2019 tot en met 1 juni 2019 haalde de gemeente Test op")
    assert "15 mensen kwamen naar 1 bijeenkomst" in report.summary[0]
    assert "60 mensen vulden de vragenlijst in (60 online)" in report.summary[0]
    assert [label for label, _ in report.summary_themes] == ["Vervoer", "Mantelzorg"]
    mantelzorg = dict(report.summary_themes)["Mantelzorg"]
    assert mantelzorg.startswith("Genoemd in 1 ander verslag en door 24 deelnemers aan de vragenlijst.")
    state = " ".join(report.summary_state)
    assert "Adviesraad gaf gevraagd advies op 1 juli 2019 met 2 punten." in state
    assert "De reactie beantwoordt er 1 (1 overgenomen). 1 punt is nog niet beantwoord." in state
    assert "Er is nog geen besluit genomen." in state
    # a point answered only by the letter's blanket sentence says so
    data.advice[0].general = [ParagraphInfo(label="R9", text="Uw adviezen nemen wij serieus.", confirmed=False)]
    state = " ".join(build_report(data, lemmatiser=simple_lemmatiser, with_charts=False).summary_state)
    assert "1 punt kreeg alleen een algemeen antwoord, geen specifiek antwoord." in state
    data.advice[0].general = []
    for text in (render_html(report), render_markdown(report)):
        assert "Samenvatting" in text and "Concept. Nog niet alle voorstellen" in text
    # what divides opinion, in words, in the theme's summary
    assert "vaker genoemd door deelnemers uit de groep ‘Mantelzorger’" in {t.key: t for t in report.themes}["MANTELZORG"].summary


def test_samenvatting_names_principles_and_scenarios_with_pros_and_cons():
    """As § 4 and § 5 of the Deventer verkenning: each uitgangspunt and scenario with its
    first sentence and its voordelen and nadelen, in every format."""
    import io

    from docx import Document

    from exports.model import FindingInfo
    from exports.render import render_docx

    data = small_input()
    data.findings += [
        FindingInfo(kind="principle", title="Leefwereld gericht werken",
                    statement="Ondersteuning wordt in hoofdzaak in de eigen leefomgeving aangeboden. Zeker de "
                              "basisvoorzieningen.", codes=["VERVOER"],
                    advantages=["Mensen bouwen een netwerk op in de wijk", "Minder reistijd"],
                    disadvantages=["Niet elke wijk heeft een buurthuis"]),
        FindingInfo(kind="scenario", title="Scenario 2: huidige werkwijze met pilots",
                    statement="De huidige werkwijze blijft, met nieuwe uitgangspunten en pilots.",
                    advantages=["Weinig onrust voor cliënten"], disadvantages=[]),
    ]
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    [principle] = report.summary_principles
    assert principle.title == "Leefwereld gericht werken"
    assert principle.sentence == "Ondersteuning wordt in hoofdzaak in de eigen leefomgeving aangeboden."
    assert principle.disadvantages == ["Niet elke wijk heeft een buurthuis"]
    [scenario] = report.summary_scenarios
    assert scenario.advantages == ["Weinig onrust voor cliënten"] and scenario.disadvantages == []

    doc = Document(io.BytesIO(render_docx(report)))
    paragraphs = [(p.style.name, p.text) for p in doc.paragraphs]
    start = paragraphs.index(("Heading 1", "Samenvatting"))
    end = next(i for i, (style, _) in enumerate(paragraphs) if style == "Heading 1" and i > start)
    summary = paragraphs[start:end]
    assert ("Heading 3", "Uitgangspunten") in summary and ("Heading 3", "Scenario's") in summary
    assert ("List Bullet", "Leefwereld gericht werken. Ondersteuning wordt in hoofdzaak in de eigen "
                           "leefomgeving aangeboden.") in summary
    assert ("List Bullet 2", "Voordelen: Mensen bouwen een netwerk op in de wijk; Minder reistijd.") in summary
    assert ("List Bullet 2", "Nadelen: Niet elke wijk heeft een buurthuis.") in summary
    assert ("List Bullet", "Scenario 2: huidige werkwijze met pilots. De huidige werkwijze blijft, met nieuwe "
                           "uitgangspunten en pilots.") in summary
    assert not any(text.startswith("Nadelen") for style, text in summary[summary.index(
        ("Heading 3", "Scenario's")):])
    for text in (" ".join(render_html(report).split()), render_markdown(report)):
        start = text.index('id="samenvatting"') if "<section" in text else text.index("Samenvatting")
        summary_part = text[start:text.index("1. Inleiding", start)]      # (the contents name it too)
        assert "Uitgangspunten" in summary_part and "Scenario" in summary_part
        assert "Voordelen: Mensen bouwen een netwerk op in de wijk; Minder reistijd." in summary_part
        assert "Nadelen: Niet elke wijk heeft een buurthuis." in summary_part
        # chapter 6 gives the principles a heading of their own, after the findings
        chapter = text[text.rindex("6. Bevindingen"):text.rindex("7. Advies")]   # not the contents
        assert "Uitgangspunten" in chapter and chapter.index("Uitgangspunten") < chapter.index("Leefwereld gericht")


def test_docx_uses_word_built_in_styles_only():
    """A policy writer restyles the document by changing Word's built-in styles: every
    paragraph, run and table has one, and nothing is formatted directly."""
    import io

    from docx import Document

    from exports.model import FindingInfo

    data = small_input()
    data.segments[0].open_suggestions = 1   # the concept notice
    data.codes[0].reader_text = "Over de zorg die naasten elkaar geven."
    data.findings.append(FindingInfo(kind="scenario", title="Scenario 1", statement="Zo doorgaan.",
                                     advantages=["Rust"], disadvantages=["Geen verbetering"]))
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=True)
    doc = Document(io.BytesIO(render_docx(report)))
    paragraph_styles = {"Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "TOC Heading",
                        "List Bullet", "List Bullet 2", "Caption", "Quote", "Intense Quote"}
    paragraphs = list(doc.paragraphs) + [p for t in doc.tables for row in t.rows for c in row.cells
                                         for p in c.paragraphs]
    used = {p.style.name for p in paragraphs}
    assert used <= paragraph_styles, used - paragraph_styles
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Caption", "Quote",
            "Intense Quote"} <= used
    runs = [r for p in paragraphs for r in p.runs]
    assert all(r.bold is None and r.italic is None and r.font.size is None and r.font.name is None
               for r in runs)
    char_styles = {r.style.name for r in runs if r.style is not None}
    assert {"Strong", "Emphasis", "Subtle Emphasis"} <= char_styles
    assert char_styles <= {"Default Paragraph Font", "Strong", "Emphasis", "Subtle Emphasis"}
    assert doc.tables and all(t.style.name == "Table Grid" for t in doc.tables)
    # the header row: Strong, the notice: Intense Quote
    assert all(r.style.name == "Strong" for t in doc.tables for c in t.rows[0].cells for p in c.paragraphs
               for r in p.runs)
    assert next(p for p in doc.paragraphs if p.text.startswith("Concept.")).style.name == "Intense Quote"
    assert doc.core_properties.title == data.title and doc.core_properties.author == data.organisation


def test_lemma_store_keeps_lemmas_between_reports(tmp_path):
    """A second report of the same texts parses nothing: the lemmas come from the store;
    a changed text, or another pipeline, is parsed again."""
    from exports.text import LemmaStore

    calls: list[int] = []

    def counting(texts):
        calls.append(len(texts))
        return simple_lemmatiser(texts)

    store = LemmaStore(tmp_path / "cache" / "lemmas.sqlite3", pipeline="test-1")
    first = build_report(small_input(), lemmatiser=counting, with_charts=False, lemma_store=store)
    n_texts = len({s.text for s in small_input().segments if s.codes})
    assert calls == [n_texts]
    second = build_report(small_input(), lemmatiser=counting, with_charts=False, lemma_store=store)
    assert calls == [n_texts]    # nothing parsed again
    assert [t.top_words for t in second.themes] == [t.top_words for t in first.themes]
    assert [t.quotes for t in second.themes] == [t.quotes for t in first.themes]
    data = small_input()
    data.segments[0].text = "Een nieuwe tekst over de regiotaxi die te laat kwam."
    build_report(data, lemmatiser=counting, with_charts=False, lemma_store=store)
    assert calls == [n_texts, 1]
    other = LemmaStore(store.path, pipeline="test-2")
    build_report(small_input(), lemmatiser=counting, with_charts=False, lemma_store=other)
    assert calls == [n_texts, 1, n_texts]
    store.clear()
    assert store.get([s.text for s in small_input().segments]) == {}


def test_lemma_store_keeps_only_the_texts_a_report_used(tmp_path):
    """Texts deleted since the last report (a retention purge, say) leave the store."""
    from exports.text import LemmaStore

    store = LemmaStore(tmp_path / "lemmas.sqlite3", pipeline="test")
    data = small_input()
    build_report(data, lemmatiser=simple_lemmatiser, with_charts=False, lemma_store=store)
    texts = {s.text for s in data.segments if s.codes}
    assert set(store.get(sorted(texts))) == texts
    gone = data.segments.pop(0).text
    build_report(data, lemmatiser=simple_lemmatiser, with_charts=False, lemma_store=store)
    still = {s.text for s in data.segments if s.codes}
    assert gone not in still and set(store.get(sorted(texts))) == still


def test_lemma_store_keeps_the_word_clouds_a_report_drew(tmp_path, monkeypatch):
    """A second report of the same texts draws no word cloud: the pictures come from the
    store; a theme whose words changed is drawn again, and pictures no report uses leave."""
    from exports import charts
    from exports.text import LemmaStore

    drawn: list[dict] = []
    real = charts.word_cloud

    def counting(weights):
        drawn.append(weights)
        return real(weights)

    monkeypatch.setattr(charts, "word_cloud", counting)
    store = LemmaStore(tmp_path / "lemmas.sqlite3", pipeline="test")
    first = build_report(small_input(), lemmatiser=simple_lemmatiser, lemma_store=store)
    n_clouds = sum(1 for t in first.themes if t.wordcloud)
    assert n_clouds and len(drawn) == n_clouds
    second = build_report(small_input(), lemmatiser=simple_lemmatiser, lemma_store=store)
    assert len(drawn) == n_clouds    # nothing drawn again
    assert [t.wordcloud.png for t in second.themes if t.wordcloud] == [t.wordcloud.png for t in first.themes
                                                                        if t.wordcloud]
    data = small_input()
    data.segments[0].text = "Een nieuwe tekst over de regiotaxi die te laat kwam."
    build_report(data, lemmatiser=simple_lemmatiser, lemma_store=store)
    assert len(drawn) == n_clouds + 1
    con = store._connect()
    assert con.execute("SELECT count(*) FROM pictures").fetchone()[0] == n_clouds   # the old picture left
    con.close()
