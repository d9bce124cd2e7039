"""Closing a round: every attempt's score, rank and prize in one SQL pass, then frozen.

The ranking is the one these contests publish: score ↓, then |prediction − the actual number of participants who
answered every question right| ↑, then time taken ↑ (start to the last change of an answer), then submission time
↑ (an attempt never submitted counts as handed in at its deadline). Attempts equal on all four share a rank
(SQL ``RANK()``: 1, 1, 3). Prizes come from the round's prize table in rank order; a tie group that straddles a
prize boundary gets the better prize and is marked ``prize_tied`` for the organizer to decide: the app never
breaks a tie silently. No prize goes below the round's least score (``prize_min_percent`` of the questions, half by
default): a 0/5 entrant wins nothing, however few took part.
Disqualified attempts are not ranked and do not count among the all-correct.

The whole ranking is one ``UPDATE … FROM (SELECT … window functions …)`` on PostgreSQL and SQLite (≥ 3.33):
no per-row Python loop, a fixed number of statements whatever the number of attempts. Running it again on the
same data writes the same values (re-computation after a disqualification is the same function)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select, text, update
from sqlalchemy.orm import Session

from app.errors import Conflict

from ...models import AttemptAnswer, QuizAttempt, QuizRound, RoundState
from ...models.quiz import PRIZE_ORDER, Prize
from ..questions import pools

# Sorts after every real value: no prediction, or no answer at all (so no time taken).
_LAST = 2_000_000_000


@dataclass(frozen=True)
class Tie:
    """A group of attempts sharing ``rank`` whose places run past the end of ``prize``'s places."""

    rank: int
    size: int
    prize: Prize
    places_left: int  # how many places of ``prize`` (and better) were left for the group


@dataclass(frozen=True)
class RoundResults:
    round_id: int
    ranked: int
    all_correct: int
    prize_winners: int
    ties: tuple[Tie, ...]
    changed: bool  # False when the round was already closed and nothing was written


def prize_boundaries(prize_table: dict | None) -> list[tuple[Prize, int]]:
    """(prize, last place) in order: the default table gives first → 1, second → 3, third → 6, consolation → 11."""
    table, last, bounds = prize_table or {}, 0, []
    for name in PRIZE_ORDER:
        count = int(table.get(name, 0) or 0)
        if count > 0:
            last += count
            bounds.append((name, last))
    return bounds


def _ranking_select(quiz_round: QuizRound):
    """The ranked attempts of the round: id, score, rank, tie size, and the all-correct count (a window over all).
    Reads the attempts only: their scores were written at submission or by ``grade_unsubmitted``."""
    A = QuizAttempt
    score = func.coalesce(A.score, 0)
    base = (
        select(
            A.id.label("id"),
            score.label("score"),
            case((and_(A.question_total > 0, score == A.question_total), 1), else_=0).label("perfect"),
            A.prediction.label("prediction"),
            A.question_total.label("total"),
            func.coalesce(A.time_taken_ms, _LAST).label("taken"),
            func.coalesce(A.submitted_at, A.deadline_at).label("finished"),
        )
        .where(A.round_id == quiz_round.id, A.disqualified_at.is_(None))
        .subquery("base")
    )
    counted = select(base, func.sum(base.c.perfect).over().label("all_correct")).subquery("counted")
    distance = func.coalesce(func.abs(counted.c.prediction - counted.c.all_correct), _LAST)
    ranked = select(
        counted.c.id,
        counted.c.score,
        counted.c.total,
        counted.c.all_correct,
        func.rank()
        .over(order_by=[counted.c.score.desc(), distance.asc(), counted.c.taken.asc(), counted.c.finished.asc()])
        .label("rnk"),
    ).subquery("ranked")
    return select(ranked, func.count().over(partition_by=ranked.c.rnk).label("tie_size")).subquery("sized")


def grade_unsubmitted(session: Session, quiz_round: QuizRound) -> None:
    """Score the attempts that were never handed in (their time ran out) from their saved answers, in one
    statement. A submitted attempt was scored when it was handed in, under its row lock, and its answers cannot
    change after that, so the close reads 100,000 scores instead of counting millions of answers."""
    A = QuizAttempt
    correct = (
        select(func.count())
        .where(AttemptAnswer.attempt_id == A.id, AttemptAnswer.is_correct.is_(True))
        .scalar_subquery()
    )
    session.execute(
        update(A)
        .where(
            A.round_id == quiz_round.id,
            or_(A.submitted_at.is_(None), A.score.is_(None)),
            A.score.is_distinct_from(correct),
        )
        .values(score=correct)
        .execution_options(synchronize_session=False)
    )


