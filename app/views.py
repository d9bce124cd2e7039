"""The home page and the language switch."""

from flask import (
    Blueprint,
    current_app,
    has_request_context,
    jsonify,
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
from .models import utcnow
from .providers import figures, spotlights

bp = Blueprint("main", __name__)


@bp.record_once
def _register(state) -> None:
    from . import jobs
    from .scheduler import register_jobs

    register_jobs(jobs)


LANG_COOKIE = "dxday_lang"


@bp.route("/")
def index():
    return render_template(
        "index.html", figures=figures.collect(db.session), spotlights=spotlights.collect(db.session, utcnow())
    )


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
    """Each dependency's state for the load balancer and the monitoring: 200 while the database answers
    ("degraded" when Redis is configured but down: limits then count in memory; or when a scheduled job failed
    its last 3 runs in a row, named in ``checks.jobs.failing``), 503 when it does not."""
    checks = {"database": _check_database(), "redis": _check_redis()}
    checks["jobs"] = _check_jobs() if checks["database"]["status"] == "ok" else {"status": "unknown"}
    if checks["database"]["status"] != "ok":
        status, code = "down", 503
    elif checks["redis"]["status"] == "down" or checks["jobs"]["status"] == "failing":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = jsonify(status=status, checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, code


def _check_database() -> dict:
    try:
        db.session.execute(db.text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 (any failure means the database is not usable)
        db.session.rollback()
        current_app.logger.warning("health check: the database does not answer (%s)", type(error).__name__)
        return {"status": "down", "error": type(error).__name__}
    return {"status": "ok"}


def _check_jobs() -> dict:
    from .scheduler import failing_jobs

    try:
        failing = failing_jobs(db.session)
    except Exception as error:  # noqa: BLE001 (the jobs' state is a report: never fail the health check on it)
        db.session.rollback()
        current_app.logger.warning("health check: the jobs' state cannot be read (%s)", type(error).__name__)
        return {"status": "unknown"}
    if failing:
        return {"status": "failing", "failing": failing}
    return {"status": "ok"}


def _check_redis() -> dict:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {"status": "not_configured"}
    import redis

    timeout = current_app.config["REDIS_TIMEOUT"]
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as error:
        current_app.logger.warning("health check: Redis does not answer (%s)", type(error).__name__)
        return {"status": "down", "error": type(error).__name__}
    finally:
        client.close()
    return {"status": "ok"}


def select_locale() -> str:
    """The remembered choice (cookie, then the account's), else the default: Vietnamese first."""
    if not has_request_context():  # jobs and commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return locale_for(lambda: current_user.locale if current_user and current_user.is_authenticated else None)


def locale_for(account_locale) -> str:
    """``select_locale``'s choice in a request: the cookie's, else the account's, else the default.
    ``account_locale`` is the account's choice (None: none), or a function giving it, called only when there is
    no cookie (the scan API passes the value its insert returned: no account is loaded for it)."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    account = account_locale() if callable(account_locale) else account_locale
    return account if account in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
