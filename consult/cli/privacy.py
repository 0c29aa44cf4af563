"""`consult privacy ...`: retention of personal data."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.cli.session import db_session


@click.group("privacy", help="Personal data: retention and purging of raw text.")
def privacy_group():
    pass


@privacy_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only show what would be purged.")
@with_appcontext
def purge_command(dry_run: bool):
    """Replace raw, unmasked text by its masked form in every consultation reported more
    than CONSULT_RETENTION_MONTHS months ago (answers, notes, segments, uploaded files,
    contact addresses). Masked text, codes and reports stay. Also deletes generated
    downloads older than CONSULT_DOWNLOAD_RETENTION_DAYS days."""
    from consult import downloads, reporting, retention

    months = int(current_app.config["RETENTION_MONTHS"])
    days = int(current_app.config["DOWNLOAD_RETENTION_DAYS"])
    with db_session() as session:
        files = downloads.purge_expired(session, downloads.downloads_root(current_app), days, dry_run=dry_run,
                                        actor="cli")
        click.echo(f"{'Would delete' if dry_run else 'Deleted'} {files} downloads older than {days} days "
                   "(CONSULT_DOWNLOAD_RETENTION_DAYS).")
        due = retention.due_for_purge(session, months)
        if not due:
            click.echo(f"Nothing to purge: no consultation was reported more than {months} months ago "
                       "with raw text left.")
            return
        for consultation in due:
            counts = (retention.count(session, consultation, months) if dry_run
                      else retention.purge(session, consultation, months, actor="cli"))
            if not dry_run:  # the report lemmas of texts that no longer exist in this form
                reporting.lemma_store(current_app.instance_path, consultation).clear()
            verb = "Would purge" if dry_run else "Purged"
            click.echo(f"{verb} {counts.slug} (reported {consultation.reported_on}, due {counts.due_on}): "
                       f"{counts.segments} segments, {counts.answers} answers, {counts.documents} documents, "
                       f"{counts.contact_addresses} contact addresses")
        if dry_run:
            session.rollback()
            click.echo("Dry run: nothing was changed.")
