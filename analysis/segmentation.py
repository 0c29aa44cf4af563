"""Split survey answers and meeting notes into codable segments.

:func:`segment_text` returns :class:`Segment` objects whose ``start``/``end`` are
character offsets into the ORIGINAL text, also when the Dutch normaliser
(:func:`analysis.nlp.normalise.normalise`: hyphenation, page furniture, bullets, quotes,
whitespace) changed it: offsets go back through its ``to_original`` mapping.  A
segment's ``text`` is the NORMALISED text (what is coded and shown); ``source[start:end]``
is the original passage (what is highlighted).

How a text is cut:

1. blocks: blank lines separate paragraphs; every line that starts with a list marker
   (``-``, ``*``, ``•``, ``1.``, ``a)``...) is a block of its own (a bullet), and so is
   every line of a block that consists only of short lines (a list without markers);
2. blocks are split into sentences by the pipeline's sentence boundaries;
3. headings are not segments: a short single-line block (at most ``heading_words``
   words) that ends in ``:`` or ``?`` or has no final punctuation and is followed by
   more text (``"Wat gaat goed?"``, ``"Knelpunten"``) is dropped as a segment and
   given to the following segments as their ``heading`` until the next heading; so is a
   numbered one with its text on the next line (``"1. Eenzaamheid"``), where numbered
   lines one under the other stay a list;
   a table or group heading (:func:`table_label`: ``"Tafel 3"``, ``"Groep B"``,
   ``"Tafel 1 – mantelzorgers"``, ``"Tafel 2: ouderen"``, ``"Groep 3 (jongeren)"``,
   ``"Tafel mantelzorg"``, ``"Mantelzorgtafel"``) also becomes the ``group`` of every
   segment after it, through sub-headings, until the next table or group heading; such a
   line is never a segment, also where it is no heading (the last line, a bullet, a line
   inside a paragraph: a table line there starts a block of its own);
   notes furniture (:func:`is_furniture_line`: the document's title line, "Aanwezig: …",
   "Datum: …", "Gespreksleider: …" and similar lines) is kept as a segment of its own
   with ``kind="furniture"``: shown with the notes, never coded; so is a document's own
   furniture (:func:`analysis.coding.base.is_document_furniture`: a table of contents,
   kept together as one segment also across numbered lines, a caption, which is no
   heading, a bibliography entry, a council document's header block);
4. fragments of fewer than ``min_words`` words are merged with the next sentence of the same
   block (or with the previous one at the end of a block); bullets are never merged
   with each other;
5. segments longer than ``max_chars`` are split at ``;`` / ``:`` or commas, else at the
   last space before the limit.

Texts of any length are accepted: they are handled in sections of at most
:data:`SECTION_CHARS` characters cut at blank lines (normalised, cut into blocks and
parsed one section at a time), with headings and table/group labels carried over.

``kind="answer"`` (a survey answer) applies the same steps except heading detection:
a short answer such as ``"Meer buurthuizen"`` is itself a segment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.coding.base import is_caption, is_contents_line, is_document_furniture
from analysis.nlp import _split_points as _section_bounds  # process_long's chunker
from analysis.nlp import get_nlp
from analysis.nlp.markers import LIST_MARKER
from analysis.nlp.normalise import normalise

__all__ = ["Segment", "segment_text", "table_label", "is_furniture_line"]

_END_PUNCT = ".!;…\"'”’)"
#: The words that name a table or group at a meeting: "Tafel", "Gesprekstafel",
#: "Werkgroep", "Deelsessie", and compounds such as "Mantelzorgtafel" (not
#: "Keukentafel": that is the Wmo conversation at home). Never a plural ("Groepen").
_TABLE_WORD = (r"(?:(?!keuken)[a-zà-ÿ]{3,20}?tafel|tafel|(?:sub|werk|gespreks|focus|deel|praat|thema)?groep"
               r"|deelsessie)(?=[\s\d:–—,|/(-]|$)")
#: A number or letter after it: "3", "2a", "B", "IV", "nr. 2".
_TABLE_ID = r"(?:nr\.?\s*)?(?:\d{1,2}[a-z]?|[A-Z]|[IVX]{1,4})(?![\w])"
_NAME_WORD = r"[^\W\d_][\w'’&-]*"
#: "Tafel 3", "Groep B", "Gesprekstafel B".
_TABLE_BARE = re.compile(rf"^{_TABLE_WORD}(?:\s*{_TABLE_ID})?$", re.IGNORECASE)
#: "Tafel mantelzorg", "Tafel 1 mantelzorgers", "Groep wonen en zorg" (1 to 4 words).
_TABLE_NAMED = re.compile(rf"^{_TABLE_WORD}(?:\s*{_TABLE_ID})?((?:\s+{_NAME_WORD}){{1,4}})$", re.IGNORECASE)
#: "Tafel 1 – mantelzorgers", "Tafel 2: ouderen", "Werkgroep wonen: jongeren", "Tafel A, ouderen".
_TABLE_DESCRIBED = re.compile(
    rf"^{_TABLE_WORD}(?:\s*{_TABLE_ID})?(?:\s+{_NAME_WORD}){{0,3}}\s*[:–—,|/-]\s*(\S.*)$", re.IGNORECASE)
#: "Groep 3 (jongeren)", "Tafel 4 (mantelzorgers en vrijwilligers)".
_TABLE_PAREN = re.compile(
    rf"^{_TABLE_WORD}(?:\s*{_TABLE_ID})?(?:\s+{_NAME_WORD}){{0,3}}\s*\([^()]{{1,80}}\)$", re.IGNORECASE)
#: Markup around a heading that is no part of its words: "**Tafel 1**", "# Tafel 2", "_Groep B_".
_MARKUP = re.compile(r"^[#*_\s]+|[*_\s]+$")
#: Finite verbs that make "Groep 3: ouderen willen hulp" a sentence about a group, not
#: its label, where the line is no heading.
_VERBS = frozenset("""is zijn was waren wil willen wilde wilden vindt vinden vond vonden heeft hebben had
hadden moet moeten kan kunnen zegt zeggen zei zeiden wordt worden gaat gaan mist missen vraagt vragen
wenst wensen maakt maken ziet zien krijgt krijgen komt komen doet doen staat staan voelt voelen
ervaart ervaren geeft geven""".split())
#: Lines about the meeting rather than what was said: who was there, when, where, who
#: led it, who to contact ("Aanwezig: 24 bewoners", "Datum en tijd: ...", "Contact voor
#: vervolg: ..."). They are notes furniture.
_META = re.compile(
    r"^\s*(?:aanwezig(?:en)?|afwezig(?:en)?|afgemeld|afmeldingen|deelnemers|aantal\s+(?:deelnemers|aanwezigen)"
    r"|datum|tijd|tijdstip|plaats|locatie|gespreksleid(?:er|ster|ing)|voorzitter|notulist|notulen"
    r"|verslaglegging|facilitator|begeleiding|organisatie|contact(?:persoon)?)"
    r"(?:\s+(?:en|voor|van|de|het|namens|vervolg|tijd|datum|plaats|locatie|bijeenkomst|gemeente)){0,3}\s*:",
    re.IGNORECASE)
#: Longest table/group label kept (the width of ``Segment.group_label``).
MAX_LABEL = 120
#: Long texts are normalised and parsed in sections of at most this many characters, cut
#: at blank lines (else at a sentence end, else at a space), so that no spaCy ``Doc``
#: comes near ``nlp.max_length`` (spaCy's E088) and memory does not grow with one big
#: Doc or one big offset map.  Headings and table/group labels carry over sections;
#: running headers and footers (see analysis.nlp.normalise) are recognised within a
#: section, some 30 pages, which is where they repeat.
SECTION_CHARS = 100_000
#: Components that do not decide sentence boundaries: left out while segmenting.
_NOT_FOR_SENTENCES = frozenset({"morphologizer", "tagger", "attribute_ruler", "lemmatizer",
                                "trainable_lemmatizer", "consult_lemma_fallback", "ner"})


@dataclass(frozen=True)
class Segment:
    text: str            # normalised text of the segment
    start: int           # character offsets into the original source text
    end: int
    position: int        # 0-based order within the source
    heading: str | None = None   # the heading this segment falls under (notes)
    group: str = ""              # the table/group at the meeting (notes), see table_label()
    kind: str = "sentence"       # "sentence" | "bullet" | "furniture" (notes furniture: never coded)


@dataclass
class _Piece:
    start: int
    end: int
    bullet: bool
    block: int
    furniture: bool = False


def _blocks(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_bullet) blocks in ``text`` (offsets into ``text``)."""
    lines = []
    pos = 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    blocks: list[tuple[int, int, bool]] = []
    para: list[tuple[int, int]] = []

    def flush():
        # A table/group line or a furniture line inside a paragraph ("Tafel 2: ouderen",
        # "Aanwezig: ...") is a block of its own: typed notes often have no blank lines.
        run: list[tuple[int, int]] = []
        lines_of_para = list(para)
        para.clear()
        contents = _contents_runs(lines_of_para)
        for i, (s, e) in enumerate(lines_of_para):
            line = text[s:e]
            if i in contents:           # three or more contents lines in a row: a block of their own
                para.extend(run)
                flush_run()
                run = []
                if contents[i] is not None:     # contents, or a list such as a tally
                    para.extend(lines_of_para[i:contents[i] + 1])
                    flush_run()
                continue
            if len(lines_of_para) > 1 and (table_label(line, heading=False) or is_furniture_line(line)):
                para.extend(run)
                flush_run()
                run = []
                blocks.append((s, e, False))
            else:
                run.append((s, e))
        para.extend(run)
        flush_run()

    def _contents_runs(lines: list[tuple[int, int]]) -> dict[int, int | None]:
        """Line index -> the last line index of the run of three or more contents lines it
        starts (None for the run's other lines)."""
        out: dict[int, int | None] = {}
        i = 0
        while i < len(lines):
            j = i
            while j < len(lines) and is_contents_line(text[lines[j][0]:lines[j][1]]):
                j += 1
            if j - i >= 3:
                out[i] = j - 1
                out.update({k: None for k in range(i + 1, j)})
                i = j
            else:
                i += 1
        return out

    def flush_run():
        if not para:
            return
        if len(para) > 1 and is_document_furniture(text[para[0][0]:para[-1][1]]):
            blocks.append((para[0][0], para[-1][1], False))    # a table of contents, a table
            para.clear()
            return
        first = text[para[0][0]:para[0][1]].strip()
        if len(para) > 1 and _is_heading(first, 8) and text[para[1][0]:para[1][1]].lstrip()[:1].isupper():
            blocks.append((para[0][0], para[0][1], False))    # a heading line on top
            del para[0]
        short = len(para) > 1 and all(e - s <= 60 and text[s:e].lstrip()[:1].isupper() for s, e in para)
        if short:   # a list written without markers: one block per line
            blocks.extend((s, e, True) for s, e in para)
        else:
            blocks.append((para[0][0], para[-1][1], False))
        para.clear()

    for k, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip():
            flush()
            continue
        m = LIST_MARKER.match(line)
        if m and len(line.strip()) > len(m.group(0).strip()) and not (
                para and is_contents_line(line) and is_contents_line(text[para[-1][0]:para[-1][1]])):
            # ("2. Aanleiding 5" among contents lines is one of them, not a list item)
            flush()
            nxt = text[lines[k + 1][0]:lines[k + 1][1]] if k + 1 < len(lines) else ""
            if (m.group(0).strip()[:1].isdigit() and _is_heading(line[m.end():], 8)
                    and nxt.strip()[:1].isupper() and not LIST_MARKER.match(nxt)):
                # a numbered heading with its text under it ("1. Eenzaamheid" / "Veel ouderen
                # ..."), not a list item: the heading rules decide, as for an unnumbered one
                blocks.append((s + m.end(), e, False))
                continue
            blocks.append((s + m.end(), e, True))
        else:
            if blocks and blocks[-1][2] and not para and line[:1] in " \t":
                # an indented continuation of the previous bullet
                bs, _, _ = blocks.pop()
                blocks.append((bs, e, True))
                continue
            para.append((s, e))
    flush()
    out = []
    for s, e, b in blocks:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e, b))
    return out


