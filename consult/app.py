"""The Flask application factory."""
from __future__ import annotations

from flask import Flask, g
from flask_wtf.csrf import CSRFProtect

from consult.config import build_config
from consult.db import make_engine, make_session_factory

csrf = CSRFProtect()

#: Content Security Policy: no inline scripts or styles, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def create_app(overrides: dict | None = None) -> Flask:
    config = build_config(overrides)
    app = Flask(__name__, instance_path=config["INSTANCE_PATH"], instance_relative_config=True)
    app.config.update(config)
    app.config.setdefault("MAX_CONTENT_LENGTH", int(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(config["SESSION_COOKIE_SECURE"]),
    )

    engine = make_engine(app.config["DATABASE_URL"], echo=bool(app.config["SQL_ECHO"]))
    app.extensions["consult.engine"] = engine
    app.extensions["consult.sessions"] = make_session_factory(engine)

    csrf.init_app(app)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    from consult.web import filters, register_blueprints

    filters.register(app)
    register_blueprints(app)
    return app
