"""`consult codebook ...`: import, export, convert and evaluate codebooks.

With the database:

* ``consult codebook import FILE [--slug S] [--consultation SLUG]``
* ``consult codebook export --codebook SLUG [--version N] --out FILE``

File-based (no database):

* ``consult codebook evaluate --codebook FILE --train TRAIN.jsonl --gold GOLD.jsonl [--json]``
* ``consult codebook crossval --codebook FILE --data DATA.jsonl [--folds 5] [--seed 0] [--json]``
* ``consult codebook convert IN OUT`` (``.yaml``/``.yml``, ``.csv``, ``.qdc`` by extension)

JSON lines files hold one object per line with ``text`` and ``codes`` (and optionally ``id``).
Coding a consultation is ``consult code ...`` (``consult.cli.coding``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from analysis.codebook import CodebookError, load_codebook, save_codebook
from consult.audit import record
from consult.cli.session import consultation_or_fail, db_session
from consult.codebooks import store_codebook, version_to_definition
from consult.models import Codebook, CodebookVersion

codebook_group = click.Group("codebook", help="Import, export and evaluate codebooks.")


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


@codebook_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", help="Codebook identifier (default: from its name).")
@click.option("--consultation", "consultation_slug", help="Make it the consultation's codebook.")
@with_appcontext
def import_codebook(path: Path, slug: str | None, consultation_slug: str | None):
    """Import a codebook (.yaml, .csv or REFI-QDA .qdc) as a new version.

    The file is validated completely before anything is stored.
    """
    try:
        definition = load_codebook(path)
    except CodebookError as exc:
        raise click.ClickException(str(exc)) from None
    with db_session() as session:
        version, created = store_codebook(session, definition, slug=slug, note=f"import {path.name}")
        if consultation_slug:
            consultation = consultation_or_fail(session, consultation_slug)
            consultation.codebook_version = version
            record(session, "set_codebook", consultation, actor="cli",
                   details={"codebook": version.codebook.slug, "version": version.number})
        if created:
            record(session, "import_codebook", version, actor="cli",
                   details={"file": path.name, "codes": len(version.codes)})
        slug, number, n = version.codebook.slug, version.number, len(version.codes)
    state = "stored as" if created else "unchanged, still"
    click.echo(f"Codebook '{slug}' {state} version {number} ({n} codes).")


@codebook_group.command("export")
@click.option("--codebook", "slug", required=True, help="Codebook identifier.")
@click.option("--version", "number", type=int, help="Version number (default: the newest).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .yaml, .csv or .qdc.")
@with_appcontext
def export_codebook(slug: str, number: int | None, out: Path):
    """Export a stored codebook version to YAML, CSV or REFI-QDA (.qdc)."""
    with db_session() as session:
        codebook = session.scalar(select(Codebook).where(Codebook.slug == slug))
        if codebook is None or not codebook.versions:
            raise click.ClickException(f"no codebook {slug!r}")
        version = codebook.latest if number is None else session.scalar(select(CodebookVersion).where(
            CodebookVersion.codebook_id == codebook.id, CodebookVersion.number == number))
        if version is None:
            raise click.ClickException(f"codebook {slug!r} has no version {number}")
        definition = version_to_definition(version)
    try:
        save_codebook(definition, out)
    except (CodebookError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {slug} version {definition.version} to {out}.")
