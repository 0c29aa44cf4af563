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


# --------------------------------------------------------------------------- size limits

def _text_pdf(*pages: str) -> bytes:
    """A PDF with one line of Helvetica text per page (what pypdf can extract)."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for text in pages:
        page = writer.add_blank_page(595, 842)
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 10 Tf 40 800 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _opened_members(monkeypatch) -> list:
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


def test_docx_with_more_text_than_the_limit_is_refused_in_dutch():
    from analysis.extract import MAX_TEXT_CHARS

    paragraph = "De wachtlijst voor dagbesteding is te lang voor veel bewoners. " * 135   # 8,505 chars
    data = _docx(*[paragraph] * (MAX_TEXT_CHARS // len(paragraph) + 2))
    with pytest.raises(ExtractionError, match=r"meer dan 2\.000\.000 tekens.*Splits het bestand"):
        extract_text(data, "verslag.docx")
    # just under the limit: read in full
    data = _docx(*[paragraph] * (MAX_TEXT_CHARS // len(paragraph) - 1))
    assert len(extract_text(data, "verslag.docx").text) > MAX_TEXT_CHARS - 2 * len(paragraph)


def test_large_docx_with_images_reads_only_the_text(monkeypatch):
    """A 13 MB Word file that is mostly pictures: only the text part is ever inflated."""
    base = _docx("Verslag", "Het vervoer is slecht.", bullets=("meer tijd",))
    big = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(big, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (13 * 4096))
    assert len(big.getvalue()) > 13 * 1024 * 1024
    opened = _opened_members(monkeypatch)
    out = extract_text(big.getvalue(), "verslag.docx")
    assert out.text == "Verslag\n\nHet vervoer is slecht.\n\n- meer tijd\n"
    assert opened == ["word/document.xml"]


def test_docx_tables_lists_and_many_paragraphs_keep_their_layout():
    d = docx.Document()
    d.add_paragraph("Tafel 1")
    table = d.add_table(rows=2, cols=2)
    for r, row in enumerate((("Thema", "Aantal"), ("Vervoer", "12"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for i in range(300):
        d.add_paragraph(f"Punt {i}", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    text = extract_text(buf.getvalue(), "x.docx").text
    assert text.startswith("Tafel 1\n\nThema | Aantal\n\nVervoer | 12\n\n- Punt 0\n- Punt 1\n")
    assert text.endswith("- Punt 299\n") and text.count("\n- Punt") == 300


def test_zip_bomb_is_refused_without_inflating_it(monkeypatch):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", b"<a>" + b"0" * (120 * 1024 * 1024) + b"</a>")
    assert len(bomb.getvalue()) < 1024 * 1024
    opened = _opened_members(monkeypatch)
    with pytest.raises(ExtractionError, match="veel groters"):
        extract_text(bomb.getvalue(), "bom.docx")
    assert opened == []


def test_lying_zip_header_cannot_inflate_past_the_cap(monkeypatch):
    import analysis.extract as extract

    monkeypatch.setattr(extract, "MAX_UNZIPPED", 64 * 1024)   # document.xml may inflate 32 KB
    data = _docx(*["Een alinea met wat tekst erin."] * 2000)       # document.xml is larger
    with pytest.raises(ExtractionError, match="veel groters"):
        extract_text(data, "x.docx")


def test_pdf_page_and_text_limits(monkeypatch):
    import analysis.extract as extract

    writer = PdfWriter()
    for _ in range(extract.MAX_PDF_PAGES + 1):
        writer.add_blank_page(200, 200)
    many = io.BytesIO()
    writer.write(many)
    with pytest.raises(ExtractionError, match=r"501 pagina's.*hoogstens 500.*Splits het bestand"):
        extract_text(many.getvalue(), "x.pdf")

    pdf = _text_pdf(*[f"Pagina {i}: de wachtlijst voor dagbesteding is te lang." for i in range(30)])
    assert "Pagina 29: de wachtlijst" in extract_text(pdf, "x.pdf").text
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 1_000)
    with pytest.raises(ExtractionError, match=r"meer dan 1\.000 tekens.*Splits het bestand"):
        extract_text(pdf, "x.pdf")


def test_text_file_over_the_limit_is_refused():
    from analysis.extract import MAX_TEXT_CHARS

    line = "Bewoners willen meer hulp dichtbij huis.\n"
    ok = line * (MAX_TEXT_CHARS // len(line))
    assert extract_text(ok.encode(), "notes.txt").text == ok
    with pytest.raises(ExtractionError, match=r"2\.000\.000 tekens"):
        extract_text((ok + line * 100).encode(), "notes.txt")
    with pytest.raises(ExtractionError, match=r"2\.000\.000 tekens"):
        extract_text((ok * 3).encode(), "notes.md")
