"""Thematic coding engine: keyword rules, a learned coder, review support.

The main entry points (see each module for details):

* :class:`analysis.coding.rules.RuleCoder` — ``RuleCoder(codebook).code(texts)``
* :func:`analysis.coding.combined.train` — ``train(codebook, examples) -> CombinedCoder``;
  ``CombinedCoder.code(texts)``, ``.save(dir)`` / ``.load(dir)``, ``.to_bytes()`` / ``.from_bytes(b)``
* ranking per segment, for review screens ("the best 3 candidates below threshold"):
  ``coder.rank(texts, k=3) -> list[list[Candidate]]`` on both :class:`RuleCoder` and
  :class:`CombinedCoder`: per text its ``k`` best codes, best first, each a
  :class:`~analysis.coding.base.Candidate` (``code``, ``score``, ``suggested`` — whether
  ``code()`` proposes it).  The near misses are
  ``[c for c in coder.rank([text], k=3 + n_suggested)[0] if not c.suggested][:3]``;
  texts that are not codable get an empty list
* the order of the codes a coder does not suggest (the near misses) is the same for both
  coders, :mod:`analysis.coding.ranking`: codebook similarity lifted for codes the coder
  suggests often among the texts coded together (the batch's theme prior)
* one pass for a coding run that stores both: ``coder.code_ranked(texts) -> list[Ranking]``
  (:class:`~analysis.coding.base.Ranking`: the suggestions exactly as ``code()`` gives them,
  every code ranked, and for the learning coder each code's distance to the value that would
  change its decision — how informative a reviewer's decision on it is)
* :func:`analysis.coding.learning.keyword_suggestions` — keyword proposals per code
* :func:`analysis.coding.review.merge_suggestions` — fold a coder run into assignments
* :class:`analysis.coding.base.Suggestion`, :class:`~analysis.coding.base.Assignment`,
  :class:`~analysis.coding.base.Evidence`, :func:`~analysis.coding.base.is_codable`
"""
from analysis.coding.base import Assignment, Candidate, Evidence, Ranking, Suggestion, is_codable
from analysis.coding.combined import CombinedCoder, TrainingExample, train
from analysis.coding.learning import keyword_suggestions
from analysis.coding.review import merge_suggestions, suggestions_to_assignments
from analysis.coding.rules import RuleCoder

__all__ = ["Assignment", "Candidate", "Evidence", "Ranking", "Suggestion", "is_codable", "CombinedCoder", "TrainingExample",
           "train", "keyword_suggestions", "merge_suggestions", "suggestions_to_assignments", "RuleCoder"]
