"""The scanner page (who opens it, what it carries) and the organizers' review of double admissions made by
offline phones, with the scans stored through the real redeem service."""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from checkin.models import Checkpoint, CheckpointAssignment, CheckpointRule
from checkin.services import scans, tokens
from checkin.services.scanner import double_admissions, offline_mistakes
from events.models import Registration
from tests.factories import make_activity, make_plan

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
KEYS = {1: tokens.generate_key()}
PUBLIC = tokens.public_keys(KEYS)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the two-day festival (5 and 6 October 2024), Vietnam time."""
    return datetime(2024, 10, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def festival(app):
    """A two-day festival with an entrance (once a day), a booth (every time), a second activity, and tickets."""
    with app.app_context():
        plan = make_plan(period_start=date(2024, 9, 15), period_end=date(2024, 10, 31))
        main = make_activity(plan, starts_at=at(5, 7), ends_at=at(6, 21))
        other = make_activity(
            plan, title="Lớp tập huấn kỹ năng số", kind="training", starts_at=at(5, 8), ends_at=at(5, 11)
        )
        entrance = Checkpoint(activity=main, name="Cổng chính", kind="entrance", rule=CheckpointRule.ONCE_PER_DAY)
        hall = Checkpoint(activity=other, name="Cửa hội trường", kind="entrance", rule=CheckpointRule.ONCE)
        people = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thu Hà"]
        tickets = [
            Registration(
                activity=main,
                name=name,
                phone=f"09{n:08d}",
                consent_at=at(1, 9),
                created_at=at(1, 9),
                status="confirmed",
                token=secrets.token_urlsafe(24),
            )
            for n, name in enumerate(people)
        ]
        trainee = Registration(
            activity=other,
            name="Phạm Minh Tuấn",
            phone="0911111111",
            consent_at=at(1, 9),
            created_at=at(1, 9),
            status="confirmed",
            token=secrets.token_urlsafe(24),
        )
        db.session.add_all([plan, main, other, entrance, hall, *tickets, trainee])
        db.session.commit()
        return {
            "activity": main.id,
            "other_activity": other.id,
            "entrance": entrance.id,
            "hall": hall.id,
            "tickets": [t.id for t in tickets],
            "tokens": [tokens.sign(t.id, main.id, at(1, 9), KEYS) for t in tickets],
            "trainee_token": tokens.sign(trainee.id, other.id, at(1, 9), KEYS),
        }


def scan(checkpoint_id, token, device, when, *, received=None, offline=False, client_verdict=None, synced=None):
    """One scan through the redeem service, as the API would store it (committed). An offline scan carries the
    stamp of the phone's last sync, made at ``synced`` (by default when the scan was made)."""
    result = scans.redeem(
        db.session,
        db.session.get(Checkpoint, checkpoint_id),
        token=token,
        device_id=device,
        nonce=secrets.token_hex(8),
        scanned_at=when,
        user_id=None,
        now=received or when,
        tz=TZ,
        public_keys=PUBLIC,
        secret="test-secret",
        offline=offline,
        client_verdict=client_verdict,
        sync_stamp=scans.sync_stamp(checkpoint_id, synced or when, "test-secret") if offline else None,
    )
    db.session.commit()
    return result.scan


