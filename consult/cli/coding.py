"""Database-facing codebook and coding commands.

They join the ``consult codebook`` and ``consult code`` groups defined (with the
file-only commands such as ``evaluate``) in ``consult.cli.codebook``:

- ``consult codebook import FILE [--slug S] [--consultation SLUG]``
- ``consult codebook export --codebook SLUG [--version N] --out FILE``
- ``consult code segment|run|train --consultation SLUG``
"""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from analysis.codebook import CodebookError, load_codebook, save_codebook
from consult.audit import record
from consult.cli.codebook import code_group, codebook_group
from consult.codebooks import store_codebook, version_to_definition
from consult.db import session_scope
from consult.models import Codebook, CodebookVersion, Consultation


def _session():
    from consult.cli import session_factory
    from consult.cli.db import require_current_schema

    require_current_schema()
    return session_scope(session_factory())


def _consultation(session, slug: str) -> Consultation:
    consultation = session.scalar(select(Consultation).where(Consultation.slug == slug))
    if consultation is None:
        raise click.ClickException(f"no consultation with slug {slug!r}")
    return consultation


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
    with _session() as session:
        version, created = store_codebook(session, definition, slug=slug, note=f"import {path.name}")
        if consultation_slug:
            consultation = _consultation(session, consultation_slug)
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
    with _session() as session:
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


@code_group.command("segment")
@click.option("--consultation", "slug", required=True)
@with_appcontext
def segment_command(slug: str):
    """Split new answers and notes of a consultation into segments."""
    from consult.coding import segment_consultation

    with _session() as session:
        n = segment_consultation(session, _consultation(session, slug))
    click.echo(f"Created {n} segments.")


@code_group.command("run")
@click.option("--consultation", "slug", required=True)
@click.option("--retrain", is_flag=True, help="Retrain the learning coder on the reviewed segments first.")
@with_appcontext
def run_command(slug: str, retrain: bool):
    """Segment new text and add automatic code suggestions (human decisions stay)."""
    from consult.coding import code_consultation, segment_consultation, segment_count

    with _session() as session:
        consultation = _consultation(session, slug)
        created = segment_consultation(session, consultation)
        total = segment_count(session, consultation)
        with click.progressbar(length=total, label="Coding segments", file=click.get_text_stream("stderr")) as bar:
            summary = code_consultation(session, consultation, retrain=retrain, actor="cli",
                                        progress=bar.update)
    click.echo(f"{created} new segments; coded {summary.segments} segments with {summary.coder}: "
               f"{summary.suggestions_added} suggestions ({summary.suggestions_removed} earlier "
               f"suggestions replaced, {summary.kept_human_decisions} human decisions kept).")
    for code, n in sorted(summary.per_code.items(), key=lambda kv: -kv[1]):
        click.echo(f"  {n:5d}  {code}")


@code_group.command("train")
@click.option("--consultation", "slug", required=True)
@with_appcontext
def train_command(slug: str):
    """Retrain the learning coder on the segments people reviewed."""
    from consult.coding import train_coder

    with _session() as session:
        model = train_coder(session, _consultation(session, slug), actor="cli")
        metrics = dict(model.metrics)
    click.echo(f"Trained coder on {metrics.get('n_training_segments', 0)} reviewed segments.")