def table_label(line: str, *, heading: bool = True) -> str | None:
    """The table/group label that a line names, trailing ``:`` dropped, or None.

    A bare or bracketed one (``"Tafel 3"``, ``"Groep B:"``, ``"Groep 3 (jongeren)"``) is
    a label anywhere. A named or described one (``"Tafel mantelzorg"``, ``"Tafel 1 –
    mantelzorgers"``, ``"Tafel 2: ouderen"``) is one as a ``heading``; as an ordinary line
    only when its description is short (at most three words), has no finite verb and no
    final punctuation: ``"Groep 3: ouderen willen meer hulp"`` is content, not a label.
    """
    if "\n" in line.strip():
        return None
    t = _MARKUP.sub("", line).strip()
    t = t[:-1].rstrip() if t.endswith(":") else t
    if not t or not re.match(_TABLE_WORD, t, re.IGNORECASE):
        return None
    if _TABLE_BARE.match(t) or _TABLE_PAREN.match(t):
        return t[:MAX_LABEL]
    m = _TABLE_DESCRIBED.match(t) or _TABLE_NAMED.match(t)
    if m is None:
        return None
    if not heading:
        words = re.findall(r"\w+", m.group(1))
        if len(words) > 3 or t.endswith(tuple(_END_PUNCT)) or any(w.lower() in _VERBS for w in words):
            return None
    return t[:MAX_LABEL]