def test_double_admissions_are_the_offline_admissions_the_server_found_taken(app, festival):
    lan, hung, ha = festival["tokens"]
    phone_a, phone_b = "a1b2c3d4-phone-a", "e5f6a7b8-phone-b"
    with app.app_context():
        # day 1: Lan comes in at phone A; that admission is yesterday's on day 2, and must not be shown as "first"
        scan(festival["entrance"], lan, phone_a, at(5, 8))
        # day 2: Lan again at A (online), then at B while B has no network; B sends it at 09:40
        kept = scan(festival["entrance"], lan, phone_a, at(6, 9))
        late = scan(
            festival["entrance"],
            lan,
            phone_b,
            at(6, 9, 5),
            received=at(6, 9, 40),
            offline=True,
            client_verdict="admitted",
        )
        # Hùng: two offline phones both let him in; B's upload arrives first, so A's is the late one
        b_first = scan(
            festival["entrance"],
            hung,
            phone_b,
            at(6, 10, 2),
            received=at(6, 10, 30),
            offline=True,
            client_verdict="admitted",
        )
        a_late = scan(
            festival["entrance"],
            hung,
            phone_a,
            at(6, 10),
            received=at(6, 10, 31),
            offline=True,
            client_verdict="admitted",
        )
        # not double admissions: Hà refused offline by the phone itself, then a refusal seen offline at another
        # activity, and an admission online
        scan(festival["entrance"], ha, phone_a, at(6, 11))
        scan(
            festival["entrance"],
            ha,
            phone_b,
            at(6, 11, 1),
            received=at(6, 11, 20),
            offline=True,
            client_verdict="already_checked_in",
        )
        scan(festival["hall"], festival["trainee_token"], phone_a, at(5, 8, 30))
        scan(
            festival["hall"],
            festival["trainee_token"],
            phone_b,
            at(5, 8, 31),
            received=at(5, 9),
            offline=True,
            client_verdict="admitted",
        )

        found = double_admissions(db.session, festival["activity"], tz=TZ)
        assert [(d.ticket_id, d.first.scan_id, d.late.scan_id) for d in found] == [
            (festival["tickets"][0], kept.id, late.id),
            (festival["tickets"][1], b_first.id, a_late.id),
        ]
        lan_double = found[0]
        assert lan_double.holder == "Nguyễn Thị Lan"
        assert lan_double.first.device == "a1b2c3d4" and lan_double.late.device == "e5f6a7b8"
        assert lan_double.first.scanned_at == at(6, 9) and lan_double.late.scanned_at == at(6, 9, 5)
        assert lan_double.late.offline and lan_double.late.received_at == at(6, 9, 40)
        assert lan_double.first.checkpoint == "Cổng chính"
        # the other activity's double admission is on its own review
        (trainee,) = double_admissions(db.session, festival["other_activity"], tz=TZ)
        assert trainee.holder == "Phạm Minh Tuấn"


def test_a_double_admission_whose_first_admission_was_undone_says_so(app, festival):
    lan = festival["tokens"][0]
    with app.app_context():
        kept = scan(festival["entrance"], lan, "phone-a", at(6, 9))
        scan(
            festival["entrance"],
            lan,
            "phone-b",
            at(6, 9, 1),
            received=at(6, 9, 2),
            offline=True,
            client_verdict="admitted",
        )
        scans.undo(db.session, kept, at(6, 9, 3))
        db.session.commit()
        (double,) = double_admissions(db.session, festival["activity"], tz=TZ)
        assert double.first is None


def test_no_double_admission_when_every_phone_was_online(app, festival):
    with app.app_context():
        for token in festival["tokens"]:
            scan(festival["entrance"], token, "phone-a", at(6, 9))
            scan(festival["entrance"], token, "phone-b", at(6, 9, 1))
        assert double_admissions(db.session, festival["activity"], tz=TZ) == []


def test_the_review_page_shows_times_checkpoints_and_phones(app, client, make_user, login, festival):
    lan = festival["tokens"][0]
    with app.app_context():
        scan(festival["entrance"], lan, "a1b2c3d4-phone-a", at(6, 9))
        scan(
            festival["entrance"],
            lan,
            "e5f6a7b8-phone-b",
            at(6, 9, 5),
            received=at(6, 9, 40),
            offline=True,
            client_verdict="admitted",
        )
    login(make_user("organizer"))
    page = client.get(f"/checkin/activities/{festival['activity']}/review").get_data(as_text=True)
    assert "1 vé được cho vào hai lần" in page
    assert f"#{festival['tickets'][0]}" in page and "Nguyễn Thị Lan" in page
    assert "06/10/2024 09:00" in page and "06/10/2024 09:05" in page and "06/10/2024 09:40" in page
    assert "điện thoại a1b2c3d4" in page and "điện thoại e5f6a7b8" in page
    assert "0900000000" not in page  # the phone number is not shown
    empty = client.get(f"/checkin/activities/{festival['other_activity']}/review").get_data(as_text=True)
    assert "Không có vé nào được cho vào hai lần ở hoạt động này." in empty


def test_the_review_page_lists_the_offline_scans_whose_phone_time_was_not_trusted(
    app, client, make_user, login, festival
):
    hung = festival["tokens"][1]
    with app.app_context():
        # synced at 10:00 on 06/10, then a scan the phone says it made on 05/10 at 09:00: flagged, not admitted
        flagged = scan(
            festival["entrance"],
            hung,
            "c0ffee00-phone-c",
            at(5, 9),
            received=at(6, 11),
            offline=True,
            client_verdict="admitted",
            synced=at(6, 10),
        )
        assert flagged.verdict == "flagged" and not flagged.admitted
    login(make_user("organizer"))
    client.post("/language", data={"lang": "en", "next": "/"})  # new strings: checked in English
    page = client.get(f"/checkin/activities/{festival['activity']}/review").get_data(as_text=True)
    assert "Scans held for review: the phone's time cannot be trusted" in page
    assert f"#{festival['tickets'][1]}" in page and "Trần Văn Hùng" in page
    assert "05/10/2024 09:00" in page and "the phone said: Valid" in page and "phone c0ffee00" in page
    assert "06/10/2024 11:00" in page  # when it arrived


