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
* **Linking.** Every point and paragraph becomes a bag of *content lemmas* (nouns, verbs,
  adjectives, proper nouns, numbers; stop words removed) from the bundled Dutch pipeline;
  compound nouns add their parts at half weight (``vraagverheldering`` -> ``vraag``,
  ``verheldering``). Bags are weighted TF-IDF (sublinear tf; idf over all points and
  paragraphs of this advice) and compared by cosine similarity. Two cues add to the score:
  a phrase the paragraph quotes ("...") that occurs in the point (+0.15 each) and a number
  both mention (+0.05 each). Because a paragraph tends to answer the point(s) it is most
  similar to, a link is proposed when the score is at least ``min_score`` *and* at least
  ``relative`` times the paragraph's best score. Points without any proposed link are
  flagged as unanswered.
* **Stance.** Within the paragraph, the sentences most similar to the point are read for
  cue phrases (in this order: rejection, partial, adoption, endorsement, acknowledgement);
  when they carry no cue, the whole paragraph is read; otherwise ``kennisgenomen``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from analysis.nlp.markers import BULLET_CLASS
from analysis.tfidf import Tfidf

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
DEFAULT_RELATIVE = 0.6


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
    sentences: list[tuple[str, Counter]]
    quotes: list[str]
    numbers: set[str]
    text: str


_QUOTE = re.compile(r"[\"“”„'‘’]([^\"“”„'‘’]{6,200})[\"“”„'‘’]")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text.lower())).strip()


def _analyse(texts: Sequence[str], nlp=None) -> list[_Doc]:
    if nlp is None:
        from analysis.nlp import load

        nlp = load()
    from analysis.nlp.compounds import compound_parts

    out = []
    for text, doc in zip(texts, nlp.pipe(list(texts), batch_size=16)):
        total: Counter = Counter()
        sentences = []
        for sent in doc.sents:
            bag: Counter = Counter()
            for tok in sent:
                if tok.pos_ not in CONTENT_POS or tok.is_stop or tok.is_punct:
                    continue
                lemma = (tok.lemma_ or tok.text).lower().strip()
                if len(lemma) < 3 and tok.pos_ != "NUM":
                    continue
                if lemma in LETTER_WORDS or not any(ch.isalnum() for ch in lemma):
                    continue
                bag[lemma] += 1.0
                if tok.pos_ == "NOUN" and len(lemma) > 8:
                    parts = compound_parts(lemma)
                    if len(parts) > 1:
                        for part in parts:
                            if len(part) >= 4 and part not in LETTER_WORDS:
                                bag[part] += 0.5
            sentences.append((sent.text, bag))
            total.update(bag)
        quotes = [_norm(q) for q in _QUOTE.findall(text) if len(_norm(q).split()) >= 2]
        numbers = {n for n in _NUMBER.findall(text)}
        out.append(_Doc(total, sentences, quotes, numbers, text))
    return out


def _weights(X, r: int, index: dict[str, int], bag: Counter) -> dict[str, float]:
    """Row ``r`` of the TF-IDF matrix as lemma -> weight, in the order of ``bag``."""
    row = X.getrow(r)
    values = dict(zip(row.indices.tolist(), row.data.tolist()))
    return {t: values[index[t]] for t in bag if index.get(t) in values}


# ----------------------------------------------------------------------------- stance

_STANCE_CUES: list[tuple[str, re.Pattern]] = [
    ("niet_overgenomen", re.compile(
        r"\bniet\b[^.;]{0,40}\bover(?:ge)?nem(?:en|t)\b|\bover(?:ge)?nem(?:en|t)\b[^.;]{0,20}\bniet\b|"
        r"\bnemen\b[^.;]{0,40}\bniet\b[^.;]{0,20}\bover\b|\bniet (?:eens|volgen|mee eens)\b|"
        r"\bgeen aanleiding\b|\bwijzen\b[^.;]{0,30}\baf\b|\bniet (?:wenselijk|mogelijk)\b[^.;]{0,40}\b(?:advies|voorstel)",
        re.IGNORECASE)),
    ("deels_overgenomen", re.compile(
        r"\b(?:deels|gedeeltelijk|ten dele|voor een deel|gedeeltelijke|ten dele)\b", re.IGNORECASE)),
    ("overgenomen", re.compile(
        r"\bover(?:ge)?nem(?:en|t)\b|\bnemen\b[^.;]{0,40}\bover\b|\bneemt\b[^.;]{0,40}\bover\b|"
        r"\bvervangen\b|\baanpassen\b|\bpassen\b[^.;]{0,40}\baan\b|\bnemen\b[^.;]{0,40}\bmee\b|"
        r"\bmeenemen\b|\bverwerken\b|\bwerken\b[^.;]{0,40}\buit\b|\bopnemen\b|\bnemen\b[^.;]{0,40}\bop\b|"
        r"\bzullen (?:wij|we)\b|\bgaan (?:wij|we)\b|\bwillen (?:wij|we)\b[^.;]{0,40}\bzorgen\b|"
        r"\b(?:wij|we) zijn[^.;]{0,30}\bgestart\b|\bgeven (?:wij|we)\b[^.;]{0,40}\bduidelijkheid\b",
        re.IGNORECASE)),
    ("onderschreven", re.compile(
        r"\bonderschrij(?:ven|ft|f)\b|\bonderschreven\b|\b(?:het )?(?:met u|met uw \w+) eens\b|"
        r"\beens\b|\bkunnen (?:ons|zich) vinden\b|\bkunt vinden\b|\bvinden in\b|\bdelen\b[^.;]{0,30}\b(?:mening|zorg|opvatting|visie)|"
        r"\bsteunen\b|\bstaan (?:wij|we) (?:ook )?(?:voor|achter)\b|\bstaan ook voor\b",
        re.IGNORECASE)),
    ("kennisgenomen", re.compile(
        r"\bkennis(?:genomen| genomen| nemen)\b|\bherkennen\b|\bherkent\b|\bdanken\b|\bwaardering\b|"
        r"\bvoor kennisgeving\b|\bnemen kennis\b",
        re.IGNORECASE)),
]


