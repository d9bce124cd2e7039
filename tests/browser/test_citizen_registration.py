"""A citizen on a 360-px phone finds the festival in the public calendar and registers for it."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Unit
from events.models import Activity, Plan, Registration, Venue
from tests.factories import make_activity

pytestmark = pytest.mark.browser
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FESTIVAL = "Ngày hội Chuyển đổi số thành phố Tân Uyên"


@pytest.fixture
def context_options():
    return {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _seed(app) -> dict:
    """A published plan whose festival takes registrations now (dates relative to today)."""
    today = datetime.now(TZ).date()
    festival_day = today + timedelta(days=20)
    with app.app_context():
        city = Unit(name="Thành phố Tân Uyên", kind="district")
        ward = Unit(name="Phường Uyên Hưng", kind="ward", parent=city)
        office = Unit(name="Phòng Văn hóa và Thông tin", kind="department", parent=city)
        square = Venue(
            name="Quảng trường thành phố Tân Uyên",
            capacity=3000,
            unit=ward,
            directions="Trước trụ sở UBND thành phố; gửi xe sau Nhà văn hóa.",
        )
        plan = Plan(
            title="Hưởng ứng Ngày Chuyển đổi số",
            status="published",
            lead_unit=office,
            period_start=today - timedelta(days=10),
            period_end=today + timedelta(days=60),
        )
        festival = make_activity(
            plan,
            title=FESTIVAL,
            kind="festival",
            venue=square,
            lead_unit=office,
            area_unit=ward,
            starts_at=datetime.combine(festival_day, time(7, 30), TZ),
            ends_at=datetime.combine(festival_day, time(21, 0), TZ),
            capacity=2000,
            is_public=True,
            registration_open=True,
            registration_opens_at=datetime.now(TZ) - timedelta(days=1),
            audience_groups=",citizens,",
            what_to_bring="Căn cước công dân gắn chip",
        )
        db.session.add_all([city, ward, office, square, plan, festival])
        db.session.commit()
        return {"day": festival_day, "ward": ward.id, "activity": festival.id}


def test_a_citizen_finds_the_festival_on_a_phone_and_registers(csrf_live_server, page, assert_accessible, artifacts):
    base = csrf_live_server.url
    seeded = _seed(csrf_live_server.app)

    page.goto(f"{base}/")
    page.locator("details.menu summary").click()
    page.get_by_role("link", name="Lịch hoạt động").click()
    expect(page).to_have_url(f"{base}/events/calendar")
    # the calendar opens on what is coming up: the festival, 20 days ahead, is on its first page
    expect(page.get_by_role("heading", name="Các hoạt động sắp diễn ra")).to_be_visible()
    assert_accessible(page, "calendar on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name=FESTIVAL).first.click()

    expect(page.locator("h1")).to_have_text(FESTIVAL)
    expect(page.get_by_text("Trước trụ sở UBND thành phố")).to_be_visible()
    assert_accessible(page, "activity page")
    page.get_by_role("link", name="Đăng ký tham gia").click()

    page.get_by_role("button", name="Đăng ký").click()  # empty form first
    expect(page.get_by_text("Nhập họ và tên của bạn.")).to_be_visible()
    assert_accessible(page, "registration form with errors")
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.select_option("select[name=ward_id]", str(seeded["ward"]))
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Đăng ký").click()

    expect(page.locator("h1")).to_have_text("Bạn đã đăng ký thành công")
    expect(page.get_by_text("Chỗ của bạn đã được xác nhận.")).to_be_visible()
    expect(page.get_by_text("0912345678")).to_have_count(0)  # the phone is never shown in full
    expect(page.get_by_text("09******78")).to_be_visible()
    assert_accessible(page, "confirmation")
    page.screenshot(path=str(artifacts / "citizen-registered-360.png"), full_page=True)
    with csrf_live_server.app.app_context():
        registration = db.session.query(Registration).one()
        assert registration.status == "confirmed" and registration.phone == "0912345678"
        assert db.session.get(Activity, seeded["activity"]).seats_taken == 1
