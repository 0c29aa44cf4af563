"""Bulk import of paper and telephone responses: the template, reading XLSX and CSV, and
checking every row with the rules of the online form (pure: no database, no Flask)."""
from __future__ import annotations

import io
import os
import time
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from surveys import bulk
from surveys.bulk import BulkFileError, PendingUploads, check_file, template_columns, template_csv, template_xlsx
from surveys.definition import parse_definition
from tests.web.conftest import SURVEY_YAML

DEF = parse_definition(SURVEY_YAML)
QUESTIONS = DEF.questions
HOODS = [(n, n) for n in ("Binnenstad", "Keizerslanden", "Bathmen")]
GROUPS = [("inwoner", "Inwoner"), ("client", "Cliënt"), ("mantelzorger", "Mantelzorger")]
TODAY = date(2026, 12, 1)
HEADER = ["volgnummer", "datum", "rol", "zwaarte", "wijk", "beter", "tevreden", "belangrijk",
          "belangrijk:anders", "volgorde", "toestemming"]
GOOD = ["1", "03-05-2019", "Mantelzorger", "zwaar", "Bathmen", "Meer hulp dichtbij.", 4,
        "hulp dichtbij; Minder regels", "", "Snelheid;Deskundigheid", "ja"]


def filled_template(*rows) -> bytes:
    """The real Excel template with ``rows`` typed in from row 3, as staff would."""
    wb = load_workbook(io.BytesIO(template_xlsx(DEF.title, QUESTIONS, HOODS, GROUPS)))
    ws = wb[bulk.DATA_SHEET]
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def check(data: bytes, name: str = "antwoorden.xlsx"):
    return check_file(data, name, QUESTIONS, HOODS, GROUPS, today=TODAY)


def row(**changes):
    values = dict(zip(HEADER, GOOD))
    values.update(changes)
    return [values[h] for h in HEADER]


def texts(problems) -> list[str]:
    return [p.text for p in problems]


# -- the template ---------------------------------------------------------------------------------

def test_template_has_one_column_per_question_and_the_questions_in_row_2():
    wb = load_workbook(io.BytesIO(template_xlsx(DEF.title, QUESTIONS, HOODS, GROUPS)))
    assert wb.sheetnames[:2] == ["Antwoorden", "Uitleg"]
    assert wb["Keuzes"].sheet_state == "hidden"
    ws = wb["Antwoorden"]
    assert [c.value for c in ws[1]] == HEADER
    assert [c.value for c in ws[2]][2:6] == ["Wie bent u?", "Hoe zwaar is de zorg voor uw naaste?",
                                            "In welke wijk woont u?", "Wat kan er beter?"]
    assert ws.freeze_panes == "A3"
    assert "Verplicht" in ws["C1"].comment.text and "Mantelzorger" in ws["C1"].comment.text
    # choice columns get a drop-down list from the hidden sheet
    validations = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "C3" in validations and "Keuzes" in validations["C3"]
    assert [c.value for c in wb["Keuzes"]["C"] if c.value] == ["Inwoner", "Cliënt", "Mantelzorger"]


def test_uitleg_explains_each_column_in_dutch():
    wb = load_workbook(io.BytesIO(template_xlsx(DEF.title, QUESTIONS, HOODS, GROUPS)))
    rows = [r for r in wb["Uitleg"].iter_rows(values_only=True)]
    text = "\n".join(str(c) for r in rows for c in r if c)
    assert "puntkomma (;)" in text and "31-12-2026" in text and "Nu invoeren" in text
    by_column = {r[0]: r for r in rows if r[0] in HEADER}
    assert set(by_column) == set(HEADER)
    assert by_column["tevreden"][3] == ("Een heel getal van 1 tot en met 5. 1 = Heel ontevreden. "
                                        "5 = Heel tevreden.")
    assert "Eén van: Inwoner, Cliënt, Mantelzorger" in by_column["rol"][3]
    assert by_column["rol"][2] == "ja" and by_column["wijk"][2] == "nee"
    assert by_column["zwaarte"][5] == "Alleen als in kolom 'rol' staat: Mantelzorger"
    assert "puntkomma" in by_column["belangrijk"][3] and "belangrijk:anders" in by_column["belangrijk"][3]
    assert "belangrijkste eerst" in by_column["volgorde"][3]
    assert by_column["toestemming"][3] == "Schrijf ja of nee."


