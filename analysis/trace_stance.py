"""Reading the college's stance on an advice point from the parse of its reaction.

Cues are matched on lemmas and the dependency parse of the bundled Dutch pipeline, not on
surface strings, so inflected, passive, third-person and impersonal forms read the same as
the first-person present: "wij nemen ... over", "het college neemt ... over", "wordt
overgenomen", "is opgenomen", "er zijn pilots gestart". A separable verb is read as one
lemma (``nemen`` + particle ``over`` = ``overnemen``).

Readings, strongest first:

* **deels_overgenomen** — "deels", "gedeeltelijk", "ten dele", "voor een deel"; or a
  rejection softened by a *wel*-clause with an action ("Dit nemen wij niet over ... wel ...").
* **niet_overgenomen** — a negated adoption verb ("niet overnemen", "wordt niet
  meegenomen"), "afwijzen", "geen aanleiding", "niet eens".
* **overgenomen** — an adoption or action verb that is not negated (overnemen, opnemen,
  meenemen, verwerken, aanpassen, vervangen, herschrijven, uitwerken, starten ...), a
  first-person or college promise ("zullen wij ..."), endorsing a suggestion, proposal,
  request or recommendation, and endorsing a remark *that* ... when the same paragraph
  then acts on it ("Wij onderschrijven uw opmerking dat ... Daarom zullen wij ...").
* **onderschreven** — onderschrijven, (het) eens zijn, zich vinden in, delen (zorg,
  mening), steunen, staan voor/achter, serieus nemen; and the council recognising the
  college's view ("Dit herkent de adviesraad").
* **kennisgenomen** — kennis nemen, herkennen, danken; and no cue at all.

No Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

#: Verbs (lemma, separable particle joined) that adopt or act on advice when not negated.
ADOPT_VERBS = frozenset({
    "overnemen", "opnemen", "meenemen", "verwerken", "aanpassen", "vervangen", "herschrijven", "uitwerken",
    "toezeggen", "invoeren", "uitbreiden", "opvolgen", "oppakken", "doorvoeren", "wijzigen", "veranderen",
    "toevoegen", "starten", "opstarten", "beginnen", "realiseren", "verbeteren", "herzien",
})
#: Verbs that act in a *wel*-clause that softens a rejection ("wel onderzoeken wij ...").
ACTION_VERBS = ADOPT_VERBS | {"onderzoeken", "bekijken", "verkennen", "bespreken", "zorgen", "organiseren"}
ENDORSE_VERBS = frozenset({"onderschrijven", "steunen", "delen", "ondersteunen", "waarderen"})
ACK_VERBS = frozenset({"kennisnemen", "herkennen", "danken", "bedanken", "erkennen"})
REJECT_VERBS = frozenset({"afwijzen", "verwerpen"})
NEGATIONS = frozenset({"niet", "geen", "nooit"})
PARTIAL_WORDS = frozenset({"deels", "gedeeltelijk", "gedeeltelijke", "grotendeels"})
#: Objects of endorsement that make it an adoption ("onderschrijven de suggestie").
REQUEST_NOUNS = frozenset({"suggestie", "voorstel", "verzoek", "aanbeveling", "advies", "adviespunt"})
#: What one shares when agreeing ("wij delen uw zorg").
VIEW_NOUNS = frozenset({"zorg", "mening", "opvatting", "visie", "standpunt", "analyse", "gedachte", "zienswijze",
                        "conclusie", "ambitie", "wens", "opmerking", "bezorgdheid", "uitgangspunt"})
#: Subjects that are the municipality (the college speaking of itself in the third person).
SELF_SUBJECTS = frozenset({"wij", "we", "college", "gemeente", "ik", "wethouder"})
#: Subjects that are the advisory body ("u zich kunt vinden", "Dit herkent de adviesraad").
COUNCIL_SUBJECTS = frozenset({"u", "adviesraad", "raad", "asdd", "wmo-raad", "cliëntenraad", "jij"})

PRIORITY = ("deels_overgenomen", "niet_overgenomen", "overgenomen", "onderschreven", "kennisgenomen")


def _lemma(tok) -> str:
    return (tok.lemma_ or tok.text).lower()


def _is_verb(tok) -> bool:
    """A verb, or a participle the tagger took for a noun ("worden herschreven")."""
    if tok.pos_ in ("VERB", "AUX", "ADJ"):
        return True
    return tok.pos_ == "NOUN" and any(c.dep_ in ("aux", "aux:pass", "cop") for c in tok.children)


def verb_key(tok) -> str:
    """A verb's lemma with its separable particle: ``neemt ... over`` -> ``overnemen``."""
    prt = [c for c in tok.children if c.dep_ == "compound:prt"]
    lemma = _lemma(tok)
    if tok.pos_ == "NOUN":
        from analysis.nlp.lookups import rule_lemma

        lemma = rule_lemma(tok.text.lower(), "VERB") or lemma
    if prt:
        return "".join(_lemma(p) for p in prt) + lemma
    return lemma


