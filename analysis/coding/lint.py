"""Codebook lint: terms a code's description names that its keyword rules would miss.

A coder reads the description; the rules read only the keywords.  :func:`lint_codebook`
lists, per code, every content term of the description (a noun, proper noun or verb, and
an adjective with its noun such as *korte lijnen*) on which the code's own rules do not
fire, when that term is neither a keyword nor knowingly excluded (the code's ``exclude``
list, see :class:`analysis.codebook.Code`).  "Fire" is tested by running the rule coder
on the term itself, so inflections, compounds and word families count as covered
exactly as they would in a segment.

Not asked for:

* terms in a sentence that starts with ``Niet`` or ``Let op``, and in a clause (split at
  ``;`` and ``:``) that points elsewhere (``niet voor``, ``valt onder``) or names another
  code's identifier (``(FINANCIERING)``);
* terms inside a match of the code's own rules in the description itself, finite verbs
  and participles, and a sense the code already knows (``voorkomen``);
* a noun inside a covered adjective-noun phrase (``voorziening`` in ``algemene
  voorzieningen``), which a keyword already settles;
* generic words: a term named in the descriptions of ``GENERIC_SHARE`` or more of the
  codes (``ondersteuning``, ``inwoner``) says nothing about any one of them.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from analysis.codebook import Codebook
from analysis.coding.base import lemma_key
from analysis.coding.rules import SENSE_RULES, RuleCoder, fold, prepare_docs

__all__ = ["LintFinding", "lint_codebook", "GENERIC_SHARE"]

GENERIC_SHARE = 0.2          # a term in the descriptions of 20% of the codes or more is generic
_POINTERS = re.compile(r"\b(niet voor|niet:|niet |valt onder|let op)", re.IGNORECASE)
_CONTENT = ("NOUN", "PROPN", "VERB")


@dataclass(frozen=True)
class LintFinding:
    code: str
    term: str            # as written in the description
    lemma: str           # what to add as a keyword or exclusion

    def format(self) -> str:
        return f"{self.code}: '{self.term}' is named in the description but is not a keyword (or in 'exclude')"


def _pointing_elsewhere(sentence: str, codes: set[str], own: str) -> bool:
    return bool(_POINTERS.search(sentence)) or any(c in codes and c != own for c in re.findall(r"\b[A-Z_]{3,}\b", sentence))


def _terms(doc, covered: set[int]) -> list[tuple[str, str, bool]]:
    """(surface, lemma text, is a phrase) of the content terms of one clause doc that are
    not inside a match of the code's own rules (token indices ``covered``)."""
    out = []
    toks = [t for t in doc if t.is_alpha and t.i not in covered]
    for i, t in enumerate(toks):
        if t.pos_ == "VERB" and "Inf" not in t.morph.get("VerbForm"):
            continue                     # finite verbs and participles: how, not what
        if t.pos_ in _CONTENT and not t.is_stop and len(t.text) > 2:
            out.append((t.text, lemma_key(t), False))
        if t.pos_ == "ADJ" and i + 1 < len(toks) and toks[i + 1].pos_ in ("NOUN", "PROPN") \
                and toks[i + 1].i == t.i + 1:
            out.append((f"{t.text} {toks[i + 1].text}", f"{t.lower_} {toks[i + 1].lower_}", True))
    return out


def lint_codebook(codebook: Codebook, rules: RuleCoder | None = None) -> list[LintFinding]:
    """Findings for every code, in codebook order (see module docstring)."""
    rules = rules or RuleCoder(codebook)
    ids = set(codebook.code_ids)
    clauses: list[tuple[str, str]] = []        # (code, clause text)
    for c in codebook.codes:
        for sentence in re.split(r"(?<=[.!?])\s+", c.description or ""):
            if re.match(r"\s*(niet\b|let op)", sentence, re.IGNORECASE):
                continue
            for clause in re.split(r"[;:]\s+", sentence):
                if clause.strip() and not _pointing_elsewhere(clause, ids, c.code):
                    clauses.append((c.code, clause))
    docs = prepare_docs([t for _, t in clauses], rules.nlp)
    per_code: dict[str, list[tuple[str, str, bool]]] = {}
    for (code, _), doc in zip(clauses, docs):
        covered_tokens = {i for m in rules.matches(doc) if m.code == code for i in range(m.start, m.end)}
        per_code.setdefault(code, []).extend(_terms(doc, covered_tokens))
    spread = Counter(lem for terms in per_code.values() for lem in {lem for _, lem, _ in terms})
    generic = {lem for lem, n in spread.items() if n >= max(2, GENERIC_SHARE * len(codebook.codes))}
    candidates = [(code, surface, lem, phrase) for code, terms in per_code.items()
                  for surface, lem, phrase in dict.fromkeys(terms) if lem not in generic]
    fired = rules.code([surface for _, surface, _, _ in candidates])
    covered = {(code, lem) for (code, _, lem, _), ss in zip(candidates, fired) if code in {s.code for s in ss}}
    in_covered_phrase = {(code, w) for code, lem in covered if " " in lem for w in lem.split()}
    excluded = {(c.code, k) for c in codebook.codes for t in c.exclude for k in (t.lower(), fold(t))}
    findings, seen = [], set()
    for code, surface, lem, phrase in candidates:
        key = (code, lem)
        if key in covered or key in seen or (code, lem) in in_covered_phrase \
                or (code, surface.lower()) in in_covered_phrase:
            continue
        if {(code, lem), (code, surface.lower()), (code, fold(lem)), (code, fold(surface))} & excluded:
            continue
        if lem in SENSE_RULES and f"{code}:kw:{lem}" in rules.rules:
            continue                      # a sense the code already knows ("voorkomen")
        if phrase and any((code, w) in covered for w in lem.split()):
            continue                      # "formele zorg" when "zorg" already fires the code
        seen.add(key)
        findings.append(LintFinding(code, surface, lem))
    order = {c: i for i, c in enumerate(codebook.code_ids)}
    return sorted(findings, key=lambda f: order[f.code])
