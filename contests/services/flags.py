"""Fairness: flags for an organizer's review (never a ban by themselves) and disqualification with a reason kept in
the audit trail.

Three flags, each raised once per attempt (the unique (attempt, kind) key; running the detection again adds only
what is new): an implausibly fast attempt (every question answered, the last change sooner than a few seconds per
question); identical answers with identical timing across participants (the same choices, each saved within a
few seconds of the other's: one hand, two names); and many identities from one device."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.errors import Conflict, DomainError, NotFound
from app.models import AuditEntry
from app.scheduler import JobResult

from ..models import AttemptAnswer, AttemptFlag, FlagKind, Participant, QuizAttempt, QuizRound, RoundState
from .rounds import ranking

MIN_SECONDS_PER_QUESTION = 3
LOCKSTEP_SECONDS = 5
MIN_SHARED_QUESTIONS = 3  # fewer answers than this say nothing about copying
DEVICE_LIMIT = 3  # more participants than this on one device is worth a look (a family shares a phone)
OPEN_ROUND_EVERY = timedelta(minutes=10)  # how often an open round's attempts are looked at again


# --- the organizer's review ------------------------------------------------------------------------------------


def attempt_or_404(session: Session, attempt_id: int) -> QuizAttempt:
    """The attempt an organizer disqualifies or reinstates, or NotFound."""
    attempt = session.get(QuizAttempt, attempt_id)
    if attempt is None:
        raise NotFound(_l("The page you are looking for does not exist."))
    return attempt


def flag_or_404(session: Session, flag_id: int) -> AttemptFlag:
    """The flag an organizer marks as reviewed, or NotFound."""
    flag = session.get(AttemptFlag, flag_id)
    if flag is None:
        raise NotFound(_l("The page you are looking for does not exist."))
    return flag


@dataclass
class FlaggedAttempt:
    """An attempt on the organizer's review, with its participant and every flag raised on it."""

    attempt: QuizAttempt
    participant: Participant
    flags: list[AttemptFlag]


def flagged_attempts(session: Session, round_id: int) -> list[FlaggedAttempt]:
    """The round's flagged attempts, each with its participant and flags: those not yet reviewed first."""
    flags = session.scalars(
        select(AttemptFlag)
        .join(QuizAttempt, QuizAttempt.id == AttemptFlag.attempt_id)
        .where(QuizAttempt.round_id == round_id)
        .order_by(AttemptFlag.reviewed_at.is_not(None), AttemptFlag.attempt_id, AttemptFlag.id)
    ).all()
    grouped: dict[int, FlaggedAttempt] = {}
    for flag in flags:
        if flag.attempt_id not in grouped:
            attempt = session.get(QuizAttempt, flag.attempt_id)
            grouped[flag.attempt_id] = FlaggedAttempt(attempt, session.get(Participant, attempt.participant_id), [])
        grouped[flag.attempt_id].flags.append(flag)
    return list(grouped.values())


# --- detection -------------------------------------------------------------------------------------------------


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


def detect_round(session: Session, quiz_round: QuizRound, *, now: datetime) -> int:
    """Raise the round's flags now (the job's, or an organizer's "detect now") and note when; returns how many are
    new. Running it again on the same attempts adds nothing."""
    new = detect_flags(session, quiz_round, now=now)
    quiz_round.flags_checked_at = now
    session.flush()
    return new


def rounds_due_for_flags(session: Session, now: datetime) -> list[QuizRound]:
    """Closed rounds not looked at since they closed, and open rounds not looked at for ``OPEN_ROUND_EVERY``."""
    R = QuizRound
    never = R.flags_checked_at.is_(None)
    return list(
        session.scalars(
            select(R)
            .where(
                or_(
                    and_(R.state == RoundState.CLOSED, or_(never, R.flags_checked_at < R.closed_at)),
                    and_(R.state == RoundState.OPEN, or_(never, R.flags_checked_at <= now - OPEN_ROUND_EVERY)),
                )
            )
            .order_by(R.id)
        )
    )


