"""`consult mail ...`: check the e-mail settings."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.cli.session import db_session


@click.group("mail", help="E-mail: check the CONSULT_MAIL_* settings.")
def mail_group():
    pass


@mail_group.command("test")
@click.argument("address")
@with_appcontext
def test_command(address: str):
    """Send a test message to ADDRESS now, through the configured SMTP server, and say
    whether it worked. Nothing is queued: the answer is immediate."""
    from consult import mail

    settings = mail.settings_for(current_app)
    if not settings.configured:
        raise click.ClickException("Mail is not configured: set CONSULT_MAIL_HOST and CONSULT_MAIL_SENDER "
                                   "(see the README's configuration table).")
    try:
        recipient = mail.normalise_address(address)
    except mail.MailError:
        raise click.ClickException(f"Not a valid e-mail address: {address!r}") from None
    with db_session() as session:
        rendered = mail.render(session, None, mail.MailKind.TEST, {}, settings=settings)
    try:
        mail.send_now(settings, recipient, rendered)
    except mail.Unreachable as exc:
        raise click.ClickException(f"Cannot send through {settings.where} ({settings.security}): {exc.english}") from None
    except Exception as exc:  # noqa: BLE001 - any SMTP refusal is reported, not a traceback
        raise click.ClickException(f"The SMTP server {settings.where} refused the test message: "
                                   f"{type(exc).__name__}: {exc}") from None
    click.echo(f"Sent a test message to {recipient} through {settings.where} ({settings.security}) "
               f"from {settings.sender}.")
