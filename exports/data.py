"""Data exports: tables as CSV (a zip or a folder of files) and XLSX (one sheet per table),
and the survey answers as an SPSS ``.sav`` file.

File names, sheet names and column names are Dutch and stable; other programs and scripts
rely on them, so change them only with a note in the changelog. The tables
(:func:`consult.reporting.data_tables`), as ``<file>.csv`` / sheet:

``reacties.csv`` / Reacties — one row per response
    reactie_id, vragenlijst, kanaal, status, begonnen_op, ingediend_op, groep, wijk,
    toestemming_contact
``antwoorden.csv`` / Antwoorden — long format, one row per answer
    reactie_id, vragenlijst, vraag (the question's key), vraagtekst, antwoord (the choice
    labels as the participant saw them; several joined with ``; ``, a ranking in its order;
    a scale as its number), toelichting (free text: an open answer or "anders, namelijk"),
    gemaskeerd (ja when masking changed the text)
``antwoorden_breed.csv`` / Antwoorden breed — wide format, one row per response
    reactie_id, vragenlijst, kanaal, status, ingediend_op, groep, wijk, then one column per
    question named by its key (values as ``antwoord`` above; open questions hold the text),
    and ``<key>_anders`` for the "anders, namelijk" text of a choice question that has it. A
    key used in more than one survey of the consultation becomes ``<survey>_<key>``; a key
    equal to one of the first seven columns gets ``_vraag`` (``wijk_vraag``).
``antwoordcodes.csv`` / Antwoordcodes — the answer codebook, one row per question and choice
    vragenlijst, vraag, vraagtekst, soort, code (the stored value), label, spss_waarde (the
    number the choice has in the ``.sav`` file)
``segmenten.csv`` / Segmenten
    segment_id, bron, reactie_id, vraag, document_id, document, positie, begin, einde, tekst,
    groep, tafel_of_groep, gemaskeerd, opmaak (notes furniture: a title, "Aanwezig: ...", a table
    of contents; never coded)
``coderingen.csv`` / Coderingen — code assignments
    codering_id, segment_id, code, thema, herkomst, codeur, zekerheid, status, gemaakt_op,
    besloten_op, besloten_door
``codeboek.csv`` / Codeboek — the themes
    code, label, korte_omschrijving, omschrijving, trefwoorden, bovenliggende_code

The CSV export adds the codebook as ``codeboek.yaml`` and ``codeboek.qdc`` (REFI-QDA), the
files ``consult codebook import`` reads back; there is one ``codeboek.csv``, the table above.

The ``.sav`` file (:func:`write_sav`, through ``pyreadstat``) has the wide format with SPSS
types: every choice question is numeric with value labels (the choices, numbered from 1 in
the survey's order; "anders, namelijk" last), a multiple-choice question one 0/1 variable
per choice (``<key>_1``, ``<key>_2``, ...), a ranking one rank variable per choice, a scale
its number (with the scale's labels), consent 1 = ja. Variable labels are the question
texts. Masked exports carry masked text in every text column (the caller decides).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from analysis.privacy import mask_same_length

__all__ = ["DataTable", "ExtraFile", "SurveyQuestion", "SurveyResponse", "SurveyData", "mask_same_length",
           "answer_label", "long_table", "wide_table", "answer_codes_table", "write_csv", "write_xlsx",
           "write_sav"]


@dataclass
class DataTable:
    name: str                 # file stem, e.g. "segmenten"
    title: str                # sheet title (max 31 characters), e.g. "Segmenten"
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass
class ExtraFile:
    """A file added as is to CSV exports (e.g. the codebook as YAML or REFI-QDA .qdc)."""
    name: str
    text: str


# -- survey answers ---------------------------------------------------------------------

OTHER = "anders"
OTHER_LABEL = "Anders, namelijk"
CHOICE_KINDS = ("single_choice", "multiple_choice", "ranking", "neighbourhood", "stakeholder_role")
_KIND_LABELS = {
    "text_short": "korte tekst", "text_long": "lange tekst", "single_choice": "één keuze",
    "multiple_choice": "meer keuzes", "scale": "schaal", "ranking": "rangorde", "neighbourhood": "wijk",
    "stakeholder_role": "rol", "consent": "toestemming",
}


#: The first columns of the wide format.
_META = ["reactie_id", "vragenlijst", "kanaal", "status", "ingediend_op", "groep", "wijk"]


@dataclass
class SurveyQuestion:
    survey: str                            # survey slug
    key: str
    label: str                             # the question text
    kind: str                              # a surveys.definition.QUESTION_TYPES string
    choices: list[tuple[str, str]] = field(default_factory=list)   # (stored value, label), "anders" last
    scale: tuple[int, int] | None = None   # (min, max) of a scale
    column: str = ""                       # column name in the wide format (set by SurveyData)

    @property
    def has_other(self) -> bool:
        return any(v == OTHER for v, _ in self.choices) and self.kind in ("single_choice", "multiple_choice")


@dataclass
class SurveyResponse:
    id: int
    survey: str
    channel: str
    status: str
    submitted_at: datetime | None
    group: str | None
    neighbourhood: str | None
    #: question key -> (stored value, free text as it may be exported, whether masking changed it)
    answers: dict[str, tuple[Any, str, bool]] = field(default_factory=dict)


@dataclass
class SurveyData:
    """A consultation's questions and answers, the input of the long and wide formats and
    of the ``.sav`` file. Free text in ``answers`` is already masked when it must be."""
    questions: list[SurveyQuestion]
    responses: list[SurveyResponse]

    def __post_init__(self) -> None:
        surveys_of: dict[str, set[str]] = {}
        for q in self.questions:
            surveys_of.setdefault(q.key, set()).add(q.survey)
        for q in self.questions:
            if not q.column:
                q.column = q.key if len(surveys_of[q.key]) == 1 else f"{q.survey.replace('-', '_')}_{q.key}"
                if q.column in _META:
                    q.column += "_vraag"

    def question(self, survey: str, key: str) -> SurveyQuestion | None:
        return next((q for q in self.questions if q.survey == survey and q.key == key), None)


def answer_label(q: SurveyQuestion, value: Any) -> Any:
    """A stored value as the participant saw it: choice labels (``; ``-joined, a ranking in
    its order), a scale's number, ``ja`` for consent; unknown values as they are."""
    if value is None or value == "" or value == []:
        return ""
    if q.kind == "consent":
        return "ja" if value else ""
    if q.kind == "scale":
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    labels = dict(q.choices)
    values = value if isinstance(value, list) else [value]
    return "; ".join(labels.get(str(v), str(v)) for v in values)


