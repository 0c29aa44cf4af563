"""Ranked candidates per segment: ``rank(texts, k)`` on the rule coder and the combined coder."""
import json
from pathlib import Path

import pytest

from analysis.codebook import load_default_codebook
from analysis.coding import Candidate, RuleCoder, train

DATA = Path(__file__).parent / "data"
TEXTS = ["De mantelzorgers raken overbelast en vrijwilligers haken af.",
         "Mensen met schulden weten de weg naar hulp niet te vinden.",
         "", "The municipality should fund more care."]


@pytest.fixture(scope="module")
def codebook():
    return load_default_codebook()


def check_ranking(coder, ranked, k):
    assert len(ranked) == len(TEXTS)
    assert ranked[2] == [] and ranked[3] == []           # empty and English: not codable
    suggested = coder.code(TEXTS)
    for cands, sugg in zip(ranked[:2], suggested[:2]):
        assert len(cands) == k and all(isinstance(c, Candidate) for c in cands)
        assert len({c.code for c in cands}) == k
        if isinstance(coder, RuleCoder):
            scores = [c.score for c in cands]
            assert scores == sorted(scores, reverse=True)
        # every proposed code ranks above every code that is not proposed
        flags = [c.suggested for c in cands]
        assert flags == sorted(flags, reverse=True)
        assert {c.code for c in cands if c.suggested} <= {s.code for s in sugg}
    return ranked


def test_rule_ranking_puts_keyword_hits_first_then_near_misses(codebook):
    rules = RuleCoder(codebook)
    ranked = check_ranking(rules, rules.rank(TEXTS, k=3), 3)
    assert ranked[0][0] == Candidate("INFORMEEL", ranked[0][0].score, True, ranked[0][0].similarity)
    # every code carries its similarity to the codebook text; a near miss's score is that
    assert all(c.similarity is not None and 0 <= c.similarity <= 1 for row in ranked for c in row)
    assert all(c.score == c.similarity for row in ranked for c in row if not c.suggested)
    assert ranked[0][0].score >= 0.9
    # the codes below the first are near misses by codebook similarity, below any keyword hit
    assert all(0 <= c.score <= 0.5 for c in ranked[0] if not c.suggested)
    assert ranked[1][0].code == "BESTAANSZEKERHEID"
    assert len(rules.rank(TEXTS, k=30)[0]) == len(codebook.codes)


def test_combined_ranking_lists_codes_below_threshold(codebook):
    rows = [json.loads(line) for line in (DATA / "coding_train.jsonl").read_text(encoding="utf-8").splitlines()]
    coder = train(codebook, rows, epochs=150)
    ranked = check_ranking(coder, coder.rank(TEXTS, k=5), 5)
    assert ranked[0][0].code == "INFORMEEL" and ranked[0][0].suggested
    assert any(not c.suggested for c in ranked[0])       # near misses are listed too
    assert all(c.similarity is not None and 0 <= c.similarity <= 1 for row in ranked for c in row)
    P = coder.probabilities(TEXTS[:1])[0]
    assert ranked[0][0].score == pytest.approx(float(P.max()), abs=1e-4)


# -- the theme prior: codes the coder finds often among the texts coded together -----------

import numpy as np  # noqa: E402

from analysis.coding import ranking  # noqa: E402

THEME = "De mantelzorgers raken overbelast."          # INFORMEEL by keyword
NEUTRAL = "Het college neemt volgende week een besluit."


