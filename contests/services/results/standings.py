"""The organizer's full ranking of a round: every attempt of a closed round in rank order (name, ward, phone: masked,
in full for prize winners when asked, score, prediction, time taken, submission time, prize, tie marker,
disqualification), a page of 100 at a time and optionally one ward's; before the close only live counts, since no
rank exists yet.

A round may hold 100,000 attempts: nothing here loads them all. A page is one bounded query on the (round, rank)
index, the counts are grouped in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Unit

from ...models import AttemptFlag, Participant, QuizAttempt, QuizRound, RoundState
from ..rounds.exports import winner_phone

PER_PAGE = 100


@dataclass(frozen=True)
class Standing:
    attempt_id: int
    rank: int | None  # None: disqualified (out of the ranking)
    full_name: str
    ward: str
    masked_phone: str
    winner_phone: str | None  # in full for a prize winner when the caller asked (the organizers call winners)
    score: int | None
    prediction: int | None
    time_taken_ms: int | None
    submitted_at: datetime | None
    prize: str | None
    prize_tied: bool
    disqualified_at: datetime | None
    disqualification_reason: str


@dataclass(frozen=True)
class Page:
    """One page of the ranking; its attributes are those ``_macros.html``'s ``pager`` reads."""

    rows: list[Standing]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass(frozen=True)
class LiveCounts:
    started: int
    submitted: int
    disqualified: int
    flagged: int


def _of_round(stmt, quiz_round: QuizRound, ward_id: int | None):
    stmt = stmt.where(QuizAttempt.round_id == quiz_round.id)
    if ward_id is not None:
        stmt = stmt.where(QuizAttempt.participant_id == Participant.id, Participant.ward_unit_id == ward_id)
    return stmt


def ranking_page(
    session: Session,
    quiz_round: QuizRound,
    *,
    page: int = 1,
    ward_id: int | None = None,
    per_page: int = PER_PAGE,
    winner_phones: bool = False,
) -> Page:
    """One page of a closed round's ranking: ranked attempts by rank (ties by name), then the disqualified ones.
    ``page`` is clamped to the pages there are; before the close the page is empty (see ``live_counts``). With
    ``winner_phones`` each prize winner's phone is given in full (the caller audits it); others stay masked."""
    if quiz_round.state != RoundState.CLOSED:
        return Page([], 1, 1, 0)
    per_page = max(1, min(per_page, PER_PAGE))
    total = session.scalar(_of_round(select(func.count(QuizAttempt.id)), quiz_round, ward_id)) or 0
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = session.execute(
        _of_round(
            select(QuizAttempt, Participant, Unit.name)
            .join(Participant, Participant.id == QuizAttempt.participant_id)
            .outerjoin(Unit, Unit.id == Participant.ward_unit_id),
            quiz_round,
            ward_id,
        )
        .order_by(
            case((QuizAttempt.rank.is_(None), 1), else_=0), QuizAttempt.rank, Participant.full_name, QuizAttempt.id
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(
        [
            Standing(
                attempt_id=attempt.id,
                rank=attempt.rank,
                full_name=person.full_name,
                ward=ward or "",
                masked_phone=person.masked_phone,
                winner_phone=winner_phone(attempt, person.phone) if winner_phones else None,
                score=attempt.score,
                prediction=attempt.prediction,
                time_taken_ms=attempt.time_taken_ms,
                submitted_at=attempt.submitted_at,
                prize=attempt.prize,
                prize_tied=bool(attempt.prize_tied),
                disqualified_at=attempt.disqualified_at,
                disqualification_reason=attempt.disqualification_reason or "",
            )
            for attempt, person, ward in rows
        ],
        page,
        pages,
        total,
    )


def live_counts(session: Session, quiz_round: QuizRound, *, ward_id: int | None = None) -> LiveCounts:
    """How many attempts are started, submitted and disqualified, and how many are flagged (two grouped queries)."""
    started, submitted, disqualified = session.execute(
        _of_round(
            select(
                func.count(QuizAttempt.id),
                func.coalesce(func.sum(case((QuizAttempt.submitted_at.is_not(None), 1), else_=0)), 0),
                func.coalesce(func.sum(case((QuizAttempt.disqualified_at.is_not(None), 1), else_=0)), 0),
            ),
            quiz_round,
            ward_id,
        )
    ).one()
    flagged = session.scalar(
        _of_round(
            select(func.count(func.distinct(AttemptFlag.attempt_id))).where(AttemptFlag.attempt_id == QuizAttempt.id),
            quiz_round,
            ward_id,
        )
    )
    return LiveCounts(int(started), int(submitted), int(disqualified), int(flagged or 0))


def wards_of_round(session: Session, quiz_round: QuizRound) -> list[tuple[int, str]]:
    """The wards the round's participants come from, by name: the choices of the ward filter."""
    return [
        (unit_id, name)
        for unit_id, name in session.execute(
            select(Unit.id, Unit.name)
            .where(
                Unit.id.in_(
                    select(Participant.ward_unit_id)
                    .join(QuizAttempt, QuizAttempt.participant_id == Participant.id)
                    .where(QuizAttempt.round_id == quiz_round.id)
                )
            )
            .order_by(Unit.name, Unit.id)
        )
    ]


def record_winner_phones(session: Session, quiz_round: QuizRound, rows: list[Standing], actor_id: int | None) -> int:
    """Put the showing of winners' full phones in the audit trail, as an export is (who, when, which round and
    attempts; never the phones themselves). Returns how many were shown (0: nothing recorded)."""
    from app.models import AuditEntry

    shown = [row.attempt_id for row in rows if row.winner_phone]
    if shown:
        session.add(
            AuditEntry(
                actor_id=actor_id,
                action="disclose",  # column of 10: the showing of personal data on a page
                entity="QuizAttempt",
                entity_id=f"round:{quiz_round.id}",
                changes={"round_id": quiz_round.id, "attempt_ids": shown, "count": len(shown)},
            )
        )
    return len(shown)


@dataclass(frozen=True)
class WardCount:
    ward: str
    started: int
    submitted: int


def ward_counts(session: Session, quiz_round: QuizRound) -> list[WardCount]:
    """Attempts started and submitted per ward of the participants (one grouped query), most started first."""
    started = func.count(QuizAttempt.id)
    rows = session.execute(
        select(
            Unit.name,
            started,
            func.coalesce(func.sum(case((QuizAttempt.submitted_at.is_not(None), 1), else_=0)), 0),
        )
        .select_from(QuizAttempt)
        .join(Participant, Participant.id == QuizAttempt.participant_id)
        .outerjoin(Unit, Unit.id == Participant.ward_unit_id)
        .where(QuizAttempt.round_id == quiz_round.id)
        .group_by(Unit.id, Unit.name)
        .order_by(started.desc(), Unit.name)
    ).all()
    return [WardCount(name or "—", int(count), int(done)) for name, count, done in rows]
