"""Taking a round: the draw, attempts, saved answers, grading and submission (what the question pages read is in
``screens``, the options' names for an attempt in ``handles``).

The server owns everything that decides a result: which questions an attempt gets (a stratified draw from a seed
the caller passes, so it can be replayed), the order of their options, the deadline, and whether an answer is
right (decided when it is saved; the key never leaves the server before the round closes). Saving is an upsert on
(attempt, question): a refresh, a retry or two tabs at once leave one answer per question."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, case, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.errors import Conflict, DomainError, NotFound

from ...models import (
    AttemptAnswer,
    AttemptQuestion,
    Participant,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    RoundState,
)
from ..questions import InvalidAnswer
from ..questions.pools import BankEntry, drawable_bank
from .handles import option_handle

MAX_PREDICTION = 10_000_000


class RoundNotOpen(Conflict):
    code = "round_not_open"


class NoAttemptsLeft(Conflict):
    code = "no_attempts_left"


class DeadlinePassed(Conflict):
    """The attempt's time (and its grace) is over: nothing more is saved; what was saved counts."""

    code = "deadline_passed"


class AttemptSubmitted(Conflict):
    code = "attempt_submitted"


class BankTooSmall(DomainError):
    code = "bank_too_small"
    status = 409


# --- the draw --------------------------------------------------------------------------------------------------