def test_theme_prior_needs_a_batch_and_counts_suggestions_per_code():
    n = ranking.MIN_THEME_TEXTS
    suggested = np.zeros((n, 3), dtype=bool)
    suggested[:, 0] = True
    suggested[: n // 2, 1] = True
    assert ranking.theme_prior(suggested[:-1], [True] * (n - 1)) is None
    assert ranking.theme_prior(suggested, [True] * (n - 1) + [False]) is None   # uncodable texts do not count
    prior = ranking.theme_prior(suggested, [True] * n)
    assert prior[0] > prior[1] > prior[2]
    assert prior[0] == pytest.approx(np.log((n + 1) / n))
    sims = np.tile([0.0, 0.05, 0.2], (n, 1))
    assert ranking.rank_scores(sims[:3], suggested[:3], [True] * 3) is not None
    assert (ranking.rank_scores(sims[:3], suggested[:3], [True] * 3) == sims[:3]).all()    # small batch: similarity alone
    scores = ranking.rank_scores(sims, suggested, [True] * n)
    assert ranking.order_codes([], scores[0]) == [0, 1, 2]
    assert ranking.order_codes([2], scores[0]) == [2, 0, 1]


def _below(ranking_):
    return [c.code for c in ranking_.candidates if not c.suggested]


@pytest.mark.parametrize("kind", ["rules", "combined"])
def test_a_code_found_across_the_batch_leads_the_near_misses_without_changing_suggestions(codebook, kind):
    if kind == "rules":
        coder = RuleCoder(codebook)
    else:
        rows = [json.loads(line) for line in (DATA / "coding_train.jsonl").read_text(encoding="utf-8").splitlines()]
        coder = train(codebook, rows, epochs=150)
    alone = coder.code_ranked([NEUTRAL])[0]
    batch = [THEME] * ranking.MIN_THEME_TEXTS + [NEUTRAL, ""]
    ranked = coder.code_ranked(batch)
    # the suggestions are exactly code()'s, batch or not
    assert [r.suggestions for r in ranked] == coder.code(batch)
    assert ranked[-1].candidates == [] and ranked[-2].suggestions == alone.suggestions
    assert "INFORMEEL" not in {s.code for s in alone.suggestions}
    assert _below(ranked[-2])[0] == "INFORMEEL" != _below(alone)[0]
    # the scores stay the coder's own (probability or similarity), only the order moved
    assert {c.code: c.score for c in ranked[-2].candidates} == {c.code: c.score for c in alone.candidates}
    assert sorted(_below(ranked[-2])) == sorted(_below(alone))
    # too few texts for a prior: similarity order
    few = coder.code_ranked([THEME] * 3 + [NEUTRAL])[-1]
    assert few.candidates == alone.candidates
    # the consultation's themes outside the batch count with it: one text alone is ranked
    # as in the batch, and with too few coded texts in all it stays in similarity order
    themes = ranking.ThemeCounts({"INFORMEEL": ranking.MIN_THEME_TEXTS}, ranking.MIN_THEME_TEXTS)
    assert _below(coder.code_ranked([NEUTRAL], themes)[0]) == _below(ranked[-2])
    assert coder.code_ranked([NEUTRAL], themes)[0].suggestions == alone.suggestions
    sparse = ranking.ThemeCounts({"INFORMEEL": 2}, 2)
    assert coder.code_ranked([NEUTRAL], sparse)[0].candidates == alone.candidates


def test_theme_counts_count_with_the_batch():
    n = ranking.MIN_THEME_TEXTS
    suggested = np.zeros((2, 3), dtype=bool)
    suggested[:, 2] = True
    background = ranking.ThemeCounts({"A": n, "C": 1, "X": 5}, n)
    vec = background.vector(["A", "B", "C"])
    assert vec.tolist() == [n, 0, 1]
    prior = ranking.theme_prior(suggested, [True, True], vec, background.texts)
    assert prior == pytest.approx(np.log((np.array([n, 0, 3]) + 1) / (n + 2)))
    assert ranking.theme_prior(suggested, [True, True], vec, n - 3) is None
    # a large consultation counts as one batch's worth of texts: the same shares, the
    # same lift as in a coding run
    big = ranking.THEME_BACKGROUND_TEXTS * 100
    large = ranking.theme_prior(np.zeros((0, 3), dtype=bool), [], np.array([big / 50, 0, 0]), big)
    batch = ranking.theme_prior(np.zeros((0, 3), dtype=bool), [], np.array([ranking.THEME_BACKGROUND_TEXTS / 50, 0, 0]),
                                ranking.THEME_BACKGROUND_TEXTS)
    assert large == pytest.approx(batch)
    assert large[0] - large[1] == pytest.approx(np.log(ranking.THEME_BACKGROUND_TEXTS / 50 + 1))
