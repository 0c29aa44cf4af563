"""Theme discovery: candidate new codes from segments the codebook does not cover.

:func:`discover_themes` clusters (typically uncoded) segments and describes each cluster:

1. every segment becomes a TF-IDF vector (:mod:`analysis.tfidf`) over its noun,
   proper-noun and adjective lemmas (not stop words), their compound parts
   and bigrams of content lemmas (features seen in one segment only are dropped),
   scaled to unit length;
2. k-means on the unit vectors (scikit-learn's ``KMeans``, k-means++ seeding, best of
   ``n_init`` runs, ``random_state=seed``) — the result is deterministic for a given seed;
3. each cluster's terms are ranked by class-based TF-IDF (c-TF-IDF, as in BERTopic):
   ``tf(term, cluster) / words(cluster) * log(1 + mean words per cluster / tf(term))``;
4. the example segments are those nearest the cluster centre; clusters smaller than
   ``min_size`` are left out (they are in no theme).

Themes are returned largest first, each with a proposed code identifier and label built
from its top terms, for a person to accept, rename or discard.
"""
from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning

from analysis.codebook import code_identifier
from analysis.coding.base import is_codable
from analysis.coding.learning import lemma_features
from analysis.coding.rules import prepare_docs
from analysis.tfidf import Tfidf

__all__ = ["Theme", "discover_themes"]

TERM_POS = frozenset({"NOUN", "PROPN", "ADJ"})


@dataclass(frozen=True)
class Theme:
    proposed_code: str
    proposed_label: str
    terms: tuple[tuple[str, float], ...]      # (term, c-TF-IDF score), best first
    segments: tuple[int, ...]                 # indices into the input texts
    examples: tuple[int, ...]                 # the most central segments
    coherence: float                          # mean cosine similarity to the centre

    @property
    def size(self) -> int:
        return len(self.segments)


def discover_themes(texts: Sequence[str], *, n_themes: int | None = None, top_terms: int = 8,
                    n_examples: int = 3, min_size: int = 2, seed: int = 0, n_init: int = 5,
                    nlp=None) -> list[Theme]:
    """Cluster ``texts`` into candidate themes (see module docstring).

    ``n_themes`` defaults to ``round(sqrt(n / 2))`` clamped to 2..12 for ``n`` usable
    texts; empty and non-Dutch texts are ignored.
    """
    docs = prepare_docs(texts, nlp, parse=False)
    usable = [i for i, d in enumerate(docs) if is_codable(d.text)]
    feats = {i: lemma_features(docs[i], prefixes=False, function_bigrams=False, pos=TERM_POS) for i in usable}
    usable = [i for i in usable if feats[i]]
    if len(usable) < 2:
        return []
    X = Tfidf(min_df=1 if len(usable) < 10 else 2).fit_transform([feats[i] for i in usable]).toarray()
    if not X.shape[1]:
        return []
    keep = np.linalg.norm(X, axis=1) > 0
    X, usable = X[keep], [u for u, k in zip(usable, keep) if k]
    n = len(usable)
    if n < 2:
        return []
    k = n_themes or min(12, max(2, round(math.sqrt(n / 2))))
    k = max(1, min(k, n))
    with warnings.catch_warnings():   # fewer distinct segments than clusters: some stay empty
        warnings.simplefilter("ignore", ConvergenceWarning)
        labels = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(X).labels_

    # c-TF-IDF over the clusters
    cluster_tf = [Counter() for _ in range(k)]
    for r, i in enumerate(usable):
        cluster_tf[labels[r]].update(feats[i])
    total_tf: Counter = Counter()
    for c in cluster_tf:
        total_tf.update(c)
    words = [sum(c.values()) for c in cluster_tf]
    avg_words = sum(words) / max(1, sum(1 for w in words if w))
    themes = []
    for j in range(k):
        members = np.nonzero(labels == j)[0]
        if len(members) < min_size:
            continue
        scores = {t: (tf / words[j]) * math.log(1 + avg_words / total_tf[t]) for t, tf in cluster_tf[j].items()
                  if tf >= 2 or len(members) < 3}
        terms = sorted(scores.items(), key=lambda x: (-round(x[1], 9), -len(x[0]), x[0]))[:top_terms]
        centre = X[members].sum(0)
        centre /= np.linalg.norm(centre) or 1.0
        sims = X[members] @ centre
        order = members[np.argsort(-sims, kind="stable")]
        top = [t for t, _ in terms[:3]]
        themes.append(Theme(
            proposed_code=code_identifier(top[0], f"THEMA_{j + 1}") if top else f"THEMA_{j + 1}",
            proposed_label=", ".join(top),
            terms=tuple((t, round(s, 4)) for t, s in terms),
            segments=tuple(sorted(usable[m] for m in members)),
            examples=tuple(usable[m] for m in order[:n_examples]),
            coherence=round(float(sims.mean()), 4),
        ))
    themes.sort(key=lambda t: (-t.size, -t.coherence, t.proposed_code))
    return themes
