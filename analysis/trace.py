"""Advice–response traceability: split an advice into points and a reaction letter into
paragraphs, propose which paragraph answers which point, and guess the stance.

No Flask, no database: plain strings in, dataclasses out.

Method (general, not fitted to one letter):

* **Splitting.** A letter is cut into blocks at blank lines. When numbered or bulleted
  items (``1.``, ``2)``, ``a.``, ``-``, ``•``) carry most of the text, each item starts a new
  point, unnumbered text that follows belongs to it, and an introduction before the first
  item is left out; otherwise every paragraph is a point. Salutations, addresses, closing
  formulas and very short lines (headers, dates, signatures) are dropped. The result is a
  proposal a person edits.
* **Linking** (see :func:`link`). A paragraph that names points ("Ad 1 en 2", "punt 3")
  answers exactly those. Otherwise points and paragraphs are bags of *content lemmas* from
  the bundled Dutch pipeline (parser heads weigh more, adjectives and verbs less; compounds
  add their parts, the last part most; doubled letters collapsed so ``accomodatie`` meets
  ``accommodatie``), weighted TF-IDF and compared by cosine, half the paragraph as a whole and
  half its best sentence. Shared quotes and shared advice numbers, article numbers and
  amounts add to the score (never dates or years). The letter's order (a monotone path
  through the paragraphs) favours points between the neighbouring paragraphs' answers. A
  link is proposed when the score is at least ``min_score`` *and* ``relative`` times the
  paragraph's best, or when a sentence is clearly about the point; a paragraph without any
  gets its best match. Courtesies and general acknowledgements ("De bovengenoemde adviezen
  worden zeer serieus genomen") answer no point; points without a link are unanswered.
* **Stance** (see :mod:`analysis.trace_stance`). Read on lemmas and the parse from the
  paragraph's sentences about the point: partly adopted, not adopted, adopted, endorsed,
  noted, in that priority; ``kennisgenomen`` when there is no cue.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from analysis.nlp.markers import BULLET_CLASS
from analysis.tfidf import Tfidf
from analysis.trace_stance import PRIORITY, classify, read_sentence

STANCES = ("overgenomen", "deels_overgenomen", "niet_overgenomen", "onderschreven", "kennisgenomen")

#: Parts of speech whose lemmas carry content.
CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
#: Letter-writing words that say nothing about the subject of a point.
LETTER_WORDS = {
    "advies", "adviesraad", "adviseren", "gemeente", "college", "brief", "opmerking", "reactie",
    "punt", "graag", "geven", "lezen", "danken", "wij", "we", "u", "uw", "onderschrijven",
    "overnemen", "nemen", "herkennen", "vinden", "zijn", "hebben", "worden", "kunnen", "zullen",
    "moeten", "gaan", "komen", "staan", "maken", "zien", "willen", "mogen", "laten",
    # meta-discourse: words about the letter and the exchange, not about its subject
    "opmerken", "aangeven", "aandachtspunt", "verzoek", "suggestie", "verwijzen", "benadrukken",
    "constateren", "noemen", "stellen", "schrijven", "reageren", "antwoord", "goed",
}

DEFAULT_MIN_SCORE = 0.06
DEFAULT_RELATIVE = 0.75


# ----------------------------------------------------------------------------- splitting

@dataclass
class TextPart:
    """A piece of a letter: an advice point or a reaction paragraph."""

    label: str
    text: str
    start: int = 0
    end: int = 0


#: A numbered or lettered point ("3.", "b)") or a bullet at a line start (see analysis.nlp.markers).
_NUMBERING = re.compile(r"^\s*(?:(\d{1,2})[.)]|([a-z])[.)]|(" + BULLET_CLASS + r"))\s+", re.IGNORECASE)
_SALUTATION = re.compile(
    r"^\s*(geachte|beste|lieve|hooggeachte|l\.s\.|aan\b|betreft\b|onderwerp\b|kenmerk\b|datum\b|"
    r"uw kenmerk|ons kenmerk)", re.IGNORECASE)
_CLOSING = re.compile(
    r"^\s*(met vriendelijke groet|met vriendelijke groeten|hoogachtend|namens\b|vriendelijke groet|"
    r"met hartelijke groet|het college van|burgemeester en wethouders|de secretaris|de burgemeester)",
    re.IGNORECASE)


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of blank-line separated blocks, whitespace trimmed."""
    out = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n[ \t]*\n|\s*\Z)", text, re.DOTALL):
        out.append((m.start(), m.end()))
    return out


def _is_noise(block: str) -> bool:
    words = block.split()
    if _SALUTATION.match(block) or _CLOSING.match(block):
        return True
    # headers, names, dates: short and without a full stop or colon-list
    return len(words) < 6 and not re.search(r"[.?!]\s*$", block)


