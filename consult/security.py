"""Authentication, roles, per-consultation access and rate limiting for the web layer.

Staff log in with e-mail and password (argon2 hashes, see ``User.check_password``); the
session cookie holds only the user id and a login timestamp. Residents never log in.

Rate limits use the ``limits`` library (the engine behind Flask-Limiter) with a fixed
window per (bucket, client). Counters live in memory by default; set
``CONSULT_RATELIMIT_STORAGE_URL`` to a Redis URL to share them between worker processes.
"""
from __future__ import annotations

import time
from functools import wraps
from typing import Callable

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select

from consult.context import db
from consult.models import Consultation, ConsultationMember, Role, User

#: (limit, window in seconds) per bucket.
DEFAULT_LIMITS = {
    "login": (10, 300),          # login attempts per client per 5 minutes
    "login-account": (10, 300),  # login attempts per account per 5 minutes
    "public-post": (120, 60),    # survey form posts per client per minute
    "public-get": (600, 60),     # public page views per client per minute
}

STAFF_ROLES = (Role.ADMINISTRATOR, Role.POLICY_WRITER, Role.FACILITATOR)
#: Roles that may see personal data in notes unmasked.
UNMASKED_ROLES = (Role.ADMINISTRATOR, Role.FACILITATOR)


class RateLimiter:
    """Fixed-window limits per (bucket, client) on a ``limits`` storage."""

    def __init__(self, limits: dict[str, tuple[int, int]] | None = None, storage_url: str = "memory://"):
        #: bucket -> (number of hits, window in seconds); change entries to retune a bucket.
        self.limits = dict(DEFAULT_LIMITS, **(limits or {}))
        self.storage = storage_from_string(storage_url)
        self._strategy = FixedWindowRateLimiter(self.storage)

    def _item(self, bucket: str) -> RateLimitItem:
        amount, seconds = self.limits[bucket]
        return RateLimitItemPerSecond(amount, seconds)

    def hit(self, bucket: str, key: str) -> bool:
        """Count one hit; False when the limit for this window is exceeded."""
        return self._strategy.hit(self._item(bucket), bucket, key)

    def reset(self) -> None:
        self.storage.reset()


def client_key() -> str:
    """The client's address (the WSGI server's view; put ProxyFix in front behind a proxy)."""
    return request.remote_addr or "-"


def limiter() -> RateLimiter:
    return current_app.extensions["consult.limiter"]


def check_rate(bucket: str, key: str | None = None) -> None:
    """Abort with 429 when the client exceeded the bucket's limit."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    if not limiter().hit(bucket, key or client_key()):
        abort(429)


#: Blueprints whose endpoints are public (no account) and therefore rate-limited per client.
PUBLIC_BLUEPRINTS = ("public", "survey", "feedback")


def init_app(app) -> None:
    app.extensions["consult.limiter"] = RateLimiter(app.config.get("RATELIMITS"),
                                                    app.config.get("RATELIMIT_STORAGE_URL", "memory://"))

    @app.before_request
    def _rate_limits():
        endpoint = request.endpoint or ""
        if endpoint == "auth.login" and request.method == "POST":
            check_rate("login")
        elif endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS:
            check_rate("public-post" if request.method == "POST" else "public-get")


# -- the logged-in user ---------------------------------------------------------------------

def current_user() -> User | None:
    if "current_user" not in g:
        user = None
        user_id = session.get("user_id")
        if user_id is not None:
            user = db().get(User, user_id)
            if user is not None and not user.active:
                user = None
        g.current_user = user
    return g.current_user


def login_user(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation
    session["user_id"] = user.id
    session["login_at"] = int(time.time())
    session.permanent = True
    g.current_user = user


def logout_user() -> None:
    session.clear()
    g.pop("current_user", None)


def login_required(*roles: Role) -> Callable:
    """Require a logged-in staff member, optionally with one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                flash("Log eerst in.", "info")
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and user.role not in roles and user.role != Role.ADMINISTRATOR:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_access(user: User | None, consultation: Consultation) -> bool:
    if user is None:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return db().scalar(select(ConsultationMember.id).where(
        ConsultationMember.user_id == user.id,
        ConsultationMember.consultation_id == consultation.id)) is not None


def consultation_for_staff(slug: str) -> Consultation:
    """The consultation ``slug`` when the current user is a member (404 otherwise)."""
    c = Consultation.by_slug(db(), slug)
    if c is None or not can_access(current_user(), c):
        abort(404)  # do not reveal which consultations exist
    return c


def sees_unmasked(user: User | None) -> bool:
    return user is not None and user.role in UNMASKED_ROLES


def is_safe_next(target: str | None) -> bool:
    return bool(target) and target.startswith("/") and not target.startswith("//") and "\\" not in target


def current_user_loaded() -> bool:
    """True when this request looked up a logged-in user (used for cache headers)."""
    return g.get("current_user") is not None
