"""Who may change what: one row per state-changing endpoint, built against the route map.

Every rule whose methods include POST, PUT, PATCH or DELETE must have a row in ``WRITES`` (endpoint -> who may
do it, and for each of its URL rules a valid request). For each guarded rule, every caller without the right
(anonymous, then each role lacking it) sends that valid request: anonymous callers are sent to sign in, the
others get 403, and the database stays exactly as it was. Then a caller with the right sends the same request,
which succeeds and changes the database. Only the guard can have refused the first ones.

A row with a ``scope`` (ARCHITECTURE rule 11) names a user of the right role in another unit or assignment: they
send the same valid request and get 404, the database unchanged, before the user in scope succeeds.

Each feature owns its rows (``tests/<feature>/guard_rows.py``; the vocabulary is tests/guards.py); this module
assembles them. The rows also serve tests/app/test_csrf_sweep.py, which sends the same requests without a CSRF
token, and tests/app/test_hostile_forms.py."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.app import guard_rows as app_rows
from tests.checkin import guard_rows as checkin_rows
from tests.contests import guard_rows as contests_rows
from tests.contests.guard_rows import quiz_question_body, quiz_round_body  # noqa: F401 (imported from here)
from tests.events import guard_rows as events_rows
from tests.events.guard_rows import registration_body
from tests.guards import (  # noqa: F401 (Request, local)
    OUTSIDERS,
    PUBLIC,
    ROLES,
    SCOPED_ROLES,
    SIGNED_IN,
    Request,
    Row,
    ScopedRead,
    local,
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FEATURES = (app_rows, events_rows, checkin_rows, contests_rows)


def _assemble(name: str) -> dict:
    table: dict = {}
    for module in FEATURES:
        rows = getattr(module, name, {})
        clash = set(rows) & set(table)
        assert not clash, f"{module.__name__} repeats rows of another feature: {sorted(clash)}"
        table.update(rows)
    return table


# Request, local and the quiz bodies stay importable from here (test_hostile_forms.py, tests/contests/).
WRITES: dict[str, Row] = _assemble("WRITES")
SCOPED_READS: dict[str, ScopedRead] = _assemble("SCOPED_READS")


def write_rules(app: Flask) -> dict[str, set[str]]:
    """endpoint -> its URL rules that accept a state-changing method."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.methods & WRITE_METHODS:
            found.setdefault(rule.endpoint, set()).add(rule.rule)
    return found


def denied(row: Row) -> list[str]:
    """Everyone who must be refused: anonymous visitors, then each role without the right."""
    if row.who == PUBLIC:
        return []
    if row.who == SIGNED_IN:
        return ["anonymous"]
    return ["anonymous"] + [role for role in ROLES if role != "admin" and role not in row.who]


def allowed(row: Row) -> str:
    if row.as_role:
        return row.as_role
    if row.who == PUBLIC:
        return "anonymous"
    return next((role for role in ROLES if role != "admin" and role in row.who), "admin")


def is_refused(who: str, rule: str, response) -> bool:
    """Anonymous callers are sent to sign in (a JSON API answers 401 instead: a script's fetch must not follow a
    redirect to a page); signed-in callers without the right get 403."""
    if who != "anonymous":
        return response.status_code == 403
    if "/api/" in rule:
        return response.status_code == 401 and response.is_json
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


CASES = [(endpoint, rule) for endpoint, row in WRITES.items() for rule in row.requests]


def test_every_state_changing_route_has_a_row(app):
    assert set(write_rules(app)) == set(WRITES), "add a row to WRITES for each new state-changing endpoint"
    for endpoint, rules in write_rules(app).items():
        assert rules == set(WRITES[endpoint].requests), endpoint


