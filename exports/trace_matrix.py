"""The traceability matrix: advice point -> response paragraph -> stance -> action/status,
and input -> segment -> code -> finding -> advice/response. XLSX, DOCX and HTML."""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, select_autoescape

from exports.data import DataTable, write_xlsx

ADVICE_HEADERS = ["Advies", "Punt", "Adviespunt", "Reactie (alinea)", "Tekst reactie", "Koppeling",
                  "Standpunt", "Toelichting", "Toegezegde actie", "Eigenaar", "Uiterlijk", "Status",
                  "Besluit", "Bevindingen"]
#: The "Koppeling" of a point the reaction answered only with a blanket sentence.
GENERAL_ONLY = "algemeen beantwoord, geen specifiek antwoord"
EVIDENCE_HEADERS = ["Inbreng", "Fragment", "Tekst", "Thema", "Bevinding", "Soort", "Adviespunten",
                    "Standpunt op advies", "Besluit"]


@dataclass
class TraceMatrix:
    title: str
    advice_rows: list[list[str]] = field(default_factory=list)
    evidence_rows: list[list[str]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)


def _tables(m: TraceMatrix) -> list[DataTable]:
    return [DataTable("advies", "Advies en reactie", ADVICE_HEADERS, m.advice_rows),
            DataTable("inbreng", "Inbreng tot besluit", EVIDENCE_HEADERS, m.evidence_rows)]


def write_trace_xlsx(m: TraceMatrix, out: Path) -> Path:
    return write_xlsx(_tables(m), out)


_HTML = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Traceerbaarheid – {{ m.title }}</title>
<style>
body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:1rem;line-height:1.4;color:#1b1b1b}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:1rem 0}
th,td{border:1px solid #999;padding:.25rem .4rem;vertical-align:top;text-align:left}
thead th{background:#e8eef3} caption{text-align:left;font-weight:bold}
.unanswered{background:#fff1e0}
</style></head><body>
<h1>Traceerbaarheid: {{ m.title }}</h1>
<p>Van adviespunt naar reactie, standpunt en actie; en van inbreng via fragment en thema naar bevinding,
advies en besluit.</p>
{% if m.unanswered %}<p><strong>Adviespunten zonder antwoord:</strong> {{ m.unanswered|join(', ') }}</p>{% endif %}
{% for caption, headers, rows in tables %}
<table><caption>{{ caption }}</caption>
<thead><tr>{% for h in headers %}<th scope="col">{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr{% if row[5] in ('geen antwoord', general_only) %} class="unanswered"{% endif %}>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
{% endfor %}
</body></html>
"""


def render_trace_html(m: TraceMatrix) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(_HTML).render(m=m, general_only=GENERAL_ONLY, tables=[
        ("Advies en reactie", ADVICE_HEADERS, m.advice_rows),
        ("Van inbreng tot besluit", EVIDENCE_HEADERS, m.evidence_rows)])


def render_trace_docx(m: TraceMatrix) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(8)
    doc.add_heading(f"Traceerbaarheid: {m.title}", 0)
    if m.unanswered:
        doc.add_paragraph("Adviespunten zonder antwoord: " + ", ".join(m.unanswered))
    for caption, headers, rows in (("Advies en reactie", ADVICE_HEADERS, m.advice_rows),
                                   ("Van inbreng tot besluit", EVIDENCE_HEADERS, m.evidence_rows)):
        doc.add_heading(caption, 1)
        t = doc.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, h in zip(t.rows[0].cells, headers):
            cell.text = h
            cell.paragraphs[0].runs[0].bold = True
        for row in rows:
            for cell, v in zip(t.add_row().cells, row):
                cell.text = str(v)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_trace(m: TraceMatrix, fmt: str, out: Path) -> Path:
    out = Path(out)
    if fmt == "xlsx":
        return write_trace_xlsx(m, out)
    if fmt == "docx":
        out.write_bytes(render_trace_docx(m))
    elif fmt == "html":
        out.write_text(render_trace_html(m), encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r} (use xlsx, docx or html)")
    return out