def _line_items(text: str, start: int, end: int) -> list[tuple[int, int, str | None]]:
    """Split a block at numbered lines: (start, end, number-or-None)."""
    chunk = text[start:end]
    items: list[list] = []
    pos = 0
    for line in chunk.splitlines(keepends=True):
        m = _NUMBERING.match(line)
        if m or not items:
            number = (m.group(1) or m.group(2) or "") if m else None  # "" for bullets
            body = start + pos + (m.end() if m else 0)
            items.append([body, start + pos + len(line), number, bool(m)])
        else:
            items[-1][1] = start + pos + len(line)
        pos += len(line)
    return [(s, e, n) for s, e, n, _ in items]


_INTRO = re.compile(r"^\s*(?:hierbij|naar aanleiding van|in deze brief|met deze brief|gezien|bijgaand)\b",
                    re.IGNORECASE)
_FAREWELL = re.compile(r"^\s*(?:tot zover|wij vertrouwen erop|wij hopen u|graag (?:zijn|lichten) wij)\b",
                       re.IGNORECASE)
#: Numbered items must carry at least this share of the letter's text to be its points.
NUMBERED_SHARE = 0.4


def split_letter(text: str, *, prefix: str = "", keep_noise: bool = False) -> list[TextPart]:
    """Split a letter into parts (advice points or reaction paragraphs).

    When numbered or bulleted items carry most of the letter (at least two items and
    :data:`NUMBERED_SHARE` of the text), each item is a part (its number becomes the label,
    e.g. ``3`` or ``b``), text after an item belongs to it and an introduction before the
    first item is left out. Otherwise every blank-line paragraph is a part. Salutations,
    addresses, dates, closing formulas and an opening/closing courtesy paragraph are left
    out. Labels without numbering are ``prefix`` + running number.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for s, e in _blocks(text):
        items = []
        for a, b, number in _line_items(text, s, e):
            body = text[a:b].strip()
            if body and (keep_noise or not _is_noise(body)):
                items.append((a, b, number, body))
        if items:
            blocks.append((s, e, items))
    kept = [it for _, _, items in blocks for it in items]
    numbered = [it for it in kept if it[2] is not None]
    total = sum(len(it[3]) for it in kept) or 1
    numbered_mode = len(numbered) >= 2 and sum(len(it[3]) for it in numbered) >= NUMBERED_SHARE * total

    parts: list[TextPart] = []
    if numbered_mode:
        for a, b, number, body in kept:
            start = a + (len(text[a:b]) - len(text[a:b].lstrip()))
            if number is None:
                if parts:  # text after an item continues it
                    parts[-1].text += "\n\n" + body
                    parts[-1].end = start + len(body)
                continue  # an introduction before the first item is not a point
            parts.append(TextPart(label=number, text=body, start=start, end=start + len(body)))
    else:
        for s, e, items in blocks:
            body = "\n".join(it[3] for it in items)
            start = items[0][0] + (len(text[items[0][0]:items[0][1]]) - len(text[items[0][0]:items[0][1]].lstrip()))
            parts.append(TextPart(label="", text=body, start=start, end=items[-1][0] + len(text[items[-1][0]:items[-1][1]].rstrip())))
        if not keep_noise:
            if parts and _INTRO.match(parts[0].text) and len(parts) > 1:
                parts.pop(0)
            if parts and _FAREWELL.match(parts[-1].text) and len(parts) > 1:
                parts.pop()
    for i, p in enumerate(parts, 1):
        p.label = p.label or f"{prefix}{i}"
        p.text = _unwrap(p.text)
    return parts


def _unwrap(text: str) -> str:
    """Join hard-wrapped lines inside a paragraph (keep blank lines)."""
    paras = re.split(r"\n[ \t]*\n", text)
    return "\n\n".join(re.sub(r"\s*\n\s*", " ", p).strip() for p in paras if p.strip())


def split_advice(text: str) -> list[TextPart]:
    """Proposal of advice points (labels ``1``, ``2`` ... or the letter's own numbering)."""
    return split_letter(text, prefix="")


def split_reaction(text: str) -> list[TextPart]:
    """Proposal of reaction paragraphs (labels ``R1``, ``R2`` ...)."""
    return split_letter(text, prefix="R")


# ----------------------------------------------------------------------------- features

@dataclass
class _Doc:
    lemmas: Counter
    sentences: list            # spaCy sentence spans
    bags: list[Counter]        # one bag per sentence
    quotes: list[str]
    numbers: set[str]          # advice numbers, article numbers and amounts (never dates or years)
    references: list[str]      # point numbers the text refers to explicitly ("Ad 1 en 2")
    reference_text: str        # the words that refer ("Ad 1 en 2")
    display: dict[str, str]    # feature key -> a readable word for the UI
    text: str


_QUOTE = re.compile(r"[\"“”„'‘’]([^\"“”„'‘’]{6,200})[\"“”„'‘’]")
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
           "jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec")
