"""Custom pipeline components of consult's Dutch pipeline.

* ``consult_layout`` (first in the pipeline): merges list markers at the start
  of a line (``1.``, ``2)``, ``a)``, ``iv.``) into one token and marks sentence
  starts at paragraph breaks and list items, so the parser never joins two
  bullet points into one sentence.
* ``consult_lemma_fallback`` (after the trainable lemmatizer): the domain
  lexicon always wins; otherwise, when the model's lemma is not a known Dutch
  lemma but spaCy's lookup table knows the word form, the lookup lemma is
  used.  See ``README.md`` in ``model/`` for the measured effect.

Importing this module registers the factories; :func:`analysis.nlp.load`
does that before ``spacy.load``.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from . import lookups

_MARKER_BODY = re.compile(r"^(\d{1,2}|[a-zA-Z]|[ivxIVX]{1,4})$")
_MARKER_END = {".", ")"}
_BULLETS = {"-", "•", "▪", "–", "*", "·", "◦", "‣", "●", "■", "□", ">", "o"}
_SKIP_POS = {"PUNCT", "SYM", "NUM", "PROPN", "X", "SPACE"}


def _at_line_start(doc: Doc, i: int) -> bool:
    if i == 0:
        return True
    prev = doc[i - 1]
    return prev.whitespace_ == "" and prev.is_space and "\n" in prev.text or (
        "\n" in prev.whitespace_
    )


@Language.component("consult_layout")
def consult_layout(doc: Doc) -> Doc:
    spans = []
    n = len(doc)
    i = 0
    while i < n - 1:
        tok = doc[i]
        nxt = doc[i + 1]
        if (
            _MARKER_BODY.match(tok.text)
            and tok.whitespace_ == ""
            and nxt.text in _MARKER_END
            and (nxt.whitespace_ or i + 2 < n and doc[i + 2].is_space)
            and _at_line_start(doc, i)
        ):
            spans.append(doc[i : i + 2])
            i += 2
            continue
        i += 1
    if spans:
        with doc.retokenize() as retok:
            for span in spans:
                retok.merge(span)
    # sentence starts: first real token after a blank line or a line that
    # starts with a list marker / bullet
    prev_newlines = 0
    for i, tok in enumerate(doc):
        if tok.is_space:
            prev_newlines += tok.text.count("\n")
            continue
        if i > 0:
            ws_nl = doc[i - 1].whitespace_.count("\n")
            nl = prev_newlines + ws_nl
            if nl >= 2:
                tok.is_sent_start = True
            elif nl >= 1 and (
                tok.text in _BULLETS
                or (len(tok.text) >= 2 and tok.text[-1] in _MARKER_END and _MARKER_BODY.match(tok.text[:-1]))
            ):
                tok.is_sent_start = True
        prev_newlines = 0
    return doc


def _plausible(lemma: str, form: str) -> bool:
    low = lemma.lower()
    return low == form.lower() or low in lookups.known_lemmas()


@Language.factory(
    "consult_lemma_fallback",
    default_config={"use_lexicon": True, "use_lookup": True},
)
def make_lemma_fallback(nlp: Language, name: str, use_lexicon: bool, use_lookup: bool):
    return LemmaFallback(use_lexicon=use_lexicon, use_lookup=use_lookup)


class LemmaFallback:
    def __init__(self, use_lexicon: bool = True, use_lookup: bool = True):
        self.use_lexicon = use_lexicon
        self.use_lookup = use_lookup
        # tables are loaded lazily on first use, keeping load() fast
        self._lex = None
        self._lookup = None

    def _tables(self):
        if self._lex is None:
            self._lex = lookups.lexicon() if self.use_lexicon else {}
            self._lookup = lookups.lemma_lookup() if self.use_lookup else {}
        return self._lex, self._lookup

    def __call__(self, doc: Doc) -> Doc:
        lex, table = self._tables()
        for tok in doc:
            low = tok.lower_
            if low in lex:
                tok.lemma_ = lex[low]
                continue
            if not self.use_lookup or tok.pos_ in _SKIP_POS:
                continue
            lemma = tok.lemma_
            if lemma and _plausible(lemma, tok.text):
                continue
            alt = table.get(low)
            if alt:
                tok.lemma_ = alt
        return doc
