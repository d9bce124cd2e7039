"""The festival on a 360×740 phone, as a citizen meets it: the action under the title, the form's first field on
the first screen, the ticket page opening on the QR code, "find my registration" in the menu and on the activity
page, and back links that go back to where the person came from."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from events.models import Activity, ProgrammeItem
from tests.browser.test_citizen_registration import FESTIVAL, TZ, _seed

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
FOLD = 740


@pytest.fixture
def context_options():
    return PHONE


def _with_programme(app, activity_id: int) -> None:
    """The festival as the plans write it: a description and a long programme."""
    with app.app_context():
        festival = db.session.get(Activity, activity_id)
        festival.description = (
            "Khai mạc, trải nghiệm dịch vụ công trực tuyến, gian hàng số, thanh toán không tiền mặt. " * 3
        )
        start = festival.starts_at
        for n in range(12):
            db.session.add(
                ProgrammeItem(
                    activity=festival,
                    position=n,
                    title=f"Hoạt động số {n + 1}: trải nghiệm chuyển đổi số tại gian hàng",
                    description="Các đơn vị giới thiệu mô hình, hướng dẫn người dân cài đặt và sử dụng ứng dụng.",
                    starts_at=start + timedelta(minutes=30 * n),
                    ends_at=start + timedelta(minutes=30 * n + 25),
                )
            )
        db.session.commit()


def _bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def test_the_festivals_action_form_and_ticket_are_on_the_first_screen(csrf_live_server, page, artifacts):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    _with_programme(app, seeded["activity"])

    page.goto(f"{base}/events/activities/{seeded['activity']}")
    expect(page.locator("h1")).to_have_text(FESTIVAL)
    action = page.get_by_role("link", name="Đăng ký tham gia")
    assert _bottom(action) <= FOLD, "the action is under the title, not after the programme"
    page.screenshot(path=str(artifacts / "citizen-activity-360.png"))
    action.click()

    name = page.get_by_label("Họ và tên")
    assert _bottom(name) <= FOLD, "the form's first field is on the first screen, the privacy text summed up above it"
    expect(page.locator("#privacy dl")).to_be_hidden()
    page.locator("#privacy summary").click()  # the full text, one tap away
    expect(page.locator("#privacy dl")).to_be_visible()
    expect(page.locator("#privacy")).to_contain_text("Liên hệ")

    name.fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.select_option("select[name=ward_id]", str(seeded["ward"]))
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("h1")).to_have_text("Bạn đã đăng ký thành công")
    qr = page.locator("img.ticket-qr")
    expect(qr).to_be_visible()
    assert _bottom(qr) <= FOLD, "the ticket page opens on the QR code"
    details = page.get_by_role("heading", name="Thông tin của bạn")
    assert qr.bounding_box()["y"] < details.bounding_box()["y"]  # the details come after it
    page.screenshot(path=str(artifacts / "citizen-ticket-360.png"))


def test_find_my_registration_is_in_the_menu_and_on_the_activity_and_back_goes_back(csrf_live_server, page):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    activity = f"{base}/events/activities/{seeded['activity']}"

    # from the home page to the activity (by its address, as from a shared link): back goes to the home page
    page.goto(f"{base}/")
    page.evaluate(f"location.href = {activity!r}")
    page.wait_for_url(activity)
    page.get_by_role("link", name="Lịch hoạt động").first.click()
    expect(page).to_have_url(f"{base}/")

    page.goto(activity)
    page.locator("details.menu summary").click()
    page.locator("details.menu").get_by_role("link", name="Tìm lại đăng ký").click()
    expect(page.locator("h1")).to_have_text("Tìm lại đăng ký của tôi")
    page.get_by_role("link", name="Quay lại").click()
    expect(page).to_have_url(activity)

    # on the activity page itself, and back from the form to the page it was opened from
    page.get_by_role("link", name="Tìm lại đăng ký").last.click()
    expect(page.locator("h1")).to_have_text("Tìm lại đăng ký của tôi")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_role("button").last.click()
    expect(page.get_by_role("status").last).to_be_visible()
    page.get_by_role("link", name="Quay lại").click()  # still back to the activity, after sending the form
    expect(page).to_have_url(activity)
    page.get_by_role("link", name="Đăng ký tham gia").click()
    page.get_by_role("link", name="Quay lại").click()
    expect(page).to_have_url(activity)

    # a link written elsewhere cannot send "back" to another site
    for hostile in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        page.goto(f"{base}/events/registrations/find?next={hostile}")
        href = page.get_by_role("link", name="Quay lại").get_attribute("href")
        assert href == "/events/calendar", hostile


def test_registration_closed_by_the_start_points_to_the_venue(csrf_live_server, page):
    base, app = csrf_live_server.url, csrf_live_server.app
    seeded = _seed(app)
    with app.app_context():
        festival = db.session.get(Activity, seeded["activity"])
        now = datetime.now(TZ)
        festival.starts_at, festival.ends_at = now - timedelta(hours=1), now + timedelta(hours=5)
        db.session.commit()
        ends = festival.ends_at.astimezone(TZ).strftime("%H:%M")
    page.goto(f"{base}/events/activities/{seeded['activity']}")
    section = page.locator(".activity-action")
    expect(section).to_contain_text(ends)
    expect(page.get_by_role("link", name="Đăng ký tham gia")).to_have_count(0)
    assert _bottom(section) <= FOLD
