"""Lexical feature vectors ("tag dictionary") for the statistical pipeline.

The UD training data is small (about 40k tokens), so a quarter of the
development tokens are unseen in training.  To give the tagger and lemmatizer
knowledge about such words, every frequent Dutch word form gets a small,
hand-designed vector (spaCy *static vectors*, keyed on the lower-case and the
capitalised form) telling which word classes the form can belong to according to spaCy's
Dutch lemma tables (``spacy-lookups-data``) and how frequent it is (``wordfreq``):

====  =====================================================================
dim   meaning
====  =====================================================================
0-4   the form is a noun / verb / adjective / adposition / determiner lemma
5-7   the form is an inflection of a known noun / verb / adjective lemma
      (suffix rules + exception tables of the Dutch rule lemmatizer)
8     the form is in the irregular-form lookup table
9     the form is an exception form of a pronoun/adverb/adposition/determiner
10    Zipf frequency / 7
11    spaCy Dutch stop word
====  =====================================================================

These vectors are built by :func:`build_vectors` during training and saved
inside the pipeline (``vocab/vectors``); nothing is computed at load time.
"""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import numpy

from . import lookups

N_DIMS = 12
MIN_ZIPF = 2.0


def _classes():
    idx = lookups.lemma_index()
    return {k: frozenset(w.lower() for w in v) for k, v in idx.items()}


def _rules() -> Dict[str, List[Tuple[str, str]]]:
    import gzip
    import json

    path = lookups._lookups_file("nl_lemma_rules.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def features(words: List[str]) -> numpy.ndarray:
    from spacy.lang.nl.stop_words import STOP_WORDS
    from wordfreq import zipf_frequency

    cls = _classes()
    nouns, verbs, adjs = cls.get("noun", frozenset()), cls.get("verb", frozenset()), cls.get("adj", frozenset())
    adps, dets = cls.get("adp", frozenset()), cls.get("det", frozenset())
    rules = _rules()
    exc = lookups.lemma_exc()
    table = lookups.lemma_lookup()
    exc_fn = set()
    for k in ("pron", "adv", "adp", "det"):
        exc_fn.update(w.lower() for w in exc.get(k, {}))

    def inflected(form, pos, lemmas):
        if form in exc.get(pos, {}):
            return True
        for old, new in rules.get(pos, ()):
            if form.endswith(old):
                cand = form[: len(form) - len(old)] + new
                if cand != form and cand in lemmas:
                    return True
        return False

    out = numpy.zeros((len(words), N_DIMS), dtype="float32")
    for i, w in enumerate(words):
        v = out[i]
        v[0] = w in nouns
        v[1] = w in verbs
        v[2] = w in adjs
        v[3] = w in adps
        v[4] = w in dets
        v[5] = inflected(w, "noun", nouns)
        lk = table.get(w)
        v[6] = inflected(w, "verb", verbs) or (lk is not None and lk.lower() in verbs and lk.lower() != w)
        v[7] = inflected(w, "adj", adjs)
        v[8] = lk is not None
        v[9] = w in exc_fn
        v[10] = zipf_frequency(w, "nl") / 7.0
        v[11] = w in STOP_WORDS
    return out


def vocabulary(min_zipf: float = MIN_ZIPF) -> List[str]:
    from wordfreq import get_frequency_dict

    freq = get_frequency_dict("nl", wordlist="best")
    cut = 10 ** min_zipf / 1e9
    words = [w for w, f in freq.items() if f >= cut and w.strip()]
    extra = set(lookups.lexicon()) | set(lookups.lexicon().values())
    seen = set(words)
    words += sorted(w.lower() for w in extra if w.lower() not in seen)
    return words


def build_vectors(out_dir: Path, min_zipf: float = MIN_ZIPF) -> Path:
    """Write a blank Dutch pipeline whose vocab holds the feature vectors;
    pass it as ``paths.vectors`` to training."""
    import spacy
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    words = vocabulary(min_zipf)
    data = features(words)
    nlp = spacy.blank("nl")
    # spaCy persists a Vectors' key attribute only for floret vectors, so the
    # table is keyed on ORTH: each row gets the lower-case and the capitalised
    # form as keys (sentence-initial words and names find their features too).
    vectors = Vectors(shape=data.shape, name="consult_nl_lexfeatures")
    vectors.data[:] = data
    # keys are string hashes; the strings themselves are not stored, which
    # keeps vocab/strings.json and the load time small
    for row, w in enumerate(words):
        vectors.add(get_string_id(w), row=row)
        cap = w[:1].upper() + w[1:]
        if cap != w:
            vectors.add(get_string_id(cap), row=row)
    nlp.vocab.vectors = vectors
    out_dir = Path(out_dir)
    nlp.to_disk(out_dir)
    return out_dir