def detect_due_rounds(session: Session, now: datetime) -> JobResult:
    """The scheduled detection: every round due (see ``rounds_due_for_flags``), out of the close itself so that
    closing a round of 100,000 attempts does not wait on it. A second run at the same time changes nothing."""
    due = rounds_due_for_flags(session, now)
    raised = sum(detect_round(session, quiz_round, now=now) for quiz_round in due)
    return JobResult(
        changed=raised, message=_l("%(rounds)s rounds checked, %(flags)s new flags", rounds=len(due), flags=raised)
    )


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


def _seconds_apart(session: Session, first, second):
    """|first − second| in seconds, computed by the database (timestamps are ISO text on SQLite)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.abs(func.julianday(first) - func.julianday(second)) * 86400.0
    return func.abs(func.extract("epoch", first - second))


def lockstep(session: Session, quiz_round: QuizRound, lockstep_seconds: int) -> list[tuple[int, str]]:
    """Attempts whose choices are the same as another's, each saved within ``lockstep_seconds`` of the other's.

    Done by the database, never by loading a round's answers (100,000 attempts × 20 answers): each attempt's
    answers are summed into a signature of its question set (count, sums of ids and of their squares, which of
    them were right) and its first save; only attempts with the same signature whose first saves are close are
    paired, and a pair is flagged when every question matches, with the same choices, saved close together."""
    A, Ans = QuizAttempt, AttemptAnswer
    # A little slack for SQLite's floating-point julian days (milliseconds apart, not seconds).
    window = lockstep_seconds + 0.001
    signature = (
        select(
            Ans.attempt_id.label("attempt_id"),
            func.count().label("n"),
            func.sum(Ans.question_id).label("q1"),
            func.sum(Ans.question_id * Ans.question_id).label("q2"),
            func.sum(case((Ans.is_correct.is_(True), Ans.question_id), else_=0)).label("qc"),
            func.min(Ans.saved_at).label("first_at"),
        )
        .join(A, A.id == Ans.attempt_id)
        .where(A.round_id == quiz_round.id)
        .group_by(Ans.attempt_id)
        .having(func.count() >= MIN_SHARED_QUESTIONS)
        .subquery("signature")
    )
    one, two = signature.alias("one"), signature.alias("two")
    candidates = (
        select(one.c.attempt_id.label("first"), two.c.attempt_id.label("second"), one.c.n.label("n"))
        .join(
            two,
            and_(
                two.c.n == one.c.n,
                two.c.q1 == one.c.q1,
                two.c.q2 == one.c.q2,
                two.c.qc == one.c.qc,
                two.c.attempt_id > one.c.attempt_id,
            ),
        )
        .where(_seconds_apart(session, one.c.first_at, two.c.first_at) <= window)
        .subquery("candidates")
    )
    a, b = aliased(Ans), aliased(Ans)
    same = and_(
        cast(a.chosen_option_ids, Text) == cast(b.chosen_option_ids, Text),
        _seconds_apart(session, a.saved_at, b.saved_at) <= window,
    )
    pairs = session.execute(
        select(candidates.c.first, candidates.c.second)
        .join(a, a.attempt_id == candidates.c.first)
        .join(b, and_(b.attempt_id == candidates.c.second, b.question_id == a.question_id))
        .group_by(candidates.c.first, candidates.c.second, candidates.c.n)
        .having(func.sum(case((same, 1), else_=0)) == candidates.c.n)
        .having(func.count() == candidates.c.n)
    ).all()
    # Each attempt names its lowest-numbered twin.
    partner: dict[int, int] = {}
    for first, second in pairs:
        partner[first] = min(partner.get(first, second), second)
        partner[second] = min(partner.get(second, first), first)
    return sorted((attempt_id, f"Giống lượt thi #{other}") for attempt_id, other in partner.items())


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