_ADOPT_SUGGESTION = re.compile(
    r"\b(?:onderschrij\w*|steunen|eens met)\b[^.;]{0,40}\b(?:suggestie|voorstel|verzoek|aanbeveling|advies)\w*",
    re.IGNORECASE)
_WEL = re.compile(r"\bwel\b", re.IGNORECASE)


def stance_cues(text: str) -> list[str]:
    """The stances whose cue phrases occur in ``text``, in priority order.

    Endorsing a *suggestion, proposal, request or recommendation* means adopting it
    (``overgenomen``); endorsing a view stays ``onderschreven``.
    """
    found = [name for name, rx in _STANCE_CUES if rx.search(text)]
    if "niet_overgenomen" in found and "overgenomen" in found:
        found.remove("overgenomen")  # "niet overnemen" also contains "overnemen"
    if _ADOPT_SUGGESTION.search(text) and "niet_overgenomen" not in found:
        found.insert(0, "overgenomen")
    return found


def classify_stance(sentences: Sequence[str], paragraph: str) -> tuple[str, str]:
    """(stance, the text the cue was found in) for one link.

    ``sentences`` are the paragraph's sentences most similar to the advice point, best
    first; each is read on its own, then the paragraph as a whole. A rejection in the
    best sentence that the paragraph softens elsewhere ("niet overnemen ... wel ...")
    is only partial when the point is answered by the softening sentence, so the
    sentence reading wins; a paragraph-level reading with both a rejection and a
    "wel"-clause reads as partial.
    """
    for text in sentences:
        cues = stance_cues(text)
        if cues:
            return cues[0], text
    cues = stance_cues(paragraph)
    if cues:
        if cues[0] == "niet_overgenomen" and _WEL.search(paragraph):
            return "deels_overgenomen", paragraph
        return cues[0], paragraph
    return "kennisgenomen", ""


# ----------------------------------------------------------------------------- linking

_COURTESY = re.compile(
    r"^\s*(?:(?:wij|we|graag)\s+)?(?:danken|bedanken|dank|spreken)\b|\bwaardering\b|\bdank (?:u|voor)\b|"
    r"^\s*(?:hierbij|in deze brief)\b[^.]{0,80}\breageren\b", re.IGNORECASE)


def is_courtesy(text: str) -> bool:
    """Thanks and appreciation (opening/closing courtesies) answer no advice point.

    A paragraph counts as courtesy when its first sentence thanks or expresses
    appreciation and it has at most two sentences.
    """
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    return bool(sentences) and len(sentences) <= 2 and bool(_COURTESY.search(sentences[0]))


@dataclass
class Link:
    point: str          # advice point label
    paragraph: str      # reaction paragraph label
    score: float
    lexical: float
    cues: list[str] = field(default_factory=list)  # e.g. 'quote: "…"', 'number: 3'
    shared: list[str] = field(default_factory=list)  # strongest shared lemmas
    stance: str = "kennisgenomen"
    stance_evidence: str = ""


@dataclass
class LinkResult:
    links: list[Link]
    scores: dict[tuple[str, str], float]   # every (point, paragraph) pair
    unanswered: list[str]                  # point labels nobody answers
    min_score: float
    relative: float

    def for_paragraph(self, label: str) -> list[Link]:
        return [l for l in self.links if l.paragraph == label]

    def for_point(self, label: str) -> list[Link]:
        return [l for l in self.links if l.point == label]


