"""`consult db ...`: schema migrations."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("db", help="Create and upgrade the database schema.")
def db_group():
    pass


def _migrate():
    """consult.migrate, imported when a db command runs: it imports alembic (~0.3 s), which
    every other command would pay at start-up."""
    from consult import migrate

    return migrate


def _url() -> str:
    from consult.cli import database_url

    return database_url()


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def upgrade(revision: str):
    """Apply pending migrations (all in one transaction)."""
    url = _url()
    before = _migrate().current_revision(url)
    try:
        _migrate().upgrade(url, revision)
    except Exception as exc:  # noqa: BLE001 - report any failure on one line; the DB is unchanged
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(
            f"migration failed, database left at revision {before or 'empty'}: {reason}") from None
    after = _migrate().current_revision(url)
    if before == after:
        click.echo(f"Database is up to date (revision {after}).")
    else:
        click.echo(f"Upgraded database from {before or 'empty'} to {after}.")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade(revision: str):
    """Revert migrations down to REVISION (use 'base' for an empty database)."""
    _migrate().downgrade(_url(), revision)
    click.echo(f"Database now at revision {_migrate().current_revision(_url()) or 'empty'}.")


@db_group.command("current")
@with_appcontext
def current():
    """Show the database's revision and the newest one available."""
    click.echo(f"current: {_migrate().current_revision(_url()) or 'empty'}")
    click.echo(f"head:    {_migrate().head_revision()}")


def require_current_schema() -> None:
    """Stop with a clear message when the schema is missing or outdated."""
    url = _url()
    if not _migrate().is_up_to_date(url):
        raise click.ClickException(
            "the database schema is not up to date; run 'consult db upgrade' first")
