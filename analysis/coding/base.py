"""Plain data types shared by the coders, and cheap input checks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Hashable

from analysis.nlp.stopwords import stop_words   # spaCy's lists, without importing spaCy

_DE_STOP, _EN_STOP, _NL_STOP = stop_words("de"), stop_words("en"), stop_words("nl")

__all__ = ["Evidence", "Suggestion", "Candidate", "Ranking", "Assignment", "ORIGINS", "STATUSES", "is_codable",
           "not_codable_because", "is_document_furniture", "is_contents_line", "is_caption", "lemma_key"]

#: Who proposed a code: a person, the keyword rules or the learned model (``consult.models.Origin``).
ORIGINS = ("person", "rule", "model")
STATUSES = ("suggested", "accepted", "rejected")


@dataclass(frozen=True)
class Evidence:
    """Why a code was suggested.

    ``kind`` is ``"keyword"`` (a codebook keyword matched; ``rule_id`` names the rule,
    ``keyword`` the codebook keyword, ``matched_text`` the text, ``start``/``end`` the
    token span and ``start_char``/``end_char`` the character span within the segment;
    ``parts`` the character spans of the matched words when word order puts other words
    between them, "werken … samen")
    or ``"feature"`` (a lemma or rule feature that pushed the learned model towards the
    code; ``weight`` is its contribution to the log-odds).
    """
    kind: str
    rule_id: str
    keyword: str = ""
    matched_text: str = ""
    start: int = -1
    end: int = -1
    start_char: int = -1
    end_char: int = -1
    negated: bool = False
    compound: bool = False
    weight: float = 0.0
    match: str = ""          # keyword evidence: "whole", "compound" or "family"
    parts: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "parts"}
        if self.parts:
            out["parts"] = [list(p) for p in self.parts]
        return out


@dataclass(frozen=True)
class Suggestion:
    """A code proposed for one segment, with its provenance.

    ``origin`` is ``"rule"`` (keyword rules alone) or ``"model"`` (the learned coder, which
    also sees the rule hits; ``sources`` then says whether keyword evidence was part of it).
    """
    code: str
    confidence: float
    origin: str
    evidence: tuple[Evidence, ...] = ()
    sources: tuple[str, ...] = ()

    def explain(self) -> str:
        parts = []
        for ev in self.evidence:
            if ev.kind == "keyword":
                neg = " (negated)" if ev.negated else ""
                comp = {"compound": " (in a compound)", "family": " (same word family)"}.get(ev.match, "")
                parts.append(f"keyword '{ev.keyword}' matched '{ev.matched_text}'{comp}{neg}")
            else:
                parts.append(f"{ev.rule_id} {ev.weight:+.2f}")
        return f"{self.code} {self.confidence:.2f} [{self.origin}]: " + "; ".join(parts)


@dataclass(frozen=True)
class Candidate:
    """One code in a segment's ranking (:meth:`RuleCoder.rank` / :meth:`CombinedCoder.rank`).

    ``score``: for the combined coder the model's probability; for the rules their
    confidence, or for a code no keyword matched its codebook similarity (0 to 1).  The
    order is not that of ``score``: the suggested codes come first (the combined coder's by
    :func:`analysis.coding.combined.suggestion_scores`, the rules' by confidence), then the
    others by :func:`analysis.coding.ranking.rank_scores` (codebook similarity and how often
    the coder suggests the code among the texts coded together).
    ``suggested`` says whether :meth:`code` proposes the code.  The best candidates with ``suggested`` false are the
    near misses a reviewer can pick with one key.  ``similarity``: the segment's similarity
    to the code's text in the codebook (cosine, 0 to 1), which both coders compute; the review
    screen's floor for near misses is on it, so that it means the same for both coders.
    """
    code: str
    score: float
    suggested: bool
    similarity: float | None = None


@dataclass(frozen=True)
class Ranking:
    """One segment's coding and the ranking of all its codes, from one pass over the text
    (:meth:`RuleCoder.code_ranked` / :meth:`CombinedCoder.code_ranked`).

    ``suggestions``: exactly what :meth:`code` gives; ``candidates``: every code, best first
    (the suggested ones first, as :meth:`rank` orders them); ``distances`` (the learning coder
    only): per code, how far its probability is from the value that would change the decision
    on it (its threshold, or the gate's ``add``/``remove`` value), 0 being on the edge; None
    for the keyword rules, which have no such edge. Empty for texts that are not codable.
    """
    suggestions: list[Suggestion]
    candidates: list[Candidate]
    distances: dict[str, float] | None = None


@dataclass(frozen=True)
class Assignment:
    """A code on a segment, as stored by the review workflow.

    ``code``: the code's key, or any other stable identifier of the code (the database
    uses the code's id, so that codes of two codebook versions never meet);
    ``origin``: ``person``/``rule``/``model``; ``coder``: a person's name or a coder id
    (e.g. ``"rules:wmo@1"``); ``status``: ``suggested``/``accepted``/``rejected``.
    """
    segment_id: Hashable
    code: Hashable
    origin: str
    coder: str
    confidence: float | None = None
    status: str = "suggested"
    evidence: tuple[Evidence, ...] = field(default=())

    def __post_init__(self):
        if self.origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, not {self.origin!r}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")


def lemma_key(token) -> str:
    """The lowercased lemma of a spaCy token (its form when it has no lemma)."""
    return (token.lemma_ or token.text).lower()


_WORD_RE = re.compile(r"[^\W\d_]{2,}")
#: other languages that residents of a Dutch municipality may write in (spaCy's stop word
#: lists); a text is theirs when it has at least two of their stop words that are not
#: Dutch, and more of them than Dutch ones that are not theirs
OTHER_LANGUAGES = ("fr", "es", "it", "pt", "tr", "pl", "ro", "sv", "da", "nb", "hu", "cs", "hr", "id")
#: per language, its stop words that tell a text is not Dutch: not Dutch stop words, and far
#: more frequent in that language than in Dutch (``niemand``, ``top``, ``prima``, ``kom``
#: are ordinary Dutch words); made by ``analysis/nlp/data/make_foreign_words.py``
_FOREIGN_FILE = Path(__file__).resolve().parents[1] / "nlp" / "data" / "foreign_stopwords.tsv"


def _read_foreign() -> dict[str, frozenset]:
    out: dict[str, set] = {}
    for line in _FOREIGN_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, word = line.split("\t", 1)
            out.setdefault(lang, set()).add(word)
    return {lang: frozenset(words) for lang, words in out.items()}


_FOREIGN_STOP = _read_foreign()
_NL_ONLY = frozenset(_NL_STOP - _EN_STOP - _DE_STOP)
_EN_ONLY = frozenset(_EN_STOP - _NL_STOP - _DE_STOP) & _FOREIGN_STOP.get("en", frozenset())
_DE_ONLY = frozenset(_DE_STOP - _NL_STOP - _EN_STOP) & _FOREIGN_STOP.get("de", frozenset())
_FOREIGN: dict[str, tuple[str, ...]] = {}     # stop word -> the other languages it tells
_NOT_IN: dict[str, frozenset] = {}            # language -> Dutch stop words that are not its own


def _foreign_words() -> dict[str, tuple[str, ...]]:
    if not _FOREIGN:
        for lang in OTHER_LANGUAGES:
            _NOT_IN[lang] = frozenset(_NL_STOP - stop_words(lang))
            for w in _FOREIGN_STOP.get(lang, ()):
                _FOREIGN[w] = _FOREIGN.get(w, ()) + (lang,)
    return _FOREIGN


def _other_script(text: str) -> bool:
    """More letters outside the Latin script than in it (Arabic, Cyrillic, ...)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ord(ch) > 0x24F for ch in letters) * 2 > len(letters)


def _other_language(words: list[str]) -> bool:
    foreign = _foreign_words()
    hits: dict[str, int] = {}
    for w in words:
        for lang in foreign.get(w, ()):
            hits[lang] = hits.get(lang, 0) + 1
    return any(n >= 2 and n > sum(w in _NOT_IN[lang] for w in words) for lang, n in hits.items())


_REFERENCE_RE = re.compile(
    r"^(?:\[\d{1,3}\]\s*)?[A-Z][^()]{0,150}?\((?:19|20)\d\d[a-z]?(?:, [^()]*)?\)[.,:]?\s+[A-Z\"'“]"
    r"|^(?:\[\d{1,3}\]\s*)?[A-Z][\w'’-]+,(?:\s?[A-Z]\.){1,4}(?:,? (?:&|en) [^.]{1,80}?)?\s+(?:19|20)\d\d[a-z]?\.\s+[A-Z]")
_TITLE_AFTER_RE = re.compile(r"\.?\s+[A-Z]|\.?\s*$")
_SECTION_NUMBER_RE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?![\d.]*\d)")


