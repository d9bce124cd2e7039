"""What a closed round shows: a participant's own result with the correct answers and explanations, the winners,
the ranking page by page, and participation by ward against the population an organizer entered.

The key never leaves the server before the round closes: ``review`` refuses until then, so a page that shows
answers cannot be built from an open round by mistake."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError
from app.models import Unit

from ...models import (
    AttemptAnswer,
    AttemptQuestion,
    Participant,
    Question,
    QuestionOption,
    QuizAttempt,
    QuizRound,
    RoundState,
    UnitPopulation,
)


class ResultsNotOut(Conflict):
    code = "results_not_out"


@dataclass(frozen=True)
class ReviewedOption:
    id: int
    text: str
    is_correct: bool
    chosen: bool


@dataclass(frozen=True)
class ReviewedQuestion:
    position: int
    question_id: int
    text: str
    multiple: bool
    image_path: str | None
    options: tuple[ReviewedOption, ...]  # in the order the attempt showed them
    is_correct: bool
    explanation: str
    source: str


def review(session: Session, attempt: QuizAttempt, quiz_round: QuizRound | None = None) -> list[ReviewedQuestion]:
    """The attempt's questions with its choices, the correct options, explanations and sources: only once the
    round is closed (``ResultsNotOut`` before)."""
    quiz_round = quiz_round or session.get(QuizRound, attempt.round_id)
    if quiz_round.state != RoundState.CLOSED:
        raise ResultsNotOut(_l("The correct answers are shown when the round closes."))
    rows = session.execute(
        select(AttemptQuestion.position, AttemptQuestion.option_order, Question, AttemptAnswer)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .outerjoin(
            AttemptAnswer,
            (AttemptAnswer.attempt_id == AttemptQuestion.attempt_id)
            & (AttemptAnswer.question_id == AttemptQuestion.question_id),
        )
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    options = {
        option.id: option
        for option in session.scalars(
            select(QuestionOption).where(QuestionOption.question_id.in_([row.Question.id for row in rows]))
        )
    }
    reviewed = []
    for row in rows:
        chosen = set(row.AttemptAnswer.chosen_option_ids) if row.AttemptAnswer else set()
        reviewed.append(
            ReviewedQuestion(
                position=row.position,
                question_id=row.Question.id,
                text=row.Question.text,
                multiple=row.Question.multiple,
                image_path=row.Question.image_path,
                options=tuple(
                    ReviewedOption(oid, options[oid].text, options[oid].is_correct, oid in chosen)
                    for oid in row.option_order
                    if oid in options
                ),
                is_correct=bool(row.AttemptAnswer and row.AttemptAnswer.is_correct),
                explanation=row.Question.explanation,
                source=row.Question.source,
            )
        )
    return reviewed


@dataclass(frozen=True)
class Placed:
    """One line of a public ranking: no phone beyond its last 4 digits, no CCCD."""

    attempt_id: int
    rank: int
    prize: str | None
    prize_tied: bool
    score: int
    full_name: str
    ward: str
    masked_phone: str


def _placed_query(quiz_round: QuizRound):
    return (
        select(
            QuizAttempt.id,
            QuizAttempt.rank,
            QuizAttempt.prize,
            QuizAttempt.prize_tied,
            QuizAttempt.score,
            Participant.full_name,
            Unit.name,
            Participant.phone_last4,
        )
        .join(Participant, Participant.id == QuizAttempt.participant_id)
        .outerjoin(Unit, Unit.id == Participant.ward_unit_id)
        .where(QuizAttempt.round_id == quiz_round.id, QuizAttempt.rank.is_not(None))
        .order_by(QuizAttempt.rank, Participant.full_name, QuizAttempt.id)
    )


def _placed(rows) -> list[Placed]:
    return [
        Placed(aid, rank, prize, bool(tied), score or 0, name, ward or "", "******" + last4)
        for aid, rank, prize, tied, score, name, ward, last4 in rows
    ]


def winners(session: Session, quiz_round: QuizRound) -> list[Placed]:
    """The prize winners of a closed round, by rank (tied ones together, marked)."""
    if quiz_round.state != RoundState.CLOSED:
        return []
    return _placed(session.execute(_placed_query(quiz_round).where(QuizAttempt.prize.is_not(None))))


def ranking_page(session: Session, quiz_round: QuizRound, *, offset: int = 0, limit: int = 50) -> list[Placed]:
    """One page of a closed round's ranking (uses the (round, rank) index)."""
    if quiz_round.state != RoundState.CLOSED:
        return []
    return _placed(session.execute(_placed_query(quiz_round).offset(max(0, offset)).limit(max(1, min(limit, 500)))))


