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


def test_five_hundred_people_for_a_hundred_seats_then_cancels_racing_newcomers_promote_in_order(
    app, live_server, registration_setup
):
    # Issue 25's proof of the one-statement seat (PostgreSQL) and its SQLite equivalent: 500 sign-ups, 50 at a
    # time, for 100 seats give 100 confirmed, 400 waiting and none lost, each told once; then 50 of the seated
    # cancel while 50 newcomers arrive, and the freed seats go to the 50 longest waiting, never to a newcomer.
    from concurrent.futures import ThreadPoolExecutor  # here: main moves this file's thread helpers to tests/factories

    from app.models import AuditEntry, OutboxMessage

    setup = registration_setup
    activity_id = setup.make_activity(capacity=100)
    path = f"/events/api/activities/{activity_id}/registrations"

    def api(i):
        body = json.dumps({**person(setup.ward_id, i), "ward_id": setup.ward_id, "consent": True})
        status, _, text = request(live_server, "POST", path, body, {"Content-Type": "application/json"})
        return status, json.loads(text)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(api, range(500)))
    assert [status for status, _ in results] == [201] * 500
    assert sorted(body["status"] for _, body in results) == ["confirmed"] * 100 + ["waitlisted"] * 400
    # (The place each answer names counts the waiting registrations committed by then: concurrent ones may share
    # one. The confirmation page counts again when it is read; see the thirty-for-five test above.)
    assert state(app, activity_id) == (100, {"confirmed": 100, "waitlisted": 400})
    with app.app_context():
        registrations = db.session.execute(
            select(Registration.id, Registration.phone, Registration.status)
            .where(Registration.activity_id == activity_id)
            .order_by(Registration.id)
        ).all()
        ids = [str(row.id) for row in registrations]
        told = db.session.execute(
            select(OutboxMessage.template, func.count())
            .where(OutboxMessage.subject_ref.in_([f"Registration:{i}" for i in ids]))
            .group_by(OutboxMessage.template)
        ).all()
        entries = db.session.scalar(
            select(func.count()).where(AuditEntry.entity == "Registration", AuditEntry.entity_id.in_(ids))
        )
    assert len({row.phone for row in registrations}) == 500  # none lost, none twice
    assert dict(told) == {"registration_confirmed": 100, "registration_waitlisted": 400}
    assert entries == 500
    tokens = {body["token"]: body["status"] for _, body in results}
    seated = [token for token, status in tokens.items() if status == "confirmed"][:50]
    longest_waiting = [row.id for row in registrations if row.status == "waitlisted"][:50]

    calls = [lambda t=t: request(live_server, "POST", f"/events/registrations/{t}/cancel") for t in seated]
    calls += [lambda i=i: api(1000 + i) for i in range(50)]
    raced = all_at_once(calls)
    assert [status for status, *_ in raced[:50]] == [303] * 50
    assert [status for status, _ in raced[50:]] == [201] * 50
    assert {body["status"] for _, body in raced[50:]} == {"waitlisted"}
    assert state(app, activity_id) == (100, {"confirmed": 100, "cancelled": 50, "waitlisted": 400})
    with app.app_context():
        promoted = db.session.scalars(
            select(Registration.id).where(
                Registration.activity_id == activity_id,
                Registration.status == "confirmed",
                Registration.promoted_at.is_not(None),
            )
        ).all()
    assert sorted(promoted) == longest_waiting
