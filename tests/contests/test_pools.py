"""A closed round does not give away the next round's answers: the questions whose answers a closed round published
are never drawn again in that contest; a round draws from its own pool of topics; organizers retire questions; the
round form shows what each stratum still has and refuses a draw the bank cannot fill. And a prize needs a least
score."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from contests.models import AttemptQuestion, PublishedQuestion, Question, QuizAttempt, QuizRound, QuizTopic
from contests.services import attempts as quiz_service
from contests.services import questions
from contests.services import rounds as rounds_service
from contests.services.questions import pools
from contests.services.rounds import ranking

from .conftest import NOW


def start(quiz, quiz_round, seed: int) -> set[int]:
    """A new participant's attempt at ``quiz_round``: the question ids it drew."""
    attempt = quiz_service.start_attempt(quiz.session, quiz_round, quiz.participant(), now=NOW, seed=seed)
    return {slot.question_id for slot in attempt.questions}


def week(quiz, title: str, position: int, count: int, **fields) -> QuizRound:
    quiz_round = QuizRound(contest_id=quiz.contest.id, title=title, position=position, question_count=count,
                           opens_at=NOW - timedelta(hours=1), closes_at=NOW + timedelta(days=7),
                           time_limit_seconds=600, state="open", **fields)  # fmt: skip
    quiz.session.add(quiz_round)
    quiz.session.flush()
    return quiz_round


def test_after_a_round_closes_the_next_rounds_draw_holds_none_of_its_published_questions(quiz):
    quiz.round.question_count = 3
    first_week = set().union(*(start(quiz, quiz.round, seed) for seed in (1, 2)))
    second = week(quiz, "Tuần 2", 2, 3)
    start(quiz, second, 99)  # a start before week 1 closes: the bank is now kept in this process's memory
    ranking.close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    published = set(quiz.session.scalars(select(PublishedQuestion.question_id)))
    assert published == first_week and len(published) >= 3  # every question week 1 drew, with its answer
    for seed in range(100, 130):
        assert not start(quiz, second, seed) & published, seed
    # Closing again (the job runs twice) or recomputing publishes nothing more.
    ranking.close_round(quiz.session, quiz.round, now=NOW + timedelta(days=9))
    ranking.recompute(quiz.session, quiz.round)
    assert quiz.session.scalar(select(func.count()).select_from(PublishedQuestion)) == len(published)


def test_a_rounds_own_pool_of_topics_is_all_it_draws(quiz):
    passwords = quiz.session.scalar(select(QuizTopic.id).where(QuizTopic.name == "Mật khẩu"))
    own = week(quiz, "Tuần 2", 2, 3, pool_topic_ids=[passwords])
    topics = {q.id: q.topic_id for q in quiz.questions}
    for seed in range(20):
        assert {topics[qid] for qid in start(quiz, own, seed)} == {passwords}


def test_a_new_version_of_a_published_question_is_published_too(quiz):
    quiz.round.question_count = 3
    drawn = start(quiz, quiz.round, 1)
    ranking.close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    old = quiz.session.get(Question, min(drawn))
    newer = questions.edit_question(quiz.session, old, now=NOW, text=old.text + " (sửa chính tả)")
    assert newer.id != old.id
    assert newer.id not in {e.question_id for e in pools.bank_entries(quiz.session, quiz.contest.id)}


def test_a_retired_question_is_drawn_by_no_round_until_it_is_put_back(quiz):
    retired = quiz.questions[0]
    pools.set_retired(quiz.session, retired, True)
    assert retired.is_retired and retired in pools.retired_questions(quiz.session, quiz.contest.id)
    assert retired.id not in {e.question_id for e in pools.bank_entries(quiz.session, quiz.contest.id)}
    pools.set_retired(quiz.session, retired, False)
    assert retired.id in {e.question_id for e in pools.bank_entries(quiz.session, quiz.contest.id)}


def test_a_round_whose_pool_cannot_fill_its_draw_is_refused_on_its_field(quiz):
    quiz.round.question_count = 5
    drawn = start(quiz, quiz.round, 1)
    ranking.close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    left = 10 - len(drawn)
    values = {"title": "Tuần 2", "opens_at": NOW + timedelta(days=9), "closes_at": NOW + timedelta(days=16),
              "time_limit_seconds": 600}  # fmt: skip
    with pytest.raises(rounds_service.InvalidRound) as refused:
        rounds_service.create_round(quiz.session, quiz.contest, now=NOW, question_count=left + 1, **values)
    assert refused.value.field == "question_count"
    assert rounds_service.create_round(quiz.session, quiz.contest, now=NOW, question_count=left, **values).id


# --- a prize needs a least score ---------------------------------------------------------------------------------


