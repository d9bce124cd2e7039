"""Two requests at the same moment, each with its own connection and transaction: starting twice, saving the same
answer twice, submitting twice leave one attempt, one answer and one submission."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from contests.models import AttemptAnswer, Participant, QuizAttempt, QuizRound
from contests.services import attempts as service

from .conftest import NOW
from .shown import shown_questions


def _together(app, work, n=2):
    barrier = threading.Barrier(n)
    errors, results = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results.append(work(db.session))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 (reported below)
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_start_save_and_submit_at_the_same_moment_leave_one_of_each(app, quiz):
    person = quiz.participant()
    quiz.session.commit()
    round_id, person_id = quiz.round.id, person.id

    def start(session):
        return service.start_attempt(
            session, session.get(QuizRound, round_id), session.get(Participant, person_id), now=NOW, seed=11
        ).id

    started, errors = _together(app, start)
    assert not errors and len(set(started)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1
        attempt = db.session.get(QuizAttempt, started[0])
        shown = shown_questions(db.session, attempt, position=1)[0]
    question_id, option_id = shown.question_id, shown.options[0].id

    def save(session):
        attempt = session.get(QuizAttempt, started[0])
        return service.save_answer(session, attempt, question_id, [option_id], now=NOW + timedelta(seconds=30)).saved_at

    saved, errors = _together(app, save)
    assert not errors and saved == [NOW + timedelta(seconds=30)] * 2

    def submit(session):
        return service.submit(session, session.get(QuizAttempt, started[0]), now=NOW + timedelta(minutes=1)).id

    _, errors = _together(app, submit)
    assert not errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1
        attempt = db.session.get(QuizAttempt, started[0])
        assert attempt.submitted_at == NOW + timedelta(minutes=1) and attempt.time_taken_ms == 30_000
