"""Web layer: blueprints, template filters and request helpers."""
from __future__ import annotations

from flask import abort, current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    """The request's database session (closed when the request ends)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["consult.sessions"]()
    return g.db_session


def get_or_404(model, **criteria):
    obj = db().query(model).filter_by(**criteria).one_or_none()
    if obj is None:
        abort(404)
    return obj