def test_no_prize_below_half_the_questions_right_by_default_whatever_the_rank(quiz):
    assert quiz.round.question_count == 5 and sum(n for _, n in quiz.round.prizes) == 11  # places for everyone
    attempts = [quiz.attempt(correct=c, taken_s=30, submitted_s=30, prediction=0) for c in (5, 3, 2, 0)]
    ranking.close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    quiz.session.expire_all()
    placed = [(quiz.session.get(QuizAttempt, a.id).rank, quiz.session.get(QuizAttempt, a.id).prize) for a in attempts]
    assert placed == [(1, "first"), (2, "second"), (3, None), (4, None)]  # 3/5 is half or more; 2/5 and 0/5 not


def test_the_least_score_for_a_prize_is_the_rounds_own(quiz):
    quiz.round.prize_min_percent = 0
    attempts = [quiz.attempt(correct=c, taken_s=30, submitted_s=30, prediction=0) for c in (5, 0)]
    ranking.close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    quiz.session.expire_all()
    assert [quiz.session.get(QuizAttempt, a.id).prize for a in attempts] == ["first", "second"]
    quiz.round.prize_min_percent = 100
    ranking.recompute(quiz.session, quiz.round)
    quiz.session.expire_all()
    assert [quiz.session.get(QuizAttempt, a.id).prize for a in attempts] == ["first", None]


# --- the organizer's pages ---------------------------------------------------------------------------------------


@pytest.fixture
def world(app):
    from tests.contests.records import world as build

    return build(app)


@pytest.fixture
def organizer(client, sign_in, world):
    sign_in(client, world.organizer_id)
    return client


def expected_strata(contest_id: int) -> dict[tuple[int, str], tuple[int, int]]:
    """(topic, difficulty) -> (unpublished, active), counted here from the attempts of closed rounds."""
    shown = set(
        db.session.scalars(
            select(AttemptQuestion.question_id)
            .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
            .join(QuizRound, QuizRound.id == QuizAttempt.round_id)
            .where(QuizRound.contest_id == contest_id, QuizRound.state == "closed")
        )
    )
    counts: dict[tuple[int, str], list[int]] = {}
    for question in db.session.scalars(select(Question).where(Question.is_active.is_(True))):
        key = (question.topic_id, getattr(question.difficulty, "value", question.difficulty))
        counts.setdefault(key, [0, 0])
        counts[key][0] += question.id not in shown
        counts[key][1] += 1
    return {key: tuple(value) for key, value in counts.items()}


def test_the_round_form_shows_what_each_stratum_still_has_and_refuses_what_it_cannot_fill(app, organizer, world):
    from tests.app.test_route_guards import quiz_round_body  # noqa: PLC0415

    page = organizer.get(f"/contests/{world.contest_id}/rounds/new").get_data(as_text=True)
    rows = re.findall(r'<tr data-topic="(\d+)"><td>[^<]*</td><td>([^<]*)</td><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', page)  # fmt: skip
    labels = {"Dễ": "easy", "Trung bình": "medium", "Khó": "hard"}
    shown = {(int(topic), labels[level]): (int(left), int(active)) for topic, level, left, active in rows}
    with app.app_context():
        expected = expected_strata(world.contest_id)
        pool_left = sum(left for (topic, _), (left, _) in expected.items() if topic == world.topic_id)
        pool_active = sum(active for (topic, _), (_, active) in expected.items() if topic == world.topic_id)
    assert shown == expected
    assert pool_left < pool_active  # week 1's pool: what its close published is no longer counted
    body = quiz_round_body(world, "Tuần 3") | {"pool_topic_ids": str(world.topic_id),
                                                "question_count": str(pool_left + 1)}  # fmt: skip
    refused = organizer.post(f"/contests/{world.contest_id}/rounds/new", data=body)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="question_count-error"' in text
    error = text.split('id="question_count-error"')[1].split("</p>")[0]
    assert str(pool_left) in error and str(pool_left + 1) in error
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(QuizRound.title == "Tuần 3")) == 0
    # Both topics: every unpublished question of the bank, exactly what the draw needs.
    both = sorted([world.topic_id, world.open_pool_topic_id])
    total_left = sum(left for left, _ in expected.values())
    body |= {"pool_topic_ids": [str(t) for t in both], "question_count": str(total_left), "prize_min_percent": "60"}
    assert organizer.post(f"/contests/{world.contest_id}/rounds/new", data=body).status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(QuizRound).where(QuizRound.title == "Tuần 3"))
        assert (saved.pool_topic_ids, saved.prize_min_percent, saved.question_count) == (both, 60, total_left)


def test_the_organizer_retires_a_question_and_puts_it_back(app, organizer, world):
    url = f"/contests/questions/{world.question_id}/retire"
    assert organizer.post(url, data={"retire": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(Question, world.question_id).is_retired
    page = organizer.get(f"/contests/{world.contest_id}/questions").get_data(as_text=True)
    assert f"/contests/questions/{world.question_id}/retire" in page.split('value="0"')[0].rsplit("<form", 1)[1]
    assert organizer.post(url, data={"retire": "0"}).status_code == 303
    with app.app_context():
        assert db.session.get(Question, world.question_id).is_active
