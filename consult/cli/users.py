"""`consult users ...`: staff accounts."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.audit import record
from consult.db import session_scope
from consult.models import Role, User


@click.group("users", help="Manage staff accounts.")
def users_group():
    pass


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.password_option(help="At least 10 characters; asked for when not given.")
@with_appcontext
def create(email: str, name: str, role: str, password: str):
    """Create a staff account (administrator, policy_writer or facilitator)."""
    from consult.cli import session_factory
    from consult.cli.db import require_current_schema

    require_current_schema()
    email = email.strip().lower()
    if "@" not in email:
        raise click.BadParameter("not an e-mail address", param_hint="--email")
    with session_scope(session_factory()) as session:
        if session.scalar(select(User).where(User.email == email)):
            raise click.ClickException(f"a user with e-mail {email} already exists")
        user = User(email=email, name=name.strip(), role=Role(role))
        try:
            user.set_password(password)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--password") from None
        session.add(user)
        record(session, "create", user, actor="cli", details={"email": email, "role": role})
    click.echo(f"Created {role} {name} <{email}>.")


@users_group.command("list")
@with_appcontext
def list_users():
    """List staff accounts."""
    from consult.cli import session_factory

    with session_scope(session_factory()) as session:
        for user in session.scalars(select(User).order_by(User.email)):
            state = "" if user.active else " (inactive)"
            click.echo(f"{user.email}\t{user.name}\t{user.role.value}{state}")


@users_group.command("link")
@click.argument("email")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Address where staff open consult (scheme, host and port).")
@with_appcontext
def link(email: str, base_url: str):
    """Print a one-time set-password link for EMAIL (a new password; the old one stops working)."""
    from flask import current_app, url_for

    from consult import people
    from consult.cli import session_factory
    from consult.cli.db import require_current_schema

    require_current_schema()
    hours = current_app.config.get("PASSWORD_LINK_HOURS", people.DEFAULT_LINK_HOURS)
    with session_scope(session_factory()) as session:
        user = User.by_email(session, email)
        if user is None:
            raise click.ClickException(f"no user with e-mail {email.strip().lower()}")
        if not user.active:
            raise click.ClickException(f"the account of {user.email} is deactivated; reactivate it first")
        token = people.issue_password_link(session, user, actor="cli", hours=hours)
        expires = user.password_token_expires_at
        name, address = user.name, user.email
    with current_app.test_request_context(base_url=base_url.rstrip("/") + "/"):
        url = url_for("auth.set_password", token=token, _external=True)
    click.echo(f"One-time set-password link for {name} <{address}>, valid until "
               f"{expires:%Y-%m-%d %H:%M} UTC:\n{url}")