#: a numbered section heading: "5.2 Samenhang, partnerschap en doelmatigheid", "3.1.2 *Toegang*"
#: (a capital after the number: "1.5 miljoen euro is te weinig" is a sentence)
_NUMBERED_HEADING_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){1,3}\.?\s+[*_\"'“]*[A-Z]")
#: the labels of the header block of a Dutch council or college document
#: ("Onderwerp ... Nummer 2020/1187859 Portefeuillehouder Meijs, M.-Th."); the first ones
#: name nothing else, the others are also ordinary words and count as a label only before
#: a colon or a tab ("Kenmerk van een goede buurt ...")
_OWN_LABELS = ("Portefeuillehouder", "Registratienummer", "Raadsvoorstel", "Collegevoorstel",
               "Raadsinformatiebrief")
_COMMON_LABELS = ("Onderwerp", "Nummer", "Programma", "Beleidsveld", "Afdeling", "Auteur",
                  "Datum", "Bijlagen", "Kenmerk", "Agendapunt", "Telefoonnummer",
                  "Collegevergadering", "Raadsvergadering")
_LABEL_RE = re.compile(r"(?<![\w-])(?:%s)(?=[\s:]|$)" % "|".join(_OWN_LABELS + _COMMON_LABELS))
_LABEL_LINE_RE = re.compile(r"^(?:(?:%s)(?:\s|:|$)|(?:%s)\s*(?::|\t))" % ("|".join(_OWN_LABELS), "|".join(_COMMON_LABELS)))
#: at most this many words in a heading
MAX_HEADING_WORDS = 20
#: a table-of-contents entry's end: dot leaders (four or more dots; three only on a line
#: without the words of a sentence) and a page number, at the end of a line
_LEADER_PAGE_RE = re.compile(r"(?:\.\s?){4,}\s*\d{1,3}\s*$")
_ELLIPSIS_PAGE_RE = re.compile(r"\.{3}\s*\d{1,3}\s*$")
#: a line that ends in a page number after a word ("Inleiding 3", "4.6 sociale teams 10")
#: or is only a section or page number ("4.2.", "7")
_PAGE_END_RE = re.compile(r"(?:[^\W\d_][^\W_]*[)\]\'\"]?\.*\s+\d{1,3}|^[\d.]{1,8})\s*$")
#: a line that starts with a section number ("1 Huidige situatie", "3.1. Wat is opgehaald")
_SECTION_START_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,2}\.?\s+[^\W\d_]")
#: a line's page number: the number that ends it after a space
_LAST_NUMBER_RE = re.compile(r"(?<=\s)\d{1,3}(?=\s*$)")
#: a figure's or table's caption ("Figuur 1. Huidige inrichting", "Tabel 3: Aantal cliënten per
#: wijk") and a part's title ("Bijlage 2 Verslagen van de wijkbijeenkomsten", "Hoofdstuk 4
#: Uitgangspunten")
_CAPTION_WORDS = r"Figuur|Tabel|Grafiek|Afbeelding|Kaart|Schema|Kader"
_PART_WORDS = r"Bijlage|Hoofdstuk|Paragraaf"
#: the number, then a full stop or colon, a capitalised title or nothing: "Tabel 1 vervoer: bus
#: rijdt te weinig" is a note
_NUMBERED_RE = (r"\s+(?:\d{1,2}(?:\.\d{1,2}){0,2}|[IVX]{1,5}|[A-Z])(?![\w-])"
                r"(?:[.:](?:\s|$)|\s+[-–—]\s|\s+[*_\"'“]*[A-Z]|\s*$)")
