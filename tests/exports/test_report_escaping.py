"""Text from users and documents cannot inject HTML or links into a report (issue 11, item 10)."""
from __future__ import annotations

import dataclasses
import io
import re

import pytest

from exports.render import md_text, render_docx, render_html, render_markdown
from exports.report import build_report
from exports.text import simple_lemmatiser
from tests.exports.test_report_model import small_input

TITLE = "<script>alert(1)</script>"
QUOTE = "De taxi komt te laat <img src=x onerror=alert(1)> en duurt lang."
ADVICE = "Doe iets aan vervoer: [klik](javascript:alert(1)) of ![x](javascript:alert(2))."


def hostile_report():
    data = small_input()
    data.title = "Wmo " + TITLE
    data.meetings[0] = dataclasses.replace(data.meetings[0], title=TITLE)
    data.segments = [dataclasses.replace(s, text=QUOTE) if "taxi" in s.text else s for s in data.segments]
    data.advice[0].points[0] = dataclasses.replace(data.advice[0].points[0], text=ADVICE)
    data.advice[0].points[1] = dataclasses.replace(data.advice[0].points[1],
                                                   text="Kijk naar mantelzorg.\n# Kop\n[x]: javascript:alert(3)")
    report = build_report(data, lemmatiser=simple_lemmatiser, with_charts=False)
    # the hostile texts reach the report model: title, meeting table, quotes, advice
    assert any(TITLE in row for t in report.approach_tables for row in t.rows)
    assert any(q.text == QUOTE for t in report.themes for q in t.quotes)
    return report


def test_markdown_report_escapes_html_and_links():
    md = render_markdown(hostile_report())
    for active in ("<script", "<img", "\n# Kop", "\n[x]:"):
        assert active not in md, active
    assert not re.search(r"(?<!\\)[\[\]]", md.split("## 7.")[1].split("## Bijlagen")[0])  # unescaped [ ]
    assert "# Wmo &lt;script&gt;alert(1)&lt;/script&gt;\n" in md
    assert "| &lt;script&gt;alert(1)&lt;/script&gt; |" in md                  # the meeting table
    assert "> De taxi komt te laat &lt;img src=x onerror=alert(1)&gt; en duurt lang." in md
    assert r"Doe iets aan vervoer: \[klik\](javascript:alert(1)) of !\[x\](javascript:alert(2))." in md
    # ordinary Dutch text reads as it was written
    assert "Wij nemen dit over." in md and "Mantelzorg" in md and "\\," not in md and "\\." not in md


def test_markdown_report_parsed_has_no_html_or_links():
    markdown_it = pytest.importorskip("markdown_it")
    md = render_markdown(hostile_report())
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(md)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & {"html_block", "html_inline", "link_open", "image"}
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    assert "<script" not in html and "<img" not in html and "href" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html          # shown, not run
    assert "[klik](javascript:alert(1))" in html
    assert "<h1>Kop</h1>" not in html and "<h1>Wmo &lt;script&gt;" in html


def test_html_report_escapes_the_same_fields():
    html = render_html(hostile_report())
    assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "[klik](javascript:alert(1))" in html


def test_docx_report_keeps_the_text_literal():
    from docx import Document

    doc = Document(io.BytesIO(render_docx(hostile_report())))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert TITLE in text and QUOTE in text and "[klik](javascript:alert(1))" in text
    assert not any(el.tag.endswith("}hyperlink") for el in doc.element.body.iter())


def test_md_text_escapes_little_in_ordinary_text():
    plain = 'Zij zei: "Het is 3,5 keer zo duur!" (50%); de wijk-teams; e-mail@wijk.nl? 2019.'
    assert md_text(plain) == plain
    assert md_text("A & B < C") == "A &amp; B &lt; C"
    assert md_text("# kop\n- punt\n1. een\n12) twee\n---\n| a |", inline=False) == \
        "\\# kop\n\\- punt\n1\\. een\n12\\) twee\n\\---\n\\| a |"
    assert md_text("regel een\nregel twee") == "regel een regel twee"
    # a backslash in the text cannot undo an escape, and code spans do not start
    assert md_text(r"\[x](y) `z`") == r"\\\[x\](y) \`z\`"
    assert not re.search(r"(?<!\\)\[", md_text("[a] [b](c) ![d](e)"))


def test_markdown_captions_end_in_one_stop(tmp_path):
    """A chart title that is a question gets no extra full stop ("… aan de orde?." before)."""
    report = build_report(small_input(), lemmatiser=simple_lemmatiser)
    assert any(c.title.endswith("?") for c in report.overview_charts)
    md = render_markdown(report, assets_dir=tmp_path / "bestanden")
    assert "?.*" not in md and "*Hoe vaak kwam elk thema aan de orde?*" in md
