"""Fairness: flags for an organizer's review (never a ban by themselves) and disqualification with a reason kept in
the audit trail.

Three flags, each raised once per attempt (the unique (attempt, kind) key; running the detection again adds only
what is new): an implausibly fast attempt (every question answered, the last change sooner than a few seconds per
question); identical answers with identical timing across participants (the same choices, each saved within a
few seconds of the other's: one hand, two names); and many identities from one device."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError
from app.models import AuditEntry

from ..models import AttemptAnswer, AttemptFlag, FlagKind, Participant, QuizAttempt, QuizRound, RoundState
from . import ranking

MIN_SECONDS_PER_QUESTION = 3
LOCKSTEP_SECONDS = 5
MIN_SHARED_QUESTIONS = 3  # fewer answers than this say nothing about copying
DEVICE_LIMIT = 3  # more participants than this on one device is worth a look (a family shares a phone)


def detect_flags(
    session: Session,
    quiz_round: QuizRound,
    *,
    now: datetime,
    min_seconds_per_question: int = MIN_SECONDS_PER_QUESTION,
    lockstep_seconds: int = LOCKSTEP_SECONDS,
    device_limit: int = DEVICE_LIMIT,
) -> int:
    """Raise the round's flags; returns how many are new."""
    found: dict[tuple[int, FlagKind], str] = {}
    for attempt_id, detail in too_fast(session, quiz_round, min_seconds_per_question):
        found[(attempt_id, FlagKind.TOO_FAST)] = detail
    for attempt_id, detail in lockstep(session, quiz_round, lockstep_seconds):
        found[(attempt_id, FlagKind.IDENTICAL_ANSWERS)] = detail
    for attempt_id, detail in shared_devices(session, quiz_round, device_limit):
        found[(attempt_id, FlagKind.SHARED_DEVICE)] = detail
    if not found:
        return 0
    existing = set(
        session.execute(
            select(AttemptFlag.attempt_id, AttemptFlag.kind)
            .join(QuizAttempt, QuizAttempt.id == AttemptFlag.attempt_id)
            .where(QuizAttempt.round_id == quiz_round.id)
        ).all()
    )
    new = [
        AttemptFlag(attempt_id=attempt_id, kind=kind, detail=detail[:500], created_at=now)
        for (attempt_id, kind), detail in sorted(found.items())
        if (attempt_id, kind) not in existing
    ]
    session.add_all(new)
    session.flush()
    return len(new)


def too_fast(session: Session, quiz_round: QuizRound, min_seconds_per_question: int) -> list[tuple[int, str]]:
    """Attempts that answered every question and made their last change in less than the minimum per question."""
    answered = (
        select(AttemptAnswer.attempt_id, func.count().label("n"))
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.round_id == quiz_round.id)
        .group_by(AttemptAnswer.attempt_id)
        .subquery()
    )
    rows = session.execute(
        select(QuizAttempt.id, QuizAttempt.time_taken_ms, QuizAttempt.question_total)
        .join(answered, answered.c.attempt_id == QuizAttempt.id)
        .where(
            QuizAttempt.round_id == quiz_round.id,
            QuizAttempt.question_total > 0,
            answered.c.n >= QuizAttempt.question_total,
            QuizAttempt.time_taken_ms < QuizAttempt.question_total * (min_seconds_per_question * 1000),
        )
    ).all()
    return [(attempt_id, f"{total} câu trong {taken_ms / 1000:.1f} giây") for attempt_id, taken_ms, total in rows]