def test_rows_open_to_a_scoped_role_name_who_is_out_of_scope():
    """A route that a unit reporter, volunteer, juror or appraiser may write names the same role elsewhere (its
    scope row), or says why its records have no scope."""
    missing = [
        endpoint
        for endpoint, row in WRITES.items()
        if isinstance(row.who, frozenset) and row.who & SCOPED_ROLES and not (row.scope or row.unscoped)
    ]
    assert missing == [], "give these rows a scope (an outsider of the right role) or an unscoped reason"
    for endpoint, row in WRITES.items():
        if row.scope:
            assert OUTSIDERS[row.scope] in row.who, endpoint
    for endpoint, read in SCOPED_READS.items():
        assert OUTSIDERS[read.outsider] == read.insider, endpoint


def test_every_scoped_read_is_a_route(app):
    assert set(SCOPED_READS) <= {rule.endpoint for rule in app.url_map.iter_rules()}


@pytest.mark.parametrize("endpoint", sorted(SCOPED_READS))
def test_a_record_out_of_scope_is_not_found(app, client, records, snapshot, sign_in, endpoint):
    """Reads under a scope: the right role elsewhere gets 404 (and nothing is written); the user in scope reads."""
    read = SCOPED_READS[endpoint]
    before = snapshot(app)
    sign_in(client, records.users[read.outsider])
    assert read.request(records).send(client).status_code == 404
    assert snapshot(app) == before
    sign_in(client, records.users[read.insider])
    response = read.request(records).send(client)
    assert response.status_code == read.ok, response.get_data(as_text=True)[:1000]


def test_admins_hold_every_role():
    """The table never lists admin: role_required lets admins through everywhere; check that once, here."""
    from app.models import User

    admin = User(name="A", email="a@example.vn")
    admin.set_roles(["admin"])
    assert all(admin.has_role("admin", role) for role in ROLES)


@pytest.mark.parametrize(("endpoint", "rule"), CASES, ids=[f"{e} {r}" for e, r in CASES])
def test_only_the_right_people_may_write(app, client, records, snapshot, sign_in, endpoint, rule):
    row = WRITES[endpoint]
    build = row.requests[rule]
    before = snapshot(app)
    problems = []
    for who in denied(row):
        sign_in(client, None if who == "anonymous" else records.users[who])
        response = build(records).send(client)
        refused = is_refused(who, rule, response)
        if not refused:
            problems.append(f"{who}: {response.status_code} {response.headers.get('Location', '')}")
        elif snapshot(app) != before:
            problems.append(f"{who}: refused but the database changed")
    if row.scope:  # the right role in another unit or assignment: not found, nothing written
        sign_in(client, records.users[row.scope])
        response = build(records).send(client)
        if response.status_code != 404:
            problems.append(f"{row.scope} (out of scope): {response.status_code}, not 404")
        elif snapshot(app) != before:
            problems.append(f"{row.scope} (out of scope): 404 but the database changed")
    assert problems == []

    role = allowed(row)
    sign_in(client, None if role == "anonymous" else records.users[role])
    response = build(records).send(client)
    assert response.status_code == row.ok, (role, response.get_data(as_text=True)[:2000])
    if endpoint != "auth.sign_out_everywhere":  # the one write whose success is to be sent to the sign-in page
        assert not response.headers.get("Location", "").startswith("/login")
    if row.changes_db:
        assert snapshot(app) != before, f"{role}'s request succeeded but wrote nothing"
    else:
        assert snapshot(app) == before


def test_citizens_cannot_register_for_internal_or_draft_activities(app, client, records, snapshot):
    """The public writes have no role to check, but their records must be public: an internal activity and an
    activity of a draft plan are not found, by the page or the API, and nothing is written."""
    before = snapshot(app)
    for activity_id in (records.internal_id, records.draft_activity_id):
        page = client.post(f"/events/activities/{activity_id}/register", data=registration_body(records))
        api = client.post(
            f"/events/api/activities/{activity_id}/registrations", json=registration_body(records) | {"consent": True}
        )
        assert (page.status_code, api.status_code) == (404, 404), activity_id
        assert api.get_json()["error"]["code"] == "not_found"
    assert snapshot(app) == before