@dataclass(frozen=True)
class WardParticipation:
    unit_id: int
    name: str
    participants: int
    population: int | None
    rate_percent: Decimal | None  # participants per 100 of the population, 2 decimals
    is_headcount: bool
    best_rank: int | None


def participation_by_ward(session: Session, quiz_round: QuizRound) -> list[WardParticipation]:
    """Participants of the round by ward, with the rate against the population (or staff headcount) the organizer
    entered for the contest; the most participating first. One grouped query and one for the populations."""
    rows = session.execute(
        select(
            Unit.id,
            Unit.name,
            func.count(func.distinct(QuizAttempt.participant_id)),
            func.min(QuizAttempt.rank),
        )
        .join(Participant, Participant.ward_unit_id == Unit.id)
        .join(QuizAttempt, QuizAttempt.participant_id == Participant.id)
        .where(QuizAttempt.round_id == quiz_round.id)
        .group_by(Unit.id, Unit.name)
    ).all()
    populations = {
        unit_id: (population, headcount)
        for unit_id, population, headcount in session.execute(
            select(UnitPopulation.unit_id, UnitPopulation.population, UnitPopulation.is_headcount).where(
                UnitPopulation.contest_id == quiz_round.contest_id
            )
        )
    }
    result = []
    for unit_id, name, count, best in rows:
        population, headcount = populations.get(unit_id, (None, False))
        rate = (
            (Decimal(count) * 100 / Decimal(population)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if population
            else None
        )
        result.append(WardParticipation(unit_id, name, count, population, rate, headcount, best))
    return sorted(result, key=lambda w: (-(w.rate_percent or Decimal(-1)), -w.participants, w.name))


MAX_POPULATION = 100_000_000


def set_population(
    session: Session, contest_id: int, unit_id: int, population: int | None, *, is_headcount: bool = False
) -> UnitPopulation | None:
    """Enter (or clear, with None) a unit's population or staff headcount for a contest's participation rates."""
    row = session.get(UnitPopulation, (contest_id, unit_id))
    if population is None:
        if row is not None:
            session.delete(row)
        return None
    if isinstance(population, bool) or not isinstance(population, int) or not 0 < population <= MAX_POPULATION:
        raise DomainError(
            _l("Enter a whole number from %(low)s to %(high)s.", low=1, high=MAX_POPULATION),
            code="invalid_population",
            field="population",
            status=422,
        )
    if session.get(Unit, unit_id) is None:
        raise DomainError(_l("Choose a unit from the list."), code="unknown_unit", field="unit_id", status=422)
    if row is None:
        row = UnitPopulation(contest_id=contest_id, unit_id=unit_id, population=population, is_headcount=is_headcount)
        session.add(row)
    else:
        row.population, row.is_headcount = population, is_headcount
    session.flush()
    return row


def populations_of(session: Session, contest_id: int) -> dict[int, int]:
    """The population (or headcount) an organizer entered for each unit of the contest, by unit id."""
    return dict(
        session.execute(
            select(UnitPopulation.unit_id, UnitPopulation.population).where(UnitPopulation.contest_id == contest_id)
        ).all()
    )
