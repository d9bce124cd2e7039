"""Fixtures shared by every test.

Every test that takes ``app`` (or anything built on it) runs twice: on SQLite and on PostgreSQL. Each test
session creates its own PostgreSQL database (dropped at the end) and SQLite file, builds the schema from the
migrations once per backend, and empties every table after each test.

PostgreSQL is found at TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). When it is
missing, its half of the suite is skipped with one loud line, except under CI=true, where it fails."""

from __future__ import annotations

import os
import threading
import uuid
import warnings

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from app import create_app, normalise_database_url
from app.config import TestConfig
from app.extensions import db, limiter
from app.models import User

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = normalise_database_url(os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
PASSWORD = "mat-khau-thu-nghiem"
_password_hashes: dict[str, str] = {}
_pg_problem: list[str] = []


def pytest_report_header(config):
    return f"PostgreSQL for tests: {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)} (CI={IN_CI})"


def pytest_terminal_summary(terminalreporter):
    if _pg_problem:
        terminalreporter.write_line("")
        terminalreporter.write_line(
            f"!!! PostgreSQL tests were SKIPPED: {_pg_problem[0]} (set TEST_POSTGRES_URL; CI=true makes this fail) !!!",
            red=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh database on the PostgreSQL server for this test session; dropped at the end."""
    name = f"dxday_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 (any connection failure means "no PostgreSQL")
        admin.dispose()
        reason = (
            f"cannot reach PostgreSQL at {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)}: "
            f"{type(error).__name__}"
        )
        if IN_CI:
            pytest.fail(f"{reason}. CI requires PostgreSQL.", pytrace=False)
        _pg_problem.append(reason)
        warnings.warn(reason, stacklevel=1)
        pytest.skip(reason)
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    # A file, not memory: the live-server tests read it from other threads and connections.
    return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "dxday-test.sqlite3")


_migrated: set[str] = set()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """The URL of a migrated, empty database on each backend in turn."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    if url not in _migrated:
        from flask_migrate import upgrade

        app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        _migrated.add(url)
    return url


def _config_dict() -> dict:
    return {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            # Self-referencing rows (the unit tree) cannot be deleted in dependency order; skip the checks.
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in tables:
                conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 (table names from our metadata)
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
        conn.commit()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database with config overrides; tables are emptied afterwards."""
    apps = []

    def factory(**overrides):
        config = {**_config_dict(), "SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        built = create_app(config)
        built.instance_path = str(tmp_path / "instance")
        os.makedirs(built.instance_path, exist_ok=True)
        apps.append(built)
        return built

    yield factory
    for built in apps:
        with built.app_context():
            db.session.remove()
            _empty_all_tables()
            db.engine.dispose()
    limiter.reset()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def session(app):
    """The app's database session, inside an app context."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


def _hash(password: str) -> str:
    # One real scrypt hash per password per run keeps the suite fast without weakening the app.
    if password not in _password_hashes:
        _password_hashes[password] = generate_password_hash(password)
    return _password_hashes[password]


@pytest.fixture
def make_user(app):
    """Create a user with the given roles (committed), returning its id and email."""

    def factory(*roles: str, email: str | None = None, password: str = PASSWORD, active: bool = True, **fields):
        with app.app_context():
            user = User(
                name=fields.pop("name", "Người dùng thử"),
                email=email or f"{'-'.join(roles) or 'user'}-{uuid.uuid4().hex[:6]}@example.vn",
                password_hash=_hash(password),
                active=active,
                **fields,
            )
            user.set_roles(roles)
            db.session.add(user)
            db.session.commit()
            return {"id": user.id, "email": user.email, "password": password}

    return factory


@pytest.fixture
def login(client):
    """Sign the test client in; returns the response of the sign-in POST."""

    def do_login(user: dict, password: str | None = None, follow_redirects: bool = False):
        return client.post(
            "/login",
            data={"login": user["email"], "password": password or user["password"]},
            follow_redirects=follow_redirects,
        )

    return do_login


@pytest.fixture
def live_server(app):
    """The app served over real HTTP in a background thread (threaded, like a real server)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counted: ...`` then ``len(counted)``: the SQL statements run inside the block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", listener)

    return counting
