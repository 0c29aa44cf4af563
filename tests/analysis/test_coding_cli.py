"""`consult codebook evaluate | crossval | convert` (file-based, no database)."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analysis.codebook import DEFAULT_CODEBOOK_PATH, load_codebook
from consult.cli.codebook import codebook_group

DATA = Path(__file__).parent / "data"


@pytest.fixture
def files(tmp_path):
    rows = DATA.joinpath("coding_train.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "train.jsonl").write_text("\n".join(rows[:30]) + "\n", encoding="utf-8")
    (tmp_path / "gold.jsonl").write_text("\n".join(rows[30:]) + "\n", encoding="utf-8")
    shutil.copy(DEFAULT_CODEBOOK_PATH, tmp_path / "codebook.yaml")
    return tmp_path


def run(*args):
    return CliRunner().invoke(codebook_group, [str(a) for a in args])


def test_evaluate_json(files):
    r = run("evaluate", "--codebook", files / "codebook.yaml", "--train", files / "train.jsonl",
            "--gold", files / "gold.jsonl", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {"micro_precision", "micro_recall", "micro_f1", "macro_f1", "per_code"} <= set(out)
    assert set(out["per_code"]["INTEGRAAL"]) == {"precision", "recall", "f1", "support"}
    assert out["per_code"]["INTEGRAAL"]["support"] == 2
    assert 0.3 <= out["micro_f1"] <= 1.0


def test_evaluate_text_and_crossval(files):
    r = run("evaluate", "--codebook", files / "codebook.yaml", "--train", files / "train.jsonl",
            "--gold", files / "gold.jsonl", "--baseline")
    assert r.exit_code == 0 and "micro  P" in r.output and "baseline_micro_f1" in r.output
    r = run("crossval", "--codebook", files / "codebook.yaml", "--data", DATA / "coding_train.jsonl",
            "--folds", 3, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["folds"] == 3 and out["n_segments"] == 42


@pytest.mark.parametrize("mutate, message", [
    (lambda d: (d / "codebook.yaml").write_text("name: x\nthemes:\n  - code: A\n  - code: A\n    label: a\n"),
     "codebook.yaml: line 3: missing field 'label' in code A"),
    (lambda d: (d / "gold.jsonl").write_text('{"text": "x", "codes": ["NOPE"]}\n'),
     "gold.jsonl: line 1: code NOPE is not in the codebook"),
    (lambda d: (d / "train.jsonl").unlink(), "train.jsonl: cannot read"),
])
def test_evaluate_errors_are_one_line(files, mutate, message):
    mutate(files)
    r = run("evaluate", "--codebook", files / "codebook.yaml", "--train", files / "train.jsonl",
            "--gold", files / "gold.jsonl")
    assert r.exit_code == 1
    assert message in r.output and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_convert_round_trip(tmp_path):
    for target in ("wmo.qdc", "wmo.csv", "back.yaml"):
        src = DEFAULT_CODEBOOK_PATH if target == "wmo.qdc" else tmp_path / "wmo.qdc"
        r = run("convert", src, tmp_path / target)
        assert r.exit_code == 0, r.output
    assert load_codebook(tmp_path / "back.yaml") == load_codebook(DEFAULT_CODEBOOK_PATH)
    assert load_codebook(tmp_path / "wmo.csv") == load_codebook(DEFAULT_CODEBOOK_PATH)
    r = run("convert", DEFAULT_CODEBOOK_PATH, tmp_path / "x.docx")
    assert r.exit_code == 1 and "unknown codebook format" in r.output


def _with_sources(rows, sources):
    out = []
    for i, line in enumerate(rows):
        obj = json.loads(line)
        obj["source"] = sources[i % len(sources)]
        out.append(json.dumps(obj, ensure_ascii=False))
    return "\n".join(out) + "\n"


def test_crossval_leaves_one_document_out_over_several_files(files):
    rows = DATA.joinpath("coding_train.jsonl").read_text(encoding="utf-8").splitlines()
    (files / "a.jsonl").write_text(_with_sources(rows[:28], ["doc1", "doc2"]), encoding="utf-8")
    (files / "b.jsonl").write_text(_with_sources(rows[28:], ["doc3"]), encoding="utf-8")
    r = run("crossval", "--codebook", files / "codebook.yaml", "--data", files / "a.jsonl",
            "--data", files / "b.jsonl", "--group-by", "source", "--baseline", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["group_by"] == "source" and out["groups"] == ["doc1", "doc2", "doc3"]
    assert out["n_segments"] == 42
    assert {g: d["n_segments"] for g, d in out["per_group"].items()} == {"doc1": 14, "doc2": 14, "doc3": 14}
    assert set(out["coders"]) == {"baseline", "rules", "combined"}
    for name, res in out["coders"].items():
        assert 0.0 < res["micro_f1"] <= 1.0 and 0.0 < res["recall_at_3"] <= 1.0
        assert res["per_code"]["INFORMEEL"]["support"] == sum("INFORMEEL" in json.loads(x)["codes"] for x in rows)
    # the top level is the combined coder; recall@3 can only be at least the recall
    assert out["micro_f1"] == out["coders"]["combined"]["micro_f1"]
    assert out["recall_at_3"] >= out["micro_recall"] - 1e-9
    assert out["rules_micro_f1"] == out["coders"]["rules"]["micro_f1"]
    text = run("crossval", "--codebook", files / "codebook.yaml", "--data", files / "a.jsonl",
               "--data", files / "b.jsonl", "--group-by", "source", "--baseline").output
    assert "== rules ==" in text and "held out doc3" in text and "recall@3" in text and "summary" in text


def test_crossval_group_by_needs_sources(files):
    r = run("crossval", "--codebook", files / "codebook.yaml", "--data", DATA / "coding_train.jsonl",
            "--group-by", "source")
    assert r.exit_code == 1 and "segment 1 has no 'source'" in r.output


def test_evaluate_accepts_several_training_files(files):
    rows = DATA.joinpath("coding_train.jsonl").read_text(encoding="utf-8").splitlines()
    (files / "t1.jsonl").write_text("\n".join(rows[:15]) + "\n", encoding="utf-8")
    (files / "t2.jsonl").write_text("\n".join(rows[15:30]) + "\n", encoding="utf-8")
    r = run("evaluate", "--codebook", files / "codebook.yaml", "--train", files / "t1.jsonl",
            "--train", files / "t2.jsonl", "--gold", files / "gold.jsonl", "--baseline", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["n_train"] == 30 and "recall_at_3" in out and set(out["coders"]) == {"baseline", "rules", "combined"}
