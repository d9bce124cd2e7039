"""Phones scanning at the same moment, over real HTTP against a threaded server, on SQLite and PostgreSQL: one
ticket scanned by 20 phones at once is admitted once; 500 different tickets at once are all admitted; a scan sent
three times at once is stored once. No server error."""

import http.client
import json
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

from sqlalchemy import func, select

from app.extensions import db
from checkin.keys import ticket_token
from checkin.models import Scan
from events.models import Registration
from tests.factories import all_at_once

PASSWORD = "mat-khau-thu-nghiem"  # tests/conftest.py's password of make_user's accounts


def request(base_url, method, path, body=None, headers=None):
    """One HTTP request on its own connection: (status, headers, body text)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def signed_in(base_url, user) -> str:
    """The session cookie of ``user`` after signing in through the form, as a phone does."""
    status, headers, _ = request(
        base_url,
        "POST",
        "/login",
        urlencode({"login": user["email"], "password": PASSWORD}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 302
    return next(c.split(";")[0] for c in headers.get_all("Set-Cookie") if c.startswith("session="))


def post_scan(base_url, cookie, token, checkpoint_id, device, nonce):
    body = {
        "token": token,
        "checkpoint_id": checkpoint_id,
        "device_id": device,
        "nonce": nonce,
        "scanned_at": datetime.now(UTC).isoformat(),
    }
    status, _, text = request(
        base_url,
        "POST",
        "/checkin/api/scans",
        json.dumps(body),
        {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": "CSRF is off in TestConfig"},
    )
    return status, json.loads(text)


def admissions(app, checkpoint_id):
    with app.app_context():
        return db.session.scalar(select(func.count(Scan.id)).where(Scan.checkpoint_id == checkpoint_id, Scan.counts))


def stored(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Scan.id)))


def test_twenty_phones_scanning_one_ticket_at_once_admit_it_once(app, live_server, festival):
    f = festival
    cookie = signed_in(live_server, f.volunteer)
    results = all_at_once(
        [
            lambda n=n: post_scan(live_server, cookie, f.tickets[0], f.booth, f"phone-{n}", f"nonce-{n}")
            for n in range(20)
        ]
    )
    assert [status for status, _ in results] == [201] * 20
    verdicts = sorted(body["scan"]["verdict"] for _, body in results)
    assert verdicts == ["admitted"] + ["already_checked_in"] * 19
    assert admissions(app, f.booth) == 1 and stored(app) == 20
    # Every refused phone is told where and when the one admission happened.
    first = next(body["scan"] for _, body in results if body["scan"]["admitted"])
    refused = [body["scan"] for _, body in results if not body["scan"]["admitted"]]
    assert {(s["first_checkpoint"], s["first_admitted_at"]) for s in refused} == {
        ("Không gian xã hội số", first["scanned_at"])
    }


def test_five_hundred_tickets_at_once_are_all_admitted(app, live_server, festival):
    f = festival
    with app.app_context():
        people = [
            Registration(
                activity_id=f.activity_id,
                name=f"Khách {n}",
                phone=f"08{n:08d}",
                consent_at=f.now,
                status="confirmed",
                token=f"khach-{n:027d}",
            )
            for n in range(500)
        ]
        db.session.add_all(people)
        db.session.commit()
        tickets = [ticket_token(person, app) for person in people]
    cookie = signed_in(live_server, f.volunteer)
    results = all_at_once(
        [
            lambda n=n: post_scan(live_server, cookie, tickets[n], f.entrance, f"phone-{n % 25}", f"gate-{n}")
            for n in range(500)
        ],
        workers=25,
    )
    assert [status for status, _ in results] == [201] * 500
    assert {body["scan"]["verdict"] for _, body in results} == {"admitted"}
    assert admissions(app, f.entrance) == 500 and stored(app) == 500


def test_one_nonce_sent_three_times_at_once_is_stored_once(app, live_server, festival):
    f = festival
    cookie = signed_in(live_server, f.volunteer)
    results = all_at_once([lambda: post_scan(live_server, cookie, f.tickets[1], f.entrance, "phone-1", "same")] * 3)
    assert sorted(status for status, _ in results) == [200, 200, 201]
    assert len({json.dumps(body, sort_keys=True) for _, body in results}) == 1  # the one stored answer, three times
    assert results[0][1]["scan"]["verdict"] == "admitted"
    assert stored(app) == 1 and admissions(app, f.entrance) == 1


def test_fifty_scanners_each_ticket_scanned_twice_at_once_admit_each_once(app, live_server, festival):
    """The gate's one-statement admission (issue 25) under the bench's load: 50 phones at once, each of 25 tickets
    scanned by two of them at the same moment at the once-a-day entrance: 25 admissions, one per ticket, and 25
    "already checked in" that name it."""
    f = festival
    with app.app_context():
        people = [
            Registration(
                activity_id=f.activity_id,
                name=f"Khách đôi {n}",
                phone=f"07{n:08d}",
                consent_at=f.now,
                status="confirmed",
                token=f"khach-doi-{n:023d}",
            )
            for n in range(25)
        ]
        db.session.add_all(people)
        db.session.commit()
        tickets = [ticket_token(person, app) for person in people]
    cookie = signed_in(live_server, f.volunteer)
    results = all_at_once(
        [
            lambda n=n: post_scan(live_server, cookie, tickets[n // 2], f.entrance, f"scanner-{n}", f"twice-{n}")
            for n in range(50)
        ]
    )
    assert [status for status, _ in results] == [201] * 50
    for pair in range(25):
        first, second = (results[2 * pair][1]["scan"], results[2 * pair + 1][1]["scan"])
        assert sorted([first["verdict"], second["verdict"]]) == ["admitted", "already_checked_in"]
        admitted, refused = (first, second) if first["admitted"] else (second, first)
        assert refused["first_admitted_at"] == admitted["scanned_at"]
    assert admissions(app, f.entrance) == 25 and stored(app) == 50