def is_furniture_line(line: str) -> bool:
    """Whether a line is about the meeting rather than what was said ("Aanwezig: ...",
    "Datum: ...", "Gespreksleider: ..."): kept with the notes, never coded."""
    return "\n" not in line.strip() and bool(_META.match(line))


def _is_heading(text: str, max_words: int) -> bool:
    t = text.strip()
    if "\n" in t or not t:
        return False
    words = t.split()
    if len(words) > max_words:
        return False
    return t.endswith((":", "?")) or not t.endswith(tuple(_END_PUNCT)) and not t[-1].isdigit()


def _is_title(text: str) -> bool:
    """Whether the first line of notes reads as their title: one line of at most 15 words
    without a sentence end ("Verslag wijkbijeenkomst Keizerslanden, 21 mei 2019")."""
    t = text.strip()
    return "\n" not in t and 0 < len(t.split()) <= 15 and not t.endswith((".", "!", "?", "…", ";"))


def _words(text: str, piece: _Piece) -> int:
    return len(re.findall(r"\w+", text[piece.start:piece.end]))


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    out = []
    while end - start > max_chars:
        window = text[start:start + max_chars]
        cut = -1
        for pattern in (r"[;:]\s", r",\s", r"\s"):
            hits = [m.end() for m in re.finditer(pattern, window) if m.end() > max_chars // 3]
            if hits:
                cut = hits[-1]
                break
        if cut <= 0:
            cut = max_chars
        piece_end = start + cut
        s, e = start, piece_end
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((s, e))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        out.append((start, end))
    return out


def segment_text(text: str, *, kind: str = "notes", min_words: int = 4, max_chars: int = 600,
                 heading_words: int = 8) -> list[Segment]:
    """Split ``text`` into segments (see module docstring); empty input gives ``[]``.

    Any length is accepted: the text is handled in sections (see :data:`SECTION_CHARS`),
    so memory and the size of every spaCy ``Doc`` stay bounded.
    """
    if kind not in ("notes", "answer"):
        raise ValueError(f"kind must be 'notes' or 'answer', not {kind!r}")
    if not text or not text.strip():
        return []
    nlp = get_nlp()
    # normalising can lengthen a text (an ellipsis becomes "..."): stay far below max_length
    size = max(100, min(SECTION_CHARS, nlp.max_length // 4))
    disable = [name for name in nlp.pipe_names if name in _NOT_FOR_SENTENCES]
    segments: list[Segment] = []
    state = {"heading": None, "group": ""}
    edges: list[tuple[str, int, int]] = []   # heading-only sections, while there are no segments
    bounds = list(_section_bounds(text, size)) if len(text) > size else [(0, len(text))]
    for i, (start, end) in enumerate(bounds):
        more = i + 1 < len(bounds)
        norm = normalise(text[start:end])
        blocks = _blocks(norm.text)
        before = len(segments)
        _segment_section(norm, blocks, start, segments, state, nlp, disable, kind=kind,
                         min_words=min_words, max_chars=max_chars, heading_words=heading_words,
                         more_follows=more, first=i == 0)
        if not segments and blocks and kind == "notes":
            s, e = norm.to_original(blocks[0][0], blocks[-1][1])
            edges.append((norm.text[blocks[0][0]:blocks[-1][1]], start + s, start + e))
        elif len(segments) > before:
            edges.clear()
    if not segments and edges:
        # a text that is nothing but headings: keep it rather than lose it
        segments.append(Segment(text="\n\n".join(t for t, _, _ in edges), start=edges[0][1],
                                end=edges[-1][2], position=0))
    return segments


def _segment_section(norm, blocks, offset: int, segments: list[Segment], state: dict, nlp,
                     disable: list[str], *, kind: str, min_words: int, max_chars: int,
                     heading_words: int, more_follows: bool, first: bool = False) -> None:
    """Append the segments of one section (``norm``: its normalised text, ``offset``: where
    it starts in the full original text) to ``segments``; ``state`` carries the current
    heading and group from section to section; ``first``: this is the text's first
    section (its first line may be the document's title)."""
    ntext = norm.text

    # headings first, then one batch through the pipeline for the sentence boundaries
    heading_at: dict[int, str] = {}
    label_at: dict[int, str] = {}      # table/group lines: never segments (notes)
    furniture_at: set[int] = set()     # title and "Aanwezig: ..." lines: kept, never coded
    for bi, (bs, be, bullet) in enumerate(blocks):
        chunk = ntext[bs:be]
        if kind != "notes":
            continue
        if is_furniture_line(chunk):
            furniture_at.add(bi)
            continue
        followed = bi + 1 < len(blocks) or more_follows
        if not bullet and followed and _is_heading(chunk, heading_words) and not is_caption(chunk):
            heading_at[bi] = chunk.strip()     # a figure's caption heads nothing: it is furniture
        label = table_label(chunk, heading=bi in heading_at)
        if label is not None:
            label_at[bi] = label
        elif not bullet and bi not in heading_at and is_document_furniture(chunk):
            furniture_at.add(bi)     # a list item stays a segment: "Vervoer ....... 12" in a tally
        elif first and bi == 0 and not bullet and followed and bi not in heading_at and _is_title(chunk):
            furniture_at.add(bi)
    prose = [bi for bi, (_, _, bullet) in enumerate(blocks)
             if not bullet and bi not in heading_at and bi not in label_at and bi not in furniture_at]
    sentences: dict[int, list[tuple[int, int]]] = {}
    texts = (" ".join(ntext[blocks[bi][0]:blocks[bi][1]].split("\n")) for bi in prose)  # same length
    for bi, doc in zip(prose, nlp.pipe(texts, batch_size=64, disable=disable)):
        bs = blocks[bi][0]
        sentences[bi] = [(bs + s.start_char, bs + s.end_char) for s in doc.sents if s.text.strip()]

    pieces: list[_Piece] = []
    headings: dict[int, str] = {}      # index of first piece after a heading -> heading
    groups: dict[int, str] = {}        # index of first piece after a table/group line -> label
    for bi, (bs, be, bullet) in enumerate(blocks):
        if bi in label_at:
            groups[len(pieces)] = label_at[bi]
        if bi in heading_at:
            headings[len(pieces)] = heading_at[bi]
        if bi in heading_at or bi in label_at:
            continue
        if bi in furniture_at:
            pieces.append(_Piece(bs, be, bullet, bi, furniture=True))
            continue
        sents = [(bs, be)] if bullet else sentences[bi]
        block_pieces = [_Piece(s, e, bullet, bi) for s, e in sents]
        # merge short fragments within the block
        merged: list[_Piece] = []
        for p in block_pieces:
            if merged and _words(ntext, merged[-1]) < min_words and not bullet:
                merged[-1].end = p.end
            else:
                merged.append(p)
        if len(merged) > 1 and _words(ntext, merged[-1]) < min_words and not bullet:
            last = merged.pop()
            merged[-1].end = last.end
        pieces.extend(merged)
    heading, group = state["heading"], state["group"]
    for i, p in enumerate(pieces):
        heading = headings.get(i, heading)
        group = groups.get(i, group)
        for s, e in _split_long(ntext, p.start, p.end, max_chars):
            os_, oe = norm.to_original(s, e)
            if os_ >= oe:
                continue
            segments.append(Segment(text=ntext[s:e], start=offset + os_, end=offset + oe,
                                    position=len(segments), heading=heading, group=group,
                                    kind="furniture" if p.furniture else "bullet" if p.bullet else "sentence"))
    if pieces:
        state["heading"], state["group"] = heading, group
    # headings/labels after the last piece hold for the next section
    if len(pieces) in headings:
        state["heading"] = headings[len(pieces)]
    if len(pieces) in groups:
        state["group"] = groups[len(pieces)]

