"""Text extraction from uploaded notes: .txt, .md, .docx and .pdf (no Flask imports).

The type is decided by the content, never by the file name: ``%PDF-`` for PDF, a zip
archive containing ``word/document.xml`` for DOCX, and valid UTF-8 (or Windows-1252)
text without control bytes for plain text and Markdown. Encrypted, malformed and
zip-bomb documents raise :class:`ExtractionError` with a Dutch message for the user.

Size is bounded at every step, so that an upload of any accepted size finishes or fails
cleanly: a DOCX's declared uncompressed sizes are checked before anything is inflated,
its ``word/document.xml`` is inflated and parsed as a stream (never held whole, neither
as bytes nor as a tree), a PDF may have at most :data:`MAX_PDF_PAGES` pages, and no
document may give more than :data:`MAX_TEXT_CHARS` characters of text (reading stops as
soon as that is passed).
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

__all__ = ["ExtractionError", "Extracted", "extract_text", "normalise_text", "sniff"]

MAX_UNZIPPED = 100 * 1024 * 1024   # total uncompressed size of a DOCX
MAX_RATIO = 200                    # uncompressed / compressed size per member
MAX_MEMBERS = 2000
MAX_PDF_PAGES = 500
#: Most characters of text one upload may give: about 600 pages of dense notes, far
#: more than any meeting report, and what segmentation handles well within a job.
MAX_TEXT_CHARS = 2_000_000


class ExtractionError(ValueError):
    """The upload cannot be used; the message is Dutch and tells the user what to do."""


def _dutch_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _too_much_text() -> ExtractionError:
    return ExtractionError(f"Dit bestand bevat meer dan {_dutch_number(MAX_TEXT_CHARS)} tekens tekst; "
                           "zoveel kunnen wij niet in één keer verwerken. Splits het bestand in kleinere "
                           "delen en voeg die apart toe.")


@dataclass(frozen=True)
class Extracted:
    text: str
    media_type: str
    kind: str  # "txt" | "md" | "docx" | "pdf"


def sniff(data: bytes, filename: str = "") -> str:
    """The kind of document by its content: ``pdf``, ``docx``, ``md`` or ``txt``."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ExtractionError("Dit is een oud Word-bestand (.doc). Sla het op als .docx of als PDF "
                              "en probeer het opnieuw.")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError("Dit bestand is geen tekst, Word-bestand (.docx) of PDF. "
                              "Kies een ander bestand.")
    return "md" if filename.lower().endswith((".md", ".markdown")) else "txt"


