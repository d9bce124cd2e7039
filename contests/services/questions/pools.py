"""What a round may draw: the active questions of the contest's bank (its own and the shared one), in the round's
own pool of topics, that no closed round of the contest has published.

Closing a round publishes every question its attempts drew, with the answer and the explanation (by design: each
participant learns from their own result). A later round of the same contest must not draw them again, or its
answers are on last week's result pages: ``publish_round`` records them when the round closes, and the draw, the
round form's counts and its refusal all leave them out. Organizers retire a question (out of every draw, kept for
the attempts that showed it) or put it back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from app import cache
from app.errors import Conflict

from ...models import (
    AttemptQuestion,
    Difficulty,
    PublishedQuestion,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    QuizTopic,
)

BANK_CACHE = "quiz-bank"  # the version of the question bank (contests/__init__.py registers its models)


@dataclass(frozen=True)
class BankEntry:
    """What the draw needs to know of a question: its id and its stratum (topic, difficulty)."""

    question_id: int
    topic_id: int
    difficulty: str


def drawable(contest_id: int, topic_ids: Iterable[int] = ()):
    """The SQL condition on ``Question`` of what a round of ``contest_id`` with the pool ``topic_ids`` (empty:
    every topic) may draw: active, of the contest's bank or the shared one, in the pool, never published in it."""
    conditions = [
        Question.is_active.is_(True),
        or_(Question.contest_id == contest_id, Question.contest_id.is_(None)),
        ~exists().where(PublishedQuestion.contest_id == contest_id, PublishedQuestion.question_id == Question.id),
    ]
    topics = sorted({int(topic_id) for topic_id in topic_ids or ()})
    if topics:
        conditions.append(Question.topic_id.in_(topics))
    return and_(*conditions)


def publish_round(session: Session, quiz_round: QuizRound) -> None:
    """Record every question the round's attempts drew as published in its contest (once; a later close or a
    recompute adds nothing), and raise the bank's version so that no process draws them from a kept copy."""
    drawn = (
        select(QuizRound.contest_id, AttemptQuestion.question_id, func.min(QuizRound.id))
        .join(QuizAttempt, QuizAttempt.id == AttemptQuestion.attempt_id)
        .join(QuizRound, QuizRound.id == QuizAttempt.round_id)
        .where(
            QuizRound.id == quiz_round.id,
            ~exists().where(
                PublishedQuestion.contest_id == quiz_round.contest_id,
                PublishedQuestion.question_id == AttemptQuestion.question_id,
            ),
        )
        .group_by(QuizRound.contest_id, AttemptQuestion.question_id)
    )
    session.execute(
        insert(PublishedQuestion).from_select(["contest_id", "question_id", "round_id"], drawn),
        execution_options={"synchronize_session": False},
    )
    cache.bump(session, BANK_CACHE)


def inherit_publication(session: Session, old: Question, new: Question) -> None:
    """A new version of a published question is published too: rewording does not change the answer given out."""
    session.execute(
        insert(PublishedQuestion).from_select(
            ["contest_id", "question_id", "round_id"],
            select(PublishedQuestion.contest_id, new.id, PublishedQuestion.round_id).where(
                PublishedQuestion.question_id == old.id
            ),
        )
    )


def bank_entries(session: Session, contest_id: int, topic_ids: Iterable[int] = ()) -> list[BankEntry]:
    """The questions a round of ``contest_id`` draws from (``pools.drawable``): the active questions of the
    contest's own bank and the shared one, in the round's pool ``topic_ids`` (empty: all), never one that a closed
    round of the contest has published."""
    rows = session.execute(
        select(Question.id, Question.topic_id, Question.difficulty).where(drawable(contest_id, topic_ids))
    )
    return [BankEntry(qid, topic_id, str(difficulty)) for qid, topic_id, difficulty in rows]