def draw(bank: Sequence[BankEntry], count: int, seed: int) -> list[int]:
    """``count`` distinct question ids from ``bank``, stratified by (topic, difficulty): each stratum gets its
    share of ``count`` in proportion to its size (rounded by largest remainder, so a stratum's share is within
    one question of the exact proportion), drawn at random within the stratum, then the whole list shuffled. The
    same bank, count and seed give the same list, in the same order."""
    if count <= 0 or not bank:
        return []
    if count > len(bank):
        raise BankTooSmall(
            _l("The question bank has %(have)s questions; the round needs %(need)s.", have=len(bank), need=count)
        )
    rng = random.Random(seed)
    strata: dict[tuple[int, str], list[int]] = defaultdict(list)
    for entry in sorted(bank, key=lambda e: e.question_id):
        strata[(entry.topic_id, str(entry.difficulty))].append(entry.question_id)
    keys = sorted(strata)
    total = len(bank)
    quotas = {key: count * len(strata[key]) // total for key in keys}
    # Largest remainder first; equal remainders in an order the seed decides (not always the first topic).
    order = sorted(keys, key=lambda key: (-(count * len(strata[key]) % total), rng.random()))
    for key in order[: count - sum(quotas.values())]:
        quotas[key] += 1
    chosen: list[int] = []
    for key in keys:
        chosen.extend(rng.sample(strata[key], quotas[key]))
    rng.shuffle(chosen)
    return chosen


def shuffled(option_ids: Iterable[int], rng: random.Random) -> list[int]:
    """The options of one question in this attempt's order."""
    ids = sorted(option_ids)
    rng.shuffle(ids)
    return ids


# --- attempts --------------------------------------------------------------------------------------------------


class LookItUp:
    """``start_attempt``'s default for ``latest``: not known to the caller, read it."""


def deadline_for(quiz_round: QuizRound, started_at: datetime) -> datetime:
    """Start + time limit, never past the round's close."""
    return min(started_at + timedelta(seconds=quiz_round.time_limit_seconds), quiz_round.closes_at)


def current_attempt(session: Session, round_id: int, participant_id: int) -> QuizAttempt | None:
    """The participant's latest attempt at the round, or None (one query; the question pages read it with the
    participant and the round instead, see ``screens.taking``)."""
    return session.scalar(
        select(QuizAttempt)
        .where(QuizAttempt.round_id == round_id, QuizAttempt.participant_id == participant_id)
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )


def start_attempt(
    session: Session,
    quiz_round: QuizRound,
    participant: Participant,
    *,
    now: datetime,
    seed: int,
    device_hash: str | None = None,
    latest: QuizAttempt | None | type[LookItUp] = LookItUp,
) -> QuizAttempt:
    """Start the participant's attempt, or give back the one already running: starting twice (a double click,
    two tabs, a retry at the same moment) yields one attempt, decided by the unique (round, participant,
    number). A new attempt after a submitted one only while ``attempts_allowed`` leaves one. ``latest``: the
    participant's latest attempt at the round (None: none yet), when the caller has just read it."""
    if participant.contest_id != quiz_round.contest_id:
        raise NotFound(_l("This round is not part of your contest."))
    if not quiz_round.accepts_attempts(now):
        raise RoundNotOpen(_l("This round is not open."))
    if latest is LookItUp:
        latest = current_attempt(session, quiz_round.id, participant.id)
    if latest is not None and latest.submitted_at is None and now < latest.deadline_at:
        return latest
    number = 1 if latest is None else latest.number + 1
    if number > quiz_round.attempts_allowed:
        if latest is not None and latest.submitted_at is None:
            raise DeadlinePassed(_l("Your time for this round is over."))
        raise NoAttemptsLeft(_l("You have used every attempt this round allows."))
    bank, options = drawable_bank(session, quiz_round.contest_id, quiz_round.pool_topic_ids or ())
    question_ids = draw(bank, quiz_round.question_count, seed)
    rng = random.Random(f"{seed}:options")
    attempt = _insert_attempt(
        session,
        round_id=quiz_round.id,
        participant_id=participant.id,
        number=number,
        seed=seed,
        question_total=len(question_ids),
        started_at=now,
        deadline_at=deadline_for(quiz_round, now),
        device_hash=device_hash,
        prize_tied=False,
        disqualification_reason="",
    )
    if attempt is None:  # started by another request at the same moment: that one is the attempt
        winner = session.scalar(
            select(QuizAttempt).where(
                QuizAttempt.round_id == quiz_round.id,
                QuizAttempt.participant_id == participant.id,
                QuizAttempt.number == number,
            )
        )
        if winner is None:
            raise IntegrityError("quiz attempt", None, Exception("refused, and no attempt found"))
        return winner
    questions = [
        AttemptQuestion(
            attempt_id=attempt.id, position=position, question_id=qid, option_order=shuffled(options.get(qid, ()), rng)
        )
        for position, qid in enumerate(question_ids, start=1)
    ]
    session.add_all(questions)
    set_committed_value(attempt, "questions", questions)  # what is written, without a read of the empty list
    session.flush()
    return attempt


def _insert_attempt(session: Session, **values) -> QuizAttempt | None:
    """Insert the attempt; None when the unique (participant, round, number) refused it, with nothing written. One
    statement (INSERT … ON CONFLICT DO NOTHING … RETURNING) on PostgreSQL and SQLite: no savepoint."""
    name = session.get_bind(mapper=QuizAttempt.__mapper__).dialect.name
    if name in ("postgresql", "sqlite"):
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(QuizAttempt).values(**values).on_conflict_do_nothing().returning(QuizAttempt)
        return session.scalars(statement).first()
    attempt = QuizAttempt(**values)
    try:
        with session.begin_nested():
            session.add(attempt)
            session.flush()
    except IntegrityError:
        if attempt in session:
            session.expunge(attempt)
        return None
    return attempt


# --- answers, grading, submission ------------------------------------------------------------------------------


def is_correct_choice(correct_ids: Iterable[int], chosen_ids: Iterable[int]) -> bool:
    """Right when exactly the correct options are chosen: one for a single-answer question, all of them and none
    other for a multiple-answer question (no part marks)."""
    correct, chosen = set(correct_ids), set(chosen_ids)
    return bool(correct) and correct == chosen


def accepts_answers(attempt: QuizAttempt, quiz_round: QuizRound, now: datetime) -> None:
    """Raise unless an answer arriving at ``now`` may still be saved: the round open, the attempt not submitted,
    and ``now`` within the deadline plus the round's grace for the network."""
    if quiz_round.state != RoundState.OPEN:
        raise RoundNotOpen(_l("This round is closed."))
    if attempt.submitted_at is not None:
        raise AttemptSubmitted(_l("This attempt has been submitted; its answers can no longer change."))
    if now > attempt.deadline_at + timedelta(seconds=quiz_round.grace_seconds):
        raise DeadlinePassed(_l("Your time is over: the answers saved before the deadline count."))


def save_answer(
    session: Session,
    attempt: QuizAttempt,
    question_id: int,
    chosen_option_ids: Iterable[int] = (),
    *,
    now: datetime,
    quiz_round: QuizRound | None = None,
    handles: Iterable[str] | None = None,
    key: bytes | None = None,
) -> AttemptAnswer:
    """Save the choice for one question of the attempt (an idempotent upsert keyed by attempt and question).

    The choice is ``chosen_option_ids``, or, from a page or the API, ``handles`` (``option_handle`` with ``key``)
    mapped back to the options here, from the rows the save reads anyway: a handle of another attempt or question
    is refused like an option that is not this question's. Saving the same choice again changes nothing (its
    time stays, so the time taken is not stretched by a retry); a different choice replaces the old one and moves
    the attempt's last change to ``now``. Refused after the deadline plus grace, after submission, or when the round
    is not open."""
    quiz_round = quiz_round or session.get(QuizRound, attempt.round_id)
    accepts_answers(attempt, quiz_round, now)
    chosen = sorted({int(option_id) for option_id in chosen_option_ids}) if handles is None else []
    # The question's options, its kind and the answer saved so far, in one query (the hot path of a round).
    rows = session.execute(
        select(
            QuestionOption.id,
            QuestionOption.is_correct,
            Question.multiple,
            AttemptAnswer.chosen_option_ids,
            AttemptAnswer.is_correct.label("saved_correct"),
            AttemptAnswer.saved_at,
        )
        .join(Question, Question.id == QuestionOption.question_id)
        .join(
            AttemptQuestion,
            (AttemptQuestion.question_id == Question.id) & (AttemptQuestion.attempt_id == attempt.id),
        )
        .outerjoin(
            AttemptAnswer,
            (AttemptAnswer.attempt_id == attempt.id) & (AttemptAnswer.question_id == Question.id),
        )
        .where(Question.id == question_id)
    ).all()
    if not rows:
        raise InvalidAnswer(_l("This question is not part of your attempt."), field="question")
    valid = {row.id for row in rows}
    multiple = rows[0].multiple
    if handles is not None:
        named = {option_handle(key, attempt, option_id): option_id for option_id in valid}
        chosen = sorted({named.get(handle, 0) for handle in handles})  # 0 is no option's id: refused below
    if not chosen or not set(chosen) <= valid or (not multiple and len(chosen) != 1):
        raise InvalidAnswer(
            _l("Choose the options of this question.") if multiple else _l("Choose one option."), field="choice"
        )
    correct = is_correct_choice((row.id for row in rows if row.is_correct), chosen)
    saved = rows[0]
    # The answer as this session already holds it, if it does (kept in step below); never read it again.
    existing = session.identity_map.get(identity_key(AttemptAnswer, (attempt.id, question_id)))
    if saved.chosen_option_ids is not None and list(saved.chosen_option_ids) == chosen:
        return existing or AttemptAnswer(
            attempt_id=attempt.id,
            question_id=question_id,
            chosen_option_ids=chosen,
            is_correct=saved.saved_correct,
            saved_at=saved.saved_at,
        )
    # The attempt first, and only while it is not submitted: the row lock orders this save and a submission from
    # another tab, so no answer lands after the attempt was handed in. Requests that arrive out of order never move
    # the last change backwards.
    taken_ms = max(0, int((now - attempt.started_at).total_seconds() * 1000))
    later = or_(QuizAttempt.time_taken_ms.is_(None), QuizAttempt.time_taken_ms < taken_ms)
    claimed = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(
            last_answer_at=case((later, now), else_=QuizAttempt.last_answer_at),
            time_taken_ms=case((later, taken_ms), else_=QuizAttempt.time_taken_ms),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        session.expire(attempt, ["last_answer_at", "time_taken_ms", "submitted_at"])
        raise AttemptSubmitted(_l("This attempt has been submitted; its answers can no longer change."))
    if attempt.time_taken_ms is None or attempt.time_taken_ms < taken_ms:  # what the UPDATE wrote, kept in memory
        set_committed_value(attempt, "time_taken_ms", taken_ms)
        set_committed_value(attempt, "last_answer_at", now)
    _upsert_answer(session, attempt.id, question_id, chosen, correct, now)
    if existing is None:  # what was written, without reading it back (the hot path of a round)
        return AttemptAnswer(
            attempt_id=attempt.id, question_id=question_id, chosen_option_ids=chosen, is_correct=correct, saved_at=now
        )
    for name, value in (("chosen_option_ids", chosen), ("is_correct", correct), ("saved_at", now)):
        set_committed_value(existing, name, value)
    return existing


def _upsert_answer(session: Session, attempt_id: int, question_id: int, chosen, correct: bool, now) -> None:
    """INSERT … ON CONFLICT (attempt, question) DO UPDATE, on PostgreSQL and SQLite alike."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(AttemptAnswer).values(
        attempt_id=attempt_id, question_id=question_id, chosen_option_ids=chosen, is_correct=correct, saved_at=now
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[AttemptAnswer.attempt_id, AttemptAnswer.question_id],
        set_={
            "chosen_option_ids": stmt.excluded.chosen_option_ids,
            "is_correct": stmt.excluded.is_correct,
            "saved_at": stmt.excluded.saved_at,
        },
        where=cast(AttemptAnswer.chosen_option_ids, Text) != cast(stmt.excluded.chosen_option_ids, Text),
    )
    session.execute(stmt)


def set_prediction(attempt: QuizAttempt, prediction: int | None, *, quiz_round: QuizRound, now: datetime) -> None:
    """Record the answer to the prediction question ("how many will answer every question right?")."""
    if not quiz_round.asks_prediction:
        return
    accepts_answers(attempt, quiz_round, now)
    if prediction is None or not 0 <= prediction <= MAX_PREDICTION:
        raise InvalidAnswer(_l("Enter a whole number of participants."), field="prediction")
    attempt.prediction = prediction


def _correct_answers(attempt_id):
    return (
        select(func.count())
        .where(AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.is_correct.is_(True))
        .scalar_subquery()
    )


def grade(session: Session, attempt: QuizAttempt) -> int:
    """The attempt's score: how many of its questions have a correct saved answer."""
    return session.scalar(select(_correct_answers(attempt.id))) or 0


def submit(
    session: Session,
    attempt: QuizAttempt,
    *,
    now: datetime,
    prediction: int | None = None,
    quiz_round: QuizRound | None = None,
) -> QuizAttempt:
    """Hand the attempt in. Submitting twice gives the first submission back unchanged. After the deadline plus
    grace the submission is refused (``DeadlinePassed``); the answers saved in time are graded anyway when the
    round closes."""
    quiz_round = quiz_round or session.get(QuizRound, attempt.round_id)
    if attempt.submitted_at is not None:
        return attempt
    accepts_answers(attempt, quiz_round, now)
    if prediction is not None:
        set_prediction(attempt, prediction, quiz_round=quiz_round, now=now)
    # Compare-and-set first: of two submissions at the same moment, the first one stands and the other changes
    # nothing. Its row lock also waits out an answer being saved from another tab, and every later save finds the
    # attempt handed in; so the count of correct answers read after it is final, and closing the round reads it.
    handed_in = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now, prediction=attempt.prediction)
        .execution_options(synchronize_session=False)
    ).rowcount
    if handed_in:
        session.execute(
            update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id)
            .values(score=_correct_answers(attempt.id))
            .execution_options(synchronize_session=False)
        )
    session.expire(attempt)
    return attempt
