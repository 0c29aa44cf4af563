"""Authentication, roles, per-consultation access and rate limiting for the web layer.

Staff log in with e-mail and password (argon2 hashes, see ``User.check_password``); the
session cookie holds only the user id and a login timestamp. Residents never log in.

Rate limits use the ``limits`` library (the engine behind Flask-Limiter) with a fixed
window per (bucket, client). Counters live in the job queue's Redis when it answers, so
that all worker processes share one count (``CONSULT_RATELIMIT_STORAGE_URL`` overrides);
without Redis they are per process. When the counter storage fails, requests are let
through with a logged warning. A refused request gets 429 with ``Retry-After``.
"""
from __future__ import annotations

import logging
import time
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from analysis.privacy import mask
from consult.context import db
from consult.jobs import connect_redis
from consult.models import Consultation, ConsultationMember, ConsultationStatus, Role, User

log = logging.getLogger(__name__)

#: (limit, window in seconds) per bucket.
DEFAULT_LIMITS = {
    "login": (10, 300),          # failed login attempts per client per 5 minutes
    "login-account": (10, 300),  # failed login attempts per account per 5 minutes
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
        self.storage_url = storage_url
        options = {"key_prefix": "consult-limits"} if storage_url.startswith(("redis://", "rediss://")) else {}
        self.storage = storage_from_string(storage_url, **options)
        self._strategy = FixedWindowRateLimiter(self.storage)
        self._warned_at = -1e9

    def _item(self, bucket: str) -> RateLimitItem:
        amount, seconds = self.limits[bucket]
        return RateLimitItemPerSecond(amount, seconds)

    def hit(self, bucket: str, key: str) -> bool:
        """Count one hit; False when the limit for this window is exceeded.

        When the counter storage (Redis) cannot be reached, the request is let through
        and a warning is logged (at most once a minute): a broken limiter must not take
        the public pages down.
        """
        try:
            return self._strategy.hit(self._item(bucket), bucket, key)
        except Exception as exc:  # noqa: BLE001 - any storage error: fail open
            now = time.monotonic()
            if now - self._warned_at > 60:
                self._warned_at = now
                log.warning("rate limiting is off: cannot reach its storage (%s: %s)", type(exc).__name__, exc)
            return True

    def refund(self, bucket: str, key: str) -> None:
        """Take back one hit of this window (a login that turned out right): counting first
        and refunding after keeps the count atomic, so concurrent guesses cannot pass a
        check that only looks."""
        item = self._item(bucket)
        try:
            self.storage.incr(item.key_for(bucket, key), item.get_expiry(), amount=-1)
        except Exception:  # noqa: BLE001 - storage gone: nothing was counted either
            pass

    def retry_after(self, bucket: str, key: str) -> int:
        """Seconds until the bucket's window for ``key`` resets (at least 1)."""
        try:
            reset = self._strategy.get_window_stats(self._item(bucket), bucket, key).reset_time
        except Exception:  # noqa: BLE001 - storage gone: suggest the whole window
            return self.limits[bucket][1]
        return max(1, int(reset - time.time()) + 1)

    def reset(self) -> None:
        self.storage.reset()


def client_key() -> str:
    """The client's address: the WSGI server's view, or behind ``CONSULT_TRUSTED_PROXIES``
    reverse proxies the address they forwarded (ProxyFix, see ``consult.http``)."""
    return request.remote_addr or "-"


def limiter() -> RateLimiter:
    return current_app.extensions["consult.limiter"]


def check_rate(bucket: str, key: str | None = None) -> None:
    """Count one hit; abort with 429 when the client exceeded the bucket's limit."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    key = key or client_key()
    if not limiter().hit(bucket, key):
        raise TooManyRequests(retry_after=limiter().retry_after(bucket, key))


def refund_rate(bucket: str, key: str | None = None) -> None:
    """Take back this request's hit (see :meth:`RateLimiter.refund`): only failed logins
    count, so an office behind one address can log in all at nine."""
    if current_app.config.get("RATELIMIT_ENABLED", True):
        limiter().refund(bucket, key or client_key())


#: Blueprints whose endpoints are public (no account) and therefore rate-limited per client.
PUBLIC_BLUEPRINTS = ("public", "survey", "feedback")


def limiter_storage_url(config) -> str:
    """The configured counter storage, or by default the job queue's Redis when it answers
    (so that every worker process counts together), else per-process memory."""
    url = config.get("RATELIMIT_STORAGE_URL") or ""
    if url:
        return url
    if not config.get("RATELIMIT_ENABLED", True):
        return "memory://"
    redis_url = config.get("REDIS_URL") or ""
    if redis_url and connect_redis(redis_url) is not None:
        return redis_url
    log.warning("rate limits are counted per process: Redis at %s does not answer "
                "(set CONSULT_RATELIMIT_STORAGE_URL to share them between workers)", redis_url or "(unset)")
    return "memory://"


def init_app(app) -> None:
    app.extensions["consult.limiter"] = RateLimiter(app.config.get("RATELIMITS"), limiter_storage_url(app.config))

    @app.before_request
    def _rate_limits():
        endpoint = request.endpoint or ""
        if endpoint == "auth.login" and request.method == "POST":
            check_rate("login")     # refunded when the password is right (auth.login)
        elif endpoint.split(".", 1)[0] in PUBLIC_BLUEPRINTS:
            check_rate("public-post" if request.method == "POST" else "public-get")


# -- the logged-in user ---------------------------------------------------------------------

def current_user() -> User | None:
    if "current_user" not in g:
        user = None
        user_id = session.get("user_id")
        if user_id is not None:
            user = db().get(User, user_id)
            # a cookie from before a logout, a new password or a deactivation is void
            if user is not None and (not user.active or session.get("session_version") != user.session_version):
                user = None
        g.current_user = user
    return g.current_user


def login_user(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session["login_at"] = int(time.time())
    session.permanent = True
    g.current_user = user


def logout_user() -> None:
    """End this session and every other session of the account (copied cookies too)."""
    user = current_user()
    if user is not None:
        user.end_sessions()
        db().commit()
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

        wrapped.required_roles = roles  # read by may_open() for the navigation
        return wrapped

    return decorator


def may_open(endpoint: str) -> bool:
    """Whether the current user's role may open ``endpoint``: the navigation shows only these.

    Endpoints that do not exist (an optional blueprint) or need a role the user lacks are
    hidden; public endpoints are always shown.
    """
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    roles = getattr(view, "required_roles", None)
    if roles is None:
        return True
    user = current_user()
    return user is not None and (not roles or user.role in roles or user.role == Role.ADMINISTRATOR)


def can_access(user: User | None, consultation: Consultation) -> bool:
    if user is None:
        return False
    if user.role == Role.ADMINISTRATOR:
        return True
    return db().scalar(select(ConsultationMember.id).where(
        ConsultationMember.user_id == user.id,
        ConsultationMember.consultation_id == consultation.id)) is not None


def public_consultation(slug: str) -> Consultation:
    """The consultation ``slug`` for the public pages: 404 while it is a draft, except for
    staff who may open it (to preview it)."""
    c = Consultation.by_slug(db(), slug)
    if c is None or (c.status == ConsultationStatus.DRAFT and not can_access(current_user(), c)):
        abort(404)
    return c


def consultation_for_staff(slug: str) -> Consultation:
    """The consultation ``slug`` when the current user is a member (404 otherwise)."""
    c = Consultation.by_slug(db(), slug)
    if c is None or not can_access(current_user(), c):
        abort(404)  # do not reveal which consultations exist
    return c


def sees_unmasked(user: User | None) -> bool:
    return user is not None and user.role in UNMASKED_ROLES


def shown_text(text: str | None) -> str:
    """``text`` as the signed-in user may see it: as written for facilitators and
    administrators (they see and correct personal data), masked for policy writers and
    the public. Templates use it as the ``afgeschermd`` filter (meeting titles and places,
    document titles and file names)."""
    if not text:
        return ""
    return text if sees_unmasked(current_user()) else mask(text)


def is_safe_next(target: str | None) -> bool:
    """True for a local path to return to after a login or a form (``/beheer/...``).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    ``/\t/evil.example`` would become ``//evil.example``: any control character,
    whitespace or backslash makes the target unsafe, as does anything with a scheme or
    host.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def current_user_loaded() -> bool:
    """True when this request looked up a logged-in user (used for cache headers)."""
    return g.get("current_user") is not None
