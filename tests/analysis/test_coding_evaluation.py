"""Evaluation metrics, k-fold splits, JSONL reading and the keyword baseline."""

import pytest

from analysis.codebook import Code, Codebook
from analysis.evaluation import cross_validate, keyword_baseline, kfold, read_jsonl, score


def test_micro_macro_per_code():
    gold = [{"A"}, {"A", "B"}, set(), {"B"}]
    pred = [{"A"}, {"A"}, {"B"}, {"B"}]
    s = score(gold, pred, ["A", "B", "C"])
    # A: tp 2 fp 0 fn 0; B: tp 1 fp 1 fn 1; C: nothing (left out of macro)
    assert s.per_code["A"].f1 == 1.0 and s.per_code["B"].f1 == pytest.approx(0.5)
    assert (s.micro_precision, s.micro_recall) == (0.75, 0.75)
    assert s.macro_f1 == pytest.approx(0.75)
    assert s.per_code["B"].support == 2 and s.per_code["C"].support == 0
    d = s.to_dict()
    assert set(d) >= {"micro_precision", "micro_recall", "micro_f1", "macro_f1", "per_code"}
    assert d["per_code"]["B"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    with pytest.raises(ValueError):
        score([{"A"}], [])


def test_kfold_partitions():
    splits = kfold(11, 3, seed=1)
    tests = sorted(i for _, te in splits for i in te)
    assert tests == list(range(11))
    for tr, te in splits:
        assert not set(tr) & set(te) and len(tr) + len(te) == 11
    assert kfold(11, 3, seed=1) == splits and kfold(11, 3, seed=2) != splits
    with pytest.raises(ValueError):
        kfold(3, 5)


def test_cross_validate_pools_out_of_fold_predictions():
    from analysis.evaluation import LabelledText
    items = [LabelledText(f"tekst {i}", ("A",) if i % 2 else ()) for i in range(10)]
    seen_train = []

    def fit_predict(train, texts):
        seen_train.append(len(train))
        return [{"A"} if int(t.split()[1]) % 2 else set() for t in texts]

    s = cross_validate(items, fit_predict, folds=5)
    assert s.micro_f1 == 1.0 and seen_train == [8] * 5


def test_read_jsonl_errors(tmp_path):
    cb = Codebook(name="t", codes=(Code("A", "a"),))
    p = tmp_path / "x.jsonl"
    p.write_text('{"text": "een", "codes": ["A"]}\n\n{"text": "twee", "codes": []}\n', encoding="utf-8")
    assert [i.text for i in read_jsonl(p, cb)] == ["een", "twee"]
    p.write_text('{"text": "een", "codes": ["B"]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="x.jsonl: line 1: code B is not in the codebook"):
        read_jsonl(p, cb)
    p.write_text('{"text": "een"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: invalid JSON"):
        read_jsonl(p)


def test_keyword_baseline_is_plain_substring():
    cb = Codebook(name="t", codes=(Code("ZORG", "Zorg", keywords=("zorg",)), Code("WIJK", "Wijk", keywords=("wijk",))))
    assert keyword_baseline(cb, ["De Zorgverzekeraar", "wijkteam en zorg", "niets"]) == [["ZORG"], ["ZORG", "WIJK"], []]