def drawable_bank(
    session: Session, contest_id: int, topic_ids: Iterable[int] = ()
) -> tuple[list[BankEntry], dict[int, tuple[int, ...]]]:
    """``bank_entries`` and each of their questions' option ids, read once per version of the question bank by
    each process (``app.cache.memo``) rather than at every start: a round's opening starts thousands of attempts
    within seconds. Any change to a question or an option raises the version (``contests`` registers it), and so
    does a round's close (``pools.publish_round``). The value is shared: read it, never change it."""
    from app import cache

    topics = sorted({int(topic_id) for topic_id in topic_ids or ()})

    def read() -> tuple[list[BankEntry], dict[int, tuple[int, ...]]]:
        bank = bank_entries(session, contest_id, topics)
        options: dict[int, list[int]] = defaultdict(list)
        for question_id, option_id in session.execute(
            select(QuestionOption.question_id, QuestionOption.id)
            .join(Question, Question.id == QuestionOption.question_id)
            .where(drawable(contest_id, topics))
        ):
            options[question_id].append(option_id)
        return bank, {question_id: tuple(ids) for question_id, ids in options.items()}

    return cache.memo(session, BANK_CACHE, f"bank:{contest_id}:{','.join(map(str, topics))}", read)


@dataclass(frozen=True)
class Stratum:
    """One (topic, difficulty) of the bank, for the round form: how many questions, how many still unpublished."""

    topic_id: int
    topic: str
    difficulty: Difficulty
    active: int
    unpublished: int


def strata(session: Session, contest_id: int) -> list[Stratum]:
    """Every stratum of the contest's bank (its own questions and the shared ones), active questions only, with
    how many of them no closed round of the contest has published: one grouped query."""
    published = exists().where(PublishedQuestion.contest_id == contest_id, PublishedQuestion.question_id == Question.id)
    query = (
        select(
            QuizTopic.id,
            QuizTopic.name,
            Question.difficulty,
            func.count(Question.id),
            func.coalesce(func.sum(case((~published, 1), else_=0)), 0),
        )
        .select_from(Question)
        .join(QuizTopic, QuizTopic.id == Question.topic_id)
        .where(Question.is_active.is_(True), or_(Question.contest_id == contest_id, Question.contest_id.is_(None)))
        .group_by(QuizTopic.id, QuizTopic.name, Question.difficulty)
        .order_by(QuizTopic.name, Question.difficulty)
    )
    return [
        Stratum(topic_id, name, Difficulty(difficulty), int(active), int(left))
        for topic_id, name, difficulty, active, left in session.execute(query)
    ]


def available(session: Session, contest_id: int, topic_ids: Iterable[int] = ()) -> int:
    """How many questions a round of the contest with this pool may still draw."""
    return session.scalar(select(func.count(Question.id)).where(drawable(contest_id, topic_ids))) or 0


def set_retired(session: Session, question: Question, retired: bool) -> Question:
    """Retire a question (no round draws it any more; the attempts that showed it keep it) or put it back. Only the
    newest version: an older one was replaced, not retired."""
    if question.replaced_by_id is not None:
        raise Conflict(_l("This version has been replaced; edit the newest one."), code="question_replaced")
    question.is_active = not retired
    return question


def retired_questions(session: Session, contest_id: int) -> list[Question]:
    """The contest's retired questions (and the shared bank's), for the bank page's "put back"."""
    return list(
        session.scalars(
            select(Question)
            .where(
                Question.is_active.is_(False),
                Question.replaced_by_id.is_(None),
                or_(Question.contest_id == contest_id, Question.contest_id.is_(None)),
            )
            .order_by(Question.topic_id, Question.id)
        )
    )


def published_ids(session: Session, contest_id: int, question_ids: Iterable[int]) -> set[int]:
    """Which of ``question_ids`` a closed round of the contest has published (for the bank page's marks)."""
    ids = list(question_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(PublishedQuestion.question_id).where(
                PublishedQuestion.contest_id == contest_id, PublishedQuestion.question_id.in_(ids)
            )
        )
    )
