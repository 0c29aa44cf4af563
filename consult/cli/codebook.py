"""`consult codebook ...`: import, export, convert and evaluate codebooks.

With the database:

* ``consult codebook import FILE [--slug S] [--consultation SLUG]``
* ``consult codebook export --codebook SLUG [--version N] --out FILE``

File-based (no database):

* ``consult codebook evaluate --codebook FILE --train TRAIN.jsonl [--train MORE.jsonl] --gold GOLD.jsonl
  [--baseline] [--json]``
* ``consult codebook crossval --codebook FILE --data DATA.jsonl [--data MORE.jsonl] [--group-by source]
  [--folds 5] [--seed 0] [--baseline] [--json]`` (``--group-by source``: leave one document out)
* ``consult codebook lint --codebook FILE [--json]``: description terms the rules miss
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
    """The codebook and, per argument, the segments of one JSON lines file or, for a
    tuple of files, of all of them in order."""
    from analysis.codebook import CodebookError, load_codebook
    from analysis.evaluation import read_jsonl
    try:
        codebook = load_codebook(codebook_path)
    except CodebookError as exc:
        _fail(str(exc))
    sets = []
    for paths in jsonl_paths:
        items = []
        for path in (paths if isinstance(paths, (tuple, list)) else (paths,)):
            try:
                items.extend(read_jsonl(path, codebook))
            except ValueError as exc:
                _fail(str(exc))
        sets.append(items)
    return codebook, sets


def _load_pipeline():
    from analysis.nlp import get_nlp
    try:
        get_nlp()
    except Exception as exc:  # the shipped model missing or broken: say so in one line
        _fail(f"cannot load the Dutch NLP pipeline: {exc}")


CODERS = ("baseline", "rules", "combined")


def _coder_outputs(name: str, codebook, texts, train_items=(), *, seed: int = 0, rules=None):
    """Per text (predicted codes, ranked codes best first) of one coder:
    ``baseline`` (keyword substrings), ``rules`` or ``combined`` (trained on ``train_items``)."""
    from analysis.evaluation import keyword_baseline
    if name == "baseline":
        kws = {c.code: [k.lower() for k in c.keywords] for c in codebook.codes}
        out = []
        for t, codes in zip(texts, keyword_baseline(codebook, texts)):
            low = (t or "").lower()
            ranked = sorted(codes, key=lambda c: -sum(k in low for k in kws[c]))
            out.append((codes, ranked))
        return out
    if name == "rules":
        from analysis.coding.rules import RuleCoder
        coder = rules or RuleCoder(codebook)
    else:
        from analysis.coding.combined import train
        coder = train(codebook, [(i.text, i.codes, i.source) for i in train_items], seed=seed)
    ranked = coder.rank(texts, k=len(codebook.codes))
    return [([c.code for c in cands if c.suggested], [c.code for c in cands]) for cands in ranked]


def _report(results: dict, extra: dict, as_json: bool) -> None:
    """``results``: coder name -> scores (the combined coder's are also the top level)."""
    main = results["combined"]
    if as_json:
        out = main.to_dict()
        out.update(extra)
        if len(results) > 1:
            out["coders"] = {name: r.to_dict() for name, r in results.items()}
        click.echo(json.dumps(out, ensure_ascii=False, sort_keys=False))
        return
    for k, v in extra.items():
        if not isinstance(v, dict):
            click.echo(f"{k}: {v}")
    for name, r in results.items():
        click.echo(f"\n== {name} ==")
        pooled = getattr(r, "pooled", r)
        click.echo(pooled.format())
        r3 = getattr(r, "recall_at_3", None)
        if r3 is not None:
            click.echo(f"recall@3 {r3:.3f}")
        for g, s in (getattr(r, "per_group", None) or {}).items():
            g3 = (r.group_recall_at_3 or {}).get(g)
            tail = f"  recall@3 {g3:.3f}" if g3 is not None else ""
            click.echo(f"  held out {g:<8} n {s.n_segments:4d}  micro P {s.micro_precision:.3f}  "
                       f"R {s.micro_recall:.3f}  F1 {s.micro_f1:.3f}{tail}")
    if len(results) > 1:
        click.echo("\nsummary (micro-F1" + (", per held-out group" if hasattr(main, "per_group") else "") + ")")
        for name, r in results.items():
            pooled = getattr(r, "pooled", r)
            groups = "  ".join(f"{g} {s.micro_f1:.3f}" for g, s in (getattr(r, "per_group", None) or {}).items())
            r3 = getattr(r, "recall_at_3", None)
            click.echo(f"  {name:<9} {pooled.micro_f1:.3f}" + (f"  recall@3 {r3:.3f}" if r3 is not None else "")
                       + (f"  [{groups}]" if groups else ""))


class _Scored:
    """Scores of one coder on one gold set, with recall@3."""

    def __init__(self, scores, recall_at_3):
        self.pooled, self.recall_at_3 = scores, recall_at_3

    def to_dict(self) -> dict:
        return dict(self.pooled.to_dict(), recall_at_3=round(self.recall_at_3, 4))


@codebook_group.command("evaluate")
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False),
              help="Codebook file (.yaml, .csv or .qdc).")
