"""Paper and telephone responses in bulk: a template from the survey, and reading it back.

Staff type the answers of paper forms (or telephone calls) into a spreadsheet, one row per
response, and upload it. This module is pure (no Flask, no database): it makes the
template, reads an uploaded XLSX or CSV file, and checks every row against the survey's
questions with the rules of the online form (:mod:`surveys.rules`: conditions, choices,
scale ranges, required questions, "anders, namelijk"). ``surveys.responses.import_responses``
stores the rows; ``consult/web/bulk.py`` is the screen.

The template
    Sheet "Antwoorden": row 1 holds the column names (the question keys), row 2 the
    questions themselves; answers start in row 3. Optional columns first: ``volgnummer``
    (the number written on the paper form) and ``datum`` (the day it was filled in or the
    call took place, ``31-12-2026``). A choice question with "anders, namelijk" has a second
    column ``<key>:anders`` for the text. Sheet "Uitleg" says in plain Dutch what goes in
    each column. The CSV template has the same two header rows, ``;``-separated, UTF-8 with
    a byte order mark, as Dutch Excel expects.

Reading
    Cells may hold a choice's label ("Hulp dichtbij") or its code ("hulp_dichtbij"), in any
    case; several choices and rankings are separated by ``;``. Empty rows, and rows with
    only a volgnummer or datum, are skipped. Unknown columns are reported as a warning and
    ignored. CSV may use ``;``, ``,`` or tabs, in UTF-8 (with or without BOM) or Windows-1252
    (what Excel writes for "CSV (gescheiden door lijstscheidingsteken)").

Answers to questions that do not apply
    A paper form cannot hide a question, so people sometimes answer one that their earlier
    answers skip (a non-carer answering a question for carers). As the online form does
    when an earlier answer changes, such answers are **dropped, with a warning** naming row
    and column, not refused (even when they would not be a valid answer): the rest of that
    form is still valid input.

Row keys
    Each row gets a key: the SHA-256 of its normalised content (volgnummer, datum and the
    answers as they will be stored, so "Licht" and "licht" are the same answer). The key is
    stored with the response (``Response.import_key``, unique per survey): uploading the
    same file again adds nothing, and a longer file adds only its new rows. Two different
    forms with exactly the same answers have the same key; give the forms a volgnummer to
    keep them apart (a repeated row in one file is reported as a warning).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable

from surveys.rules import OTHER, OTHER_LABEL, question_choices, visible_questions

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
#: Rows read in all, empty ones included (a sheet formatted down to row 1.048.576).
MAX_SHEET_ROWS = 100_000
MAX_COLUMNS = 1_000
#: An XLSX is a zip file: refuse one that unpacks to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_REFERENCE = 64

REFERENCE = "volgnummer"
DATE = "datum"
OTHER_SUFFIX = ":anders"
DATA_SHEET = "Antwoorden"
HELP_SHEET = "Uitleg"
LISTS_SHEET = "Keuzes"
REFERENCE_LABEL = "Nummer op het formulier (niet verplicht)"
DATE_LABEL = "Datum van invullen of gesprek (niet verplicht)"
YES = {"ja", "j", "x", "1", "waar", "true", "yes", "y", "akkoord"}
NO = {"nee", "n", "0", "onwaar", "false", "no"}
CHOICE_TYPES = ("single_choice", "neighbourhood", "stakeholder_role", "scale")


class BulkFileError(ValueError):
    """The file as a whole cannot be used (too big, unreadable, wrong columns); Dutch message."""


@dataclass(frozen=True)
class Problem:
    """An error or warning, by spreadsheet row (1 = the column names) and column name."""
    message: str
    row: int | None = None
    column: str | None = None

    @property
    def text(self) -> str:
        if self.row is not None and self.column:
            return f"Rij {self.row}, kolom '{self.column}': {self.message}"
        if self.row is not None:
            return f"Rij {self.row}: {self.message}"
        if self.column:
            return f"Kolom '{self.column}': {self.message}"
        return self.message[:1].upper() + self.message[1:]

    def __str__(self) -> str:
        return self.text


@dataclass
class Column:
    """One column of the template."""
    name: str
    label: str
    kind: str  # "reference", "date", "answer" or "other"
    question: Any = None


@dataclass
class ParsedRow:
    """A valid row: the answers as ``surveys.responses.save_answers`` stores them."""
    number: int
    reference: str
    filled_on: date | None
    answers: dict[str, tuple[Any, str | None]]
    key: str


@dataclass
class CheckResult:
    """What a dry run found. ``rows`` are the valid rows, each key once (first occurrence)."""
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    empty_rows: int = 0
    duplicates: int = 0
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({p.row for p in self.errors if p.row is not None})


# -- the questions as columns -------------------------------------------------------------------

def _qtype(q: Any) -> str:
    return q.type if type(q.type) is str else str(getattr(q.type, "value", q.type))


def _has_other(q: Any) -> bool:
    return _qtype(q) in ("single_choice", "multiple_choice") and bool(q.options.get("other"))


def template_columns(questions: Iterable[Any]) -> list[Column]:
    """The template's columns: volgnummer, datum, then one per question (two with "anders")."""
    columns = [Column(REFERENCE, REFERENCE_LABEL, "reference"), Column(DATE, DATE_LABEL, "date")]
    for q in _ordered(questions):
        columns.append(Column(q.key, q.label, "answer", q))
        if _has_other(q):
            columns.append(Column(q.key + OTHER_SUFFIX, f"{OTHER_LABEL} (bij: {q.label})", "other", q))
    return columns