_NUM_LIST = r"\d{1,2}(?!\d)[a-z]?(?:\s*(?:,|en|t/m|tot en met|-|–)\s*\d{1,2}(?!\d)[a-z]?)*"
#: "Ad 1 en 2", "ad 3:", "punt 4", "adviespunten 5 en 7", "advies 3", "aanbeveling 2".
_REFERENCE = re.compile(
    r"(?:^|(?<=[\s(]))(?:ad|(?:advies)?punt(?:en)?|adviezen|advies|aanbeveling(?:en)?|"
    r"(?:uw\s+)?(?:eerste|tweede)?\s*vra(?:ag|gen))\s+(" + _NUM_LIST + r")(?![\d.,]*\s*(?:" + _MONTHS + r")\b)"
    r"(?![.,]\d)", re.IGNORECASE)
_ARTICLE = re.compile(r"\b(?:artikel|art\.)\s*(\d+(?:[.:]\d+)*[a-z]?)", re.IGNORECASE)
_AMOUNT = re.compile(r"(?:€|eur\b|euro\b)\s*(\d[\d.]*(?:,\d+)?)(?:\s*(miljoen|mln|duizend))?|"
                     r"\b(\d[\d.]*(?:,\d+)?)\s*(?:(miljoen|mln|duizend)\s+)?(?:euro|procent|%)", re.IGNORECASE)


def _amount(value: str, scale: str | None) -> str:
    digits = value.replace(".", "").replace(",", ".")
    try:
        n = float(digits)
    except ValueError:
        return value
    n *= {"miljoen": 1e6, "mln": 1e6, "duizend": 1e3}.get((scale or "").lower(), 1)
    return f"{n:g}"


def shared_numbers(text: str) -> set[str]:
    """The numbers in ``text`` that can tie a reaction to a point: advice numbers ("advies 3",
    "punt 2"), article numbers ("artikel 4.2") and amounts ("€ 80.000", "5 procent"). Dates
    and years are not among them: a letter's date says nothing about what it answers."""
    out = set()
    for m in _REFERENCE.finditer(text):
        out.update(f"punt {n}" for n in _expand(m.group(1)))
    out.update(f"artikel {a}" for a in _ARTICLE.findall(text))
    for m in _AMOUNT.finditer(text):
        value, scale = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.add(f"bedrag {_amount(value, scale)}")
    return out


def _expand(numbers: str) -> list[str]:
    """ "1 en 2" -> [1, 2]; "3 t/m 5" -> [3, 4, 5]."""
    out: list[str] = []
    tokens = re.findall(r"\d{1,2}[a-z]?|t/m|tot en met|-|–", numbers)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t in ("t/m", "tot en met", "-", "–") and out and i + 1 < len(tokens) and out[-1].isdigit() \
                and tokens[i + 1].isdigit():
            out.extend(str(n) for n in range(int(out[-1]) + 1, int(tokens[i + 1]) + 1))
            i += 2
            continue
        if t[0].isdigit():
            out.append(t)
        i += 1
    return out


def references(text: str) -> tuple[list[str], str]:
    """Point numbers a reaction paragraph names explicitly, and the words that name them.

    Only references at the start of the paragraph or of a sentence count as the
    paragraph's own ("Ad 1 en 2.", "Punt 3:", "Uw adviezen 5 en 7 ..."), and a number
    followed by a month is a date, not a point."""
    found: list[str] = []
    words = []
    for sent in re.split(r"(?<=[.!?:])\s+", text.strip()):
        head = sent[:60]
        for m in _REFERENCE.finditer(head):
            before = head[:m.start()].strip().lower()
            if before and not re.fullmatch(r"(?:uw|de|over|bij|op|in|wat betreft|met betrekking tot)(?:\s+\w+)?", before):
                continue
            nums = _expand(m.group(1))
            found.extend(n for n in nums if n not in found)
            words.append(m.group(0).strip())
    return found, "; ".join(words)


def orth_key(lemma: str) -> str:
    """A spelling-tolerant key: doubled letters collapsed (``accommodatie`` and the common
    misspelling ``accomodatie`` meet), accents kept."""
    return re.sub(r"(.)\1+", r"\1", lemma)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


#: Dependency relations of phrase heads: the parser's heads weigh more than their modifiers.
HEAD_DEPS = {"ROOT", "nsubj", "nsubj:pass", "obj", "iobj", "obl", "xcomp", "ccomp", "conj", "appos"}
HEAD_WEIGHT = 1.5
#: Adjectives and verbs say less about a point's subject than nouns ("nieuw", "werken").
POS_WEIGHT = {"ADJ": 0.6, "VERB": 0.7}
#: Weight of a compound's last part (its head: *welzijnsaccommodatie* is an *accommodatie*).
COMPOUND_HEAD_WEIGHT = 0.8
COMPOUND_MODIFIER_WEIGHT = 0.4


