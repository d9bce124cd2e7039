"""The check-in JSON API as scanners use it, each answer checked against /api/openapi.json: a volunteer scans where
assigned (and nowhere else), sees each verdict with its sentence, undoes within minutes; nobody else scans."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from sqlalchemy import update

from app.api_docs import load_spec
from app.extensions import db
from checkin.models import Scan
from checkin.services import tokens
from events.models import Activity

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


class _Request(WerkzeugOpenAPIRequest):
    # The app has read the request's body by now: openapi-core gets the bytes that were sent (responses are what
    # is checked here; the requests are the tests' own).
    def __init__(self, request, body: bytes):
        super().__init__(request)
        self._body = body

    @property
    def body(self) -> bytes:
        return self._body


def checked(openapi, response, body: bytes = b""):
    openapi.validate_response(_Request(response.request, body), WerkzeugOpenAPIResponse(response))
    return response


def scan(client, openapi, festival, token, checkpoint, nonce, device="phone-1", **extra):
    body = {
        "token": token,
        "checkpoint_id": checkpoint,
        "device_id": device,
        "nonce": nonce,
        "scanned_at": datetime.now(UTC).isoformat(),
        **extra,
    }
    sent = json.dumps(body).encode()
    response = client.post(
        "/checkin/api/scans", data=sent, content_type="application/json", headers={"X-CSRFToken": "CSRF off in tests"}
    )
    openapi.validate_request(_Request(response.request, sent))
    return checked(openapi, response, sent)


def undo(client, openapi, scan_id):
    return checked(openapi, client.post(f"/checkin/api/scans/{scan_id}/undo", headers={"X-CSRFToken": "off"}))


def scans_stored(app) -> int:
    with app.app_context():
        return db.session.query(Scan).count()


def test_a_volunteer_scans_at_the_entrance_and_sees_each_verdict(app, client, login, openapi, festival):
    f = festival
    login(f.volunteer)
    first = scan(client, openapi, f, f.tickets[0], f.entrance, "n-1")
    assert first.status_code == 201
    body = first.get_json()["scan"]
    assert (body["verdict"], body["admitted"], body["label"]) == ("admitted", True, "Hợp lệ")
    assert body["message"] == "Vé hợp lệ. Xin mời vào!"
    assert body["undo_until"] is not None and body["ticket_id"] == f.ids[0]

    # The phone lost the answer and sends the same scan again: the same answer, nothing new stored.
    resent = scan(client, openapi, f, f.tickets[0], f.entrance, "n-1")
    assert resent.status_code == 200 and resent.get_json() == first.get_json()

    # A second phone at the same gate: already checked in, when and where.
    again = scan(client, openapi, f, f.tickets[0], f.entrance, "n-2", device="phone-2").get_json()["scan"]
    first_time = datetime.fromisoformat(body["scanned_at"]).astimezone(TZ).strftime("%H:%M")
    assert again["verdict"] == "already_checked_in" and not again["admitted"]
    assert again["message"] == f"Vé đã được quét lúc {first_time} tại Cổng chính."
    assert again["first_checkpoint"] == "Cổng chính" and again["first_admitted_at"] == body["scanned_at"]

    refusals = {
        "revoked": scan(client, openapi, f, f.tickets[2], f.entrance, "n-3"),
        "other_activity": scan(client, openapi, f, f.tickets[3], f.entrance, "n-4"),
        "unknown": scan(client, openapi, f, "HTTPS://EXAMPLE.VN/NOT-A-TICKET", f.entrance, "n-5"),
    }
    for verdict, response in refusals.items():
        assert response.status_code == 201
        assert response.get_json()["scan"]["verdict"] == verdict and not response.get_json()["scan"]["admitted"]
    assert refusals["revoked"].get_json()["scan"]["message"] == "Vé này đã bị hủy: không cho vào."
    assert scans_stored(app) == 5  # every scan is logged, admitted or refused


def test_the_typed_code_works_when_the_camera_does_not(app, client, login, openapi, festival):
    f = festival
    login(f.volunteer)
    with app.app_context():
        code = tokens.short_code(f.ids[1], f.activity_id, app.config["SECRET_KEY"])
    assert scan(client, openapi, f, code, f.booth, "c-1").get_json()["scan"]["verdict"] == "admitted"
    assert scan(client, openapi, f, f.tickets[1], f.booth, "c-2").get_json()["scan"]["verdict"] == "already_checked_in"
    # typed as people do: a space or an en dash for the dash, or none, in lower case
    for n, typed in enumerate((code.replace("-", " "), code.replace("-", "\u2013"), code.replace("-", "").lower())):
        answer = scan(client, openapi, f, typed, f.entrance, f"c-{n + 3}").get_json()["scan"]
        assert answer["verdict"] == ("admitted" if n == 0 else "already_checked_in"), typed


def test_an_online_scan_is_judged_at_the_servers_time_not_the_phones(app, client, login, openapi, festival):
    f = festival
    login(f.volunteer)
    # A phone three days behind, before the festival began: the server's clock decides, the ticket is valid.
    behind = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    answer = scan(client, openapi, f, f.tickets[0], f.booth, "clock-1", scanned_at=behind).get_json()["scan"]
    assert answer["verdict"] == "admitted"
    assert abs(datetime.fromisoformat(answer["scanned_at"]) - datetime.now(UTC)) < timedelta(minutes=1)
    # Offline without the sync's stamp, or with a time before it: kept for review, nobody admitted.
    sync = client.get(f"/checkin/api/checkpoints/{f.entrance}/sync").get_json()
    queued = {"offline": True, "client_verdict": "admitted", "sync_stamp": sync["sync_stamp"]}
    early = scan(client, openapi, f, f.tickets[1], f.entrance, "clock-2", scanned_at=behind, **queued)
    assert early.status_code == 201 and early.get_json()["scan"]["verdict"] == "flagged"
    assert not early.get_json()["scan"]["admitted"]
    in_bound = scan(client, openapi, f, f.tickets[1], f.entrance, "clock-3", **queued).get_json()["scan"]
    assert in_bound["verdict"] == "admitted" and in_bound["offline"] is True


def test_a_nonce_sent_again_by_another_scanner_gets_no_one_elses_scan(app, client, login, openapi, make_user, festival):
    f = festival
    login(f.volunteer)
    mine = scan(client, openapi, f, f.tickets[0], f.entrance, "replayed", device="phone-a").get_json()["scan"]
    client.post("/logout")
    # A volunteer of another checkpoint posts the same device and nonce with any token.
    other = make_user("volunteer")
    with app.app_context():
        from checkin.models import CheckpointAssignment

        db.session.add(CheckpointAssignment(checkpoint_id=f.exit, user_id=other["id"]))
        db.session.commit()
    login(other)
    stolen = scan(client, openapi, f, "ANY TOKEN", f.exit, "replayed", device="phone-a")
    assert stolen.status_code == 409 and stolen.get_json()["error"]["code"] == "nonce_reused"
    body = stolen.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}  # nothing of the other scan
    assert str(mine["id"]) not in body["error"]["message"] and "admitted" not in stolen.get_data(as_text=True)
    assert scans_stored(app) == 1


def test_an_undo_gives_the_ticket_back_for_five_minutes_only(app, client, login, openapi, festival):
    f = festival
    login(f.volunteer)
    admitted = scan(client, openapi, f, f.tickets[0], f.booth, "u-1").get_json()["scan"]
    undone = undo(client, openapi, admitted["id"])
    assert undone.status_code == 200
    assert undone.get_json()["scan"]["undone"] is True and undone.get_json()["scan"]["undo_until"] is None
    assert scan(client, openapi, f, f.tickets[0], f.booth, "u-2").get_json()["scan"]["verdict"] == "admitted"

    later = scan(client, openapi, f, f.tickets[1], f.booth, "u-3").get_json()["scan"]
    with app.app_context():
        db.session.execute(
            update(Scan).where(Scan.id == later["id"]).values(received_at=datetime.now(UTC) - timedelta(minutes=6))
        )
        db.session.commit()
    expired = undo(client, openapi, later["id"])
    assert expired.status_code == 409 and expired.get_json()["error"]["code"] == "undo_expired"
    refused = scan(client, openapi, f, f.tickets[2], f.booth, "u-4").get_json()["scan"]
    nothing = undo(client, openapi, refused["id"])
    assert nothing.status_code == 409 and nothing.get_json()["error"]["code"] == "not_admitted"


def test_a_volunteer_scans_only_where_assigned(app, client, login, openapi, festival):
    f = festival
    login(f.volunteer)
    refused = scan(client, openapi, f, f.tickets[0], f.exit, "a-1")
    # Not assigned there: as if the checkpoint did not exist (its scope, app/scopes.py)
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    sync = checked(openapi, client.get(f"/checkin/api/checkpoints/{f.exit}/sync"))
    assert sync.status_code == 404
    assert scans_stored(app) == 0
    # An organizer scans at any checkpoint; then the volunteer may not undo the exit's scan.
    client.post("/logout")
    login(f.organizer)
    at_exit = scan(client, openapi, f, f.tickets[0], f.exit, "a-2")
    assert at_exit.status_code == 201
    client.post("/logout")
    login(f.volunteer)
    assert undo(client, openapi, at_exit.get_json()["scan"]["id"]).status_code == 404


def test_a_volunteer_cannot_list_attendees(client, login, festival):
    login(festival.volunteer)
    for url in (
        f"/events/activities/{festival.activity_id}/registrations",
        f"/events/activities/{festival.activity_id}/registrations.xlsx",
    ):
        assert client.get(url).status_code == 403
    sync = client.get(f"/checkin/api/checkpoints/{festival.entrance}/sync")
    assert sync.status_code == 200
    assert "Người tham dự" not in sync.get_data(as_text=True) and "09000" not in sync.get_data(as_text=True)


def test_only_scanners_reach_the_api(client, login, openapi, festival):
    f = festival
    anonymous = scan(client, openapi, f, f.tickets[0], f.entrance, "p-1")
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "sign_in_required"
    login(f.reporter)
    reporter = scan(client, openapi, f, f.tickets[0], f.entrance, "p-2")
    assert reporter.status_code == 403 and reporter.get_json()["error"]["code"] == "forbidden"
    assert checked(openapi, client.get(f"/checkin/api/checkpoints/{f.entrance}/sync")).status_code == 403


def test_the_sync_and_the_public_keys_let_a_scanner_check_tickets_alone(app, client, login, openapi, festival):
    f = festival
    login(f.volunteer)
    scan(client, openapi, f, f.tickets[0], f.entrance, "s-1")
    sync = checked(openapi, client.get(f"/checkin/api/checkpoints/{f.entrance}/sync"))
    assert sync.headers["Cache-Control"] == "no-store"
    body = sync.get_json()
    assert body["checkpoint"]["rule"] == "once_per_day" and body["timezone"] == "Asia/Ho_Chi_Minh"
    assert body["revoked"] == [f.ids[2]]
    assert [(row["ticket_id"], row["checkpoint"]) for row in body["admitted"]] == [(f.ids[0], "Cổng chính")]

    client.post("/logout")
    keys = checked(openapi, client.get("/checkin/api/keys"))  # public
    assert keys.get_json()["keys"] == body["keys"]
    # The served key verifies the ticket, as the scanner's WebCrypto would.
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    served = keys.get_json()["keys"][0]
    raw = base64.urlsafe_b64decode(served["public_key"] + "=")
    ticket = tokens.verify(f.tickets[0], {served["id"]: Ed25519PublicKey.from_public_bytes(raw)})
    assert (ticket.ticket_id, ticket.activity_id) == (f.ids[0], f.activity_id)


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ([1, 2], 400, None),
        ({"token": "", "checkpoint_id": "1", "device_id": "a b", "nonce": "x" * 65, "scanned_at": "hôm nay"}, 422,
         {"token", "checkpoint_id", "device_id", "nonce", "scanned_at"}),
        ({"token": "A\x00", "checkpoint_id": True, "device_id": "d", "nonce": "n", "scanned_at": "2024-10-05T09:00:00",
          "offline": "yes", "client_verdict": "maybe"}, 422,
         {"token", "checkpoint_id", "scanned_at", "offline", "client_verdict"}),
        # Found by the fuzz below: a list where a string belongs was a server error.
        ({"token": ["A"], "checkpoint_id": 1, "device_id": "d", "nonce": "n", "scanned_at": "2024-10-05T09:00:00Z",
          "client_verdict": ["admitted"]}, 422, {"token", "client_verdict"}),
    ],
)  # fmt: skip
def test_a_malformed_scan_is_refused_with_a_reason_per_field(
    app, client, login, openapi, festival, body, status, fields
):
    login(festival.volunteer)
    response = client.post("/checkin/api/scans", json=body, headers={"X-CSRFToken": "off"})
    checked(openapi, response, json.dumps(body).encode())  # the error answer is one the description allows
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == ("bad_request" if status == 400 else "invalid")
    if fields:
        assert set(error["fields"]) == fields
    assert scans_stored(app) == 0


def test_what_the_description_calls_valid_is_taken(app, client, login, openapi, festival):
    """JSON Schema's integer includes 281.0; a typed code may hold a zero-width space from copy and paste. Neither
    is a malformed scan."""
    f = festival
    login(f.volunteer)
    whole = scan(client, openapi, f, f.tickets[0], float(f.entrance), "float-1")
    assert whole.status_code == 201 and whole.get_json()["scan"]["checkpoint_id"] == f.entrance
    with app.app_context():
        code = tokens.short_code(f.ids[0], f.activity_id, app.config["SECRET_KEY"])
    pasted = scan(client, openapi, f, code.replace("-", "\u200b-"), f.booth, "zw-1")
    assert pasted.status_code == 201 and pasted.get_json()["scan"]["verdict"] == "admitted"
    half = client.post(
        "/checkin/api/scans",
        json={
            "token": "x",
            "checkpoint_id": f.entrance + 0.5,
            "device_id": "d",
            "nonce": "n",
            "scanned_at": "2024-10-05T09:00:00Z",
        },
        headers={"X-CSRFToken": "off"},
    )
    assert half.status_code == 422 and set(half.get_json()["error"]["fields"]) == {"checkpoint_id"}


def test_a_scan_at_an_unknown_checkpoint_is_not_found(client, login, openapi, festival):
    login(festival.organizer)
    response = scan(client, openapi, festival, festival.tickets[0], 999_999, "x-1")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_a_scan_without_its_csrf_token_is_refused_when_csrf_is_on(make_app, login, festival):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    # Sign in through the form, with its token, as a volunteer does.
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"login": festival.volunteer["email"], "password": "mat-khau-thu-nghiem", "csrf_token": csrf}
    )
    body = {
        "token": festival.tickets[0],
        "checkpoint_id": festival.entrance,
        "device_id": "phone-1",
        "nonce": "csrf-1",
        "scanned_at": datetime.now(UTC).isoformat(),
    }
    refused = client.post("/checkin/api/scans", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    accepted = client.post("/checkin/api/scans", json=body, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201 and accepted.get_json()["scan"]["verdict"] == "admitted"


def test_generated_scans_from_a_signed_in_scanner_never_make_the_server_fail(app, client, login, festival):
    """schemathesis generates valid and invalid requests for the check-in operations from the served description
    and sends them as the signed-in organizer; half aim at a real checkpoint with a real ticket so the fuzz gets
    past the shape checks. No server error, every answer is one the description allows, and no request the
    description calls valid is refused as malformed (the description states what the server enforces)."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        positive_data_acceptance,
        response_schema_conformance,
        status_code_conformance,
    )

    login(festival.organizer)
    session_cookie = client.get_cookie("session").value
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance, positive_data_acceptance]
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path.startswith("/checkin/")]
    assert {op.label for op in operations} == {
        "GET /checkin/api/keys",
        "GET /checkin/api/checkpoints/{checkpoint_id}/sync",
        "POST /checkin/api/scans",
        "POST /checkin/api/scans/{scan_id}/undo",
    }
    fuzz_settings = settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    for operation in operations:
        modes = [schemathesis.GenerationMode.POSITIVE]
        if any(operation.iter_parameters()) or len(operation.body):  # nothing to make invalid in GET keys
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        for mode in modes:

            @fuzz_settings
            @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans())
            def fuzz(case, aim):
                if aim and isinstance(case.body, dict):
                    now = datetime.now(UTC).isoformat()
                    case.body.update(token=festival.tickets[0], checkpoint_id=festival.entrance, scanned_at=now)
                if aim and case.path_parameters and "checkpoint_id" in case.path_parameters:
                    case.path_parameters["checkpoint_id"] = festival.entrance
                case.cookies = {**(case.cookies or {}), "session": session_cookie}
                response = case.call(headers={"X-CSRFToken": "CSRF is off in TestConfig"})
                case.validate_response(response, checks=checks)

            fuzz()
    assert scans_stored(app) > 0  # the signed-in fuzz got past the guard and the shape checks, and scanned


