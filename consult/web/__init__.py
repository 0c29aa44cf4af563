"""Web layer: the blueprints (one module each) and template filters.

Request helpers (the request's session, "row or 404") live in ``consult.context``.
"""
from __future__ import annotations

import importlib
import pkgutil

from flask import Blueprint, Flask


def register_blueprints(app: Flask) -> None:
    """Register the ``bp`` blueprint of every module in this package.

    Adding a screen means adding a module with a ``bp``; nothing else to wire.
    """
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        blueprint = getattr(module, "bp", None)
        if isinstance(blueprint, Blueprint):
            app.register_blueprint(blueprint)