@dataclass(frozen=True)
class _Question:
    """A plain copy of a question (a database row is slow to read 10,000 times over)."""
    key: str
    type: str
    label: str
    required: bool
    options: dict[str, Any]
    condition: dict[str, Any] | None
    position: int


def _ordered(questions: Iterable[Any]) -> list[_Question]:
    """The questions in position order, as plain copies."""
    ordered = sorted(questions, key=lambda q: getattr(q, "position", 0))
    return [_Question(q.key, str(getattr(q.type, "value", q.type)), q.label, bool(q.required),
                      dict(q.options or {}), q.condition, i) for i, q in enumerate(ordered)]


def _labels(q: Any, neighbourhoods, groups) -> list[str]:
    if _qtype(q) == "scale":
        return [v for v, _ in question_choices(q, neighbourhoods, groups)]
    labels = [label for _, label in question_choices(q, neighbourhoods, groups)]
    return labels + ([OTHER] if _has_other(q) else [])


def _join(items: list[str]) -> str:
    return ", ".join(items)


def fill_in_hint(q: Any, neighbourhoods, groups) -> str:
    """What goes in the question's column, in plain Dutch."""
    qtype = _qtype(q)
    if qtype in ("text_short", "text_long"):
        return (f"Tekst. Neem de tekst van het formulier over. Hoogstens "
                f"{q.options.get('max_length', 5000):,} tekens.".replace(",", "."))
    if qtype == "consent":
        return "Schrijf ja of nee."
    if qtype == "scale":
        low, high = q.options.get("min", 1), q.options.get("max", 5)
        labels = q.options.get("labels") or {}
        extra = "".join(f" {k} = {v}." for k, v in sorted(labels.items(), key=lambda kv: int(kv[0])))
        return f"Een heel getal van {low} tot en met {high}.{extra}"
    choices = _join([label for _, label in question_choices(q, neighbourhoods, groups)])
    other = (f" Of schrijf de tekst bij 'anders' in kolom '{q.key}{OTHER_SUFFIX}'."
             if _has_other(q) else "")
    if qtype == "multiple_choice":
        return (f"Eén of meer van: {choices}. Zet een puntkomma (;) tussen de keuzes.{other}")
    if qtype == "ranking":
        return (f"Zet de keuzes op volgorde, de belangrijkste eerst, met een puntkomma (;) ertussen. "
                f"Keuzes: {choices}. U hoeft niet alle keuzes te noemen.")
    return f"Eén van: {choices}.{other}"


