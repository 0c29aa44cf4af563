"""`consult demo`: build the demo consultation."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

LABELS = {
    "meetings": "meetings (bijeenkomsten)",
    "wijkbijeenkomsten": "of which wijkbijeenkomsten",
    "attendees": "attendees counted at meetings",
    "notes_documents": "meeting notes documents",
    "surveys": "surveys",
    "responses": "submitted survey responses",
    "answers": "answers",
    "participants": "participants (anonymous)",
    "advice_points": "advice points (ASDD)",
    "reaction_paragraphs": "reaction letter paragraphs",
    "findings": "findings and scenarios",
    "segments": "segments (units of coding)",
    "accepted_codes": "accepted codes (the demo's generated themes)",
    "suggested_codes": "code suggestions by the automatic coder, to review",
}


@click.command("demo")
@click.option("--reset", is_flag=True, help="Delete the demo consultation and build it again.")
@click.option("--serve", "serve_after", is_flag=True, help="Start the web server afterwards.")
@with_appcontext
def demo_command(reset: bool, serve_after: bool):
    """Build a demo consultation modelled on the Deventer Verkenning Wmo (idempotent).

    Applies pending database migrations first.
    """
    from flask import current_app

    from consult import migrate
    from consult.cli import database_url, session_factory
    from consult.db import session_scope
    from consult.demo import build_demo

    migrate.upgrade(database_url())
    with session_scope(session_factory()) as session:
        result = build_demo(session, reset=reset)
    if result.created:
        click.echo(f"Built the demo consultation '{result.consultation_slug}':")
    else:
        click.echo(f"The demo consultation '{result.consultation_slug}' already exists "
                   "(nothing added; use --reset to rebuild it):")
    for key, value in result.counts.items():
        click.echo(f"  {value:6d}  {LABELS.get(key, key)}")
    click.echo(f"Database: {current_app.config['DATABASE_URL']}")
    if serve_after:
        from consult.cli.serve import serve_command

        click.get_current_context().invoke(serve_command)
    else:
        click.echo("Open it with:  consult serve   then visit "
                   f"http://127.0.0.1:5000/c/{result.consultation_slug}")
