"""TF-IDF over bags of lemmas: consult's one implementation.

A *bag* is what a text contributes: a sequence of lemmas (``["zorg", "wijk", "zorg"]``)
or a mapping lemma -> weight (``{"zorg": 1.5, "wijk": 1}``; the advice linker counts
compound parts at half weight). :class:`Tfidf` computes what scikit-learn's
``TfidfVectorizer`` computes with the tokenising left to the caller (the bundled Dutch
pipeline's lemmas; ``tests/analysis/test_tfidf.py`` checks the two agree): the bags are
counted over a sorted vocabulary (as ``DictVectorizer(sort=True)``) and weighted as
``TfidfTransformer(sublinear_tf=True)`` does: sublinear tf ``1 + ln(tf)``, smoothed idf
``ln((1 + n) / (1 + df)) + 1``, rows scaled to unit length, so the dot product of two
rows is their cosine similarity.

It is a few lines of numpy and ``scipy.sparse`` rather than scikit-learn itself because
importing scikit-learn (which imports scipy.stats and pandas) took 1.5-2 s and about
100 MB in every process that reaches this module: the web app and every CLI command
(through the advice linker), and each report.

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
        self._vocabulary: dict[str, int] = {}
        self._idf = np.zeros(0)
        self._fitted = False

    def _counted(self, bags: Sequence[Bag]) -> sparse.csr_matrix:
        """Raw counts of ``bags`` over the vocabulary (unknown lemmas and zero weights left out)."""
        vocab = self._vocabulary
        indptr, indices, values = [0], [], []
        for bag in bags:
            for lemma, n in _counts(bag).items():
                j = vocab.get(lemma)
                if j is not None and n:
                    indices.append(j)
                    values.append(n)
            indptr.append(len(indices))
        X = sparse.csr_matrix((np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int32),
                               np.asarray(indptr, dtype=np.int32)), shape=(len(bags), len(vocab)))
        X.sum_duplicates()   # sorts the indices in each row
        return X

    def _weighted(self, X: sparse.csr_matrix) -> sparse.csr_matrix:
        """Sublinear tf times idf, rows scaled to unit length (zero rows stay zero)."""
        X = X.astype(np.float64, copy=True)
        np.log(X.data, out=X.data)
        X.data += 1
        X.data *= self._idf[X.indices]
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        X.data /= np.repeat(norms, np.diff(X.indptr))
        return X

    def fit_transform(self, bags: Sequence[Bag]) -> sparse.csr_matrix:
        """The weighted, unit-length rows of ``bags`` (one per bag; an empty bag gives a zero row)."""
        self._fitted = False
        self._vocabulary, self._idf = {}, np.zeros(0)
        if not bags:
            return sparse.csr_matrix((0, 0))
        counts = [_counts(b) for b in bags]
        lemmas = sorted({lemma for c in counts for lemma, n in c.items() if n})
        self._vocabulary = {lemma: j for j, lemma in enumerate(lemmas)}
        X = self._counted(counts)
        df = np.bincount(X.indices, minlength=X.shape[1])
        if self.min_df > 1:
            keep = np.flatnonzero(df >= self.min_df)
            self._vocabulary = {lemmas[j]: i for i, j in enumerate(keep)}
            X, df = X[:, keep], df[keep]
        if not X.shape[1]:
            return sparse.csr_matrix(X.shape)
        n = X.shape[0]
        self._idf = np.log((1 + n) / (1 + df.astype(np.float64))) + 1
        self._fitted = True
        return self._weighted(X)

    def transform(self, bags: Sequence[Bag]) -> sparse.csr_matrix:
        if not bags or not self._fitted:
            return sparse.csr_matrix((len(bags), len(self.vocabulary)))
        return self._weighted(self._counted(bags))

    @property
    def vocabulary(self) -> list[str]:
        """The lemmas, in column order."""
        return list(self._vocabulary)

    @property
    def idf(self) -> np.ndarray:
        return self._idf if self._fitted else np.zeros(0)


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
