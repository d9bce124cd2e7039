"""Sign-in, sign-out, password change, and the ``role_required`` guard every view uses."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from . import services
from .errors import DomainError
from .extensions import db, limiter, login_manager
from .forms import ChangePasswordForm, ConfirmForm, LoginForm
from .models import User, Visitor, utcnow
from .urls import MAX_DB_INT

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to open this page.")
login_manager.login_message_category = "info"
login_manager.anonymous_user = Visitor


def parse_session_id(alternative_id: str | None) -> tuple[int, int] | None:
    """The (user id, session version) of a cookie's ``id:session_version``, or None when it is not one."""
    user_id, _, version = (alternative_id or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None  # includes cookies from before session versions: signed in again once
    if not (0 < int(user_id) <= MAX_DB_INT and int(version) <= MAX_DB_INT):  # no such account or version
        return None
    return int(user_id), int(version)


@login_manager.user_loader
def load_user(alternative_id: str) -> User | None:
    """The user of a session or remember-me cookie, only while its ``id:session_version`` is still current."""
    parsed = parse_session_id(alternative_id)
    if parsed is None:
        return None
    user = db.session.get(User, parsed[0])
    if user is None or user.session_version != parsed[1]:
        return None
    return user


def session_account() -> tuple[int, int] | None:
    """The (user id, session version) that this request's signed session cookie names, read without a query and
    not yet checked: whoever acts on it checks ``User.session_is_current`` in the statement that acts (the scan
    API's admission does). None without a session sign-in (a remember-me cookie alone goes through ``load_user``)."""
    return parse_session_id(session.get("_user_id"))


def role_required(*roles: str):
    """Let in signed-in users holding one of ``roles`` (admins hold every role); others get 302 to sign-in or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role("admin", *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths are followed after sign-in, a language switch or a back link (no open redirects).
    Browsers read "/\\host" as "//host", so a backslash anywhere, a control character or an overlong path is
    refused too."""
    if target and len(target) <= 300 and "\\" not in target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback


def _login_key() -> str:
    return "login:" + (request.form.get("login") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_login_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.login.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The sign-in details are not correct."))
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next"), url_for("main.index")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Sessions are signed cookies: the only way a copy taken before sign-out stops working is a new session
    # version, which also ends the account's sessions on other devices (the price of keeping no session store).
    if current_user.is_authenticated:
        current_user.end_all_sessions()
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            db.session.commit()
            # Every other session ended with the old password; this one goes on under the new session version.
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("Your password was changed. You are signed out on every other device."), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form, sign_out_form=ConfirmForm())


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    """End every session of this account, on this device and all others (a lost phone, a shared computer)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    current_user.end_all_sessions()
    db.session.commit()
    logout_user()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))