@click.option("--train", "train_paths", required=True, multiple=True, type=click.Path(dir_okay=False),
              help="Training segments (JSON lines with text and codes); repeat for several files.")
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False),
              help="Gold segments to code and score (JSON lines with text and codes).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--baseline", is_flag=True, help="Also score the keyword-substring baseline and the rules alone.")
def evaluate_command(codebook_path, train_paths, gold_path, as_json, baseline):
    """Train the coder on TRAIN plus the codebook and score it on GOLD."""
    from analysis.evaluation import recall_at_k, score
    codebook, (train_items, gold_items) = _load_inputs(codebook_path, tuple(train_paths), gold_path)
    if not gold_items:
        _fail(f"{gold_path}: no segments")
    _load_pipeline()
    texts = [i.text for i in gold_items]
    gold = [i.codes for i in gold_items]
    results = {}
    for name in (CODERS if baseline else ("combined",)):
        out = _coder_outputs(name, codebook, texts, train_items)
        results[name] = _Scored(score(gold, [p for p, _ in out], codebook.code_ids),
                                recall_at_k(gold, [r for _, r in out], 3))
    extra = {"n_train": len(train_items)}
    if baseline:
        extra.update(_summary(results))
    _report(results, extra, as_json)


def _summary(results) -> dict:
    out = {}
    for name, key in (("baseline", "baseline"), ("rules", "rules")):
        pooled = getattr(results[name], "pooled", results[name])
        out[f"{key}_micro_f1"] = round(pooled.micro_f1, 4)
        out[f"{key}_macro_f1"] = round(pooled.macro_f1, 4)
    return out


@codebook_group.command("crossval")
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False),
              help="Codebook file (.yaml, .csv or .qdc).")
@click.option("--data", "data_paths", required=True, multiple=True, type=click.Path(dir_okay=False),
              help="Coded segments (JSON lines with text and codes); repeat for several files.")
@click.option("--group-by", "group_by", type=click.Choice(["source"]),
              help="Leave one group out instead of random folds: 'source' holds out one document at a "
                   "time (segments need a 'source' field).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 50))
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the fold split.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--baseline", is_flag=True, help="Also score the keyword-substring baseline and the rules alone.")
def crossval_command(codebook_path, data_paths, group_by, folds, seed, as_json, baseline):
    """Cross-validated scores: train on all but one fold or document (plus the codebook),
    code the held-out one; pooled and per held-out part."""
    from analysis.evaluation import kfold, leave_one_group_out
    codebook, (items,) = _load_inputs(codebook_path, tuple(data_paths))
    label = ", ".join(data_paths)
    if group_by:
        missing = [n for n, i in enumerate(items, 1) if not getattr(i, group_by)]
        if missing:
            _fail(f"{label}: segment {missing[0]} has no '{group_by}' to group by")
        groups = [getattr(i, group_by) for i in items]
        if len(set(groups)) < 2:
            _fail(f"{label}: all segments have the same {group_by} ({groups[0]}); need at least 2")
        extra = {"group_by": group_by, "groups": sorted(set(groups))}
    else:
        if len(items) < folds:
            _fail(f"{label}: {len(items)} segments is too few for {folds} folds")
        groups = [0] * len(items)
        for f, (_, te) in enumerate(kfold(len(items), folds, seed)):
            for i in te:
                groups[i] = f"fold{f + 1}"
        extra = {"folds": folds, "seed": seed}
    _load_pipeline()
    rules = None
    if baseline:
        from analysis.coding.rules import RuleCoder
        rules = RuleCoder(codebook)
    results = {}
    for name in (("combined",) + CODERS[:2] if baseline else ("combined",)):
        results[name] = leave_one_group_out(
            items, groups, lambda tr, texts: _coder_outputs(name, codebook, texts, tr, seed=seed, rules=rules),
            codes=codebook.code_ids)
    if baseline:
        extra.update(_summary(results))
        results = {n: results[n] for n in CODERS}
    _report(results, extra, as_json)


@codebook_group.command("lint")
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False),
              help="Codebook file (.yaml, .csv or .qdc).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def lint_command(codebook_path, as_json):
    """List terms a code's description names that its keyword rules miss.

    Each finding is a term to add to the code's keywords or, when it does not by itself
    mean the theme, to its 'exclude' list. Exits with status 1 when there are findings.
    """
    from analysis.coding.lint import lint_codebook
    codebook, _ = _load_inputs(codebook_path)
    _load_pipeline()
    findings = lint_codebook(codebook)
    if as_json:
        click.echo(json.dumps({"codebook": codebook.name, "version": codebook.version,
                               "findings": [{"code": f.code, "term": f.term, "lemma": f.lemma} for f in findings]},
                              ensure_ascii=False))
    else:
        for f in findings:
            click.echo(f.format())
        click.echo(f"{len(findings)} finding(s) in {len(codebook.codes)} codes"
                   + ("" if findings else ": every term the descriptions name is a keyword or excluded"))
    sys.exit(1 if findings else 0)


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
