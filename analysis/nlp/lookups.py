"""Lemma resources: spaCy's Dutch lookup tables and consult's own lexicon.

The tables come from the installed ``spacy-lookups-data`` package (never the
network).  Everything is cached per process.
"""
from __future__ import annotations

import gzip
import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet

DATA_DIR = Path(__file__).resolve().parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.tsv"


def _lookups_file(name: str) -> Path:
    import spacy_lookups_data

    return Path(spacy_lookups_data.__file__).resolve().parent / "data" / name


@lru_cache(maxsize=None)
def _table(name: str):
    path = _lookups_file(f"nl_{name}.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def lemma_lookup() -> Dict[str, str]:
    """form -> lemma (about 213k Dutch forms)."""
    return _table("lemma_lookup")


def lemma_index() -> Dict[str, list]:
    """POS (noun/verb/adj/...) -> list of known lemmas."""
    return _table("lemma_index")


def lemma_exc() -> Dict[str, Dict[str, list]]:
    return _table("lemma_exc")


@lru_cache(maxsize=None)
def lexicon() -> Dict[str, str]:
    """consult's domain lexicon (``data/lexicon.tsv``): lower-cased form -> lemma."""
    out: Dict[str, str] = {}
    if not LEXICON_PATH.exists():
        return out
    for line in LEXICON_PATH.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 2 and cols[0] and cols[1]:
            out[cols[0].strip().lower()] = cols[1].strip()
    return out


@lru_cache(maxsize=None)
def known_lemmas() -> FrozenSet[str]:
    """Every lemma we know of: lemma index, lookup targets, lexicon lemmas."""
    known = set()
    for words in lemma_index().values():
        known.update(w.lower() for w in words)
    known.update(v.lower() for v in lemma_lookup().values())
    known.update(v.lower() for v in lexicon().values())
    return frozenset(known)


@lru_cache(maxsize=None)
def lemma_frequencies() -> Counter:
    """A rough frequency for each known lemma: how many forms map to it in the
    lookup table (+ a bonus for the domain lexicon).  Used to rank compound
    splits; common, productive words have many inflected forms listed."""
    freq: Counter = Counter()
    for lem in lemma_lookup().values():
        freq[lem.lower()] += 1
    for words in lemma_index().values():
        for w in words:
            freq[w.lower()] += 1
    for lem in lexicon().values():
        freq[lem.lower()] += 5
    return freq


_UPOS_TABLE = {"NOUN": "noun", "VERB": "verb", "AUX": "verb", "ADJ": "adj", "ADP": "adp", "DET": "det",
               "PRON": "pron", "ADV": "adv"}


@lru_cache(maxsize=None)
def _index_sets() -> Dict[str, FrozenSet[str]]:
    return {k: frozenset(w.lower() for w in v) for k, v in lemma_index().items()}


@lru_cache(maxsize=None)
def _rules_table() -> Dict[str, list]:
    return _table("lemma_rules")


def lemma_class(upos: str) -> str | None:
    """The lookup-table word class for a UPOS tag (AUX counts as verb)."""
    return _UPOS_TABLE.get(upos)


def is_lemma_of_class(lemma: str, upos: str) -> bool:
    """Is ``lemma`` listed as a lemma of the word class of ``upos``?"""
    cls = _UPOS_TABLE.get(upos)
    if cls is None:
        return lemma.lower() in known_lemmas()
    return lemma.lower() in _index_sets().get(cls, ())


@lru_cache(maxsize=200_000)
def rule_lemma(form: str, upos: str) -> str | None:
    """spaCy's Dutch rule lemmatizer (index, exceptions, suffix rules, lookup),
    restricted to *verified* answers: returns a lemma only if it is listed in
    the lemma index or exception table for the word class, else ``None``."""
    cls = _UPOS_TABLE.get(upos)
    if cls is None:
        return None
    s = form.lower()
    index = _index_sets().get(cls, frozenset())
    if s in index:
        return s
    exc = lemma_exc().get(cls, {})
    if s in exc and exc[s]:
        return exc[s][0]
    looked = lemma_lookup().get(s)
    if looked and looked.lower() in index:
        return looked.lower()
    for old, new in _rules_table().get(cls, ()):
        if s.endswith(old):
            cand = s[: len(s) - len(old)] + new
            if cand and cand in index:
                return cand
    return None
