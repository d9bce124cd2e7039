"""A volunteer's phone at the festival's entrance: tickets read by the (fake) camera, by a keyboard-wedge scanner
and with the network cut; the server ends up with every scan once. And the browser reads tokens as the server
signs them (base45, Ed25519 by WebCrypto and by the pure-JS fallback)."""

from __future__ import annotations

import re
import secrets
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import qrcode
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import User
from checkin.keys import ticket_code, ticket_token, verifying_keys
from checkin.models import Checkpoint, CheckpointAssignment, Scan
from checkin.services import tokens
from events.models import Plan, Registration
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.checkin.test_tokens_services import TYPED_CODES
from tests.conftest import PASSWORD
from tests.factories import make_activity

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
VALID = "Hợp lệ"
ALREADY = "Đã vào cổng"
OFFLINE = "Mất mạng"
SAID_VALID = "Vé hợp lệ"  # the sentence under the verdict (the server's, or the phone's own offline)
SAID_ALREADY = "Vé đã được quét lúc"


def qr_video(text: str, path: Path, size: tuple[int, int] = (640, 480), frames: int = 5) -> Path:
    """A YUV4MPEG2 file Chromium's fake camera plays in a loop: the QR code of ``text`` (black on white, with its
    quiet zone) centred in a white 4:2:0 frame; luma from the grey image, chroma planes neutral (128)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6, border=4)
    code.add_data(text)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    width, height = size
    frame = Image.new("L", size, 255)
    frame.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with open(path, "wb") as handle:
        handle.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420\n".encode())
        for _ in range(frames):
            handle.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


def _seed(app) -> dict:
    """A festival running today with three confirmed tickets, its entrance (once per ticket) and a volunteer
    assigned there."""
    now = datetime.now(UTC)
    with app.app_context():
        plan = Plan(
            title="Hưởng ứng Ngày Chuyển đổi số",
            status="published",
            period_start=(now - timedelta(days=10)).date(),
            period_end=(now + timedelta(days=30)).date(),
        )
        festival = make_activity(
            plan,
            title="Ngày hội Chuyển đổi số thành phố Tân Uyên",
            kind="festival",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=6),
            capacity=100,
        )
        entrance = Checkpoint(activity=festival, name="Cổng chính", kind="entrance", rule="once")
        volunteer = User(name="Tình nguyện viên Minh", email="minh@example.vn")
        volunteer.set_password(PASSWORD)
        volunteer.set_roles(["volunteer"])
        people = [("Nguyễn Thị Lan", "0912345678"), ("Trần Văn Hùng", "0987654321"), ("Lê Thu Hà", "0356789012")]
        tickets = [
            Registration(
                activity=festival,
                name=name,
                phone=phone,
                consent_at=now,
                status="confirmed",
                token=secrets.token_urlsafe(24),
            )
            for name, phone in people
        ]
        db.session.add_all([plan, festival, entrance, volunteer, *tickets])
        db.session.flush()
        db.session.add(CheckpointAssignment(checkpoint_id=entrance.id, user_id=volunteer.id))
        db.session.commit()
        return {
            "checkpoint": entrance.id,
            "email": volunteer.email,
            "ids": [t.id for t in tickets],
            "tokens": [ticket_token(t, app) for t in tickets],
            "codes": [ticket_code(t, app) for t in tickets],
        }


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")


def _wedge(page, token: str) -> None:
    """What a USB scanner does: the whole code in a burst of keystrokes, then Enter."""
    page.keyboard.type(token)
    page.keyboard.press("Enter")


def _scans(app, ticket_id: int) -> list[Scan]:
    with app.app_context():
        return list(db.session.scalars(select(Scan).where(Scan.ticket_id == ticket_id).order_by(Scan.id)))


def test_a_volunteer_scans_by_camera_then_offline_and_the_server_keeps_each_scan_once(
    chromium, csrf_live_server, assert_accessible, tmp_path, artifacts
):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    first, second, third = seeded["tokens"]
    # A phone whose camera sees the first ticket (a browser of its own: the fake camera's file is set at launch).
    video = qr_video(first, tmp_path / "ticket.y4m")
    browser = chromium.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = browser.new_context(**PHONE, permissions=["camera"])
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        _sign_in(page, base, seeded["email"])
        page.goto(f"{base}/checkin/")
        page.get_by_role("link", name="Quét vé tại đây").click()
        expect(page.locator("h1")).to_have_text("Cổng chính")
        scanner = page.locator("#scanner")
        expect(scanner).to_have_attribute("data-synced", "true")  # keys and lists are on the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_accessible(page, "scanner on a phone")

        verdict, title = page.locator("#verdict"), page.locator("#verdict-title")
        history = page.locator("#scan-history li")
        page.get_by_role("button", name="Bật camera").click()
        expect(verdict).to_have_attribute("data-verdict", "admitted")
        expect(title).to_have_text(VALID)
        expect(verdict).to_have_class(re.compile(r"\bverdict--ok\b"))
        expect(page.locator("#verdict-mode")).to_be_hidden()
        page.screenshot(path=str(artifacts / "scanner-valid.png"))
        # the same card held in front of the lens is not scanned again and again
        page.wait_for_timeout(1500)
        expect(history).to_have_count(1)

        # the ticket shown again: the camera restarted reads it as a new scan
        page.get_by_role("button", name="Tắt camera").click()
        page.get_by_role("button", name="Bật camera").click()
        expect(verdict).to_have_attribute("data-verdict", "already_checked_in")
        expect(title).to_have_text(ALREADY)
        expect(page.locator("#verdict-detail")).to_contain_text("Cổng chính")
        expect(verdict).to_have_class(re.compile(r"\bverdict--again\b"))
        page.get_by_role("button", name="Tắt camera").click()
        expect(history).to_have_count(2)
        expect(history.first).to_contain_text(SAID_ALREADY)
        assert [s.verdict.value for s in _scans(app, seeded["ids"][0])] == ["admitted", "already_checked_in"]

        # the square's Wi-Fi drops: a USB scanner into the code field, then with the focus nowhere
        context.set_offline(True)
        expect(page.locator("#network-state")).to_have_attribute("data-state", "offline")
        page.locator("#code-input").focus()
        _wedge(page, second)
        expect(verdict).to_have_attribute("data-verdict", "admitted")
        expect(page.locator("#verdict-mode")).to_have_text(OFFLINE)
        expect(page.locator("#verdict-mode")).to_be_visible()
        expect(scanner).to_have_attribute("data-pending", "1")
        page.screenshot(path=str(artifacts / "scanner-offline.png"))
        page.locator("#code-input").blur()
        _wedge(page, third)
        expect(scanner).to_have_attribute("data-pending", "2")
        expect(history.first).to_contain_text(SAID_VALID)
        expect(history.first).to_contain_text(OFFLINE)
        # a mistake: the third visitor's admission is taken back before it could be sent
        history.first.get_by_role("button", name="Hoàn tác").click()
        expect(history.first).to_contain_text("Đã hoàn tác")
        # the first ticket again: this phone remembers it let it in
        _wedge(page, first)
        expect(scanner).to_have_attribute("data-pending", "3")
        expect(history.first).to_contain_text(SAID_ALREADY)
        expect(page.get_by_text("3 lượt quét chờ gửi")).to_be_visible()
        assert _scans(app, seeded["ids"][1]) == [] and _scans(app, seeded["ids"][2]) == []

        # back online: the queue goes up by itself, once
        context.set_offline(False)
        expect(scanner).to_have_attribute("data-pending", "0", timeout=20_000)
        expect(page.locator("#network-state")).to_have_attribute("data-state", "online")
        page.wait_for_timeout(500)
        for ticket_id in seeded["ids"][1:]:
            (scan,) = _scans(app, ticket_id)
            assert scan.offline and scan.admitted and scan.client_verdict == "admitted"
        # the one undone on the phone is logged, and undone on the server too
        assert _scans(app, seeded["ids"][1])[0].undone_at is None
        assert _scans(app, seeded["ids"][2])[0].undone_at is not None
        assert [(s.verdict.value, s.offline) for s in _scans(app, seeded["ids"][0])] == [
            ("admitted", False),
            ("already_checked_in", False),
            ("already_checked_in", True),
        ]

        # a mistaken admission taken back within minutes, after it went up: the second ticket's
        line = history.nth(2)
        expect(line).to_contain_text(SAID_VALID)
        line.get_by_role("button", name="Hoàn tác").click()
        expect(line).to_contain_text("Đã hoàn tác")
        (scan,) = _scans(app, seeded["ids"][1])
        assert scan.undone_at is not None and scan.admission_slot is None
        assert errors == []
    finally:
        browser.close()


@pytest.fixture
def context_options():
    return PHONE


def test_the_browser_reads_tokens_as_the_server_signs_them(page, csrf_live_server):
    """base45 in JS against the server's encoder, and the offline signature check both ways (WebCrypto and
    the vendored noble fallback): a good ticket passes, a tampered one and an unknown key do not."""
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    with app.app_context():
        keys = tokens.describe_keys(verifying_keys(app))
    samples = [bytes(range(n)) for n in (0, 1, 2, 3, 77, 78)] + [secrets.token_bytes(78) for _ in range(5)]
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    result = page.evaluate(
        """async ([samples, token, keys]) => {
            const b45 = await import("/static/js/checkin/base45.js");
            const t = await import("/static/js/checkin/token.js");
            const decoded = samples.map(([text]) => Array.from(b45.decodeBase45(text)));
            const bad = ["GGW", "A", "ab8"].map((s) => { try { b45.decodeBase45(s); return "no error"; }
                                                          catch (e) { return e.name; } });
            const ticket = t.parseToken(token);
            const tampered = { ...ticket, payload: ticket.payload.slice() };
            tampered.payload[3] ^= 1;
            const otherKey = [{ ...keys[0], public_key: "pWhWrr3mYVNbnif9Oz4BBn_11bVu-ienCd191ZbSn2E" }];
            const check = async () => [await t.verifyToken(ticket, keys), await t.verifyToken(tampered, keys),
                                       await t.verifyToken(ticket, otherKey), t.verifierName()];
            const webcrypto = await check();
            t.useNoble();
            const noble = await check();
            return { decoded, bad, fields: [ticket.version, ticket.keyId, ticket.ticketId, ticket.activityId],
                     lower: t.parseToken(token.toLowerCase()).ticketId, short: t.parseToken(token.slice(0, -3)),
                     webcrypto, noble };
        }""",
        [[[tokens.b45encode(s)] for s in samples], seeded["tokens"][0], keys],
    )
    assert result["decoded"] == [list(s) for s in samples]
    assert result["bad"] == ["Base45Error"] * 3
    with app.app_context():
        ticket = tokens.verify(seeded["tokens"][0], verifying_keys(app))
    assert result["fields"] == [1, ticket.key_id, seeded["ids"][0], ticket.activity_id]
    assert result["lower"] == seeded["ids"][0] and result["short"] is None
    assert result["webcrypto"] == [True, False, False, "webcrypto"]
    assert result["noble"] == [True, False, False, "noble"]


def test_when_the_session_ends_the_gate_keeps_moving_and_the_scans_go_up_after_signing_in(page, csrf_live_server):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    scanner = page.locator("#scanner")
    expect(scanner).to_have_attribute("data-synced", "true")
    page.context.clear_cookies()  # the session is gone (signed out elsewhere, or expired)

    _wedge(page, seeded["tokens"][0])
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
    expect(page.locator("#verdict-mode")).to_be_visible()  # judged on the phone, as without network
    expect(scanner).to_have_attribute("data-pending", "1")
    notice = page.locator("#signin-needed")
    expect(notice).to_be_visible()
    assert _scans(app, seeded["ids"][0]) == []

    notice.get_by_role("link", name="Đăng nhập lại để gửi").click()
    page.locator("input[name=login]").fill(seeded["email"])
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    expect(page.locator("h1")).to_have_text("Cổng chính")
    expect(scanner).to_have_attribute("data-pending", "0")
    (scan,) = _scans(app, seeded["ids"][0])
    assert scan.admitted and scan.offline and scan.client_verdict == "admitted"
    expect(notice).to_be_hidden()


def test_the_scanner_opens_again_when_the_server_cannot_be_reached(page, make_app):
    """A phone that opened the scanner once, then reloads it while the square has no network, still gets the page
    (from the service worker's cache), with its lists, and keeps scanning."""
    app = make_app(WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        seeded = _seed(app)
        _sign_in(page, base, seeded["email"])
        url = f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan"
        page.goto(url)
        expect(page.locator("#scanner")).to_have_attribute("data-synced", "true")
        # the worker takes this very page under its control on the first visit, and keeps a copy of it
        page.evaluate(
            """() => navigator.serviceWorker.controller || new Promise((resolve) =>
                navigator.serviceWorker.addEventListener("controllerchange", resolve))"""
        )
        assert page.evaluate("navigator.serviceWorker.controller !== null")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

    page.reload()
    expect(page.locator("h1")).to_have_text("Cổng chính")
    scanner = page.locator("#scanner")
    expect(scanner).to_have_attribute("data-ready", "true")
    expect(page.locator("#network-state")).to_have_attribute("data-state", "offline")
    _wedge(page, seeded["tokens"][1])
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
    expect(page.locator("#verdict-mode")).to_be_visible()
    expect(scanner).to_have_attribute("data-pending", "1")


def test_a_typed_code_is_checked_by_the_server_and_never_guessed_offline(page, csrf_live_server):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    expect(page.locator("#scanner")).to_have_attribute("data-synced", "true")
    field = page.get_by_label("Mã vé")
    # typed from the ticket, as people do: lower case, an en dash between spaces
    field.fill(seeded["codes"][0].lower().replace("-", " \u2013 "))
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
    expect(field).to_have_value("")
    (scan,) = _scans(app, seeded["ids"][0])
    assert scan.admitted and not scan.offline
    # without its dash, with a space: the next ticket
    field.fill(seeded["codes"][2].replace("-", " "))
    field.press("Enter")
    expect(page.locator("#scan-history li")).to_have_count(2)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
    assert [s.admitted for s in _scans(app, seeded["ids"][2])] == [True]

    page.context.set_offline(True)
    field.fill(seeded["codes"][1].replace("-", ""))  # a code, though typed without its dash
    field.press("Enter")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "unchecked")
    expect(page.locator("#verdict-title")).to_have_text("Chưa kiểm tra được")
    expect(page.locator("#verdict-detail")).to_have_text(
        "Không kiểm tra được mã nhập tay khi mất mạng: hãy quét mã QR, hoặc thử lại khi có mạng."
    )
    expect(page.locator("#scanner")).to_have_attribute("data-pending", "0")  # nothing to send: nobody was let in


def test_the_scanner_reads_typed_codes_as_the_server_does(page, csrf_live_server):
    """The scanner's code.js and the server's normalise_code give the same printed code (or none) for every way
    of typing one in the table (full-width digits, dash look-alikes, no dash, look-alike letters...)."""
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    typed = [row[0] for row in TYPED_CODES] + [code.lower().replace("-", "\u2013") for code in seeded["codes"]]
    in_browser = page.evaluate(
        """async (typed) => {
            const { normaliseCode } = await import("/static/js/checkin/code.js");
            return typed.map((text) => normaliseCode(text));
        }""",
        typed,
    )
    assert in_browser == [tokens.normalise_code(text) for text in typed]
    assert in_browser[: len(TYPED_CODES)] == [row[1] for row in TYPED_CODES]


def test_two_offline_phones_admit_one_ticket_and_the_organizer_sees_it_on_the_review(
    new_context, csrf_live_server, make_user, assert_accessible
):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    phones = []
    for _ in range(2):
        context = new_context(**PHONE)
        phone = context.new_page()
        _sign_in(phone, base, seeded["email"])
        phone.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
        expect(phone.locator("#scanner")).to_have_attribute("data-synced", "true")
        context.set_offline(True)
        phones.append((context, phone))
    # the same ticket at both phones while the Wi-Fi is down: each lets the visitor in
    for _context, phone in phones:
        _wedge(phone, seeded["tokens"][0])
        expect(phone.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
        expect(phone.locator("#scanner")).to_have_attribute("data-pending", "1")
    for context, phone in phones:
        context.set_offline(False)
        expect(phone.locator("#scanner")).to_have_attribute("data-pending", "0", timeout=20_000)
    # the phone that came back second learns that the server had the ticket in already
    late = phones[1][1].locator("#scan-history li").first
    expect(late.locator(".scan-server")).to_have_text(f"Máy chủ: {ALREADY}")
    expect(late.get_by_role("button", name="Hoàn tác")).to_have_count(0)
    assert sorted((s.verdict.value, s.client_verdict) for s in _scans(app, seeded["ids"][0])) == [
        ("admitted", "admitted"),
        ("already_checked_in", "admitted"),
    ]

    organizer = make_user("organizer")
    page = new_context(**PHONE).new_page()
    _sign_in(page, base, organizer["email"])
    page.goto(f"{base}/checkin/")
    page.get_by_role("link", name="Vé vào hai lần (khi mất mạng)").click()
    expect(page.locator("h1")).to_have_text("Vé được cho vào hai lần")
    expect(page.locator("caption")).to_have_text("1 vé được cho vào hai lần")
    row = page.locator("tbody tr")
    expect(row).to_contain_text(f"#{seeded['ids'][0]}")
    expect(row).to_contain_text("Nguyễn Thị Lan")
    expect(row.locator("td")).to_have_count(2)
    expect(row.locator("td").nth(1)).to_contain_text("quét khi mất mạng")
    assert_accessible(page, "double-admission review")


def test_a_phone_a_day_behind_judges_offline_by_the_servers_clock_and_its_scans_count(page, csrf_live_server):
    """The phone's own clock says yesterday: the scanner sets its clock from the sync, so offline it still sees
    today's festival, and its queued scans arrive with a time the server trusts (not flagged)."""
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    page.clock.set_system_time(datetime.now(UTC) - timedelta(days=1))
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    scanner = page.locator("#scanner")
    expect(scanner).to_have_attribute("data-synced", "true")
    page.context.set_offline(True)
    _wedge(page, seeded["tokens"][0])
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "admitted")
    expect(scanner).to_have_attribute("data-pending", "1")
    page.context.set_offline(False)
    expect(scanner).to_have_attribute("data-pending", "0", timeout=20_000)
    (scan,) = _scans(app, seeded["ids"][0])
    assert scan.offline and scan.admitted and scan.verdict.value == "admitted"
    assert abs(scan.scanned_at - datetime.now(UTC)) < timedelta(minutes=5)


def test_a_cancelled_activitys_tickets_are_refused_offline_too(page, csrf_live_server):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    with app.app_context():
        db.session.get(Checkpoint, seeded["checkpoint"]).activity.cancelled = True
        db.session.commit()
    _sign_in(page, base, seeded["email"])
    page.goto(f"{base}/checkin/checkpoints/{seeded['checkpoint']}/scan")
    expect(page.locator("#scanner")).to_have_attribute("data-synced", "true")
    page.context.set_offline(True)
    _wedge(page, seeded["tokens"][1])
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "activity_cancelled")
    expect(page.locator("#verdict")).to_have_attribute("data-admitted", "false")
    expect(page.locator("#verdict-mode")).to_be_visible()
