"""The demo quiz: seed 000's online information-security contest gets a round and a question bank."""

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.extensions import db
from contests.models import Contest, Question, QuestionOption, QuizRound, QuizTopic

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_seed_demo_gives_the_security_quiz_a_round_and_a_bank_and_a_second_run_adds_nothing(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--password", "mat-khau-demo-2024", "--year", "2027"]).exit_code == 0
    with app.app_context():
        contest = db.session.scalar(select(Contest).where(Contest.kind == "online_quiz"))
        rounds = db.session.scalars(
            select(QuizRound).where(QuizRound.contest_id == contest.id).order_by(QuizRound.position)
        ).all()
        assert [r.title.split(":")[0] for r in rounds] == ["Tuần 1", "Tuần 2", "Tuần 3"]
        assert rounds[0].closes_at.year == 2027 and rounds[0].prize_table["consolation"] == 5
        # A real weekly schedule ending on 10/10 (not one round open for months), each week its own topics.
        local = [(r.opens_at.astimezone(TZ), r.closes_at.astimezone(TZ)) for r in rounds]
        assert [(o.strftime("%d/%m %H:%M"), c.strftime("%d/%m %H:%M")) for o, c in local] == [
            ("20/09 00:00", "26/09 23:59"), ("27/09 00:00", "03/10 23:59"), ("04/10 00:00", "10/10 23:59")
        ]  # fmt: skip
        pools = [set(r.pool_topic_ids) for r in rounds]
        assert all(pools) and not (pools[0] & pools[1] or pools[1] & pools[2] or pools[0] & pools[2])
        assert contest.closes_at == rounds[-1].closes_at
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
        quiz_round = db.session.scalar(select(QuizRound).order_by(QuizRound.position))
        assert quiz_round.state == "open" and quiz_round.accepts_attempts(now)
        assert [r.state for r in db.session.scalars(select(QuizRound).order_by(QuizRound.position))][1:] == [
            "scheduled", "scheduled"
        ]  # fmt: skip
        assert quiz_round.closes_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M") == "23:59"
