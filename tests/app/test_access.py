"""Who may open which page: one row per page (every GET rule of every blueprint, from the route map), one
expected status per role.

Pages of internal records (a draft plan, an internal activity, an activity of a draft plan) are 404 for
everyone but organizers: their existence is not revealed."""

import pytest

ROLES = ["anonymous", "admin", "organizer", "unit_reporter", "volunteer", "juror", "appraiser"]
OPEN = dict.fromkeys(ROLES, 200)
STAFF_ONLY = {"anonymous": 302, "admin": 200, **dict.fromkeys(ROLES[2:], 403)}
ORGANIZERS = {**STAFF_ONLY, "organizer": 200}
INTERNAL = {**dict.fromkeys(ROLES, 404), "admin": 200, "organizer": 200}
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": 302}
QUIZ_REDIRECT = dict.fromkeys(ROLES, 303)  # the attempt's address sends on to where the participant stopped
CHECKIN_DESK = {**STAFF_ONLY, "organizer": 200, "volunteer": 200}

# rule -> {case: (url from the records fixture, expected status per role)}; a rule may have several cases
# (a public record and an internal one).
PAGES = {
    "/": {"home": (lambda r: "/", OPEN)},
    "/healthz": {"health": (lambda r: "/healthz", OPEN)},
    "/api/openapi.json": {"API description": (lambda r: "/api/openapi.json", OPEN)},
    "/login": {"sign-in": (lambda r: "/login", {**OPEN, **dict.fromkeys(ROLES[1:], 302)})},  # signed in: sent home
    "/account/password": {"password": (lambda r: "/account/password", SIGNED_IN)},
    "/admin/units": {"units": (lambda r: "/admin/units", ORGANIZERS)},
    "/admin/units/new": {"new unit": (lambda r: "/admin/units/new", ORGANIZERS)},
    "/admin/units/<int:unit_id>": {"unit": (lambda r: f"/admin/units/{r.ward_id}", ORGANIZERS)},
    "/admin/users": {"users": (lambda r: "/admin/users", STAFF_ONLY)},
    "/admin/users/new": {"new user": (lambda r: "/admin/users/new", STAFF_ONLY)},
    "/admin/users/<int:user_id>": {"user": (lambda r: f"/admin/users/{r.users['volunteer']}", STAFF_ONLY)},
    "/admin/audit": {"audit": (lambda r: "/admin/audit", STAFF_ONLY)},
    "/admin/jobs": {"jobs": (lambda r: "/admin/jobs", STAFF_ONLY)},
    "/checkin/": {"check-in": (lambda r: "/checkin/", {**STAFF_ONLY, "organizer": 200, "volunteer": 200})},
    "/checkin/checkpoints/<int:checkpoint_id>/scan": {
        "scanner, assigned": (
            lambda r: f"/checkin/checkpoints/{r.checkpoint_id}/scan",
            {**STAFF_ONLY, "organizer": 200, "volunteer": 200},
        ),
        "scanner, not assigned": (
            lambda r: f"/checkin/checkpoints/{r.unassigned_checkpoint_id}/scan",
            {**STAFF_ONLY, "organizer": 200, "volunteer": 404},  # out of the volunteer's scope: not found
        ),
    },
    "/checkin/scanner-sw.js": {"scanner service worker": (lambda r: "/checkin/scanner-sw.js", OPEN)},
    "/checkin/activities/<int:activity_id>/review": {
        "double admissions": (lambda r: f"/checkin/activities/{r.activity_id}/review", ORGANIZERS)
    },
    # check-in, the organizer's side: checkpoints, walk-ins, badges, counts, the big screen
    "/checkin/activities/<int:activity_id>/checkpoints": {
        "checkpoints": (lambda r: f"/checkin/activities/{r.activity_id}/checkpoints", ORGANIZERS)
    },
    "/checkin/activities/<int:activity_id>/checkpoints/new": {
        "new checkpoint": (lambda r: f"/checkin/activities/{r.activity_id}/checkpoints/new", ORGANIZERS)
    },
    "/checkin/checkpoints/<int:checkpoint_id>/edit": {
        "edit checkpoint": (lambda r: f"/checkin/checkpoints/{r.checkpoint_id}/edit", ORGANIZERS)
    },
    "/checkin/checkpoints/<int:checkpoint_id>/delete": {
        "remove checkpoint": (lambda r: f"/checkin/checkpoints/{r.checkpoint_id}/delete", ORGANIZERS)
    },
    # The volunteer of the records scans at the festival: they register walk-ins there.
    "/checkin/activities/<int:activity_id>/walk-in": {
        "walk-in desk": (lambda r: f"/checkin/activities/{r.activity_id}/walk-in", CHECKIN_DESK)
    },
    "/checkin/activities/<int:activity_id>/walk-in/<token>": {
        "walk-in ticket": (lambda r: f"/checkin/activities/{r.activity_id}/walk-in/{r.token}", CHECKIN_DESK)
    },
    "/checkin/activities/<int:activity_id>/badges": {
        "badges": (lambda r: f"/checkin/activities/{r.activity_id}/badges", ORGANIZERS)
    },
    # No sheet has been built in the records: organizers are told so (404), the others are refused first.
    "/checkin/badges/<int:job_id>.pdf": {
        "badge sheet": (lambda r: "/checkin/badges/1.pdf", {**STAFF_ONLY, "admin": 404, "organizer": 404})
    },
    "/checkin/activities/<int:activity_id>/counts": {
        "live counts": (lambda r: f"/checkin/activities/{r.activity_id}/counts", ORGANIZERS)
    },
    "/checkin/activities/<int:activity_id>/screen": {
        "public big screen": (lambda r: f"/checkin/activities/{r.activity_id}/screen", OPEN),
        "internal big screen": (lambda r: f"/checkin/activities/{r.internal_id}/screen", INTERNAL),
    },
    "/checkin/plans/<int:plan_id>/screen": {
        "campaign big screen": (lambda r: f"/checkin/plans/{r.plan_id}/screen?activity={r.activity_id}", OPEN),
        "its internal activity": (lambda r: f"/checkin/plans/{r.plan_id}/screen?activity={r.internal_id}", INTERNAL),
        "draft plan's screen": (
            lambda r: f"/checkin/plans/{r.draft_plan_id}/screen?activity={r.draft_activity_id}",
            INTERNAL,
        ),
    },
    # The ticket's QR image: whoever holds the registration's secret link (the records' registration is confirmed).
    "/checkin/tickets/<token>.png": {"ticket QR": (lambda r: f"/checkin/tickets/{r.token}.png", OPEN)},
    "/checkin/api/keys": {"ticket keys": (lambda r: "/checkin/api/keys", OPEN)},
    "/checkin/api/checkpoints/<int:checkpoint_id>/sync": {
        # JSON: 401 rather than a redirect when signed out; the volunteer is assigned to this checkpoint.
        "scanner sync": (
            lambda r: f"/checkin/api/checkpoints/{r.checkpoint_id}/sync",
            {**STAFF_ONLY, "anonymous": 401, "organizer": 200, "volunteer": 200},
        )
    },
    "/contests/": {"contests": (lambda r: "/contests/", OPEN)},
    # contests: the online quiz
    "/contests/<int:contest_id>": {"quiz": (lambda r: f"/contests/{r.quiz.contest_id}", OPEN)},
    "/contests/<int:contest_id>/join": {"quiz sign-up": (lambda r: f"/contests/{r.quiz.contest_id}/join", OPEN)},
    "/contests/<int:contest_id>/return": {"quiz return": (lambda r: f"/contests/{r.quiz.contest_id}/return", OPEN)},
    "/contests/<int:contest_id>/return/code": {
        "quiz code, none asked": (lambda r: f"/contests/{r.quiz.contest_id}/return/code", QUIZ_REDIRECT)
    },
    "/contests/<int:contest_id>/return/other": {
        "quiz fallback": (lambda r: f"/contests/{r.quiz.contest_id}/return/other", OPEN)
    },
    "/contests/me/<token>": {"participant's rounds": (lambda r: f"/contests/me/{r.quiz.token}", OPEN)},
    "/contests/me/<token>/rounds/<int:round_id>": {
        "resume": (lambda r: f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}", QUIZ_REDIRECT)
    },
    "/contests/me/<token>/rounds/<int:round_id>/questions/<int:position>": {
        "question": (lambda r: f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/questions/1", OPEN)
    },
    "/contests/me/<token>/rounds/<int:round_id>/review": {
        "review": (lambda r: f"/contests/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/review", OPEN)
    },
    "/contests/me/<token>/rounds/<int:round_id>/result": {
        "result": (lambda r: f"/contests/me/{r.quiz.winner_token}/rounds/{r.quiz.closed_round_id}/result", OPEN)
    },
    "/contests/api/me/<token>/rounds/<int:round_id>/attempt": {
        "attempt state": (lambda r: f"/contests/api/me/{r.quiz.token}/rounds/{r.quiz.open_round_id}/attempt", OPEN)
    },
    "/contests/rounds/<int:round_id>/results": {
        "closed round's results": (lambda r: f"/contests/rounds/{r.quiz.closed_round_id}/results", OPEN),
        "open round's results": (
            lambda r: f"/contests/rounds/{r.quiz.open_round_id}/results",
            dict.fromkeys(ROLES, 404),
        ),
    },
    "/contests/<int:contest_id>/rounds": {"rounds": (lambda r: f"/contests/{r.quiz.contest_id}/rounds", ORGANIZERS)},
    "/contests/<int:contest_id>/rounds/new": {
        "new round": (lambda r: f"/contests/{r.quiz.contest_id}/rounds/new", ORGANIZERS)
    },
    "/contests/rounds/<int:round_id>/edit": {
        "round form": (lambda r: f"/contests/rounds/{r.quiz.open_round_id}/edit", ORGANIZERS)
    },
    "/contests/rounds/<int:round_id>/close": {
        "confirm closing": (lambda r: f"/contests/rounds/{r.quiz.open_round_id}/close", ORGANIZERS)
    },
    "/contests/rounds/<int:round_id>/open": {
        "confirm opening now": (lambda r: f"/contests/rounds/{r.quiz.later_round_id}/open", ORGANIZERS)
    },
    "/contests/rounds/<int:round_id>/recompute": {
        "confirm recomputing": (lambda r: f"/contests/rounds/{r.quiz.closed_round_id}/recompute", ORGANIZERS)
    },
    "/contests/<int:contest_id>/populations": {
        "population figures": (lambda r: f"/contests/{r.quiz.contest_id}/populations", ORGANIZERS)
    },
    "/contests/<int:contest_id>/questions": {
        "question bank": (lambda r: f"/contests/{r.quiz.contest_id}/questions", ORGANIZERS)
    },
    "/contests/<int:contest_id>/questions/new": {
        "new question": (lambda r: f"/contests/{r.quiz.contest_id}/questions/new", ORGANIZERS)
    },
    "/contests/questions/<int:question_id>/edit": {
        "question form": (lambda r: f"/contests/questions/{r.quiz.question_id}/edit", ORGANIZERS)
    },
    "/contests/<int:contest_id>/questions/import": {
        "question import": (lambda r: f"/contests/{r.quiz.contest_id}/questions/import", ORGANIZERS)
    },
    "/contests/questions/import-template.xlsx": {
        "question template": (lambda r: "/contests/questions/import-template.xlsx", ORGANIZERS)
    },
    "/contests/rounds/<int:round_id>/flags": {
        "flags": (lambda r: f"/contests/rounds/{r.quiz.closed_round_id}/flags", ORGANIZERS)
    },
    "/contests/rounds/<int:round_id>/ranking": {
        "full ranking": (lambda r: f"/contests/rounds/{r.quiz.closed_round_id}/ranking", ORGANIZERS),
        "live counts": (lambda r: f"/contests/rounds/{r.quiz.open_round_id}/ranking", ORGANIZERS),
    },
    "/contests/<int:contest_id>/topics": {"topics": (lambda r: f"/contests/{r.quiz.contest_id}/topics", ORGANIZERS)},
    "/contests/question-images/<name>": {
        # A picture is public (participants see it); a name that is not a stored picture's is not found.
        "missing picture": (lambda r: f"/contests/question-images/{'0' * 64}-10x10.png", dict.fromkeys(ROLES, 404)),
        "not a picture's name": (lambda r: "/contests/question-images/..%2Fsecret_key", dict.fromkeys(ROLES, 404)),
    },
    "/contests/rounds/<int:round_id>/export.<any(xlsx, csv):fmt>": {
        "export xlsx": (lambda r: f"/contests/rounds/{r.quiz.closed_round_id}/export.xlsx", ORGANIZERS),
        "export csv": (lambda r: f"/contests/rounds/{r.quiz.closed_round_id}/export.csv", ORGANIZERS),
    },
    # events: public pages
    "/events/": {"plans": (lambda r: "/events/", OPEN)},
    "/events/calendar": {"calendar": (lambda r: "/events/calendar", OPEN)},
    "/events/plans/<int:plan_id>": {
        "published plan": (lambda r: f"/events/plans/{r.plan_id}", OPEN),
        "draft plan": (lambda r: f"/events/plans/{r.draft_plan_id}", INTERNAL),
    },
    "/events/activities/<int:activity_id>": {
        "public activity": (lambda r: f"/events/activities/{r.activity_id}", OPEN),
        "internal activity": (lambda r: f"/events/activities/{r.internal_id}", INTERNAL),
        "draft plan's activity": (lambda r: f"/events/activities/{r.draft_activity_id}", INTERNAL),
    },
    "/events/activities/<int:activity_id>/register": {
        "public sign-up": (lambda r: f"/events/activities/{r.activity_id}/register", OPEN),
        "internal sign-up": (lambda r: f"/events/activities/{r.internal_id}/register", dict.fromkeys(ROLES, 404)),
        "draft plan's sign-up": (
            lambda r: f"/events/activities/{r.draft_activity_id}/register",
            dict.fromkeys(ROLES, 404),
        ),
    },
    "/events/api/activities/<int:activity_id>/registration": {
        "public seats": (lambda r: f"/events/api/activities/{r.activity_id}/registration", OPEN),
        "internal seats": (
            lambda r: f"/events/api/activities/{r.internal_id}/registration",
            dict.fromkeys(ROLES, 404),
        ),
        "draft plan's seats": (
            lambda r: f"/events/api/activities/{r.draft_activity_id}/registration",
            dict.fromkeys(ROLES, 404),
        ),
    },
    "/events/registrations/find": {"find my registration": (lambda r: "/events/registrations/find", OPEN)},
    "/events/registrations/<token>": {"ticket": (lambda r: f"/events/registrations/{r.token}", OPEN)},
    # events: feeds
    "/events/activities/<int:activity_id>.ics": {
        "public activity feed": (lambda r: f"/events/activities/{r.activity_id}.ics", OPEN),
        "internal activity feed": (lambda r: f"/events/activities/{r.internal_id}.ics", INTERNAL),
        "draft plan's activity feed": (lambda r: f"/events/activities/{r.draft_activity_id}.ics", INTERNAL),
    },
    "/events/plans/<int:plan_id>/calendar.ics": {
        "plan feed": (lambda r: f"/events/plans/{r.plan_id}/calendar.ics", OPEN),
        "draft plan feed": (lambda r: f"/events/plans/{r.draft_plan_id}/calendar.ics", dict.fromkeys(ROLES, 404)),
    },
    "/events/kinds/<kind>/calendar.ics": {"kind feed": (lambda r: "/events/kinds/festival/calendar.ics", OPEN)},
    "/events/units/<int:unit_id>/calendar.ics": {
        "unit feed": (lambda r: f"/events/units/{r.ward_id}/calendar.ics", OPEN)
    },
    # events: the organizers' pages
    "/events/plans/new": {"new plan": (lambda r: "/events/plans/new", ORGANIZERS)},
    "/events/plans/<int:plan_id>/edit": {"plan form": (lambda r: f"/events/plans/{r.plan_id}/edit", ORGANIZERS)},
    "/events/plans/<int:plan_id>/activities/new": {
        "new activity": (lambda r: f"/events/plans/{r.plan_id}/activities/new", ORGANIZERS)
    },
    "/events/activities/<int:activity_id>/edit": {
        "activity form": (lambda r: f"/events/activities/{r.activity_id}/edit", ORGANIZERS)
    },
    "/events/activities/<int:activity_id>/stops/new": {
        "new stop": (lambda r: f"/events/activities/{r.tour_id}/stops/new", ORGANIZERS)
    },
    "/events/stops/<int:stop_id>/edit": {"stop form": (lambda r: f"/events/stops/{r.stop_ids[0]}/edit", ORGANIZERS)},
    "/events/venues": {"venues": (lambda r: "/events/venues", ORGANIZERS)},
    "/events/venues/new": {"new venue": (lambda r: "/events/venues/new", ORGANIZERS)},
    "/events/venues/<int:venue_id>": {"venue form": (lambda r: f"/events/venues/{r.venue_id}", ORGANIZERS)},
    "/events/activities/<int:activity_id>/registrations": {
        "registrations": (lambda r: f"/events/activities/{r.activity_id}/registrations", ORGANIZERS)
    },
    "/events/activities/<int:activity_id>/registrations.xlsx": {
        "registrations export": (lambda r: f"/events/activities/{r.activity_id}/registrations.xlsx", ORGANIZERS)
    },
    "/events/activities/<int:activity_id>/cancel": {
        "confirm cancelling": (lambda r: f"/events/activities/{r.activity_id}/cancel", ORGANIZERS)
    },
    "/events/activities/<int:activity_id>/restore": {
        "confirm restoring": (lambda r: f"/events/activities/{r.cancelled_id}/restore", ORGANIZERS)
    },
    "/events/stops/<int:stop_id>/delete": {
        "confirm removing a stop": (lambda r: f"/events/stops/{r.stop_ids[1]}/delete", ORGANIZERS)
    },
    "/events/programme/<int:item_id>/edit": {
        "programme item form": (lambda r: f"/events/programme/{r.item_id}/edit", ORGANIZERS)
    },
    "/events/programme/<int:item_id>/delete": {
        "confirm removing an item": (lambda r: f"/events/programme/{r.item_id}/delete", ORGANIZERS)
    },
    "/events/plans/<int:plan_id>/import": {"import": (lambda r: f"/events/plans/{r.plan_id}/import", ORGANIZERS)},
    "/events/import-template.xlsx": {"import template": (lambda r: "/events/import-template.xlsx", ORGANIZERS)},
    "/events/plans/<int:plan_id>/copy": {
        "copy to next year": (lambda r: f"/events/plans/{r.plan_id}/copy", ORGANIZERS)
    },
    "/events/plans/<int:plan_id>/review-years": {
        "texts to review after a copy": (lambda r: f"/events/plans/{r.plan_id}/review-years", ORGANIZERS)
    },
    "/events/plans/<int:plan_id>/export.xlsx": {
        "export": (lambda r: f"/events/plans/{r.plan_id}/export.xlsx", ORGANIZERS)
    },
}
# GET rules that are not pages, and why.
NOT_PAGES = {"/static/<path:filename>": "files from static/, the same for everyone"}


def group_of(rule: str, expected: dict) -> str:
    """Pages are checked in a few groups (one database and one client per group keeps the table fast)."""
    if rule.startswith("/contests/"):
        return "contests: organizers' pages" if expected is ORGANIZERS else "contests: quiz pages"
    if not rule.startswith("/events"):
        return "core pages"
    if expected is ORGANIZERS:
        return "events: organizers' pages"
    return "events: feeds" if rule.endswith(".ics") else "events: public pages"


GROUPS: dict[str, list[tuple[str, str]]] = {}
for _rule, _cases in PAGES.items():
    for _case, (_url, _expected) in _cases.items():
        GROUPS.setdefault(group_of(_rule, _expected), []).append((_rule, _case))


def test_every_page_has_a_row(app):
    """A new page must be added to PAGES so its access is decided, not forgotten."""
    rules = {rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    assert rules - set(NOT_PAGES) == set(PAGES)
    assert all(set(expected) == set(ROLES) for cases in PAGES.values() for _url, expected in cases.values())


@pytest.mark.parametrize("group", GROUPS)
def test_role_access(app, client, records, sign_in, group):
    wrong = []
    for role in ROLES:
        sign_in(client, None if role == "anonymous" else records.users[role])
        for rule, case in GROUPS[group]:
            url_for_records, expected = PAGES[rule][case]
            url = url_for_records(records)
            response = client.get(url)
            if response.status_code != expected[role]:
                wrong.append(f"{case} ({url}) as {role}: {response.status_code}, expected {expected[role]}")
            elif response.status_code == 302 and role == "anonymous":
                assert response.headers["Location"].startswith("/login?next="), url
            elif response.status_code == 403:
                said = response.get_json()["error"]["message"] if response.is_json else response.get_data(as_text=True)
                assert "Bạn không có quyền" in said, url
    assert wrong == []


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