def _analyse(texts: Sequence[str], nlp=None) -> list[_Doc]:
    if nlp is None:
        from analysis.nlp import load

        nlp = load()
    from analysis.nlp.compounds import analyse_compound

    out = []
    for text, doc in zip(texts, nlp.pipe(list(texts), batch_size=16)):
        total: Counter = Counter()
        sentences, bags = [], []
        display: dict[str, str] = {}
        for sent in doc.sents:
            bag: Counter = Counter()
            for tok in sent:
                if tok.pos_ not in CONTENT_POS or tok.pos_ == "NUM" or tok.is_stop or tok.is_punct:
                    continue
                lemma = (tok.lemma_ or tok.text).lower().strip()
                if len(lemma) < 3 or lemma in LETTER_WORDS or not any(ch.isalpha() for ch in lemma):
                    continue
                weight = HEAD_WEIGHT if tok.dep_ in HEAD_DEPS and tok.pos_ in ("NOUN", "PROPN") else \
                    POS_WEIGHT.get(tok.pos_, 1.0)
                key = orth_key(lemma)
                bag[key] += weight
                display.setdefault(key, lemma)
                if tok.pos_ == "NOUN" and len(lemma) > 7:
                    parts = analyse_compound(lemma).parts
                    if len(parts) > 1:
                        for j, part in enumerate(parts):
                            if len(part) < 4 or part in LETTER_WORDS:
                                continue
                            pkey = orth_key(part)
                            bag[pkey] += weight * (COMPOUND_HEAD_WEIGHT if j == len(parts) - 1
                                                   else COMPOUND_MODIFIER_WEIGHT)
                            display.setdefault(pkey, part)
            sentences.append(sent)
            bags.append(bag)
            total.update(bag)
        quotes = [_norm(q) for q in _QUOTE.findall(text) if len(_norm(q).split()) >= 2]
        refs, ref_text = references(text)
        out.append(_Doc(total, sentences, bags, quotes, shared_numbers(text), refs, ref_text, display, text))
    return out


def _weights(X, r: int, index: dict[str, int], bag: Counter) -> dict[str, float]:
    """Row ``r`` of the TF-IDF matrix as lemma -> weight, in the order of ``bag``."""
    row = X.getrow(r)
    values = dict(zip(row.indices.tolist(), row.data.tolist()))
    return {t: values[index[t]] for t in bag if index.get(t) in values}


# ----------------------------------------------------------------------------- stance

def _parse(texts: Sequence[str], nlp=None) -> list:
    if nlp is None:
        from analysis.nlp import load

        nlp = load()
    return list(nlp.pipe(list(texts)))


def stance_cues(text: str, *, nlp=None) -> list[str]:
    """The stances whose cues occur in ``text`` (parsed), in priority order."""
    doc = _parse([text], nlp)[0]
    found: list[str] = []
    for sent in doc.sents:
        for s in read_sentence(sent).stances:
            if s not in found:
                found.append(s)
    return [s for s in PRIORITY if s in found]


def classify_stance(sentences: Sequence[str], paragraph: str, *, nlp=None) -> tuple[str, str]:
    """(stance, the sentence the cue was found in) for one link, from plain text.

    ``sentences`` are the paragraph's sentences most about the advice point, best first
    (see :func:`analysis.trace_stance.classify`)."""
    docs = _parse([paragraph] + [s for s in sentences], nlp)
    par_sents = list(docs[0].sents)
    picked = []
    for d in docs[1:]:
        match = next((s for s in par_sents if s.text.strip() == d.text.strip()), None)
        picked.append(match if match is not None else d[:])
    stance, evidence, _ = classify(picked or par_sents, par_sents)
    return stance, evidence


# ----------------------------------------------------------------------------- linking

_COURTESY = re.compile(
    r"^\s*(?:(?:wij|we|graag|het college|de gemeente)\s+)?(?:danken|dankt|bedanken|bedankt|dank|spreken)\b|"
    r"\bwaardering\b|\bdank (?:u|voor)\b|"
    r"^\s*(?:hierbij|in deze brief)\b[^.]{0,80}\breageren\b|^\s*(?:wij vertrouwen erop|wij hopen u)\b",
    re.IGNORECASE)


def is_courtesy(text: str) -> bool:
    """Thanks and appreciation (opening/closing courtesies) answer no advice point.

    A paragraph counts as courtesy when its first sentence thanks or expresses
    appreciation and it has at most two sentences.
    """
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return bool(sentences) and len(sentences) <= 2 and bool(_COURTESY.search(sentences[0]))


