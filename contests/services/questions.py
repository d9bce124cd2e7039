"""Versions of questions: a question an attempt has drawn is never edited in place (the edit is a new version),
so every attempt keeps the text and options it was shown and graded on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError

from ..models import AttemptQuestion, Question, QuestionOption, QuizAttempt, QuizRound, RoundState


class InvalidAnswer(DomainError):
    code = "invalid_answer"
    status = 422


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
