"""An organizer's first visit on a phone, a keyboard-only sign-in, and the README's screenshot, in Chromium.

The app is served with CSRF protection on (``csrf_live_server``), so the sign-in form and the language switch
must carry their tokens. Every page the journey opens is checked with axe-core (no serious/critical violation).
Screenshots land in tests/artifacts/ (git-ignored); ``UPDATE_SCREENSHOT=1`` also refreshes docs/screenshot.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


def open_menu(page: Page) -> None:
    """Open the header's <details class="menu"> unless it is open already (on wide screens app.js opens it)."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        summary = menu.locator("summary")
        summary.tap() if _has_touch(page) else summary.click()
    expect(menu).to_have_attribute("open", "")


def _has_touch(page: Page) -> bool:
    return page.evaluate("() => navigator.maxTouchPoints > 0")


def expect_language(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)
    pressed = {"vi": "Tiếng Việt", "en": "English"}
    for code, label in pressed.items():
        expect(page.locator("form.lang").get_by_role("button", name=label)).to_have_attribute(
            "aria-pressed", "true" if code == lang else "false"
        )


def test_organizer_on_a_phone_signs_in_switches_language_and_lands_on_the_events_page(
    new_context, csrf_live_server, make_user, assert_accessible, artifacts
):
    organizer = make_user("organizer", email="to-chuc@example.vn", name="Nguyễn Thị Thu Hà")
    base = csrf_live_server.url
    page = new_context(**PHONE).new_page()

    # Signed out, Vietnamese by default; the sign-in link sits in the collapsed menu on a phone.
    page.goto(base + "/")
    expect_language(page, "vi")
    expect(page.locator("details.menu")).not_to_have_attribute("open", "")
    assert_accessible(page, "home, signed out")
    open_menu(page)
    page.locator("details.menu a[href='/login']").tap()
    expect(page).to_have_url(base + "/login")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    assert_accessible(page, "sign-in page")

    # The real form, with its CSRF token.
    assert page.locator("form.form input[name=csrf_token]").get_attribute("value")
    page.locator("input[name=login]").fill(organizer["email"])
    page.locator("input[name=password]").fill(organizer["password"])
    page.locator("form.form [type=submit]").tap()
    expect(page).to_have_url(base + "/")
    expect(page.locator(".alert--success")).to_contain_text("Nguyễn Thị Thu Hà")
    open_menu(page)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.get_by_role("link", name="Kế hoạch và hoạt động")).to_be_visible()
    assert_accessible(page, "home, signed in, menu open")

    # CSRF really is on: a language switch without the token is refused and changes nothing.
    forged = page.request.post(base + "/language", form={"lang": "en", "next": "/"}, max_redirects=0)
    assert forged.status == 400
    page.reload()
    expect_language(page, "vi")

    # Header switch to English: the same page comes back in English.
    page.locator("form.lang").get_by_role("button", name="English").tap()
    expect_language(page, "en")
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("link", name="Plans and activities")).to_be_visible()
    open_menu(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)
    assert_accessible(page, "home in English, menu open")

    page.get_by_role("link", name="Plans and activities").tap()
    expect(page).to_have_url(base + "/events/")
    expect_language(page, "en")
    expect(page.locator("h1")).to_have_text("Plans and activities")
    expect(page).to_have_title("Plans and activities · DX Day 10/10")
    assert_accessible(page, "events page in English")

    # And back to Vietnamese from the events page, which the switch returns to.
    page.locator("form.lang").get_by_role("button", name="Tiếng Việt").tap()
    expect_language(page, "vi")
    expect(page).to_have_url(base + "/events/")
    expect(page.locator("h1")).to_have_text("Kế hoạch và hoạt động")
    expect(page).to_have_title("Kế hoạch và hoạt động · Ngày Chuyển đổi số 10/10")
    expect(page.get_by_text("Plans and activities")).to_have_count(0)
    open_menu(page)
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(page.locator("details.menu a[href='/events/']")).to_have_attribute("aria-current", "page")
    assert_accessible(page, "events page in Vietnamese, menu open")

    # Nothing may stick out sideways on a 360 px screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.screenshot(path=artifacts / "organizer-events-360.png", full_page=True)


def test_keyboard_only_sign_in_starts_at_the_skip_link(page, csrf_live_server, make_user):
    user = make_user("organizer")
    page.goto(csrf_live_server.url + "/login")

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_attribute("href", "#main")
    expect(skip).to_be_in_viewport()  # hidden off-screen until focused, then shown
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.locator("input[name=login]")).to_be_focused()
    page.keyboard.type(user["email"])
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(user["password"])
    page.keyboard.press("Tab")
    expect(page.locator("input[name=remember]")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("input[name=remember]")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.locator("form.form [type=submit]")).to_be_focused()
    page.keyboard.press("Enter")

    # Home, signed in (the skip link's #main fragment survives the form post and the redirect).
    expect(page).to_have_url(re.compile(re.escape(csrf_live_server.url) + r"/(#main)?$"))
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_events_page_with_the_demo_campaign_on_a_desktop(page, csrf_live_server, assert_accessible, artifacts, request):
    """The README's screenshot: the public events page of the demo campaign at 1280×800."""
    from app.demo import load_demo
    from app.extensions import db

    with csrf_live_server.app.app_context():
        load_demo(db.session, password="mat-khau-demo-1010")
        db.session.commit()

    page.goto(csrf_live_server.url + "/events/")
    expect(page.locator("h1")).to_have_text("Kế hoạch và hoạt động")
    expect(page.locator("article.plan").first).to_be_visible()
    expect(page.locator("li.activity").first).to_be_visible()
    assert_accessible(page, "events page with the demo campaign")
    page.screenshot(path=artifacts / "events-demo-1280.png")
    # The plan page: timeline, figures, activities. The demo calendar opens at October 2024.
    page.get_by_role("link", name=re.compile("Ngày Chuyển đổi số tỉnh Bình Dương")).first.click()
    expect(page.locator("figure.timeline")).to_be_visible()
    assert_accessible(page, "plan page of the demo campaign")
    page.screenshot(path=artifacts / "plan-demo-1280.png", full_page=True)
    page.goto(csrf_live_server.url + "/events/calendar?view=month&date=2024-10-01")
    expect(page.get_by_role("link", name="Ngày hội Chuyển đổi số thành phố Tân Uyên").first).to_be_visible()
    assert_accessible(page, "calendar of October 2024")
    page.screenshot(path=artifacts / "calendar-demo-1280.png", full_page=True)
    # The README shows SQLite's run (the default `make run` database); both backends render the same page.
    if os.environ.get("UPDATE_SCREENSHOT") == "1" and request.node.callspec.params.get("database_url") == "sqlite":
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=README_SCREENSHOT)
