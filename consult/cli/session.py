"""What the database commands share: a session on a current schema, and a consultation by slug."""
from __future__ import annotations

import click

from consult.db import session_scope
from consult.models import Consultation


def db_session():
    """A session scope (commit on success) after checking the schema is up to date."""
    from consult.cli import session_factory
    from consult.cli.db import require_current_schema

    require_current_schema()
    return session_scope(session_factory())


def consultation_or_fail(session, slug: str) -> Consultation:
    consultation = Consultation.by_slug(session, slug)
    if consultation is None:
        raise click.ClickException(f"no consultation with slug {slug!r}")
    return consultation
