"""The demo quiz: seed 000's online information-security contest gets a round and a question bank."""

from sqlalchemy import func, select

from app.extensions import db
from contests.models import Contest, Question, QuestionOption, QuizRound, QuizTopic


def test_seed_demo_gives_the_security_quiz_a_round_and_a_bank_and_a_second_run_adds_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--password", "mat-khau-demo-2024", "--year", "2027"]).exit_code == 0
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
        rounds = db.session.scalars(select(QuizRound).where(QuizRound.contest_id == contest.id)).all()
        assert [r.title for r in rounds] == ["Tuần 1: Nhận diện lừa đảo trực tuyến"]
        assert rounds[0].closes_at.year == 2027 and rounds[0].prize_table["consolation"] == 5
        assert rounds[0].state == "open"  # open from the day the demo is loaded until the week's end
        questions = db.session.scalars(select(Question).where(Question.contest_id == contest.id)).all()
        assert len(questions) >= 30
        assert all(q.explanation and q.source and len(q.options) >= 2 for q in questions)
        # every question has a key: single-answer ones exactly one correct option, multiple ones at least two
        for q in questions:
            correct = sum(o.is_correct for o in q.options)
            assert correct == 1 if not q.multiple else correct >= 2, q.text
        topics = {t.name for t in db.session.scalars(select(QuizTopic))}
        assert {"Tin nhắn lừa đảo", "Ứng dụng nTrust", "Mua sắm trực tuyến an toàn"} <= topics
        counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (Question, QuestionOption, QuizRound)]
    assert runner.invoke(args=["seed-demo", "--password", "mat-khau-demo-2024", "--year", "2027"]).exit_code == 0
    with app.app_context():
        again = [db.session.scalar(select(func.count()).select_from(m)) for m in (Question, QuestionOption, QuizRound)]
    assert again == counts


def test_the_demo_round_is_open_on_the_day_the_demo_is_loaded(app):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from app.demo import DemoCalendar, load_demo

    now = datetime(2027, 9, 20, 3, 0, tzinfo=UTC)
    with app.app_context():
        load_demo(
            db.session,
            password="mat-khau-demo-2024",
            calendar=DemoCalendar(year=2027, now=now, tz=ZoneInfo("Asia/Ho_Chi_Minh")),
        )
        quiz_round = db.session.scalar(select(QuizRound))
        assert quiz_round.state == "open" and quiz_round.accepts_attempts(now)
        assert quiz_round.closes_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M") == "23:59"