#: Words for the advice as a whole; in the plural ("de bovengenoemde adviezen", "de
#: aandachtspunten") a sentence speaks about all points at once.
GENERIC_ADVICE_NOUNS = {"advies", "adviespunt", "aandachtspunt", "punt", "opmerking", "aanbeveling", "suggestie",
                        "onderdeel"}


def _is_blanket_sentence(sent) -> bool:
    for tok in sent:
        if tok.pos_ == "NOUN" and (tok.lemma_ or "").lower() in GENERIC_ADVICE_NOUNS \
                and ("Plur" in tok.morph.get("Number") or tok.text.lower().endswith(("en", "s"))) \
                and tok.text.lower() != (tok.lemma_ or "").lower():
            return True
    return False


def is_blanket(doc: "_Doc", best_lexical: float) -> bool:
    """A general acknowledgement ("De bovengenoemde adviezen worden zeer serieus genomen"):
    a short paragraph that speaks of the advice's points in the plural, names none of them
    and is not about any one point in particular."""
    return (not doc.references and len(doc.sentences) <= 2 and best_lexical < BLANKET_MAX_LEXICAL
            and any(_is_blanket_sentence(s) for s in doc.sentences))


BLANKET_MAX_LEXICAL = 0.15
#: The letter's order: a point between the points the neighbouring paragraphs answer gets a
#: bonus, a point outside that window keeps this share of its score; a path through the
#: paragraphs that steps back to an earlier point pays ORDER_STEP_BACK.
ORDER_BONUS = 0.05
OUT_OF_ORDER = 0.5
ORDER_STEP_BACK = 0.1
#: Weight of the best sentence (against the whole paragraph) in a pair's similarity.
SENTENCE_WEIGHT = 0.5
#: A sentence this similar to one point (its best within the order window) links that point.
SENTENCE_MIN = 0.12
NUMBER_BONUS = 0.05
QUOTE_BONUS = 0.15


@dataclass
class Link:
    point: str          # advice point label
    paragraph: str      # reaction paragraph label
    score: float
    lexical: float
    cues: list[str] = field(default_factory=list)  # e.g. 'citaat: "…"', 'getal: artikel 4'
    shared: list[str] = field(default_factory=list)  # strongest shared lemmas
    stance: str = "kennisgenomen"
    stance_evidence: str = ""
    reference: str = ""     # the explicit reference that made the link ("Ad 1 en 2")
    order: str = ""         # how the letter's order supports the link (Dutch, for the UI)
    basis: str = "gelijkenis"  # verwijzing | gelijkenis | beste match | volgorde
    stance_cue: str = ""


@dataclass
class LinkResult:
    links: list[Link]
    scores: dict[tuple[str, str], float]   # every (point, paragraph) pair
    unanswered: list[str]                  # point labels no paragraph answers specifically
    min_score: float
    relative: float
    general: list[str] = field(default_factory=list)  # paragraphs that answer the advice as a whole

    @property
    def generally_answered(self) -> list[str]:
        """Unanswered points that only got a general acknowledgement."""
        return list(self.unanswered) if self.general else []

    def for_paragraph(self, label: str) -> list[Link]:
        return [l for l in self.links if l.paragraph == label]

    def for_point(self, label: str) -> list[Link]:
        return [l for l in self.links if l.point == label]


def _resolve(number: str, labels: Sequence[str]) -> str | None:
    """The point a reference number means: the point labelled so, or whose label's digits
    are that number (``A3``), or else the n-th point."""
    for l in labels:
        if l.lower() == number.lower():
            return l
    for l in labels:
        if re.sub(r"\D", "", l) == number and re.sub(r"\d", "", l).isalpha():
            return l
    if number.isdigit() and 1 <= int(number) <= len(labels) and not any(ch.isdigit() for l in labels for ch in l):
        return labels[int(number) - 1]
    return None


