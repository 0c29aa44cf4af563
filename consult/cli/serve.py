"""`consult serve`: the development web server."""
from __future__ import annotations

import errno
import socket

import click
from flask import current_app
from flask.cli import with_appcontext

host_option = click.option("--host", default="127.0.0.1", show_default=True,
                           help="Address to listen on (0.0.0.0 for all interfaces).")
port_option = click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
                           help="Port to listen on.")


def check_port(host: str, port: int) -> None:
    """Fail with a one-line error unless ``host:port`` can be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise click.ClickException(f"cannot listen on {host}: {exc.strerror}") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # as werkzeug does, so a port in TIME_WAIT from a previous run counts as free
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise click.ClickException(
                    f"port {port} on {host} is already in use: choose another with --port") from None
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def base_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown:  # IPv6
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


@click.command("serve")
@host_option
@port_option
@click.option("--debug", is_flag=True, help="Reload on code changes and show tracebacks.")
@with_appcontext
def serve_command(host: str, port: int, debug: bool):
    """Serve consult with the development server.

    For production run gunicorn instead, e.g.
    gunicorn -w 4 -b 0.0.0.0:8000 'consult:create_app()'
    """
    from consult.cli.db import require_current_schema

    require_current_schema()
    check_port(host, port)
    click.echo(f"consult is running on {base_url(host, port)}/  (Ctrl+C to stop)")
    # Flask's app.run() refuses to start from within its own CLI; use werkzeug directly.
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    app.debug = debug
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)