def long_table(data: SurveyData) -> DataTable:
    table = DataTable("antwoorden", "Antwoorden", [
        "reactie_id", "vragenlijst", "vraag", "vraagtekst", "antwoord", "toelichting", "gemaskeerd"])
    for r in data.responses:
        for q in data.questions:
            if q.survey != r.survey or q.key not in r.answers:
                continue
            value, text, changed = r.answers[q.key]
            table.rows.append([r.id, r.survey, q.key, q.label, answer_label(q, value), text, changed])
    return table


def _meta(r: SurveyResponse) -> list[Any]:
    return [r.id, r.survey, r.channel, r.status, r.submitted_at, r.group, r.neighbourhood]


def wide_table(data: SurveyData) -> DataTable:
    """One row per response, one column per question (plus ``<key>_anders``)."""
    headers = list(_META)
    for q in data.questions:
        headers.append(q.column)
        if q.has_other:
            headers.append(f"{q.column}_{OTHER}")
    table = DataTable("antwoorden_breed", "Antwoorden breed", headers)
    for r in data.responses:
        row = _meta(r)
        for q in data.questions:
            value, text, _ = r.answers.get(q.key, (None, "", False)) if q.survey == r.survey else (None, "", False)
            if q.kind in ("text_short", "text_long"):
                row.append(text)
            else:
                row.append(answer_label(q, value))
            if q.has_other:
                row.append(text)
        table.rows.append(row)
    return table


