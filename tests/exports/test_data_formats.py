"""The data export's formats on a small consultation with every kind of question: answers
masked as their segments are, choice labels instead of stored codes, one codebook file,
Dutch and documented column names, the wide format in CSV and XLSX, and the SPSS file
read back with pyreadstat (variable and value labels)."""
from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from datetime import datetime

import pyreadstat
import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from openpyxl import load_workbook
from sqlalchemy import select

import exports.data
from consult.cli import cli
from consult.db import session_scope
from consult.models import (
    Answer, Channel, Consultation, Participant, Response, ResponseStatus, Segment, SurveyStatus,
)
from consult.reporting import codebook_files, data_tables, survey_data
from exports.data import write_csv, write_sav, write_xlsx
from surveys.definition import parse_definition
from surveys.store import create_survey
from tests.exports.helpers import SLUG, build_small_consultation

CHOICES = """
slug: keuzes
title: Keuzes
access: open
sections:
  - title: Keuzes
    questions:
      - key: wijk
        type: neighbourhood
        label: Waar woont u?
      - key: contact
        type: single_choice
        label: Wat helpt u het meest?
        choices: [Eén vast aanspreekpunt, Hulp dichtbij huis]
        other: true
      - key: belangrijk
        type: multiple_choice
        label: Wat vindt u belangrijk?
        choices: [Eén vast aanspreekpunt, Minder regels, Snelle hulp]
        other: true
      - key: volgorde
        type: ranking
        label: Zet in volgorde
        choices: [Vervoer, Wonen, Zorg]
      - key: tevreden
        type: scale
        label: Hoe tevreden bent u?
        min: 1
        max: 5
        labels: {1: Heel ontevreden, 5: Heel tevreden}
      - key: beter
        type: text_long
        label: Wat kan er beter?
      - key: toestemming
        type: consent
        label: Ik geef toestemming.
"""
NAME_TEXT = "Zwaantje helpt mij elke week. Bel mij op 06-12345678."
NAME_SENTENCE = "Zwaantje helpt mij elke week."
#: The facilitator's correction: the rules do not find the name "Zwaantje" on their own.
NAME_MASKED = "[naam] helpt mij elke week."
SLUGS = ("e_n_vast_aanspreekpunt", "hulp_dichtbij_huis", "minder_regels", "snelle_hulp")


def _build(session) -> dict:
    ids = build_small_consultation(session)
    c = session.get(Consultation, ids["consultation"])
    survey = create_survey(session, c, parse_definition(CHOICES), status=SurveyStatus.CLOSED)
    q = {x.key: x for x in survey.questions}
    first = Response(survey=survey, participant=Participant(consultation=c), channel=Channel.PAPER,
                     status=ResponseStatus.SUBMITTED, submitted_at=datetime(2019, 5, 2, 9, 30))
    named = Answer(question=q["beter"], text=NAME_TEXT)
    first.answers += [
        Answer(question=q["wijk"], value="Bathmen"),
        Answer(question=q["contact"], value="e_n_vast_aanspreekpunt"),
        Answer(question=q["belangrijk"], value=["e_n_vast_aanspreekpunt", "anders"], text="Een maatje"),
        Answer(question=q["volgorde"], value=["zorg", "vervoer"]),
        Answer(question=q["tevreden"], value=4),
        named,
        Answer(question=q["toestemming"], value=True),
    ]
    second = Response(survey=survey, participant=Participant(consultation=c), channel=Channel.ONLINE,
                      status=ResponseStatus.IN_PROGRESS)
    second.answers += [Answer(question=q["contact"], value="anders", text="Mijn buurvrouw, 0570-123456")]
    session.add_all([first, second])
    session.flush()
    session.add(Segment(consultation_id=c.id, answer=named, position=0, start_char=0, end_char=len(NAME_SENTENCE),
                        text=NAME_SENTENCE, masked_text=NAME_MASKED))
    for seg in session.scalars(select(Segment).where(Segment.masked_text.is_(None))):
        seg.masked_text = seg.text
    session.flush()
    return {**ids, "first": first.id, "second": second.id}


@pytest.fixture
def world(app):
    with session_scope(app.extensions["consult.sessions"]) as s:
        return _build(s)


