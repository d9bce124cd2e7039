"""What an attempt shows, read with the options' ids (the pages name them by handles): the tests' window on the
draw and the saved choices. The product reads one question at a time (``contests.services.attempts.screens``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from contests.models import AttemptAnswer, AttemptQuestion, Question, QuestionOption


@dataclass(frozen=True)
class ShownOption:
    id: int
    text: str


@dataclass(frozen=True)
class ShownQuestion:
    """One question as the attempt shows it: options in this attempt's order, the saved choice, no key."""

    position: int
    question_id: int
    text: str
    multiple: bool
    image_path: str | None
    options: tuple[ShownOption, ...]
    chosen: tuple[int, ...]


def shown_questions(session, attempt, position: int | None = None) -> list[ShownQuestion]:
    """The attempt's questions (or only the one at ``position``) as the participant sees them, in two queries."""
    stmt = (
        select(AttemptQuestion.position, AttemptQuestion.option_order, Question, AttemptAnswer.chosen_option_ids)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .outerjoin(
            AttemptAnswer,
            (AttemptAnswer.attempt_id == AttemptQuestion.attempt_id)
            & (AttemptAnswer.question_id == AttemptQuestion.question_id),
        )
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    )
    if position is not None:
        stmt = stmt.where(AttemptQuestion.position == position)
    rows = session.execute(stmt).all()
    texts = dict(
        session.execute(
            select(QuestionOption.id, QuestionOption.text).where(
                QuestionOption.question_id.in_([row.Question.id for row in rows])
            )
        ).all()
    )
    return [
        ShownQuestion(
            position=row.position,
            question_id=row.Question.id,
            text=row.Question.text,
            multiple=row.Question.multiple,
            image_path=row.Question.image_path,
            options=tuple(ShownOption(oid, texts[oid]) for oid in row.option_order if oid in texts),
            chosen=tuple(row.chosen_option_ids or ()),
        )
        for row in rows
    ]
