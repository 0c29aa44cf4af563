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
    assert ranked[0][0] == Candidate("INFORMEEL", ranked[0][0].score, True)
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
    P = coder.probabilities(TEXTS[:1])[0]
    assert ranked[0][0].score == pytest.approx(float(P.max()), abs=1e-4)
