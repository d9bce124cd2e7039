"""The page source does not undo the option shuffle: a question page and the JSON save name options by handles of
the attempt (an HMAC), never by database ids in authored order. Over many attempts of one question, no rule on the
values of the page (the lowest, the second-lowest, …, the first shown) finds the correct option more often than
chance; and a handle from another attempt names nothing."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest

from app.extensions import db
from contests.models import AttemptQuestion, QuestionOption, QuizAttempt, QuizRound
from contests.services import attempts as quiz_service
from tests.contests.records import correct_option, handle, register, world

ATTEMPTS = 60


@pytest.fixture
def quiz(app):
    return world(app)


def start_many(app, quiz, count: int) -> list[tuple[str, int]]:
    """``count`` new participants with an attempt at the open round: (token, attempt id)."""
    started = []
    with app.app_context():
        quiz_round = db.session.get(QuizRound, quiz.open_round_id)
        from contests.models import Contest

        contest = db.session.get(Contest, quiz.contest_id)
        for n in range(count):
            person = register(db.session, contest, quiz.now, f"0355{n:06d}", quiz.ward_id, f"Người thứ {n}", 2000)
            attempt = quiz_service.start_attempt(
                db.session, quiz_round, person, now=quiz.now - timedelta(minutes=1), seed=1000 + n
            )
            started.append((person.return_token, attempt.id))
        db.session.commit()
    return started


def page_values(client, quiz, token: str, position: int) -> list[str]:
    page = client.get(f"/contests/me/{token}/rounds/{quiz.open_round_id}/questions/{position}")
    assert page.status_code == 200
    return re.findall(r'name="single" value="([^"]*)"', page.get_data(as_text=True))


def test_no_rule_on_the_page_values_finds_the_correct_option_beyond_chance(app, client, quiz):
    started = start_many(app, quiz, ATTEMPTS)
    by_sorted_rank, by_shown_rank = Counter(), Counter()
    with app.app_context():
        option_ids = {str(i) for i in db.session.scalars(db.select(QuestionOption.id))}
    for token, attempt_id in started:
        values = page_values(client, quiz, token, 1)
        with app.app_context():
            attempt = db.session.get(QuizAttempt, attempt_id)
            question_id = db.session.scalar(
                db.select(AttemptQuestion.question_id).where(
                    AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.position == 1
                )
            )
            right = handle(attempt, correct_option(db.session, question_id))
        assert len(values) == 3 and right in values
        assert not option_ids & set(values)  # no value is an option's id
        by_sorted_rank[sorted(values).index(right)] += 1
        by_shown_rank[values.index(right)] += 1
    # Three options: chance is a third (20 of 60; a rule at 36 or more would be 4 standard deviations off).
    # Before handles, the correct option (written first in this bank) had the lowest id in every attempt.
    assert max(by_sorted_rank.values()) < ATTEMPTS * 0.6, by_sorted_rank
    assert max(by_shown_rank.values()) < ATTEMPTS * 0.6, by_shown_rank


def test_the_same_option_has_another_handle_in_every_attempt(app, quiz):
    with app.app_context():
        attempts = db.session.scalars(db.select(QuizAttempt)).all()
        some_option = db.session.scalar(db.select(QuestionOption.id).limit(1))
        handles = {handle(attempt, some_option) for attempt in attempts}
        assert len(handles) == len(attempts) >= 3
        assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", h) for h in handles)


def test_a_handle_from_another_attempt_is_refused_by_the_json_save_and_the_form(app, client, quiz):
    (other_token, other_id), = start_many(app, quiz, 1)  # fmt: skip
    with app.app_context():
        mine = db.session.get(QuizAttempt, quiz.attempt_id)
        other = db.session.get(QuizAttempt, other_id)
        right = correct_option(db.session, quiz.first_question_id)
        theirs = handle(other, right)  # the same option, as the other attempt's page names it
        ours = handle(mine, right)
    api = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    refused = client.post(api, json={"position": 1, "options": [theirs]})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "invalid_answer"
    form = client.post(
        f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/questions/1", data={"single": theirs, "go": "next"}
    )
    assert form.status_code == 200 and "Chọn một phương án" in form.get_data(as_text=True)
    with app.app_context():  # still the answer saved before (a wrong one), not the one of the foreign handle
        from contests.models import AttemptAnswer

        saved = db.session.get(AttemptAnswer, (quiz.attempt_id, quiz.first_question_id))
        assert saved.chosen_option_ids != [right]
    accepted = client.post(api, json={"position": 1, "options": [ours]})
    assert accepted.status_code == 200 and accepted.get_json()["options"] == [ours]
    with app.app_context():
        assert db.session.get(AttemptAnswer, (quiz.attempt_id, quiz.first_question_id)).chosen_option_ids == [right]
