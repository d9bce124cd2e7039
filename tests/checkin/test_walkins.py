"""Walk-ins: a volunteer at one of the activity's checkpoints registers a person at the booth and shows the ticket
on the spot; a double submit registers once; a full activity says clearly that the person only waits."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import OutboxMessage, Unit
from checkin import keys
from checkin.models import Checkpoint, CheckpointAssignment
from events.models import Activity, Registration
from tests.factories import make_activity, make_plan


@pytest.fixture
def desk(app, make_user):
    """A festival under way (started an hour ago) with an entrance, a volunteer assigned there, and a ward."""
    volunteer = make_user("volunteer", name="Tình nguyện viên Hoa")
    now = datetime.now(UTC)
    with app.app_context():
        plan = make_plan(period_start=date.today() - timedelta(days=5), period_end=date.today() + timedelta(days=30))
        ward = Unit(name="Phường Uyên Hưng", kind="ward")
        activity = make_activity(
            plan,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=5),
            capacity=2,
            registration_open=True,
        )
        gate = Checkpoint(activity=activity, name="Cổng chính", kind="entrance", rule="once")
        db.session.add_all([plan, ward, activity, gate])
        db.session.flush()
        db.session.add(CheckpointAssignment(checkpoint_id=gate.id, user_id=volunteer["id"]))
        db.session.commit()
        return {"activity": activity.id, "ward": ward.id, "volunteer": volunteer}


def walk_in_body(desk, key="k" * 32, **fields):
    return {
        "name": "Trần Văn Minh",
        "phone": "0987 654 321",
        "ward_id": str(desk["ward"]),
        "consent": "y",
        "submission": key,
    } | fields


def test_a_volunteer_registers_a_walk_in_once_and_shows_the_ticket(app, client, desk, login):
    login(desk["volunteer"])
    url = f"/checkin/activities/{desk['activity']}/walk-in"
    form = client.get(url)
    assert form.status_code == 200 and "Đăng ký tại chỗ" in form.get_data(as_text=True)
    first = client.post(url, data=walk_in_body(desk))
    again = client.post(url, data=walk_in_body(desk))  # the same form sent twice (a double tap, a retry)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    page = client.get(first.headers["Location"])
    text = page.get_data(as_text=True)
    assert "Trần Văn Minh đã đăng ký" in text and "09******21" in text
    qr = re.search(r'<img class="ticket-qr" src="([^"]+)"', text)  # the ticket, shown on the spot
    assert qr and client.get(qr.group(1)).mimetype == "image/png"
    with app.app_context():
        code = keys.ticket_code(db.session.scalar(select(Registration)), app)
    assert code in text  # the short code, for typing when the camera fails
    assert page.headers["Cache-Control"] == "no-store"
    with app.app_context():
        rows = db.session.scalars(select(Registration)).all()
        assert [(r.name, r.phone, r.status) for r in rows] == [("Trần Văn Minh", "0987654321", "confirmed")]
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # the ticket link goes by SMS, once


def test_a_full_activity_puts_the_walk_in_on_the_waitlist_and_says_so(app, client, desk, login):
    login(desk["volunteer"])
    url = f"/checkin/activities/{desk['activity']}/walk-in"
    for number, phone in enumerate(["0911111111", "0922222222", "0933333333"]):
        response = client.post(url, data=walk_in_body(desk, key=f"{number}" * 32, phone=phone, name=f"Người {number}"))
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã hết chỗ" in text and "Người 2 đứng thứ 1 trong danh sách chờ và chưa có vé." in text
    form = client.get(url).get_data(as_text=True)
    assert "Đã hết chỗ: người đăng ký lúc này vào danh sách chờ" in form


def test_the_same_phone_twice_is_refused_on_the_phone_field(client, desk, login):
    login(desk["volunteer"])
    url = f"/checkin/activities/{desk['activity']}/walk-in"
    client.post(url, data=walk_in_body(desk))
    page = client.post(url, data=walk_in_body(desk, key="z" * 32, name="Người khác"))
    assert page.status_code == 200
    assert 'id="phone-error"' in page.get_data(as_text=True)


def test_missing_consent_and_ward_are_field_errors(client, desk, login):
    login(desk["volunteer"])
    page = client.post(
        f"/checkin/activities/{desk['activity']}/walk-in", data=walk_in_body(desk, consent="", ward_id="")
    ).get_data(as_text=True)
    assert "Hãy hỏi ý kiến đồng ý của người đăng ký và đánh dấu vào ô này." in page
    assert "Hãy chọn phường, xã nơi người đăng ký cư trú." in page


def test_only_the_activitys_volunteers_and_organizers_register_walk_ins(client, desk, make_user, sign_in):
    url = f"/checkin/activities/{desk['activity']}/walk-in"
    sign_in(client, make_user("volunteer")["id"])  # a volunteer of another activity: not found, as any other scope
    assert client.get(url).status_code == 404
    assert client.post(url, data=walk_in_body(desk)).status_code == 404
    sign_in(client, make_user("organizer")["id"])
    assert client.get(url).status_code == 200


def test_no_walk_in_once_the_activity_is_over(app, client, desk, login):
    with app.app_context():
        activity = db.session.get(Activity, desk["activity"])
        activity.starts_at, activity.ends_at = (
            activity.starts_at - timedelta(days=2),
            activity.starts_at - timedelta(days=2) + timedelta(hours=3),
        )
        db.session.commit()
    login(desk["volunteer"])
    url = f"/checkin/activities/{desk['activity']}/walk-in"
    assert "Hoạt động đã kết thúc." in client.get(url).get_data(as_text=True)
    page = client.post(url, data=walk_in_body(desk)).get_data(as_text=True)
    assert "Hoạt động đã kết thúc." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_the_ticket_page_needs_the_secret_token(client, desk, login):
    login(desk["volunteer"])
    assert client.get(f"/checkin/activities/{desk['activity']}/walk-in/{'x' * 32}").status_code == 404
    assert client.get(f"/checkin/activities/{desk['activity']}/walk-in/1").status_code == 404


def test_the_service_takes_walk_ins_after_the_start_but_not_online_sign_ups(app, desk):
    from zoneinfo import ZoneInfo

    from app.errors import DomainError
    from events.services import registration

    def sign_up(**extra):
        return registration.register(
            db.session, desk["activity"], name="Võ Thị Sáu", phone="0977777777", ward_id=desk["ward"], email=None,
            consent=True, now=datetime.now(UTC), tz=ZoneInfo("Asia/Ho_Chi_Minh"), secret="s", **extra,
        )  # fmt: skip

    with app.app_context():
        with pytest.raises(DomainError) as refused:
            sign_up()  # the activity started an hour ago: the online window is closed
        assert refused.value.code == "registration_closed"
        result = sign_up(walk_in=True)
        assert result.created and result.registration.status == "confirmed"
        db.session.rollback()


def test_a_volunteer_past_the_walk_in_limit_is_told_to_wait_and_nobody_more_is_registered(
    make_app, make_user, desk, sign_in
):
    app = make_app(WALKIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    sign_in(client, desk["volunteer"]["id"])
    url = f"/checkin/activities/{desk['activity']}/walk-in"
    answers = [
        client.post(url, data=walk_in_body(desk, key=f"{n}" * 32, phone=f"09{n}1234567", name=f"Người {n}"))
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [303, 303, 429]
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 2
    # the limit is the account's: an organizer at the same desk (the same address) still registers
    other = app.test_client()
    sign_in(other, make_user("organizer")["id"])
    assert other.post(url, data=walk_in_body(desk, key="9" * 32, phone="0999999999")).status_code == 303
