"""`consult code ...`: segmenting and automatically coding a consultation.

- ``consult code segment --consultation SLUG``
- ``consult code run --consultation SLUG [--retrain] [--background]``
- ``consult code train --consultation SLUG``
"""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.cli.session import consultation_or_fail, db_session

code_group = click.Group("code", help="Code consultation segments against a codebook.")


@code_group.command("segment")
@click.option("--consultation", "slug", required=True)
@with_appcontext
def segment_command(slug: str):
    """Split new answers and notes of a consultation into segments."""
    from consult.coding import segment_consultation

    with db_session() as session:
        n = segment_consultation(session, consultation_or_fail(session, slug))
    click.echo(f"Created {n} segments.")


@code_group.command("run")
@click.option("--consultation", "slug", required=True)
@click.option("--retrain", is_flag=True, help="Retrain the learning coder on the reviewed segments first.")
@click.option("--background", is_flag=True,
              help="Queue the run for `consult worker` processes (in chunks, in parallel) and return.")
@with_appcontext
def run_command(slug: str, retrain: bool, background: bool):
    """Segment new text and add automatic code suggestions (human decisions stay)."""
    from consult.coding import code_consultation, segment_consultation, segment_count

    if background:
        from flask import current_app

        from consult import jobs

        with db_session() as session:
            consultation = consultation_or_fail(session, slug)
        if jobs.connect_redis(current_app.config["REDIS_URL"]) is None:
            raise click.ClickException(f"--background needs Redis at {current_app.config['REDIS_URL']} "
                                       "(CONSULT_REDIS_URL) and a running `consult worker`")
        job_id = jobs.enqueue_for_app(current_app, "code_consultation", consultation=consultation,
                                      params={"retrain": retrain}, fallback="inline")
        click.echo(f"Queued coding run as job {job_id}; `consult worker` processes take its chunks.")
        return
    with db_session() as session:
        consultation = consultation_or_fail(session, slug)
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

    with db_session() as session:
        model = train_coder(session, consultation_or_fail(session, slug), actor="cli")
        metrics = dict(model.metrics)
    click.echo(f"Trained coder on {metrics.get('n_training_segments', 0)} reviewed segments.")