def _negated(tok) -> bool:
    """``niet``/``geen`` on the verb itself, on its auxiliaries or on its object."""
    for c in tok.children:
        if _lemma(c) in NEGATIONS:
            return True
        if c.dep_ in ("obj", "nsubj", "nsubj:pass", "obl") and any(_lemma(g) in NEGATIONS for g in c.children):
            return True
    return False


def _subject(tok) -> str:
    for c in tok.children:
        if c.dep_ in ("nsubj", "nsubj:pass"):
            return _lemma(c)
    return ""


@dataclass
class Reading:
    """What one sentence says: its cue stances (priority order) and why."""

    stances: list[str]
    reasons: list[str]
    negated: bool = False      # the main clause is negated (any verb)
    wel_action: bool = False   # a "wel"-clause with an action
    wel_clause: bool = False   # a "wel"-clause with a verb that is not negated ("Wel gaat er ...")


def read_sentence(sent) -> Reading:
    """The stance cues of one parsed sentence (a spaCy ``Span`` or ``Doc``)."""
    found: dict[str, str] = {}
    toks = list(sent)
    lemmas = [_lemma(t) for t in toks]
    lemma_set = set(lemmas)
    negated_any = False
    wel_action = wel_clause = False
    has_wel = "wel" in lemma_set
    for tok in toks:
        if not _is_verb(tok):
            continue
        key = verb_key(tok)
        neg = _negated(tok)
        negated_any = negated_any or (neg and tok.pos_ != "ADJ")
        subj = _subject(tok)
        if key in ADOPT_VERBS or key in REJECT_VERBS:
            if key in REJECT_VERBS:
                found.setdefault("niet_overgenomen", f"{tok.text} (afwijzen)")
            elif neg:
                found.setdefault("niet_overgenomen", f"niet {key}")
            else:
                found.setdefault("overgenomen", key)
        if key in ACTION_VERBS and not neg and has_wel:
            wel_action = True
        if not neg and tok.pos_ in ("VERB", "AUX") and any(_lemma(c) == "wel" and c.dep_ == "advmod"
                                                          for c in tok.children):
            wel_clause = True
        if key == "nemen" and any(_lemma(c) == "serieus" for c in tok.children):
            found.setdefault("onderschreven", "serieus nemen")
        if key == "nemen" and any(_lemma(c) == "kennis" for c in tok.children):
            found.setdefault("kennisgenomen", "kennis nemen")
        if key in ENDORSE_VERBS:
            obj = [c for c in tok.children if c.dep_ in ("obj", "nsubj:pass")]
            if neg:
                found.setdefault("niet_overgenomen", f"niet {key}")
            elif any(_lemma(o) in REQUEST_NOUNS for o in obj):
                found.setdefault("overgenomen", f"{key} {_lemma(obj[0])}")
            elif key == "delen" and not any(_lemma(o) in VIEW_NOUNS for o in obj):
                pass  # "ruimtes worden gedeeld": sharing things, not a view
            elif key != "waarderen":
                found.setdefault("onderschreven", key)
        if key == "vinden" and any(_lemma(c) in ("ons", "zich", "mij") for c in tok.children) \
                and any(_lemma(t) == "in" and t.i > tok.i for t in tok.subtree):
            found.setdefault("onderschreven", "zich vinden in")
        if key == "volgen" and neg:
            found.setdefault("niet_overgenomen", "niet volgen")
        if key in ACK_VERBS:
            if key == "herkennen" and (subj in COUNCIL_SUBJECTS or any(
                    c.dep_ == "obj" and _lemma(c) in COUNCIL_SUBJECTS for c in tok.children)):
                found.setdefault("onderschreven", "de adviesraad herkent dit")
            else:
                found.setdefault("kennisgenomen", key)
        if key == "zullen" and not neg and tok.pos_ in ("AUX", "VERB") and subj in SELF_SUBJECTS:
            found.setdefault("overgenomen", "toezegging (zullen)")
    if "eens" in lemma_set:
        i = lemmas.index("eens")
        if any(l in NEGATIONS for l in lemmas[max(0, i - 4):i]):
            found.setdefault("niet_overgenomen", "niet eens")
        elif "met" in lemmas[max(0, i - 6):i] or "met" in lemmas[i:i + 3] or "het" in lemmas[max(0, i - 6):i]:
            found.setdefault("onderschreven", "eens")
    if "aanleiding" in lemma_set and "geen" in lemma_set:
        found.setdefault("niet_overgenomen", "geen aanleiding")
    partial = lemma_set & PARTIAL_WORDS
    if partial or _ten_dele(lemmas):
        found["deels_overgenomen"] = sorted(partial)[0] if partial else "ten dele"
    if "niet_overgenomen" in found and has_wel and wel_action:
        found["deels_overgenomen"] = "niet ... wel ..."
    if "niet_overgenomen" in found and "overgenomen" in found:
        del found["overgenomen"]
    stances = [s for s in PRIORITY if s in found]
    return Reading(stances, [found[s] for s in stances], negated_any, wel_action and has_wel, wel_clause)