def _tables(app, ids, *, masked=True):
    s = app.extensions["consult.sessions"]()
    try:
        c = s.get(Consultation, ids["consultation"])
        return {t.name: t for t in data_tables(s, c, masked=masked)}, codebook_files(c)
    finally:
        s.close()


def _rows(table):
    return [dict(zip(table.headers, row)) for row in table.rows]


def test_answers_are_masked_as_their_segments(app, world):
    tables, _ = _tables(app, world)
    answers = {(r["reactie_id"], r["vraag"]): r for r in _rows(tables["antwoorden"])}
    named = answers[(world["first"], "beter")]
    # the segment's (corrected) mask, the rest masked by the rules, contact details scrubbed
    assert named["toelichting"].startswith(NAME_MASKED) and "Zwaantje" not in named["toelichting"]
    assert "06-12345678" not in named["toelichting"] and named["gemaskeerd"] is True
    other = answers[(world["second"], "contact")]
    assert "0570-123456" not in other["toelichting"] and other["toelichting"].startswith("Mijn buurvrouw")
    segments = {r["tekst"] for r in _rows(tables["segmenten"])}
    assert NAME_MASKED in segments
    wide = {r["reactie_id"]: r for r in _rows(tables["antwoorden_breed"])}
    assert wide[world["first"]]["keuzes_beter"] == named["toelichting"]  # "beter" is in both surveys
    everything = repr([t.rows for t in tables.values()])
    assert "Zwaantje" not in everything and "Jansen" not in everything and "06-12345678" not in everything

    raw, _ = _tables(app, world, masked=False)
    answers = {(r["reactie_id"], r["vraag"]): r for r in _rows(raw["antwoorden"])}
    assert answers[(world["first"], "beter")]["toelichting"] == NAME_TEXT
    assert answers[(world["first"], "beter")]["gemaskeerd"] is False


def test_choices_are_exported_as_labels_with_their_codes_in_the_answer_codes(app, world):
    tables, _ = _tables(app, world)
    answers = {(r["reactie_id"], r["vraag"]): r for r in _rows(tables["antwoorden"])}
    first = world["first"]
    assert answers[(first, "contact")]["antwoord"] == "Eén vast aanspreekpunt"
    assert answers[(first, "belangrijk")]["antwoord"] == "Eén vast aanspreekpunt; Anders, namelijk"
    assert answers[(first, "belangrijk")]["toelichting"] == "Een maatje"
    assert answers[(first, "volgorde")]["antwoord"] == "Zorg; Vervoer"
    assert answers[(first, "tevreden")]["antwoord"] == 4
    assert answers[(first, "toestemming")]["antwoord"] == "ja"
    assert answers[(first, "wijk")]["antwoord"] == "Bathmen"
    rol = next(r for r in _rows(tables["antwoorden"]) if r["vraag"] == "rol")
    assert rol["antwoord"] in {"Mantelzorger", "Inwoner"}  # the group's label, not its key
    for name in ("antwoorden", "antwoorden_breed"):
        text = repr(tables[name].rows)
        assert not any(slug in text for slug in SLUGS + ("mantelzorger'", "inwoner'")), name
    wide = {r["reactie_id"]: r for r in _rows(tables["antwoorden_breed"])}
    assert wide[first]["contact"] == "Eén vast aanspreekpunt" and wide[first]["belangrijk_anders"] == "Een maatje"
    assert wide[first]["keuzes_wijk"] == "Bathmen" and wide[first]["kanaal"] == "papier"
    assert wide[world["second"]]["contact"] == "Anders, namelijk" and wide[world["second"]]["status"] == "niet afgerond"
    codes = {(r["vragenlijst"], r["vraag"], r["code"]): r for r in _rows(tables["antwoordcodes"])}
    assert codes[("keuzes", "contact", "e_n_vast_aanspreekpunt")]["label"] == "Eén vast aanspreekpunt"
    assert codes[("keuzes", "contact", "e_n_vast_aanspreekpunt")]["spss_waarde"] == 1
    assert codes[("keuzes", "contact", "anders")]["label"] == "Anders, namelijk"
    assert codes[("keuzes", "tevreden", "5")]["label"] == "Heel tevreden"
    assert codes[("keuzes", "beter", "")]["soort"] == "lange tekst"


