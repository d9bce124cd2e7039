"""Every state-changing route refuses a request without its CSRF token, taken from the route map.

The app runs with CSRF protection on, an administrator is signed in (so no role check can be what refuses), and
every write of tests/app/test_route_guards.py's table is sent with its valid body but no ``csrf_token`` field
(and the JSON writes without the ``X-CSRFToken`` header): each answers 400 and writes nothing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

# The table lives beside its role test; load it by path (the tests are not a package).
_spec = importlib.util.spec_from_file_location("dxday_route_table", Path(__file__).with_name("test_route_guards.py"))
route_guards = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(route_guards)

# endpoint -> why it takes writes without a CSRF token. Empty: no route is exempt.
EXEMPT: dict[str, str] = {}


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_every_write_is_swept(csrf_app):
    assert set(route_guards.write_rules(csrf_app)) == set(route_guards.WRITES)
    assert set(EXEMPT) <= set(route_guards.WRITES)


def test_writes_without_a_csrf_token_are_refused(csrf_app, make_records, snapshot, sign_in):
    records = make_records(csrf_app)
    client = csrf_app.test_client()
    sign_in(client, records.users["admin"])
    problems = []
    for endpoint, rules in sorted(route_guards.write_rules(csrf_app).items()):
        if endpoint in EXEMPT:
            continue
        for rule in sorted(rules):
            request = route_guards.WRITES[endpoint].requests[rule](records)
            assert "csrf_token" not in (request.data or {}) and "X-CSRFToken" not in request.headers
            before = snapshot(csrf_app)
            response = request.send(client)
            if response.status_code != 400:
                problems.append(f"{rule}: {response.status_code} without a CSRF token")
            if snapshot(csrf_app) != before:
                problems.append(f"{rule}: the database changed without a CSRF token")
    assert problems == []


def test_the_same_write_with_its_token_goes_through(csrf_app, make_records, snapshot, sign_in):
    """The sweep's 400s come from the missing token, not from the bodies: with a token, cancelling works."""
    records = make_records(csrf_app)
    client = csrf_app.test_client()
    sign_in(client, records.users["organizer"])
    token = client.get(f"/events/api/activities/{records.activity_id}/registration").get_json()["csrf_token"]
    before = snapshot(csrf_app)
    response = client.post(
        f"/events/activities/{records.activity_id}/cancel", data={"csrf_token": token, "confirm": "1"}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/events/plans/{records.plan_id}"
    assert snapshot(csrf_app) != before
