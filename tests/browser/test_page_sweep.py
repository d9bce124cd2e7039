"""Every page an organizer or an administrator works with, on a 360-px phone: no serious or critical axe-core
violation and nothing wider than the screen."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import load_demo
from app.extensions import db
from checkin.models import Checkpoint
from contests.models import Contest, QuizRound
from events.models import Activity, Plan, TourStop, Venue

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-demo-1010"
# The elements that stick out of the screen without a scrolling box around them: what makes the page too wide.
WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    for (let p = e.parentElement; p; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
    }
    return true;
}).slice(-3).map(e => `${e.tagName}.${e.className} ${(e.textContent || '').trim().slice(0, 40)}`)"""


@pytest.fixture
def context_options():
    return {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _pages(app) -> list[str]:
    with app.app_context():
        load_demo(db.session, password=PASSWORD)
        db.session.commit()
        plan = db.session.scalar(select(Plan).where(Plan.number == "4568/KH-UBND"))
        festival = db.session.scalar(select(Activity).where(Activity.kind == "festival"))
        tour = db.session.scalar(select(Activity).where(Activity.kind == "cluster_tour"))
        stop = db.session.scalar(select(TourStop))
        venue = db.session.scalar(select(Venue))
        entrance = db.session.scalar(select(Checkpoint).where(Checkpoint.activity_id == festival.id))
        quiz = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
        quiz_round = db.session.scalar(select(QuizRound).where(QuizRound.contest_id == quiz.id))
        return [
            "/",
            "/events/",
            f"/events/plans/{plan.id}",
            f"/events/plans/{plan.id}/edit",
            "/events/plans/new",
            f"/events/plans/{plan.id}/activities/new",
            f"/events/activities/{festival.id}/edit",
            f"/events/activities/{tour.id}/edit",
            f"/events/stops/{stop.id}/edit",
            f"/events/activities/{tour.id}",
            f"/events/activities/{festival.id}/registrations",
            f"/events/plans/{plan.id}/import",
            "/events/venues",
            f"/events/venues/{venue.id}",
            "/events/calendar?view=month&date=2024-10-01",
            "/events/calendar?view=week&date=2024-10-05",
            "/events/calendar?view=list&date=2024-10-01",
            "/contests/",
            f"/contests/{quiz.id}/rounds",
            f"/contests/{quiz.id}/rounds/new",
            f"/contests/rounds/{quiz_round.id}/edit",
            f"/contests/rounds/{quiz_round.id}/ranking",
            f"/contests/rounds/{quiz_round.id}/flags",
            f"/contests/{quiz.id}/questions",
            f"/contests/{quiz.id}/questions/new",
            f"/contests/{quiz.id}/questions/import",
            f"/contests/{quiz.id}/topics",
            f"/contests/{quiz.id}/populations",
            "/checkin/",
            f"/checkin/checkpoints/{entrance.id}/scan",
            f"/checkin/activities/{festival.id}/review",
            "/admin/users",
            "/admin/users/new",
            "/admin/units",
            "/admin/units/new",
            "/admin/audit",
            "/admin/jobs",
            "/account/password",
        ]


def test_every_staff_page_is_accessible_on_a_phone(csrf_live_server, page, assert_accessible):
    base = csrf_live_server.url
    paths = _pages(csrf_live_server.app)
    page.goto(f"{base}/login")
    page.fill("#login", "admin@dxday.example")
    page.fill("#password", PASSWORD)
    page.click("main form.form [type=submit]")
    expect(page.locator(".flashes")).to_be_visible()
    too_wide = []
    for path in paths:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_accessible(page, path)
        expect(page.locator("h1")).to_have_count(1)
        # Wide tables scroll inside their own box; the page itself must not.
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            too_wide.append((path, page.evaluate(WIDEST)))
    assert too_wide == []


def test_every_public_page_is_accessible_on_a_phone(csrf_live_server, page, assert_accessible):
    base = csrf_live_server.url
    _pages(csrf_live_server.app)
    with csrf_live_server.app.app_context():
        festival = db.session.scalar(select(Activity).where(Activity.kind == "festival"))
        tour = db.session.scalar(select(Activity).where(Activity.kind == "cluster_tour"))
        quiz = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
    too_wide = []
    for path in (
        "/",
        "/events/",
        "/events/calendar?view=month&date=2024-10-01",
        "/events/calendar?view=week&date=2024-09-24",
        "/events/calendar?view=list&date=2024-09-20&kind=festival",
        "/events/calendar?date=2024-09-20&q=ng%C3%A0y+h%E1%BB%99i",
        f"/events/activities/{festival.id}",
        f"/events/activities/{tour.id}",
        f"/events/activities/{festival.id}/register",
        "/contests/",
        f"/contests/{quiz.id}",
        f"/contests/{quiz.id}/join",
        f"/contests/{quiz.id}/return",
        "/login",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_accessible(page, path)
        expect(page.locator("h1")).to_have_count(1)
        if page.evaluate("document.documentElement.scrollWidth") > 360:
            too_wide.append((path, page.evaluate(WIDEST)))
    assert too_wide == []
