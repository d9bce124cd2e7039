"""The way back on another device: a one-time code, its life, tries and limits, all on a fixed clock; the limits
count per (phone, address), so an attacker spends their own budget, never the owner's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import Lane, OutboxMessage
from contests.models import Participant, ReturnCode
from contests.services.participants import identities, return_codes
from contests.services.participants.return_codes import CodeNotValid, CodeTooSoon, TooManyCodes, WrongCode

from .conftest import NOW, SECRET

CODE_SECRET = "khoa-ma-mot-lan"  # noqa: S105 (tests only: the server's SECRET_KEY)
PHONE = "0356111222"
OWNER, ATTACKER = "113.161.0.7", "203.0.113.66"


@pytest.fixture
def person(quiz):
    return identities.register_participant(
        quiz.session, quiz.contest, full_name="Phạm Minh Đức", phone=PHONE, birth_year=1999, cccd="079099001234",
        ward_unit_id=quiz.ward.id, consent=True, now=NOW, secret=SECRET,
    )  # fmt: skip


def ask(quiz, at=NOW, phone=PHONE, address=OWNER, **extra):
    return return_codes.issue_code(
        quiz.session, quiz.contest, phone=phone, address=address, now=at, secret=CODE_SECRET, keys=SECRET, **extra
    )


def check(quiz, row, code, at=NOW):
    return return_codes.check_code(quiz.session, row.id, code, now=at, secret=CODE_SECRET)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_goes_by_the_fast_lane_and_only_its_keyed_hash_is_stored(quiz, person):
    row, code = ask(quiz, phone="+84 356 111 222")
    assert len(code) == 6 and code.isdigit()
    assert row.code_hash == return_codes.code_hash(code, row.phone_hash, CODE_SECRET) and code not in row.code_hash
    message = quiz.session.scalar(select(OutboxMessage))
    assert (message.recipient, message.lane, message.template) == (PHONE, Lane.FAST, "quiz_return_code")
    assert message.payload["code"] == code
    stored = [str(v) for v in quiz.session.execute(select(ReturnCode.__table__)).one()]
    assert not any(code in value for value in stored if len(value) < 20)  # neither the code nor the phone, bare
    assert not any(PHONE in value or OWNER in value for value in stored)


def test_the_code_lives_five_minutes_by_the_servers_clock(quiz, person):
    row, code = ask(quiz)
    with pytest.raises(CodeNotValid):
        check(quiz, row, code, at=NOW + timedelta(minutes=5))
    row, code = ask(quiz, at=NOW + timedelta(minutes=6))
    assert check(quiz, row, code, at=NOW + timedelta(minutes=6, seconds=299)) == person


def test_five_tries_then_the_code_is_spent(quiz, person):
    row, code = ask(quiz)
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongCode) as refused:
            check(quiz, row, wrong(code))
        assert refused.value.tries_left == left
    with pytest.raises(CodeNotValid):
        check(quiz, row, wrong(code))  # the fifth try
    with pytest.raises(CodeNotValid):
        check(quiz, row, code)  # even the right code now
    assert quiz.session.get(ReturnCode, row.id).tries == 5


def test_a_code_serves_once_and_the_return_token_rotates(quiz, person):
    before = person.return_token
    row, code = ask(quiz)
    assert check(quiz, row, code) == person
    assert person.return_token != before
    assert quiz.session.scalar(select(Participant).where(Participant.return_token == before)) is None
    with pytest.raises(CodeNotValid):
        check(quiz, row, code)


def test_a_new_code_only_after_sixty_seconds(quiz, person):
    ask(quiz)
    with pytest.raises(CodeTooSoon) as refused:
        ask(quiz, at=NOW + timedelta(seconds=59))
    assert refused.value.retry_after == 1
    first, _code = ask(quiz, at=NOW + timedelta(seconds=60))
    with pytest.raises(CodeTooSoon):
        ask(quiz, again=first.id, at=NOW + timedelta(seconds=100))  # "send again" keeps the same gap
    again, code = ask(quiz, again=first.id, at=NOW + timedelta(seconds=120))
    assert check(quiz, again, code, at=NOW + timedelta(seconds=130)) == person


def test_three_codes_a_day_per_phone_and_address(quiz, person):
    for minute in (0, 1, 2):
        ask(quiz, at=NOW + timedelta(minutes=minute))
    with pytest.raises(TooManyCodes):
        ask(quiz, at=NOW + timedelta(minutes=3))
    with pytest.raises(TooManyCodes):
        ask(quiz, at=NOW + timedelta(hours=23, minutes=59))
    ask(quiz, at=NOW + timedelta(days=1, seconds=1))  # the first one has left the day's window


def test_twenty_codes_an_hour_per_address_whatever_the_phones(quiz, person):
    for n in range(20):
        ask(quiz, phone=f"09870001{n:02d}", address=ATTACKER, at=NOW + timedelta(seconds=n))
    with pytest.raises(TooManyCodes):
        ask(quiz, phone="0987000199", address=ATTACKER, at=NOW + timedelta(minutes=59))
    ask(quiz, phone="0987000199", address=ATTACKER, at=NOW + timedelta(hours=1, seconds=1))
    ask(quiz, phone="0987000198", address=OWNER, at=NOW + timedelta(minutes=30))  # another address is not held


def test_an_attacker_hammering_a_phone_from_one_address_never_locks_its_owner_out(quiz, person):
    """From the attacker's address: three codes, each tried five times, then refused for the day. The owner, on
    their own address at the same moment, still gets a code and comes back."""
    for minute in (0, 1, 2):
        row, code = ask(quiz, address=ATTACKER, at=NOW + timedelta(minutes=minute))
        for _try in range(5):
            with pytest.raises((WrongCode, CodeNotValid)):
                check(quiz, row, wrong(code), at=NOW + timedelta(minutes=minute))
    with pytest.raises(TooManyCodes):
        ask(quiz, address=ATTACKER, at=NOW + timedelta(minutes=3))
    row, code = ask(quiz, address=OWNER, at=NOW + timedelta(minutes=3))
    assert check(quiz, row, code, at=NOW + timedelta(minutes=4)) == person


def test_a_phone_that_took_no_part_gets_the_same_answers_and_nothing_is_sent(quiz, person):
    row, code = ask(quiz, phone="0977777777")
    assert row.participant_id is None and quiz.session.scalar(select(OutboxMessage)) is None
    with pytest.raises(WrongCode) as refused:
        check(quiz, row, code)  # even the right digits: there is no one to bring back
    assert refused.value.tries_left == 4
    with pytest.raises(CodeTooSoon):
        ask(quiz, phone="0977777777", at=NOW + timedelta(seconds=30))


def test_old_codes_are_pruned_after_the_daily_window(quiz, person):
    ask(quiz)
    assert return_codes.prune_codes(quiz.session, NOW + timedelta(days=1)) == 0
    assert return_codes.prune_codes(quiz.session, NOW + timedelta(days=2, seconds=1)) == 1
