"""Reading Universal Dependencies CoNLL-U files into spaCy Docs.

Alpino/LassySmall lemmas mark compound and particle-verb boundaries with ``_``
(``aandachtspunten`` -> ``aandacht_punt``, ``kwam`` -> ``tegemoet_komen``).  Those
are not the lemmas consult wants (we match codebook terms against
``aandachtspunt``), and a form-based edit-tree lemmatizer cannot learn where to
put the underscore, so :func:`normalise_lemma` rewrites them before training
*and* before evaluation.  Evaluation also reports accuracy against the raw gold
lemmas for transparency.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, List

_VERBAL = {"VERB", "AUX"}


class ConlluError(ValueError):
    """The input is not a usable CoNLL-U file."""


def normalise_lemma(form: str, lemma: str, pos: str) -> str:
    """Turn an Alpino compound lemma (``a_b``) into a plain Dutch lemma."""
    if "_" not in lemma or lemma == "_" or not lemma.strip("_"):
        return lemma
    parts = [p for p in lemma.split("_") if p]
    if len(parts) < 2:
        return "".join(parts) or lemma
    joined = "".join(parts)
    low = form.lower()
    if pos in _VERBAL:
        # afgesprongen/af_springen -> afspringen; kwam/tegemoet_komen -> komen
        if low.startswith(parts[0].lower()):
            return joined
        return parts[-1]
    head = parts[-1]
    hl = head.lower()
    first = parts[0]
    min_k = max(1, len(first) // 2)
    for m in range(len(hl), 0, -1):
        k = low.rfind(hl[:m])
        if k >= min_k:
            prefix = form[:k]
            if first[:1].islower():
                prefix = prefix.lower()
            return prefix + head
    return joined


def check_conllu(text: str, name: str = "input") -> None:
    """Raise :class:`ConlluError` unless ``text`` looks like CoNLL-U."""
    n_tok = 0
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 10 or not re.match(r"^\d+([.-]\d+)?$", cols[0]):
            raise ConlluError(f"{name} is not a CoNLL-U file (line {i} does not have 10 tab-separated columns)")
        n_tok += 1
    if n_tok == 0:
        raise ConlluError(f"{name} contains no CoNLL-U token lines")


def read_conllu_docs(path: str | Path, vocab=None, normalise: bool = True, n_sents: int = 10) -> List:
    """Read a CoNLL-U file into Docs (gold annotation), normalising lemmas."""
    from spacy.training.converters import conllu_to_docs

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    check_conllu(text, str(path))
    docs = list(conllu_to_docs(text, n_sents=n_sents, no_print=True))
    if vocab is not None:
        from spacy.tokens import DocBin

        db = DocBin(store_user_data=False, docs=docs)
        docs = list(db.get_docs(vocab))
    if normalise:
        for doc in docs:
            for tok in doc:
                new = normalise_lemma(tok.text, tok.lemma_, tok.pos_)
                if new != tok.lemma_:
                    tok.lemma_ = new
    return docs


def iter_raw_sentences(path: str | Path) -> Iterable[str]:
    """Yield the ``# text =`` lines of a CoNLL-U file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("# text = "):
                yield line[len("# text = "):].rstrip("\n")