_CAPTION_RE = re.compile(rf"^[*_#\s]*(?:{_CAPTION_WORDS}){_NUMBERED_RE}")
_PART_TITLE_RE = re.compile(rf"^[*_#\s]*(?:{_PART_WORDS}){_NUMBERED_RE}")
#: the title of a document's front or back matter, alone or on the first line
#: (not the ordinary words: inhoud, bronnen, noten, bijlagen)
_MATTER_TITLES = frozenset("""inhoudsopgave inhoudstafel literatuur literatuurlijst bronvermelding
colofon voetnoten eindnoten""".split())
#: a contents title, also the ordinary word inhoud (it takes a run of contents lines to count)
_CONTENTS_TITLES = _MATTER_TITLES | {"inhoud"}
#: a source line under a table or figure: "Bron: CBS, 2018"
_SOURCE_RE = re.compile(r"^[*_\s]*Bron(?:nen)?\s*:", re.IGNORECASE)
#: a page marker: "Pagina 4 van 12", "blz. 7", "p. 3/12"
_PAGE_MARK_RE = re.compile(r"^(?:pagina|pag\.?|blz\.?|p\.)\s*\d{1,4}(?:\s*(?:van|/)\s*\d{1,4})?$", re.IGNORECASE)
#: links and e-mail addresses (a text of nothing else says nothing on its subject)
LINK_RE = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)[^\s@]+@[^\s@]+\.[a-z]{2,}", re.IGNORECASE)
#: a number in a table: "12,3", "45%", "€ 1.200", "(3)", "-2"
_CELL_NUMBER_RE = re.compile(r"^[(€$]?[-+]?\d[\d.,]*%?[)]?$")
#: words of a sentence, not of a heading or a header block: personal and possessive
#: pronouns, finite forms of the commonest verbs, subordinating conjunctions
#: ("1.2 Ik vind dat ...", "Portefeuillehouder Jansen beloofde dat ...")
_SENTENCE_WORDS = frozenset("""
ik jij je u hij zij ze we wij jullie mij me hem hen mijn jouw uw haar ons onze hun
is zijn was waren wordt worden werd werden heeft hebben had hadden moet moeten kan kunnen
kon konden wil willen wilde zal zullen zou zouden mag mogen vind vindt vinden krijg krijgt
krijgen ga gaat gaan ging kom komt komen doe doet doen blijft blijven staat staan
dat omdat want maar als wanneer
""".split())


