"""`consult demo`: build the demo consultation."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from consult.cli.serve import base_url, check_port, host_option, port_option

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
@click.option("--reset", is_flag=True,
              help="Delete the demo consultations and build them again; give the demo accounts new passwords.")
@click.option("--serve", "serve_after", is_flag=True, help="Start the web server afterwards.")
@host_option
@port_option
@with_appcontext
def demo_command(reset: bool, serve_after: bool, host: str, port: int):
    """Build the demo: a consultation modelled on the Deventer Verkenning Wmo, an open
    consultation whose survey can be filled in, and one staff account per role (idempotent).

    Applies pending database migrations first. Passwords of the demo accounts are
    generated and shown once, when an account is made (or with --reset).
    """
    from flask import current_app

    from consult import migrate
    from consult.cli import database_url, session_factory
    from consult.db import session_scope
    from consult.demo import build_demo, build_open_demo, ensure_demo_accounts
    from consult.reporting import get_consultation, prepare_report

    if serve_after:
        check_port(host, port)  # before minutes of building, and before announcing anything
    migrate.upgrade(database_url())
    with session_scope(session_factory()) as session:
        result = build_demo(session, reset=reset)
        open_c = build_open_demo(session, reset=reset)
        open_urls = [f"/c/{open_c.slug}/v/{s.slug}" for s in open_c.surveys]
        accounts = ensure_demo_accounts(session, reset=reset)
    with session_scope(session_factory()) as session:
        # the report's lemmas and word clouds, while the pipeline the demo coded with is loaded
        prepare_report(session, get_consultation(session, result.consultation_slug), current_app.instance_path)
    if result.created:
        click.echo(f"Built the demo consultation '{result.consultation_slug}':")
    else:
        click.echo(f"The demo consultation '{result.consultation_slug}' already exists "
                   "(nothing added; use --reset to rebuild it):")
    for key, value in result.counts.items():
        click.echo(f"  {value:6d}  {LABELS.get(key, key)}")
    click.echo(f"Database: {current_app.config['DATABASE_URL']}")

    url = base_url(host, port)
    click.echo("")
    click.echo("Try it:")
    click.echo(f"  consultation (reported)  {url}/c/{result.consultation_slug}")
    click.echo(f"  open consultation        {url}/c/{open_c.slug}")
    for path in open_urls:
        click.echo(f"  open survey              {url}{path}")
    click.echo(f"  staff login              {url}/inloggen")
    click.echo("")
    click.echo("Staff accounts (each a member of both demo consultations):")
    for a in accounts:
        secret = a.password if a.password else "(unchanged; use 'consult demo --reset' for a new one)"
        click.echo(f"  {a.role.value:14} {a.email:32} password: {secret}")
    if any(a.password for a in accounts):
        click.echo("Passwords are shown only this once.")
    click.echo("New answers and uploaded notes are processed in the background: run 'consult worker' "
               "alongside (without Redis the web process does it itself).")
    if serve_after:
        from consult.cli.serve import serve_command

        click.echo("")
        click.get_current_context().invoke(serve_command, host=host, port=port, debug=False)
    else:
        click.echo(f"Serve it with:  consult serve --host {host} --port {port}")
