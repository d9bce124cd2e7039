"""Configuration: safe defaults here, overridden by the environment when the app is created."""

import os

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Environment variable -> (config key, parser). README's "Configuration" lists every one of them.
ENVIRONMENT = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SECRET_KEY": ("SECRET_KEY", str),
    "IDENTITY_KEYS": ("IDENTITY_KEYS", str),
    "REDIS_URL": ("REDIS_URL", str),
    "RATELIMIT_STORAGE_URL": ("RATELIMIT_STORAGE_URL", str),
    "REDIS_TIMEOUT": ("REDIS_TIMEOUT", float),
    "REDIS_BREAKER_SECONDS": ("REDIS_BREAKER_SECONDS", float),
    "TIMEZONE": ("TIMEZONE", str),
    "BABEL_DEFAULT_LOCALE": ("BABEL_DEFAULT_LOCALE", str),
    "LOGIN_RATE_LIMIT": ("LOGIN_RATE_LIMIT", str),
    "REGISTRATION_RATE_LIMIT": ("REGISTRATION_RATE_LIMIT", str),
    "QUIZ_REGISTRATION_RATE_LIMIT": ("QUIZ_REGISTRATION_RATE_LIMIT", str),
    "QUIZ_ANSWER_RATE_LIMIT": ("QUIZ_ANSWER_RATE_LIMIT", str),
    "QUIZ_PARTICIPANT_RATE_LIMIT": ("QUIZ_PARTICIPANT_RATE_LIMIT", str),
    "QUIZ_RETENTION_DAYS": ("QUIZ_RETENTION_DAYS", int),
    "SCAN_RATE_LIMIT": ("SCAN_RATE_LIMIT", str),
    "WALKIN_RATE_LIMIT": ("WALKIN_RATE_LIMIT", str),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", _bool),
    "SCHEDULER_AUTOSTART": ("SCHEDULER_AUTOSTART", _bool),
    "PREFERRED_URL_SCHEME": ("PREFERRED_URL_SCHEME", str),
    "CANONICAL_URL": ("CANONICAL_URL", str),
    "LOCAL_URL": ("LOCAL_URL", str),
    "PERSONAL_DATA_LAW": ("PERSONAL_DATA_LAW", str),
    "CHECKIN_SIGNING_KEYS": ("CHECKIN_SIGNING_KEYS", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", _bool),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", _bool),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", str),
    "SMS_BACKEND": ("SMS_BACKEND", str),
    "SMS_HTTP_URL": ("SMS_HTTP_URL", str),
    "SMS_HTTP_TOKEN": ("SMS_HTTP_TOKEN", str),
    "SMS_BRANDNAME": ("SMS_BRANDNAME", str),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "DATABASE_CONNECT_TIMEOUT": ("DATABASE_CONNECT_TIMEOUT", int),
    "DATABASE_STATEMENT_TIMEOUT": ("DATABASE_STATEMENT_TIMEOUT", float),
}


def from_environment(environ=os.environ) -> dict:
    """The settings the environment sets, as config keys."""
    settings = {}
    for variable, (key, parse) in ENVIRONMENT.items():
        value = environ.get(variable)
        if value not in (None, ""):
            settings[key] = parse(value)
    return settings


def load_config(app, config: type | dict | None = None) -> None:
    """Fill ``app.config``: the defaults below, then the environment, then ``config`` (a Config class or a
    mapping of overrides); then what follows from them (the database URL and engine, the keys made once in the
    instance folder, the rate limits' storage, the URLs of links, the catalogues)."""
    from .database import engine_options, normalise_database_url
    from .instance import identity_keys, instance_secret
    from .redis_breaker import client_options, configure
    from .urls import canonical_url

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
        app.config["SECRET_KEY"] = instance_secret(app.instance_path)
    app.config["IDENTITY_KEYS"] = identity_keys(app.config.get("IDENTITY_KEYS"), app.instance_path,
                                                app.config["SECRET_KEY"])  # fmt: skip
    # Rate-limit counters may live on a Redis of their own (RATELIMIT_STORAGE_URL, one that never evicts), else
    # on the cache's; a Redis that fails or hangs is skipped for a while by the breaker, at once, by both.
    storage = app.config.get("RATELIMIT_STORAGE_URL") or app.config.get("REDIS_URL") or "memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    configure(app.config["REDIS_BREAKER_SECONDS"])
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", client_options(app.config["REDIS_TIMEOUT"]))
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["CANONICAL_URL"] = canonical_url(app.config.get("CANONICAL_URL"))
    app.config["LOCAL_URL"] = canonical_url(app.config.get("LOCAL_URL")) or "http://127.0.0.1:5000"
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(ROOT_DIR, "translations")


