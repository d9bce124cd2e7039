"""What a closed round shows: the review with the key only after close, winners, participation by ward."""

from datetime import timedelta
from decimal import Decimal

import pytest

from app.models import Unit
from contests.models import UnitPopulation
from contests.services import attempts as quiz_service
from contests.services import results
from contests.services.rounds.ranking import close_round

from .conftest import NOW
from .shown import shown_questions


def test_the_review_with_correct_answers_and_explanations_waits_for_the_close(quiz):
    attempt = quiz_service.start_attempt(quiz.session, quiz.round, quiz.participant(), now=NOW, seed=9)
    first = shown_questions(quiz.session, attempt, position=1)[0]
    quiz_service.save_answer(quiz.session, attempt, first.question_id, [first.options[0].id], now=NOW)
    with pytest.raises(results.ResultsNotOut):
        results.review(quiz.session, attempt)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    reviewed = results.review(quiz.session, attempt)
    assert [q.position for q in reviewed] == [1, 2, 3, 4, 5]
    top = reviewed[0]
    assert [o.id for o in top.options] == [o.id for o in first.options]  # the attempt's own order
    assert [o.chosen for o in top.options] == [True, False, False, False]
    assert any(o.is_correct for o in top.options) and top.explanation.startswith("Giải thích")
    assert top.is_correct == all(o.chosen == o.is_correct for o in top.options)


def test_winners_and_participation_by_ward_against_the_population(quiz):
    other_ward = Unit(name="Phường Khánh Bình", kind="ward")
    quiz.session.add(other_ward)
    quiz.session.flush()
    quiz.session.add(UnitPopulation(contest_id=quiz.contest.id, unit_id=quiz.ward.id, population=400))
    quiz.attempt(correct=5, prediction=0, taken_s=100, submitted_s=100, person=quiz.participant("Hồ Văn Tâm"))
    quiz.attempt(correct=4, prediction=0, taken_s=100, submitted_s=100)
    quiz.attempt(
        correct=4,
        prediction=0,
        taken_s=100,
        submitted_s=100,
        person=quiz.participant("Đỗ Thị Mai", ward_unit_id=other_ward.id),
    )
    assert results.winners(quiz.session, quiz.round) == []  # nothing before the close
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    won = results.winners(quiz.session, quiz.round)
    assert [(w.rank, w.prize, w.prize_tied) for w in won] == [
        (1, "first", False),
        (2, "second", False),
        (2, "second", False),
    ]
    assert won[0].full_name == "Hồ Văn Tâm" and won[0].masked_phone.startswith("******")
    wards = results.participation_by_ward(quiz.session, quiz.round)
    assert [(w.name, w.participants, w.population, w.rate_percent) for w in wards] == [
        ("Phường Uyên Hưng", 2, 400, Decimal("0.50")),
        ("Phường Khánh Bình", 1, None, None),
    ]
    assert len(results.ranking_page(quiz.session, quiz.round, offset=1, limit=5)) == 2


def test_an_organizer_enters_changes_and_clears_a_ward_population(quiz):
    row = results.set_population(quiz.session, quiz.contest.id, quiz.ward.id, 12000)
    assert (row.population, row.is_headcount) == (12000, False)
    results.set_population(quiz.session, quiz.contest.id, quiz.ward.id, 850, is_headcount=True)
    assert quiz.session.get(UnitPopulation, (quiz.contest.id, quiz.ward.id)).population == 850
    for wrong in (0, -5, 10**9, True):
        with pytest.raises(results.DomainError) as refused:
            results.set_population(quiz.session, quiz.contest.id, quiz.ward.id, wrong)
        assert refused.value.field == "population"
    assert results.set_population(quiz.session, quiz.contest.id, quiz.ward.id, None) is None
    quiz.session.flush()
    assert quiz.session.get(UnitPopulation, (quiz.contest.id, quiz.ward.id)) is None
