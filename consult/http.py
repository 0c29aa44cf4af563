"""HTTP-level hardening shared by every request: body size limits and input cleaning.

* Uploads are capped by ``CONSULT_MAX_UPLOAD_MB`` (Flask's ``MAX_CONTENT_LENGTH``); a
  request from someone who is not logged in may send at most :data:`PUBLIC_MAX_BYTES`,
  since residents never upload files. Werkzeug refuses a larger body from its
  Content-Length before reading it, and stops reading a chunked body at the limit.
* Behind ``CONSULT_TRUSTED_PROXIES`` reverse proxies, the client address, scheme and host
  come from their ``X-Forwarded-*`` headers (Werkzeug's ProxyFix), so rate limits count
  per resident rather than per proxy.
* NUL characters are removed from form fields and query strings. PostgreSQL cannot store
  them in text columns, and no browser sends them in what a person typed.
"""
from __future__ import annotations

from flask import Flask, Request, request, session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

#: Largest body accepted from someone who is not logged in (survey pages, feedback, login).
PUBLIC_MAX_BYTES = 1024 * 1024


def _without_nul(data: ImmutableMultiDict) -> ImmutableMultiDict:
    if not any("\x00" in v for v in data.values() if isinstance(v, str)) and \
            not any("\x00" in k for k in data.keys()):
        return data
    return ImmutableMultiDict(
        (k.replace("\x00", ""), v.replace("\x00", "") if isinstance(v, str) else v)
        for k, v in data.items(multi=True))


class ConsultRequest(Request):
    """Flask's request with NUL characters removed from form fields and query arguments."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @cached_property
    def args(self) -> ImmutableMultiDict:
        return _without_nul(super().args)


def init_app(app: Flask) -> None:
    app.request_class = ConsultRequest
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024

    @app.before_request
    def _limit_anonymous_bodies():
        if session.get("user_id") is None:
            request.max_content_length = min(PUBLIC_MAX_BYTES, app.config["MAX_CONTENT_LENGTH"])
