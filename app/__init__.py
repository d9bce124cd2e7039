"""The dxday application factory."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, date, datetime

from flask import Flask, g, request
from flask.json.provider import DefaultJSONProvider
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config, from_environment
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from .timezone import campaign_zone

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIGRATIONS_DIR = os.path.join(ROOT_DIR, "migrations")


def create_app(config: type | dict | None = None) -> Flask:
    """Build an app. ``config`` is a Config class or a mapping of overrides; the environment fills the rest."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.environ.get("INSTANCE_PATH") or None,
    )
    app.config.from_object(Config)
    app.config.update(from_environment())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "dxday.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    app.config["IDENTITY_KEYS"] = identity_keys(app.config.get("IDENTITY_KEYS"), app.instance_path,
                                                app.config["SECRET_KEY"])  # fmt: skip
    # Rate-limit counters may live on a Redis of their own (RATELIMIT_STORAGE_URL, one that never evicts), else
    # on the cache's; a Redis that fails or hangs is skipped for a while by the breaker, at once, by both.
    storage = app.config.get("RATELIMIT_STORAGE_URL") or app.config.get("REDIS_URL") or "memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    from .redis_breaker import client_options, configure

    configure(app.config["REDIS_BREAKER_SECONDS"])
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", client_options(app.config["REDIS_TIMEOUT"]))
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    from .urls import canonical_url

    app.config["CANONICAL_URL"] = canonical_url(app.config.get("CANONICAL_URL"))
    app.config["LOCAL_URL"] = canonical_url(app.config.get("LOCAL_URL")) or "http://127.0.0.1:5000"
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT_DIR, "translations")

    app.json = JSONProvider(app)
    register_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_input_guards(app)
    from .errors import register_error_handlers

    register_error_handlers(app)
    from .cli import register_commands

    register_commands(app)
    register_scheduler(app)
    return app


def normalise_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs (as hosts hand them out) are served by psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class JSONProvider(DefaultJSONProvider):
    """JSON nested too deep to parse (``[[[[…`` 100,000 levels) is invalid JSON like any other: a ValueError,
    which ``request.get_json`` answers with 400 (or None when ``silent``), instead of a RecursionError (500)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def register_proxies(app: Flask) -> None:
    """Believe the X-Forwarded-* headers of exactly ``TRUSTED_PROXIES`` proxies (none by default), so that the
    client's address (rate limits) and scheme (``request.is_secure``) are the real ones behind nginx; and mark
    every cookie Secure on a request that came over HTTPS."""
    app.wsgi_app = _SecureCookiesOverHttps(app.wsgi_app)
    trusted = int(app.config.get("TRUSTED_PROXIES") or 0)
    if trusted > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted, x_port=trusted)


def engine_options(config) -> dict:
    """SQLAlchemy engine options; on PostgreSQL, a connect timeout and a statement timeout so that a database
    that never answers fails a request in seconds instead of holding every worker."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args") or {})
    connect_timeout = int(config.get("DATABASE_CONNECT_TIMEOUT") or 0)
    if connect_timeout > 0:
        connect_args.setdefault("connect_timeout", connect_timeout)
    statement_ms = int(float(config.get("DATABASE_STATEMENT_TIMEOUT") or 0) * 1000)
    if statement_ms > 0:
        extra = f"-c statement_timeout={statement_ms}"
        connect_args["options"] = f"{connect_args['options']} {extra}" if connect_args.get("options") else extra
    options["connect_args"] = connect_args
    return options


