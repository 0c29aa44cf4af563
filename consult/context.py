"""Request context helpers: the request's database session and "row or 404".

The consultation lookups that also check who may see it are in ``consult.security``
(``public_consultation`` and ``consultation_for_staff``).

The web blueprints and ``consult.security`` use these; nothing here imports a blueprint,
so the layers stay one-way (web -> security -> context -> models).
"""
from __future__ import annotations

from flask import abort, current_app, g
from sqlalchemy.orm import Session



def db() -> Session:
    """The request's database session (closed when the request ends)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["consult.sessions"]()
    return g.db_session


def get_in_consultation(model, obj_id: int, consultation):
    """Row ``obj_id`` of ``model`` when it belongs to ``consultation``; 404 otherwise, so a
    URL never reaches another consultation's data."""
    obj = db().get(model, obj_id)
    if obj is None or obj.consultation_id != consultation.id:
        abort(404)
    return obj