def lockstep(session: Session, quiz_round: QuizRound, lockstep_seconds: int) -> list[tuple[int, str]]:
    """Attempts whose choices are the same as another's, each saved within ``lockstep_seconds`` of the other's."""
    answers: dict[int, list[tuple[int, tuple[int, ...], datetime]]] = defaultdict(list)
    rows = session.execute(
        select(
            AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.chosen_option_ids, AttemptAnswer.saved_at
        )
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.round_id == quiz_round.id)
        .order_by(AttemptAnswer.attempt_id, AttemptAnswer.question_id)
    )
    for attempt_id, question_id, chosen, saved_at in rows:
        answers[attempt_id].append((question_id, tuple(sorted(chosen or ())), saved_at))
    groups: dict[tuple, list[int]] = defaultdict(list)
    for attempt_id, items in answers.items():
        if len(items) >= MIN_SHARED_QUESTIONS:
            groups[tuple((q, c) for q, c, _ in items)].append(attempt_id)
    flagged: dict[int, str] = {}
    for members in groups.values():
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                times = zip(answers[first], answers[second], strict=True)
                if all(abs((a[2] - b[2]).total_seconds()) <= lockstep_seconds for a, b in times):
                    flagged.setdefault(first, f"Giống lượt thi #{second}")
                    flagged.setdefault(second, f"Giống lượt thi #{first}")
    return sorted(flagged.items())


def shared_devices(session: Session, quiz_round: QuizRound, device_limit: int) -> list[tuple[int, str]]:
    """Attempts made from a device that more than ``device_limit`` participants of the contest have used."""
    device = func.coalesce(QuizAttempt.device_hash, Participant.device_hash)
    crowded = (
        select(device.label("device"), func.count(func.distinct(QuizAttempt.participant_id)).label("people"))
        .join(Participant, Participant.id == QuizAttempt.participant_id)
        .where(QuizAttempt.round_id == quiz_round.id, device.is_not(None))
        .group_by(device)
        .having(func.count(func.distinct(QuizAttempt.participant_id)) > device_limit)
        .subquery()
    )
    rows = session.execute(
        select(QuizAttempt.id, crowded.c.people)
        .join(Participant, Participant.id == QuizAttempt.participant_id)
        .join(crowded, and_(crowded.c.device == device))
        .where(QuizAttempt.round_id == quiz_round.id)
    ).all()
    return [(attempt_id, f"{people} người dự thi trên cùng một thiết bị") for attempt_id, people in rows]


def review_flag(flag: AttemptFlag, *, reviewer_id: int, now: datetime) -> None:
    """Mark the flag as looked at by ``reviewer_id`` (whatever was decided about the attempt)."""
    if flag.reviewed_at is None:
        flag.reviewed_at = now
        flag.reviewed_by_id = reviewer_id


def disqualify(
    session: Session, attempt: QuizAttempt, *, reason: str, actor_id: int | None, now: datetime
) -> ranking.RoundResults | None:
    """Take the attempt out of the ranking, with ``reason`` written to the audit trail. When the round is already
    closed its results are computed again (the same data gives the same results); returns them then."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Give the reason for the disqualification."), code="reason_required", field="reason")
    if attempt.disqualified_at is not None:
        raise Conflict(_l("This attempt is already disqualified."), code="already_disqualified")
    attempt.disqualified_at = now
    attempt.disqualification_reason = reason[:500]
    _audit(session, attempt, actor_id, now, {"disqualified_at": [None, now.isoformat()], "reason": [None, reason]})
    return _recompute_if_closed(session, attempt)


def reinstate(
    session: Session, attempt: QuizAttempt, *, reason: str, actor_id: int | None, now: datetime
) -> ranking.RoundResults | None:
    """Undo a disqualification (with a reason, in the audit trail too)."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_l("Give the reason for the decision."), code="reason_required", field="reason")
    if attempt.disqualified_at is None:
        return None
    old = attempt.disqualified_at
    attempt.disqualified_at = None
    attempt.disqualification_reason = ""
    _audit(session, attempt, actor_id, now, {"disqualified_at": [old.isoformat(), None], "reason": [None, reason]})
    return _recompute_if_closed(session, attempt)


def _audit(session: Session, attempt: QuizAttempt, actor_id: int | None, now: datetime, changes: dict) -> None:
    session.add(
        AuditEntry(
            at=now, actor_id=actor_id, action="update", entity="QuizAttempt", entity_id=str(attempt.id), changes=changes
        )
    )


def _recompute_if_closed(session: Session, attempt: QuizAttempt) -> ranking.RoundResults | None:
    session.flush()
    quiz_round = session.get(QuizRound, attempt.round_id)
    if quiz_round.state == RoundState.CLOSED:
        return ranking.recompute(session, quiz_round)
    return None