class _SecureCookiesOverHttps:
    """WSGI middleware: on a request whose scheme is https (after ProxyFix), every Set-Cookie gets ``Secure``.
    One rule for the session, the remember-me and the language cookies, even when SESSION_COOKIE_SECURE was
    forgotten. It sits inside ProxyFix, so it sees the scheme the client used."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, value + "; Secure")
                if name.lower() == "set-cookie" and "secure" not in value.lower().replace(" ", "").split(";")
                else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def _instance_secret(instance_path: str) -> str:
    """A key generated once per installation and kept out of the repository."""
    path = os.path.join(instance_path, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()


def identity_keys(configured, instance_path: str, secret_key: str) -> tuple[str, ...]:
    """The keys of the quiz's identity digests, first (the one new rows use) to last: ``IDENTITY_KEYS`` (a list
    or "k1,k2"), else the lines of ``instance/identity_keys``. That file is made once: a new random key, then the
    SECRET_KEY of that day, with which every earlier version digested phones and CCCDs, so upgrading strands
    nobody and rotating SECRET_KEY afterwards changes no identity."""
    if configured:
        keys = configured.split(",") if isinstance(configured, str) else list(configured)
    else:
        path = os.path.join(instance_path, "identity_keys")
        if not os.path.exists(path):
            # Written aside, then linked into place: a worker starting at the same moment reads a whole file.
            draft = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(f"{secrets.token_hex(32)}\n{secret_key}\n")
            try:
                os.link(draft, path)
            except FileExistsError:  # the other worker's file won: read theirs
                pass
            finally:
                os.unlink(draft)
        with open(path) as handle:
            keys = handle.read().splitlines()
    keys = tuple(key.strip() for key in keys if key.strip())
    if not keys:
        raise RuntimeError("IDENTITY_KEYS holds no key")
    return keys


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Foreign keys are off by default in SQLite; WAL and a busy timeout let readers and one writer share the file.
    if type(dbapi_connection).__module__ == "sqlite3":
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def register_extensions(app: Flask) -> None:
    from .audit import register_audit, set_actor_provider
    from .outbox import register_template_filters
    from .views import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["TIMEZONE"])
    limiter.init_app(app)
    if not app.config.get("MAIL_BACKEND"):
        app.config["MAIL_BACKEND"] = "smtp" if app.config.get("MAIL_SERVER") else "console"
    mail.init_app(app)
    register_template_filters(app)
    register_audit()

    def current_actor() -> int | None:
        user = g.get("_login_user") if _has_app_ctx() else None
        return getattr(user, "id", None) if user is not None and user.is_authenticated else None

    set_actor_provider(current_actor)


def _has_app_ctx() -> bool:
    from flask import has_app_context

    return has_app_context()


def register_blueprints(app: Flask) -> None:
    from checkin import bp as checkin_bp
    from contests import bp as contests_bp
    from events import bp as events_bp

    from .admin import bp as admin_bp
    from .api_docs import bp as api_docs_bp
    from .auth import bp as auth_bp
    from .urls import DatabaseIntConverter
    from .views import bp as main_bp

    # Before any rule is added: every <int:...> in every blueprint refuses ids beyond the database's range.
    app.url_map.converters["int"] = DatabaseIntConverter
    for blueprint in (main_bp, auth_bp, admin_bp, events_bp, contests_bp, checkin_bp, api_docs_bp):
        app.register_blueprint(blueprint)


def register_template_helpers(app: Flask) -> None:
    from flask_babel import format_decimal, get_locale, get_timezone

    from .forms import LanguageForm, role_choices, unit_kind_choices

    # Flask-Babel shows every instant in the configured TIMEZONE; the patterns are the interface's (dd/mm/yyyy,
    # 24-hour) in both languages, as Vietnamese offices write them.
    # The patterns are all digits, the same in every language: formatted with strftime in the configured zone
    # (what Flask-Babel's format_date/_datetime/_time do, a naive datetime being UTC) at a fraction of the cost,
    # since a month of the calendar formats hundreds of them.
    def local(value):
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(get_timezone())
        return value

    @app.template_filter("date")
    def date_filter(value):
        return local(value).strftime("%d/%m/%Y") if value else ""

    @app.template_filter("datetime")
    def datetime_filter(value):
        return local(value).strftime("%d/%m/%Y %H:%M") if value else ""

    @app.template_filter("time")
    def time_filter(value):
        return local(value).strftime("%H:%M") if value else ""

    @app.template_filter("isodate")
    def isodate_filter(value):
        if isinstance(value, datetime):
            return value.astimezone(campaign_zone()).isoformat()
        return value.isoformat() if isinstance(value, date) else ""

    @app.template_filter("number")
    def number_filter(value):
        return format_decimal(value) if value is not None else ""

    role_labels = dict(role_choices())
    kind_labels = dict(unit_kind_choices())

    from .submissions import new_key

    app.jinja_env.globals["new_submission_key"] = new_key

    @app.context_processor
    def inject():
        return {
            "current_locale": str(get_locale()),
            "language_form": LanguageForm(formdata=None, next=request.full_path.rstrip("?") if request else "/"),
            "role_labels": role_labels,
            "unit_kind_labels": kind_labels,
        }


# The content security policy of every page; a page that needs more (the check-in scanner's decoder runs in a
# Blob worker) sets its own header from this one, which the after-request hook then leaves alone.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    csp = CSP

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def register_input_guards(app: Flask) -> None:
    """A NUL byte in the path or the query string (``/admin/users?q=%00``) is a 400 before any view runs:
    PostgreSQL cannot even compare text with one. Form fields get a field error instead (app/forms.py)."""
    from flask import abort

    @app.before_request
    def refuse_nul_bytes():
        if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
            abort(400)


def register_scheduler(app: Flask) -> None:
    """Start the scheduler here only when asked (the single-process ``make run``); production runs
    ``flask scheduler run`` as its own process and gunicorn workers never start one."""
    if app.config.get("SCHEDULER_AUTOSTART") and not app.testing:
        from . import scheduler

        scheduler.start(app)
