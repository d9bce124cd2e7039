"""Flags for review: too fast, identical answers and timing, many identities on one device; disqualification."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEntry
from contests.models import AttemptFlag, FlagKind, QuizAttempt
from contests.services import flags
from contests.services.ranking import close_round

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
