"""The organizer's check-in pages on a 360-px phone (axe, nothing wider than the screen) and the big screen on a
1920x1080 display: everything on one screen, numbers large enough to read across the square."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from checkin.models import Checkpoint
from events.models import Activity

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-demo-1010"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _festival(app) -> tuple[int, int]:
    with app.app_context():
        load_demo(db.session, password=PASSWORD)
        db.session.commit()
        festival = db.session.scalar(
            select(Activity).where(Activity.title == "Ngày hội Chuyển đổi số thành phố Tân Uyên")
        )
        point = db.session.scalar(select(Checkpoint).where(Checkpoint.activity_id == festival.id))
        return festival.id, point.id


def test_the_organizers_checkin_pages_work_on_a_phone(csrf_live_server, new_context, assert_accessible):
    base = csrf_live_server.url
    festival, point = _festival(csrf_live_server.app)
    page = new_context(**PHONE).new_page()
    page.goto(f"{base}/login")
    page.fill("#login", "admin@dxday.example")
    page.fill("#password", PASSWORD)
    page.click("main form.form [type=submit]")
    expect(page.locator(".flashes")).to_be_visible()
    too_wide = []
    for path in (
        "/checkin/",
        f"/checkin/activities/{festival}/checkpoints",
        f"/checkin/activities/{festival}/checkpoints/new",
        f"/checkin/checkpoints/{point}/edit",
        f"/checkin/activities/{festival}/walk-in",
        f"/checkin/activities/{festival}/badges",
        f"/checkin/activities/{festival}/counts",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_accessible(page, path)
        expect(page.locator("h1")).to_have_count(1)
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            too_wide.append(path)
    assert too_wide == []

    # Assigning a volunteer by keyboard: choose in the select, press Enter on the button.
    page.goto(f"{base}/checkin/activities/{festival}/checkpoints/new")
    page.fill("#name", "Không gian sách")
    page.select_option("#kind", "booth")
    page.select_option("#rule", "every_time")
    page.locator("#submit").press("Enter")
    expect(page.locator(".flashes")).to_contain_text("Đã lưu điểm soát vé.")
    expect(page.locator(".card", has_text="Không gian sách")).to_be_visible()


def test_the_big_screen_fits_a_1920x1080_display(csrf_live_server, new_context, assert_accessible):
    base = csrf_live_server.url
    festival, _point = _festival(csrf_live_server.app)
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    response = page.goto(f"{base}/checkin/activities/{festival}/screen")
    assert response.status == 200
    assert_accessible(page, "big screen")
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    expect(page.locator("h1")).to_contain_text("Ngày hội Chuyển đổi số thành phố Tân Uyên")
    sizes = page.evaluate(
        "[...document.querySelectorAll('.screen__figure strong')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 100  # px: read from 20 metres
    expect(page.locator("body")).to_have_attribute("data-refresh", "15")
    with page.expect_navigation(timeout=20_000):  # it reloads itself
        pass
