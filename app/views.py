"""The home page and the language switch."""

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from .auth import safe_next
from .extensions import db
from .forms import LanguageForm
from .providers import figures

bp = Blueprint("main", __name__)


@bp.record_once
def _register(state) -> None:
    from . import jobs
    from .scheduler import register_jobs

    register_jobs(jobs)


LANG_COOKIE = "dxday_lang"


@bp.route("/")
def index():
    return render_template("index.html", figures=figures.collect(db.session))


@bp.route("/language", methods=["POST"])
def set_language():
    form = LanguageForm()
    target = safe_next(form.next.data, url_for("main.index"))
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        response = make_response(redirect(target))
        response.set_cookie(
            LANG_COOKIE,
            form.lang.data,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        if current_user.is_authenticated:
            current_user.locale = form.lang.data
            db.session.commit()
        return response
    return redirect(target)


@bp.route("/healthz")
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


def select_locale() -> str:
    """The remembered choice (cookie, then the account's), else the default: Vietnamese first."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # jobs and commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]