def _reads_as_sentence(text: str) -> bool:
    return any(w.lower() in _SENTENCE_WORDS for w in _WORD_RE.findall(text))


def _unwrapped(text: str) -> str:
    """``text`` without the emphasis marks and closing brackets around its end."""
    return text.rstrip("*_)]\"'” \t")


def is_document_furniture(text: str) -> bool:
    """Text of a document that is not what it says about its subject:

    * a bibliography entry (``Hupe, P.L. & Klijn, E.H. (1997) De gemeente als ...``:
      authors, a year in brackets, then a capitalised title);
    * a table-of-contents line (two or more section numbers such as ``4.4`` that each
      start a title or end the line);
    * a numbered section heading (``5.2 Samenhang, partnerschap en doelmatigheid``: a
      section number with a dot inside, then a capital, at most ``MAX_HEADING_WORDS``
      words, no sentence end); a numbered list item such as ``1. Meer buurthuizen`` or a
      sentence that starts with a number (``1.5 miljoen euro is te weinig``) is not one;
    * a council document's header block: it starts with one of its labels (``Onderwerp``,
      ``Portefeuillehouder``, ...) and names a second one, or is a short line without a
      sentence end (``Portefeuillehouder Weth. Grijsen``, ``Onderwerp: Verkenning Wmo``;
      a word that is also an ordinary word, such as ``Onderwerp``, ``Datum`` or
      ``Kenmerk``, counts as a label only before a colon or a tab);
    * contents without section numbers: a line with dot leaders and a page number
      (``Hoofdstuk 2 Zorg in de wijk ........ 12``), three or more lines of which two
      thirds end in a page number, or text under ``Inhoudsopgave``, ``Literatuur``, ...
      that has no sentences;
    * a caption or a part's title (:func:`is_caption`: ``Figuur 1. Huidige inrichting``,
      ``Bijlage 2 Verslagen``), a source line (``Bron: CBS, 2018``), a page marker
      (``Pagina 4 van 12``), a row of figures, a text of nothing but links.
    Neither a heading nor a header block has the words of a sentence (pronouns, finite
    verbs, ``dat``/``omdat``: ``1.2 Ik vind dat ...``, ``Onderwerp: zorgen over mijn
    moeder``); those stay codable.
    """
    t = (text or "").strip()
    if _REFERENCE_RE.match(t) and len(t) < 300:
        return True
    words = len(t.split())
    ends_sentence = _unwrapped(t).endswith((".", "!", "?", ";"))
    if _NUMBERED_HEADING_RE.match(t) and words <= MAX_HEADING_WORDS and not ends_sentence \
            and not _reads_as_sentence(t):
        return True
    labels = _LABEL_RE.findall(t)
    if labels and t.startswith(labels[0]) and (
            len(set(labels)) >= 2 or _LABEL_LINE_RE.match(t) and words <= 12 and not ends_sentence) \
            and not _reads_as_sentence(t):
        return True
    if _contents_or_table(t, words, ends_sentence):
        return True
    numbers = list(_SECTION_NUMBER_RE.finditer(t))
    headed = [m for m in numbers if _TITLE_AFTER_RE.match(t, m.end())]
    return len(numbers) >= 2 and len(headed) >= 2


