"""Organizers' rules for rounds: checked settings, numbered rounds, what may change once a round is open."""

from datetime import timedelta

import pytest

from contests.services import rounds
from contests.services.rounds import InvalidRound

from .conftest import NOW

GOOD = dict(
    title="Tuần 2: Bảo vệ tài khoản",
    opens_at=NOW + timedelta(days=7),
    closes_at=NOW + timedelta(days=14),
    question_count=5,
    time_limit_seconds=900,
)


def test_a_new_round_is_scheduled_numbered_and_gets_the_default_prizes(quiz):
    new = rounds.create_round(quiz.session, quiz.contest, now=NOW, **GOOD)
    assert (new.position, new.state, new.attempts_allowed) == (2, "scheduled", 1)
    assert new.prize_table == {"first": 1, "second": 2, "third": 3, "consolation": 5}
    assert rounds.open_due_rounds(quiz.session, NOW + timedelta(days=7)).changed == 1 and new.state == "open"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"closes_at": NOW + timedelta(days=7)}, "closes_at"),
        ({"question_count": 11}, "question_count"),  # the bank holds 10
        ({"question_count": 0}, "question_count"),
        ({"time_limit_seconds": 10}, "time_limit_seconds"),
        ({"attempts_allowed": True}, "attempts_allowed"),
        ({"prize_table": {"first": -1}}, "prize_first"),
    ],
)
def test_settings_out_of_bounds_are_refused_on_their_field(quiz, change, field):
    with pytest.raises(InvalidRound) as refused:
        rounds.create_round(quiz.session, quiz.contest, now=NOW, **(GOOD | change))
    assert refused.value.field == field


def test_an_open_round_may_only_be_renamed_or_closed_later_and_a_closed_one_not_at_all(quiz):
    open_round = quiz.round
    rounds.update_round(
        quiz.session, open_round, now=NOW, title="Tuần 1 (gia hạn)", closes_at=open_round.closes_at + timedelta(days=1)
    )
    assert open_round.title == "Tuần 1 (gia hạn)"
    with pytest.raises(InvalidRound) as refused:
        rounds.update_round(quiz.session, open_round, now=NOW, question_count=4)
    assert refused.value.field == "question_count"
    with pytest.raises(InvalidRound):
        rounds.update_round(quiz.session, open_round, now=NOW, closes_at=open_round.closes_at - timedelta(hours=1))
    rounds.close_and_tell(quiz.session, open_round, now=open_round.closes_at + timedelta(minutes=1))
    with pytest.raises(rounds.Conflict):
        rounds.update_round(quiz.session, open_round, now=NOW, title="Đổi tên")
    scheduled = rounds.create_round(quiz.session, quiz.contest, now=NOW, **GOOD)
    rounds.update_round(quiz.session, scheduled, now=NOW, question_count=4, prize_table={"first": 2})
    assert scheduled.question_count == 4 and scheduled.prize_table["first"] == 2
