"""`consult serve`: the development web server."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reload on code changes and show tracebacks.")
@with_appcontext
def serve_command(host: str, port: int, debug: bool):
    """Serve consult with the development server.

    For production run gunicorn instead, e.g.
    gunicorn -w 4 -b 0.0.0.0:8000 'consult:create_app()'
    """
    from consult.cli.db import require_current_schema

    require_current_schema()
    click.echo(f"consult is running on http://{host}:{port}/  (Ctrl+C to stop)")
    # Flask's app.run() refuses to start from within its own CLI; use werkzeug directly.
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    app.debug = debug
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)