def is_contents_line(line: str) -> bool:
    """A line that may be an entry of a table of contents: a short line that ends in a page
    number, after dot leaders or a word ("3 Start van de verkenning..... 6", "Inleiding 3"),
    or a contents title ("Inhoudsopgave"). Alone it proves nothing ("Bus 5"); the segmenter
    takes three or more such lines in a row apart, and :func:`is_document_furniture` decides."""
    t = line.strip()
    if t.strip("*_#: ").lower() in _CONTENTS_TITLES:
        return True
    return 0 < len(t) <= 160 and bool(_LEADER_PAGE_RE.search(t) or _PAGE_END_RE.search(t))


def is_caption(text: str, *, parts: bool = False) -> bool:
    """A figure's or table's caption (``Figuur 1. Huidige inrichting``, ``Tabel 3: Aantal
    cliënten per wijk``), with ``parts`` also a part's title (``Bijlage 2 Verslagen``,
    ``Hoofdstuk 4 Uitgangspunten``): one line of at most ``MAX_HEADING_WORDS`` words, no
    sentence end, not the words of a sentence (``Figuur 1 is een weergave van ...`` is text)."""
    t = (text or "").strip()
    return "\n" not in t and bool(_CAPTION_RE.match(t) or parts and _PART_TITLE_RE.match(t)) \
        and len(t.split()) <= MAX_HEADING_WORDS \
        and not _unwrapped(t).endswith((".", "!", "?", ";")) and not _reads_as_sentence(t)


def _leader_contents(lines: list[str]) -> bool:
    """Contents with dot leaders: at least half the lines end in leaders and a page
    number, the pages go up, no such line goes on in lower case on the next, and the other
    lines are no sentences. Not a wrapped sentence ("Ik wacht al .... 12 / weken op een
    scootmobiel") nor a meeting's tally ("Vervoer .... 12 / Eenzaamheid .... 8")."""
    leader = [i for i, ln in enumerate(lines) if _LEADER_PAGE_RE.search(ln)]
    if not leader or 2 * len(leader) < len(lines):
        return False
    if any(i + 1 < len(lines) and lines[i + 1][:1].islower() for i in leader):
        return False
    if any(_reads_as_sentence(ln) for i, ln in enumerate(lines) if i not in leader):
        return False     # "Zie hoofdstuk 2 ........ 12 / De bewoners willen meer hulp."
    pages = [int(_LAST_NUMBER_RE.search(lines[i]).group()) for i in leader]
    return all(a <= b for a, b in zip(pages, pages[1:]))


