"""Closing a round: the ranking with every tie-break rule, prizes with ties, frozen results, bounded SQL."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from contests.models import QuizAttempt, QuizRound
from contests.services import attempts as quiz_service
from contests.services.rounds.ranking import close_round, prize_boundaries, recompute

from .conftest import NOW


def _ranks(quiz, attempts):
    quiz.session.expire_all()
    return [(quiz.session.get(QuizAttempt, a.id).rank, quiz.session.get(QuizAttempt, a.id).prize) for a in attempts]


def test_score_comes_first(quiz):
    low = quiz.attempt(correct=3, taken_s=10, submitted_s=10)
    high = quiz.attempt(correct=4, taken_s=500, submitted_s=500)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert _ranks(quiz, [high, low]) == [(1, "first"), (2, "second")]
    assert quiz.session.get(QuizAttempt, high.id).score == 4


def test_equal_scores_go_to_the_prediction_nearest_the_actual_number_of_all_correct(quiz):
    # three all-correct participants: the actual number is 3
    near = quiz.attempt(correct=5, prediction=3, taken_s=300, submitted_s=300)
    off_by_one = quiz.attempt(correct=5, prediction=4, taken_s=100, submitted_s=100)
    above = quiz.attempt(correct=5, prediction=2, taken_s=50, submitted_s=50)  # |2-3| = 1 too: time decides
    none = quiz.attempt(correct=4, prediction=3, taken_s=10, submitted_s=10)
    result = close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert result.all_correct == 3 and quiz.round.all_correct_count == 3
    assert [r for r, _ in _ranks(quiz, [near, above, off_by_one, none])] == [1, 2, 3, 4]


def test_then_the_shorter_time_taken_then_the_earlier_submission(quiz):
    slow = quiz.attempt(correct=3, prediction=0, taken_s=200, submitted_s=210)
    fast = quiz.attempt(correct=3, prediction=0, taken_s=100, submitted_s=400)
    same_time_later = quiz.attempt(correct=3, prediction=0, taken_s=100, submitted_s=500)
    never_submitted = quiz.attempt(correct=3, prediction=0, taken_s=100)  # counts as handed in at its deadline
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert [r for r, _ in _ranks(quiz, [fast, same_time_later, never_submitted, slow])] == [1, 2, 3, 4]


def test_no_prediction_ranks_after_any_prediction_and_no_answer_after_any_time(quiz):
    guessed = quiz.attempt(correct=3, prediction=900, taken_s=500, submitted_s=500)
    silent = quiz.attempt(correct=3, taken_s=5, submitted_s=5)
    quiz.round.question_count = 5
    empty_a = quiz.attempt(correct=0, total=5, prediction=1)
    empty_b = quiz.attempt(correct=0, total=5, prediction=1, taken_s=60, submitted_s=60)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert [r for r, _ in _ranks(quiz, [guessed, silent, empty_b, empty_a])] == [1, 2, 3, 4]


def test_attempts_equal_on_every_rule_share_their_rank(quiz):
    a = quiz.attempt(correct=4, prediction=0, taken_s=120, submitted_s=130)
    b = quiz.attempt(correct=4, prediction=0, taken_s=120, submitted_s=130)
    c = quiz.attempt(correct=3, prediction=0, taken_s=120, submitted_s=130)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert [r for r, _ in _ranks(quiz, [a, b, c])] == [1, 1, 3]


def test_prize_boundaries_from_the_prize_table():
    assert prize_boundaries({"first": 1, "second": 2, "third": 3, "consolation": 5}) == [
        ("first", 1),
        ("second", 3),
        ("third", 6),
        ("consolation", 11),
    ]
    assert prize_boundaries({"first": 1, "third": 2, "bogus": 9}) == [("first", 1), ("third", 3)]


def test_prizes_follow_the_table_and_a_tie_across_a_boundary_is_reported_never_broken(quiz):
    quiz.round.prize_table = {"first": 1, "second": 2, "third": 3, "consolation": 0}
    quiz.round.prize_min_percent = 0  # every place by the table alone (the least score has its own test)
    # places: 1 first; 2-3 second; 4-6 third
    winner = quiz.attempt(correct=5, prediction=0, taken_s=10, submitted_s=10)
    second = quiz.attempt(correct=4, prediction=0, taken_s=10, submitted_s=10)
    tie = [quiz.attempt(correct=3, prediction=0, taken_s=10, submitted_s=10) for _ in range(3)]  # places 3-5
    sixth = quiz.attempt(correct=2, prediction=0, taken_s=10, submitted_s=10)
    out = quiz.attempt(correct=1, prediction=0, taken_s=10, submitted_s=10)
    result = close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    quiz.session.expire_all()
    rows = [quiz.session.get(QuizAttempt, a.id) for a in [winner, second, *tie, sixth, out]]
    assert [(r.rank, r.prize, r.prize_tied) for r in rows] == [
        (1, "first", False),
        (2, "second", False),
        (3, "second", True),
        (3, "second", True),
        (3, "second", True),
        (6, "third", False),
        (7, None, False),
    ]
    assert [(t.rank, t.size, t.prize, t.places_left) for t in result.ties] == [(3, 3, "second", 1)]


def test_a_tie_at_the_last_prize_place_is_reported_too(quiz):
    quiz.round.prize_table = {"first": 1, "second": 0, "third": 0, "consolation": 1}
    quiz.attempt(correct=5, prediction=0, taken_s=10, submitted_s=10)
    pair = [quiz.attempt(correct=4, prediction=0, taken_s=10, submitted_s=10) for _ in range(2)]
    result = close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert [(t.rank, t.size, t.prize, t.places_left) for t in result.ties] == [(2, 2, "consolation", 1)]
    assert _ranks(quiz, pair) == [(2, "consolation"), (2, "consolation")]


def test_closing_twice_changes_nothing_and_recomputing_gives_the_same(quiz, snapshot, app):
    for n in range(12):
        quiz.attempt(correct=n % 6, prediction=n % 3, taken_s=100 + n % 4, submitted_s=200)
    first = close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    quiz.session.commit()
    before = snapshot(app)
    again = close_round(quiz.session, quiz.round, now=NOW + timedelta(days=9))
    quiz.session.commit()
    assert not again.changed and snapshot(app) == before
    assert (again.ranked, again.all_correct, again.ties) == (first.ranked, first.all_correct, first.ties)
    recompute(quiz.session, quiz.round)
    quiz.session.commit()
    assert snapshot(app) == before
    assert quiz.session.get(QuizRound, quiz.round.id).closed_at == NOW + timedelta(days=8)


def test_a_closed_round_takes_no_more_answers_and_a_disqualified_attempt_leaves_the_ranking(quiz):
    best = quiz.attempt(correct=5, prediction=1, taken_s=10, submitted_s=10)
    next_best = quiz.attempt(correct=4, prediction=1, taken_s=10, submitted_s=10)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    with pytest.raises(quiz_service.RoundNotOpen):
        quiz_service.save_answer(quiz.session, next_best, quiz.questions[0].id, [1], now=NOW + timedelta(minutes=1))
    quiz.session.get(QuizAttempt, best.id).disqualified_at = NOW + timedelta(days=8, hours=1)
    result = recompute(quiz.session, quiz.round)
    assert result.all_correct == 0 and result.ranked == 1
    assert _ranks(quiz, [best, next_best]) == [(None, None), (1, "first")]
    assert quiz.session.get(QuizAttempt, best.id).score == 5


def test_closing_2000_attempts_runs_a_bounded_number_of_statements(quiz, count_queries):
    session = quiz.session
    people = [quiz.participant(name=f"Người {n}") for n in range(2000)]
    rows = [
        {
            "round_id": quiz.round.id,
            "participant_id": p.id,
            "number": 1,
            "seed": n,
            "question_total": 5,
            "started_at": NOW,
            "deadline_at": NOW + timedelta(minutes=10),
            "submitted_at": NOW + timedelta(seconds=100 + n % 50),
            "time_taken_ms": 90_000 + (n % 37) * 1000,
            "prediction": n % 11,
            "prize_tied": False,
            "disqualification_reason": "",
        }
        for n, p in enumerate(people)
    ]
    session.execute(QuizAttempt.__table__.insert(), rows)
    ids = session.scalars(select(QuizAttempt.id).order_by(QuizAttempt.id)).all()
    answers = [
        {
            "attempt_id": aid,
            "question_id": q.id,
            "chosen_option_ids": [1],
            "is_correct": (i + j) % 3 != 0,
            "saved_at": NOW,
        }
        for i, aid in enumerate(ids)
        for j, q in enumerate(quiz.questions[:5])
    ]
    from contests.models import AttemptAnswer

    session.execute(AttemptAnswer.__table__.insert(), answers)
    session.commit()
    with count_queries() as statements:
        result = close_round(session, quiz.round, now=NOW + timedelta(days=8))
        session.commit()
    assert result.ranked == 2000
    # a fixed handful (the round, its audit entry, grading the unsubmitted, the ranking UPDATE, the disqualified,
    # the counts, the ties, the results page's cache version), never one per attempt
    assert len(statements) <= 16, statements
    assert sum(s.startswith("UPDATE quiz_attempts") for s in statements) == 3
    ranks = session.scalars(select(QuizAttempt.rank).order_by(QuizAttempt.rank)).all()
    assert ranks[0] == 1 and None not in ranks and max(ranks) <= 2000
    # ranks are RANK(): each shared rank is followed by a gap of the tie's size
    from collections import Counter

    counts = Counter(ranks)
    expected = 1
    for rank in sorted(counts):
        assert rank == expected
        expected += counts[rank]
