"""`consult nlp evaluate` / `consult nlp train` through click's CliRunner."""
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).parent / "data" / "nlp_lassysmall-dev-sample.conllu"


def _nlp_group():
    try:
        from consult.cli.nlp import nlp_group
    except Exception:  # consult.cli may be mid-refactor; the module itself is standalone
        spec = importlib.util.spec_from_file_location("_consult_cli_nlp", REPO / "consult" / "cli" / "nlp.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        nlp_group = module.nlp_group
    return nlp_group


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


def test_evaluate_json_on_the_sample(runner):
    result = runner.invoke(_nlp_group(), ["evaluate", "--conllu", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    for key in ("pos_acc", "lemma_acc", "uas", "las", "sents_f", "words_per_second", "n_words"):
        assert key in scores
    assert scores["n_words"] == 219
    assert 0.85 <= scores["pos_acc"] <= 1.0
    assert 0.85 <= scores["lemma_acc"] <= 1.0
    assert 0.5 <= scores["uas"] <= 1.0 and 0.4 <= scores["las"] <= scores["uas"]
    assert 0.3 <= scores["sents_f"] <= 1.0
    assert scores["words_per_second"] > 100


def test_evaluate_human_readable(runner):
    result = runner.invoke(_nlp_group(), ["evaluate", "--conllu", str(SAMPLE), "--no-speed"])
    assert result.exit_code == 0, result.output
    assert "POS (UPOS) acc:" in result.output and "Lemma acc:" in result.output


@pytest.mark.parametrize("content", [None, "dit is geen conllu\nmaar tekst\n", b"\xff\xfe\x00\x81 binary", ""])
def test_evaluate_bad_input_gives_one_line_error(runner, tmp_path, content):
    path = tmp_path / "input.conllu"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    result = runner.invoke(_nlp_group(), ["evaluate", "--conllu", str(path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_train_without_ud_data_fails_cleanly(runner, tmp_path):
    result = runner.invoke(_nlp_group(), ["train", "--ud-dir", str(tmp_path / "missing"),
                                          "--output", str(tmp_path / "model"), "--work", str(tmp_path / "w")])
    assert result.exit_code != 0
    assert "Error: missing UD file" in result.output
    assert not (tmp_path / "model").exists()