def _example(q: Any, neighbourhoods, groups) -> str:
    qtype = _qtype(q)
    choices = [label for _, label in question_choices(q, neighbourhoods, groups)]
    if qtype in ("text_short", "text_long"):
        return "Meer hulp in de buurt."
    if qtype == "consent":
        return "ja"
    if qtype == "scale":
        return str(q.options.get("max", 5))
    if qtype in ("multiple_choice", "ranking"):
        return "; ".join(choices[:2])
    return choices[0] if choices else ""


def condition_text(q: Any, questions: Iterable[Any], neighbourhoods, groups) -> str:
    """When the question applies, in plain Dutch ("" when always)."""
    cond = q.condition
    if not cond:
        return ""
    other = next((o for o in questions if o.key == cond["question"]), None)
    wanted = cond.get("equals", cond.get("includes"))
    label = wanted
    if other is not None:
        label = dict(question_choices(other, neighbourhoods, groups)).get(str(wanted), wanted)
    verb = "staat" if "equals" in cond else "ook gekozen is"
    return f"Alleen als in kolom '{cond['question']}' {verb}: {label}"


# -- writing the template -----------------------------------------------------------------------

def template_csv(questions: Iterable[Any]) -> bytes:
    """The CSV template: column names and questions, ``;``-separated, UTF-8 with BOM."""
    columns = template_columns(questions)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_no_formula(c.name) for c in columns])
    writer.writerow([_no_formula(c.label) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _no_formula(text: str) -> str:
    """A survey text that a spreadsheet would run as a formula (CSV injection) gets a leading quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def template_xlsx(title: str, questions: Iterable[Any], neighbourhoods: list[tuple[str, str]],
                  groups: list[tuple[str, str]]) -> bytes:
    """The Excel template: sheet "Antwoorden" to fill in, "Uitleg" to read, and a hidden
    sheet "Keuzes" behind the drop-down lists of choice columns."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    questions = _ordered(questions)
    columns = template_columns(questions)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    head = PatternFill("solid", fgColor="DDE6F0")
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        name = ws.cell(row=1, column=i, value=col.name)
        name.font, name.fill = Font(bold=True), head
        label = ws.cell(row=2, column=i, value=col.label)
        label.font, label.alignment = Font(italic=True), Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[letter].width = 16 if col.kind in ("reference", "date") else 28
        if col.kind == "reference":
            hint = "Niet verplicht. Het nummer op het papieren formulier."
        elif col.kind == "date":
            hint = "Niet verplicht. Schrijf de datum als 31-12-2026."
        elif col.kind == "other":
            hint = f"Tekst bij 'anders' voor vraag '{col.question.key}'."
        else:
            hint = fill_in_hint(col.question, neighbourhoods, groups)
            if col.question.required:
                hint = "Verplicht. " + hint
        name.comment = Comment(hint, "consult", width=300, height=120)
        q = col.question
        if col.kind == "answer" and (_qtype(q) in CHOICE_TYPES or _qtype(q) == "consent"):
            values = ["ja", "nee"] if _qtype(q) == "consent" else _labels(q, neighbourhoods, groups)
            if values:
                for r, value in enumerate(values, start=1):
                    lists.cell(row=r, column=i, value=value)
                dv = DataValidation(type="list", formula1=f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}",
                                    allow_blank=True, showErrorMessage=True, errorStyle="warning",
                                    errorTitle="Geen keuze uit de lijst",
                                    error="Dit staat niet in de lijst. Kies een antwoord uit de lijst.")
                ws.add_data_validation(dv)
                dv.add(f"{letter}3:{letter}{MAX_ROWS + 2}")
    ws.row_dimensions[2].height = 45
    ws.freeze_panes = "A3"

    help_ws = wb.create_sheet(HELP_SHEET, 1)
    lines = [
        (f"Zo vult u het sjabloon in: {title}", Font(bold=True, size=14)),
        ("Eén rij is één ingevulde vragenlijst (een papieren formulier of een telefoongesprek).", None),
        ("Begin in rij 3 van het tabblad 'Antwoorden'. Verander rij 1 niet: daar staan de namen van de "
         "kolommen. In rij 2 staan de vragen.", None),
        ("Staat er geen antwoord op het formulier? Laat de cel dan leeg.", None),
        ("Meer dan één keuze? Zet een puntkomma (;) tussen de keuzes. Bijvoorbeeld: Hulp dichtbij; Minder regels.",
         None),
        ("U mag de keuze overnemen zoals hij hieronder staat. Hoofdletters maken niet uit.", None),
        ("Volgnummer: niet verplicht. Schrijf het nummer van het papieren formulier. Twee formulieren met "
         "precies dezelfde antwoorden worden dan allebei ingevoerd.", None),
        ("Datum: niet verplicht. De dag waarop het formulier is ingevuld of het gesprek was. Schrijf de datum "
         "als 31-12-2026 (dag-maand-jaar).", None),
        ("Een rij met alleen een volgnummer of datum wordt overgeslagen.", None),
        ("Een antwoord op een vraag die niet geldt (zie 'Alleen invullen als') wordt niet ingevoerd. "
         "U krijgt daarover een melding.", None),
        ("Uploadt u het bestand opnieuw, bijvoorbeeld met extra rijen? Rijen die al zijn ingevoerd, "
         "komen er niet nog een keer in.", None),
        ("Eerst controleert consult het bestand. U ziet dan per rij en kolom wat niet klopt. "
         "Er wordt pas iets ingevoerd als u op 'Nu invoeren' klikt.", None),
        ("", None),
    ]
    for text, font in lines:
        help_ws.append([text])
        if font is not None:
            help_ws.cell(row=help_ws.max_row, column=1).font = font
    help_ws.append(["Kolom", "Vraag", "Verplicht", "Wat vult u in", "Voorbeeld", "Alleen invullen als"])
    header_row = help_ws.max_row
    for cell in help_ws[header_row]:
        cell.font, cell.fill = Font(bold=True), head
    for col in columns:
        if col.kind == "reference":
            row = [col.name, col.label, "nee", "Een nummer of korte tekst, hoogstens 64 tekens.", "17", ""]
        elif col.kind == "date":
            row = [col.name, col.label, "nee", "Een datum: dag-maand-jaar.", "31-12-2026", ""]
        elif col.kind == "other":
            row = [col.name, col.label, "nee", f"De tekst die bij 'anders' is ingevuld. U hoeft in kolom "
                   f"'{col.question.key}' dan niet ook 'anders' te kiezen.", "Hulp bij de boodschappen",
                   condition_text(col.question, questions, neighbourhoods, groups)]
        else:
            q = col.question
            row = [col.name, q.label, "ja" if q.required else "nee", fill_in_hint(q, neighbourhoods, groups),
                   _example(q, neighbourhoods, groups), condition_text(q, questions, neighbourhoods, groups)]
        help_ws.append(row)
        for cell in help_ws[help_ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (22, 40, 10, 60, 24, 34)):
        help_ws.column_dimensions[letter].width = width
    for sheet in (ws, help_ws, lists):  # texts from the survey are never formulas
        for cells in sheet.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- reading a file ------------------------------------------------------------------------------

_UNREADABLE = ("Dit bestand kunnen wij niet lezen. Kies het Excel-bestand (.xlsx) of CSV-bestand dat u "
               "van het sjabloon hebt gemaakt.")


def _clean(value: Any) -> str:
    """A cell as text: numbers without ".0", dates as ``YYYY-MM-DD``, whitespace trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text.strip())


def read_table(data: bytes, filename: str = "") -> list[tuple[int, list[str]]]:
    """The rows of an uploaded XLSX or CSV file as ``(row number, cells as text)``.

    Raises :class:`BulkFileError` (Dutch) for files that are too big, too long or unreadable.
    """
    if len(data) > MAX_BYTES:
        raise BulkFileError("Het bestand is groter dan 5 MB. Splits het in kleinere bestanden.")
    if not data.strip():
        raise BulkFileError("Het bestand is leeg.")
    name = filename.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise BulkFileError("Dit is een oud Excel-bestand (.xls). Sla het in Excel op als "
                            "'Excel-werkmap (.xlsx)' of als CSV en probeer het opnieuw.")
    rows = _read_xlsx(data) if data[:4] == b"PK\x03\x04" else _read_csv(data, name)
    if sum(1 for _, cells in rows[1:] if any(cells)) > MAX_ROWS + 1:  # + 1: the row with the questions
        raise _too_many()
    return rows


def _too_many() -> BulkFileError:
    return BulkFileError(f"Het bestand heeft meer dan {MAX_ROWS:,} rijen met antwoorden. "
                         "Splits het in kleinere bestanden.".replace(",", "."))


def _too_long() -> BulkFileError:
    return BulkFileError(f"Het bestand heeft meer dan {MAX_SHEET_ROWS:,} rijen (lege rijen tellen mee). "
                         "Splits het in kleinere bestanden.".replace(",", "."))


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise BulkFileError("Het bestand is uitgepakt te groot. Splits het in kleinere bestanden.")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except BulkFileError:
        raise
    except Exception:  # noqa: BLE001 - zip, XML and openpyxl errors alike: not a usable workbook
        raise BulkFileError(_UNREADABLE) from None
    try:
        ws = wb[DATA_SHEET] if DATA_SHEET in wb.sheetnames else wb.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        filled = 0
        for number, values in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SHEET_ROWS:
                raise _too_long()
            cells = [_clean(v) for v in values]
            rows.append((number, cells))
            filled += any(cells)
            if filled > MAX_ROWS + 2:
                raise _too_many()
        return rows
    except BulkFileError:
        raise
    except Exception:  # noqa: BLE001
        raise BulkFileError(_UNREADABLE) from None
    finally:
        wb.close()


def _read_csv(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    if b"\x00" in data[:4096] or name.endswith((".xlsx", ".xlsm", ".ods", ".pdf", ".docx")):
        raise BulkFileError(_UNREADABLE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Dutch Excel writes for plain "CSV"
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if any(d in first for d in ";,\t") else ";"
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number > MAX_SHEET_ROWS:
                raise _too_long()
            rows.append((number, [_clean(c) for c in cells[:MAX_COLUMNS]]))
    except csv.Error:
        raise BulkFileError(_UNREADABLE) from None
    return rows


# -- checking rows --------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Lookup:
    """Accepted spellings of a question's choices: code and label, in any case."""

    def __init__(self, q: Any, neighbourhoods, groups):
        self.q = q
        self.choices = question_choices(q, neighbourhoods, groups)
        self.by_text: dict[str, str] = {}
        for value, label in self.choices:
            self.by_text.setdefault(_norm(value), value)
            self.by_text.setdefault(_norm(label), value)
        if _qtype(q) == "scale":
            for number, label in (q.options.get("labels") or {}).items():
                self.by_text.setdefault(_norm(str(label)), str(number))
        self.other = _has_other(q)
        if self.other:
            for spelling in (OTHER, OTHER_LABEL, "anders namelijk", "anders:"):
                self.by_text.setdefault(_norm(spelling), OTHER)
        self.order = {value: i for i, (value, _) in enumerate(self.choices)}
        self.order[OTHER] = len(self.order)

    def find(self, raw: str) -> str | None:
        value = self.by_text.get(_norm(raw))
        if value is None and _qtype(self.q) == "scale" and re.fullmatch(r"-?\d+([.,]0+)?", raw.strip()):
            value = self.by_text.get(raw.strip().split(".")[0].split(",")[0])
        return value

    def offer(self) -> str:
        labels = [label for _, label in self.choices] + ([OTHER] if self.other else [])
        return _join(labels)


def _parse_date(raw: str) -> date | None:
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", raw)
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", raw)
        if not m:
            return None
        year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _key(reference: str, filled_on: date | None, answers: dict[str, tuple[Any, str | None]]) -> str:
    content = {"volgnummer": reference, "datum": filled_on.isoformat() if filled_on else None,
               "antwoorden": {k: [v, t] for k, (v, t) in sorted(answers.items())}}
    raw = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _split(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(";") if part.strip()]


def _parse_answer(q: Any, lookup: _Lookup | None, raw: str, other_text: str, column: str,
                  other_column: str, row: int, errors: list[Problem]) -> tuple[Any, str | None]:
    """One cell (and its "anders" cell) as ``(value, text)``, as the online form stores it."""
    qtype = _qtype(q)

    def error(message: str, col: str = column) -> None:
        errors.append(Problem(message, row, col))

    if qtype in ("text_short", "text_long"):
        limit = q.options.get("max_length", 5000)
        if len(raw) > limit:
            error(f"het antwoord is te lang ({len(raw):,} tekens). Er mogen hoogstens {limit:,} tekens "
                  "in.".replace(",", "."))
        return None, raw or None
    if qtype == "consent":
        word = _norm(raw)
        if not word or word in NO:
            return None, None
        if word in YES:
            return True, None
        error(f"'{raw}' kunnen wij niet lezen. Schrijf ja of nee.")
        return None, None
    assert lookup is not None
    if len(other_text) > 500:
        error(f"de tekst bij 'anders' is te lang ({len(other_text):,} tekens). Er mogen hoogstens 500 "
              "tekens in.".replace(",", "."), other_column)
    if qtype in ("multiple_choice", "ranking"):
        values: list[str] = []
        for part in _split(raw):
            value = lookup.find(part)
            if value is None or (qtype == "ranking" and value == OTHER):
                error(f"'{part}' is geen keuze. Kies uit: {lookup.offer()}.")
            elif value in values:
                error(f"'{part}' staat er twee keer in. Noem elke keuze maar één keer.")
            else:
                values.append(value)
        if qtype == "ranking":
            return values or None, None
        if other_text and OTHER not in values:
            values.append(OTHER)  # text at "anders" means the participant chose "anders"
        if OTHER in values and not other_text:
            error(f"hier is 'anders' gekozen. Schrijf in kolom '{other_column}' wat de deelnemer bedoelt.")
        values.sort(key=lambda v: lookup.order.get(v, 0))  # the order of the online form
        return values or None, (other_text or None) if OTHER in values else None
    # one choice: single_choice, neighbourhood, stakeholder_role, scale
    value = None
    if raw:
        if len(_split(raw)) > 1:
            error(f"hier kan maar één antwoord. Er staan er meer: '{raw}'.")
            return None, None
        value = lookup.find(raw)
        if value is None:
            if qtype == "scale":
                low, high = q.options.get("min", 1), q.options.get("max", 5)
                error(f"'{raw}' past niet. Schrijf een heel getal van {low} tot en met {high}.")
            else:
                error(f"'{raw}' is geen keuze. Kies uit: {lookup.offer()}.")
            return None, None
    if other_text:
        if value not in (None, OTHER):
            error(f"hier staat tekst bij 'anders', maar in kolom '{column}' staat '{raw}'. Bij deze vraag kan "
                  "maar één antwoord. Maak een van de twee cellen leeg.", other_column)
            return value, None
        value = OTHER
    if value == OTHER and not other_text:
        error(f"hier is 'anders' gekozen. Schrijf in kolom '{other_column}' wat de deelnemer bedoelt.")
    if qtype == "scale" and value is not None:
        return int(value), None
    return value, (other_text if value == OTHER else None)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _letter(index: int) -> str:
    """The spreadsheet name of column ``index`` (0 -> A, 26 -> AA)."""
    name, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _is_label_row(cells: list[str], expected: list[str | None]) -> bool:
    """Row 2 of the template: the questions, not answers."""
    filled = [(c, e) for c, e in zip(cells, expected) if c]
    matches = sum(1 for c, e in filled if e is not None and _norm(c) == _norm(e))
    return bool(filled) and matches * 2 >= len(filled)


def check_rows(rows: list[tuple[int, list[str]]], questions: Iterable[Any],
               neighbourhoods: list[tuple[str, str]], groups: list[tuple[str, str]], *,
               today: date | None = None) -> CheckResult:
    """Check table rows (from :func:`read_table`) against the survey's questions."""
    questions = _ordered(questions)
    today = today or date.today()
    result = CheckResult()
    if not rows:
        raise BulkFileError("Het bestand is leeg.")
    header = rows[0][1]
    columns = {c.name: c for c in template_columns(questions)}
    positions: dict[str, int] = {}
    ignored: list[int] = []
    for index, raw in enumerate(header):
        name = _norm(raw).replace(" :", ":").replace(": ", ":")
        if not name:
            ignored.append(index)
            continue
        if name in positions:
            raise BulkFileError(f"Kolom '{raw}' staat twee keer in rij 1. Elke kolom mag maar één keer voorkomen.")
        if name not in columns:
            result.warnings.append(Problem("deze kolom hoort niet bij deze vragenlijst. Wat erin staat, "
                                           "wordt niet ingevoerd.", column=raw))
            ignored.append(index)
            continue
        positions[name] = index
    if not any(columns[n].kind == "answer" for n in positions):
        raise BulkFileError("In rij 1 staan geen kolommen van deze vragenlijst. Gebruik het sjabloon van "
                            "deze vragenlijst en verander rij 1 niet.")
    missing = [c for c in columns.values() if c.name not in positions and c.kind == "answer"]
    must = [c.name for c in missing if c.question.required and not c.question.condition]
    if must:
        raise BulkFileError("Deze kolommen ontbreken, maar de vragen zijn verplicht: "
                            + _join(f"'{m}'" for m in must) + ". Gebruik het sjabloon van deze vragenlijst.")
    for c in missing:
        result.warnings.append(Problem("deze kolom ontbreekt in het bestand. Die vraag blijft leeg.", column=c.name))

    lookups = {q.key: _Lookup(q, neighbourhoods, groups) for q in questions
               if _qtype(q) not in ("text_short", "text_long", "consent")}
    data_rows = rows[1:]
    expected = [None] * max((len(c) for _, c in rows), default=0)
    for name, index in positions.items():
        expected[index] = columns[name].label
    if data_rows and _is_label_row(data_rows[0][1], expected):
        data_rows = data_rows[1:]
    if sum(1 for _, cells in data_rows if any(cells)) > MAX_ROWS:
        raise _too_many()
    order = {name: i for i, name in enumerate(columns)}
    seen: dict[str, int] = {}
    nameless = {i for i in ignored if not header[i].strip()}
    nameless_warned: set[int] = set()

    def cell(cells: list[str], name: str) -> str:
        index = positions.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    for number, cells in data_rows:
        for i in (nameless | set(range(len(header), len(cells)))) - nameless_warned:
            if i < len(cells) and cells[i]:
                nameless_warned.add(i)
                result.warnings.append(Problem(
                    f"in kolom {_letter(i)} staat iets, maar in rij 1 staat geen naam boven die kolom. "
                    "Wat erin staat, wordt niet ingevoerd.", number))
        if not any(cell(cells, n) for n, col in columns.items() if col.kind in ("answer", "other")):
            if any(cell(cells, n) for n in (REFERENCE, DATE)):
                result.empty_rows += 1  # a numbered form with no answers typed in (yet)
            elif any(cells[i] for i in ignored if i < len(cells) and i not in nameless):  # named, unknown
                result.warnings.append(Problem("in deze rij staat alleen iets in kolommen die niet bij deze "
                                               "vragenlijst horen. De rij wordt overgeslagen.", number))
            continue
        result.rows_read += 1
        errors: list[Problem] = []
        reference = cell(cells, REFERENCE)
        if len(reference) > MAX_REFERENCE:
            errors.append(Problem(f"het volgnummer is te lang. Gebruik hoogstens {MAX_REFERENCE} tekens.",
                                  number, REFERENCE))
        filled_on = None
        raw_date = cell(cells, DATE)
        if raw_date:
            filled_on = _parse_date(raw_date)
            if filled_on is None:
                errors.append(Problem(f"'{raw_date}' is geen datum. Schrijf de datum als 31-12-2026.",
                                      number, DATE))
            elif filled_on > today:
                errors.append(Problem(f"{filled_on:%d-%m-%Y} ligt in de toekomst. Controleer de datum.",
                                      number, DATE))
        parsed: dict[str, tuple[Any, str | None]] = {}
        for q in questions:
            other_column = q.key + OTHER_SUFFIX
            value, text = _parse_answer(q, lookups.get(q.key), cell(cells, q.key),
                                        cell(cells, other_column) if _has_other(q) else "",
                                        q.key, other_column, number, errors)
            if value is not None or text:
                parsed[q.key] = (value, text)
        # conditions see the value, or the text for open questions (surveys.responses.combined)
        answers = {k: (t if v is None else v) for k, (v, t) in parsed.items()}
        visible = visible_questions(questions, answers)
        shown = {q.key for q in visible}
        row_warnings: list[Problem] = []  # only for a row without errors: a wrong answer can hide a question
        for q in questions:
            if q.key in shown:
                continue
            parsed.pop(q.key, None)
            own = (q.key, q.key + OTHER_SUFFIX)
            errors = [p for p in errors if p.column not in own]  # what does not apply cannot be wrong
            if any(cell(cells, c) for c in own):
                row_warnings.append(Problem(
                    "deze vraag geldt niet bij de andere antwoorden in deze rij ("
                    + _lower_first(condition_text(q, questions, neighbourhoods, groups))
                    + "). Het antwoord wordt niet ingevoerd.", number, q.key))
        failed = {p.column for p in errors}
        for q in visible:
            if q.required and q.key not in parsed and q.key not in failed:
                if _qtype(q) == "consent":
                    errors.append(Problem("zonder toestemming ('ja') kunnen wij deze vragenlijst niet gebruiken. "
                                          "Schrijf ja als de deelnemer toestemming gaf, of laat de rij weg.",
                                          number, q.key))
                else:
                    errors.append(Problem(f"deze vraag is verplicht, maar de cel is leeg. De vraag is: "
                                          f"'{q.label}'.", number, q.key))
        if errors:
            result.errors.extend(sorted(errors, key=lambda p: order.get(p.column or "", 0)))
            continue
        result.warnings.extend(row_warnings)
        key = _key(reference, filled_on, parsed)
        if key in seen:
            result.duplicates += 1
            result.warnings.append(Problem(
                f"deze rij is gelijk aan rij {seen[key]}. Hij wordt maar één keer ingevoerd. Zijn het twee "
                "verschillende formulieren? Geef ze dan elk een eigen volgnummer.", number))
            continue
        seen[key] = number
        result.rows.append(ParsedRow(number, reference, filled_on, parsed, key))
    return result


def check_file(data: bytes, filename: str, questions: Iterable[Any], neighbourhoods: list[tuple[str, str]],
               groups: list[tuple[str, str]], *, today: date | None = None) -> CheckResult:
    """The dry run: read ``data`` (XLSX or CSV) and check every row. Raises :class:`BulkFileError`."""
    result = check_rows(read_table(data, filename), questions, neighbourhoods, groups, today=today)
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result


# -- keeping the upload between the dry run and the import --------------------------------------------

class PendingUploads:
    """Uploaded files waiting for "Nu invoeren": one file per random token in ``directory``
    (owner-only permissions), with its metadata beside it; removed after the import or
    after :attr:`max_age` seconds."""

    max_age = 24 * 3600
    _TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def _paths(self, token: str) -> tuple[Path, Path]:
        if not self._TOKEN.match(token or ""):
            raise KeyError(token)
        return self.directory / f"{token}.upload", self.directory / f"{token}.json"

    def save(self, data: bytes, meta: dict[str, Any]) -> str:
        self.purge()
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        token = secrets.token_urlsafe(32)
        for path, content in zip(self._paths(token), (data, json.dumps(meta).encode("utf-8"))):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(content)
        return token

    def load(self, token: str) -> tuple[bytes, dict[str, Any]]:
        """The file and its metadata; :class:`KeyError` when unknown or expired."""
        data_path, meta_path = self._paths(token)
        try:
            if time.time() - data_path.stat().st_mtime > self.max_age:
                self.delete(token)
                raise KeyError(token)
            return data_path.read_bytes(), json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise KeyError(token) from None

    def delete(self, token: str) -> None:
        for path in self._paths(token):
            path.unlink(missing_ok=True)

    def purge(self) -> int:
        """Remove uploads older than :attr:`max_age`; returns how many files went."""
        if not self.directory.is_dir():
            return 0
        removed, cutoff = 0, time.time() - self.max_age
        for path in self.directory.iterdir():
            try:
                if path.suffix in (".upload", ".json") and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed
