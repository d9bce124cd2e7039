"""Who may open which page: one row per page, one column per role."""

import pytest

ROLES = ["anonymous", "admin", "organizer", "unit_reporter", "volunteer", "juror", "appraiser"]
OPEN = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {"anonymous": 302, "admin": 200, **dict.fromkeys(ROLES[2:], 403)}

PAGES = {
    "/": OPEN,
    "/events/": OPEN,
    "/events/calendar": OPEN,
    "/contests/": OPEN,
    "/login": {**OPEN, **dict.fromkeys(ROLES[1:], 302)},  # signed-in users are sent home
    "/checkin/": {**STAFF_ONLY, "organizer": 200, "volunteer": 200},
    "/admin/units": {**STAFF_ONLY, "organizer": 200},
    "/admin/units/new": {**STAFF_ONLY, "organizer": 200},
    "/admin/users": STAFF_ONLY,
    "/admin/users/new": STAFF_ONLY,
    "/admin/audit": STAFF_ONLY,
    "/admin/jobs": STAFF_ONLY,
    "/account/password": {**dict.fromkeys(ROLES, 200), "anonymous": 302},
    "/api/openapi.json": OPEN,
}

CASES = [(path, role, expected[role]) for path, expected in PAGES.items() for role in ROLES]


@pytest.mark.parametrize(("path", "role", "expected"), CASES, ids=[f"{p} as {r}" for p, r, _ in CASES])
def test_role_access(client, make_user, login, path, role, expected):
    if role != "anonymous":
        assert login(make_user(role)).status_code == 302
    response = client.get(path)
    assert response.status_code == expected
    if expected == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login?next=")
    if expected == 403:
        assert "Bạn không có quyền" in response.get_data(as_text=True)


def test_every_core_view_is_covered_by_the_access_table(app):
    """A new core page must be added to PAGES so its access is decided, not forgotten. (Each feature's own pages
    have their access tables in that feature's tests.)"""
    covered = {path.rstrip("/") for path in PAGES}
    exempt = {"main.set_language", "main.healthz", "auth.logout"}
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in {"main", "auth", "admin", "api_docs"}
        and rule.endpoint not in exempt
        and "GET" in rule.methods
        and not rule.arguments
        and rule.rule.rstrip("/") not in covered
    ]
    assert missing == []


def test_json_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": response.get_json()["error"]["message"]}}
    assert response.get_json()["error"]["message"]


def test_api_paths_answer_errors_as_json_whatever_the_accept_header(client):
    response = client.get("/events/api/activities/1/registrations")  # POST only
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    response = client.get("/events/api/activities/abc/registration")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
