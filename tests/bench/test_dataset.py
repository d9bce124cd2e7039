"""The bench's data set: built as the issue describes and loaded by bulk inserts into a real schema, on SQLite
and PostgreSQL (small size; the load runs themselves are ``make bench``, not tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Unit, UnitKind
from bench import dataset
from events.models import Activity, Plan, Registration, RegistrationStatus

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def test_full_size_is_the_province_of_the_issue():
    data = dataset.build(NOW)
    assert len(data.rows(Unit)) == 500
    assert len(data.rows(Plan)) == 3
    assert len(data.rows(Activity)) == 300
    assert len(data.rows(Registration)) == 50_000
    kinds = {row["kind"] for row in data.rows(Unit)}
    assert kinds == {UnitKind.PROVINCE.value, UnitKind.DISTRICT.value, UnitKind.WARD.value}
    # The busiest month holds 60 activities; the first plan's feed has 300 events (activities and tour stops).
    per_month: dict[tuple[int, int], int] = {}
    for row in data.rows(Activity):
        start = row["starts_at"].astimezone(dataset.TZ)
        per_month[(start.year, start.month)] = per_month.get((start.year, start.month), 0) + 1
    assert max(per_month.values()) == per_month[(2027, 1)] == 60
    main = [row["id"] for row in data.rows(Activity) if row["plan_id"] == data.main_plan_id]
    stops = [row for row in data.rows(dataset.TourStop) if row["activity_id"] in set(main)]
    assert len(main) + len(stops) == 300


def test_built_twice_it_is_the_same_but_for_the_tickets():
    first, second = dataset.build(NOW), dataset.build(NOW)
    strip = [{k: v for k, v in row.items() if k != "token"} for row in first.rows(Registration)]
    assert strip == [{k: v for k, v in row.items() if k != "token"} for row in second.rows(Registration)]


def test_seats_taken_match_the_confirmed_registrations():
    data = dataset.build(NOW, dataset.Size.small())
    confirmed: dict[int, int] = {}
    for row in data.rows(Registration):
        if row["status"] == RegistrationStatus.CONFIRMED:
            confirmed[row["activity_id"]] = confirmed.get(row["activity_id"], 0) + 1
    for row in data.rows(Activity):
        assert row["seats_taken"] == confirmed.get(row["id"], 0)
        assert row["capacity"] is None or row["seats_taken"] <= row["capacity"]


@pytest.fixture
def loaded(app):
    data = dataset.build(datetime.now(UTC), dataset.Size.small())
    seen = []
    with app.app_context():
        counts = dataset.load(db.session, data, seen.append)
    return data, counts, seen


def test_the_loader_writes_every_row_and_reports_progress(app, loaded):
    data, counts, seen = loaded
    assert sum(seen) == data.total_rows
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Unit)) == counts["units"] == 40
        assert db.session.scalar(select(func.count()).select_from(Registration)) == counts["registrations"] == 300
        assert db.session.scalar(select(func.count()).select_from(Activity)) == 36


def test_the_scenarios_pages_answer_on_the_loaded_data(app, loaded):
    data, _, _ = loaded
    client = app.test_client()
    assert client.get("/events/calendar").status_code == 200
    month = client.get(f"/events/calendar?date={data.busiest_month.isoformat()}")
    assert month.status_code == 200
    assert f'href="/events/activities/{data.page_activity_id}"'.encode() in month.data
    assert client.get(f"/events/activities/{data.page_activity_id}").status_code == 200
    feed = client.get(f"/events/plans/{data.main_plan_id}/calendar.ics")
    main = [row["id"] for row in data.rows(Activity) if row["plan_id"] == data.main_plan_id]
    stops = [row for row in data.rows(dataset.TourStop) if row["activity_id"] in set(main)]
    assert feed.data.count(b"BEGIN:VEVENT") == len(main) + len(stops)
    feed_path = f"/events/plans/{data.main_plan_id}/calendar.ics"
    again = client.get(feed_path, headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 304


def test_registration_after_the_bulk_load_gets_a_fresh_id_and_the_race_activity_counts(app, loaded):
    # On PostgreSQL the loader moves the id sequences past the ids it gave; otherwise this insert would collide.
    data, _, _ = loaded
    ward = next(row["id"] for row in data.rows(Unit) if row["kind"] == UnitKind.WARD.value)
    client = app.test_client()
    body = {"name": "Lê Văn Thử", "phone": "0912345678", "ward_id": ward, "consent": True}
    response = client.post(f"/events/api/activities/{data.race_activity_id}/registrations", data=json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        counts = dataset.registration_counts(db.session, data.race_activity_id)
        assert counts == {"confirmed": 1, "seats_taken": 1}
        activity = db.session.get(Activity, data.race_activity_id)
        assert activity.capacity == dataset.RACE_CAPACITY
        assert activity.starts_at > datetime.now(UTC) + timedelta(hours=1)