def test_csv_template_is_utf8_with_bom_and_semicolons():
    data = template_csv(QUESTIONS)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ";".join(HEADER)
    assert lines[1].split(";")[2] == "Wie bent u?"
    assert [c.name for c in template_columns(QUESTIONS)] == HEADER


# -- round trip ---------------------------------------------------------------------------------------

def test_filled_template_round_trip():
    result = check(filled_template(
        GOOD,
        ["2", "", "inwoner", "", "Keizerslanden", "De taxi is te laat.", "", "", "boodschappen", "", "ja"],
        [None] * len(HEADER),  # empty rows are skipped
        ["3", "12-06-2019"],   # a numbered form with nothing typed in yet
    ))
    assert result.ok, texts(result.errors)
    assert result.rows_read == 2 and result.empty_rows == 1 and result.duplicates == 0
    first, second = result.rows
    assert first.number == 3 and first.reference == "1" and first.filled_on == date(2019, 5, 3)
    assert first.answers == {
        "rol": ("mantelzorger", None), "zwaarte": ("zwaar", None), "wijk": ("Bathmen", None),
        "beter": (None, "Meer hulp dichtbij."), "tevreden": (4, None),
        "belangrijk": (["hulp_dichtbij", "minder_regels"], None),
        "volgorde": (["snelheid", "deskundigheid"], None), "toestemming": (True, None)}
    # text at "anders" means "anders" was chosen
    assert second.answers["belangrijk"] == (["anders"], "boodschappen")
    assert len(first.key) == 64 and first.key != second.key
    assert result.warnings == []


def test_labels_codes_and_case_give_the_same_row_key():
    a = check(filled_template(row(rol="Mantelzorger", belangrijk="Hulp dichtbij; Minder regels")))
    b = check(filled_template(row(rol="  mantelzorger ", belangrijk="minder_regels;HULP DICHTBIJ")))
    assert a.rows[0].key == b.rows[0].key
    c = check(filled_template(row(volgnummer="2")))
    assert c.rows[0].key != a.rows[0].key  # the volgnummer keeps two identical forms apart


# -- errors, each with its Dutch message, row and column --------------------------------------------------

