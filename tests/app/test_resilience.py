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


# --- nobody can fill Redis (issue 22, item 9) ----------------------------------------------------------------------


@pytest.fixture
def redis_keys():
    """A key prefix of this test's own in the local Redis, and a count of the keys under it; removed afterwards."""
    import uuid

    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    prefix = f"test-sched-{uuid.uuid4().hex[:8]}:"
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield prefix, lambda: len(list(client.scan_iter(match=prefix + "*")))
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)


def test_random_query_strings_and_hosts_add_a_bounded_number_of_cache_entries(make_app, redis_keys):
    import random
    import string

    prefix, count = redis_keys
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_PREFIX=prefix)
    client = app.test_client()
    rng = random.Random(22)

    def word(n: int = 8) -> str:
        return "".join(rng.choices(string.ascii_lowercase + string.digits, k=n))

    statuses = []
    for n in range(300):
        host = f"{word()}.example" if n % 3 else "127.0.0.1:5000"
        query = {word(): word(), "view": rng.choice(["month", "list", word()])} if n % 2 else {"q": word()}
        response = client.get("/events/calendar", query_string=query, headers={"Host": host})
        statuses.append(response.status_code)
        response = client.get(
            "/events/kinds/festival/calendar.ics" if n % 5 == 0 else "/events/calendar", headers={"Host": host}
        )
    assert set(statuses) == {200}  # every one served
    # Kept: at most the page (and a feed) for the first few addresses this process was reached at.
    assert count() <= 2 * app.config["CACHE_HOSTS"]
    # The calendar as its own links write it is kept once, and then served from the cache.
    before = count()
    for _ in range(3):
        assert client.get("/events/calendar?view=month", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    assert count() == before + 1


def test_with_a_canonical_address_no_host_header_adds_an_entry(make_app, redis_keys):
    prefix, count = redis_keys
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/0", CACHE_PREFIX=prefix, CANONICAL_URL="https://dxday.example.vn")
    client = app.test_client()
    for n in range(20):
        assert client.get("/events/calendar", headers={"Host": f"h{n}.example"}).status_code == 200
    assert count() == 1


# --- a Redis that hangs (issue 22, item 10) ------------------------------------------------------------------------


@pytest.fixture
def hung_redis(make_app):
    """A TCP listener that accepts and never answers, counting the connections made to it."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    accepted, held = [], []

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0", accepted
    # The limiter is one object per process: give it a working storage back for the tests that follow.
    create_app({key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()})
    limiter._storage_dead = False
    listener.close()
    for conn in held:
        conn.close()


def test_a_hung_redis_is_skipped_for_a_while_by_the_cache_and_the_limiter(make_app, make_user, hung_redis, monkeypatch):
    from app import redis_breaker

    url, accepted = hung_redis
    clock = [1000.0]
    monkeypatch.setattr(redis_breaker, "now", lambda: clock[0])
    user = make_user("organizer")
    app = make_app(REDIS_URL=url, LOGIN_RATE_LIMIT="3 per minute", REDIS_TIMEOUT=0.2, REDIS_BREAKER_SECONDS=30)
    client = app.test_client()
    started = time.monotonic()
    for _ in range(12):
        assert client.get("/events/calendar").status_code == 200
    # One connection met the silence (one socket timeout); after it, no request tried Redis again.
    assert len(accepted) == 1
    assert time.monotonic() - started < 5  # instead of 12 × (get + put) × the timeout and its retries
    # The limits still hold meanwhile, counted in memory, without a connection to Redis.
    statuses = [client.post("/login", data={"login": user["email"], "password": "sai"}).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    assert len(accepted) == 1
    # When the breaker's time is up, one connection probes; still silent, the breaker opens again.
    clock[0] += 31
    for _ in range(5):
        assert client.get("/events/calendar").status_code == 200
    assert len(accepted) == 2
