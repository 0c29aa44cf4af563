"""Data exports of the demo: CSV, XLSX and a REFI-QDA project validated against the schema."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import func, select

from consult.demo import DEMO_SLUG
from consult.models.coding import ASSIGNMENT_STATUS_LABELS
from consult.models import AssignmentStatus, CodeAssignment, Consultation, Response, Segment, Survey
from consult.reporting import codebook_files, data_tables, get_consultation, qda_project
from exports.data import mask_same_length, write_csv, write_xlsx
from tests.exports.pii import EMAIL, PHONE
from exports.qdpx import NAMESPACE, write_qdpx

DATA = Path(__file__).parent / "data"
DEMO_PII = ("0570-123456", "p.smit@voorbeeld.nl", "06-12345678", "j.bakker@voorbeeld.nl")


@pytest.fixture(scope="module")
def schema():
    return xmlschema.XMLSchema(str(DATA / "Project.xsd"))


def _session(app):
    return app.extensions["consult.sessions"]()


def test_csv_and_xlsx_exports(demo_app, tmp_path):
    s = _session(demo_app)
    try:
        c = get_consultation(s, DEMO_SLUG)
        tables = data_tables(s, c)
        extra = codebook_files(c)
        n_responses = s.scalar(select(func.count(Response.id)).join(Survey).where(Survey.consultation_id == c.id))
        n_segments = s.scalar(select(func.count(Segment.id)).where(Segment.consultation_id == c.id))
        n_assignments = s.scalar(select(func.count(CodeAssignment.id)).join(Segment)
                                 .where(Segment.consultation_id == c.id))
        by_status = dict(s.execute(select(CodeAssignment.status, func.count(CodeAssignment.id))
                                   .join(Segment).where(Segment.consultation_id == c.id)
                                   .group_by(CodeAssignment.status)).all())
    finally:
        s.close()
    zpath = write_csv(tables, tmp_path / "data.zip", extra)
    with zipfile.ZipFile(zpath) as zf:
        names = set(zf.namelist())
        assert names == {"reacties.csv", "antwoorden.csv", "antwoorden_breed.csv", "antwoordcodes.csv",
                         "segmenten.csv", "coderingen.csv", "codeboek.csv", "codeboek.yaml", "codeboek.qdc"}
        rows = {n: list(csv.DictReader(io.StringIO(zf.read(n).decode("utf-8-sig"))))
                for n in names if n.endswith(".csv")}
        everything = "".join(zf.read(n).decode("utf-8-sig") for n in names)
    assert len(rows["reacties.csv"]) == len(rows["antwoorden_breed.csv"]) == n_responses == 250
    assert len(rows["segmenten.csv"]) == n_segments
    assert len(rows["coderingen.csv"]) == n_assignments
    assert len(rows["codeboek.csv"]) == 19
    statuses = {}
    for r in rows["coderingen.csv"]:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        assert r["herkomst"] in {"regel", "model", "persoon"}
    assert statuses == {ASSIGNMENT_STATUS_LABELS[k]: v for k, v in by_status.items()}
    # the demo's choices come out as labels, not as the stored codes that lose letters
    chosen = [r["antwoord"] for r in rows["antwoorden.csv"] if r["vraag"] == "belangrijk"]
    assert any("Eén vast aanspreekpunt" in a for a in chosen)
    assert not [r for r in rows["antwoorden.csv"] if "e_n_vast" in r["antwoord"] or "soms_zwaar" in r["antwoord"]]
    assert not [r for r in rows["antwoorden_breed.csv"] if "e_n_vast" in "".join(r.values())]
    assert any("Eén vast aanspreekpunt" in r["belangrijk"] for r in rows["antwoorden_breed.csv"])
    assert {r["label"] for r in rows["antwoordcodes.csv"] if r["code"] == "e_n_vast_aanspreekpunt"} == {
        "Eén vast aanspreekpunt"}
    assert "receipt" not in everything.lower() and "@voorbeeld.nl" not in everything
    for pii in DEMO_PII:
        assert pii not in everything

    xpath = write_xlsx(tables, tmp_path / "data.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(xpath, read_only=True)
    assert wb.sheetnames == ["Reacties", "Antwoorden", "Antwoorden breed", "Antwoordcodes", "Segmenten",
                             "Coderingen", "Codeboek"]
    assert wb["Reacties"].max_row == wb["Antwoorden breed"].max_row == 251
    assert wb["Coderingen"].max_row == n_assignments + 1


def test_refi_qda_project_is_valid_and_complete(demo_app, tmp_path, schema):
    s = _session(demo_app)
    try:
        c = get_consultation(s, DEMO_SLUG)
        project = qda_project(s, c)
        accepted = s.scalar(select(func.count(CodeAssignment.id)).join(Segment).where(
            Segment.consultation_id == c.id, CodeAssignment.status == AssignmentStatus.ACCEPTED))
        n_codes = len(c.codebook_version.codes)
    finally:
        s.close()
    path = write_qdpx(project, tmp_path / "demo.qdpx")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("project.qde").decode("utf-8")
        schema.validate(xml)  # raises when invalid
        sources = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("sources/")}
    import xml.etree.ElementTree as ET

    root = ET.fromstring(xml)
    ns = {"q": NAMESPACE}
    assert len(root.findall(".//q:CodeBook//q:Code", ns)) == n_codes
    codings = root.findall(".//q:PlainTextSelection/q:Coding", ns)
    assert len(codings) == accepted
    code_guids = {el.get("guid") for el in root.findall(".//q:Code", ns)}
    assert all(el.find("q:CodeRef", ns).get("targetGUID") in code_guids for el in codings)
    # every source file exists, and every selection lies inside its text and matches the segment
    for src in root.findall(".//q:TextSource", ns):
        path = "sources/" + src.get("plainTextPath").removeprefix("internal://")
        text = sources[path]
        for sel in src.findall("q:PlainTextSelection", ns):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert 0 <= start < end <= len(text)
    # personal data is masked with the same length, so offsets stay right
    for text in sources.values():
        assert not EMAIL.search(text) and not PHONE.search(text)
        assert "De Wit" not in text  # names too (the demo's notes mention "mevrouw De Wit")
    assert mask_same_length("bel 06-12345678 nu") == "bel xxxxxxxxxxx nu"


def test_refi_qda_selection_text_matches_segment(app, tmp_path, schema):
    """A hand-made consultation: the selection in the exported source is exactly the segment."""
    from consult.db import session_scope
    from tests.exports.helpers import build_small_consultation

    with session_scope(app.extensions["consult.sessions"]) as s:
        ids = build_small_consultation(s)
    s = _session(app)
    try:
        c = s.get(Consultation, ids["consultation"])
        project = qda_project(s, c)
        # masked like the source: every kind of personal data, same length
        seg_texts = {mask_same_length(s.get(Segment, i).text, kinds=None) for i in ids["coded_segments"]}
    finally:
        s.close()
    path = write_qdpx(project, tmp_path / "small.qdpx")
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("project.qde").decode("utf-8")
        schema.validate(xml)
        import xml.etree.ElementTree as ET

        root = ET.fromstring(xml)
        ns = {"q": NAMESPACE}
        found = set()
        for src in root.findall(".//q:TextSource", ns):
            text = zf.read("sources/" + src.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
            for sel in src.findall("q:PlainTextSelection", ns):
                found.add(text[int(sel.get("startPosition")):int(sel.get("endPosition"))])
    assert found == seg_texts
