"""Bugs that once slipped through the suite, each with a test that fails when the bug comes back: the score shown
before the close to someone who submitted, ward participation counted against another contest's population or
counting a person with two attempts twice, and an answer saved after the attempt was handed in (forced
deterministically: the save is held between its read and its write while the submit commits)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import Unit
from contests.models import AttemptAnswer, Contest, QuizAttempt, QuizRound, UnitPopulation
from contests.services import attempts as quiz_service
from contests.services import results
from contests.services.rounds.ranking import close_round
from tests.contests.records import correct_option, handle, world

from .conftest import NOW

# --- participation by ward ---------------------------------------------------------------------------------------


def test_participation_counts_people_once_against_this_contests_population(quiz):
    quiz.round.attempts_allowed = 2
    quiz.session.add(UnitPopulation(contest_id=quiz.contest.id, unit_id=quiz.ward.id, population=200))
    other = Contest(title="Cuộc thi khác", kind="online_quiz", is_published=True)
    quiz.session.add(other)
    quiz.session.flush()
    # Another contest's figure for the same ward, written after this one's (a query that forgets the contest reads
    # it last and keeps it).
    quiz.session.add(UnitPopulation(contest_id=other.id, unit_id=quiz.ward.id, population=50))
    twice = quiz.participant("Người làm hai lượt")
    quiz.attempt(correct=2, person=twice, taken_s=50, submitted_s=50)
    quiz.attempt(correct=4, person=twice, number=2, taken_s=60, submitted_s=60)
    quiz.attempt(correct=3, taken_s=70, submitted_s=70)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    (ward,) = results.participation_by_ward(quiz.session, quiz.round)
    assert (ward.participants, ward.population, ward.rate_percent) == (2, 200, Decimal("1.00"))


def test_another_contests_population_alone_gives_no_rate(quiz):
    other = Contest(title="Cuộc thi khác", kind="online_quiz", is_published=True)
    far = Unit(name="Phường Tân Phước Khánh", kind="ward")
    quiz.session.add_all([other, far])
    quiz.session.flush()
    quiz.session.add(UnitPopulation(contest_id=other.id, unit_id=quiz.ward.id, population=50))
    quiz.attempt(correct=3, taken_s=70, submitted_s=70)
    (ward,) = results.participation_by_ward(quiz.session, quiz.round)
    assert (ward.participants, ward.population, ward.rate_percent) == (1, None, None)


# --- nothing of the score before the close -----------------------------------------------------------------------


@pytest.fixture
def records(app):
    return world(app)


def test_a_submitted_attempt_shows_no_score_while_the_round_is_open(app, client, records):
    api = f"/contests/api/me/{records.token}/rounds/{records.open_round_id}/answers"
    with app.app_context():
        attempt = db.session.get(QuizAttempt, records.attempt_id)
        right = [(slot.position, handle(attempt, correct_option(db.session, slot.question_id)))
                 for slot in attempt.questions]  # fmt: skip
    for position, option in right:
        assert client.post(api, json={"position": position, "options": [option]}).status_code == 200
    base = f"/contests/me/{records.token}/rounds/{records.open_round_id}"
    assert client.post(f"{base}/submit", data={"prediction": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(QuizAttempt, records.attempt_id).score == 4  # scored at submission, kept secret
    for url in (f"{base}/result", f"/contests/me/{records.token}", f"{base}/result?lang=en"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r"\b4\s*/\s*4\b", page), url
        assert "quiz-score" not in page and "Score" not in page and "Điểm" not in page, url
        assert "quiz-corrections" not in page and "tag--ok" not in page, url
    state = client.get(f"/contests/api/me/{records.token}/rounds/{records.open_round_id}/attempt").get_json()
    assert 4 not in [value for key, value in state.items() if key not in ("question_count", "round_id")]


# --- no answer lands after the submit ----------------------------------------------------------------------------


def test_an_answer_held_between_its_read_and_its_write_while_the_submit_commits_is_refused(app, records):
    """The save reads the question's options and the saved answer, then claims the attempt (an UPDATE that only
    an unsubmitted attempt passes) and writes. Here the save is stopped just before the claim, the submit commits
    in the meantime, then the save goes on: it must be refused, and the score written at submission must stay the
    count of the correct answers."""
    at_claim, submitted = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30)
    saver = None  # the saving thread, once it runs
    outcome = {}

    def hold(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == saver and statement.lstrip().upper().startswith("UPDATE QUIZ_ATTEMPTS"):
            at_claim.wait()  # the save has read; let the submit run
            submitted.wait()  # the submit has committed; go on

    def save() -> None:
        nonlocal saver
        saver = threading.get_ident()
        with app.app_context():
            attempt = db.session.get(QuizAttempt, records.attempt_id)
            quiz_round = db.session.get(QuizRound, records.open_round_id)
            try:
                quiz_service.save_answer(db.session, attempt, records.first_question_id, [records.correct_first],
                                         now=records.now, quiz_round=quiz_round)  # fmt: skip
                db.session.commit()
                outcome["saved"] = True
            except quiz_service.AttemptSubmitted:
                db.session.rollback()
                outcome["refused"] = True

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hold)
    try:
        thread = threading.Thread(target=save)
        thread.start()
        at_claim.wait()
        with app.app_context():
            attempt = db.session.get(QuizAttempt, records.attempt_id)
            quiz_service.submit(db.session, attempt, now=records.now, prediction=1)
            db.session.commit()
        submitted.wait()
        thread.join(timeout=30)
    finally:
        event.remove(engine, "before_cursor_execute", hold)
    assert outcome == {"refused": True}
    with app.app_context():
        attempt = db.session.get(QuizAttempt, records.attempt_id)
        correct = db.session.scalar(
            select(func.count()).where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.is_correct.is_(True))
        )
        first = db.session.get(AttemptAnswer, (records.attempt_id, records.first_question_id))
        assert attempt.submitted_at is not None and attempt.score == correct == 0
        assert first.chosen_option_ids != [records.correct_first]  # the wrong answer saved before the submit stands
