"""TF-IDF over bags of lemmas: consult's one implementation, scikit-learn's.

A *bag* is what a text contributes: a sequence of lemmas (``["zorg", "wijk", "zorg"]``)
or a mapping lemma -> weight (``{"zorg": 1.5, "wijk": 1}``; the advice linker counts
compound parts at half weight). :class:`Tfidf` is ``sklearn``'s ``TfidfVectorizer``
pipeline with the tokenising left to the caller (the bundled Dutch pipeline's lemmas):
``DictVectorizer`` counts the bags, as ``CountVectorizer`` would tokens, and
``TfidfTransformer`` weights them: sublinear tf ``1 + ln(tf)``, smoothed idf
``ln((1 + n) / (1 + df)) + 1``, rows scaled to unit length, so the dot product of two
rows is their cosine similarity.

Used by the advice linker (:mod:`analysis.trace`), theme discovery
(:mod:`analysis.discovery`) and the report's quotes and summaries (:mod:`exports.text`).

>>> t = Tfidf()
>>> X = t.fit_transform([["zorg", "wijk"], ["zorg", "vervoer"]])
>>> round(float(cosine(X[0], X[1])), 3)
0.336
"""
from __future__ import annotations

from collections import Counter
from typing import Mapping, Sequence, Union

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer

__all__ = ["Bag", "Tfidf", "cosine", "centroid_ranking"]

Bag = Union[Sequence[str], Mapping[str, float]]


def _counts(bag: Bag) -> Mapping[str, float]:
    return bag if isinstance(bag, Mapping) else Counter(bag)


class Tfidf:
    """Fit on the bags of a collection, then weigh those or other bags (unknown lemmas are
    left out, as in ``TfidfVectorizer``). ``min_df``: lemmas in fewer bags are dropped
    from the vocabulary."""

    def __init__(self, *, min_df: int = 1):
        self.min_df = min_df
        self._dict = DictVectorizer(dtype=np.float64, sort=True)
        self._tfidf = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True)
        self._fitted = False

    def fit_transform(self, bags: Sequence[Bag]) -> sparse.csr_matrix:
        """The weighted, unit-length rows of ``bags`` (one per bag; an empty bag gives a zero row)."""
        self._fitted = False
        if not bags:
            self._dict.fit([{}])
            return sparse.csr_matrix((0, 0))
        X = self._dict.fit_transform([_counts(b) for b in bags]).tocsr()
        if self.min_df > 1:
            df = np.bincount(X.indices, minlength=X.shape[1])
            self._dict.restrict(df >= self.min_df)
            X = X[:, np.flatnonzero(df >= self.min_df)]
        if not X.shape[1]:
            return sparse.csr_matrix(X.shape)
        self._fitted = True
        return self._tfidf.fit_transform(X).tocsr()

    def transform(self, bags: Sequence[Bag]) -> sparse.csr_matrix:
        if not bags or not self._fitted:
            return sparse.csr_matrix((len(bags), len(self.vocabulary)))
        return self._tfidf.transform(self._dict.transform([_counts(b) for b in bags])).tocsr()

    @property
    def vocabulary(self) -> list[str]:
        """The lemmas, in column order."""
        return list(self._dict.feature_names_)

    @property
    def idf(self) -> np.ndarray:
        return self._tfidf.idf_ if self._fitted else np.zeros(0)


def cosine(a, b) -> float | np.ndarray:
    """Cosine similarity of unit-length rows: a number for two rows, else ``a @ b.T``."""
    out = a @ b.T
    out = out.toarray() if sparse.issparse(out) else np.asarray(out)
    return float(out[0, 0]) if out.shape == (1, 1) else out


def centroid_ranking(X: sparse.csr_matrix, rows: Sequence[int]) -> list[tuple[int, float]]:
    """``rows`` of ``X`` ranked by cosine similarity to their centroid (most typical
    first, ties by row); all scores 0 when the centroid is zero."""
    rows = list(rows)
    if not rows:
        return []
    sub = X[rows]
    centre = np.asarray(sub.sum(axis=0)).ravel()
    norm = float(np.linalg.norm(centre))
    if not norm:
        return [(i, 0.0) for i in rows]
    sims = sub @ (centre / norm)
    return sorted(zip(rows, (float(s) for s in sims)), key=lambda p: (-p[1], p[0]))