def _contents_or_table(t: str, words: int, ends_sentence: bool) -> bool:
    """The rest of :func:`is_document_furniture`: contents, captions, rows of figures,
    page markers, source lines and bare links."""
    lines = [ln.strip() for ln in t.splitlines() if ln.strip()]
    first = lines[0].strip("*_#: ").lower() if lines else ""
    if first in _MATTER_TITLES and not any(_reads_as_sentence(ln) for ln in lines[1:]):
        return True     # "Inhoudsopgave", "Literatuur" and the list under it, not text under it
    if _leader_contents(lines) or \
            len(lines) == 1 and _ELLIPSIS_PAGE_RE.search(t) and not _reads_as_sentence(t):
        return True
    if len(lines) >= 3 and all(len(ln) <= 160 for ln in lines) and \
            3 * sum(bool(_PAGE_END_RE.search(ln)) for ln in lines) >= 2 * len(lines):
        pages = [int(m.group()) for ln in lines if (m := _LAST_NUMBER_RE.search(ln))]
        if all(a <= b for a, b in zip(pages, pages[1:])) and any(_SECTION_START_RE.match(ln) for ln in lines):
            # contents without leaders ("Inleiding 3 / 1 Huidige situatie 4 / ..."): numbered
            # sections and pages that go up; a meeting's votes ("Vervoer 12 / Eenzaamheid 8")
            # have neither
            return True
    if _PAGE_MARK_RE.match(t) or not _WORD_RE.search(LINK_RE.sub(" ", t)):
        return True
    if is_caption(t, parts=True) or \
            words <= MAX_HEADING_WORDS and _SOURCE_RE.match(t) and not _reads_as_sentence(t):
        return True
    # a table row of figures ("2017 2018 2019 Wmo-budget 12,3 13,1 14,0"); a row with words
    # ("Tafel 1 | Vervoer | Bus rijdt te weinig", as a Word table is read) is what was said
    cells = t.split()
    figures = sum(bool(_CELL_NUMBER_RE.match(c)) for c in cells)
    return figures >= 3 and 3 * figures >= 2 * len(cells) and not ends_sentence


def is_codable(text: str) -> bool:
    """Cheap check that ``text`` is Dutch prose worth coding.

    Empty, whitespace- or punctuation-only text is not codable, nor is document
    furniture (:func:`is_document_furniture`: bibliography entries, table-of-contents
    lines, numbered section headings, a council document's header block, captions, rows
    of figures, page markers, source lines, bare links).  A text is taken as non-Dutch when it
    contains English- or German-only function words and more of them than Dutch-only ones
    (stop-word lists of spaCy, minus their overlaps), at least two of them (``niemand`` and
    ``top`` are also such words: "Niemand luistert" is Dutch); when it has at least two function
    words of one of :data:`OTHER_LANGUAGES` that are not Dutch, and more of them than
    Dutch ones that are not that language's (French, Turkish, Polish, ...); or when most
    of its letters are not Latin (Arabic, Cyrillic, ...).  A text without any such function
    word (``"Meer buurthuizen"``) is given the benefit of the doubt.
    """
    return not_codable_because(text) is None


def not_codable_because(text: str) -> str | None:
    """Why :func:`is_codable` refuses ``text``: ``"empty"`` (no words), ``"furniture"``
    or ``"language"`` (not Dutch); None for a codable text."""
    words = [w.lower() for w in _WORD_RE.findall(text or "")]
    if not words:
        return "empty"
    if is_document_furniture(text):
        return "furniture"
    nl = sum(w in _NL_ONLY for w in words)
    other = max(sum(w in _EN_ONLY for w in words), sum(w in _DE_ONLY for w in words))
    # one English or German stop word is not enough: "Niemand luistert", "Top!" are Dutch
    foreign = other >= 2 and other > nl
    return "language" if foreign or _other_script(text) or _other_language(words) else None
