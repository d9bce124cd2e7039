"""Faults the app must survive: Redis down, the database down."""

import logging

import pytest

from app import create_app
from app.config import TestConfig
from app.extensions import limiter

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
    assert body == {"status": "ok", "checks": {"database": {"status": "ok"}, "redis": {"status": "ok"}}}


def test_health_without_redis_configured_is_ok(client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["checks"]["redis"] == {"status": "not_configured"}


def test_without_the_database_health_answers_503_json():
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/x"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    body = response.get_json()
    assert body["status"] == "down" and body["checks"]["database"]["status"] == "down"
