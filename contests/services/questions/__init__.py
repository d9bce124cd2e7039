"""The question bank: finding and listing questions, writing a new one, and versions of questions: a question an
attempt has drawn is never edited in place (the edit is a new version), so every attempt keeps the text and
options it was shown and graded on. Beside it: ``bank`` (import from XLSX/CSV), ``images`` (pictures), ``pools``
(what a round may draw; questions published or retired) and ``topics``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import Conflict, DomainError, NotFound

from ...models import (
    AttemptQuestion,
    Difficulty,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    QuizTopic,
    RoundState,
)


class InvalidAnswer(DomainError):
    code = "invalid_answer"
    status = 422


def question_or_404(session: Session, question_id: int) -> Question:
    """The question ``question_id`` (any version), or NotFound."""
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound(_l("The page you are looking for does not exist."))
    return question


def question_bank(
    session: Session, contest_id: int, topic_id: int | None = None, difficulty: Difficulty | None = None
) -> list[Question]:
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


def bank_counts(session: Session, contest_id: int) -> list[tuple[str, Difficulty, int]]:
    """(topic, difficulty, active questions) of the bank, for the organizer to check a draw can be stratified."""
    rows = session.execute(
        select(QuizTopic.name, Question.difficulty, func.count(Question.id))
        .join(QuizTopic, QuizTopic.id == Question.topic_id)
        .where((Question.contest_id == contest_id) | Question.contest_id.is_(None), Question.is_active.is_(True))
        .group_by(QuizTopic.name, Question.difficulty)
        .order_by(QuizTopic.name, Question.difficulty)
    ).all()
    return [(topic, Difficulty(difficulty), count) for topic, difficulty, count in rows]


def create_question(
    session: Session,
    contest_id: int | None,
    *,
    topic_id: int,
    difficulty: Difficulty,
    text: str,
    multiple: bool,
    options: list[tuple[str, bool]],
    explanation: str,
    source: str,
    now: datetime,
) -> Question:
    """A new question of the bank (``check_key`` decides whether its options make a valid key)."""
    check_key(multiple, options)
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


def is_in_use(session: Session, question: Question) -> bool:
    """Some attempt has drawn the question: its text and options are part of that attempt's record."""
    return bool(session.scalar(select(exists().where(AttemptQuestion.question_id == question.id))))


def is_in_open_round(session: Session, question: Question) -> bool:
    """An attempt of a round that is open now has drawn the question."""
    return bool(
        session.scalar(
            select(
                exists()
                .where(AttemptQuestion.question_id == question.id)
                .where(AttemptQuestion.attempt_id == QuizAttempt.id)
                .where(QuizAttempt.round_id == QuizRound.id)
                .where(QuizRound.state == RoundState.OPEN)
            )
        )
    )


QUESTION_FIELDS = ("topic_id", "difficulty", "text", "multiple", "explanation", "source", "image_path", "image_alt")


def edit_question(
    session: Session,
    question: Question,
    *,
    now: datetime,
    options: Sequence[tuple[str, bool]] | None = None,
    **changes,
) -> Question:
    """Change a question. One that attempts have already drawn is never edited in place: a new version is
    created with the changes (and ``options`` as (text, correct) pairs when given), the old one stays as it was,
    inactive, ``replaced_by`` the new one, so those attempts keep what they were shown and graded on. Returns the
    question that now stands in the bank."""
    unknown = set(changes) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"not question fields: {sorted(unknown)}")
    if not question.is_active and question.replaced_by_id is not None:
        raise Conflict(_l("This version has been replaced; edit the newest one."), code="question_replaced")
    new_options = options if options is not None else [(o.text, o.is_correct) for o in question.options]
    check_key(bool(changes.get("multiple", question.multiple)), new_options)
    if not is_in_use(session, question):
        for name, value in changes.items():
            setattr(question, name, value)
        if options is not None:
            question.options.clear()
            session.flush()
            question.options.extend(
                QuestionOption(position=i, text=text, is_correct=ok) for i, (text, ok) in enumerate(options, start=1)
            )
        return question
    values = {name: getattr(question, name) for name in QUESTION_FIELDS} | changes
    newer = Question(
        contest_id=question.contest_id,
        version=question.version + 1,
        is_active=question.is_active,  # a retired question's new version stays retired
        created_at=now,
        options=[
            QuestionOption(position=i, text=text, is_correct=ok) for i, (text, ok) in enumerate(new_options, start=1)
        ],
        **values,
    )
    session.add(newer)
    session.flush()
    question.is_active = False
    question.replaced_by_id = newer.id
    from .pools import inherit_publication  # pools reads the bank this module versions

    inherit_publication(session, question, newer)
    return newer


def check_key(multiple: bool, options: Sequence[tuple[str, bool]]) -> None:
    """A question needs two options or more; one correct option if single-answer, at least one if multiple."""
    correct = sum(1 for _, ok in options if ok)
    if len(options) < 2:
        raise InvalidAnswer(_l("A question needs at least two options."), field="options")
    if multiple and correct < 1:
        raise InvalidAnswer(_l("Mark at least one correct option."), field="options")
    if not multiple and correct != 1:
        raise InvalidAnswer(_l("A single-answer question has exactly one correct option."), field="options")
