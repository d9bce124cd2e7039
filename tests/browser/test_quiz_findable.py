"""Issue 23's quiz on a 360×740 phone: the contest with a round open now comes first and says so (list and home),
the way back on another phone is told after sign-up and before submitting, "‹ Previous question" is a ghost button
(not solid like the primary one), the review links every question, a prize is shown plainly with how it is
claimed; and the organizer's live counts refresh in place.

New strings are checked in English (the ``dxday_lang`` cookie): their Vietnamese comes with the merged catalogue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.contests.records import world

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
QUIZ_TITLE = "Cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin"


@pytest.fixture
def context_options():
    return PHONE


def english(page, base):
    page.context.add_cookies([{"name": "dxday_lang", "value": "en", "url": base}])


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_open_quiz_is_found_first_and_marked_open(csrf_live_server, page):
    from app.extensions import db
    from contests.models import Contest

    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    with csrf_live_server.app.app_context():
        # A contest that opened earlier (so first by its dates), with no round to take today.
        db.session.add(
            Contest(title="Cuộc thi vẽ tranh bằng AI", kind="juried", is_published=True,
                    opens_at=quiz.now - timedelta(days=30), closes_at=quiz.now + timedelta(days=30))
        )  # fmt: skip
        db.session.commit()
    english(page, base)
    page.goto(f"{base}/contests/")
    first = page.locator("ul.cards > li.card").first
    expect(first.get_by_role("heading", level=2)).to_have_text(QUIZ_TITLE)
    expect(first.locator(".tag--open")).to_have_text("Open now")
    fits(page)

    page.goto(f"{base}/")
    open_now = page.locator("section", has=page.get_by_role("heading", name="Open now"))
    expect(open_now.get_by_role("link", name=QUIZ_TITLE)).to_be_visible()
    open_now.get_by_role("link", name=QUIZ_TITLE).click()

    # The contest page: the rounds with their dates, prizes with the least score, the rules and the tie-break.
    expect(page.get_by_role("heading", name="Rules")).to_be_visible()
    expect(page.get_by_text("A prize needs at least 2 of 4 right answers.").first).to_be_visible()
    expect(page.get_by_text(re.compile("on a tie, the prediction"))).to_be_visible()
    expect(page.locator(".quiz-rounds .when").first).to_have_text(re.compile(r"\d\d/\d\d/\d{4}"))
    fits(page)


def test_a_citizen_is_told_the_way_back_and_the_quiz_buttons_read_right(csrf_live_server, page):
    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    english(page, base)
    way_back = f"/contests/{quiz.contest_id}/return"

    # Their rounds (where the sign-up lands): how to come back on another phone.
    page.goto(f"{base}/contests/me/{quiz.token}")
    expect(page.get_by_text("On another phone or computer?")).to_be_visible()
    expect(page.locator(f'a[href="{way_back}"]')).to_be_visible()

    # A question after the first: "‹ Previous question", a ghost button beside the solid primary one.
    page.goto(f"{base}/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/2")
    previous = page.get_by_role("button", name="‹ Previous question")
    primary = page.get_by_role("button", name=re.compile("Save and next"))
    expect(previous).to_be_visible()
    background = "el => getComputedStyle(el).backgroundColor"
    assert previous.evaluate(background) == "rgba(0, 0, 0, 0)"
    assert previous.evaluate(background) != primary.evaluate(background)
    fits(page)

    # The review: every question with its state and a link; the way back again before submitting.
    page.goto(f"{base}/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/review")
    review = page.locator("ul.quiz-review")
    expect(review.get_by_role("link")).to_have_count(4)
    expect(review.get_by_role("link", name="Question 1: answered")).to_be_visible()
    expect(review.get_by_role("link", name="Question 3: not answered")).to_be_visible()
    expect(page.locator(f'a[href="{way_back}"]')).to_be_visible()
    fits(page)
    review.get_by_role("link", name="Question 3: not answered").click()
    expect(page.locator(".quiz-progress")).to_have_text("Question 3 of 4")


def test_a_winner_reads_the_prize_and_how_it_is_claimed(csrf_live_server, page):
    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    english(page, base)
    page.goto(f"{base}/contests/me/{quiz.winner_token}/rounds/{quiz.closed_round_id}/result")
    prize = page.locator(".quiz-prize")
    expect(prize).to_contain_text("You won: First prize.")
    expect(prize).to_contain_text("The organizers will call you on the phone you signed up with (ending 0001)")
    box = prize.bounding_box()
    assert box is not None and box["y"] < 740  # on the first screen, before the answers
    fits(page)


def test_the_organizers_live_counts_refresh_in_place_by_ward(csrf_live_server, new_context, make_user):
    from app.extensions import db
    from contests.models import Participant, QuizRound
    from contests.services import attempts as quiz_services

    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    organizer = make_user("organizer")
    desk = new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.goto(f"{base}/login")
    desk.get_by_label("Email hoặc số điện thoại").fill(organizer["email"])
    desk.get_by_label("Mật khẩu").fill(organizer["password"])
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.clock.install()
    desk.goto(f"{base}/contests/rounds/{quiz.open_round_id}/ranking")
    counts = desk.locator("#live-counts")
    expect(counts.get_by_role("row", name=re.compile("Phường Uyên Hưng"))).to_be_visible()
    expect(counts.get_by_role("row", name=re.compile("Phường Khánh Bình"))).to_have_count(0)
    desk.evaluate("window.__same_page = true")

    # Someone from another ward starts the round.
    with csrf_live_server.app.app_context():
        person = db.session.query(Participant).filter_by(return_token=quiz.fresh_token).one()
        quiz_round = db.session.get(QuizRound, quiz.open_round_id)
        quiz_services.start_attempt(db.session, quiz_round, person, now=quiz.now, seed=11)
        db.session.commit()
    desk.clock.run_for(16_000)
    expect(counts.get_by_role("row", name=re.compile("Phường Khánh Bình"))).to_be_visible()
    assert desk.evaluate("window.__same_page") is True  # refreshed in place, not reloaded