def normalise_text(text: str) -> str:
    """Unicode NFC, Unix line ends, no control characters, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip() + "\n" if text.strip() else ""


def _decode(data: bytes) -> str:
    """Decode with the pipeline's rules (UTF-8/UTF-16 BOMs, else UTF-8, else cp1252), and
    refuse text that is mostly undecodable bytes rather than store garbage."""
    from analysis.nlp import decode_bytes

    text = decode_bytes(data)
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise ExtractionError("De tekens in dit bestand zijn niet te lezen. Sla het op als UTF-8-tekst "
                              "of als Word-bestand en probeer het opnieuw.")
    return text


def _markdown_to_text(text: str) -> str:
    """Keep the words, drop Markdown markup that would end up in segments."""
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)          # headings
        line = re.sub(r"^\s{0,3}>\s?", "", line)                # quotes
        line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)   # images
        line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)    # links
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)         # bold
        line = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", line)  # italics
        line = re.sub(r"`([^`]*)`", r"\1", line)
        if re.fullmatch(r"\s*([-*_]\s*){3,}", line):
            line = ""
        out.append(line)
    return "\n".join(out)


def _check_zip(zf: zipfile.ZipFile, compressed_size: int) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ExtractionError("Dit Word-bestand bevat te veel onderdelen. Het lijkt beschadigd.")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ExtractionError("Dit Word-bestand is beveiligd met een wachtwoord. Haal de beveiliging "
                                  "eraf en probeer het opnieuw.")
        total += info.file_size
        if info.file_size > MAX_UNZIPPED or total > MAX_UNZIPPED or (
                info.compress_size and info.file_size / info.compress_size > MAX_RATIO
                and info.file_size > 10 * 1024 * 1024):
            raise ExtractionError("Dit bestand pakt uit tot iets veel groters dan het is. "
                                  "Uit veiligheid is het geweigerd.")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _BoundedReader:
    """A file object over one zip member that refuses to inflate more than ``limit`` bytes
    (lying headers included)."""

    def __init__(self, fh, limit: int):
        self._fh, self._left = fh, limit

    def read(self, n: int = -1) -> bytes:
        want = self._left + 1 if n is None or n < 0 else min(n, self._left + 1)
        data = self._fh.read(want)
        self._left -= len(data)
        if self._left < 0:
            raise ExtractionError("Dit bestand pakt uit tot iets veel groters dan het is. "
                                  "Uit veiligheid is het geweigerd.")
        return data


def _docx(data: bytes) -> str:
    """Paragraphs, list items and table rows of the main document part.

    ``word/document.xml`` is inflated with a hard size cap and parsed as a stream with the
    standard library (expat guards against entity expansion); every paragraph or table is
    turned into text and dropped from the tree as soon as it is complete, and reading stops
    once the text passes :data:`MAX_TEXT_CHARS`.  A zip bomb, an XML bomb or a document
    with millions of paragraphs cannot exhaust memory or time.
    """
    import xml.etree.ElementTree as ET

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractionError("Dit Word-bestand is beschadigd. Sla het opnieuw op en probeer het nog eens.") from None
    with zf:
        _check_zip(zf, len(data))
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            if "EncryptedPackage" in names:
                raise ExtractionError("Dit Word-bestand is beveiligd met een wachtwoord.")
            raise ExtractionError("Dit zip-bestand is geen Word-document (.docx).")
        out: list[str] = []
        size = 0
        previous_list = False
        body = None
        try:
            with zf.open("word/document.xml") as fh:
                path: list[str] = []
                for event, elem in ET.iterparse(_BoundedReader(fh, MAX_UNZIPPED // 2), events=("start", "end")):
                    if event == "start":
                        path.append(elem.tag)
                        if len(path) == 2 and elem.tag == f"{_W}body":
                            body = elem
                        continue
                    path.pop()
                    if body is None or len(path) != 2 or path[1] != f"{_W}body":
                        continue
                    for text, is_list in _docx_blocks(elem):
                        if not text.strip():
                            continue
                        if not (is_list and previous_list) and out:
                            out.append("")   # paragraphs are separate blocks for the segmenter
                        line = ("- " + text.strip()) if is_list else text
                        out.append(line)
                        size += len(line) + 1
                        previous_list = is_list
                    body.clear()         # the finished paragraph or table: done with it
                    if size > MAX_TEXT_CHARS:
                        raise _too_much_text()
        except ExtractionError:
            raise
        except Exception:  # noqa: BLE001 - zlib, CRC, XML errors: all mean "damaged"
            raise ExtractionError("Dit Word-bestand is beschadigd en kan niet worden gelezen.") from None
    if body is None:
        raise ExtractionError("Dit Word-bestand is beschadigd en kan niet worden gelezen.")
    return "\n".join(out)


def _docx_blocks(block):
    """(text, is_list_item) of one child of ``w:body``: a paragraph, or a table's rows."""
    if block.tag == f"{_W}p":
        style = block.find(f"{_W}pPr/{_W}pStyle")
        is_list = block.find(f"{_W}pPr/{_W}numPr") is not None or (
            style is not None and "List" in (style.get(f"{_W}val") or ""))
        yield _para_text(block), is_list
    elif block.tag == f"{_W}tbl":
        for row in block.iter(f"{_W}tr"):
            cells = [" ".join(_para_text(p) for p in cell.iter(f"{_W}p")).strip()
                     for cell in row.iter(f"{_W}tc")]
            if any(cells):
                yield " | ".join(cells), False


def _para_text(p) -> str:
    out = []
    for node in p.iter():
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append("\t")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return "".join(out)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ExtractionError("Deze PDF is beveiligd met een wachtwoord. Haal de beveiliging eraf "
                                  "en probeer het opnieuw.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(f"Deze PDF heeft {len(reader.pages)} pagina's; wij verwerken er hoogstens "
                                  f"{MAX_PDF_PAGES} in één keer. Splits het bestand in kleinere delen en "
                                  "voeg die apart toe.")
        pages = []
        size = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            size += len(pages[-1]) + 2
            if size > MAX_TEXT_CHARS:
                raise _too_much_text()
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, OSError, zipfile.BadZipFile):
        raise ExtractionError("Deze PDF is beschadigd en kan niet worden gelezen.") from None
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on malformed input
        raise ExtractionError("Deze PDF kan niet worden gelezen.") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise ExtractionError("In deze PDF staat geen tekst die wij kunnen lezen (misschien is het een scan). "
                              "Plak de tekst in het tekstvak of lever een Word-bestand aan.")
    return text


def extract_text(data: bytes, filename: str = "") -> Extracted:
    """Extract and normalise the text of an uploaded document."""
    if not data:
        raise ExtractionError("Het bestand is leeg.")
    kind = sniff(data, filename)
    if kind == "pdf":
        text, media_type = _pdf(data), "application/pdf"
    elif kind == "docx":
        text = _docx(data)
        media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    elif kind == "md":
        text, media_type = _markdown_to_text(_decode(data)), "text/markdown"
    else:
        text, media_type = _decode(data), "text/plain"
    if len(text) > 2 * MAX_TEXT_CHARS:
        # refused before normalising, which costs time and only drops control characters,
        # trailing spaces and extra blank lines
        raise _too_much_text()
    text = normalise_text(text)
    if len(text) > MAX_TEXT_CHARS:
        raise _too_much_text()
    if not text:
        raise ExtractionError("In dit bestand staat geen tekst.")
    return Extracted(text=text, media_type=media_type, kind=kind)