def link(points: Sequence[TextPart] | Sequence[tuple[str, str]],
         paragraphs: Sequence[TextPart] | Sequence[tuple[str, str]], *, nlp=None,
         min_score: float = DEFAULT_MIN_SCORE, relative: float = DEFAULT_RELATIVE,
         point_numbers: Sequence[str] | None = None) -> LinkResult:
    """Propose links from reaction paragraphs to the advice points they answer.

    ``point_numbers`` are the points' numbers as the letter writes them (for resolving
    "Ad 3"); by default the points' labels.

    1. A paragraph that names points ("Ad 1 en 2", "punt 3") answers exactly those.
    2. Otherwise points and paragraphs are compared as TF-IDF bags of content lemmas
       (parser heads weigh more, compounds add their parts, spelling-tolerant keys), plus
       shared quotes and shared advice/article numbers and amounts (never years).
    3. Reactions usually follow the advice's order: paragraphs with a clear best point
       anchor the order, and a point between the anchors of the paragraphs around a
       paragraph gets a bonus.
    4. A link is proposed when its score is at least ``min_score`` and ``relative`` times
       the paragraph's best; a paragraph that reaches neither still gets its best match
       (on short letters an absolute threshold is arbitrary). Courtesies and general
       acknowledgements answer no point; points without a link are unanswered.
    """
    pts = [_as_pair(p) for p in points]
    prs = [_as_pair(p) for p in paragraphs]
    labels = [pl for pl, _ in pts]
    if not pts or not prs:
        return LinkResult([], {}, labels, min_score, relative)
    docs = _analyse([t for _, t in pts] + [t for _, t in prs], nlp=nlp)
    pdocs, rdocs = docs[:len(pts)], docs[len(pts):]
    tfidf = Tfidf()
    X = tfidf.fit_transform([d.lemmas for d in docs])
    index = {t: j for j, t in enumerate(tfidf.vocabulary)}
    vecs = [_weights(X, r, index, d.lemmas) for r, d in enumerate(docs)]
    pvecs, rvecs = vecs[:len(pts)], vecs[len(pts):]
    P = X[:len(pts)]
    lexical_of = (X[len(pts):] @ P.T).toarray() if X.shape[1] else [[0.0] * len(pts) for _ in prs]

    base: dict[tuple[int, int], float] = {}
    details: dict[tuple[int, int], tuple[float, list[str], list[str]]] = {}
    sentence_sims = [(tfidf.transform(d.bags) @ P.T).toarray() if d.bags and X.shape[1] else None
                     for d in rdocs]
    for ri, (rdoc, rv) in enumerate(zip(rdocs, rvecs)):
        for pi, (pdoc, pv) in enumerate(zip(pdocs, pvecs)):
            lexical = float(lexical_of[ri][pi])
            if sentence_sims[ri] is not None:
                lexical = (1 - SENTENCE_WEIGHT) * lexical + SENTENCE_WEIGHT * float(sentence_sims[ri][:, pi].max())
            cues, bonus = [], 0.0
            ptext = _norm(pdoc.text)
            for q in rdoc.quotes:
                if q and q in ptext:
                    cues.append(f'citaat: "{q}"')
                    bonus += QUOTE_BONUS
            for n in sorted(rdoc.numbers & pdoc.numbers):
                cues.append(f"getal: {n}")
                bonus += NUMBER_BONUS
            shared = [rdoc.display.get(t) or pdoc.display.get(t, t)
                      for t in sorted((t for t in pv if t in rv), key=lambda t: -pv[t] * rv[t])[:6]]
            base[(ri, pi)] = lexical + bonus
            details[(ri, pi)] = (lexical, cues, shared)

    # which paragraphs answer nothing, and which name their points
    kind: list[str] = []
    explicit: dict[int, list[int]] = {}
    for ri, ((rl, rtext), rdoc) in enumerate(zip(prs, rdocs)):
        numbers = [str(x) for x in point_numbers] if point_numbers is not None else labels
        resolved = [numbers.index(l) for l in (_resolve(n, numbers) for n in rdoc.references) if l is not None]
        best_lex = max(float(lexical_of[ri][pi]) for pi in range(len(pts)))
        if resolved:
            explicit[ri] = sorted(set(resolved))
            kind.append("explicit")
        elif is_courtesy(rtext):
            kind.append("courtesy")
        elif is_blanket(rdoc, best_lex):
            kind.append("general")
        else:
            kind.append("content")

    # the letter's order: a monotone path through the paragraphs (explicit references fix
    # their place), found by dynamic programming; stepping back costs ORDER_STEP_BACK
    seq = [ri for ri, k in enumerate(kind) if k in ("content", "explicit")]
    n = len(pts)
    INF = float("-inf")
    best_path: dict[int, int] = {}
    if seq:
        dp = [[INF] * n for _ in seq]
        back = [[0] * n for _ in seq]
        for si, ri in enumerate(seq):
            for pi in range(n):
                if kind[ri] == "explicit" and pi != explicit[ri][-1]:
                    continue
                gain = 1.0 if kind[ri] == "explicit" else base[(ri, pi)]
                if si == 0:
                    dp[si][pi] = gain
                    continue
                prev_best, arg = INF, 0
                for pj in range(n):
                    if dp[si - 1][pj] == INF:
                        continue
                    start = explicit[ri][0] if kind[ri] == "explicit" else pi
                    v = dp[si - 1][pj] - (ORDER_STEP_BACK if start < pj else 0.0)
                    if v > prev_best:
                        prev_best, arg = v, pj
                dp[si][pi] = prev_best + gain
                back[si][pi] = arg
        pi = max(range(n), key=lambda j: dp[-1][j])
        for si in range(len(seq) - 1, -1, -1):
            best_path[seq[si]] = pi
            pi = back[si][pi]

    def window(ri: int) -> tuple[int, int, str]:
        before = [r for r in seq if r < ri]
        after = [r for r in seq if r > ri]
        prev = max(before) if before else None
        nxt = min(after) if after else None
        lo = best_path[prev] if prev is not None else 0
        hi = (explicit[nxt][0] if nxt in explicit else best_path[nxt]) if nxt is not None else n - 1
        if lo > hi:
            lo, hi = hi, lo
        words = []
        if prev is not None:
            words.append(f"na de reactie op punt {labels[lo]}")
        if nxt is not None:
            words.append(f"vóór die op punt {labels[hi]}")
        return lo, hi, " en ".join(words)

    links: list[Link] = []
    scores: dict[tuple[str, str], float] = {}
    general: list[str] = []
    plan: dict[int, list[tuple[int, str]]] = {}
    windows: dict[int, tuple[int, int, str]] = {}
    rows: dict[int, dict[int, float]] = {}
    for ri, ((rl, rtext), rdoc) in enumerate(zip(prs, rdocs)):
        lo, hi, order_words = windows[ri] = window(ri)
        row = rows[ri] = {}
        for pi in range(len(pts)):
            in_order = lo <= pi <= hi
            row[pi] = (base[(ri, pi)] + ORDER_BONUS if base[(ri, pi)] > 0 else 0.0) if in_order \
                else base[(ri, pi)] * OUT_OF_ORDER
            scores[(labels[pi], rl)] = round(row[pi], 4)
        if kind[ri] == "general":
            general.append(rl)
        if kind[ri] in ("courtesy", "general"):
            continue
        if kind[ri] == "explicit":
            plan[ri] = [(pi, "verwijzing") for pi in explicit[ri]]
            continue
        best = max(row.values())
        picked = {pi for pi in range(len(pts)) if row[pi] >= min_score and row[pi] >= relative * best}
        # a sentence that is clearly about one point (where the order expects it) links it too
        if sentence_sims[ri] is not None:
            for si in range(len(rdoc.sentences)):
                top = max(range(lo, hi + 1), key=lambda pi: sentence_sims[ri][si][pi])
                if sentence_sims[ri][si][top] >= SENTENCE_MIN and row[top] >= min_score:
                    picked.add(top)
        chosen = [(pi, "gelijkenis") for pi in sorted(picked)]
        if not chosen and best > 0:
            chosen = [(max(row, key=row.get), "beste match")]
        plan[ri] = chosen
    # a paragraph that shares no words with any point answers the one point the order leaves
    # for it: the only unanswered point between the answers around it
    answered_idx = {pi for chosen in plan.values() for pi, _ in chosen}
    for ri, k in enumerate(kind):
        if k == "content" and not plan.get(ri):
            lo, hi, order_words = windows[ri]
            free = [pi for pi in range(lo, hi + 1) if pi not in answered_idx]
            if len(free) == 1 and order_words:
                plan[ri] = [(free[0], "volgorde")]
                answered_idx.add(free[0])

    for ri, chosen in sorted(plan.items()):
        if not chosen:
            continue
        rl, rdoc, row = prs[ri][0], rdocs[ri], rows[ri]
        lo, hi, order_words = windows[ri]
        # each sentence is about the chosen point it is most similar to
        sent_sims = sentence_sims[ri]
        chosen_idx = [pi for pi, _ in chosen]
        owner = {}
        if sent_sims is not None:
            for si in range(len(rdoc.sentences)):
                sims = {pi: sent_sims[si][pi] for pi in chosen_idx}
                top = max(sims, key=sims.get)
                owner[si] = top if sims[top] > 0 else None
            # a point no sentence of the paragraph is mostly about is not what it answers
            owned = set(owner.values())
            if len(chosen) > 1 and all(b == "gelijkenis" for _, b in chosen) and owned - {None}:
                chosen = [(pi, b) for pi, b in chosen if pi in owned]
                chosen_idx = [pi for pi, _ in chosen]
        for pi, basis in chosen:
            lexical, cues, shared = details[(ri, pi)]
            # a paragraph that names its points answers each of them as a whole ("Ad 5 en 7.
            # Deze punten worden meegenomen")
            if len(chosen_idx) == 1 or sent_sims is None or basis == "verwijzing":
                mine = list(range(len(rdoc.sentences)))
                mine.sort(key=lambda si: -(sent_sims[si][pi] if sent_sims is not None else 0))
            else:
                mine = sorted((si for si, o in owner.items() if o == pi), key=lambda si: -sent_sims[si][pi])
                mine += [si for si, o in owner.items() if o is None]
            stance, evidence, cue = classify([rdoc.sentences[si] for si in mine], rdoc.sentences)
            in_order = lo <= pi <= hi and bool(order_words) and basis != "verwijzing"
            links.append(Link(point=labels[pi], paragraph=rl, score=round(row[pi], 4), lexical=round(lexical, 4),
                              cues=cues, shared=shared, stance=stance, stance_evidence=evidence,
                              reference=rdoc.reference_text if basis == "verwijzing" else "",
                              order=order_words if in_order else "", basis=basis, stance_cue=cue))
    answered = {l.point for l in links}
    unanswered = [pl for pl in labels if pl not in answered]
    return LinkResult(links, scores, unanswered, min_score, relative, general)


