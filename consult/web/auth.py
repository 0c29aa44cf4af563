"""Staff login and logout, and the public set-password page of one-time links (residents
never need an account)."""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from consult import people
from consult.audit import record
from consult.db import utcnow
from consult.models import User
from consult.security import check_rate, is_safe_next, login_user, logout_user, refund_rate
from consult.context import db

bp = Blueprint("auth", __name__)

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Made on the first login attempt, not when the app is created: an argon2 hash takes
    about 0.2 s and 64 MB, which every CLI command and worker paid at start-up."""
    return _hasher.hash("not a real password, only for timing")


def _spend_check_time(password: str) -> None:
    try:
        _hasher.verify(_dummy_hash(), password)
    except VerificationError:
        pass


class LoginForm(FlaskForm):
    email = EmailField("E-mailadres", validators=[DataRequired("Vul uw e-mailadres in."), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in.")],
                             render_kw={"autocomplete": "current-password"})


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    form = LoginForm()
    failed = False
    if request.method == "POST":
        if form.validate_on_submit():
            email = form.email.data.strip().lower()
            check_rate("login-account", email)
            s = db()
            user = User.by_email(s, email)
            # Every attempt costs one password hash, also for unknown and deactivated
            # accounts: response times must not tell which accounts exist or are active.
            if user is None:
                _spend_check_time(form.password.data)
            elif user.check_password(form.password.data) and user.active:
                refund_rate("login")             # only failed attempts count
                refund_rate("login-account", email)
                user.last_login_at = utcnow()
                record(s, "login", user, actor=user)
                s.commit()
                login_user(user)
                target = request.args.get("next")
                return redirect(target if is_safe_next(target) else url_for("staff.dashboard"))
            failed = True
    return render_template("auth/login.html", form=form, failed=failed), (401 if failed else 200)


@bp.post("/uitloggen")
def logout():
    logout_user()
    flash("U bent uitgelogd.", "info")
    return redirect(url_for("public.home"))


class SetPasswordForm(FlaskForm):
    password = PasswordField("Nieuw wachtwoord", render_kw={"autocomplete": "new-password"})
    password_again = PasswordField("Typ het nieuwe wachtwoord nog een keer",
                                   render_kw={"autocomplete": "new-password"})


@bp.route("/wachtwoord/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password with a one-time link made by an administrator (new account, reset)."""
    check_rate("login")  # the same per-client limit as logging in: no guessing of links
    s = db()
    try:
        user = people.user_for_token(s, token)
    except people.LinkInvalid as exc:
        page = render_template("auth/link_invalid.html", expired=exc.expired)
        return _private(make_response(page, 410 if exc.expired else 404))
    form = SetPasswordForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            people.set_password_with_token(s, token, form.password.data or "", form.password_again.data or "")
        except people.PeopleError as exc:
            errors = {exc.field or "password": str(exc)}
        else:
            s.commit()
            flash("Uw wachtwoord is ingesteld. U kunt nu inloggen.", "success")
            return redirect(url_for(".login"))
    page = render_template("auth/set_password.html", form=form, errors=errors, account=user)
    return _private(make_response(page, 422 if errors else 200))


def _private(response):
    """The link is a secret: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