def rank_round(session: Session, quiz_round: QuizRound) -> RoundResults:
    """Write score, rank, prize and prize_tied on every attempt of the round, and the frozen counts on the round.
    A fixed number of statements (6), whatever the number of attempts."""
    sized = _ranking_select(quiz_round)
    bounds = prize_boundaries(quiz_round.prize_table)
    last_of_group = sized.c.rnk + sized.c.tie_size - 1
    # No prize below the round's least score (a share of the attempt's questions, rounded up), whatever the rank:
    # the score sorts first, so those below it rank after every winner and a tie group is wholly in or out.
    percent = int(quiz_round.prize_min_percent if quiz_round.prize_min_percent is not None else 0)
    enough = sized.c.score * 100 >= sized.c.total * percent
    if bounds:
        prize = case(*[(and_(enough, sized.c.rnk <= last), literal(name.value)) for name, last in bounds], else_=None)
        tied = case(*[(and_(enough, sized.c.rnk <= last), last_of_group > last) for _, last in bounds], else_=False)
    else:
        prize, tied = literal(None), literal(False)
    A = QuizAttempt
    if session.get_bind().dialect.name == "postgresql":
        # The ranking sorts every attempt twice: in memory rather than on disk, for this transaction only.
        session.execute(text("SET LOCAL work_mem = '64MB'"))
    # Only the attempts whose place changes are written: a recompute after one disqualification rewrites the
    # few places it moves, and one that changes nothing writes nothing.
    grade_unsubmitted(session, quiz_round)
    session.execute(
        update(A)
        .where(
            A.id == sized.c.id,
            or_(
                A.rank.is_distinct_from(sized.c.rnk),
                A.prize.is_distinct_from(prize),
                A.prize_tied.is_distinct_from(tied),
            ),
        )
        .values(rank=sized.c.rnk, prize=prize, prize_tied=tied)
        .execution_options(synchronize_session=False)
    )
    # Disqualified attempts: graded, but out of the ranking.
    session.execute(
        update(A)
        .where(
            A.round_id == quiz_round.id,
            A.disqualified_at.is_not(None),
            or_(A.rank.is_not(None), A.prize.is_not(None), A.prize_tied.is_(True)),
        )
        .values(rank=None, prize=None, prize_tied=False)
        .execution_options(synchronize_session=False)
    )
    ranked, all_correct, winners = session.execute(
        select(
            func.count(A.id),
            func.coalesce(func.sum(case((and_(A.question_total > 0, A.score == A.question_total), 1), else_=0)), 0),
            func.coalesce(func.sum(case((A.prize.is_not(None), 1), else_=0)), 0),
        ).where(A.round_id == quiz_round.id, A.disqualified_at.is_(None))
    ).one()
    quiz_round.all_correct_count = int(all_correct)
    quiz_round.ranked_count = int(ranked)
    session.flush()
    session.expire_all()
    return RoundResults(
        round_id=quiz_round.id,
        ranked=int(ranked),
        all_correct=int(all_correct),
        prize_winners=int(winners),
        ties=tuple(prize_ties(session, quiz_round)),
        changed=True,
    )


def prize_ties(session: Session, quiz_round: QuizRound) -> list[Tie]:
    """The tie groups that straddle a prize boundary, for the organizer (one query)."""
    A = QuizAttempt
    rows = session.execute(
        select(A.rank, A.prize, func.count())
        .where(A.round_id == quiz_round.id, A.prize_tied.is_(True))
        .group_by(A.rank, A.prize)
        .order_by(A.rank)
    ).all()
    last = dict(prize_boundaries(quiz_round.prize_table))
    return [Tie(rank, size, prize, last[prize] - rank + 1) for rank, prize, size in rows]


def close_round(session: Session, quiz_round: QuizRound, *, now: datetime) -> RoundResults:
    """Close the round and freeze its results. Closing a closed round changes nothing (the job may run twice)."""
    if quiz_round.state == RoundState.CLOSED:
        return summary(session, quiz_round)
    if quiz_round.state not in (RoundState.OPEN, RoundState.SCHEDULED):
        raise Conflict(_l("Only a scheduled or open round can be closed."), code="round_not_open")
    quiz_round.state = RoundState.CLOSED
    quiz_round.closed_at = now
    # Its questions' answers go out with the results: no later round of the contest draws them again.
    pools.publish_round(session, quiz_round)
    return rank_round(session, quiz_round)


def recompute(session: Session, quiz_round: QuizRound) -> RoundResults:
    """Compute a closed round's results again (after a disqualification): the same data gives the same results."""
    if quiz_round.state != RoundState.CLOSED:
        raise Conflict(_l("Results are computed when the round closes."), code="round_not_closed")
    return rank_round(session, quiz_round)


def summary(session: Session, quiz_round: QuizRound) -> RoundResults:
    """The frozen results of a closed round, read (nothing written)."""
    A = QuizAttempt
    winners = session.scalar(select(func.count()).where(A.round_id == quiz_round.id, A.prize.is_not(None))) or 0
    return RoundResults(
        round_id=quiz_round.id,
        ranked=quiz_round.ranked_count or 0,
        all_correct=quiz_round.all_correct_count or 0,
        prize_winners=winners,
        ties=tuple(prize_ties(session, quiz_round)),
        changed=False,
    )
