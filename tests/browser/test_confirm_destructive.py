"""Cancelling an activity in a real browser with JavaScript switched off: the button leads to a page that says
what will happen, and only its own button cancels."""

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Unit
from events.models import Activity, Plan, ProgrammeItem, Registration, TourStop
from tests.factories import make_activity

from .conftest import DESKTOP

pytestmark = pytest.mark.browser


@pytest.fixture
def context_options():
    """No JavaScript at all: the confirmation step must work with plain links and forms."""
    return {"viewport": DESKTOP, "java_script_enabled": False}


def _seed(app) -> dict:
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=20)
    with app.app_context():
        province = Unit(name="Tỉnh Bình Dương", kind="province")
        office = Unit(name="Phòng Văn hóa và Thông tin", kind="department", parent=province)
        plan = Plan(
            title="Hưởng ứng Ngày Chuyển đổi số",
            status="published",
            period_start=start.date() - timedelta(days=10),
            period_end=start.date() + timedelta(days=30),
        )
        activity = make_activity(
            plan,
            title="Lớp tập huấn kỹ năng số cho người dân",
            kind="training",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            lead_unit=office,
            capacity=1,
            seats_taken=1,
            registration_open=True,
        )
        people = [("Nguyễn Thị Hương", "0903112233", "confirmed"), ("Đỗ Quang Vinh", "0355667788", "waitlisted")]
        for name, phone, status in people:
            db.session.add(
                Registration(
                    activity=activity,
                    name=name,
                    phone=phone,
                    consent_at=datetime.now(UTC),
                    status=status,
                    token=secrets.token_urlsafe(32),
                )
            )
        item = ProgrammeItem(activity=activity, title="Khai mạc", starts_at=start)
        tour = make_activity(
            plan,
            title="Hành trình theo cụm",
            kind="cluster_tour",
            starts_at=start + timedelta(days=2),
            ends_at=start + timedelta(days=4),
        )
        stop = TourStop(
            activity=tour,
            position=1,
            name="Cụm 1",
            host_unit=office,
            starts_at=start + timedelta(days=2),
            ends_at=start + timedelta(days=3),
        )
        db.session.add_all([province, office, plan, activity, item, tour, stop])
        db.session.commit()
        return {"plan": plan.id, "activity": activity.id, "item": item.id, "stop": stop.id}


def _sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill("#login", user["email"])
    page.fill("#password", user["password"])
    page.click("main form.form [type=submit]")
    expect(page.locator(".flashes")).to_be_visible()


def test_cancelling_an_activity_asks_first_without_javascript(
    csrf_live_server, page, new_context, make_user, assert_accessible, artifacts
):
    base = csrf_live_server.url
    ids = _seed(csrf_live_server.app)
    _sign_in(page, base, make_user("organizer"))

    page.goto(f"{base}/events/activities/{ids['activity']}/edit")
    page.get_by_role("link", name="Hủy hoạt động này").click()
    expect(page).to_have_url(f"{base}/events/activities/{ids['activity']}/cancel")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hủy “Lớp tập huấn kỹ năng số cho người dân”?")
    expect(page.locator(".confirm-losses")).to_contain_text("2 người đã đăng ký sẽ được báo tin hủy.")
    # axe-core runs as a script: it checks the same page, same session, in a context that allows scripts.
    checked = new_context(viewport=DESKTOP, storage_state=page.context.storage_state()).new_page()
    checked.goto(page.url)
    expect(checked.locator(".confirm-losses")).to_contain_text("2 người đã đăng ký sẽ được báo tin hủy.")
    assert_accessible(checked, "confirmation of cancelling an activity")
    checked.screenshot(path=str(artifacts / "organizer-confirm-cancel.png"), full_page=True)

    page.get_by_role("link", name="Không, quay lại").click()  # changing one's mind changes nothing
    expect(page).to_have_url(f"{base}/events/activities/{ids['activity']}/edit")
    with csrf_live_server.app.app_context():
        assert not db.session.get(Activity, ids["activity"]).cancelled

    page.get_by_role("link", name="Hủy hoạt động này").click()
    page.get_by_role("button", name="Đồng ý hủy hoạt động").click()
    expect(page).to_have_url(f"{base}/events/plans/{ids['plan']}")
    expect(page.get_by_text("Đã hủy hoạt động.")).to_be_visible()
    with csrf_live_server.app.app_context():
        assert db.session.get(Activity, ids["activity"]).cancelled


def test_the_new_pages_fit_a_phone_and_pass_axe(csrf_live_server, new_context, make_user, assert_accessible):
    """The confirmation pages, the programme item form and the registrations list with its search and counts, on a
    360-px phone: no serious axe-core violation, nothing wider than the screen."""
    base = csrf_live_server.url
    ids = _seed(csrf_live_server.app)
    page = new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    _sign_in(page, base, make_user("organizer"))
    for path in (
        f"/events/activities/{ids['activity']}/cancel",
        f"/events/stops/{ids['stop']}/delete",
        f"/events/programme/{ids['item']}/delete",
        f"/events/programme/{ids['item']}/edit",
        f"/events/activities/{ids['activity']}/registrations?q=huong",
        f"/events/activities/{ids['activity']}/registrations",
    ):
        page.goto(base + path)
        assert_accessible(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 361, path
