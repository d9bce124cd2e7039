"""What the question pages and the answer API read of an attempt: the participant, round and attempt of a URL in one
query, the screen of one question (options in the attempt's order, named by their handles, never whether they are
correct), and the overview before submitting. Plain functions of a session and values; the rules (the draw,
saving, grading) are in the package itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import and_, bindparam, func, literal, select
from sqlalchemy.orm import Session, aliased

from ...models import AttemptAnswer, AttemptQuestion, Participant, Question, QuestionOption, QuizAttempt, QuizRound
from .handles import option_handle


def taking(
    session: Session, token: str, round_id: int, position: int | None = None
) -> tuple[Participant, QuizRound, QuizAttempt | None, int | None] | None:
    """The participant with this return token, the round (of their contest, visible), their latest attempt at it
    (None before they start) and, when ``position`` is given, the id of the attempt's question there (None when it
    has none), in one query: every page and save of a round begins here (the question page's GET reads the same
    with its screen in one query, ``question_page``). None when the token or the round is unknown."""
    at_position = AttemptQuestion.question_id if position is not None else literal(None)
    stmt = (
        select(Participant, QuizRound, QuizAttempt, at_position)
        .join(
            QuizRound,
            and_(QuizRound.id == round_id, QuizRound.contest_id == Participant.contest_id, QuizRound.is_visible),
        )
        .outerjoin(
            QuizAttempt, and_(QuizAttempt.round_id == QuizRound.id, QuizAttempt.participant_id == Participant.id)
        )
        .where(Participant.return_token == token)
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )
    if position is not None:
        stmt = stmt.outerjoin(
            AttemptQuestion, and_(AttemptQuestion.attempt_id == QuizAttempt.id, AttemptQuestion.position == position)
        )
    row = session.execute(stmt).first()
    return tuple(row) if row is not None else None


def remaining_seconds(attempt: QuizAttempt, now: datetime) -> int:
    """Seconds until the attempt's deadline (0 once submitted or past it), for the page's clock."""
    return attempt.seconds_left(now)


def is_running(attempt: QuizAttempt, now: datetime) -> bool:
    """Answers may still be chosen on the pages: not disqualified, not submitted, before the deadline."""
    return attempt.disqualified_at is None and attempt.is_running(now)


def answered_positions(session: Session, attempt: QuizAttempt) -> list[int]:
    """The positions of the attempt's questions that have a saved choice, in order (one query)."""
    rows = session.execute(
        select(AttemptQuestion.position, AttemptAnswer.chosen_option_ids)
        .join(
            AttemptAnswer,
            and_(
                AttemptAnswer.attempt_id == AttemptQuestion.attempt_id,
                AttemptAnswer.question_id == AttemptQuestion.question_id,
            ),
        )
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    return [position for position, chosen in rows if chosen]


def first_unanswered(session: Session, attempt: QuizAttempt) -> int | None:
    """Where a reload or a return lands: the first position without a saved choice, or None when all have one."""
    answered = set(answered_positions(session, attempt))
    for position in range(1, attempt.question_total + 1):
        if position not in answered:
            return position
    return None


@dataclass
class ShownOption:
    """An option as the page names it: its handle for this attempt (never its id), its text, whether it is chosen."""

    handle: str
    text: str
    chosen: bool


@dataclass
class Screen:
    """One question as the participant sees it: no ``is_correct``, no explanation, no source."""

    position: int
    total: int
    question_id: int
    text: str
    multiple: bool
    image_path: str | None
    image_alt: str
    options: list[ShownOption]
    chosen: set[int]
    answered: list[int]
    remaining_seconds: int


def _screen_columns() -> tuple:
    """The columns ``_screen`` reads: a position with its saved choice, and the shown question with its options."""
    return (
        AttemptQuestion.position,
        AttemptQuestion.option_order,
        AttemptAnswer.chosen_option_ids,
        Question.id.label("question_id"),
        Question.text,
        Question.multiple,
        Question.image_path,
        Question.image_alt,
        QuestionOption.id.label("option_id"),
        QuestionOption.text.label("option_text"),
    )


def attempt_screen(
    session: Session, attempt: QuizAttempt, position: int, now: datetime, *, key: bytes
) -> Screen | None:
    """The question at ``position`` with its options in this attempt's order and the saved choice, and which
    positions are answered, in one query (a row per position, and one per option of the shown question): never
    whether an option is correct, nor its id (options are named by their handles for this attempt, ``key``)."""
    shown = AttemptQuestion.position == position
    rows = session.execute(
        select(
            *_screen_columns(),
        )
        .outerjoin(
            AttemptAnswer,
            and_(
                AttemptAnswer.attempt_id == AttemptQuestion.attempt_id,
                AttemptAnswer.question_id == AttemptQuestion.question_id,
            ),
        )
        .outerjoin(Question, and_(shown, Question.id == AttemptQuestion.question_id))
        .outerjoin(QuestionOption, QuestionOption.question_id == Question.id)
        .where(AttemptQuestion.attempt_id == attempt.id)
    ).all()
    return _screen(rows, attempt, position, now, key)


def _screen(rows, attempt: QuizAttempt, position: int, now: datetime, key: bytes) -> Screen | None:
    """The screen from the rows of ``attempt_screen``'s shape (a row per position, one per option of the shown one)."""
    answered = sorted({row.position for row in rows if row.chosen_option_ids})
    mine = [row for row in rows if row.position == position and row.question_id is not None]
    if not mine:
        return None
    first = mine[0]
    texts = {row.option_id: row.option_text for row in mine}
    chosen = set(first.chosen_option_ids or ())
    return Screen(
        position=position,
        total=attempt.question_total,
        question_id=first.question_id,
        text=first.text,
        multiple=first.multiple,
        image_path=first.image_path,
        image_alt=first.image_alt or "",
        options=[
            ShownOption(option_handle(key, attempt, option_id), texts[option_id], option_id in chosen)
            for option_id in first.option_order
            if option_id in texts
        ],
        chosen=chosen,
        answered=answered,
        remaining_seconds=remaining_seconds(attempt, now),
    )


@dataclass
class QuestionPage:
    """What the question page reads (``question_page``): the participant's token, the round and the attempt as copies
    made from columns (never added to the session: the model's rules, such as ``is_running``, read them as they
    read loaded rows), and the screen of the question asked (None when the attempt has no such position)."""

    token: str
    quiz_round: QuizRound
    attempt: QuizAttempt | None
    screen: Screen | None


@cache
def _question_page_query():
    """``question_page``'s statement, built once per process (building it costs as much as running it): the
    token, round and position are bound at each call."""
    latest = aliased(QuizAttempt)
    last_number = (
        select(func.max(latest.number))
        .where(latest.round_id == QuizRound.id, latest.participant_id == Participant.id)
        .scalar_subquery()
    )
    return (
        select(
            Participant.return_token,
            QuizRound.id.label("round_id"),
            QuizRound.title.label("round_title"),
            QuizRound.state,
            QuizAttempt.id.label("attempt_id"),
            QuizAttempt.seed,
            QuizAttempt.question_total,
            QuizAttempt.started_at,
            QuizAttempt.deadline_at,
            QuizAttempt.submitted_at,
            QuizAttempt.disqualified_at,
            *_screen_columns(),
        )
        .join(
            QuizRound,
            and_(
                QuizRound.id == bindparam("round_id"),
                QuizRound.contest_id == Participant.contest_id,
                QuizRound.is_visible,
            ),
        )
        .outerjoin(
            QuizAttempt,
            and_(
                QuizAttempt.round_id == QuizRound.id,
                QuizAttempt.participant_id == Participant.id,
                QuizAttempt.number == last_number,
            ),
        )
        .outerjoin(AttemptQuestion, AttemptQuestion.attempt_id == QuizAttempt.id)
        .outerjoin(
            AttemptAnswer,
            and_(
                AttemptAnswer.attempt_id == AttemptQuestion.attempt_id,
                AttemptAnswer.question_id == AttemptQuestion.question_id,
            ),
        )
        .outerjoin(
            Question,
            and_(AttemptQuestion.position == bindparam("position"), Question.id == AttemptQuestion.question_id),
        )
        .outerjoin(QuestionOption, QuestionOption.question_id == Question.id)
        .where(Participant.return_token == bindparam("token"))
    )


def question_page(
    session: Session, token: str, round_id: int, position: int, now: datetime, *, key: bytes
) -> QuestionPage | None:
    """``taking`` and ``attempt_screen`` of the question page in one query of columns (the page is shown at every
    step of every participant; a row per position of the latest attempt, and one per option of the shown
    question). None when the token or the round is unknown, as ``taking``."""
    rows = session.execute(_question_page_query(), {"token": token, "round_id": round_id, "position": position}).all()
    if not rows:
        return None
    top = rows[0]
    quiz_round = QuizRound(id=top.round_id, title=top.round_title, state=top.state)
    if top.attempt_id is None:
        return QuestionPage(top.return_token, quiz_round, None, None)
    attempt = QuizAttempt(
        id=top.attempt_id, round_id=top.round_id, seed=top.seed, question_total=top.question_total,
        started_at=top.started_at, deadline_at=top.deadline_at, submitted_at=top.submitted_at,
        disqualified_at=top.disqualified_at,
    )  # fmt: skip
    return QuestionPage(top.return_token, quiz_round, attempt, _screen(rows, attempt, position, now, key))


@dataclass
class Overview:
    """An attempt at a glance: answered and unanswered positions, the time left."""

    total: int
    answered: list[int]
    remaining_seconds: int
    time_over: bool
    unanswered: list[int] = field(default_factory=list)


def attempt_overview(session: Session, attempt: QuizAttempt, now: datetime) -> Overview:
    """The review before submitting (and the result page's summary): which questions are answered, which not,
    and the time left."""
    total = attempt.question_total
    answered = answered_positions(session, attempt)
    return Overview(
        total=total,
        answered=answered,
        remaining_seconds=remaining_seconds(attempt, now),
        time_over=now >= attempt.deadline_at,
        unanswered=[p for p in range(1, total + 1) if p not in set(answered)],
    )