def _ten_dele(lemmas: Sequence[str]) -> bool:
    text = " ".join(lemmas)
    return "ten dele" in text or "voor een deel" in text


def _endorses_that(sent) -> bool:
    """An endorsement whose object is a *that*-clause: "onderschrijven uw opmerking dat ..."."""
    for tok in sent:
        key = verb_key(tok)
        is_vinden = key == "vinden" and any(_lemma(c) in ("ons", "mij") for c in tok.children)
        if key in ("onderschrijven", "delen", "steunen") or is_vinden or _lemma(tok) == "eens":
            if _subject(tok) in COUNCIL_SUBJECTS:
                continue
            if any(t.i > tok.i and t.pos_ != "DET" and _lemma(t) == "dat" for t in sent):
                return True
    return False


def classify(sentences: Sequence, paragraph: Iterable) -> tuple[str, str, str]:
    """(stance, the sentence it was read from, the cue) for one link.

    ``sentences`` are the parsed sentences of the paragraph that are about the point, best
    first; ``paragraph`` all parsed sentences of the paragraph. The first sentence with a
    cue decides, with three paragraph-level corrections: an endorsement of a *that*-clause
    is an adoption when the paragraph acts on it; a rejection elsewhere in the paragraph
    turns a *wel*-clause with an action into ``deels_overgenomen``; and a rejection the
    next sentence softens with *wel* ("Dit nemen wij niet over. Wel ...") is
    ``deels_overgenomen`` too.
    """
    paragraph = list(paragraph)
    readings = {id(s): read_sentence(s) for s in paragraph}
    for s in sentences:
        if id(s) not in readings:
            readings[id(s)] = read_sentence(s)
    acts = any("overgenomen" in r.stances for r in readings.values())
    rejects = any("niet_overgenomen" in r.stances or r.negated for r in readings.values())
    for s in sentences:
        r = readings[id(s)]
        if not r.stances:
            if r.wel_action and rejects:
                return "deels_overgenomen", s.text, "niet ... wel ..."
            continue
        stance, cue = r.stances[0], r.reasons[0]
        if stance == "onderschreven" and acts and _endorses_that(s):
            return "overgenomen", s.text, f"{cue} + actie"
        if stance == "overgenomen" and r.wel_action and rejects:
            return "deels_overgenomen", s.text, "niet ... wel ..."
        if stance == "niet_overgenomen":
            here = next((i for i, p in enumerate(paragraph) if p is s), None)
            follows = paragraph[here + 1] if here is not None and here + 1 < len(paragraph) else None
            if follows is not None and readings[id(follows)].wel_clause:
                return "deels_overgenomen", f"{s.text} {follows.text}", "niet ... wel ..."
        return stance, s.text, cue
    return "kennisgenomen", "", ""


__all__ = ["read_sentence", "classify", "verb_key", "Reading", "PRIORITY", "ADOPT_VERBS"]
