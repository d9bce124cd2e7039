"""Citizens who take part: finding a participant by their return token, the ward they chose, and the rounds on
their own page. Beside it: ``identities`` (phone and CCCD, keyed hashes, sign-up), ``return_codes`` (the way back
on another device) and ``retention`` (erasing participants' data once the contest's retention is over)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from app.errors import DomainError, NotFound
from app.models import Unit, UnitKind

from ...models import Contest, Participant, QuizAttempt, QuizRound
from .. import PAGE_NOT_FOUND
from ..attempts import current_attempt
from ..attempts.screens import is_running
from ..rounds import rounds_of


def cookie_name(contest_id: int) -> str:
    """The signed return cookie of one contest (one phone may hold a participant in several contests)."""
    return f"dxq{contest_id}"


def check_ward(session: Session, ward_id: int | None) -> int:
    """The ward a participant chose must be a ward or commune of the unit tree."""
    kind = session.scalar(select(Unit.kind).where(Unit.id == ward_id)) if ward_id else None
    return _ward_checked(ward_id, kind)


def _ward_checked(ward_id: int | None, kind) -> int:
    if not ward_id or kind != UnitKind.WARD:
        raise DomainError(
            _l("Choose your ward or commune from the list."), code="unknown_ward", field="ward_id", status=422
        )
    return ward_id


def signup_contest(session: Session, contest_id: int, ward_id: int | None) -> tuple[Contest, DomainError | None]:
    """The public quiz a citizen signs up for (NotFound otherwise, as ``public_quiz_or_404``) and the refusal of the
    ward they chose when it is not a ward (``check_ward``), in one query: the sign-up is the opening crowd's first
    write, and the contest, its plan and the ward were three round trips."""
    kind = select(Unit.kind).where(Unit.id == ward_id).scalar_subquery() if ward_id else literal(None)
    row = session.execute(select(Contest, kind).where(Contest.id == contest_id, Contest.is_public)).first()
    if row is None or not row[0].is_quiz:
        raise NotFound(PAGE_NOT_FOUND)
    try:
        _ward_checked(ward_id, row[1])
    except DomainError as refused:
        return row[0], refused
    return row[0], None


def participant_by_token(session: Session, token: str | None, contest_id: int | None = None) -> Participant | None:
    """The participant whose return token this is (of ``contest_id`` when given), or None."""
    if not token:
        return None
    stmt = select(Participant).where(Participant.return_token == token)
    if contest_id is not None:
        stmt = stmt.where(Participant.contest_id == contest_id)
    return session.scalar(stmt)


@dataclass
class RoundRow:
    """A round on the participant's own page, with what they may do in it now."""

    quiz_round: QuizRound
    attempt: QuizAttempt | None
    attempts_used: int
    can_start: bool  # open, and an attempt left (a new one, or none yet)
    running: bool  # an attempt under way


def participant_rounds(session: Session, participant: Participant, now: datetime) -> list[RoundRow]:
    """The rounds on the participant's own page: each visible round with their latest attempt, how many they
    used, and whether they may start one or have one under way at ``now``."""
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