def test_the_scanner_page_is_for_the_checkpoints_volunteers(app, client, make_user, login, festival):
    volunteer = make_user("volunteer")
    with app.app_context():
        db.session.add(CheckpointAssignment(checkpoint_id=festival["entrance"], user_id=volunteer["id"]))
        db.session.commit()
    login(volunteer)
    response = client.get(f"/checkin/checkpoints/{festival['entrance']}/scan")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # the QR decoder's Blob worker is allowed here, and nothing else is loosened
    policy = response.headers["Content-Security-Policy"]
    assert policy.endswith("; worker-src 'self' blob:") and "script-src 'self';" in policy
    assert "blob:" not in client.get("/checkin/").headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert '<meta name="csrf-token"' in page
    assert f'data-sync-url="/checkin/api/checkpoints/{festival["entrance"]}/sync"' in page
    assert 'data-scan-url="/checkin/api/scans"' in page and 'data-undo-url="/checkin/api/scans/0/undo"' in page
    assert 'type="module" src="/static/js/scanner.js"' in page
    strings = json.loads(
        re.search(r'<script type="application/json" id="scanner-strings">(.*?)</script>', page, re.S)[1]
    )
    assert strings["verdicts"]["admitted"] == "Hợp lệ"
    assert strings["messages"]["already_checked_in"] == "Vé đã được quét lúc {time} tại {checkpoint}."
    # a volunteer assigned elsewhere does not scan here: not found, as any record out of one's scope
    assert client.get(f"/checkin/checkpoints/{festival['hall']}/scan").status_code == 404
    assert client.get("/checkin/checkpoints/999999/scan").status_code == 404


def test_the_vendored_libraries_keep_their_licence_and_version():
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[2] / "static" / "vendor"
    for folder, name, version in [("qr-scanner", "qr-scanner", "1.4.2"), ("noble-ed25519", "@noble/ed25519", "3.2.0")]:
        package = json.loads((vendor / folder / "package.json").read_text())
        assert (package["name"], package["version"], package["license"]) == (name, version, "MIT")
        assert "MIT License" in (vendor / folder / "LICENSE").read_text()
    assert (vendor / "qr-scanner" / "qr-scanner-worker.min.js").exists()


def test_offline_admissions_the_server_refused_for_another_reason_are_listed_apart(
    app, client, make_user, login, festival
):
    lan, hung, _ = festival["tokens"]
    with app.app_context():
        # Hùng cancelled his registration; a phone that had not synced since let him in
        db.session.get(Registration, festival["tickets"][1]).status = "cancelled"
        db.session.commit()
        scan(
            festival["entrance"],
            hung,
            "e5f6a7b8-phone-b",
            at(6, 9),
            received=at(6, 9, 30),
            offline=True,
            client_verdict="admitted",
        )
        # a double admission is not a "mistake" of this kind, nor an offline refusal
        scan(festival["entrance"], lan, "a1b2c3d4-phone-a", at(6, 9))
        scan(
            festival["entrance"],
            lan,
            "e5f6a7b8-phone-b",
            at(6, 9, 5),
            received=at(6, 9, 30),
            offline=True,
            client_verdict="admitted",
        )
        scan(
            festival["entrance"],
            hung,
            "a1b2c3d4-phone-a",
            at(6, 9, 10),
            received=at(6, 9, 30),
            offline=True,
            client_verdict="revoked",
        )
        (mistake,) = offline_mistakes(db.session, festival["activity"])
        assert (mistake.ticket_id, mistake.holder, mistake.verdict.value) == (
            festival["tickets"][1],
            "Trần Văn Hùng",
            "revoked",
        )
        assert mistake.scan.device == "e5f6a7b8" and mistake.scan.scanned_at == at(6, 9)
        assert offline_mistakes(db.session, festival["other_activity"]) == []
    login(make_user("organizer"))
    page = client.get(f"/checkin/activities/{festival['activity']}/review").get_data(as_text=True)
    assert "Cho vào khi mất mạng, máy chủ từ chối" in page and "Trần Văn Hùng" in page
    assert "1 vé được cho vào hai lần" in page
