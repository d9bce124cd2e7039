"""The dxday application factory: a Flask app, its configuration, then one ``register_*`` call per concern."""

from __future__ import annotations

import os

from flask import Flask, g

from .config import ROOT_DIR, load_config
from .database import normalise_database_url
from .extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from .filters import register_template_helpers
from .json import JSONProvider
from .middleware import register_proxies
from .security import register_input_guards, register_security_headers

# Names the tests, the bench and wsgi.py take from here; product modules import from the modules themselves.
__all__ = ["ROOT_DIR", "create_app", "normalise_database_url"]

MIGRATIONS_DIR = os.path.join(ROOT_DIR, "migrations")


def create_app(config: type | dict | None = None) -> Flask:
    """Build an app. ``config`` is a Config class or a mapping of overrides; the environment fills the rest."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.environ.get("INSTANCE_PATH") or None,
    )
    load_config(app, config)

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


def register_extensions(app: Flask) -> None:
    """The Flask extensions of app/extensions.py, the mail backend, the outbox's filters and the audit trail."""
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
    """The core's blueprints and the three features'; each feature registers its providers as it is set up."""
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


def register_scheduler(app: Flask) -> None:
    """Start the scheduler here only when asked (the single-process ``make run``); production runs
    ``flask scheduler run`` as its own process and gunicorn workers never start one."""
    if app.config.get("SCHEDULER_AUTOSTART") and not app.testing:
        from . import scheduler

        scheduler.start(app)
