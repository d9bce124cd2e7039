"""Feeds are served from a cache keyed by the events data version: cheap when nothing changed, fresh the moment
a change is committed, and the same with Redis, without it, or with Redis down."""

from datetime import UTC, datetime

import pytest
import redis as redis_client
from sqlalchemy import select

from app import cache
from app.extensions import db
from events.models import Activity, Plan
from events.services import registration

from .conftest import TZ

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def feed(client, plan_id, **headers):
    return client.get(f"/events/plans/{plan_id}/calendar.ics", headers=headers)


def test_an_unchanged_feed_costs_one_query_and_a_304_no_build(app, client, calendar_setup, count_queries):
    first = feed(client, calendar_setup.plan_id)
    assert first.status_code == 200
    with count_queries() as counted:
        again = feed(client, calendar_setup.plan_id)
        not_modified = feed(client, calendar_setup.plan_id, **{"If-None-Match": first.headers["ETag"]})
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert not_modified.status_code == 304
    assert len(counted) == 2  # the data version, once per request


def test_a_committed_change_shows_at_once(app, client, calendar_setup):
    before = feed(client, calendar_setup.plan_id)
    with app.app_context():
        activity = db.session.get(Activity, calendar_setup.festival_id)
        activity.title = "Ngày hội Chuyển đổi số (đổi giờ)"
        db.session.commit()
    after = feed(client, calendar_setup.plan_id)
    assert b"(\xc4\x91\xe1\xbb\x95i gi\xe1\xbb\x9d)" in after.data and after.headers["ETag"] != before.headers["ETag"]
    with app.app_context():
        db.session.get(Plan, calendar_setup.plan_id).status = "draft"
        db.session.commit()
    assert feed(client, calendar_setup.plan_id).status_code == 404  # hidden the moment it is a draft again


def test_a_rolled_back_change_leaves_the_version_and_the_cache_alone(app, calendar_setup):
    with app.app_context():
        start = cache.version(db.session, "events")
        db.session.get(Activity, calendar_setup.festival_id).title = "Bản nháp không lưu"
        db.session.flush()
        db.session.rollback()
        assert cache.version(db.session, "events") == start


def test_registrations_do_not_raise_the_version(app, registration_setup):
    activity_id = registration_setup.make_activity(capacity=5)
    with app.app_context():
        start = cache.version(db.session, "events")
        registration.register(
            db.session,
            activity_id,
            name="An",
            phone="0912345678",
            ward_id=registration_setup.ward_id,
            email=None,
            consent=True,
            now=datetime.now(UTC),
            tz=TZ,
            secret="s",
        )
        db.session.commit()
        assert cache.version(db.session, "events") == start  # seats change by SQL: the feeds stay cached


@pytest.fixture
def redis_url(database_url):
    # One Redis database per database under test: the SQLite and PostgreSQL runs of a test (in parallel with
    # -n 2) would otherwise share keys, the version being 1 in both.
    return REDIS_TEST_URL[:-2] + ("15" if database_url.startswith("sqlite") else "14")


@pytest.fixture
def redis_app(make_app, redis_url):
    client = redis_client.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis_client.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")  # Redis runs on every machine of the project, CI's included
    for key in client.scan_iter("dxday:feed:*"):
        client.delete(key)
    yield make_app(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI="memory://")  # only the cache uses Redis here
    for key in client.scan_iter("dxday:feed:*"):
        client.delete(key)


def test_with_redis_every_worker_shares_the_cached_feed(redis_app, redis_url, calendar_setup):
    client = redis_app.test_client()
    first = feed(client, calendar_setup.plan_id)
    keys = list(redis_client.Redis.from_url(redis_url).scan_iter("dxday:feed:plan:*"))
    assert len(keys) == 1
    cache.forget_local()  # another worker: nothing in its memory, the feed comes from Redis
    assert feed(client, calendar_setup.plan_id).data == first.data


def test_with_redis_down_feeds_are_served_from_memory(make_app, calendar_setup):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", REDIS_TIMEOUT=0.2, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    first = feed(client, calendar_setup.plan_id)
    assert first.status_code == 200 and feed(client, calendar_setup.plan_id).data == first.data
    with app.app_context():
        assert db.session.scalar(select(Plan.id)) is not None
