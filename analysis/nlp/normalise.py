"""Normalisation of text extracted from real documents (PDF, Word, web), with
an exact offset map back to the original text.

>>> n = normalise("De gemeente12 kan on-\\nder-\\nsteunen.")
>>> n.text
'De gemeente kan ondersteunen.'
>>> s, e = n.to_original(16, 28)
>>> "De gemeente12 kan on-\\nder-\\nsteunen."[s:e]
'on-\\nder-\\nsteunen'

What is done, in this order:

1. line ends ``\\r\\n``/``\\r`` -> ``\\n``, form feed (page break) -> ``\\n``;
   control characters, zero-width characters and soft hyphens are removed;
   NBSP and other Unicode spaces -> space; tabs -> space.
2. curly quotes and low quotes -> ``'`` / ``"``; ``«»`` -> ``"``; the
   ellipsis character -> ``...``.
3. page furniture: lines that are only a page number (``3``, ``- 4 -``,
   ``Pagina 3 van 12``, ``blz. 7``, ``3/12``) are removed, and so are
   *running headers/footers*: a line of at most 120 characters that occurs at
   least three times, at least twice next to (within two lines of) a page
   number line or page break.  Removing the line joins the sentence around it.
4. bullets at the start of a line (``•``, ``▪``, ``–``, ``*``, ``·``, ``o``+tab
   ...) -> ``- ``.
5. hyphenation across line ends (``kun-\\nnen``): the hyphen, line break and
   indentation are removed and the word joined (``kunnen``) when the next part
   starts with a lower-case letter, unless
   * the next word is ``en``/``of``/``tot`` (``zorg-\\nen welzijn`` is an
     elliptical compound: kept as ``zorg- en welzijn``),
   * the left part is an abbreviation/name (contains a capital after its first
     letter, is all capitals, or is a capitalised word of at most 4 letters:
     ``Wmo-\\nvoorziening`` -> ``Wmo-voorziening``), or
   * the hyphen separates two vowels (``zee-\\negel`` -> ``zee-egel``, Dutch
     spelling keeps that hyphen);
   in those cases only the line break is removed and the hyphen kept.  A
   hyphen followed by a *space* (``wijk- teams``, from PDF extraction) is only
   joined when the joined word is a known Dutch word.
6. footnote markers glued to a word: superscript digits are dropped, and 1-2
   digits after a lower-case word of 3+ letters followed by space/punctuation
   are dropped (``gemeente12 `` -> ``gemeente ``).  Words with capitals or
   digits inside (``Wmo2015``, ``COVID19``, ``mp3``) are left alone.
7. whitespace: runs of spaces collapse to one, spaces at line start/end are
   removed, three or more line breaks become two (one blank line).

Each character of ``.text`` knows the span of original characters it came
from; :meth:`NormalisedText.to_original` maps a span of the normalised text
back to the smallest original span that covers it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, List, Optional, Sequence, Tuple, Union

from .markers import BULLET_SYMBOLS

# pieces returned by a replacement function: str = new text (mapped to the
# whole match), (start, end) = keep those characters of the current text,
# (text, start, end) = new text mapped to the current-text span start..end
Piece = Union[str, Tuple[int, int], Tuple[str, int, int]]


@dataclass
class NormalisedText:
    text: str
    original: str
    _starts: List[int]
    _ends: List[int]

    def __len__(self) -> int:
        return len(self.text)

    def __str__(self) -> str:
        return self.text

    def to_original(self, start: int, end: Optional[int] = None) -> Tuple[int, int]:
        """Map ``text[start:end]`` to ``(orig_start, orig_end)`` in ``original``."""
        n = len(self.text)
        if end is None:
            end = start + 1 if start < n else start
        if start < 0 or end < start or end > n:
            raise IndexError(f"span ({start}, {end}) outside the normalised text (length {n})")
        if start == end:
            if start < n:
                p = self._starts[start]
            elif n:
                p = self._ends[-1]
            else:
                p = len(self.original)
            return p, p
        return self._starts[start], self._ends[end - 1]

    def original_text(self, start: int, end: int) -> str:
        s, e = self.to_original(start, end)
        return self.original[s:e]


class _Buf:
    """Text plus, for each character, the original span it stands for."""

    def __init__(self, text: str):
        self.text = text
        self.starts = list(range(len(text)))
        self.ends = list(range(1, len(text) + 1))

    def sub(self, pattern: "re.Pattern", fn: Callable[["re.Match"], Optional[Sequence[Piece]]]) -> None:
        text, starts, ends = self.text, self.starts, self.ends
        out: List[str] = []
        ns: List[int] = []
        ne: List[int] = []
        pos = 0
        changed = False
        for m in pattern.finditer(text):
            pieces = fn(m)
            if pieces is None:
                continue
            changed = True
            a, b = m.span()
            out.append(text[pos:a])
            ns.extend(starts[pos:a])
            ne.extend(ends[pos:a])
            if a < b:
                ms, me = starts[a], ends[b - 1]
            else:  # empty match: zero-width original position
                ms = me = starts[a] if a < len(text) else (ends[-1] if ends else 0)
            for piece in pieces:
                if isinstance(piece, tuple) and len(piece) == 3:
                    new, s, e = piece
                    if not new:
                        continue
                    out.append(new)
                    ps, pe = starts[s], ends[e - 1]
                    ns.extend([ps] * len(new))
                    ne.extend([pe] * len(new))
                elif isinstance(piece, tuple):
                    s, e = piece
                    out.append(text[s:e])
                    ns.extend(starts[s:e])
                    ne.extend(ends[s:e])
                elif piece:
                    out.append(piece)
                    ns.extend([ms] * len(piece))
                    ne.extend([me] * len(piece))
            pos = b
        if not changed:
            return
        out.append(text[pos:])
        ns.extend(starts[pos:])
        ne.extend(ends[pos:])
        self.text = "".join(out)
        self.starts = ns
        self.ends = ne


# ----------------------------------------------------------------- patterns

_NEWLINES = re.compile(r"\r\n?|\v|\u2028|\u2029|\x85")
_FORMFEED = re.compile(r"\n?[ \t]*\f[ \t\f]*\n?")
_REMOVE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ufffe]+")
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2026": "...",
}
_QUOTE_RE = re.compile("[" + "".join(_QUOTES) + "]")

_PAGE_LINE = re.compile(
    r"(?im)^[ \t]*(?:(?:pagina|page|blz\.?|bladzijde|p\.)[ \t]*\d{1,4}(?:[ \t]*(?:van|of|/)[ \t]*\d{1,4})?"
    r"|[-–—][ \t]*\d{1,4}[ \t]*[-–—]|\d{1,4}[ \t]*/[ \t]*\d{1,4}|\d{1,3})[ \t]*$"
)
#: A bullet at a line start, rewritten to "-"; also the em dash and Word's "o" + tab.
_BULLET = re.compile(r"(?m)^([ \t]*)([" + re.escape(BULLET_SYMBOLS) + r"\u2014]|o(?=\t))[ \t]*(?=\S)")
_SUPERSCRIPT = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u2079\u207d\u207e]+")
_FOOTNOTE = re.compile(r"(?<![\w])([a-zà-ÿ]{3,})(\d{1,2})(?=[ \t\n.,;:!?)\]]|$)")
_HYPHEN_NL = re.compile(r"(\w+)(-)([ \t]*\n[ \t]*)(?=(\w+))")
_HYPHEN_SP = re.compile(r"(\w+)- (\w+)")
_MULTISPACE = re.compile(r" {2,}")
_LINE_EDGE_SPACE = re.compile(r" +\n|\n +")
_MANY_NL = re.compile(r"\n{3,}")
_VOWELS = set("aeiouyáéíóúàèëïöüâêîôû")
_ELLIPTIC_NEXT = {"en", "of", "tot", "en/of"}


@lru_cache(maxsize=1)
def _known_word() -> Callable[[str], bool]:
    try:
        from wordfreq import zipf_frequency

        def known(w: str) -> bool:
            return zipf_frequency(w, "nl") >= 1.5
    except Exception:  # pragma: no cover
        known = None
    from . import lookups

    table = lookups.lemma_lookup()
    lemmas = lookups.known_lemmas()

    def is_known(w: str) -> bool:
        lw = w.lower()
        if lw in table or lw in lemmas:
            return True
        return bool(known and known(lw))

    return is_known


def _is_abbrev(left: str) -> bool:
    if left.isupper() and len(left) > 1:
        return True
    if any(c.isupper() for c in left[1:]):
        return True
    if left[:1].isupper() and len(left) <= 4:
        return True
    return any(c.isdigit() for c in left)


def _running_headers(lines: List[str]) -> set:
    page_idx = [i for i, l in enumerate(lines) if "\f" in l or _PAGE_LINE.fullmatch(l)]
    if not page_idx:
        return set()
    counts: dict = {}
    for l in lines:
        s = l.strip(" \t\f")
        if 3 <= len(s) <= 120:
            counts[s] = counts.get(s, 0) + 1
    cand = {s for s, c in counts.items() if c >= 3}
    if not cand:
        return set()
    near: dict = {}
    pset = set(page_idx)
    for i, l in enumerate(lines):
        s = l.strip(" \t\f")
        if s in cand and any(j in pset for j in range(i - 2, i + 3) if j != i):
            near[s] = near.get(s, 0) + 1
    return {s for s, c in near.items() if c >= 2}


def normalise(text: str) -> NormalisedText:
    """Normalise document text; see the module documentation."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise TypeError(f"normalise() expects str, not {type(text).__name__}")
    buf = _Buf(text)

    # 1. line ends, control characters, spaces
    buf.sub(_NEWLINES, lambda m: "\n")
    # running headers are found while page breaks (form feeds) are still visible
    headers = _running_headers(buf.text.split("\n"))
    buf.sub(_FORMFEED, lambda m: "\n")
    buf.sub(_REMOVE, lambda m: ())
    buf.sub(_SPACES, lambda m: " ")
    # 2. quotes
    buf.sub(_QUOTE_RE, lambda m: _QUOTES[m.group(0)])

    # 3. page numbers and running headers/footers (whole lines incl. their \n)
    headers |= _running_headers(buf.text.split("\n"))

    def drop_line(m):
        line = m.group(1)
        if _PAGE_LINE.fullmatch(line) or line.strip() in headers:
            return ()
        return None

    buf.sub(re.compile(r"(?m)^([^\n]*)\n"), drop_line)
    # last line without trailing newline
    buf.sub(re.compile(r"\n([^\n]*)\Z"), lambda m: () if (_PAGE_LINE.fullmatch(m.group(1)) or m.group(1).strip() in headers) else None)

    # 4. bullets
    buf.sub(_BULLET, lambda m: [(m.start(1), m.end(1)), ("-", m.start(2), m.end(2)),
                                (" ", m.end(2), m.end()) if m.end() > m.end(2) else ("", 0, 0)])

    # 5. hyphenation across lines / spaces
    known = None

    def join_nl(m):
        left, right = m.group(1), m.group(4)
        if not right[:1].islower():
            return None
        g1, hy, br = m.span(1), m.span(2), m.span(3)
        if right in _ELLIPTIC_NEXT:
            return [g1, hy, (" ", br[0], br[1])]
        keep_hyphen = _is_abbrev(left) or (left[-1].lower() in _VOWELS and right[0] in _VOWELS)
        if keep_hyphen:
            return [g1, hy]
        return [g1]

    def join_sp(m):
        nonlocal known
        left, right = m.group(1), m.group(2)
        if not right[:1].islower() or right in _ELLIPTIC_NEXT or _is_abbrev(left):
            return None
        if known is None:
            known = _known_word()
        if known(left + right) and not known(right) or (known(left + right) and not known(left)):
            return [(m.start(1), m.end(1)), (m.start(2), m.end(2))]
        return None

    buf.sub(_HYPHEN_NL, join_nl)
    buf.sub(_HYPHEN_SP, join_sp)

    # 6. footnote markers
    buf.sub(_SUPERSCRIPT, lambda m: ())
    buf.sub(_FOOTNOTE, lambda m: [(m.start(1), m.end(1))])

    # 7. whitespace
    buf.sub(_MULTISPACE, lambda m: [(m.start(), m.start() + 1)])
    buf.sub(_LINE_EDGE_SPACE, lambda m: [(m.start() + m.group(0).index("\n"), m.start() + m.group(0).index("\n") + 1)])
    buf.sub(_MANY_NL, lambda m: [(m.start(), m.start() + 2)])
    # strip the document edges
    buf.sub(re.compile(r"\A\s+|\s+\Z"), lambda m: ())

    return NormalisedText(buf.text, text, buf.starts, buf.ends)