def _spss_codes(q: SurveyQuestion) -> dict[str, int]:
    return {v: i for i, (v, _) in enumerate(q.choices, 1)}


def answer_codes_table(data: SurveyData) -> DataTable:
    """The answer codebook: every question, and for choice questions every choice with its
    stored code and its number in the ``.sav`` file."""
    table = DataTable("antwoordcodes", "Antwoordcodes", [
        "vragenlijst", "vraag", "vraagtekst", "soort", "code", "label", "spss_waarde"])
    for q in data.questions:
        kind = _KIND_LABELS.get(q.kind, q.kind)
        if q.kind in CHOICE_KINDS:
            for value, label in q.choices:
                table.rows.append([q.survey, q.key, q.label, kind, value, label, _spss_codes(q)[value]])
        elif q.kind == "scale":
            labels = dict(q.choices)
            low, high = q.scale or (1, 5)
            for n in range(low, high + 1):
                table.rows.append([q.survey, q.key, q.label, kind, str(n), labels.get(str(n), str(n)), n])
        elif q.kind == "consent":
            table.rows.append([q.survey, q.key, q.label, kind, "true", "ja", 1])
        else:
            table.rows.append([q.survey, q.key, q.label, kind, "", "", None])
    return table


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return value


def _csv_text(table: DataTable) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_safe_csv(_cell(v)) for v in row])
    return buf.getvalue()


