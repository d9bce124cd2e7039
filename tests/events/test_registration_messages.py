"""The outbox: what a registration, a promotion, a change and a cancellation send, read back from a real SMTP
server; sent once whatever runs the job; retried when the server is down; SMS unaccented and printed on the
development console; links on the address the app serves."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app import outbox, scheduler
from app.config import from_environment
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
    cancelled = subject_in(app, "vi", "Registration cancelled: %(title)s", title=TITLE)
    assert sorted((m["To"], s) for m, s in zip(inbox.messages, inbox.subjects(), strict=True)) == sorted(
        [
            ("hai@example.vn", "Bạn đang trong danh sách chờ: Lớp tập huấn kỹ năng số cho người dân"),
            ("hai@example.vn", "Bạn đã có chỗ: Lớp tập huấn kỹ năng số cho người dân"),
            ("mot@example.vn", cancelled),  # the person who cancelled is told it took
            ("mot@example.vn", "Chỗ của bạn đã được xác nhận: Lớp tập huấn kỹ năng số cho người dân"),
        ]
    )
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


def subject_in(app, locale, msgid, **values):
    """A message's subject in ``locale`` as the catalogue has it today."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        return gettext(msgid, **values)


TITLE = "Lớp tập huấn kỹ năng số cho người dân"


def test_a_citizen_who_cancels_is_told_so_once_by_email_or_by_sms(app, client, registration_setup, smtp, capsys):
    inbox, _port = smtp
    activity_id = registration_setup.make_activity(capacity=5)
    by_mail = register(client, registration_setup, activity_id)
    by_sms = register(client, registration_setup, activity_id, phone="0987654321", email_address="")
    send_job(app)
    inbox.messages.clear()
    capsys.readouterr()
    for token in (by_mail, by_sms):
        assert client.post(f"/events/registrations/{token}/cancel").status_code in (302, 303)
        client.post(f"/events/registrations/{token}/cancel")  # twice: told once
    with app.app_context():
        queued = db.session.execute(
            select(OutboxMessage.channel, OutboxMessage.recipient)
            .where(OutboxMessage.template == "registration_cancelled")
            .order_by(OutboxMessage.id)
        ).all()
    assert queued == [(Channel.EMAIL, "an@example.vn"), (Channel.SMS, "0987654321")]
    assert send_job(app).changed == 2
    assert inbox.subjects() == [subject_in(app, "vi", "Registration cancelled: %(title)s", title=TITLE)]
    assert f"https://dxday.tanuyen.example/events/activities/{activity_id}" in inbox.bodies()[0]  # to come back
    printed = capsys.readouterr().out  # the log SMS gateway prints each SMS, as e-mails are printed
    assert "SMS to: 0987654321" in printed and "Lop tap huan ky nang so cho nguoi dan" in printed


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


def test_without_an_email_the_person_gets_one_unaccented_sms_printed_on_the_console(
    app, client, registration_setup, capsys
):
    activity_id = registration_setup.make_activity(
        capacity=5, title="Hội thảo chuyên đề chuyển đổi số trong cải cách hành chính và dịch vụ công trực tuyến"
    )
    token = register(client, registration_setup, activity_id, email_address="")
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert (message.channel, message.recipient) == (Channel.SMS, PHONE)
    capsys.readouterr()
    assert send_job(app).changed == 1
    printed = capsys.readouterr().out
    assert printed.startswith(f"SMS to: {PHONE}")
    text = printed.splitlines()[1]
    assert text.isascii() and outbox.sms_segments(text) <= outbox.SMS_MAX_SEGMENTS, text
    assert '"Hoi thao chuyen de chuyen doi so trong cai cach hanh..."' in text  # cut after a whole word
    assert text.endswith(f"https://dxday.tanuyen.example/events/registrations/{token}"), text


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

    # Without the e-mail it was registered with, the links go by SMS to the phone itself, never elsewhere: one SMS
    # per activity, naming it.
    other_id = registration_setup.make_activity(capacity=5, title="Ngày hội Chuyển đổi số thành phố Tân Uyên")
    other = register(client, registration_setup, other_id, email_address="an@example.vn")
    client.post("/events/registrations/find", data={"phone": "0912345678", "email": "ke-gian@example.vn"})
    with app.app_context():
        queued = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS).order_by(OutboxMessage.id)
        ).all()
        assert {(m.recipient, m.template) for m in queued} == {(PHONE, "registration_links")}
        texts = sorted(outbox.fold_to_ascii(outbox.render(m).body) for m in queued)
    assert len(texts) == 2
    assert '"Lop tap huan ky nang so cho nguoi dan"' in texts[0] and f"/events/registrations/{token}" in texts[0]
    assert '"Ngay hoi Chuyen doi so thanh pho Tan Uyen"' in texts[1] and f"/events/registrations/{other}" in texts[1]


def test_find_my_registration_is_limited_per_phone(make_app, registration_setup):
    app = make_app(REGISTRATION_RATE_LIMIT="1000 per minute")
    client = app.test_client()
    answers = [client.post("/events/registrations/find", data={"phone": "0912345678"}).status_code for _ in range(6)]
    assert answers == [303] * 5 + [429]
    assert client.post("/events/registrations/find", data={"phone": "0987654321"}).status_code == 303


def test_without_a_canonical_url_the_scheduler_links_to_the_port_make_run_serves(
    make_app, registration_setup, smtp, capsys
):
    inbox, port = smtp
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    planned = subprocess.run(["make", "-n", "run", "PORT=5620"], cwd=root, capture_output=True, text=True, check=True)
    assert "LOCAL_URL=http://127.0.0.1:5620 " in planned.stdout  # make run tells the app where it serves
    environment = from_environment({"LOCAL_URL": "http://127.0.0.1:5620"})  # as make run's process reads it
    app = make_app(**environment, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                   REGISTRATION_RATE_LIMIT="1000 per minute")  # fmt: skip
    assert app.config["CANONICAL_URL"] is None
    activity_id = registration_setup.make_activity(capacity=5)
    by_mail = register(app.test_client(), registration_setup, activity_id)
    by_sms = register(app.test_client(), registration_setup, activity_id, phone="0987654321", email_address="")
    capsys.readouterr()
    assert send_job(app).changed == 2  # the scheduler's job, outside any request
    assert f"http://127.0.0.1:5620/events/registrations/{by_mail}\r\n" in inbox.bodies()[0]
    assert f"http://127.0.0.1:5620/events/registrations/{by_sms}" in capsys.readouterr().out
    assert "127.0.0.1:5000" not in inbox.bodies()[0]
