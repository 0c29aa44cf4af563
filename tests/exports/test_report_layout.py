"""Page layout of the demo's verkenning report: the PDF measured with pdfplumber (page size,
text inside the page, nearly empty pages, captions with what they caption, dates on one
line) and the DOCX's page setup. The PDF is rendered once for the module (it is slow)."""
from __future__ import annotations

import io
import re

import pytest

from consult.demo import DEMO_SLUG
from consult.reporting import get_consultation, report_input
from exports.model import Table
from exports.render import DATE, MAX_VALUE_COLUMNS, render_docx, render_html, render_pdf, split_wide
from exports.report import build_report

pdfplumber = pytest.importorskip("pdfplumber")

A4 = (595.28, 841.89)  # points
CM = 72 / 2.54
MARGIN_X, MARGIN_Y = 1.8 * CM, 2.0 * CM  # report.css @page
NEARLY_EMPTY = 0.15  # share of the text area's height in use


@pytest.fixture(scope="module")
def demo(demo_app):
    if not demo_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the layout does not depend on the database; measured once on SQLite")
    s = demo_app.extensions["consult.sessions"]()
    try:
        data = report_input(s, get_consultation(s, DEMO_SLUG))
    finally:
        s.close()
    report = build_report(data)  # with charts and word clouds, as printed
    pdf = pdfplumber.open(io.BytesIO(render_pdf(report)))
    yield report, pdf
    pdf.close()


def _used(page) -> float:
    """The share of the text area's height between the first and last thing on the page
    (text, pictures, table borders), the page number in the bottom margin left out."""
    top, bottom = MARGIN_Y, page.height - MARGIN_Y
    objs = [o for o in list(page.chars) + list(page.images) + list(page.rects) if o["top"] < bottom]
    if not objs:
        return 0.0
    return (min(bottom, max(o["bottom"] for o in objs)) - max(top, min(o["top"] for o in objs))) / (bottom - top)


def _lines(page) -> list[str]:
    lines = (page.extract_text() or "").splitlines()
    if lines and lines[-1].strip().isdigit():  # the page number
        lines = lines[:-1]
    return [" ".join(line.split()) for line in lines]


def _captions(report) -> set[str]:
    tables = list(report.approach_tables) + [report.codebook]
    tables += [c.table for c in report.overview_charts if c.table is not None]
    # (the per-theme breakdowns are one sentence in the theme section, ThemeSection.spread;
    # their figures are in the tables under the heat maps)
    if report.agreement_table:
        tables.append(report.agreement_table)
    return {part.caption for t in tables for part in split_wide(t)}


def test_pdf_is_a4_and_no_text_outside_the_text_area(demo):
    report, pdf = demo
    # 66 before tables stopped forcing page breaks (55 then); the samenvatting and two
    # themes that only meetings raise add a few; padding is caught by the nearly-empty test
    assert len(pdf.pages) < 66
    for number, page in enumerate(pdf.pages, 1):
        assert (round(page.width, 1), round(page.height, 1)) == pytest.approx(A4, abs=0.5), number
        outside_page = [c["text"] for c in page.chars
                        if c["x0"] < 0 or c["x1"] > page.width or c["top"] < 0 or c["bottom"] > page.height]
        assert not outside_page, (number, "".join(outside_page))
        # nothing runs into the left or right margin either (tables used to run off the right edge)
        in_margin = [c["text"] for c in page.chars if c["x0"] < MARGIN_X - 1 or c["x1"] > page.width - MARGIN_X + 1]
        assert not in_margin, (number, "".join(in_margin))


def test_at_most_two_pages_nearly_empty(demo):
    _, pdf = demo
    empty = [(n, round(_used(p), 2)) for n, p in enumerate(pdf.pages, 1) if _used(p) < NEARLY_EMPTY]
    assert len(empty) <= 2, empty


def test_captions_stay_with_their_tables_and_figures(demo):
    report, pdf = demo
    captions = _captions(report)
    titles = {c.title for c in report.overview_charts} | {t.wordcloud.title for t in report.themes if t.wordcloud}
    seen_captions, seen_titles = set(), set()
    for number, page in enumerate(pdf.pages, 1):
        lines = _lines(page)
        for i, line in enumerate(lines):
            if line in captions:
                seen_captions.add(line)
                # a table caption is followed on the same page by the table's header row
                assert i + 1 < len(lines), (number, f"caption {line!r} ends the page")
            if line in titles:
                seen_titles.add(line)
                # a figure caption sits under its picture on the same page
                words = page.search(line[:40])
                assert words and any(img["bottom"] <= words[0]["top"] + 1 for img in page.images), (number, line)
    assert captions - seen_captions == set(), "table captions not found on one line"
    assert seen_titles == titles