def _documented_columns() -> dict[str, list[str]]:
    """``file stem -> columns`` as the module docstring of exports.data lists them."""
    doc = exports.data.__doc__
    out = {}
    for stem, cols in re.findall(r"``(\w+)\.csv`` / [^\n]*\n((?:    [^\n]*\n)+)", doc):
        out[stem] = [c.strip() for c in re.sub(r"\([^)]*\)", "", " ".join(cols.split())).split(",")]
    return out


def test_one_codebook_file_and_dutch_documented_columns(app, world, tmp_path):
    tables, extra = _tables(app, world)
    path = write_csv(list(tables.values()), tmp_path / "gegevens.zip", extra)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        files = {n: list(csv.reader(io.StringIO(zf.read(n).decode("utf-8-sig")))) for n in names if n.endswith(".csv")}
    assert sorted(names) == sorted(["reacties.csv", "antwoorden.csv", "antwoorden_breed.csv", "antwoordcodes.csv",
                                    "segmenten.csv", "coderingen.csv", "codeboek.csv", "codeboek.yaml",
                                    "codeboek.qdc"])
    assert not [n for n in names if "codebook" in n]
    documented = _documented_columns()
    assert set(documented) == {n.removesuffix(".csv") for n in files}
    english = {"response_id", "text", "value", "question", "start", "end", "created", "source", "label_en",
               "description", "keywords", "parent", "gloss", "origin", "coder", "status_en", "answer"}
    for name, rows in files.items():
        stem = name.removesuffix(".csv")
        header = rows[0]
        if stem == "antwoorden_breed":
            assert header[:7] == documented[stem][:7]
        else:
            assert header == documented[stem], stem
        assert not english & set(header), (name, english & set(header))
    # the same tables and columns in the workbook, which opens again
    wb = load_workbook(write_xlsx(list(tables.values()), tmp_path / "gegevens.xlsx"), read_only=True)
    assert wb.sheetnames == ["Reacties", "Antwoorden", "Antwoorden breed", "Antwoordcodes", "Segmenten",
                             "Coderingen", "Codeboek"]
    for table in tables.values():
        sheet = wb[table.title]
        assert [c.value for c in next(sheet.iter_rows(max_row=1))] == table.headers
        assert sheet.max_row == len(table.rows) + 1
    wide = wb["Antwoorden breed"]
    header = [c.value for c in next(wide.iter_rows(max_row=1))]
    rows = {r[0]: dict(zip(header, r)) for r in wide.iter_rows(min_row=2, values_only=True)}
    assert rows[world["first"]]["contact"] == "Eén vast aanspreekpunt" and rows[world["first"]]["tevreden"] == 4
    coded = [r for r in files["coderingen.csv"][1:]]
    assert {r[4] for r in coded} <= {"regel", "model", "persoon"} and {r[7] for r in coded} <= {
        "voorgesteld", "geaccepteerd", "afgewezen"}


def test_spss_file_has_variable_and_value_labels(app, world, tmp_path):
    s = app.extensions["consult.sessions"]()
    try:
        data = survey_data(s, s.get(Consultation, world["consultation"]))
    finally:
        s.close()
    path = write_sav(data, tmp_path / "antwoorden.sav", file_label="Wmo in Testdorp")
    df, meta = pyreadstat.read_sav(str(path))
    assert len(df) == len(data.responses) == 4
    labels = meta.column_names_to_labels
    assert labels["contact"] == "Wat helpt u het meest?" and labels["keuzes_beter"] == "Wat kan er beter?"
    assert labels["belangrijk_1"] == "Wat vindt u belangrijk? – Eén vast aanspreekpunt"
    values = meta.variable_value_labels
    assert values["contact"] == {1: "Eén vast aanspreekpunt", 2: "Hulp dichtbij huis", 3: "Anders, namelijk"}
    assert values["belangrijk_1"] == {0: "niet gekozen", 1: "gekozen"}
    assert values["tevreden"] == {1: "Heel ontevreden", 5: "Heel tevreden"}
    assert values["toestemming"] == {1: "ja"}
    assert meta.variable_measure["tevreden"] == "ordinal"
    row = df[df["reactie_id"] == world["first"]].iloc[0]
    assert row["contact"] == 1 and row["tevreden"] == 4 and row["toestemming"] == 1
    assert (row["belangrijk_1"], row["belangrijk_2"], row["belangrijk_3"], row["belangrijk_4"]) == (1, 0, 0, 1)
    assert row["belangrijk_anders"] == "Een maatje"
    # ranking: the rank each choice got (Vervoer 2nd, Wonen not ranked, Zorg 1st)
    assert row["volgorde_1"] == 2 and math.isnan(row["volgorde_2"]) and row["volgorde_3"] == 1
    assert row["keuzes_beter"].startswith(NAME_MASKED) and "06-12345678" not in row["keuzes_beter"]
    assert row["kanaal"] == "papier" and values["keuzes_wijk"][row["keuzes_wijk"]] == "Bathmen"
    other = df[df["reactie_id"] == world["second"]].iloc[0]
    assert other["contact"] == 3 and math.isnan(other["belangrijk_1"])  # not answered: missing, not 0
    assert "0570-123456" not in " ".join(str(v) for v in df.astype(str).values.ravel())
    assert meta.file_label == "Wmo in Testdorp"