@pytest.mark.parametrize("changes, expected", [
    ({"rol": "mantelzorgr"},
     "Rij 3, kolom 'rol': 'mantelzorgr' is geen keuze. Kies uit: Inwoner, Cliënt, Mantelzorger."),
    ({"zwaarte": "heel zwaar"}, "Rij 3, kolom 'zwaarte': 'heel zwaar' is geen keuze. Kies uit: Licht, Zwaar."),
    ({"wijk": "Colmschate"},
     "Rij 3, kolom 'wijk': 'Colmschate' is geen keuze. Kies uit: Binnenstad, Keizerslanden, Bathmen."),
    ({"tevreden": 7}, "Rij 3, kolom 'tevreden': '7' past niet. Schrijf een heel getal van 1 tot en met 5."),
    ({"tevreden": "veel"}, "Rij 3, kolom 'tevreden': 'veel' past niet. Schrijf een heel getal van 1 tot en met 5."),
    ({"belangrijk": "Hulp dichtbij; Geld"},
     "Rij 3, kolom 'belangrijk': 'Geld' is geen keuze. Kies uit: Hulp dichtbij, Minder regels, anders."),
    ({"belangrijk": "anders"},
     "Rij 3, kolom 'belangrijk': hier is 'anders' gekozen. Schrijf in kolom 'belangrijk:anders' wat de "
     "deelnemer bedoelt."),
    ({"volgorde": "Snelheid; snelheid"},
     "Rij 3, kolom 'volgorde': 'snelheid' staat er twee keer in. Noem elke keuze maar één keer."),
    ({"volgorde": "Snelheid; Prijs"},
     "Rij 3, kolom 'volgorde': 'Prijs' is geen keuze. Kies uit: Snelheid, Vriendelijkheid, Deskundigheid."),
    ({"beter": ""}, "Rij 3, kolom 'beter': deze vraag is verplicht, maar de cel is leeg. De vraag is: "
                    "'Wat kan er beter?'."),
    ({"zwaarte": ""}, "Rij 3, kolom 'zwaarte': deze vraag is verplicht, maar de cel is leeg. De vraag is: "
                      "'Hoe zwaar is de zorg voor uw naaste?'."),
    ({"toestemming": "nee"},
     "Rij 3, kolom 'toestemming': zonder toestemming ('ja') kunnen wij deze vragenlijst niet gebruiken. "
     "Schrijf ja als de deelnemer toestemming gaf, of laat de rij weg."),
    ({"toestemming": "misschien"}, "Rij 3, kolom 'toestemming': 'misschien' kunnen wij niet lezen. Schrijf ja of nee."),
    ({"datum": "31-13-2019"}, "Rij 3, kolom 'datum': '31-13-2019' is geen datum. Schrijf de datum als 31-12-2026."),
    ({"datum": "02-12-2026"}, "Rij 3, kolom 'datum': 02-12-2026 ligt in de toekomst. Controleer de datum."),
    ({"volgnummer": "x" * 65}, "Rij 3, kolom 'volgnummer': het volgnummer is te lang. Gebruik hoogstens 64 tekens."),
    ({"beter": "a" * 5001}, "Rij 3, kolom 'beter': het antwoord is te lang (5.001 tekens). Er mogen hoogstens "
                            "5.000 tekens in."),
    ({"rol": "Inwoner; Cliënt", "zwaarte": ""},
     "Rij 3, kolom 'rol': hier kan maar één antwoord. Er staan er meer: 'Inwoner; Cliënt'."),
])
def test_each_error_has_a_dutch_message_with_row_and_column(changes, expected):
    result = check(filled_template(row(**changes)))
    assert texts(result.errors) == [expected]
    assert not result.ok and result.rows == [] and result.rows_with_errors == 1


def test_errors_are_listed_per_row_in_column_order():
    result = check(filled_template(GOOD, row(rol="mantelzorgr", tevreden=9, beter="")))
    assert [(p.row, p.column) for p in result.errors] == [(4, "rol"), (4, "beter"), (4, "tevreden")]
    assert [r.number for r in result.rows] == [3]


def test_answers_to_questions_that_do_not_apply_are_dropped_with_a_warning():
    result = check(filled_template(row(rol="Inwoner", zwaarte="Licht")))
    assert result.ok
    assert "zwaarte" not in result.rows[0].answers
    assert texts(result.warnings) == [
        "Rij 3, kolom 'zwaarte': deze vraag geldt niet bij de andere antwoorden in deze rij (alleen als in "
        "kolom 'rol' staat: Mantelzorger). Het antwoord wordt niet ingevoerd."]
    # the key is that of the row without the dropped answer
    assert result.rows[0].key == check(filled_template(row(rol="Inwoner", zwaarte=""))).rows[0].key


def test_dates_and_numbers_as_excel_stores_them():
    result = check(filled_template(row(datum=date(2019, 5, 3), tevreden=4.0, volgnummer=17)))
    assert result.ok, texts(result.errors)
    assert result.rows[0].filled_on == date(2019, 5, 3)
    assert result.rows[0].answers["tevreden"] == (4, None) and result.rows[0].reference == "17"
    for written in ("2019-05-03", "3/5/2019", "03.05.2019"):
        assert check(filled_template(row(datum=written))).rows[0].filled_on == date(2019, 5, 3)


def test_scale_accepts_its_labels():
    assert check(filled_template(row(tevreden="Heel tevreden"))).rows[0].answers["tevreden"] == (5, None)


# -- CSV -----------------------------------------------------------------------------------------------------

def csv_bytes(delimiter: str, rows, *, bom=True, encoding="utf-8") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        writer.writerow(r)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_semicolons_commas_or_tabs(delimiter, bom):
    labels = [c.label for c in template_columns(QUESTIONS)]
    data = csv_bytes(delimiter, [HEADER, labels, row(belangrijk="Hulp dichtbij; Minder regels",
                                                   beter="Eén, twee; drie")], bom=bom)
    result = check(data, "antwoorden.csv")
    assert result.ok, texts(result.errors)
    assert result.rows[0].number == 3
    assert result.rows[0].answers["beter"] == (None, "Eén, twee; drie")
    assert result.rows[0].answers["belangrijk"] == (["hulp_dichtbij", "minder_regels"], None)
    assert result.rows[0].key == check(filled_template(row(beter="Eén, twee; drie"))).rows[0].key


