"""The ``consult`` command line (Click, through Flask's CLI support).

Each command group lives in its own module; this module wires them together and turns
configuration and connection problems into one-line English errors.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy.exc import OperationalError

from consult.config import ConfigError
from consult.cli.codebook import codebook_group
from consult.cli.coding import code_group
from consult.cli.export import export_group
from consult.cli.mail import mail_group
from consult.cli.nlp import nlp_group
from consult.cli.privacy import privacy_group
from consult.cli.trace import trace_group


def _create_app():
    from consult.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
@click.version_option(package_name="consult", prog_name="consult")
def cli():
    """consult: participatory policy consultation for Dutch municipalities."""


# Flask's generic --app/--env-file/--debug options do not apply: consult builds its own app.
cli.params = [p for p in cli.params if p.name not in ("app", "env_file", "debug")]


def database_url() -> str:
    return current_app.config["DATABASE_URL"]


def session_factory():
    return current_app.extensions["consult.sessions"]


from consult.cli import db as _db, demo as _demo, serve as _serve, users as _users, worker as _worker  # noqa: E402

for group in (_db.db_group, _users.users_group, _demo.demo_command, _serve.serve_command,
              _worker.worker_command,
              nlp_group, codebook_group, code_group, export_group, trace_group, privacy_group, mail_group):
    cli.add_command(group)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="consult", standalone_mode=True)
    except ConfigError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
        click.echo(f"Error: CONSULT_DATABASE_URL: cannot use the database: {reason}", err=True)
        sys.exit(2)
