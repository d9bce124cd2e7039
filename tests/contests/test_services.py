from datetime import UTC, date, datetime

from app.extensions import db
from contests.models import Contest
from contests.services import contest_phase, figures, listed_contests
from events.models import Plan

OPENS = datetime(2024, 10, 5, 2, 0, tzinfo=UTC)
CLOSES = datetime(2024, 10, 25, 16, 59, tzinfo=UTC)


def test_a_contest_is_upcoming_then_open_then_closed_at_its_exact_times():
    contest = Contest(title="An toàn thông tin", kind="online_quiz", opens_at=OPENS, closes_at=CLOSES)
    assert contest_phase(contest, datetime(2024, 10, 5, 1, 59, tzinfo=UTC)) == "upcoming"
    assert contest_phase(contest, OPENS) == "open"
    assert contest_phase(contest, CLOSES) == "closed"
    assert contest_phase(Contest(title="Không hạn", kind="juried"), CLOSES) == "open"


def test_citizens_see_published_contests_of_visible_plans_only(session):
    draft = Plan(title="Nháp", status="draft", period_start=date(2025, 9, 1), period_end=date(2025, 10, 31))
    live = Plan(title="Đang chạy", status="published", period_start=date(2024, 9, 1), period_end=date(2024, 10, 31))
    session.add_all(
        [
            Contest(title="Công khai", kind="online_quiz", plan=live, is_published=True, opens_at=OPENS),
            Contest(title="Không thuộc kế hoạch", kind="public_vote", is_published=True, opens_at=CLOSES),
            Contest(title="Chưa công bố", kind="juried", plan=live, is_published=False),
            Contest(title="Của bản nháp", kind="gameshow", plan=draft, is_published=True),
        ]
    )
    db.session.flush()
    assert [c.title for c in listed_contests(session, include_unpublished=False)] == [
        "Công khai",
        "Không thuộc kế hoạch",
    ]
    assert len(listed_contests(session, include_unpublished=True)) == 4
    assert [f.value for f in figures(session)] == [2]
    assert [f.value for f in figures(session, live.id)] == [1]


def test_a_contest_with_an_open_round_is_listed_first_and_open_whatever_its_own_dates(session):
    from contests.models import QuizRound
    from contests.services import contest_listing, open_now

    now = datetime(2024, 10, 6, 2, 0, tzinfo=UTC)
    early = Contest(title="Vẽ tranh", kind="juried", is_published=True, opens_at=OPENS)
    quiz = Contest(title="An toàn thông tin", kind="online_quiz", is_published=True, opens_at=CLOSES)
    session.add_all([early, quiz])
    session.flush()
    session.add(
        QuizRound(contest_id=quiz.id, title="Tuần 1", position=1, opens_at=OPENS, closes_at=CLOSES, state="open")
    )
    session.flush()
    listing = contest_listing(session, include_unpublished=False, now=now)
    assert [(c.title, phase) for c, phase in listing] == [("An toàn thông tin", "open"), ("Vẽ tranh", "open")]
    assert [c.title for c in open_now(session, now)] == ["An toàn thông tin"]