def _safe_csv(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def write_csv(tables: list[DataTable], out: Path, extra: list[ExtraFile] = ()) -> Path:
    """CSV files (UTF-8 with BOM, so Excel reads accents) in a zip (``out`` ends in .zip)
    or in the folder ``out`` (made when missing; its parent must exist)."""
    out = Path(out)
    files = [(f"{t.name}.csv", "\ufeff" + _csv_text(t)) for t in tables] + [(e.name, e.text) for e in extra]
    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in files:
                zf.writestr(name, text.encode("utf-8"))
    else:
        out.mkdir(exist_ok=True)
        for name, text in files:
            (out / name).write_text(text, encoding="utf-8")
    return out


def write_xlsx(tables: list[DataTable], out: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.title[:31])
        ws.append(t.headers)
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in t.rows:
            ws.append([_xlsx_cell(_cell(v)) for v in row])
        ws.freeze_panes = "A2"
        if t.rows or t.headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(t.headers))}{len(t.rows) + 1}"
        for i, h in enumerate(t.headers, 1):
            width = max([len(str(h))] + [len(str(r[i - 1])) for r in t.rows[:200] if i - 1 < len(r)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    out = Path(out)
    wb.save(out)
    return out


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        # openpyxl refuses control characters; formulas are neutralised as in CSV
        value = "".join(ch for ch in value if ch in "\t\n" or ord(ch) >= 32)
        return _safe_csv(value)
    return value


# -- SPSS -----------------------------------------------------------------------------------

_SPSS_RESERVED = {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}


def _spss_name(name: str, used: set[str]) -> str:
    """A valid, unique SPSS variable name (letter first, at most 64 bytes, unique ignoring case)."""
    base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "v"
    if not base[0].isalpha() or base.lower() in _SPSS_RESERVED:
        base = "v_" + base
    base = base[:64]
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{base[:64 - len(str(n)) - 1]}_{n}"
    used.add(candidate.lower())
    return candidate


def _fit(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (SPSS label limits), whole characters only."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", "ignore").rstrip()


def write_sav(data: SurveyData, out: Path, *, file_label: str = "") -> Path:
    """The wide format as an SPSS ``.sav`` file with variable labels (question texts) and
    value labels (choices); see the module docstring for the variables."""
    import pandas as pd
    import pyreadstat

    used: set[str] = set()
    columns: dict[str, list[Any]] = {}
    labels: dict[str, str] = {}
    value_labels: dict[str, dict[int, str]] = {}
    measure: dict[str, str] = {}
    rows = data.responses

    strings: set[str] = set()

    def add(name: str, label: str, values: list[Any], *, codes: dict[int, str] | None = None,
            kind: str = "nominal", text: bool = False) -> None:
        var = _spss_name(name, used)
        columns[var] = values
        if text:
            strings.add(var)
        labels[var] = _fit(label, 250)
        if codes:
            value_labels[var] = {k: _fit(v, 120) for k, v in codes.items()}
        measure[var] = kind

    def answer(r: SurveyResponse, q: SurveyQuestion) -> tuple[Any, str]:
        if r.survey != q.survey or q.key not in r.answers:
            return None, ""
        value, text, _ = r.answers[q.key]
        return value, text or ""

    nan = float("nan")
    add("reactie_id", "Reactie", [r.id for r in rows], kind="scale")
    add("vragenlijst", "Vragenlijst", [r.survey for r in rows], text=True)
    add("kanaal", "Kanaal", [r.channel for r in rows], text=True)
    add("status", "Status", [r.status for r in rows], text=True)
    add("ingediend_op", "Ingediend op", [pd.Timestamp(r.submitted_at) if r.submitted_at else pd.NaT for r in rows],
        kind="scale")
    add("groep", "Groep", [r.group or "" for r in rows], text=True)
    add("wijk", "Wijk", [r.neighbourhood or "" for r in rows], text=True)
    for q in data.questions:
        answers = [answer(r, q) for r in rows]
        if q.kind in ("text_short", "text_long"):
            add(q.column, q.label, [text for _, text in answers], text=True)
        elif q.kind == "scale":
            def number(v):
                try:
                    return float(int(v))
                except (TypeError, ValueError):
                    return nan
            add(q.column, q.label, [number(v) for v, _ in answers],
                codes={int(v): label for v, label in q.choices if v.lstrip("-").isdigit()}, kind="ordinal")
        elif q.kind == "consent":
            add(q.column, q.label, [1.0 if v else nan for v, _ in answers], codes={1: "ja"})
        elif q.kind in ("multiple_choice", "ranking"):
            choices = list(q.choices)
            known = {v for v, _ in choices}
            for v, _ in answers:
                for item in v if isinstance(v, list) else ([v] if v not in (None, "") else []):
                    if str(item) not in known:
                        known.add(str(item))
                        choices.append((str(item), str(item)))
            for i, (code, label) in enumerate(choices, 1):
                if q.kind == "multiple_choice":
                    values = [nan if not isinstance(v, list) else float(code in map(str, v)) for v, _ in answers]
                    add(f"{q.column}_{i}", f"{q.label} – {label}", values,
                        codes={0: "niet gekozen", 1: "gekozen"})
                else:
                    values = [float(list(map(str, v)).index(code) + 1) if isinstance(v, list) and code in map(str, v)
                              else nan for v, _ in answers]
                    add(f"{q.column}_{i}", f"{q.label} – {label} (rangnummer)", values, kind="ordinal")
        else:  # single choice, neighbourhood, stakeholder role
            codes = _spss_codes(q)
            names = {codes[v]: label for v, label in q.choices}
            for v, _ in answers:
                if v not in (None, "") and str(v) not in codes:
                    codes[str(v)] = len(codes) + 1
                    names[codes[str(v)]] = str(v)
            add(q.column, q.label, [float(codes[str(v)]) if v not in (None, "") else nan for v, _ in answers],
                codes=names)
        if q.has_other:
            add(f"{q.column}_{OTHER}", f"{q.label} – {OTHER_LABEL} (tekst)",
                [text if v == OTHER or (isinstance(v, list) and OTHER in v) else "" for v, text in answers], text=True)
    frame = pd.DataFrame({name: pd.Series(values, dtype=object if name in strings else
                                          "datetime64[ns]" if name == "ingediend_op" else float)
                          for name, values in columns.items()})
    out = Path(out)
    pyreadstat.write_sav(frame, str(out), file_label=_fit(file_label, 64), column_labels=labels,
                         variable_value_labels=value_labels, variable_measure=measure)
    return out
