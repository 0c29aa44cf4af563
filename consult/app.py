"""The Flask application factory."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFProtect

from consult import http, mail, security
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
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(config["SESSION_COOKIE_SECURE"]),
        SESSION_COOKIE_NAME="consult_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
    )

    engine = make_engine(app.config["DATABASE_URL"], echo=bool(app.config["SQL_ECHO"]))
    app.extensions["consult.engine"] = engine
    app.extensions["consult.sessions"] = make_session_factory(engine)
    mail.init_app(app)

    http.init_app(app)  # first: body limits apply before anything reads the form
    security.init_app(app)  # then rate limits, before CSRF checks and views
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
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if security.current_user_loaded():
            # staff pages show unpublished and personal data: never cache them
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _template_globals():
        return {"current_user": security.current_user,
                "has_endpoint": lambda name: name in app.view_functions,
                "may_open": security.may_open}

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _csrf_error(_exc):
        return render_template("errors/error.html", status=400, title="Formulier verlopen",
                               message="Het formulier is verlopen of niet compleet verstuurd. "
                                       "Ga terug, laad de pagina opnieuw en probeer het nog eens."), 400

    for status, title, message in (
            (400, "Er ging iets mis met het formulier", "Wat u verstuurde, kon niet worden verwerkt. "
                                                        "Ga terug en probeer het nog eens."),
            (403, "Geen toegang", "U heeft geen toegang tot deze pagina."),
            (404, "Pagina niet gevonden", "Deze pagina bestaat niet (meer). Controleer het adres."),
            (405, "Dit kan niet op deze pagina", "Deze pagina kan dit verzoek niet verwerken. "
                                                 "Ga terug en gebruik de knoppen op de pagina."),
            (413, "Bestand te groot", f"Wat u verstuurde is te groot. Een bestand mag maximaal "
                                      f"{config['MAX_UPLOAD_MB']} MB zijn."),
            (429, "Even wachten", "U heeft te vaak achter elkaar iets verstuurd. "
                                  "Wacht een paar minuten en probeer het dan opnieuw.")):
        def handler(exc, status=status, title=title, message=message):
            # keep what the exception says beyond its page, e.g. TooManyRequests' Retry-After
            headers = [(k, v) for k, v in exc.get_headers() if k != "Content-Type"]
            return render_template("errors/error.html", status=status, title=title,
                                   message=message), status, headers
        app.register_error_handler(status, handler)

    @app.errorhandler(500)
    def _server_error(_exc):
        # the request's session may be in a failed transaction; the page needs none of it
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        return render_template("errors/error.html", status=500, title="Er ging iets mis",
                               message="Er ging bij ons iets mis. Wat al was opgeslagen, blijft bewaard. "
                                       "Probeer het over een paar minuten opnieuw."), 500

    from consult.web import filters, register_blueprints

    app.jinja_env.add_extension("jinja2.ext.do")
    filters.register(app)
    register_blueprints(app)
    return app
