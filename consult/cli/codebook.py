"""`consult codebook ...` and `consult code ...`: codebooks and automatic coding.

File-based commands defined here (no database):

* ``consult codebook evaluate --codebook FILE --train TRAIN.jsonl --gold GOLD.jsonl [--json]``
* ``consult codebook crossval --codebook FILE --data DATA.jsonl [--folds 5] [--seed 0] [--json]``
* ``consult codebook convert IN OUT`` (``.yaml``/``.yml``, ``.csv``, ``.qdc`` by extension)

JSON lines files hold one object per line with ``text`` and ``codes`` (and optionally ``id``).
"""
import json
import sys

import click

codebook_group = click.Group("codebook", help="Import, export and evaluate codebooks.")
code_group = click.Group("code", help="Code consultation segments against a codebook.")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _load_inputs(codebook_path, *jsonl_paths):
    from analysis.codebook import CodebookError, load_codebook
    from analysis.evaluation import read_jsonl
    try:
        codebook = load_codebook(codebook_path)
    except CodebookError as exc:
        _fail(str(exc))
    sets = []
    for path in jsonl_paths:
        try:
            sets.append(read_jsonl(path, codebook))
        except ValueError as exc:
            _fail(str(exc))
    return codebook, sets


def _load_pipeline():
    from analysis.nlp import get_nlp
    try:
        get_nlp()
    except Exception as exc:  # the shipped model missing or broken: say so in one line
        _fail(f"cannot load the Dutch NLP pipeline: {exc}")


def _report(scores, extra: dict, as_json: bool) -> None:
    if as_json:
        out = scores.to_dict()
        out.update(extra)
        click.echo(json.dumps(out, ensure_ascii=False, sort_keys=False))
    else:
        for k, v in extra.items():
            if not isinstance(v, dict):
                click.echo(f"{k}: {v}")
        click.echo(scores.format())


@codebook_group.command("evaluate")
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False),
              help="Codebook file (.yaml, .csv or .qdc).")
@click.option("--train", "train_path", required=True, type=click.Path(dir_okay=False),
              help="Training segments (JSON lines with text and codes).")
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False),
              help="Gold segments to code and score (JSON lines with text and codes).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--baseline", is_flag=True, help="Also score the keyword-substring baseline and the rules alone.")
def evaluate_command(codebook_path, train_path, gold_path, as_json, baseline):
    """Train the coder on TRAIN plus the codebook and score it on GOLD."""
    from analysis.coding.combined import train
    from analysis.evaluation import score
    codebook, (train_items, gold_items) = _load_inputs(codebook_path, train_path, gold_path)
    if not gold_items:
        _fail(f"{gold_path}: no segments")
    _load_pipeline()
    coder = train(codebook, [(i.text, i.codes) for i in train_items])
    texts = [i.text for i in gold_items]
    gold = [i.codes for i in gold_items]
    scores = score(gold, coder.predict_codes(texts), codebook.code_ids)
    extra = {"n_train": len(train_items)}
    if baseline:
        extra.update(_baselines(codebook, texts, gold, coder.rules))
    _report(scores, extra, as_json)


def _baselines(codebook, texts, gold, rules) -> dict:
    from analysis.evaluation import keyword_baseline, score
    base = score(gold, keyword_baseline(codebook, texts), codebook.code_ids)
    rule = score(gold, [[s.code for s in ss] for ss in rules.code(texts)], codebook.code_ids)
    return {"baseline_micro_f1": round(base.micro_f1, 4), "baseline_macro_f1": round(base.macro_f1, 4),
            "rules_micro_f1": round(rule.micro_f1, 4), "rules_macro_f1": round(rule.macro_f1, 4)}


@codebook_group.command("crossval")
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False),
              help="Codebook file (.yaml, .csv or .qdc).")
@click.option("--data", "data_path", required=True, type=click.Path(dir_okay=False),
              help="Coded segments (JSON lines with text and codes).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 50))
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the fold split.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--baseline", is_flag=True, help="Also score the keyword-substring baseline and the rules alone.")
def crossval_command(codebook_path, data_path, folds, seed, as_json, baseline):
    """Cross-validated scores: train on k-1 folds (plus the codebook), code the held-out fold."""
    from analysis.coding.combined import train
    from analysis.evaluation import cross_validate
    codebook, (items,) = _load_inputs(codebook_path, data_path)
    if len(items) < folds:
        _fail(f"{data_path}: {len(items)} segments is too few for {folds} folds")
    _load_pipeline()

    def fit_predict(train_items, test_texts):
        return train(codebook, [(i.text, i.codes) for i in train_items], seed=seed).predict_codes(test_texts)

    scores = cross_validate(items, fit_predict, folds=folds, seed=seed, codes=codebook.code_ids)
    extra = {"folds": folds, "seed": seed}
    if baseline:
        from analysis.coding.rules import RuleCoder
        extra.update(_baselines(codebook, [i.text for i in items], [i.codes for i in items], RuleCoder(codebook)))
    _report(scores, extra, as_json)


@codebook_group.command("convert")
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("target", type=click.Path(dir_okay=False))
def convert_command(source, target):
    """Convert a codebook file between YAML, CSV and REFI-QDA (.qdc), by extension."""
    from analysis.codebook import CodebookError, load_codebook, save_codebook
    try:
        codebook = load_codebook(source)
        save_codebook(codebook, target)
    except CodebookError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{target}: cannot write: {exc.strerror or exc}")
    click.echo(f"{source} -> {target}: {len(codebook.codes)} codes, version {codebook.version}")
