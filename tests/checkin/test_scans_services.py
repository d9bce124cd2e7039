"""Redeeming tickets (checkin/services/scans.py): the verdict under each checkpoint rule, days counted in
Asia/Ho_Chi_Minh (around local midnight too), revocation, expiry, nonce replay, undo, and the scanners' sync."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import Conflict
from app.extensions import db
from checkin.models import Checkpoint, CheckpointRule, Scan, ScanVerdict
from checkin.services import scans, tokens
from events.models import Activity, Registration

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "test-only-secret"


def local(y, m, d, hour=0, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=TZ)


# --- days and slots: plain values --------------------------------------------------------------------------------


def test_the_days_of_an_activity_are_local_days():
    # 07:30-21:00 local on 05/10 is 00:30-14:00 UTC: one local day.
    assert scans.activity_days(local(2024, 10, 5, 7, 30), local(2024, 10, 5, 21), TZ) == [date(2024, 10, 5)]
    # A two-day cluster stop, 05/10 08:00 to 06/10 17:00.
    assert scans.activity_days(local(2024, 10, 5, 8), local(2024, 10, 6, 17), TZ) == [
        date(2024, 10, 5),
        date(2024, 10, 6),
    ]
    # An evening show ending at local midnight exactly runs on one day only.
    assert scans.activity_days(local(2024, 10, 5, 19), local(2024, 10, 6, 0), TZ) == [date(2024, 10, 5)]
    # Past midnight, it runs on the next day too.
    assert scans.activity_days(local(2024, 10, 5, 19), local(2024, 10, 6, 0, 30), TZ) == [
        date(2024, 10, 5),
        date(2024, 10, 6),
    ]


def test_admission_slots_follow_the_rule():
    day = date(2024, 10, 5)
    assert scans.admission_slot(CheckpointRule.ONCE, 42, day) == "42"
    assert scans.admission_slot(CheckpointRule.ONCE_PER_DAY, 42, day) == "42:2024-10-05"
    assert scans.admission_slot(CheckpointRule.EVERY_TIME, 42, day) is None


def _festival(**fields) -> Activity:
    values = {"id": 7, "title": "Ngày hội", "kind": "festival"}
    values.update(starts_at=local(2024, 10, 5, 7), ends_at=local(2024, 10, 6, 22))
    values.update(fields)
    return Activity(**values)


def _ticket(registration_id=42, activity_id=7):
    return tokens.Ticket(1, registration_id, activity_id, local(2024, 9, 20))


def _judge(at, rule=CheckpointRule.ONCE_PER_DAY, status="confirmed", ticket=None, registration_activity=7):
    activity = _festival()
    checkpoint = Checkpoint(id=3, activity_id=7, name="Cổng chính", rule=rule)
    registration = Registration(id=42, activity_id=registration_activity, status=status)
    return scans.judge(checkpoint, activity, registration, ticket=ticket or _ticket(), at=at, tz=TZ)


def test_once_per_day_counts_the_local_day_around_midnight():
    # 23:59 local on 05/10 is 16:59 UTC the same date; 00:01 local on 06/10 is 17:01 UTC on 05/10 still.
    before = _judge(local(2024, 10, 5, 23, 59))
    after = _judge(local(2024, 10, 6, 0, 1))
    assert (before.verdict, before.slot) == (ScanVerdict.ADMITTED, "42:2024-10-05")
    assert (after.verdict, after.slot) == (ScanVerdict.ADMITTED, "42:2024-10-06")
    assert after.slot != before.slot  # a new local day: a new admission, though the UTC date has not changed


def test_a_scan_on_a_day_the_activity_does_not_run_is_other_day():
    assert _judge(local(2024, 10, 4, 23, 59)).verdict == ScanVerdict.OTHER_DAY  # the evening before
    assert _judge(local(2024, 10, 5, 0, 0)).verdict == ScanVerdict.ADMITTED  # the first day, from local midnight
    assert _judge(local(2024, 10, 6, 23, 0)).verdict == ScanVerdict.ADMITTED  # after its end, before the grace ends


def test_after_the_grace_a_ticket_is_expired():
    ends = local(2024, 10, 6, 22)
    assert _judge(local(2024, 10, 6, 23, 59)).verdict == ScanVerdict.ADMITTED  # after the end, still its last day
    assert _judge(ends + tokens.EXPIRY_GRACE).verdict == ScanVerdict.OTHER_DAY  # 07/10: in the grace, not its day
    assert _judge(ends + tokens.EXPIRY_GRACE + timedelta(minutes=1)).verdict == ScanVerdict.EXPIRED


def test_rules_and_refusals():
    at = local(2024, 10, 5, 9)
    assert _judge(at, rule=CheckpointRule.ONCE).slot == "42"
    every = _judge(at, rule=CheckpointRule.EVERY_TIME)
    assert (every.verdict, every.slot) == (ScanVerdict.ADMITTED, None)
    assert _judge(at, status="cancelled").verdict == ScanVerdict.REVOKED
    assert _judge(at, status="waitlisted").verdict == ScanVerdict.UNKNOWN  # a waiting-list place is no ticket
    assert _judge(at, ticket=_ticket(activity_id=8), registration_activity=8).verdict == ScanVerdict.OTHER_ACTIVITY
    # A valid signature naming a registration of another activity than the token says: not ours.
    assert _judge(at, registration_activity=9).verdict == ScanVerdict.UNKNOWN
    activity = _festival()
    checkpoint = Checkpoint(id=3, activity_id=7, name="Cổng", rule=CheckpointRule.ONCE)
    assert scans.judge(checkpoint, activity, None, ticket=None, at=at, tz=TZ).verdict == ScanVerdict.UNKNOWN
    assert scans.judge(checkpoint, activity, None, ticket=_ticket(), at=at, tz=TZ).verdict == ScanVerdict.UNKNOWN


# --- redeeming against the database (SQLite and PostgreSQL) -------------------------------------------------


def redeem(app, festival, checkpoint, token, nonce, *, device="phone-1", at=None, now=None):
    f = festival
    with app.app_context():
        result = scans.redeem(
            db.session,
            db.session.get(Checkpoint, checkpoint),
            token=token,
            device_id=device,
            nonce=nonce,
            scanned_at=at or now or f.now,
            user_id=None,
            now=now or f.now,
            tz=TZ,
            public_keys=tokens.public_keys(f.keys),
            secret=SECRET,
        )
        db.session.commit()
        scan = result.scan
        first = result.first
        return {
            "id": scan.id,
            "verdict": scan.verdict,
            "created": result.created,
            "ticket_id": scan.ticket_id,
            "first_id": first.id if first else None,
        }


def count(app, **where) -> int:
    with app.app_context():
        return db.session.query(Scan).filter_by(**where).count()


def test_a_ticket_is_admitted_once_then_already_checked_in_and_every_scan_is_kept(app, festival):
    f = festival
    first = redeem(app, f, f.booth, f.tickets[0], "n1")
    second = redeem(app, f, f.booth, f.tickets[0], "n2", device="phone-2")
    assert (first["verdict"], first["created"]) == (ScanVerdict.ADMITTED, True)
    assert (second["verdict"], second["first_id"]) == (ScanVerdict.ALREADY_CHECKED_IN, first["id"])
    assert count(app) == 2 and count(app, admitted=True) == 1


def test_a_replayed_nonce_returns_the_stored_answer_and_stores_nothing(app, festival):
    f = festival
    first = redeem(app, f, f.booth, f.tickets[0], "same")
    again = redeem(app, f, f.booth, f.tickets[0], "same")
    assert again == first | {"created": False}
    # Even a refusal is answered the same way when resent (here: already checked in, from another phone).
    refused = redeem(app, f, f.booth, f.tickets[0], "n2", device="phone-2")
    assert redeem(app, f, f.booth, f.tickets[0], "n2", device="phone-2") == refused | {"created": False}
    assert refused["first_id"] == first["id"]
    assert count(app) == 2


def test_once_per_day_admits_again_after_local_midnight(app, festival):
    f = festival
    # The festival runs from yesterday to tomorrow: the last local midnight falls inside it.
    midnight = datetime.combine(f.now.astimezone(TZ).date(), datetime.min.time(), tzinfo=TZ)
    before = redeem(app, f, f.entrance, f.tickets[0], "d1", now=midnight - timedelta(minutes=1))
    after = redeem(app, f, f.entrance, f.tickets[0], "d2", now=midnight + timedelta(minutes=1))
    again = redeem(app, f, f.entrance, f.tickets[0], "d3", now=midnight + timedelta(minutes=2))
    assert [before["verdict"], after["verdict"], again["verdict"]] == [
        ScanVerdict.ADMITTED,
        ScanVerdict.ADMITTED,
        ScanVerdict.ALREADY_CHECKED_IN,
    ]
    assert again["first_id"] == after["id"]  # today's admission, not yesterday's
    # The booth admits once ever: across midnight too.
    assert redeem(app, f, f.booth, f.tickets[0], "d4", now=midnight - timedelta(minutes=1))["verdict"] == "admitted"
    late = redeem(app, f, f.booth, f.tickets[0], "d5", now=midnight + timedelta(minutes=1))
    assert late["verdict"] == ScanVerdict.ALREADY_CHECKED_IN


def test_every_time_admits_every_pass_and_checkpoints_are_independent(app, festival):
    f = festival
    verdicts = [redeem(app, f, f.exit, f.tickets[1], f"e{n}")["verdict"] for n in range(3)]
    assert verdicts == [ScanVerdict.ADMITTED] * 3
    assert redeem(app, f, f.booth, f.tickets[1], "b1")["verdict"] == ScanVerdict.ADMITTED


def test_refusals_are_logged_with_their_reason(app, festival):
    f = festival
    revoked = redeem(app, f, f.booth, f.tickets[2], "r1")
    other = redeem(app, f, f.booth, f.tickets[3], "r2")
    junk = redeem(app, f, f.booth, "NOT A TICKET", "r3")
    stranger = tokens.sign(f.ids[0], f.activity_id, f.now, {1: tokens.generate_key()})
    forged = redeem(app, f, f.booth, stranger, "r4")
    late = redeem(app, f, f.booth, f.tickets[0], "r5", now=f.now + timedelta(days=3))
    assert [r["verdict"] for r in (revoked, other, junk, forged, late)] == [
        ScanVerdict.REVOKED,
        ScanVerdict.OTHER_ACTIVITY,
        ScanVerdict.UNKNOWN,
        ScanVerdict.UNKNOWN,
        ScanVerdict.EXPIRED,
    ]
    assert (revoked["ticket_id"], junk["ticket_id"], forged["ticket_id"]) == (f.ids[2], None, None)
    assert count(app) == 5 and count(app, admitted=True) == 0


def test_a_typed_code_is_redeemed_like_the_qr_code(app, festival):
    f = festival
    with app.app_context():
        registration = db.session.get(Registration, f.ids[0])
        code = tokens.short_code(registration.id, registration.activity_id, SECRET)
    assert redeem(app, f, f.booth, code.lower(), "c1")["verdict"] == ScanVerdict.ADMITTED
    assert redeem(app, f, f.booth, f.tickets[0], "c2")["verdict"] == ScanVerdict.ALREADY_CHECKED_IN
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert redeem(app, f, f.booth, wrong, "c3")["verdict"] == ScanVerdict.UNKNOWN


def test_an_undo_within_five_minutes_gives_the_ticket_back(app, festival):
    f = festival
    first = redeem(app, f, f.booth, f.tickets[0], "u1")
    with app.app_context():
        scan = db.session.get(Scan, first["id"])
        scans.undo(db.session, scan, f.now + timedelta(minutes=4))
        db.session.commit()
        assert scan.undone_at is not None and scan.admission_slot is None and not scan.counts
        scans.undo(db.session, scan, f.now + timedelta(minutes=30))  # undoing twice changes nothing
    assert redeem(app, f, f.booth, f.tickets[0], "u2")["verdict"] == ScanVerdict.ADMITTED
    with app.app_context():
        assert db.session.query(Scan).filter(Scan.counts).count() == 1


def test_after_five_minutes_or_for_a_refusal_undo_is_refused(app, festival):
    f = festival
    admitted = redeem(app, f, f.booth, f.tickets[0], "x1")
    refused = redeem(app, f, f.booth, f.tickets[2], "x2")
    with app.app_context():
        with pytest.raises(Conflict) as late:
            scans.undo(db.session, db.session.get(Scan, admitted["id"]), f.now + timedelta(minutes=5, seconds=1))
        with pytest.raises(Conflict) as nothing:
            scans.undo(db.session, db.session.get(Scan, refused["id"]), f.now)
    assert (late.value.code, nothing.value.code) == ("undo_expired", "not_admitted")
    assert count(app, admitted=True) == 1


def test_the_sync_holds_what_an_offline_scanner_needs_and_no_names(app, festival):
    f = festival
    redeem(app, f, f.entrance, f.tickets[0], "s1")
    redeem(app, f, f.exit, f.tickets[1], "s2")
    with app.app_context():
        entrance = db.session.get(Checkpoint, f.entrance)
        payload = scans.sync_payload(db.session, entrance, now=f.now, tz=TZ, keys=[{"id": 1}], secret=SECRET)
        exit_point = db.session.get(Checkpoint, f.exit)
        exit_payload = scans.sync_payload(db.session, exit_point, now=f.now, tz=TZ, keys=[], secret=SECRET)
    assert payload["checkpoint"]["rule"] == "once_per_day" and payload["checkpoint"]["kind"] == "entrance"
    assert len(payload["checkpoint"]["days"]) in (2, 3)  # yesterday to tomorrow, in local days
    assert payload["revoked"] == [f.ids[2]]
    assert [row["ticket_id"] for row in payload["admitted"]] == [f.ids[0]]
    assert payload["admitted"][0]["checkpoint"] == "Cổng chính"
    assert exit_payload["admitted"] == []  # every time: nothing blocks
    assert "Người" not in repr(payload)  # no personal data
    assert scans.read_sync_stamp(payload["sync_stamp"], f.entrance, SECRET) == f.now
    assert payload["checkpoint"]["cancelled"] is False
