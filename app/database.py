"""How the app reaches its database: the URL's driver, the engine's timeouts, SQLite's pragmas."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def normalise_database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs (as hosts hand them out) are served by psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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


# Listening on every Engine from import on, not from create_app: an engine made beside the factory (the bench's
# loaders, a script) gets the same pragmas as the app's.
@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Foreign keys are off by default in SQLite; WAL and a busy timeout let readers and one writer share the file.
    if type(dbapi_connection).__module__ == "sqlite3":
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
