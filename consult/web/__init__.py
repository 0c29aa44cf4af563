"""Web layer: blueprints, template filters and request helpers."""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask, abort, current_app, g
from sqlalchemy.orm import Session


def register_blueprints(app: Flask) -> None:
    """Register the ``bp`` blueprint of every module in this package.

    Adding a screen means adding a module with a ``bp``; nothing else to wire.
    """
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        blueprint = getattr(module, "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)


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


def get_or_404(model, **criteria):
    obj = db().query(model).filter_by(**criteria).one_or_none()
    if obj is None:
        abort(404)
    return obj
