"""The redeem API's hot path (issue 25): an admission is one INSERT … SELECT that reads the checkpoint, its activity
and the registration and checks the scanner's session, role and assignment in the same statement. These tests hold
it to what the long way (``scans.redeem`` after ``current_user`` and ``get_in_scope``) decides: the same verdicts,
the same refusals, and no interval in which a stale session may still scan."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openapi_core import OpenAPI
from sqlalchemy import delete, update

from app.api_docs import load_spec
from app.extensions import db
from app.models import User, UserRole
from app.views import LANG_COOKIE
from checkin.keys import verifying_keys
from checkin.models import Checkpoint, CheckpointAssignment, CheckpointRule, ScanVerdict
from checkin.services import scans, tokens
from events.models import Activity, Registration
from tests.checkin.test_api import scan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=TZ).astimezone(UTC)


def test_an_admission_is_one_statement_for_a_volunteer_and_an_organizer(
    app, client, login, openapi, festival, count_queries
):
    """The gate's hot path: no account loaded, no checkpoint read apart, no rate-limit key that needs the account."""
    f = festival
    counted = {}
    for who, ticket, nonce in (("volunteer", 0, "one-1"), ("organizer", 1, "one-2")):
        login(getattr(f, who))
        scan(client, openapi, f, f.tickets[1 - ticket], f.exit if who == "organizer" else f.booth, f"warm-{who}")
        with count_queries() as statements:
            answer = scan(client, openapi, f, f.tickets[ticket], f.entrance, nonce)
        assert answer.status_code == 201 and answer.get_json()["scan"]["admitted"]
        counted[who] = len(statements)
        client.post("/logout")
    assert counted == {"volunteer": 1, "organizer": 1}


def test_who_may_scan_is_checked_at_the_very_next_scan(app, client, login, openapi, festival):
    """Nothing about the scanner is kept between scans (the interval is zero, as /api/openapi.json says): an
    unassigned volunteer is refused (404) at the next scan, reassigned scans again; a volunteer whose role is taken
    away is refused (403); a deactivated one, or one whose password changed elsewhere, is signed out (401)."""
    f = festival
    login(f.volunteer)
    nonces = iter(f"next-{n}" for n in range(20))

    def status(ticket=0) -> int:
        return scan(client, openapi, f, f.tickets[ticket], f.entrance, next(nonces)).status_code

    assert status() == 201
    with app.app_context():
        db.session.execute(
            delete(CheckpointAssignment).where(
                CheckpointAssignment.checkpoint_id == f.entrance, CheckpointAssignment.user_id == f.volunteer["id"]
            )
        )
        db.session.commit()
    assert status(1) == 404
    with app.app_context():
        db.session.add(CheckpointAssignment(checkpoint_id=f.entrance, user_id=f.volunteer["id"]))
        db.session.commit()
    assert status(1) == 201
    with app.app_context():
        db.session.execute(delete(UserRole).where(UserRole.user_id == f.volunteer["id"]))
        db.session.commit()
    assert status() == 403
    with app.app_context():
        db.session.add(UserRole(user_id=f.volunteer["id"], role="volunteer"))
        db.session.commit()
    assert status() == 201  # already checked in today, but a scan: the session still stands
    with app.app_context():
        user = db.session.get(User, f.volunteer["id"])
        user.active = False
        user.end_all_sessions()  # what deactivating an account does (app.services.save_user)
        db.session.commit()
    answer = scan(client, openapi, f, f.tickets[0], f.entrance, next(nonces))
    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "sign_in_required"


