"""analysis.privacy_eval: the figures for personal-data masking, on tiny hand-made cases."""
from __future__ import annotations

import json

import pytest

from analysis.privacy import Span
from analysis.privacy_eval import Example, Gold, evaluate, parse_marked, read_jsonl, write_jsonl


def spans_at(*pieces):
    """A fake detector masking the given substrings wherever they occur."""
    def detect(text):
        out = []
        for piece in pieces:
            start = text.find(piece)
            if start >= 0:
                out.append(Span(start, start + len(piece), "name", piece))
        return sorted(out, key=lambda s: s.start)
    return detect


def test_parse_marked_gives_offsets_into_the_plain_text():
    ex = parse_marked("Bel [[name|Jan]] op [[phone|06-12345678]].", "survey")
    assert ex.text == "Bel Jan op 06-12345678."
    assert [(g.kind, ex.text[g.start:g.end]) for g in ex.spans] == [("name", "Jan"), ("phone", "06-12345678")]
    assert ex.style == "survey" and parse_marked("Niets hier.").spans == []


def test_a_span_counts_only_when_every_character_is_covered():
    ex = parse_marked("Mevrouw [[name|El Amrani]] belde.")
    partial = evaluate([ex], spans_at("El"))
    assert partial.recall("name") == 0.0 and partial.leaked == 1 and partial.leak_rate == 1.0
    whole = evaluate([ex], spans_at("El Amrani"))
    assert whole.recall("name") == 1.0 and whole.leaked == 0
    # two adjacent masks together cover it; a mask of another kind also hides it
    assert evaluate([ex], spans_at("El ", "Amrani")).recall("name") == 1.0


def test_leak_rate_counts_sentences_not_spans():
    exs = [parse_marked("[[name|Jan]] en [[name|Piet]]."), parse_marked("[[name|Kees]] ook.")]
    s = evaluate(exs, spans_at("Kees"))
    assert s.sentences == 2 and s.leaked == 1 and s.leak_rate == 0.5
    assert s.gold["name"] == 3 and s.masked["name"] == 1 and s.recall() == pytest.approx(1 / 3)
    assert [m[1] for m in s.misses] == ["Jan", "Piet"]


def test_false_alarms_and_precision():
    exs = [parse_marked("Ben je er ook?"), parse_marked("Wil je komen?"), parse_marked("Dag [[name|Sanne]].")]
    s = evaluate(exs, spans_at("Ben", "Sanne", "Dag"))
    assert s.lookalikes == 2 and s.false_alarms == 1 and s.alarms == [("Ben", "Ben je er ook?")]
    assert s.predicted == 3 and s.predicted_on_gold == 1 and s.precision == pytest.approx(1 / 3)
    assert evaluate([], spans_at()).precision == 1.0 and evaluate([], spans_at()).leak_rate == 0.0


def test_jsonl_round_trip_and_checked_offsets(tmp_path):
    path = tmp_path / "bench.jsonl"
    write_jsonl([parse_marked("Mail [[email|a@b.nl]].", "letter")], path)
    assert read_jsonl(path) == [Example("Mail a@b.nl.", [Gold(5, 11, "email", "a@b.nl")], "letter")]
    path.write_text(json.dumps({"text": "Mail a@b.nl.", "spans": [
        {"start": 0, "end": 4, "kind": "email", "text": "a@b.nl"}]}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match"):
        read_jsonl(path)


def test_default_detector_is_analysis_privacy():
    s = evaluate([parse_marked("Bel [[phone|06-12345678]].")])
    assert s.recall("phone") == 1.0 and s.to_dict()["recall"] == {"phone": 1.0}
    assert "phone" in s.format() and "false alarms" in s.format()
