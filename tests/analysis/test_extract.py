"""analysis.extract: text from uploaded notes (txt, md, docx, pdf), decided by content."""
from __future__ import annotations

import io
import zipfile

import docx
import pytest
from pypdf import PdfWriter

from analysis.extract import ExtractionError, extract_text, sniff


def _docx(*paragraphs, bullets=()) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    for b in bullets:
        d.add_paragraph(b, style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_extracts_docx_markdown_and_text():
    out = extract_text(_docx("Verslag", "Het vervoer is slecht.", bullets=("meer tijd", "minder regels")), "x.bin")
    assert out.kind == "docx" and out.text == "Verslag\n\nHet vervoer is slecht.\n\n- meer tijd\n- minder regels\n"
    md = extract_text(b"# Kop\n\nDit is **vet** en [een link](http://x).\n", "notes.md")
    assert md.kind == "md" and md.text == "Kop\n\nDit is vet en een link.\n"
    txt = extract_text("Caf\u00e9 in de wijk\r\n\r\n\r\n\r\nTweede alinea".encode("cp1252"), "notes.txt")
    assert txt.text == "Caf\u00e9 in de wijk\n\nTweede alinea\n"


def test_type_is_decided_by_content_not_name():
    assert sniff(b"%PDF-1.7 ...", "notes.txt") == "pdf"
    assert sniff(_docx("x"), "notes.pdf") == "docx"
    with pytest.raises(ExtractionError, match="geen tekst"):
        extract_text(b"MZ\x90\x00\x03\x00\x00\x00", "notes.txt")
    with pytest.raises(ExtractionError, match=r"\.doc"):
        extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "notes.docx")


def test_rejects_zip_bombs_encrypted_and_broken_documents():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<a>" + b"0" * (150 * 1024 * 1024) + b"</a>")
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(ExtractionError, match="veel groters"):
        extract_text(bomb.getvalue(), "bom.docx")
    not_word = io.BytesIO()
    with zipfile.ZipFile(not_word, "w") as z:
        z.writestr("readme.txt", "hallo")
    with pytest.raises(ExtractionError, match="geen Word-document"):
        extract_text(not_word.getvalue(), "x.docx")
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("geheim")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(ExtractionError, match="wachtwoord"):
        extract_text(encrypted.getvalue(), "x.pdf")
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.write(blank)
    with pytest.raises(ExtractionError, match="scan"):
        extract_text(blank.getvalue(), "scan.pdf")
    with pytest.raises(ExtractionError, match="beschadigd"):
        extract_text(b"%PDF-1.4\n%%garbage", "x.pdf")
    with pytest.raises(ExtractionError, match="leeg"):
        extract_text(b"", "x.txt")