def test_an_old_session_cookie_scans_nothing_and_spends_its_own_limit(make_app, sign_in, openapi, festival):
    """A cookie from before a password change (its session version is old) is refused, and its scans count against
    a limit of its own: whoever holds it cannot use up the owner's."""
    app = make_app(SCAN_RATE_LIMIT="2 per minute")
    with app.app_context():
        db.session.execute(update(User).where(User.id == festival.volunteer["id"]).values(session_version=1))
        db.session.commit()
    stale, owner = app.test_client(), app.test_client()
    sign_in(stale, festival.volunteer["id"])  # version 0
    with owner.session_transaction() as sess:
        sess["_user_id"] = f"{festival.volunteer['id']}:1"
    answers = [scan(stale, openapi, festival, festival.tickets[0], festival.booth, f"old-{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert scan(owner, openapi, festival, festival.tickets[0], festival.booth, "owner-1").status_code == 201


def test_the_answer_speaks_the_account_language_without_loading_the_account(app, client, login, openapi, festival):
    f = festival
    with app.app_context():
        db.session.execute(update(User).where(User.id == f.volunteer["id"]).values(locale="en"))
        db.session.commit()
    login(f.volunteer)
    body = scan(client, openapi, f, f.tickets[0], f.entrance, "lang-1").get_json()["scan"]
    assert (body["label"], body["message"]) == ("Valid", "Valid ticket. Welcome!")
    client.set_cookie(LANG_COOKIE, "vi")
    body = scan(client, openapi, f, f.tickets[1], f.entrance, "lang-2").get_json()["scan"]
    assert body["message"] == "Vé hợp lệ. Xin mời vào!"


# The activity's times and the scan's moment, in local time: judge's days and expiry at their edges.
WINDOWS = [
    ((2030, 3, 5, 7, 30), (2030, 3, 5, 21)),  # one day
    ((2030, 3, 5, 19), (2030, 3, 6, 0)),  # ends at midnight: the next day is not one of its days
    ((2030, 3, 5, 19), (2030, 3, 6, 0, 30)),  # runs past midnight: two days
    ((2030, 3, 5, 0), (2030, 3, 5, 12)),  # starts at midnight
    ((2030, 3, 4, 23), (2030, 3, 7, 0)),  # ends at midnight two days on
    ((2030, 3, 5, 8), (2030, 3, 7, 17)),  # three days
]
MOMENTS = [
    (2030, 3, 4, 23, 59),
    (2030, 3, 5, 0),
    (2030, 3, 5, 7),
    (2030, 3, 5, 12),
    (2030, 3, 5, 23, 59),
    (2030, 3, 6, 0),
    (2030, 3, 6, 0, 15),
    (2030, 3, 6, 12),
    (2030, 3, 7, 9),
    (2030, 3, 7, 23, 59),
    (2030, 3, 8, 4),
    (2030, 3, 8, 10),
]


@pytest.mark.parametrize("rule", [CheckpointRule.ONCE, CheckpointRule.ONCE_PER_DAY, CheckpointRule.EVERY_TIME])
def test_the_one_statement_admission_admits_exactly_where_judge_does(app, festival, rule):
    """Every activity window × moment × registration state: the INSERT … SELECT admits (with judge's admission
    slot) exactly where ``scans.judge`` says "admitted", and writes nothing elsewhere."""
    f = festival
    secret = app.config["SECRET_KEY"]
    disagreements = []
    with app.app_context():
        keys = verifying_keys()
        checkpoint = db.session.get(Checkpoint, f.entrance)
        checkpoint.rule = rule
        activity = db.session.get(Activity, f.activity_id)
        db.session.commit()
        nonce = 0
        for starts, ends in WINDOWS:
            for state in ("confirmed", "waitlisted", "cancelled", "activity cancelled"):
                activity.starts_at, activity.ends_at = local(*starts), local(*ends)
                activity.cancelled = state == "activity cancelled"
                registration = db.session.get(Registration, f.ids[0])
                registration.status = "confirmed" if state == "activity cancelled" else state
                db.session.commit()
                for moment in MOMENTS:
                    at = local(*moment)
                    ticket = tokens.verify(f.tickets[0], keys)
                    expected = scans.judge(checkpoint, activity, registration, ticket=ticket, at=at, tz=TZ)
                    nonce += 1
                    admitted = scans.admit_at_once(
                        db.session,
                        f.entrance,
                        may_scan=Checkpoint.scannable_by(f.volunteer["id"], 0),
                        token=f.tickets[0],
                        device_id="judge-grid",
                        nonce=f"grid-{nonce}",
                        scanned_at=at,
                        user_id=f.volunteer["id"],
                        now=at,
                        tz=TZ,
                        public_keys=keys,
                        secret=secret,
                    )
                    got = (ScanVerdict.ADMITTED, admitted[0].admission_slot) if admitted else None
                    want = (expected.verdict, expected.slot) if expected.verdict == ScanVerdict.ADMITTED else None
                    if got != want:
                        disagreements.append((starts, ends, state, moment, got, want))
                    db.session.rollback()
    assert disagreements == []


def test_the_long_way_still_decides_what_the_statement_leaves(app, client, login, openapi, festival):
    """A typed code, a ticket of another activity, a revoked one and a scan to flag are answered as before."""
    f = festival
    login(f.volunteer)
    with app.app_context():
        code = tokens.short_code(f.ids[0], f.activity_id, app.config["SECRET_KEY"])
    assert scan(client, openapi, f, code, f.entrance, "long-1").get_json()["scan"]["verdict"] == "admitted"
    assert scan(client, openapi, f, f.tickets[3], f.entrance, "long-2").get_json()["scan"]["verdict"] == (
        "other_activity"
    )
    assert scan(client, openapi, f, f.tickets[2], f.entrance, "long-3").get_json()["scan"]["verdict"] == "revoked"
    flagged = scan(
        client,
        openapi,
        f,
        f.tickets[1],
        f.entrance,
        "long-4",
        offline=True,
        scanned_at=(f.now - timedelta(days=3)).isoformat(),
    )
    assert flagged.get_json()["scan"]["verdict"] == "flagged"