def test_tables_do_not_force_a_page_break(demo):
    """A page that is less than half full is never followed by a page that opens with a table
    (a table breaks between rows rather than moving whole to the next page)."""
    report, pdf = demo
    captions = _captions(report)
    pages = list(pdf.pages)
    pushed = [n for n, (page, nxt) in enumerate(zip(pages, pages[1:]), 1)
              if _used(page) < 0.5 and (_lines(nxt) or [""])[0] in captions]
    assert pushed == []


def test_dates_never_wrap(demo):
    report, pdf = demo
    meetings = next(t for t in report.approach_tables if t.caption == "Bijeenkomsten")
    dates = {DATE.search(row[2]).group() for row in meetings.rows if DATE.search(row[2] or "")}
    assert len(dates) >= 5
    text = "\n".join(" ".join(line.split()) for p in pdf.pages for line in (p.extract_text() or "").splitlines())
    for d in dates:
        assert d in text, d  # on one line: a wrapped date has a line break inside


def test_table_of_contents_has_two_levels(demo):
    report, pdf = demo
    toc = " ".join(_lines(pdf.pages[1]) + _lines(pdf.pages[0]))
    for i, t in enumerate(report.themes[:3], 1):
        assert re.search(rf"4\.{i} {re.escape(t.label[:25])}", toc), t.label
    assert "A. Codeboek" in toc
    # the contents number the chapters as their headings do (the summary has no number)
    for n, title in enumerate(["Inleiding", "Aanleiding", "Aanpak", "Wat is opgehaald"], 1):
        assert f"{n}. {title}" in toc, title
    assert "1. Samenvatting" not in toc and "2. Inleiding" not in toc and ". Bijlagen" not in toc


def test_docx_is_a4_with_page_numbers_contents_and_repeating_headers(demo):
    from docx import Document
    from docx.oxml.ns import qn

    report, _ = demo
    doc = Document(io.BytesIO(render_docx(report)))
    for section in doc.sections:
        assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
        assert round(section.left_margin.cm, 1) == round(section.right_margin.cm, 1) == 1.8
        assert round(section.top_margin.cm, 1) == round(section.bottom_margin.cm, 1) == 2.0
        footer_fields = [i.text for i in section.footer._element.iter(qn("w:instrText"))]
        assert any(f.strip() == "PAGE" for f in footer_fields)
    fields = [i.text for i in doc.element.body.iter(qn("w:instrText"))]
    assert any(f.strip().startswith("TOC") for f in fields)
    assert doc.core_properties.author == report.organisation
    assert doc.core_properties.title == report.title
    assert doc.tables
    for table in doc.tables:
        assert len(table.columns) <= MAX_VALUE_COLUMNS + 1
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
    # captions stay with the table or picture that follows them; pictures with their caption
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions
    pictures = [p for p in doc.paragraphs if p._p.findall(".//" + qn("w:drawing"))]
    assert len(pictures) == len(report.overview_charts) + sum(1 for t in report.themes if t.wordcloud)
    assert all(p.paragraph_format.keep_with_next for p in pictures)
    table_captions = _captions(report)
    assert all(p.paragraph_format.keep_with_next for p in captions if p.text in table_captions)
    # dates in table cells do not break: non-breaking spaces
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any(re.fullmatch(r"\d{1,2}\u00a0\w+\u00a0\d{4}", c) for c in cells)


def test_wide_tables_are_split_evenly_keeping_the_first_column():
    table = Table(caption="Per wijk", headers=["Thema"] + [f"Wijk {i}" for i in range(12)],
                  rows=[[f"thema {r}"] + [f"{r * i}%" for i in range(12)] for r in range(3)])
    parts = split_wide(table)
    assert [len(p.headers) for p in parts] == [5, 5, 5]
    assert [p.caption for p in parts] == [f"Per wijk (deel {k} van 3)" for k in (1, 2, 3)]
    assert all(p.headers[0] == "Thema" and [r[0] for r in p.rows] == ["thema 0", "thema 1", "thema 2"]
               for p in parts)
    assert [h for p in parts for h in p.headers[1:]] == table.headers[1:]
    assert [c for r in range(3) for p in parts for c in p.rows[r][1:]] == [c for row in table.rows for c in row[1:]]
    narrow = Table(caption="Smal", headers=["a", "b"], rows=[["1", "2"]])
    assert split_wide(narrow) == [narrow]


def test_dates_in_html_are_kept_on_one_line(demo):
    report, _ = demo
    html = render_html(report, print_css=True)
    assert re.search(r'<span class="date">\d{1,2} \w+ \d{4}</span>', html)
    assert ".date { white-space: nowrap; }" in html
