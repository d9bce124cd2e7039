"""Rounds on the clock: the scheduler opens each round at its opening time and closes it once its last attempt's
grace is over, computing the results once and telling every participant that they are out. Both are idempotent
and take ``now``: a run that finds nothing due changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import outbox
from app.scheduler import JobResult

from ..models import Contest, Participant, QuizAttempt, QuizRound, RoundState
from . import flags, ranking

RESULTS_TEMPLATE = "quiz_results"


def open_due_rounds(session: Session, now: datetime) -> JobResult:
    """Open every scheduled round whose opening time has come (and whose close has not)."""
    due = session.scalars(
        select(QuizRound).where(
            QuizRound.state == RoundState.SCHEDULED, QuizRound.opens_at <= now, QuizRound.closes_at > now
        )
    ).all()
    for quiz_round in due:
        quiz_round.state = RoundState.OPEN
        quiz_round.opened_at = now
    return JobResult(changed=len(due), message=_l("%(count)s rounds opened", count=len(due)))


def close_due_rounds(session: Session, now: datetime) -> JobResult:
    """Close every scheduled or open round whose closing time plus grace has passed: results computed and
    frozen, flags raised for review, and each participant told (once) that results are out."""
    candidates = session.scalars(
        select(QuizRound)
        .where(QuizRound.state.in_([RoundState.SCHEDULED, RoundState.OPEN]), QuizRound.closes_at <= now)
        .order_by(QuizRound.closes_at, QuizRound.id)
    ).all()
    closed = 0
    for quiz_round in candidates:
        if quiz_round.closes_at + timedelta(seconds=quiz_round.grace_seconds) > now:
            continue  # answers sent just before the close may still be arriving
        close_and_tell(session, quiz_round, now=now)
        closed += 1
    return JobResult(changed=closed, message=_l("%(count)s rounds closed", count=closed))


def close_and_tell(session: Session, quiz_round: QuizRound, *, now: datetime) -> ranking.RoundResults:
    """Close the round (an organizer's "close now" too), raise its flags, queue the results messages."""
    results = ranking.close_round(session, quiz_round, now=now)
    if results.changed:
        flags.detect_flags(session, quiz_round, now=now)
        tell_results(session, quiz_round, now=now)
    return results


def tell_results(session: Session, quiz_round: QuizRound, *, now: datetime) -> int:
    """Queue "results are out" for every participant with an attempt in the round (by e-mail when they gave one,
    else SMS), once per participant and round; returns how many messages were new."""
    contest = session.get(Contest, quiz_round.contest_id)
    people = session.execute(
        select(Participant.id, Participant.full_name, Participant.phone, Participant.email, Participant.locale)
        .where(Participant.id.in_(select(QuizAttempt.participant_id).where(QuizAttempt.round_id == quiz_round.id)))
        .order_by(Participant.id)
    ).all()
    payload = {"round_title": quiz_round.title, "contest_title": contest.title if contest else ""}
    return outbox.enqueue_many(
        session,
        RESULTS_TEMPLATE,
        (
            outbox.Outgoing(
                to=outbox.recipients(email=email, phone=phone),
                payload={**payload, "name": name},
                locale=locale,
                dedupe_key=f"quiz-results:{quiz_round.id}:{pid}",
                subject_ref=f"Participant:{pid}",
            )
            for pid, name, phone, email, locale in people
        ),
        now=now,
    )
