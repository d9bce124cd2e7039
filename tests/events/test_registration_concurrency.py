"""Many people at once, over real HTTP against a threaded server, on SQLite and PostgreSQL: never more confirmed
seats than the capacity, never two live registrations of one phone, never a server error."""

import http.client
import json
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from events.models import Activity, Registration
from tests.factories import all_at_once


@pytest.fixture
def app(make_app):
    # The served app must not rate-limit the crowd: every request comes from 127.0.0.1.
    return make_app(REGISTRATION_RATE_LIMIT="100000 per minute")


def request(base_url, method, path, body=None, headers=None):
    """One HTTP request without following redirects: (status, Location header, body text)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Location"), response.read().decode()
    finally:
        conn.close()


def post_form(base_url, path, fields):
    return request(base_url, "POST", path, urlencode(fields), {"Content-Type": "application/x-www-form-urlencoded"})


def person(ward_id, i, phone=None):
    return {"name": f"Người dân số {i}", "phone": phone or f"09{10000000 + i:08d}", "ward_id": ward_id, "consent": "y"}


def state(app, activity_id):
    with app.app_context():
        seats = db.session.scalar(select(Activity.seats_taken).where(Activity.id == activity_id))
        counts = dict(
            db.session.execute(
                select(Registration.status, func.count(Registration.id))
                .where(Registration.activity_id == activity_id)
                .group_by(Registration.status)
            ).all()
        )
        return seats, counts


def test_thirty_people_for_five_seats_get_five_seats_and_a_waitlist(app, live_server, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=5)
    path = f"/events/activities/{activity_id}/register"
    results = all_at_once([lambda i=i: post_form(live_server, path, person(setup.ward_id, i)) for i in range(30)])
    assert [status for status, _, _ in results] == [303] * 30
    seats, counts = state(app, activity_id)
    assert seats == 5
    assert counts == {"confirmed": 5, "waitlisted": 25}
    # Every waitlisted person sees a distinct place in the line, 1 to 25.
    pages = [request(live_server, "GET", location)[2] for _, location, _ in results]
    positions = sorted(
        int(page.split("Bạn đang ở vị trí số ")[1].split(" ")[0]) for page in pages if "vị trí số" in page
    )
    assert positions == list(range(1, 26))


def test_ten_submissions_of_one_phone_make_one_registration(app, live_server, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=5)
    path = f"/events/activities/{activity_id}/register"
    fields = person(setup.ward_id, 1, phone="0912345678")
    results = all_at_once([lambda: post_form(live_server, path, fields) for _ in range(10)])
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200] * 9 + [303]
    refused = [body for status, _, body in results if status == 200]
    assert all("Số điện thoại này đã được dùng để đăng ký hoạt động này." in body for body in refused)
    seats, counts = state(app, activity_id)
    assert (seats, counts) == (1, {"confirmed": 1})


def test_one_page_submitted_ten_times_at_once_answers_one_registration(app, live_server, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=5)
    path = f"/events/activities/{activity_id}/register"
    fields = {**person(setup.ward_id, 1, phone="0912345678"), "submission": "s" * 32}
    results = all_at_once([lambda: post_form(live_server, path, fields) for _ in range(10)])
    assert {status for status, _, _ in results} == {303}
    assert len({location for _, location, _ in results}) == 1
    assert state(app, activity_id) == (1, {"confirmed": 1})


def test_simultaneous_cancellations_promote_the_waitlist_without_overbooking(app, live_server, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=3)
    path = f"/events/activities/{activity_id}/register"
    tokens = [post_form(live_server, path, person(setup.ward_id, i))[1].rsplit("/", 1)[-1] for i in range(8)]
    seated, waiting = tokens[:3], tokens[3:]
    # Each seated person cancels twice at once, while two waitlisted people cancel too and newcomers arrive.
    cancels = [f"/events/registrations/{token}/cancel" for token in seated * 2 + waiting[:2]]
    calls = [lambda p=p: request(live_server, "POST", p) for p in cancels]
    calls += [lambda i=i: post_form(live_server, path, person(setup.ward_id, 100 + i)) for i in range(4)]
    results = all_at_once(calls)
    assert all(status in (303,) for status, _, _ in results)
    seats, counts = state(app, activity_id)
    assert seats == 3 and counts["confirmed"] == 3
    assert counts["cancelled"] == 5
    assert counts["waitlisted"] == 8 + 4 - 5 - 3
    # The oldest remaining waitlisted people were promoted first: the three after the two who cancelled.
    with app.app_context():
        promoted = db.session.scalars(
            select(Registration.token).where(
                Registration.activity_id == activity_id, Registration.status == "confirmed"
            )
        ).all()
    assert set(promoted) == set(waiting[2:5])


def test_the_json_api_under_a_crowd_keeps_the_capacity_and_honours_idempotency(app, live_server, registration_setup):
    setup = registration_setup
    activity_id = setup.make_activity(capacity=2)
    path = f"/events/api/activities/{activity_id}/registrations"

    def api(i, key=None, phone=None):
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        body = json.dumps({**person(setup.ward_id, i, phone), "ward_id": setup.ward_id, "consent": True})
        status, _, text = request(live_server, "POST", path, body, headers)
        return status, json.loads(text)

    calls = [lambda i=i: api(i) for i in range(6)]
    calls += [lambda: api(50, key="r" * 40, phone="0355555555") for _ in range(6)]
    results = all_at_once(calls)
    crowd, retries = results[:6], results[6:]
    assert [status for status, _ in crowd] == [201] * 6
    assert sorted(status for status, _ in retries) == [200] * 5 + [201]
    assert len({body["token"] for _, body in retries}) == 1
    seats, counts = state(app, activity_id)
    assert seats == 2
    assert counts == {"confirmed": 2, "waitlisted": 5}
