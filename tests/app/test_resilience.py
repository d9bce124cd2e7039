"""Faults the app must survive: Redis down, the database down."""

import logging
import time

import pytest
from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from app.extensions import db, limiter

NOTHING_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down_app(make_app, make_user):
    # Built after the default app (which make_user needs): the limiter belongs to the last app built.
    app = make_app(REDIS_URL=NOTHING_LISTENS, LOGIN_RATE_LIMIT="3 per minute")
    assert app.config["RATELIMIT_STORAGE_URI"] == NOTHING_LISTENS
    yield app
    # The limiter is one object per process: give it a working storage back for the tests that follow.
    create_app({key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()})
    limiter._storage_dead = False


def test_with_redis_down_people_can_still_sign_in_and_are_still_limited(redis_down_app, make_user, caplog):
    user = make_user("organizer")
    client = redis_down_app.test_client()
    with caplog.at_level(logging.WARNING):
        response = client.post("/login", data={"login": user["email"], "password": user["password"]})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/password").status_code == 200  # signed in
    assert "falling back to in-memory storage" in caplog.text
    # The limits still hold, counted in memory.
    other = redis_down_app.test_client()
    statuses = [other.post("/login", data={"login": user["email"], "password": "sai"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]  # two more attempts after the successful one, then refused


def test_with_redis_down_health_says_degraded_but_serves(redis_down_app):
    response = redis_down_app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "down"


def test_health_is_ok_when_every_dependency_answers(make_app):
    body = make_app(REDIS_URL="redis://127.0.0.1:6379/0").test_client().get("/healthz").get_json()
    assert body == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "redis": {"status": "ok"}, "jobs": {"status": "ok"}},
    }


def test_health_without_redis_configured_is_ok(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["checks"]["redis"] == {"status": "not_configured"}


def test_without_the_database_health_answers_503_json():
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    app = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/x",
            "DATABASE_CONNECT_TIMEOUT": 2,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    body = response.get_json()
    assert body["status"] == "down" and body["checks"]["database"]["status"] == "down"


def _postgres_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("statement timeouts are set on PostgreSQL only")


def test_every_postgres_connection_has_a_statement_timeout(make_app):
    app = make_app()
    _postgres_only(app)
    with app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "30s"
    app = make_app(DATABASE_STATEMENT_TIMEOUT=0.5)
    with app.app_context():
        assert db.session.scalar(text("SHOW statement_timeout")) == "500ms"


def test_a_statement_that_never_ends_fails_the_request_in_time(make_app):
    app = make_app(DATABASE_STATEMENT_TIMEOUT=0.5)
    _postgres_only(app)

    @app.route("/slow")
    def slow():
        db.session.execute(text("SELECT pg_sleep(20)"))
        return "done"

    started = time.monotonic()
    response = app.test_client().get("/slow", headers={"Accept": "application/json"})
    assert time.monotonic() - started < 5
    assert response.status_code == 500 and response.get_json()["error"]["code"] == "server_error"


def test_sqlite_gets_no_postgres_options(make_app):
    app = make_app()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 5
    else:
        assert "connect_args" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        assert app.test_client().get("/healthz").status_code == 200