def test_csv_template_filled_in_is_read_back():
    data = template_csv(QUESTIONS) + csv_bytes(";", [GOOD], bom=False)
    result = check(data, "sjabloon.csv")
    assert result.ok and len(result.rows) == 1


def test_csv_from_dutch_excel_in_windows_1252():
    data = csv_bytes(";", [HEADER, row(rol="Cliënt")], bom=False, encoding="cp1252")
    result = check(data, "antwoorden.csv")
    assert result.ok and result.rows[0].answers["rol"] == ("client", None)


# -- duplicates, limits and columns --------------------------------------------------------------------------------

def test_a_repeated_row_is_imported_once_with_a_warning():
    result = check(filled_template(GOOD, row(volgnummer="2"), GOOD))
    assert result.ok and [r.number for r in result.rows] == [3, 4] and result.duplicates == 1
    assert texts(result.warnings) == [
        "Rij 5: deze rij is gelijk aan rij 3. Hij wordt maar één keer ingevoerd. Zijn het twee verschillende "
        "formulieren? Geef ze dan elk een eigen volgnummer."]


def test_unknown_columns_are_a_warning_and_ignored():
    data = csv_bytes(";", [HEADER + ["opmerking", ""], GOOD + ["telefonisch, mevrouw X", "los"]])
    result = check(data, "a.csv")
    assert result.ok
    assert texts(result.warnings) == [
        "Kolom 'opmerking': deze kolom hoort niet bij deze vragenlijst. Wat erin staat, wordt niet ingevoerd.",
        "Rij 2: in kolom M staat iets, maar in rij 1 staat geen naam boven die kolom. Wat erin staat, "
        "wordt niet ingevoerd."]
    assert result.rows[0].key == check(csv_bytes(";", [HEADER, GOOD]), "a.csv").rows[0].key


def test_missing_optional_column_is_a_warning_missing_required_column_an_error():
    header = [h for h in HEADER if h != "wijk"]
    result = check(csv_bytes(";", [header, [v for h, v in zip(HEADER, GOOD) if h != "wijk"]]), "a.csv")
    assert result.ok and texts(result.warnings) == [
        "Kolom 'wijk': deze kolom ontbreekt in het bestand. Die vraag blijft leeg."]
    header = [h for h in HEADER if h not in ("beter", "toestemming")]
    with pytest.raises(BulkFileError, match="Deze kolommen ontbreken, maar de vragen zijn verplicht: "
                                            "'beter', 'toestemming'"):
        check(csv_bytes(";", [header]), "a.csv")


@pytest.mark.parametrize("data, name, message", [
    (b"naam;adres\r\nPiet;Dorpsstraat 1\r\n", "a.csv", "In rij 1 staan geen kolommen van deze vragenlijst"),
    (b"rol;rol\r\n", "a.csv", "Kolom 'rol' staat twee keer in rij 1"),
    (b"", "a.csv", "Het bestand is leeg"),
    (b"PK\x03\x04 this is no workbook", "a.xlsx", "Dit bestand kunnen wij niet lezen"),
    (b"%PDF-1.4 ...", "a.pdf", "Dit bestand kunnen wij niet lezen"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "oud.xls", r"oud Excel-bestand \(\.xls\)"),
])
def test_files_that_cannot_be_used(data, name, message):
    with pytest.raises(BulkFileError, match=message):
        check(data, name)


def test_file_size_and_row_limits(monkeypatch):
    with pytest.raises(BulkFileError, match="groter dan 5 MB"):
        check(b"rol\r\n" + b"x" * bulk.MAX_BYTES, "a.csv")
    monkeypatch.setattr(bulk, "MAX_ROWS", 3)
    labels = [c.label for c in template_columns(QUESTIONS)]
    ok = csv_bytes(";", [HEADER, labels] + [row(volgnummer=str(i)) for i in range(3)])
    assert len(check(ok, "a.csv").rows) == 3
    too_many = csv_bytes(";", [HEADER, labels] + [row(volgnummer=str(i)) for i in range(4)])
    with pytest.raises(BulkFileError, match="meer dan 3 rijen met antwoorden"):
        check(too_many, "a.csv")
    with pytest.raises(BulkFileError, match="meer dan 3 rijen met antwoorden"):
        check(filled_template(*[row(volgnummer=str(i)) for i in range(4)]))