def test_cli_writes_the_spss_file(app, world, tmp_path):
    run = lambda *args: CliRunner().invoke(cli, ["export", "data", "--consultation", SLUG, *args],
                                           obj=ScriptInfo(create_app=lambda: app))
    r = run("--format", "sav", "--out", str(tmp_path / "a.sav"))
    assert r.exit_code == 0, r.output
    assert "4 responses, 10 questions" in r.output
    df, meta = pyreadstat.read_sav(str(tmp_path / "a.sav"))
    assert "Zwaantje" not in " ".join(df["keuzes_beter"].astype(str))
    r = run("--format", "sav", "--out", str(tmp_path / "a.csv"))
    assert r.exit_code == 1 and "ending in .sav" in r.output and not (tmp_path / "a.csv").exists()
    r = run("--format", "sav", "--unmasked", "--out", str(tmp_path / "raw.sav"))
    assert r.exit_code == 0, r.output
    df, _ = pyreadstat.read_sav(str(tmp_path / "raw.sav"))
    assert NAME_TEXT in set(df["keuzes_beter"])


def test_wide_column_names_and_a_survey_without_responses(tmp_path):
    from exports.data import SurveyData, SurveyQuestion

    data = SurveyData([SurveyQuestion("a", "wijk", "Waar?", "neighbourhood"),
                       SurveyQuestion("a", "idee", "Idee?", "text_short"),
                       SurveyQuestion("b-2", "idee", "Idee?", "text_short")], [])
    assert [q.column for q in data.questions] == ["wijk_vraag", "a_idee", "b_2_idee"]
    assert exports.data._spss_name("x" * 80, set()) == "x" * 64
    used = {"toestemming"}
    assert exports.data._spss_name("TOESTEMMING", used) == "TOESTEMMING_2"
    assert exports.data._spss_name("with", used) == "v_with"
    empty = SurveyData([SurveyQuestion("a", "k", "Vraag?", "single_choice", [("x", "X")])], [])
    df, meta = pyreadstat.read_sav(str(write_sav(empty, tmp_path / "leeg.sav")))
    assert len(df) == 0 and meta.variable_value_labels == {"k": {1: "X"}} and "k" in df.columns


def test_downloads_page_export_makes_a_masked_spss_file(app, world):
    """The ``export`` job behind the downloads page: always masked, and pyreadstat reads it."""
    from consult import downloads
    from consult.models import Job

    with session_scope(app.extensions["consult.sessions"]) as s:
        job = Job(kind="export", consultation_id=world["consultation"],
                  params={"what": "data", "format": "sav", "root": str(downloads.downloads_root(app))})
        s.add(job)
        s.flush()
        result = downloads.run_export(s, job, lambda fraction: None)
    assert result["filename"].endswith(".sav") and result["media_type"] == "application/x-spss-sav"
    df, meta = pyreadstat.read_sav(str(downloads.downloads_root(app) / result["path"]))
    assert len(df) == 4 and meta.column_names_to_labels["contact"] == "Wat helpt u het meest?"
    text = " ".join(map(str, df.values.ravel()))
    assert "Zwaantje" not in text and "06-12345678" not in text and NAME_MASKED in text
