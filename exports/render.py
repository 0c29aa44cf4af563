"""Render a :class:`~exports.model.Report` as HTML, PDF, Markdown or DOCX.

All four read the same report model, so they say the same. No Flask.
"""
from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from exports.model import AdviceInfo, Chart, Report, SummaryChoice, Table, pct, protect
from exports.report import MONTHS, dutch_date

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("docx", "pdf", "html", "md")
#: At most this many columns next to the first one fit an A4 portrait page; wider tables
#: (themes by neighbourhood or group) are split into parts that repeat the first column.
MAX_VALUE_COLUMNS = 5
#: Tables with at most this many rows are kept on one page (longer ones may break between rows).
SHORT_TABLE_ROWS = 15
DATE = re.compile(r"\b\d{1,2} (?:" + "|".join(MONTHS) + r") \d{4}\b")


def split_wide(t: Table, max_values: int = MAX_VALUE_COLUMNS) -> list[Table]:
    """``t`` as parts of at most ``max_values`` columns besides the first, spread evenly."""
    n_values = len(t.headers) - 1
    if n_values <= max_values:
        return [t]
    n_parts = -(-n_values // max_values)
    per = -(-n_values // n_parts)
    parts = []
    for k, start in enumerate(range(1, n_values + 1, per), 1):
        cols = [0] + list(range(start, min(start + per, n_values + 1)))
        parts.append(Table(caption=f"{t.caption} (deel {k} van {n_parts})",
                           headers=[t.headers[i] for i in cols],
                           rows=[[row[i] for i in cols] for row in t.rows]))
    return parts


def summary_choices(report: Report) -> list[tuple[str, list[SummaryChoice]]]:
    """The samenvatting's uitgangspunten and scenario's, as (heading, items), the empty left out."""
    return [(title, items) for title, items in (("Uitgangspunten", report.summary_principles),
                                                ("Scenario's", report.summary_scenarios)) if items]


@dataclass(frozen=True)
class PointView:
    """An advice point as every format shows it: a heading with the stance, the full
    advice, the full response paragraphs, a rationale that is not already the response's
    text, and the follow-up (action, owner, date, status; the decision when the points do
    not share one)."""
    heading: str
    text: str
    responses: list[tuple[str, str]]
    rationale: str
    follow_up: str


def advice_views(a: AdviceInfo) -> tuple[str, list[PointView]]:
    """The decision all of ``a``'s points share ("" if none or several), and the points."""
    decisions = list(dict.fromkeys(p.decision_reference for p in a.points if p.decision_reference))
    shared = decisions[0] if len(decisions) == 1 else ""
    views = []
    for p in a.points:
        said = " ".join(" ".join(x.text for x in p.paragraphs).split())
        parts = [p.promised_action.rstrip(".;, ") and f"Actie: {p.promised_action.rstrip('.;, ')}",
                 p.owner and f"eigenaar: {p.owner}", p.due_on and f"uiterlijk {dutch_date(p.due_on)}",
                 p.status and f"status: {p.status}",
                 not shared and p.decision_reference and f"besluit: {p.decision_reference}"]
        follow = "; ".join(x for x in parts if x)
        views.append(PointView(
            heading=f"Punt {p.label}" + (f": {p.stance.lower()}" if p.stance else ""), text=p.text,
            responses=[(x.label, x.text) for x in p.paragraphs],
            rationale=p.rationale.strip() if p.rationale.strip() and " ".join(p.rationale.split()) not in said
            else "",
            follow_up=(follow[0].upper() + follow[1:] + ".") if follow else ""))
    return shared, views


def _advice_intro(a: AdviceInfo) -> str:
    """"Gevraagd advies, ontvangen 6 januari 2020. Reactie van het college op 10 januari 2020.
    11 adviespunten; 2 zonder antwoord in de reactie." (as the HTML template says it)."""
    text = (("Gevraagd" if a.requested else "Ongevraagd") + " advies"
            + (f", ontvangen {dutch_date(a.received_on)}" if a.received_on else "") + ".")
    if a.reaction_sender:
        text += f" Reactie van {a.reaction_sender}" + (
            f" op {dutch_date(a.reaction_sent_on)}" if a.reaction_sent_on else "") + "."
    return text + f" {len(a.points)} adviespunten; {len(a.unanswered)} zonder antwoord in de reactie."


def finding_groups(report: Report) -> list[tuple[str, list]]:
    """Chapter 6's parts, the empty left out: the findings, the principles (uitgangspunten)
    drawn from them, and the scenarios."""
    findings = [f for f in report.findings if f.kind != "uitgangspunt"]
    principles = [f for f in report.findings if f.kind == "uitgangspunt"]
    return [(title, group) for title, group in (("Bevindingen", findings), ("Uitgangspunten", principles),
                                                ("Scenario's", report.scenarios)) if group]


def _themes_label(themes: list[str]) -> str:
    return "Thema" if len(themes) == 1 else "Thema's"


def pros_and_cons(c: SummaryChoice) -> list[str]:
    """"Voordelen: a; b." and "Nadelen: c." (those it has)."""
    return [f"{label}: {'; '.join(x.rstrip('.;') for x in items)}."
            for label, items in (("Voordelen", c.advantages), ("Nadelen", c.disadvantages)) if items]


def _titled(title: str) -> str:
    """A title in running text, ending in a full stop."""
    return title if title.endswith((".", "?", "!", ":")) else title + "."


def _nowrap_dates(text) -> Markup:
    """Escaped ``text`` where dates ("10 september 2019") do not break across lines."""
    out, last = [], 0
    text = str(text or "")
    for m in DATE.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(Markup('<span class="date">') + escape(m.group()) + Markup("</span>"))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(table=_html_table, chart=_html_chart, paras=_html_paras, protect=protect,
                       pct=pct, date=lambda d: _nowrap_dates(dutch_date(d)), nowrap_dates=_nowrap_dates,
                       summary_choices=summary_choices, pros_and_cons=pros_and_cons, titled=_titled,
                       advice_views=advice_views, finding_groups=finding_groups,
                       themes_label=_themes_label,
                       chart_tables=chart_tables, advice_intro=_advice_intro)
    return env


def _html_paras(text: str) -> Markup:
    parts = [p.strip() for p in (text or "").split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{escape(p)}</p>" for p in parts) or "<p>–</p>")


def _html_table(t: Table) -> Markup:
    return Markup("").join(_html_one_table(part) for part in split_wide(t))


def _html_one_table(t: Table) -> Markup:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in t.headers)
    body = "".join("<tr>" + "".join(
        (f'<th scope="row">{_nowrap_dates(c)}</th>' if i == 0 else f"<td>{_nowrap_dates(c)}</td>")
        for i, c in enumerate(row)) + "</tr>" for row in t.rows)
    classes = ["short"] if len(t.rows) <= SHORT_TABLE_ROWS else []
    if len(t.headers) >= 4 and all(len(c) <= 9 for row in t.rows for c in row[1:]):
        classes.append("matrix")  # a label column and short figures: the figures share the width evenly
    cls = f' class="{" ".join(classes)}"' if classes else ""
    return Markup(f"<table{cls}><caption>{escape(t.caption)}</caption><thead><tr>{head}</tr></thead>"
                  f"<tbody>{body}</tbody></table>")


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _html_chart(c: Chart) -> Markup:
    figures = ""
    if c.table is not None:     # the table itself is in bijlage D (see chart_tables)
        figures = (f'<p class="chart-data"><a href="#cijfers-{escape(c.key)}">De cijfers bij deze grafiek staan '
                   f"in bijlage D.</a></p>")
    return Markup(f'<figure class="chart" id="grafiek-{escape(c.key)}"><img src="{_data_uri(c.png)}" '
                  f'alt="{escape(c.alt)}"><figcaption>{escape(c.title)}</figcaption></figure>{figures}')


def chart_tables(report: Report) -> list[tuple[str, Table]]:
    """Bijlage D: the tables of figures behind the overview charts (chart key, table), kept
    out of chapter 4 so that it opens with the charts and the themes, not pages of tables."""
    return [(c.key, c.table) for c in report.overview_charts if c.table is not None]


def render_html(report: Report, *, print_css: bool = False) -> str:
    """A self-contained HTML file (styles and images inline)."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _env().get_template("report.html.j2").render(r=report, css=Markup(css), print_css=print_css)


def render_pdf(report: Report) -> bytes:
    import gc

    from weasyprint import HTML

    html = render_html(report, print_css=True)
    document = HTML(string=html, base_url=str(TEMPLATES))
    # WeasyPrint makes hundreds of thousands of short-lived objects (boxes, styles); with the
    # default thresholds the cyclic garbage collector runs thousands of times over them.
    # Rarer collections: about 10% less CPU for the demo's PDF, 3 MB more at the peak.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:  # tagged PDF (PDF/UA-1): headings, tables and image alt texts for screen readers
        return document.write_pdf(pdf_variant="pdf/ua-1")
    except (TypeError, ValueError):  # pragma: no cover - older WeasyPrint
        return document.write_pdf()
    finally:
        gc.set_threshold(*thresholds)


# ----------------------------------------------------------------------------- Markdown

# Text from users and documents (titles, quotes, advice, labels) is escaped as below. The
# characters not listed cannot turn text into links or HTML, and escaping all punctuation
# would fill the raw file with backslashes.
#  * ``&``, ``<``, ``>`` become entities (the standard library's ``html.escape``): no raw
#    HTML (``<script>``, ``<img onerror=...>``), no autolinks (``<javascript:...>``), no
#    entity tricks, no block quotes;
#  * ``\``, ``[``, ``]`` and the backtick get a backslash: no links, images or reference
#    definitions (``[klik](javascript:...)``, ``![x](...)``, ``[x]: ...``), no code spans,
#    and a backslash in the text cannot undo an escape;
#  * at the start of a line: ``#``, ``=``, ``+``, ``-``, ``*``, ``_``, ``|``, ``~`` and the
#    ``.``/``)`` after a number get a backslash, so that text does not become a heading,
#    list, rule, table or fence.
# Emphasis with ``*``/``_`` inside a line is left alone: it cannot inject anything.
_MD_INLINE = re.compile(r"([\\`\[\]])")
_MD_LINE_START = re.compile(r"(?m)^([ \t]*)([#=+\-*_|~])")
_MD_NUMBERED = re.compile(r"(?m)^([ \t]*\d{1,9})([.)])")


def md_text(text, *, inline: bool = True) -> str:
    """``text`` as literal Markdown text (see above); ``inline``: on one line (line breaks
    become spaces), for headings, list items, quotes and table cells."""
    text = str(text)
    if inline:
        text = " ".join(text.splitlines())
    text = _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_LINE_START.sub(r"\1\\\2", text))


def _md_escape(text: str) -> str:
    """A table cell: literal text, and no ``|`` that would start a new cell."""
    return md_text(text).replace("|", "\\|")


def _md_table(t: Table) -> list[str]:
    lines = [f"*{md_text(t.caption)}*", "", "| " + " | ".join(_md_escape(h) for h in t.headers) + " |",
             "|" + "---|" * len(t.headers)]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in t.rows]
    return lines + [""]


def render_markdown(report: Report, *, assets_dir: Path | None = None, assets_prefix: str = "") -> str:
    """Markdown; charts are written to ``assets_dir`` (when given) and linked, always with
    their text alternative; without ``assets_dir`` only the text alternative is included."""
    out: list[str] = []

    def chart(c: Chart) -> None:
        if assets_dir is not None:
            assets_dir.mkdir(parents=True, exist_ok=True)
            name = f"{c.key}.png"
            (assets_dir / name).write_bytes(c.png)
            out.append(f"![{_md_escape(c.alt)}]({assets_prefix}{name})")
            out.append("")
        out.append(f"*{md_text(_titled(c.title))}* {md_text(c.alt)}")
        out.append("")
        if c.table is not None:
            out.extend(["De cijfers bij deze grafiek staan in bijlage D.", ""])

    def paras(text: str) -> None:
        for p in (text or "–").split("\n\n"):
            if p.strip():
                out.extend([md_text(p.strip(), inline=False), ""])

    r = report
    m = md_text
    out += [f"# {m(r.title)}", "", f"**{m(r.subtitle)}** – {m(r.organisation)}", ""]
    if r.period:
        out += [f"Periode: {m(r.period)}", ""]
    out += [f"Gemaakt op {m(r.generated_on)}", ""]
    if r.notice:
        out += [f"> **{m(r.notice)}**", ""]
    if r.summary:
        out += ["## Samenvatting", ""]
        out += [x for p in r.summary for x in (m(p, inline=False), "")]
        out += [f"- **{m(label)}.** {m(sentence)}" for label, sentence in r.summary_themes] + [""]
        for title, items in summary_choices(r):
            out += [f"### {m(title)}", ""]
            for c in items:
                out.append(f"- **{m(_titled(c.title))}** {m(c.sentence)}")
                out += [f"  - {m(line)}" for line in pros_and_cons(c)]
            out.append("")
        out += [x for p in r.summary_state for x in (m(p, inline=False), "")]
    out += ["## 1. Inleiding", ""]
    paras(r.introduction)
    out += ["## 2. Aanleiding", ""]
    paras(r.background)
    out += ["## 3. Aanpak", ""]
    for p in r.approach:
        out += [m(p, inline=False), ""]
    for t in r.approach_tables:
        out += _md_table(t)
    out += ["## 4. Wat is opgehaald", ""]
    if not r.themes:
        out += ["Er zijn nog geen bevestigde thema's.", ""]
    for c in r.overview_charts:
        chart(c)
    for i, t in enumerate(r.themes, 1):
        out += [f"### 4.{i} {m(t.label)}", ""]
        if t.description:
            out += [f"*{m(t.description)}*", ""]
        out += [m(t.summary, inline=False), ""]
        share = f" ({pct(t.share_respondents)})" if t.share_respondents is not None and t.n_respondents >= 5 else ""
        out += [f"- Fragmenten: {t.n_segments}", f"- Deelnemers aan de vragenlijst: {protect(t.n_respondents)}{share}",
                f"- Bijeenkomsten: {t.n_meetings}", ""]
        if t.spread:
            out += [m(t.spread, inline=False), ""]
        if t.quotes:
            out += ["#### Wat deelnemers zeiden", ""]
            for q in t.quotes:
                out += [f"> {m(q.text)}", f"> — *{m(q.source)}*", ""]
        if t.wordcloud:
            chart(t.wordcloud)
    out += ["## 5. Waar verschillen de meningen?", "", m(r.divides_note, inline=False), ""]
    if r.divides:
        for d in r.divides:
            out.append(f"- {m(d.sentence)}")
        out.append("")
    else:
        out += ["Er zijn geen duidelijke verschillen tussen groepen of wijken gevonden.", ""]
    out += ["## 6. Bevindingen en scenario's", ""]
    for title, group in finding_groups(r):
        if not group:
            continue
        out += [f"### {title}", ""]
        for f in group:
            out += [f"#### {m(f.title)}", "", m(f.statement, inline=False), ""]
            if f.themes:
                out += [f"{_themes_label(f.themes)}: {m(', '.join(f.themes))}", ""]
            if f.support:
                out += [f"Onderbouwing: {m('; '.join(f.support))}.", ""]
            for label, items in (("Voordelen", f.advantages), ("Nadelen", f.disadvantages)):
                if items:
                    out += [f"**{label}:**", ""] + [f"- {m(x)}" for x in items] + [""]
            for q in f.evidence:
                out += [f"> {m(q.text)}", f"> — *{m(q.source)}*", ""]
            if f.advice_points:
                out += [f"Adviespunten: {m(', '.join(f.advice_points))}", ""]
    if r.decisions:
        out += ["### Besluiten", ""]
        for d in r.decisions:
            when = f", {dutch_date(d.taken_on)}" if d.taken_on else ""
            ref = f" (nummer {d.reference})" if d.reference else ""
            out += [f"**{m(d.body.capitalize())}{when}{m(ref)}:** {m(d.text)}", ""]
            if d.findings:
                out += [f"Gaat over: {m('; '.join(d.findings))}", ""]
            if d.advice_responses:
                out += [f"Antwoord op advies: {m('; '.join(d.advice_responses))}", ""]
    out += ["## 7. Advies en reactie", ""]
    if not r.advice:
        out += ["Er is (nog) geen advies geregistreerd.", ""]
    for a in r.advice:
        out += [f"### {m(a.advisory_body)}: {m(a.subject)}", ""]
        out += [m(_advice_intro(a)), ""]
        shared, views = advice_views(a)
        if shared:
            out += [f"Besluit over de reactie: {m(shared)}.", ""]
        for v in views:
            out += [f"#### {m(v.heading)}", "", m(v.text), ""]
            for label, text in v.responses:
                out += [f"> Reactie ({m(label)}): {m(text)}", ""]
            if not v.responses:
                out += ["> **Niet beantwoord** in de reactie.", ""]
            if v.rationale:
                out += [f"**Toelichting:** {m(v.rationale)}", ""]
            if v.follow_up:
                out += [m(v.follow_up), ""]
    out += ["## Bijlagen", "", "### A. Codeboek", ""] + _md_table(r.codebook)
    out += ["### B. Werkwijze", ""]
    for p in r.method:
        out += [m(p, inline=False), ""]
    out += ["### C. Overeenstemming tussen codeurs", ""]
    for p in r.agreement:
        out += [m(p, inline=False), ""]
    if r.agreement_table:
        out += _md_table(r.agreement_table)
    if chart_tables(r):
        out += ["### D. Cijfers bij de grafieken", ""]
        for _key, t in chart_tables(r):
            out += _md_table(t)
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- DOCX

def render_docx(report: Report) -> bytes:
    """A Word document policy writers can edit further (pictures carry alt texts). Only
    Word's built-in styles are used (Title, Subtitle, Heading 1-3, List Bullet, Caption, Quote,
    Intense Quote, Table Grid, and the character styles Strong, Emphasis and Subtle
    Emphasis), never direct formatting, so restyling the document is changing those styles."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    doc.core_properties.title = report.title
    doc.core_properties.subject = report.subtitle
    doc.core_properties.author = report.organisation
    doc.core_properties.last_modified_by = report.organisation
    doc.core_properties.language = "nl-NL"
    doc.core_properties.comments = ""                  # (the template says "generated by python-docx")
    doc.core_properties.created = doc.core_properties.modified = datetime.now(timezone.utc).replace(microsecond=0)
    _dutch_with_fields_updated(doc)
    _a4_with_page_numbers(doc)
    r = report
    # Styles are set by their ids, looked up once: python-docx looks a style name up among all
    # styles on every assignment, which took half the time of writing the report.
    style_ids = {s.name: s.style_id for s in doc.styles}

    def para(text: str = "", style: str | None = None):
        p = doc.add_paragraph(text)
        if style:
            p._p.get_or_add_pPr().style = style_ids[style]
        return p

    def heading(text: str, level: int):
        return para(text, "Title" if level == 0 else f"Heading {level}")

    def run(paragraph, text: str, style: str | None = None):
        r = paragraph.add_run(text)
        if style:
            r._r.get_or_add_rPr().style = style_ids[style]
        return r

    def paras(text: str) -> None:
        for p in (text or "–").split("\n\n"):
            if p.strip():
                para(p.strip())

    def table(t: Table) -> None:
        for part in split_wide(t):
            one_table(part)

    def one_table(t: Table) -> None:
        para(t.caption, "Caption").paragraph_format.keep_with_next = True
        tbl = doc.add_table(rows=1 + len(t.rows), cols=len(t.headers))
        tbl._tbl.tblPr.style = style_ids["Table Grid"]
        rows = tbl.rows
        _repeat_header_row(rows[0])
        for cell, h in zip(rows[0].cells, t.headers):
            cell.paragraphs[0].paragraph_format.keep_with_next = True
            run(cell.paragraphs[0], h, "Strong")
        for tr, row in zip(rows[1:], t.rows):
            for cell, value in zip(tr.cells, row):
                cell.paragraphs[0].add_run(DATE.sub(lambda m: m.group().replace(" ", "\u00a0"), str(value)))
        para()

    def chart(c: Chart, width_cm: float = 15.5) -> None:
        doc.add_picture(io.BytesIO(c.png), width=Cm(width_cm))
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the picture stays with its caption
        set_alt_text(doc.inline_shapes[-1], c.alt, c.title)
        para(c.title, "Caption")
        if c.table is not None:
            para("De cijfers bij deze grafiek staan in bijlage D.")

    def quote(q) -> None:
        p = para(style="Quote")
        p.add_run(q.text)
        run(p, f" — {q.source}", "Subtle Emphasis")

    heading(r.title, 0)
    para(f"{r.subtitle} – {r.organisation}", style="Subtitle")
    if r.period:
        para(f"Periode: {r.period}")
    para(f"Gemaakt op {r.generated_on}")
    if r.notice:
        para(r.notice, style="Intense Quote")
    para("Inhoud", style="TOC Heading")
    _field(para(), 'TOC \\o "1-2" \\h \\z \\u',
           "Klik met de rechtermuisknop en kies 'Veld bijwerken' om de inhoudsopgave te maken.")
    doc.add_page_break()
    if r.summary:
        heading("Samenvatting", 1)
        for p in r.summary:
            para(p)
        for label, sentence in r.summary_themes:
            item = para(style="List Bullet")
            run(item, f"{label}. ", "Strong")
            item.add_run(sentence)
        for title, items in summary_choices(r):
            heading(title, 3)
            for c in items:
                item = para(style="List Bullet")
                run(item, f"{_titled(c.title)} ", "Strong")
                item.add_run(c.sentence)
                for line in pros_and_cons(c):
                    para(line, style="List Bullet 2")
        for p in r.summary_state:
            para(p)
    heading("1. Inleiding", 1)
    paras(r.introduction)
    heading("2. Aanleiding", 1)
    paras(r.background)
    heading("3. Aanpak", 1)
    for p in r.approach:
        para(p)
    for t in r.approach_tables:
        table(t)
    heading("4. Wat is opgehaald", 1)
    if not r.themes:
        para("Er zijn nog geen bevestigde thema's.")
    for c in r.overview_charts:
        chart(c)
    for i, t in enumerate(r.themes, 1):
        heading(f"4.{i} {t.label}", 2)
        if t.description:
            run(para(), t.description, style="Emphasis")
        para(t.summary)
        share = f" ({pct(t.share_respondents)})" if t.share_respondents is not None and t.n_respondents >= 5 else ""
        for line in (f"Fragmenten: {t.n_segments}", f"Deelnemers aan de vragenlijst: {protect(t.n_respondents)}{share}",
                     f"Bijeenkomsten: {t.n_meetings}"):
            para(line, style="List Bullet")
        if t.spread:
            para(t.spread)
        if t.quotes:
            heading("Wat deelnemers zeiden", 3)
            for q in t.quotes:
                quote(q)
        if t.wordcloud:
            chart(t.wordcloud, 13)
    heading("5. Waar verschillen de meningen?", 1)
    para(r.divides_note)
    if r.divides:
        for d in r.divides:
            para(d.sentence, style="List Bullet")
    else:
        para("Er zijn geen duidelijke verschillen tussen groepen of wijken gevonden.")
    heading("6. Bevindingen en scenario's", 1)
    for title, group in finding_groups(r):
        if not group:
            continue
        heading(title, 2)
        for f in group:
            heading(f.title, 3)
            para(f.statement)
            if f.themes:
                para(f"{_themes_label(f.themes)}: {', '.join(f.themes)}")
            if f.support:
                para(f"Onderbouwing: {'; '.join(f.support)}.")
            for label, items in (("Voordelen", f.advantages), ("Nadelen", f.disadvantages)):
                if items:
                    run(para(), f"{label}:", style="Strong")
                    for x in items:
                        para(x, style="List Bullet")
            for q in f.evidence:
                quote(q)
            if f.advice_points:
                para(f"Adviespunten: {', '.join(f.advice_points)}")
    if r.decisions:
        heading("Besluiten", 2)
        for d in r.decisions:
            p = para()
            when = f", {dutch_date(d.taken_on)}" if d.taken_on else ""
            ref = f" (nummer {d.reference})" if d.reference else ""
            run(p, f"{d.body.capitalize()}{when}{ref}: ", "Strong")
            p.add_run(d.text)
            if d.findings:
                para(f"Gaat over: {'; '.join(d.findings)}")
            if d.advice_responses:
                para(f"Antwoord op advies: {'; '.join(d.advice_responses)}")
    heading("7. Advies en reactie", 1)
    if not r.advice:
        para("Er is (nog) geen advies geregistreerd.")
    for a in r.advice:
        heading(f"{a.advisory_body}: {a.subject}", 2)
        para(_advice_intro(a))
        shared, views = advice_views(a)
        if shared:
            para(f"Besluit over de reactie: {shared}.")
        for v in views:
            heading(v.heading, 3)
            para(v.text)
            for label, text in v.responses:
                para(f"Reactie ({label}): {text}", "Quote")
            if not v.responses:
                para("Niet beantwoord in de reactie.", "Quote")
            if v.rationale:
                p = para()
                run(p, "Toelichting: ", "Strong")
                p.add_run(v.rationale)
            if v.follow_up:
                para(v.follow_up)
    heading("Bijlagen", 1)
    heading("A. Codeboek", 2)
    table(r.codebook)
    heading("B. Werkwijze", 2)
    for p in r.method:
        para(p)
    heading("C. Overeenstemming tussen codeurs", 2)
    for p in r.agreement:
        para(p)
    if r.agreement_table:
        table(r.agreement_table)
    if chart_tables(r):
        heading("D. Cijfers bij de grafieken", 2)
        for _key, t in chart_tables(r):
            table(t)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _dutch_with_fields_updated(doc) -> None:
    """Word checks the spelling as Dutch (the template's default language is en-US) and
    fills in the contents field when the document is opened (``updateFields``), instead of
    showing an empty contents list until the reader updates it by hand."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        if attr == "w:val" or lang.get(qn(attr)) is not None:
            lang.set(qn(attr), "nl-NL")
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)


def _a4_with_page_numbers(doc) -> None:
    """A4 portrait with the margins of the PDF, and the page number centred in the footer."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.left_margin = section.right_margin = Cm(1.8)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(footer, "PAGE", "1")


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (``PAGE``, ``TOC``) that Word computes; ``placeholder`` until it does."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld_char(kind: str):
        run = paragraph.add_run()
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            el.set(qn("w:dirty"), "true")  # Word updates the field when the document opens
        run._r.append(el)

    fld_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    fld_char("separate")
    paragraph.add_run(placeholder)
    fld_char("end")


def _repeat_header_row(row) -> None:
    """Word repeats this row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def set_alt_text(inline_shape, description: str, title: str = "") -> None:
    """Set the picture's alternative text (``wp:docPr/@descr``, what Word shows as alt text)."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("descr", description)
    if title:
        doc_pr.set("title", title)


def render(report: Report, fmt: str, out: Path) -> Path:
    """Write ``report`` in ``fmt`` to ``out`` (Markdown charts go to ``<out stem>_bestanden/``)."""
    out = Path(out)
    if fmt == "html":
        out.write_text(render_html(report), encoding="utf-8")
    elif fmt == "pdf":
        out.write_bytes(render_pdf(report))
    elif fmt == "docx":
        out.write_bytes(render_docx(report))
    elif fmt == "md":
        assets = out.parent / f"{out.stem}_bestanden"
        out.write_text(render_markdown(report, assets_dir=assets, assets_prefix=f"{assets.name}/"),
                       encoding="utf-8")
    else:
        raise ValueError(f"unknown report format {fmt!r} (use {', '.join(FORMATS)})")
    return out