def link(points: Sequence[TextPart] | Sequence[tuple[str, str]],
         paragraphs: Sequence[TextPart] | Sequence[tuple[str, str]], *, nlp=None,
         min_score: float = DEFAULT_MIN_SCORE, relative: float = DEFAULT_RELATIVE) -> LinkResult:
    """Propose links from reaction paragraphs to the advice points they answer."""
    pts = [_as_pair(p) for p in points]
    prs = [_as_pair(p) for p in paragraphs]
    docs = _analyse([t for _, t in pts] + [t for _, t in prs], nlp=nlp)
    pdocs, rdocs = docs[:len(pts)], docs[len(pts):]
    tfidf = Tfidf()
    X = tfidf.fit_transform([d.lemmas for d in docs])
    index = {t: j for j, t in enumerate(tfidf.vocabulary)}
    vecs = [_weights(X, r, index, d.lemmas) for r, d in enumerate(docs)]
    pvecs, rvecs = vecs[:len(pts)], vecs[len(pts):]
    P = X[:len(pts)]
    lexical_of = (X[len(pts):] @ P.T).toarray()    # cosines: (paragraph, point)

    scores: dict[tuple[str, str], float] = {}
    details: dict[tuple[str, str], tuple[float, list[str], list[str]]] = {}
    for ri, ((rl, _), rdoc, rv) in enumerate(zip(prs, rdocs, rvecs)):
        for pi, ((pl, _), pdoc, pv) in enumerate(zip(pts, pdocs, pvecs)):
            lexical = float(lexical_of[ri, pi])
            cues = []
            bonus = 0.0
            ptext = _norm(pdoc.text)
            for q in rdoc.quotes:
                if q and q in ptext:
                    cues.append(f'citaat: "{q}"')
                    bonus += 0.15
            for n in sorted(rdoc.numbers & pdoc.numbers):
                cues.append(f"getal: {n}")
                bonus += 0.05
            shared = sorted((t for t in pv if t in rv), key=lambda t: -pv[t] * rv[t])[:6]
            scores[(pl, rl)] = lexical + bonus
            details[(pl, rl)] = (lexical, cues, shared)

    links: list[Link] = []
    for (rl, rtext), rdoc in zip(prs, rdocs):
        row = {pl: scores[(pl, rl)] for pl, _ in pts}
        if not row or is_courtesy(rtext):
            continue
        best = max(row.values())
        sentence_sims = None
        for pi, (pl, _) in enumerate(pts):
            s = row[pl]
            if s >= min_score and s >= relative * best:
                lexical, cues, shared = details[(pl, rl)]
                # the sentences of the paragraph that are most about this point
                if sentence_sims is None:
                    sentence_sims = (tfidf.transform([bag for _, bag in rdoc.sentences]) @ P.T).toarray()
                sims = sentence_sims[:, pi]
                ranked = sorted(range(len(rdoc.sentences)), key=lambda i: -sims[i])
                top = [rdoc.sentences[i][0] for i in ranked[:2] if sims[i] > 0]
                stance, evidence = classify_stance(top, rtext)
                links.append(Link(point=pl, paragraph=rl, score=round(s, 4), lexical=round(lexical, 4),
                                  cues=cues, shared=shared, stance=stance, stance_evidence=evidence))
    answered = {l.point for l in links}
    unanswered = [pl for pl, _ in pts if pl not in answered]
    return LinkResult(links, scores, unanswered, min_score, relative)


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
    ``gold_links``/``unanswered_advice``) and the demo format (``advice.points``/
    ``reaction.paragraphs``/``links``).
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
    """Run the linker on a gold file and score it (see ``consult trace evaluate``)."""
    points, paragraphs, gold, gold_unanswered = load_gold(data)
    result = link(points, paragraphs, nlp=nlp, min_score=min_score, relative=relative)
    predicted = {(l.point, l.paragraph): l.stance for l in result.links}
    correct = set(predicted) & set(gold)
    p = len(correct) / len(predicted) if predicted else 0.0
    r = len(correct) / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    stance_ok = sum(1 for k in correct if predicted[k] == gold[k])
    flagged = set(result.unanswered)
    return {
        "points": len(points), "paragraphs": len(paragraphs),
        "gold_links": len(gold), "predicted_links": len(predicted), "correct_links": len(correct),
        "link_precision": round(p, 4), "link_recall": round(r, 4), "link_f1": round(f1, 4),
        "stance_accuracy": round(stance_ok / len(correct), 4) if correct else None,
        "stance_correct": stance_ok,
        "unanswered_gold": len(gold_unanswered), "unanswered_flagged": len(flagged),
        "unanswered_correct": len(flagged & gold_unanswered),
        "missed_links": sorted(f"{a}-{b}" for a, b in set(gold) - correct),
        "wrong_links": sorted(f"{a}-{b}" for a, b in set(predicted) - correct),
        "stance_errors": sorted(f"{a}-{b}: {predicted[(a, b)]} (gold {gold[(a, b)]})"
                                for a, b in correct if predicted[(a, b)] != gold[(a, b)]),
        "min_score": min_score, "relative": relative,
    }


__all__ = ["TextPart", "Link", "LinkResult", "STANCES", "split_letter", "split_advice",
           "split_reaction", "link", "stance_cues", "classify_stance", "evaluate", "load_gold"]