def test_ten_thousand_rows_are_accepted_and_one_more_is_not():
    data = csv_bytes(";", [HEADER] + [row(volgnummer=str(i)) for i in range(bulk.MAX_ROWS)])
    result = check(data, "a.csv")
    assert result.ok and len(result.rows) == bulk.MAX_ROWS and len({r.key for r in result.rows}) == bulk.MAX_ROWS
    with pytest.raises(BulkFileError, match="meer dan 10.000 rijen"):
        check(data + csv_bytes(";", [row(volgnummer="x")], bom=False), "a.csv")


def test_zip_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(bulk, "MAX_UNPACKED_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", "a" * 100_000)
    with pytest.raises(BulkFileError, match="uitgepakt te groot"):
        check(out.getvalue())


def test_an_other_sheet_first_still_reads_antwoorden():
    wb = Workbook()
    wb.active.title = "Notities"
    ws = wb.create_sheet("Antwoorden")
    ws.append(HEADER)
    ws.append(GOOD)
    out = io.BytesIO()
    wb.save(out)
    result = check(out.getvalue())
    assert result.ok and result.rows[0].number == 2


# -- keeping the upload between dry run and import -------------------------------------------------------------------

def test_pending_uploads_are_private_and_expire(tmp_path):
    store = PendingUploads(tmp_path / "bulk")
    token = store.save(b"data", {"survey": 1})
    data_file = tmp_path / "bulk" / f"{token}.upload"
    assert oct(data_file.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "bulk").stat().st_mode & 0o777) == "0o700"
    assert store.load(token) == (b"data", {"survey": 1})
    with pytest.raises(KeyError):
        store.load("../../etc/passwd")
    with pytest.raises(KeyError):
        store.load("x" * 43)
    old = time.time() - store.max_age - 10
    os.utime(data_file, (old, old))
    with pytest.raises(KeyError):
        store.load(token)
    assert not data_file.exists()
    other = store.save(b"more", {})
    for path in (tmp_path / "bulk").iterdir():
        os.utime(path, (old, old))
    assert store.purge() == 2 and not any((tmp_path / "bulk").iterdir())
    store.delete(other)  # already gone: no error


def test_bulk_and_rules_load_neither_flask_nor_consult():
    """surveys.bulk runs anywhere (a script, a job): it needs no web layer and no database."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys, surveys.bulk, surveys.rules\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_wtf', 'werkzeug', 'consult',"
            " 'sqlalchemy'))\n"
            "print(bad)\nsys.exit(1 if bad else 0)\n")
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_wrong_answer_to_a_question_that_does_not_apply_is_no_error():
    result = check(filled_template(row(rol="Inwoner", zwaarte="heel zwaar")))
    assert result.ok and "zwaarte" not in result.rows[0].answers
    assert [(p.row, p.column) for p in result.warnings] == [(3, "zwaarte")]


def test_texts_from_the_survey_are_never_formulas_in_the_template():
    survey = parse_definition({"slug": "s", "title": "T", "sections": [{"questions": [
        {"key": "a", "type": "single_choice", "label": "=HYPERLINK(\"http://x\")", "choices": ["=1+1", "b"]}]}]})
    wb = load_workbook(io.BytesIO(template_xlsx("T", survey.questions, [], [])))
    assert wb["Antwoorden"]["C2"].data_type == "s" and wb["Antwoorden"]["C2"].value.startswith("=HYPERLINK")
    assert all(c.data_type != "f" for sheet in wb for r in sheet.iter_rows() for c in r)
    header, labels = template_csv(survey.questions).decode("utf-8-sig").splitlines()[:2]
    assert "'=HYPERLINK" in labels and not any(cell.startswith("=") for cell in labels.split(";"))
