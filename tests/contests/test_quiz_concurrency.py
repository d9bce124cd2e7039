"""Two tabs, a double click, a retry: over real HTTP against a threaded server, on SQLite and PostgreSQL, the same
answer saved at once, submit sent twice at once and start sent twice at once leave exactly one attempt and one
answer per question, and never a server error."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from contests.models import AttemptAnswer, Participant, QuizAttempt
from tests.contests.records import correct_option, handle, world
from tests.factories import all_at_once


@pytest.fixture
def app(make_app):
    # Every request comes from 127.0.0.1: the served app must not rate-limit the "tabs".
    return make_app(QUIZ_ANSWER_RATE_LIMIT="100000 per minute", QUIZ_PARTICIPANT_RATE_LIMIT="100000 per minute")


@pytest.fixture
def quiz(app):
    return world(app)


def request(base_url, method, path, body=None, headers=None):
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Location"), response.read().decode()
    finally:
        conn.close()


def post_form(base_url, path, fields=None):
    return request(
        base_url, "POST", path, urlencode(fields or {}), {"Content-Type": "application/x-www-form-urlencoded"}
    )


def post_json(base_url, path, payload):
    return request(base_url, "POST", path, json.dumps(payload), {"Content-Type": "application/json"})


def answers_of(app, attempt_id):
    with app.app_context():
        return db.session.execute(
            select(AttemptAnswer.question_id, AttemptAnswer.chosen_option_ids).where(
                AttemptAnswer.attempt_id == attempt_id
            )
        ).all()


def test_the_same_answer_saved_from_two_tabs_at_once_is_one_answer(app, live_server, quiz):
    url = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    body = {"position": 1, "options": [quiz.correct_first_handle]}
    results = all_at_once([lambda: post_json(live_server, url, body)] * 8)
    assert [status for status, _, _ in results] == [200] * 8
    assert answers_of(app, quiz.attempt_id) == [(quiz.first_question_id, [quiz.correct_first])]


def test_different_questions_saved_at_once_from_the_form_and_the_script_all_land(app, live_server, quiz):
    base = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}"
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        slots = [(slot.position, slot.question_id) for slot in attempt.questions]
        correct = {qid: correct_option(db.session, qid) for _, qid in slots}
        right = {qid: handle(attempt, option_id) for qid, option_id in correct.items()}
    calls = []
    for position, qid in slots:
        calls.append(lambda p=position, q=qid: post_form(live_server, f"{base}/questions/{p}", {"single": right[q]}))
        calls.append(
            lambda p=position, q=qid: post_json(
                live_server, f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers",
                {"position": p, "options": [right[q]]},
            )
        )  # fmt: skip
    results = all_at_once(calls)
    assert sorted({status for status, _, _ in results}) == [200, 303]
    assert sorted(answers_of(app, quiz.attempt_id)) == sorted((qid, [correct[qid]]) for _, qid in slots)


def test_submit_twice_at_once_submits_once(app, live_server, quiz):
    url = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}/submit"
    results = all_at_once([lambda i=i: post_form(live_server, url, {"prediction": str(i)}) for i in range(6)])
    assert {status for status, _, _ in results} == {303}
    assert {location.rsplit("/", 1)[-1] for _, location, _ in results} == {"result"}
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        assert attempt.submitted_at is not None
        assert 0 <= attempt.prediction <= 5  # one of the six, never a mix
        assert db.session.scalar(select(func.count()).where(QuizAttempt.participant_id == attempt.participant_id)) == 1


def test_start_twice_at_once_makes_one_attempt_with_one_draw(app, live_server, quiz):
    url = f"/contests/me/{quiz.fresh_token}/rounds/{quiz.open_round_id}/start"
    results = all_at_once([lambda: post_form(live_server, url)] * 6)
    assert [status for status, _, _ in results] == [303] * 6
    assert len({location for _, location, _ in results}) == 1
    with app.app_context():
        person = db.session.scalar(select(Participant).where(Participant.return_token == quiz.fresh_token))
        attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.participant_id == person.id)).all()
        assert len(attempts) == 1
        assert [slot.position for slot in attempts[0].questions] == [1, 2, 3, 4]
        assert len({slot.question_id for slot in attempts[0].questions}) == 4


def test_answers_saved_while_the_attempt_is_submitted_are_either_refused_or_counted_in_its_score(
    app, live_server, quiz
):
    """The score written at submission is final (closing the round reads it): an answer racing the submit from
    another tab either lands before it, and counts, or is refused; never saved yet left out of the score."""
    base = f"/contests/me/{quiz.token}/rounds/{quiz.open_round_id}"
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        slots = [(slot.position, slot.question_id) for slot in attempt.questions]
        right = {qid: correct_option(db.session, qid) for _, qid in slots}
        wrong = {slot.question_id: handle(attempt, next(o for o in slot.option_order if o != right[slot.question_id]))
                 for slot in attempt.questions}  # fmt: skip
        right = {qid: handle(attempt, option_id) for qid, option_id in right.items()}
    api = f"/contests/api/me/{quiz.token}/rounds/{quiz.open_round_id}/answers"
    calls = [  # each question answered wrong, right, wrong…: the last saved choice before the submit decides
        lambda p=p, q=q, n=n: post_json(live_server, api, {"position": p, "options": [(right, wrong)[n % 2][q]]})
        for n in range(3)
        for p, q in slots
    ]
    calls += [lambda: post_form(live_server, f"{base}/submit", {"prediction": "3"})] * 2
    results = all_at_once(calls)
    assert {status for status, _, _ in results} <= {200, 303, 409}
    with app.app_context():
        attempt = db.session.get(QuizAttempt, quiz.attempt_id)
        correct = db.session.scalar(
            select(func.count()).where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.is_correct.is_(True))
        )
        assert attempt.submitted_at is not None
        assert attempt.score == correct
