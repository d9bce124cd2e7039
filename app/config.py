"""Configuration read from the environment, with defaults that are safe on a laptop."""

import os


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # DATABASE_URL unset means SQLite in the instance folder; create_app fills it in.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SECRET_KEY unset means a key generated once into instance/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY")
    REDIS_URL = os.environ.get("REDIS_URL")
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Ho_Chi_Minh")
    BABEL_DEFAULT_LOCALE = os.environ.get("BABEL_DEFAULT_LOCALE", "vi")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE
    LANGUAGES = ("vi", "en")
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    RATELIMIT_HEADERS_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long meeting must still submit
    SCHEDULER_AUTOSTART = _env_bool("SCHEDULER_AUTOSTART", False)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret"  # noqa: S105  (tests only; real keys come from the environment)
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    REDIS_URL = None
    SCHEDULER_AUTOSTART = False
    WTF_CSRF_ENABLED = False
    BABEL_DEFAULT_LOCALE = "vi"
    LOGIN_RATE_LIMIT = "1000 per minute"
