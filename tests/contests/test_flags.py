"""Flags for review: too fast, identical answers and timing, many identities on one device; disqualification."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEntry
from contests.models import AttemptFlag, FlagKind, QuizAttempt
from contests.services import flags
from contests.services.rounds.ranking import close_round

from .conftest import NOW


def _flags(quiz):
    return sorted((f.attempt_id, f.kind) for f in quiz.session.scalars(select(AttemptFlag)))


def test_an_attempt_answering_everything_in_seconds_is_flagged_once(quiz):
    fast = quiz.attempt(correct=5, taken_s=8)  # 5 questions in 8 s, under 3 s each
    normal = quiz.attempt(correct=5, taken_s=200)
    brisk = quiz.attempt(correct=2, taken_s=20)  # 4 s a question: quick, but a person can do it
    assert flags.detect_flags(quiz.session, quiz.round, now=NOW) == 1
    assert _flags(quiz) == [(fast.id, FlagKind.TOO_FAST)]
    assert flags.detect_flags(quiz.session, quiz.round, now=NOW + timedelta(hours=1)) == 0
    assert {normal.id, brisk.id}.isdisjoint(attempt_id for attempt_id, _ in _flags(quiz))


def test_identical_answers_saved_in_lockstep_are_flagged_but_the_same_answers_at_other_times_are_not(quiz):
    a = quiz.attempt(correct=3, taken_s=300)
    b = quiz.attempt(correct=3, taken_s=300, started=NOW + timedelta(seconds=2))  # same choices, 2 s apart
    c = quiz.attempt(correct=3, taken_s=300, started=NOW + timedelta(minutes=30))  # same choices, much later
    flags.detect_flags(quiz.session, quiz.round, now=NOW)
    assert _flags(quiz) == [(a.id, FlagKind.IDENTICAL_ANSWERS), (b.id, FlagKind.IDENTICAL_ANSWERS)]
    assert c.id not in {attempt_id for attempt_id, _ in _flags(quiz)}


def test_many_identities_from_one_device_are_flagged(quiz):
    shared = [quiz.attempt(correct=n, taken_s=300, person=quiz.participant(device_hash="thiet-bi-1")) for n in range(4)]
    family = [quiz.attempt(correct=n, taken_s=300, person=quiz.participant(device_hash="thiet-bi-2")) for n in range(2)]
    flags.detect_flags(quiz.session, quiz.round, now=NOW)
    flagged = {attempt_id for attempt_id, kind in _flags(quiz) if kind == FlagKind.SHARED_DEVICE}
    assert flagged == {a.id for a in shared}
    assert not flagged & {a.id for a in family}


def test_disqualification_needs_a_reason_is_audited_and_recomputes_a_closed_round(quiz):
    cheat = quiz.attempt(correct=5, prediction=0, taken_s=8, submitted_s=8)
    honest = quiz.attempt(correct=4, prediction=0, taken_s=300, submitted_s=300)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    with pytest.raises(flags.DomainError):
        flags.disqualify(quiz.session, cheat, reason="  ", actor_id=None, now=NOW + timedelta(days=9))
    result = flags.disqualify(
        quiz.session, cheat, reason="Trả lời 5 câu trong 8 giây", actor_id=None, now=NOW + timedelta(days=9)
    )
    assert result.ranked == 1
    quiz.session.expire_all()
    assert quiz.session.get(QuizAttempt, honest.id).rank == 1 and quiz.session.get(QuizAttempt, cheat.id).rank is None
    entry = quiz.session.scalar(select(AuditEntry).where(AuditEntry.entity == "QuizAttempt"))
    assert entry.entity_id == str(cheat.id) and entry.changes["reason"][1] == "Trả lời 5 câu trong 8 giây"
    flags.reinstate(
        quiz.session,
        quiz.session.get(QuizAttempt, cheat.id),
        reason="Xác minh lại: hợp lệ",
        actor_id=None,
        now=NOW + timedelta(days=10),
    )
    quiz.session.expire_all()
    assert quiz.session.get(QuizAttempt, cheat.id).rank == 1


def test_lockstep_needs_every_answer_the_same_and_saved_close_together(quiz):
    """One different choice, or one answer saved later than the window, and the pair is no longer in lockstep."""
    a = quiz.attempt(correct=3, taken_s=300)
    b = quiz.attempt(correct=4, taken_s=300, started=NOW + timedelta(seconds=1))  # one choice differs
    c = quiz.attempt(correct=3, taken_s=300, started=NOW + timedelta(seconds=3))  # a's twin, 3 s behind
    late = quiz.session.scalars(
        select(flags.AttemptAnswer).where(flags.AttemptAnswer.attempt_id == c.id).order_by(flags.AttemptAnswer.saved_at)
    ).all()[-1]
    late.saved_at += timedelta(seconds=10)  # its last answer 13 s after a's: copied, but not in one hand
    quiz.session.flush()
    assert flags.lockstep(quiz.session, quiz.round, flags.LOCKSTEP_SECONDS) == []
    late.saved_at -= timedelta(seconds=10)
    quiz.session.flush()
    assert flags.lockstep(quiz.session, quiz.round, flags.LOCKSTEP_SECONDS) == [
        (a.id, f"Giống lượt thi #{c.id}"),
        (c.id, f"Giống lượt thi #{a.id}"),
    ]  # b, one choice apart, is not among them
    assert b.id not in (a.id, c.id)


def test_lockstep_is_a_fixed_number_of_queries_whatever_the_attempts(quiz, count_queries):
    for n in range(30):
        quiz.attempt(correct=n % 4, taken_s=300, started=NOW + timedelta(seconds=n))
    with count_queries() as queries:
        flags.lockstep(quiz.session, quiz.round, flags.LOCKSTEP_SECONDS)
    assert len(queries) == 1


def test_the_flags_job_checks_a_closed_round_once_and_an_open_round_every_few_minutes(quiz):
    from contests import jobs

    fast = quiz.attempt(correct=5, taken_s=8, submitted_s=8)
    assert jobs.detect_flags(quiz.session, NOW).changed == 1  # open, never checked
    assert quiz.round.flags_checked_at == NOW
    assert jobs.detect_flags(quiz.session, NOW + timedelta(minutes=5)).changed == 0
    assert quiz.round.flags_checked_at == NOW  # not due yet: nothing was looked at
    twin = quiz.attempt(correct=5, taken_s=8, submitted_s=8, started=NOW + timedelta(minutes=6))
    assert jobs.detect_flags(quiz.session, NOW + timedelta(minutes=10)).changed == 1
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert jobs.detect_flags(quiz.session, NOW + timedelta(days=8, minutes=1)).changed == 0
    assert quiz.round.flags_checked_at == NOW + timedelta(days=8, minutes=1)  # closed since: looked at once more
    assert jobs.detect_flags(quiz.session, NOW + timedelta(days=9)).changed == 0
    assert quiz.round.flags_checked_at == NOW + timedelta(days=8, minutes=1)  # and never again
    assert {attempt_id for attempt_id, _ in _flags(quiz)} == {fast.id, twin.id}


def test_closing_a_round_leaves_the_flags_to_their_job(quiz):
    from contests.services.rounds import close_and_tell

    quiz.attempt(correct=5, taken_s=8, submitted_s=8)
    close_and_tell(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    assert _flags(quiz) == [] and quiz.round.flags_checked_at is None
    assert flags.rounds_due_for_flags(quiz.session, NOW + timedelta(days=8)) == [quiz.round]


def test_reinstating_twice_changes_nothing_the_second_time(quiz):
    cheat = quiz.attempt(correct=5, prediction=0, taken_s=8, submitted_s=8)
    close_round(quiz.session, quiz.round, now=NOW + timedelta(days=8))
    flags.disqualify(quiz.session, cheat, reason="Quá nhanh", actor_id=None, now=NOW + timedelta(days=9))
    with pytest.raises(flags.DomainError):
        flags.reinstate(quiz.session, cheat, reason=" ", actor_id=None, now=NOW + timedelta(days=10))
    assert flags.reinstate(quiz.session, cheat, reason="Hợp lệ", actor_id=None, now=NOW + timedelta(days=10))
    assert flags.reinstate(quiz.session, cheat, reason="Hợp lệ", actor_id=None, now=NOW + timedelta(days=10)) is None
    entries = quiz.session.scalars(select(AuditEntry).where(AuditEntry.entity == "QuizAttempt")).all()
    assert [e.changes["reason"] for e in entries] == [[None, "Quá nhanh"], [None, "Hợp lệ"]]
