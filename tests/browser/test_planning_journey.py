"""An organizer plans a cluster tour in a real browser and is warned about a stop outside the tour's dates."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Unit
from events.models import Plan

pytestmark = pytest.mark.browser


def _seed(app):
    with app.app_context():
        province = Unit(name="Tỉnh Đồng Nai", kind="province")
        department = Unit(name="Sở Thông tin và Truyền thông tỉnh Đồng Nai", kind="department", parent=province)
        dinh_quan = Unit(name="UBND huyện Định Quán", kind="district", parent=province)
        trang_bom = Unit(name="UBND huyện Trảng Bom", kind="district", parent=province)
        tan_phu = Unit(name="UBND huyện Tân Phú", kind="district", parent=province)
        plan = Plan(
            title="Hưởng ứng ngày chuyển đổi số tỉnh Đồng Nai năm 2024",
            status="published",
            period_start=date(2024, 8, 1),
            period_end=date(2024, 10, 10),
        )
        db.session.add_all([province, department, dinh_quan, trang_bom, tan_phu, plan])
        db.session.commit()
        return {
            "plan": plan.id,
            "department": department.id,
            "dinh_quan": dinh_quan.id,
            "trang_bom": trang_bom.id,
            "tan_phu": tan_phu.id,
        }


def _sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#login", user["email"])
    page.fill("#password", user["password"])
    page.click("main form.form [type=submit]")
    expect(page.locator(".flashes")).to_be_visible()


def test_organizer_creates_a_cluster_tour_with_two_stops_and_sees_a_conflict_warning(
    csrf_live_server, page, make_user, assert_accessible, artifacts
):
    base = csrf_live_server.url
    ids = _seed(csrf_live_server.app)
    _sign_in(page, base, make_user("organizer"))

    page.goto(f"{base}/events/plans/{ids['plan']}")
    page.get_by_role("link", name="Thêm hoạt động").first.click()
    page.fill("#title", "Chuỗi hành trình phát động thi đua theo cụm")
    page.select_option("#kind", "cluster_tour")
    page.fill("#starts_at", "24/09/2024 07:30")
    page.fill("#ends_at", "28/09/2024 17:00")
    page.select_option("#lead_unit_id", str(ids["department"]))
    page.get_by_role("button", name="Lưu hoạt động").click()
    expect(page.get_by_text("Đã lưu hoạt động.")).to_be_visible()
    assert_accessible(page, "activity page of a new tour")

    page.get_by_role("link", name="Thêm điểm dừng").first.click()
    page.fill("#name", "Cụm 1")
    page.select_option("#host_unit_id", str(ids["dinh_quan"]))
    page.fill("#starts_at", "24/09/2024 07:30")
    page.fill("#ends_at", "25/09/2024 17:00")
    page.locator("details.choose summary").click()
    page.check(f"input[name=participant_ids][value='{ids['tan_phu']}']")
    page.get_by_role("button", name="Lưu điểm dừng").click()
    expect(page.get_by_text("Đã lưu điểm dừng.")).to_be_visible()

    page.get_by_role("link", name="Thêm điểm dừng").first.click()
    page.fill("#name", "Cụm 2")
    page.select_option("#host_unit_id", str(ids["trang_bom"]))
    page.fill("#starts_at", "28/09/2024 07:30")
    page.fill("#ends_at", "29/09/2024 17:00")  # a day past the tour's end
    page.get_by_role("button", name="Lưu điểm dừng").click()
    warning = page.get_by_role("alert").filter(has_text="Kiểm tra các cảnh báo trước khi lưu")
    expect(warning).to_contain_text("Cụm 2 nằm ngoài thời gian của hành trình")
    expect(page.locator("#name")).to_have_value("Cụm 2")  # nothing typed is lost
    assert_accessible(page, "stop form with a warning")
    page.screenshot(path=str(artifacts / "organizer-stop-warning.png"), full_page=True)

    page.get_by_label("Tôi đã xem các cảnh báo này và vẫn muốn lưu").check()
    page.get_by_role("button", name="Lưu điểm dừng").click()
    expect(page.get_by_text("Đã lưu điểm dừng.")).to_be_visible()
    itinerary = page.locator("ol.itinerary > li")
    expect(itinerary).to_have_count(2)
    expect(itinerary.nth(0)).to_contain_text("Cụm 1")
    expect(itinerary.nth(1)).to_contain_text("UBND huyện Trảng Bom")

    page.goto(f"{base}/events/plans/{ids['plan']}")
    expect(page.locator(".warning-list li.accepted")).to_contain_text("Cụm 2")
    assert_accessible(page, "plan page")