def test_a_scanner_account_past_its_scan_limit_is_told_to_wait_and_nothing_is_stored(
    make_app, sign_in, openapi, festival
):
    app = make_app(SCAN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    sign_in(client, festival.volunteer["id"])
    answers = [scan(client, openapi, festival, festival.tickets[i], festival.booth, f"limit-{i}") for i in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    refused = answers[-1]
    assert refused.get_json()["error"]["code"] == "rate_limited" and int(refused.headers["Retry-After"]) > 0
    assert scans_stored(app) == 3
    # the limit is the account's, not the address's: another volunteer's phone on the same Wi-Fi still scans
    other = app.test_client()
    sign_in(other, festival.organizer["id"])
    assert scan(other, openapi, festival, festival.tickets[3], festival.booth, "limit-other").status_code == 201


def test_a_scan_costs_a_fixed_few_statements(app, client, login, openapi, festival, count_queries):
    """The redeem API is the gate's hot path: a first admission, an "already checked in" and a resent nonce each
    take a fixed number of SQL statements (the session's user, the checkpoint within the volunteer's scope, the
    ticket, the insert...), however many scans the checkpoint holds."""
    f = festival
    login(f.volunteer)
    scan(client, openapi, f, f.tickets[1], f.entrance, "warm-up")
    counted = {}
    for label, ticket, nonce in (("admitted", 0, "rt-1"), ("already", 0, "rt-2"), ("resent", 0, "rt-2")):
        with count_queries() as statements:
            scan(client, openapi, f, f.tickets[ticket], f.entrance, nonce)
        counted[label] = len(statements)
    # As before the phone's clock and the resent nonce's owner were checked (issue 22): no statement more; the
    # checkpoint and its assignment are one statement since the scope moved onto the model (issue 24): one less.
    # Issue 25: an admission is one statement (the INSERT … SELECT that checks the session, the role, the scope and
    # the ticket; 6 before); a scan it does not admit then goes the long way, one statement more than before.
    assert counted == {"admitted": 1, "already": 10, "resent": 9}


def test_a_ticket_for_another_day_says_which_day_it_is_for(app, client, login, openapi, festival):
    """The volunteer can tell the person when to come back: the ticket's day, in the sentence under the verdict."""
    f = festival
    with app.app_context():
        starts = datetime(2099, 10, 2, 7, 30, tzinfo=TZ)
        db.session.execute(
            update(Activity)
            .where(Activity.id == f.activity_id)
            .values(starts_at=starts, ends_at=starts + timedelta(hours=9))
        )
        db.session.commit()
    login(f.volunteer)
    body = scan(client, openapi, f, f.tickets[0], f.entrance, "day-1").get_json()["scan"]
    assert body["verdict"] == "other_day" and not body["admitted"]
    assert "(02/10/2099)" in body["message"].replace("ticket for ", "").replace("vé ngày ", "")
