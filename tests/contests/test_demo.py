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
        assert rounds[0].opens_at.year == 2027 and rounds[0].prize_table["consolation"] == 5
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
