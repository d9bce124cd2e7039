"""The organizer's full ranking, as the service reads it: pages of 100 in rank order whatever the size of the
round, the disqualified after the ranked, one ward's attempts, and live counts before the close."""

from datetime import timedelta

from contests.services import flags
from contests.services.results import standings
from contests.services.rounds.ranking import close_round

from .conftest import NOW


def test_a_page_holds_100_attempts_in_rank_order_in_a_fixed_number_of_queries(quiz, count_queries):
    for n in range(105):
        quiz.attempt(correct=n % 6, taken_s=100 + n, submitted_s=200 + n, prediction=1)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    with count_queries() as queries:
        first = standings.ranking_page(quiz.session, quiz.round, page=1)
        second = standings.ranking_page(quiz.session, quiz.round, page=2)
        past = standings.ranking_page(quiz.session, quiz.round, page=99)
    assert (first.total, first.pages, len(first.rows), len(second.rows)) == (105, 2, 100, 5)
    assert past.page == 2 and [r.attempt_id for r in past.rows] == [r.attempt_id for r in second.rows]
    ranks = [row.rank for row in first.rows + second.rows]
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert len(queries) == 6  # a count and a page, each time: never the whole round


def test_the_disqualified_come_after_the_ranked_and_the_ward_filter_narrows(quiz):
    from app.models import Unit

    other = Unit(name="Phường Khánh Bình", kind="ward")
    quiz.session.add(other)
    quiz.session.flush()
    cheat = quiz.attempt(correct=5, taken_s=8, submitted_s=8, prediction=1)
    honest = quiz.attempt(correct=3, taken_s=300, submitted_s=300, prediction=1)
    elsewhere = quiz.attempt(
        correct=2, taken_s=300, submitted_s=300, prediction=1, person=quiz.participant(ward_unit_id=other.id)
    )
    flags.disqualify(quiz.session, cheat, reason="Quá nhanh", actor_id=None, now=NOW)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    rows = standings.ranking_page(quiz.session, quiz.round).rows
    assert [(r.attempt_id, r.rank) for r in rows] == [(honest.id, 1), (elsewhere.id, 2), (cheat.id, None)]
    assert rows[2].disqualification_reason == "Quá nhanh" and rows[0].masked_phone.startswith("******")
    only = standings.ranking_page(quiz.session, quiz.round, ward_id=other.id).rows
    assert [r.attempt_id for r in only] == [elsewhere.id]
    assert standings.wards_of_round(quiz.session, quiz.round) == [
        (other.id, other.name),
        (quiz.ward.id, quiz.ward.name),
    ]


def test_before_the_close_there_is_no_ranking_only_counts(quiz):
    quiz.attempt(correct=5, taken_s=8, submitted_s=8)
    quiz.attempt(correct=1, taken_s=30)
    assert standings.ranking_page(quiz.session, quiz.round).rows == []
    flags.detect_flags(quiz.session, quiz.round, now=NOW)
    assert standings.live_counts(quiz.session, quiz.round) == standings.LiveCounts(2, 1, 0, 1)