def _as_pair(p) -> tuple[str, str]:
    if isinstance(p, TextPart):
        return p.label, p.text
    if isinstance(p, dict):
        return str(p.get("id") or p.get("label")), p["text"]
    return str(p[0]), p[1]


# ----------------------------------------------------------------------------- evaluation

def load_gold(data: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict, set[str]]:
    """Read a gold file: ``(points, paragraphs, {(point, paragraph): stance}, unanswered)``.

    Accepts the trace reference format (``advice_points``/``response_paragraphs``/
    ``gold_links``/``unanswered_advice``, optionally ``general_responses``) and the demo
    format (``advice.points``/``reaction.paragraphs``/``links``).
    """
    if "advice_points" in data:
        points = [(p["id"], p["text"]) for p in data["advice_points"]]
        paragraphs = [(p["id"], p["text"]) for p in data["response_paragraphs"]]
        gold = {(l["advice"], l["response"]): l.get("stance") for l in data["gold_links"]}
        unanswered = set(data.get("unanswered_advice") or [])
    else:
        points = [(p["label"], p["text"]) for p in data["advice"]["points"]]
        paragraphs = [(p["label"], p["text"]) for p in data["reaction"]["paragraphs"]]
        gold = {(l["point"], l["paragraph"]): l.get("stance") for l in data["links"]}
        linked = {p for p, _ in gold}
        unanswered = set(data.get("unanswered") or [p for p, _ in points if p not in linked])
    return points, paragraphs, gold, unanswered


