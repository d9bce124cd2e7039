"""On a 360×740 phone a citizen signs up for the online quiz, starts a round, answers (each choice saved as it is
made), reloads mid-attempt and resumes with the time left, submits; the organizer closes the round; the citizen
then sees the correct answers and their explanations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.contests.records import CORRECT_TEXT, EXPLANATION, world

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def context_options():
    return PHONE


# Every layout shift not caused by the person's own input, summed (the Cumulative Layout Shift of the page).
CLS_PROBE = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) { if (!entry.hadRecentInput) window.__cls += entry.value; }
}).observe({type: "layout-shift", buffered: true});
"""
# Bytes this page load cost on the wire: the document and every file it fetched (a cached or revalidated file
# costs its headers only).
TRANSFERRED = """
[...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
  .reduce((sum, entry) => sum + (entry.transferSize || 0), 0)
"""


def answer_with_the_correct_text(page):
    # The autosave listens once quiz.js (deferred) has run: on a loaded machine a click can come first, and the
    # choice is then saved only by the page's own button (as without JavaScript).
    page.wait_for_load_state("load")
    page.locator("ul.quiz-options label", has_text=CORRECT_TEXT).click()
    expect(page.locator("#save-status")).to_have_text("Đã lưu câu trả lời.")


def test_a_citizen_takes_a_round_on_a_phone_and_reads_the_explanations_after_close(
    csrf_live_server, page, new_context, make_user, assert_accessible
):
    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    organizer = make_user("organizer")
    page.add_init_script(CLS_PROBE)

    # Sign up.
    page.goto(f"{base}/contests/{quiz.contest_id}")
    page.get_by_role("link", name="Tham gia dự thi").first.click()
    page.get_by_label("Họ và tên").fill("Đặng Thu Trang")
    page.get_by_label("Số điện thoại").fill("0933 123 456")
    page.get_by_label("Phường, xã nơi bạn cư trú").select_option(label="Phường Uyên Hưng")
    page.get_by_label("Năm sinh").fill("2007")
    page.get_by_label("Tôi đồng ý").check()
    assert_accessible(page, "quiz sign-up on a phone")
    page.get_by_role("button", name="Tham gia dự thi").click()
    expect(page.get_by_role("heading", name="Các vòng thi của tôi")).to_be_visible()

    # Start: one question per screen, a clock, the choice saved as soon as it is made.
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page.locator(".quiz-progress")).to_have_text("Câu 1/4")
    expect(page.locator(".timer__value")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    answer_with_the_correct_text(page)
    assert_accessible(page, "a question on a phone")
    page.get_by_role("button", name="Lưu và sang câu tiếp").click()
    expect(page.locator(".quiz-progress")).to_have_text("Câu 2/4")
    # A page load after the first: well under 50 KB on the wire (styles and scripts come from the cache), and
    # nothing moves while the clock ticks and the answer is saved.
    assert page.evaluate(TRANSFERRED) < 50 * 1024
    answer_with_the_correct_text(page)
    page.wait_for_timeout(1500)
    assert page.evaluate("window.__cls") < 0.01

    # Reload mid-attempt: the same question, the choice still ticked, the clock where the server says.
    page.reload()
    expect(page.locator(".quiz-progress")).to_have_text("Câu 2/4")
    expect(page.locator("ul.quiz-options label", has_text=CORRECT_TEXT).locator("input")).to_be_checked()
    expect(page.locator(".timer__value")).to_have_text(re.compile(r"^1[34]:\d\d$"))
    # Coming back through the participant's page resumes at the first unanswered question.
    page.goto(page.url.rsplit("/questions/", 1)[0])
    expect(page.locator(".quiz-progress")).to_have_text("Câu 3/4")
    answer_with_the_correct_text(page)
    page.get_by_role("button", name="Lưu và sang câu tiếp").click()
    answer_with_the_correct_text(page)
    page.get_by_role("button", name="Lưu và xem lại bài").click()

    # The prediction, then submit.
    expect(page.get_by_role("heading", name="Xem lại và nộp bài")).to_be_visible()
    expect(page.locator(".quiz-progress")).to_have_text("Đã trả lời 4/4 câu")
    page.get_by_label("bao nhiêu người dự thi").fill("2")
    page.get_by_role("button", name="Nộp bài").click()
    expect(page.get_by_text("Bài thi đã được nộp.")).to_be_visible()
    expect(page.get_by_text(EXPLANATION)).to_have_count(0)
    result_url = page.url

    # The organizer closes the round now (a confirmation first).
    desk = new_context(viewport={"width": 1280, "height": 800}).new_page()
    desk.goto(f"{base}/login")
    desk.get_by_label("Email hoặc số điện thoại").fill(organizer["email"])
    desk.get_by_label("Mật khẩu").fill(organizer["password"])
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.goto(f"{base}/contests/{quiz.contest_id}/rounds")
    desk.get_by_role("row", name=re.compile("Tuần 2")).get_by_role("link", name="Đóng ngay").click()
    desk.get_by_role("button", name="Đóng vòng thi ngay").click()
    expect(desk.get_by_text("Vòng thi đã kết thúc và kết quả đã được công bố.")).to_be_visible()

    # The citizen sees score, rank, the correct answers and the explanations.
    page.goto(result_url)
    expect(page.get_by_role("heading", name="Đáp án và giải thích")).to_be_visible()
    expect(page.get_by_text(EXPLANATION).first).to_be_visible()
    expect(page.locator(".quiz-score")).to_contain_text("4 / 4")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the result after close on a phone")


def test_the_clock_speaks_only_at_its_thresholds(csrf_live_server, page):
    """The ticking digits are a role=timer (never announced); the live region says "1 minute left" once, when the
    minute comes, and not the 5-minute notice that had already passed when the page opened."""
    from datetime import UTC, datetime, timedelta

    from app.extensions import db
    from contests.models import QuizAttempt

    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    with csrf_live_server.app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        attempt.deadline_at = datetime.now(UTC) + timedelta(seconds=63)
        db.session.commit()
    page.goto(f"{base}/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/1")
    expect(page.locator("[role=timer]")).to_be_visible()
    assert page.locator("#timer-alert").text_content() == ""
    expect(page.locator("#timer-alert")).to_have_text("Còn 1 phút.", timeout=8_000)
    expect(page.locator(".timer")).to_have_class(re.compile("timer--low"))


# What sticks out of the screen and is shown (a closed menu's content is laid out but not visible).
WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (e.getBoundingClientRect().right <= window.innerWidth + 1 || !e.checkVisibility()) return false;
    for (let p = e.parentElement; p; p = p.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
    }
    return true;
}).map(e => `${e.tagName}.${e.className}`).slice(-3)"""


def test_every_quiz_page_works_on_a_phone(csrf_live_server, page, make_user, assert_accessible):
    """The organizer's quiz pages, the public results and a closed attempt's result, on a 360-px phone: no serious
    or critical axe-core violation and nothing wider than the screen."""
    base = csrf_live_server.url
    quiz = world(csrf_live_server.app)
    organizer = make_user("organizer")
    page.goto(f"{base}/login")
    page.get_by_label("Email hoặc số điện thoại").fill(organizer["email"])
    page.get_by_label("Mật khẩu").fill(organizer["password"])
    page.get_by_role("button", name="Đăng nhập").click()
    pages = [
        f"/contests/{quiz.contest_id}/rounds",
        f"/contests/{quiz.contest_id}/rounds/new",
        f"/contests/rounds/{quiz.open_round_id}/edit",
        f"/contests/rounds/{quiz.open_round_id}/close",
        f"/contests/{quiz.contest_id}/questions",
        f"/contests/{quiz.contest_id}/questions/new",
        f"/contests/questions/{quiz.question_id}/edit",
        f"/contests/{quiz.contest_id}/questions/import",
        f"/contests/{quiz.contest_id}/populations",
        f"/contests/rounds/{quiz.closed_round_id}/flags",
        f"/contests/rounds/{quiz.closed_round_id}/results",
        f"/contests/me/{quiz.winner_token}/rounds/{quiz.closed_round_id}/result",
        f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/review",
        f"/contests/{quiz.contest_id}/join",
        f"/contests/{quiz.contest_id}/return",
    ]
    for path in pages:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert_accessible(page, path)
        assert page.evaluate(WIDEST) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