class Config:
    SQLALCHEMY_DATABASE_URI = None  # None: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL only: a database that does not answer fails the request after these many seconds instead of
    # holding a worker; 0 turns a timeout off (e.g. for a long migration run by hand).
    DATABASE_CONNECT_TIMEOUT = 5
    DATABASE_STATEMENT_TIMEOUT = 30
    SECRET_KEY = None  # None: generated once into instance/secret_key
    # Keys of the quiz's identity digests (phone, CCCD), comma-separated: the first digests new sign-ups, every one
    # finds a participant. Separate from SECRET_KEY so that rotating it strands nobody. None: the lines of
    # instance/identity_keys, made once (a new key, then the SECRET_KEY of that day, which digested older rows).
    IDENTITY_KEYS = None
    REDIS_URL = None  # None: rate-limit counters in memory (one process only)
    TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_DEFAULT_LOCALE = "vi"
    LANGUAGES = ("vi", "en")
    LOGIN_RATE_LIMIT = "10 per minute"
    # Per address: a festival's welcome desk may register many people from one Wi-Fi; raise it there.
    REGISTRATION_RATE_LIMIT = "20 per minute"
    # The online quiz: a school's computer lab (40 pupils behind one address) signs up and answers at once, so the
    # per-address limits are loose; each participant has a tighter limit of their own on answer saves.
    QUIZ_REGISTRATION_RATE_LIMIT = "120 per minute"
    QUIZ_ANSWER_RATE_LIMIT = "3000 per minute"
    QUIZ_PARTICIPANT_RATE_LIMIT = "120 per minute"
    # Days after a contest's last round closed before its participants' names, phones and e-mails are erased
    # (Decree 13/2023: no longer than the purpose needs; prizes handed out, complaints settled). Scores stay.
    QUIZ_RETENTION_DAYS = 365
    # The law every consent and privacy text cites, by number ("91/2025/QH15", "13/2023/NĐ-CP"). None: the law in
    # force in the year the consent is given (app/legal.py): Law 91/2025/QH15 from 2026, Decree 13/2023 before.
    PERSONAL_DATA_LAW = None
    # Per scanner account: a busy gate scans a ticket every two seconds and a phone back online uploads its queue
    # in bursts; the limit is there for a stolen or rogue account guessing typed codes (one guess per scan).
    SCAN_RATE_LIMIT = "300 per minute"
    # Per volunteer (or organizer) account at a walk-in desk: a person registered takes half a minute at least; the
    # limit stops a rogue or stolen account from filling an activity's seats (and SMS) with made-up people.
    WALKIN_RATE_LIMIT = "10 per minute"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis is an accelerator, never a single point of failure: when it does not answer, the limits are counted
    # in this process's memory (Flask-Limiter logs "falling back to in-memory storage") and any other limiter
    # error is logged instead of failing the request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Rate-limit counters on a Redis of their own that never evicts (maxmemory-policy noeviction); None: on
    # REDIS_URL's, whose cache entries then compete with them under its maxmemory.
    RATELIMIT_STORAGE_URL = None
    # Seconds to connect to or hear from Redis before treating it as down; after a failure the process skips that
    # Redis for REDIS_BREAKER_SECONDS (cache in memory, limits in memory), then one connection probes it.
    REDIS_TIMEOUT = 0.25
    REDIS_BREAKER_SECONDS = 30.0
    CACHE_PREFIX = "dxday:"  # before every cache key in Redis
    # Without CANONICAL_URL, pages are cached for the first few addresses a process is reached at, never for
    # every Host header someone sends.
    CACHE_HOSTS = 4
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # every cookie is Secure anyway on requests that came over HTTPS
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port are believed (Werkzeug's
    # ProxyFix). 0: the headers are ignored, the client is the peer of the socket.
    TRUSTED_PROXIES = 0
    # The site's public address (https://dxday.tanuyen.gov.vn): absolute URLs in feeds and messages, and feed
    # UIDs, use it instead of whatever Host header a request carried. None: the request's own address.
    CANONICAL_URL = None
    # Where this process serves when CANONICAL_URL is unset: ``make run`` sets it from its HOST and PORT, so that
    # links in messages (built by the scheduler, outside any request) reach the running app.
    LOCAL_URL = "http://127.0.0.1:5000"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open during a long meeting must still submit
    SCHEDULER_AUTOSTART = False
    # Ticket-signing keys, "<id>:<base64url raw Ed25519 key>" separated by commas (checkin/keys.py). None: key
    # files in instance/checkin-keys/, the first made on first use. Several hosts must share one setting.
    CHECKIN_SIGNING_KEYS = None
    PREFERRED_URL_SCHEME = "http"
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # E-mail: SMTP when MAIL_SERVER is set, else every message is written to the log (see app/outbox.py).
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "dxday <no-reply@dxday.example>"
    SMS_BACKEND = "log"  # "http": a brand-name SMS provider's adapter (HttpSmsGateway's contract)
    SMS_BRANDNAME = "DXDAY"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret"  # noqa: S105 (tests only; real keys come from the environment)
    IDENTITY_KEYS = "test-only-identity-key"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    LOGIN_RATE_LIMIT = "1000 per minute"
    SCAN_RATE_LIMIT = "100000 per minute"  # the concurrency tests scan 500 tickets from one account at once
    MAIL_BACKEND = "locmem"  # tests read flask_mailman's outbox, or set up a real SMTP server (aiosmtpd)