def evaluate(data: dict, *, nlp=None, min_score: float = DEFAULT_MIN_SCORE,
             relative: float = DEFAULT_RELATIVE) -> dict:
    """Run the linker on a gold file and score it (see ``consult trace evaluate``): link
    precision/recall/F1, stance accuracy on correct links (overall and per gold stance),
    unanswered points found and missed, and general acknowledgements."""
    points, paragraphs, gold, gold_unanswered = load_gold(data)
    result = link(points, paragraphs, nlp=nlp, min_score=min_score, relative=relative)
    predicted = {(l.point, l.paragraph): l.stance for l in result.links}
    correct = set(predicted) & set(gold)
    p = len(correct) / len(predicted) if predicted else 0.0
    r = len(correct) / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    stance_ok = sum(1 for k in correct if predicted[k] == gold[k])
    per_stance = {}
    for s in STANCES:
        keys = [k for k in correct if gold[k] == s]
        if keys:
            ok = sum(1 for k in keys if predicted[k] == s)
            per_stance[s] = {"correct": ok, "total": len(keys), "accuracy": round(ok / len(keys), 4)}
    flagged = set(result.unanswered)
    order = [pl for pl, _ in points]
    out = {
        "points": len(points), "paragraphs": len(paragraphs),
        "gold_links": len(gold), "predicted_links": len(predicted), "correct_links": len(correct),
        "link_precision": round(p, 4), "link_recall": round(r, 4), "link_f1": round(f1, 4),
        "stance_accuracy": round(stance_ok / len(correct), 4) if correct else None,
        "stance_correct": stance_ok, "stance_per_stance": per_stance,
        "unanswered_gold": len(gold_unanswered), "unanswered_flagged": len(flagged),
        "unanswered_correct": len(flagged & gold_unanswered),
        "unanswered_found": [x for x in order if x in flagged & gold_unanswered],
        "unanswered_missed": [x for x in order if x in gold_unanswered - flagged],
        "unanswered_wrongly_flagged": [x for x in order if x in flagged - gold_unanswered],
        "general_responses": result.general,
        "missed_links": sorted(f"{a}-{b}" for a, b in set(gold) - correct),
        "wrong_links": sorted(f"{a}-{b}" for a, b in set(predicted) - correct),
        "stance_errors": sorted(f"{a}-{b}: {predicted[(a, b)]} (gold {gold[(a, b)]})"
                                for a, b in correct if predicted[(a, b)] != gold[(a, b)]),
        "min_score": min_score, "relative": relative,
    }
    if "general_responses" in data:
        gold_general = set(data["general_responses"])
        out["general_gold"] = sorted(gold_general)
        out["general_correct"] = len(gold_general & set(result.general))
    return out


__all__ = ["TextPart", "Link", "LinkResult", "STANCES", "split_letter", "split_advice",
           "split_reaction", "link", "stance_cues", "classify_stance", "evaluate", "load_gold",
           "shared_numbers", "references", "orth_key", "is_blanket", "is_courtesy"]
