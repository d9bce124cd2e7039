"""What the redeem service trusts from a phone, on fixed clocks: an online scan is judged at the server's time
whatever the phone's clock says; a scan queued offline at the phone's time only within the bound its last sync
proves (else flagged, never admitted); a resent (device, nonce) is answered only to the same scanner, checkpoint
and token; one admission slot per checkpoint; once a day counted on the Vietnamese day at its boundary."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.errors import Conflict
from app.extensions import db
from checkin.models import Checkpoint, CheckpointRule, Scan, ScanVerdict
from checkin.services import scans, tokens
from checkin.services.scanner import flagged_scans
from events.models import Registration
from tests.factories import make_activity, make_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRET = "test-only-secret"
KEYS = {1: tokens.generate_key()}
PUBLIC = tokens.public_keys(KEYS)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of October 2024 in Vietnam, written out in UTC (as the API hands it to the service)."""
    return datetime(2024, 10, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@dataclass
class Fair:
    activity: int
    short: int  # a one-day training on 05/10
    gates: list  # two entrances of the fair, once a day
    booth: int  # once
    exit: int  # every time
    training_door: int  # the training's entrance, once
    tickets: list  # signed tokens: 0-2 for the fair, 3 for the training
    ids: list


@pytest.fixture
def fair(app) -> Fair:
    """A fair from 05/10 08:00 to 06/10 22:00 (Vietnam time), and a one-day training on 05/10."""
    with app.app_context():
        plan = make_plan(period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
        fair = make_activity(plan, title="Ngày hội", starts_at=local(5, 8), ends_at=local(6, 22))
        training = make_activity(plan, title="Tập huấn", kind="training", starts_at=local(5, 8), ends_at=local(5, 11))
        points = [
            Checkpoint(activity=fair, name="Cổng A", kind="entrance", rule=CheckpointRule.ONCE_PER_DAY),
            Checkpoint(activity=fair, name="Cổng B", kind="entrance", rule=CheckpointRule.ONCE_PER_DAY),
            Checkpoint(activity=fair, name="Gian hàng", kind="booth", rule=CheckpointRule.ONCE),
            Checkpoint(activity=fair, name="Cổng ra", kind="exit", rule=CheckpointRule.EVERY_TIME),
            Checkpoint(activity=training, name="Cửa lớp", kind="entrance", rule=CheckpointRule.ONCE),
        ]
        people = [
            Registration(
                activity=fair if n < 3 else training,
                name=f"Người {n}",
                phone=f"09{n:08d}",
                consent_at=local(1, 9),
                created_at=local(1, 9),
                status="confirmed",
                token=secrets.token_urlsafe(24),
            )
            for n in range(4)
        ]
        db.session.add_all([plan, fair, training, *points, *people])
        db.session.commit()
        return Fair(
            activity=fair.id,
            short=training.id,
            gates=[points[0].id, points[1].id],
            booth=points[2].id,
            exit=points[3].id,
            training_door=points[4].id,
            tickets=[tokens.sign(p.id, p.activity_id, local(1, 9), KEYS) for p in people],
            ids=[p.id for p in people],
        )


def redeem(checkpoint: int, token: str, *, now: datetime, phone_says: datetime | None = None, nonce=None, **extra):
    """One scan through the service, committed: ``phone_says`` is the phone's clock (the server's by default)."""
    result = scans.redeem(
        db.session,
        db.session.get(Checkpoint, checkpoint),
        token=token,
        device_id=extra.pop("device", "phone-1"),
        nonce=nonce or secrets.token_hex(8),
        scanned_at=phone_says or now,
        user_id=extra.pop("user_id", None),
        now=now,
        tz=TZ,
        public_keys=PUBLIC,
        secret=SECRET,
        **extra,
    )
    db.session.commit()
    return result


def verdicts(*results) -> list[str]:
    return [r.scan.verdict.value for r in results]


# --- online: the server's clock --------------------------------------------------------------------------------


def test_an_online_scan_is_judged_at_the_servers_time_whatever_the_phone_says(app, fair):
    with app.app_context():
        # Two days after the training: a phone set back to its morning admits nobody.
        late = redeem(fair.training_door, fair.tickets[3], now=local(7, 10), phone_says=local(5, 9))
        assert verdicts(late) == ["expired"]
        # Once a day: three scans in one minute, each phone claiming another day, admit the ticket once.
        now = local(6, 9)
        three = [
            redeem(fair.gates[0], fair.tickets[0], now=now + timedelta(seconds=n), phone_says=claim)
            for n, claim in enumerate((local(4, 9), local(5, 9), local(6, 9)))
        ]
        assert verdicts(*three) == ["admitted", "already_checked_in", "already_checked_in"]
        # A phone one day behind still lets today's visitors in (the training, on its day).
        behind = redeem(fair.training_door, fair.tickets[3], now=local(5, 9), phone_says=local(4, 9))
        assert verdicts(behind) == ["admitted"]
        # The scan counts at the server's time; the phone's claim is kept beside it.
        assert behind.scan.scanned_at == local(5, 9) and behind.scan.device_time == local(4, 9)


# --- offline: the phone's clock, within the bound ------------------------------------------------------------


def test_a_scan_queued_offline_counts_at_the_phones_time_within_its_last_sync(app, fair):
    synced = local(5, 9)
    stamp = scans.sync_stamp(fair.gates[0], synced, SECRET)
    with app.app_context():
        kept = redeem(
            fair.gates[0], fair.tickets[0], now=local(5, 11), phone_says=local(5, 9, 30), offline=True, sync_stamp=stamp
        )
        assert verdicts(kept) == ["admitted"] and kept.scan.scanned_at == local(5, 9, 30)
        # A clock a few seconds ahead counts as the server's time, not in the future.
        ahead = redeem(
            fair.booth,
            fair.tickets[0],
            now=local(5, 11),
            phone_says=local(5, 11) + timedelta(seconds=30),
            offline=True,
            sync_stamp=scans.sync_stamp(fair.booth, synced, SECRET),
        )
        assert verdicts(ahead) == ["admitted"] and ahead.scan.scanned_at == local(5, 11)


@pytest.mark.parametrize(
    "case",
    ["before_the_sync", "in_the_future", "no_stamp", "forged_stamp", "another_checkpoints_stamp"],
)
def test_an_offline_scan_outside_the_bound_is_flagged_never_admitted(app, fair, case):
    synced, now = local(6, 9), local(6, 12)
    stamp, claim = scans.sync_stamp(fair.gates[0], synced, SECRET), local(6, 10)
    if case == "before_the_sync":  # backdated to the day before, when the fair ran too
        claim = local(5, 10)
    elif case == "in_the_future":
        claim = now + timedelta(hours=2)
    elif case == "no_stamp":
        stamp = None
    elif case == "forged_stamp":
        stamp = f"{int((synced - timedelta(days=1)).timestamp())}.{'0' * 32}"
    else:
        stamp = scans.sync_stamp(fair.gates[1], synced, SECRET)
    with app.app_context():
        result = redeem(
            fair.gates[0],
            fair.tickets[1],
            now=now,
            phone_says=claim,
            offline=True,
            sync_stamp=stamp,
            client_verdict="admitted",
        )
        assert verdicts(result) == ["flagged"] and not result.scan.admitted and result.scan.admission_slot is None
        assert result.scan.ticket_id == fair.ids[1] and result.scan.device_time == claim
        # Nothing was admitted retroactively: the ticket is let in now, online.
        assert verdicts(redeem(fair.gates[0], fair.tickets[1], now=now)) == ["admitted"]
        # The organizers' review lists it with what the phone said.
        (row,) = flagged_scans(db.session, fair.activity)
        assert (row.ticket_id, row.device_time, row.phone_said) == (fair.ids[1], claim, ScanVerdict.ADMITTED)


def test_a_stamp_is_the_servers_word_for_the_time_of_a_sync():
    at = datetime(2024, 10, 5, 2, 0, 7, tzinfo=UTC)
    stamp = scans.sync_stamp(3, at, SECRET)
    assert scans.read_sync_stamp(stamp, 3, SECRET) == at
    assert scans.read_sync_stamp(stamp, 4, SECRET) is None
    assert scans.read_sync_stamp(stamp, 3, "another-secret") is None
    seconds, mac = stamp.split(".")
    assert scans.read_sync_stamp(f"{int(seconds) - 86400}.{mac}", 3, SECRET) is None
    for junk in (None, "", "abc", "1.2", "١٢٣." + mac):
        assert scans.read_sync_stamp(junk, 3, SECRET) is None


def test_the_judged_time_rule():
    now, synced = local(6, 12), local(6, 9)
    online = {"offline": False, "synced_at": None, "now": now}
    assert scans.judged_at(scanned_at=local(1, 1), **online) == now
    offline = {"offline": True, "synced_at": synced, "now": now}
    assert scans.judged_at(scanned_at=synced - scans.SYNC_MARGIN, **offline) == synced - scans.SYNC_MARGIN
    assert scans.judged_at(scanned_at=synced - scans.SYNC_MARGIN - timedelta(seconds=1), **offline) is None
    assert scans.judged_at(scanned_at=now + scans.CLOCK_TOLERANCE, **offline) == now
    assert scans.judged_at(scanned_at=now + scans.CLOCK_TOLERANCE + timedelta(seconds=1), **offline) is None
    assert scans.judged_at(scanned_at=local(6, 10), offline=True, synced_at=None, now=now) is None


# --- a resent (device, nonce) --------------------------------------------------------------------------------


def test_a_resent_nonce_is_answered_only_to_the_same_scanner_checkpoint_and_token(app, fair, make_user):
    volunteer, other = make_user("volunteer"), make_user("volunteer")
    now = local(5, 9)
    with app.app_context():
        first = redeem(fair.gates[0], fair.tickets[0], now=now, nonce="n-1", user_id=volunteer["id"])
        again = redeem(fair.gates[0], fair.tickets[0], now=now, nonce="n-1", user_id=volunteer["id"])
        assert (again.created, again.scan.id) == (False, first.scan.id)
        # The same ticket typed instead of scanned is not the same token: a nonce is per scan.
        tries = {
            "another account": {"user_id": other["id"], "token": fair.tickets[0], "checkpoint": fair.gates[0]},
            "another checkpoint": {"user_id": volunteer["id"], "token": fair.tickets[0], "checkpoint": fair.gates[1]},
            "another token": {"user_id": volunteer["id"], "token": fair.tickets[1], "checkpoint": fair.gates[0]},
            "junk": {"user_id": volunteer["id"], "token": "NOT A TICKET", "checkpoint": fair.gates[0]},
        }
        for label, sent in tries.items():
            with pytest.raises(Conflict) as refused:
                redeem(sent["checkpoint"], sent["token"], now=now, nonce="n-1", user_id=sent["user_id"])
            assert refused.value.code == "nonce_reused", label
            db.session.rollback()
        # A refusal resent is told again too, to its own scanner only.
        refused_scan = redeem(fair.gates[0], "NOT A TICKET", now=now, nonce="n-2", user_id=volunteer["id"])
        resent = redeem(fair.gates[0], "not a ticket", now=now, nonce="n-2", user_id=volunteer["id"])
        assert (resent.created, resent.scan.id) == (False, refused_scan.scan.id)
        with pytest.raises(Conflict):
            redeem(fair.gates[0], "NOT A TICKET", now=now, nonce="n-2", user_id=other["id"])
        db.session.rollback()
        assert db.session.query(Scan).count() == 2


def test_a_scan_resent_at_an_every_time_checkpoint_is_stored_once(app, fair):
    """No admission slot there: only the unique (device, nonce) stops the second copy."""
    now = local(5, 9)
    with app.app_context():
        first = redeem(fair.exit, fair.tickets[0], now=now, nonce="exit-1")
        again = redeem(fair.exit, fair.tickets[0], now=now + timedelta(seconds=5), nonce="exit-1")
        assert (again.created, again.scan.id) == (False, first.scan.id)
        assert verdicts(redeem(fair.exit, fair.tickets[0], now=now, nonce="exit-2")) == ["admitted"]
        assert db.session.query(Scan).count() == 2


# --- admission slots -----------------------------------------------------------------------------------------


def test_two_once_a_day_gates_of_one_fair_each_admit_the_ticket(app, fair):
    now = local(5, 9)
    with app.app_context():
        at_a = redeem(fair.gates[0], fair.tickets[0], now=now)
        at_b = redeem(fair.gates[1], fair.tickets[0], now=now + timedelta(minutes=1))
        again_a = redeem(fair.gates[0], fair.tickets[0], now=now + timedelta(minutes=2))
        assert verdicts(at_a, at_b, again_a) == ["admitted", "admitted", "already_checked_in"]
        assert again_a.first.id == at_a.scan.id


@pytest.mark.parametrize(("before", "after"), [((5, 23, 30), (6, 0, 30)), ((5, 23, 59), (6, 0, 1))])
def test_once_a_day_turns_at_the_vietnamese_midnight_not_the_utc_one(app, fair, before, after):
    """23:30 and 00:30 in Vietnam are 16:30 and 17:30 UTC of one UTC date: the server's clock (UTC) must give two
    local days, whatever time of day the tests run."""
    evening, morning = local(*before), local(*after)
    assert evening.date() == morning.date()  # one UTC date
    with app.app_context():
        first = redeem(fair.gates[0], fair.tickets[2], now=evening)
        second = redeem(fair.gates[0], fair.tickets[2], now=morning)
        third = redeem(fair.gates[0], fair.tickets[2], now=morning + timedelta(minutes=5))
        assert verdicts(first, second, third) == ["admitted", "admitted", "already_checked_in"]
        assert third.first.id == second.scan.id
        # What a phone syncing just after midnight must block: today's admission only.
        payload = scans.sync_payload(
            db.session, db.session.get(Checkpoint, fair.gates[0]), now=morning, tz=TZ, keys=[], secret=SECRET
        )
        assert [row["scanned_at"] for row in payload["admitted"]] == [morning]
