"""The outbox: what a registration, a promotion, a change and a cancellation send, read back from a real SMTP
server; sent once whatever runs the job; retried when the server is down; SMS short and unaccented."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app import outbox, scheduler
from app.extensions import db
from app.models import Channel, MessageState, OutboxMessage
from events.models import Activity
from events.services import activities

from .conftest import TZ

PHONE = "0912345678"


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def subjects(self):
        return [str(m["Subject"]).strip() for m in self.messages]

    def bodies(self):
        return [m.get_content() for m in self.messages]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def app(make_app, smtp):
    _inbox, port = smtp
    return make_app(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        CANONICAL_URL="https://dxday.tanuyen.example",
        REGISTRATION_RATE_LIMIT="1000 per minute",
    )


def send_job(app, now=None):
    with app.app_context():
        result = scheduler.run_job_now("core.send_messages", now or datetime.now(UTC))
        db.session.commit()
        return result


def register(client, setup, activity_id, phone=PHONE, email_address="an@example.vn", **extra):
    data = {
        "name": "Nguyễn Văn An",
        "phone": phone,
        "ward_id": str(setup.ward_id),
        "email": email_address,
        "consent": "y",
        **extra,
    }
    response = client.post(f"/events/activities/{activity_id}/register", data=data)
    assert response.status_code == 303
    return response.headers["Location"].rsplit("/", 1)[-1]


def test_a_registration_sends_one_confirmation_with_the_ticket_link(app, client, registration_setup, smtp):
    inbox, _port = smtp
    activity_id = registration_setup.make_activity(capacity=5)
    token = register(client, registration_setup, activity_id)
    assert inbox.messages == []  # nothing is sent inside the request
    assert send_job(app).changed == 1
    assert send_job(app).changed == 0  # the job ran twice: still one e-mail
    assert len(inbox.messages) == 1
    (message,) = inbox.messages
    assert message["To"] == "an@example.vn"
    assert inbox.subjects() == ["Chỗ của bạn đã được xác nhận: Lớp tập huấn kỹ năng số cho người dân"]
    body = inbox.bodies()[0]
    assert "Xin chào Nguyễn Văn An," in body
    assert f"https://dxday.tanuyen.example/events/registrations/{token}" in body  # the configured address
    assert "Hội trường UBND thành phố" in body


def test_waitlist_promotion_change_and_cancellation_each_deliver_one_email(
    app, client, registration_setup, smtp, make_user, login
):
    inbox, _port = smtp
    activity_id = registration_setup.make_activity(capacity=1)
    first = register(client, registration_setup, activity_id, email_address="mot@example.vn")
    register(client, registration_setup, activity_id, phone="0987654321", email_address="hai@example.vn")
    client.post(f"/events/registrations/{first}/cancel")  # frees the seat: the second person is promoted
    send_job(app)
    assert sorted((m["To"], s) for m, s in zip(inbox.messages, inbox.subjects(), strict=True)) == [
        ("hai@example.vn", "Bạn đang trong danh sách chờ: Lớp tập huấn kỹ năng số cho người dân"),
        ("hai@example.vn", "Bạn đã có chỗ: Lớp tập huấn kỹ năng số cho người dân"),
        ("mot@example.vn", "Chỗ của bạn đã được xác nhận: Lớp tập huấn kỹ năng số cho người dân"),
    ]
    inbox.messages.clear()

    login(make_user("organizer"))
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        new_start = activity.starts_at + timedelta(hours=2)
        moved = {"starts_at": new_start, "ends_at": activity.ends_at + timedelta(hours=2)}
        # The fixture's activities start a month from the real clock: give their plan this year's period.
        activity.plan.period_start = (activity.starts_at - timedelta(days=60)).date()
        activity.plan.period_end = (activity.starts_at + timedelta(days=60)).date()
        values = {name: getattr(activity, name) for name in activities.ACTIVITY_FIELDS} | moved
        activities.save_activity(
            db.session, activity.plan, activity, accept=True, tz=TZ, now=datetime.now(UTC), **values
        )
        db.session.commit()
    send_job(app)
    assert [(m["To"], s) for m, s in zip(inbox.messages, inbox.subjects(), strict=True)] == [
        ("hai@example.vn", "Có thay đổi: Lớp tập huấn kỹ năng số cho người dân")
    ]
    local_start = new_start.astimezone(TZ).strftime("%d/%m/%Y %H:%M")
    assert local_start in inbox.bodies()[0]
    inbox.messages.clear()

    assert client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"}).status_code == 302
    assert (
        client.post(f"/events/activities/{activity_id}/cancel", data={"confirm": "1"}).status_code == 302
    )  # twice: told once
    send_job(app)
    assert [(m["To"], s) for m, s in zip(inbox.messages, inbox.subjects(), strict=True)] == [
        ("hai@example.vn", "Đã hủy: Lớp tập huấn kỹ năng số cho người dân")
    ]


def test_two_senders_at_once_send_each_message_once(app, client, registration_setup, smtp):
    inbox, _port = smtp
    activity_id = registration_setup.make_activity(capacity=50)
    for n in range(12):
        register(client, registration_setup, activity_id, phone=f"09123456{n:02d}", email_address=f"p{n}@example.vn")
    with app.app_context():
        engine = db.engine
    now = datetime.now(UTC)
    results = []

    def sender():
        with app.app_context():  # each process runs the job in its own app context
            results.append(outbox.send_due(engine, now))

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(result.changed for result in results) == 12
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"p{n}@example.vn" for n in range(12))


def test_a_mail_server_that_is_down_delays_the_message_and_loses_nothing(make_app, registration_setup, smtp):
    inbox, port = smtp
    down = make_app(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=_free_port(),
        MAIL_TIMEOUT=2,
        REGISTRATION_RATE_LIMIT="1000 per minute",
    )
    activity_id = registration_setup.make_activity(capacity=5)
    register(down.test_client(), registration_setup, activity_id)
    now = datetime.now(UTC)
    assert send_job(down, now).changed == 0
    with down.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.state, message.attempts) == (MessageState.PENDING, 1)
        assert message.next_attempt_at > now and "Error" in message.last_error
    assert send_job(down, now).changed == 0  # not due yet: no second attempt in the same minute
    up = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    assert send_job(up, now + timedelta(hours=1)).changed == 1
    assert len(inbox.messages) == 1


def test_english_speakers_are_written_to_in_english(app, client, registration_setup, smtp):
    inbox, _port = smtp
    client.post("/language", data={"lang": "en", "next": "/"})
    activity_id = registration_setup.make_activity(capacity=5)
    register(client, registration_setup, activity_id)
    send_job(app)
    assert inbox.subjects() == ["Your place is confirmed: Lớp tập huấn kỹ năng số cho người dân"]


def test_without_an_email_the_person_gets_one_short_unaccented_sms(app, client, registration_setup, caplog):
    activity_id = registration_setup.make_activity(
        capacity=5, title="Hội thảo chuyên đề chuyển đổi số trong cải cách hành chính và dịch vụ công trực tuyến"
    )
    register(client, registration_setup, activity_id, email_address="")
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.channel, message.recipient) == (Channel.SMS, PHONE)
    with caplog.at_level("INFO", logger="app.outbox"):
        assert send_job(app).changed == 1
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]
    text = line.split(": ", 1)[1]
    assert text.isascii() and len(text) <= outbox.SMS_MAX_CHARS, text
    assert text.startswith("Ngay CDS: da giu cho cho Hoi thao") and "/events/registrations/" in text


@pytest.mark.parametrize(
    "template",
    [
        "registration_confirmed",
        "registration_waitlisted",
        "registration_promoted",
        "activity_changed",
        "activity_cancelled",
        "registration_reminder",
    ],
)
def test_every_sms_fits_one_segment_even_with_long_names(app, template):
    payload = {
        "name": "Nguyễn Thị Hồng Nhung Phương",
        "activity_title": "Ngày hội Chuyển đổi số thành phố Tân Uyên năm 2027 và Lễ ra mắt mô hình ấp thông minh",
        "starts_at": "2027-10-05T00:30:00+00:00",
        "venue": "Quảng trường thành phố Tân Uyên, phường Uyên Hưng",
        "token": "x" * 32,
        "position": 123,
    }
    with app.app_context():
        message = OutboxMessage(channel="sms", recipient=PHONE, template=template, locale="vi", payload=payload)
        text = outbox.fold_to_ascii(outbox.render(message).body)
    assert text.isascii() and len(text) <= outbox.SMS_MAX_CHARS, (len(text), text)


def test_the_http_sms_gateway_meets_its_contract(app):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.headers["Authorization"], body))
            self.send_response(202 if len(received) == 1 else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        gateway = outbox.HttpSmsGateway(f"http://127.0.0.1:{server.server_port}/sms", "bi-mat", "DXDAY")
        gateway.send("0912345678", "Ngay CDS: xin chao", "outbox-7")
        assert received == [
            (
                "Bearer bi-mat",
                {"to": "84912345678", "brandname": "DXDAY", "message": "Ngay CDS: xin chao", "request_id": "outbox-7"},
            )
        ]
        with pytest.raises(outbox.DeliveryError):
            gateway.send("0912345678", "lan hai", "outbox-8")  # the provider is down: try again later
    finally:
        server.shutdown()


def test_purging_registrations_purges_their_messages(app, client, registration_setup):
    activity_id = registration_setup.make_activity(capacity=5)
    register(client, registration_setup, activity_id)
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
        result = scheduler.run_job_now("events.purge_expired_registrations", datetime.now(UTC) + timedelta(days=3650))
        db.session.commit()
        assert result.changed == 1 and db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_find_my_registration_sends_the_links_and_tells_nobody_who_registered(app, client, registration_setup, smtp):
    inbox, _port = smtp
    activity_id = registration_setup.make_activity(capacity=5)
    token = register(client, registration_setup, activity_id, email_address="an@example.vn")
    send_job(app)
    inbox.messages.clear()

    known = client.post("/events/registrations/find", data={"phone": "0912 345 678", "email": "an@example.vn"})
    unknown = client.post("/events/registrations/find", data={"phone": "0987000111"})
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"]
    page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "đường liên kết của chúng đang được gửi tới bạn" in page and token not in page
    send_job(app)
    assert [m["To"] for m in inbox.messages] == ["an@example.vn"]
    assert f"/events/registrations/{token}" in inbox.bodies()[0]

    # Without the e-mail it was registered with, the links go by SMS to the phone itself, never elsewhere.
    client.post("/events/registrations/find", data={"phone": "0912345678", "email": "ke-gian@example.vn"})
    with app.app_context():
        last = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert (last.channel, last.recipient, last.template) == (Channel.SMS, PHONE, "registration_links")


def test_find_my_registration_is_limited_per_phone(make_app, registration_setup):
    app = make_app(REGISTRATION_RATE_LIMIT="1000 per minute")
    client = app.test_client()
    answers = [client.post("/events/registrations/find", data={"phone": "0912345678"}).status_code for _ in range(6)]
    assert answers == [303] * 5 + [429]
    assert client.post("/events/registrations/find", data={"phone": "0987654321"}).status_code == 303
