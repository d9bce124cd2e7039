"""What the quiz pages read and show (quiz-web's module beside quiz-core's services): participants by their token,
the screen of one question (options in the attempt's order, never whether they are correct), an attempt's
overview, the corrections once the round is closed, the public results and participation by unit, and the
organizer's lists. Plain functions of a session and values; the rules of the quiz (the draw, saving, grading,
ranking, prizes) stay in ``contests.services.quiz``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, literal, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import NotFound as HttpNotFound

from app.errors import DomainError
from app.models import AuditEntry, Unit, UnitKind

from ..models import (
    AttemptAnswer,
    AttemptFlag,
    AttemptQuestion,
    Contest,
    Participant,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    QuizTopic,
    UnitPopulation,
)
from . import quiz

QUIZ_KIND = "online_quiz"
VISIBLE_STATES = ("scheduled", "open", "closed")


def _value(enum_or_text) -> str:
    return getattr(enum_or_text, "value", enum_or_text)


def cookie_name(contest_id: int) -> str:
    """The signed return cookie of one contest (one phone may hold a participant in several contests)."""
    return f"dxq{contest_id}"


def check_ward(session: Session, ward_id: int | None) -> int:
    """The ward a participant chose must be a ward or commune of the unit tree."""
    kind = session.scalar(select(Unit.kind).where(Unit.id == ward_id)) if ward_id else None
    if _value(kind) != UnitKind.WARD.value:
        raise DomainError(
            _l("Choose your ward or commune from the list."), code="unknown_ward", field="ward_id", status=422
        )
    return ward_id


# --- finding things --------------------------------------------------------------------------------------------


def _or_404(value):
    if value is None:
        raise HttpNotFound()
    return value


def quiz_or_404(session: Session, contest_id: int | None) -> Contest:
    contest = session.get(Contest, contest_id) if contest_id else None
    return _or_404(contest if contest is not None and _value(contest.kind) == QUIZ_KIND else None)


def public_quiz_or_404(session: Session, contest_id: int) -> Contest:
    contest = quiz_or_404(session, contest_id)
    return _or_404(contest if contest.is_public else None)


def round_or_404(session: Session, round_id: int | None) -> QuizRound:
    return _or_404(session.get(QuizRound, round_id) if round_id else None)


def question_or_404(session: Session, question_id: int) -> Question:
    return _or_404(session.get(Question, question_id))


def attempt_or_404(session: Session, attempt_id: int) -> QuizAttempt:
    return _or_404(session.get(QuizAttempt, attempt_id))


def flag_or_404(session: Session, flag_id: int) -> AttemptFlag:
    return _or_404(session.get(AttemptFlag, flag_id))


def participant_by_token(session: Session, token: str | None, contest_id: int | None = None) -> Participant | None:
    if not token:
        return None
    stmt = select(Participant).where(Participant.return_token == token)
    if contest_id is not None:
        stmt = stmt.where(Participant.contest_id == contest_id)
    return session.scalar(stmt)


def public_round(session: Session, round_id: int) -> QuizRound | None:
    quiz_round = session.get(QuizRound, round_id)
    if quiz_round is None or not quiz_round.contest.is_public or _value(quiz_round.state) not in VISIBLE_STATES:
        return None
    return quiz_round


def rounds_of(session: Session, contest_id: int, public_only: bool = True) -> list[QuizRound]:
    stmt = select(QuizRound).where(QuizRound.contest_id == contest_id).order_by(QuizRound.position, QuizRound.id)
    if public_only:
        stmt = stmt.where(QuizRound.state.in_(VISIBLE_STATES))
    return list(session.scalars(stmt))


def current_attempt(session: Session, round_id: int, participant_id: int) -> QuizAttempt | None:
    """The participant's latest attempt in the round."""
    return session.scalar(
        select(QuizAttempt)
        .where(QuizAttempt.round_id == round_id, QuizAttempt.participant_id == participant_id)
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )


def taking(
    session: Session, token: str, round_id: int, position: int | None = None
) -> tuple[Participant, QuizRound, QuizAttempt | None, int | None] | None:
    """The participant with this return token, the round (of their contest, visible), their latest attempt at it
    (None before they start) and, when ``position`` is given, the id of the attempt's question there (None when it
    has none), in one query: every page and save of a round begins here. None when the token or the round is
    unknown."""
    at_position = AttemptQuestion.question_id if position is not None else literal(None)
    stmt = (
        select(Participant, QuizRound, QuizAttempt, at_position)
        .join(
            QuizRound,
            and_(
                QuizRound.id == round_id,
                QuizRound.contest_id == Participant.contest_id,
                QuizRound.state.in_(VISIBLE_STATES),
            ),
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


@dataclass
class RoundRow:
    quiz_round: QuizRound
    attempt: QuizAttempt | None
    attempts_used: int
    can_start: bool  # open, and an attempt left (a new one, or none yet)
    running: bool  # an attempt under way


def participant_rounds(session: Session, participant: Participant, now: datetime) -> list[RoundRow]:
    used = dict(
        session.execute(
            select(QuizAttempt.round_id, func.count(QuizAttempt.id))
            .where(QuizAttempt.participant_id == participant.id)
            .group_by(QuizAttempt.round_id)
        ).all()
    )
    rows = []
    for quiz_round in rounds_of(session, participant.contest_id):
        attempt = current_attempt(session, quiz_round.id, participant.id) if used.get(quiz_round.id) else None
        running = attempt is not None and is_running(attempt, now)
        is_open = quiz_round.accepts_attempts(now)
        can_start = is_open and not running and used.get(quiz_round.id, 0) < quiz_round.attempts_allowed
        rows.append(RoundRow(quiz_round, attempt, used.get(quiz_round.id, 0), can_start, running and is_open))
    return rows


# --- one attempt -----------------------------------------------------------------------------------------------


def remaining_seconds(attempt: QuizAttempt, now: datetime) -> int:
    return attempt.seconds_left(now)


def is_running(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.disqualified_at is None and attempt.is_running(now)


def question_total(session: Session, attempt: QuizAttempt) -> int:
    return attempt.question_total


def answered_positions(session: Session, attempt: QuizAttempt) -> list[int]:
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
    answered = set(answered_positions(session, attempt))
    for position in range(1, question_total(session, attempt) + 1):
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


def attempt_screen(
    session: Session, attempt: QuizAttempt, position: int, now: datetime, *, key: bytes
) -> Screen | None:
    """The question at ``position`` with its options in this attempt's order and the saved choice, and which
    positions are answered, in one query (a row per position, and one per option of the shown question): never
    whether an option is correct, nor its id (options are named by their handles for this attempt, ``key``)."""
    shown = AttemptQuestion.position == position
    rows = session.execute(
        select(
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
            ShownOption(quiz.option_handle(key, attempt, option_id), texts[option_id], option_id in chosen)
            for option_id in first.option_order
            if option_id in texts
        ],
        chosen=chosen,
        answered=answered,
        remaining_seconds=remaining_seconds(attempt, now),
    )


def save_answer_retrying(
    session: Session,
    attempt: QuizAttempt,
    question_id: int,
    handles: list[str],
    now,
    quiz_round: QuizRound | None = None,
    *,
    key: bytes,
):
    """quiz-core's idempotent save (an upsert keyed by attempt and question: two tabs saving at once leave one
    answer) of the options a page or the API names by their handles. On SQLite a write that loses the race for
    the file's lock waits (busy timeout); no savepoint is opened before it, since a read inside an open
    transaction could not then be upgraded to a write."""
    return quiz.save_answer(session, attempt, question_id, now=now, quiz_round=quiz_round, handles=handles, key=key)


@dataclass
class Overview:
    total: int
    answered: list[int]
    remaining_seconds: int
    time_over: bool
    unanswered: list[int] = field(default_factory=list)


def attempt_overview(session: Session, attempt: QuizAttempt, now: datetime) -> Overview:
    total = question_total(session, attempt)
    answered = answered_positions(session, attempt)
    return Overview(
        total=total,
        answered=answered,
        remaining_seconds=remaining_seconds(attempt, now),
        time_over=now >= attempt.deadline_at,
        unanswered=[p for p in range(1, total + 1) if p not in set(answered)],
    )


# --- public results --------------------------------------------------------------------------------------------


def populations_of(session: Session, contest_id: int) -> dict[int, int]:
    return dict(
        session.execute(
            select(UnitPopulation.unit_id, UnitPopulation.population).where(UnitPopulation.contest_id == contest_id)
        ).all()
    )


# --- the organizer's lists -------------------------------------------------------------------------------------


@dataclass
class RoundSummary:
    quiz_round: QuizRound
    started: int
    submitted: int
    open_flags: int


def rounds_overview(session: Session, contest_id: int) -> list[RoundSummary]:
    rounds = rounds_of(session, contest_id, public_only=False)
    ids = [r.id for r in rounds]
    started = dict(
        session.execute(
            select(QuizAttempt.round_id, func.count())
            .where(QuizAttempt.round_id.in_(ids))
            .group_by(QuizAttempt.round_id)
        ).all()
    )
    submitted = dict(
        session.execute(
            select(QuizAttempt.round_id, func.count())
            .where(QuizAttempt.round_id.in_(ids), QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.round_id)
        ).all()
    )
    flags = dict(
        session.execute(
            select(QuizAttempt.round_id, func.count(AttemptFlag.id))
            .join(AttemptFlag, AttemptFlag.attempt_id == QuizAttempt.id)
            .where(QuizAttempt.round_id.in_(ids), AttemptFlag.reviewed_at.is_(None))
            .group_by(QuizAttempt.round_id)
        ).all()
    )
    return [RoundSummary(r, started.get(r.id, 0), submitted.get(r.id, 0), flags.get(r.id, 0)) for r in rounds]


def topics(session: Session) -> list[QuizTopic]:
    return list(session.scalars(select(QuizTopic).order_by(QuizTopic.name)))


def question_bank(session: Session, contest_id: int, topic_id=None, difficulty=None) -> list[Question]:
    """The active questions of the contest and of the shared bank, newest version only."""
    stmt = (
        select(Question)
        .where(
            (Question.contest_id == contest_id) | Question.contest_id.is_(None),
            Question.is_active.is_(True),
        )
        .options(selectinload(Question.options))
        .order_by(Question.topic_id, Question.difficulty, Question.id)
    )
    if topic_id:
        stmt = stmt.where(Question.topic_id == topic_id)
    if difficulty:
        stmt = stmt.where(Question.difficulty == difficulty)
    return list(session.scalars(stmt))


def bank_counts(session: Session, contest_id: int) -> list[tuple[str, str, int]]:
    """(topic, difficulty, active questions) of the bank, for the organizer to check a draw can be stratified."""
    rows = session.execute(
        select(QuizTopic.name, Question.difficulty, func.count(Question.id))
        .join(QuizTopic, QuizTopic.id == Question.topic_id)
        .where((Question.contest_id == contest_id) | Question.contest_id.is_(None), Question.is_active.is_(True))
        .group_by(QuizTopic.name, Question.difficulty)
        .order_by(QuizTopic.name, Question.difficulty)
    ).all()
    return [(topic, _value(difficulty), count) for topic, difficulty, count in rows]


def create_question(
    session: Session,
    contest_id: int | None,
    *,
    topic_id: int,
    difficulty: str,
    text: str,
    multiple: bool,
    options: list[tuple[str, bool]],
    explanation: str,
    source: str,
    now: datetime,
) -> Question:
    """A new question of the bank (quiz-core's ``check_key`` decides whether its options make a valid key)."""
    quiz.check_key(multiple, options)
    if session.get(QuizTopic, topic_id) is None:
        raise DomainError(_l("Choose a topic."), code="unknown_topic", field="topic_id")
    question = Question(
        contest_id=contest_id,
        topic_id=topic_id,
        difficulty=difficulty,
        text=text.strip(),
        multiple=multiple,
        explanation=explanation.strip(),
        source=source.strip(),
        version=1,
        is_active=True,
        created_at=now,
        options=[QuestionOption(position=i, text=t, is_correct=ok) for i, (t, ok) in enumerate(options, start=1)],
    )
    session.add(question)
    session.flush()
    return question


@dataclass
class FlaggedAttempt:
    attempt: QuizAttempt
    participant: Participant
    flags: list[AttemptFlag]


def flagged_attempts(session: Session, round_id: int) -> list[FlaggedAttempt]:
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


def record_export(session: Session, quiz_round: QuizRound, fmt: str, actor_id: int | None) -> None:
    """The export of a round's attempts (personal data) in the audit trail: who, when, which round; not the data."""
    count = session.scalar(select(func.count()).where(QuizAttempt.round_id == quiz_round.id)) or 0
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action="export",
            entity="QuizAttempt",
            entity_id=f"round:{quiz_round.id}",
            changes={"round_id": quiz_round.id, "format": fmt, "count": count},
        )
    )
