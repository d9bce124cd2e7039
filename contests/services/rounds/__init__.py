"""Rounds of a quiz: finding them (the organizer's overview, the ones citizens see), the organizer's rules for
creating and changing one, and rounds on the clock: the scheduler opens each round at its opening time and closes
it once its last attempt's grace is over, computing the results once (``ranking``) and telling every participant
that they are out. Both jobs are idempotent and take ``now``: a run that finds nothing due changes nothing.
A round's attempts go out to a spreadsheet in ``exports``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import outbox
from app.errors import Conflict, DomainError, NotFound
from app.scheduler import JobResult

from ...models import AttemptFlag, Contest, ContestKind, Participant, QuizAttempt, QuizRound, QuizTopic, RoundState
from ...models.quiz import DEFAULT_PRIZE_MIN_PERCENT, DEFAULT_PRIZE_TABLE, PRIZE_ORDER, Prize
from ..questions import pools
from . import ranking

RESULTS_TEMPLATE = "quiz_results"


# --- finding rounds --------------------------------------------------------------------------------------------


def round_or_404(session: Session, round_id: int | None) -> QuizRound:
    """The round ``round_id`` (any state: organizers' pages), or NotFound."""
    quiz_round = session.get(QuizRound, round_id) if round_id else None
    if quiz_round is None:
        raise NotFound(_l("The page you are looking for does not exist."))
    return quiz_round


def public_round(session: Session, round_id: int) -> QuizRound | None:
    """The round if citizens may see it (its contest public, the round itself visible), else None."""
    quiz_round = session.get(QuizRound, round_id)
    if quiz_round is None or not quiz_round.contest.is_public or not quiz_round.is_visible:
        return None
    return quiz_round


def rounds_of(session: Session, contest_id: int, public_only: bool = True) -> list[QuizRound]:
    """The contest's rounds in their order; only those citizens see unless ``public_only`` is False."""
    stmt = select(QuizRound).where(QuizRound.contest_id == contest_id).order_by(QuizRound.position, QuizRound.id)
    if public_only:
        stmt = stmt.where(QuizRound.is_visible)
    return list(session.scalars(stmt))


@dataclass
class RoundSummary:
    """A round on the organizer's list, with its attempts and the flags left to review."""

    quiz_round: QuizRound
    started: int
    submitted: int
    open_flags: int


def rounds_overview(session: Session, contest_id: int) -> list[RoundSummary]:
    """The organizer's list of a contest's rounds: each with its attempts started and submitted and its flags
    not yet reviewed (three grouped queries, whatever the number of rounds)."""
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


# --- rounds on the clock ---------------------------------------------------------------------------------------


def open_due_rounds(session: Session, now: datetime) -> JobResult:
    """Open every scheduled round whose opening time has come (and whose close has not)."""
    due = session.scalars(
        select(QuizRound).where(
            QuizRound.state == RoundState.SCHEDULED, QuizRound.opens_at <= now, QuizRound.closes_at > now
        )
    ).all()
    for quiz_round in due:
        quiz_round.state = RoundState.OPEN
        quiz_round.opened_at = now
    return JobResult(changed=len(due), message=_l("%(count)s rounds opened", count=len(due)))


def close_due_rounds(session: Session, now: datetime) -> JobResult:
    """Close every scheduled or open round whose closing time plus grace has passed: results computed and
    frozen, and each participant told (once) that results are out (the flags job then looks at its attempts)."""
    candidates = session.scalars(
        select(QuizRound)
        .where(QuizRound.state.in_([RoundState.SCHEDULED, RoundState.OPEN]), QuizRound.closes_at <= now)
        .order_by(QuizRound.closes_at, QuizRound.id)
    ).all()
    closed = 0
    for quiz_round in candidates:
        if quiz_round.closes_at + timedelta(seconds=quiz_round.grace_seconds) > now:
            continue  # answers sent just before the close may still be arriving
        close_and_tell(session, quiz_round, now=now)
        closed += 1
    return JobResult(changed=closed, message=_l("%(count)s rounds closed", count=closed))


def open_now(session: Session, quiz_round: QuizRound, *, now: datetime) -> QuizRound:
    """An organizer's "open now": a scheduled (or draft) round takes attempts from ``now`` instead of its opening
    time; its close stays. Refused for a round already open or closed, or whose close has passed."""
    if quiz_round.state == RoundState.OPEN:
        raise Conflict(_l("This round is already open."), code="round_open")
    if quiz_round.state == RoundState.CLOSED:
        raise Conflict(_l("A closed round cannot be changed: its results are frozen."), code="round_closed")
    if quiz_round.closes_at <= now:
        raise Conflict(_l("This round's close has passed: move its close later first."), code="round_over")
    quiz_round.opens_at = min(quiz_round.opens_at, now)
    quiz_round.state = RoundState.OPEN
    quiz_round.opened_at = now
    return quiz_round


def close_and_tell(session: Session, quiz_round: QuizRound, *, now: datetime) -> ranking.RoundResults:
    """Close the round (an organizer's "close now" too) and queue the results messages. Flags are raised by their
    own job (``flags.detect_due_rounds``: a round closed since its last check is due), not inside the close."""
    results = ranking.close_round(session, quiz_round, now=now)
    if results.changed:
        tell_results(session, quiz_round, now=now)
    return results


def tell_results(session: Session, quiz_round: QuizRound, *, now: datetime) -> int:
    """Queue "results are out" for every participant with an attempt in the round (by e-mail when they gave one,
    else SMS), once per participant and round, with the link to their own result page (their return token: the
    message goes to them alone); returns how many messages were new."""
    contest = session.get(Contest, quiz_round.contest_id)
    people = session.execute(
        select(
            Participant.id,
            Participant.full_name,
            Participant.phone,
            Participant.email,
            Participant.locale,
            Participant.return_token,
        )
        .where(Participant.id.in_(select(QuizAttempt.participant_id).where(QuizAttempt.round_id == quiz_round.id)))
        .order_by(Participant.id)
    ).all()
    # Whether each person won, and what: their best prize in the round (a tie at a prize boundary is said so).
    prizes: dict[int, tuple[Prize, bool]] = {}
    for pid, prize, tied in session.execute(
        select(QuizAttempt.participant_id, QuizAttempt.prize, QuizAttempt.prize_tied).where(
            QuizAttempt.round_id == quiz_round.id, QuizAttempt.prize.is_not(None)
        )
    ):
        if pid not in prizes or PRIZE_ORDER.index(prize) < PRIZE_ORDER.index(prizes[pid][0]):
            prizes[pid] = (prize, bool(tied))
    payload = {
        "round_title": quiz_round.title,
        "contest_title": contest.title if contest else "",
        "round_id": quiz_round.id,
    }
    return outbox.enqueue_many(
        session,
        RESULTS_TEMPLATE,
        (
            outbox.Outgoing(
                to=outbox.recipients(email=email, phone=phone),
                payload={**payload, "name": name, "token": token, **_prize_values(prizes.get(pid))},
                locale=locale,
                dedupe_key=f"quiz-results:{quiz_round.id}:{pid}",
                subject_ref=f"Participant:{pid}",
            )
            for pid, name, phone, email, locale, token in people
        ),
        now=now,
    )


def _prize_values(won: tuple[Prize, bool] | None) -> dict:
    prize, tied = won or (None, False)
    return {"prize": prize.value if prize else None, "prize_tied": tied}


# --- organizers' rules for rounds ------------------------------------------------------------------------------

ROUND_FIELDS = (
    "title",
    "opens_at",
    "closes_at",
    "question_count",
    "time_limit_seconds",
    "grace_seconds",
    "attempts_allowed",
    "prize_table",
    "prize_min_percent",
    "pool_topic_ids",
    "asks_prediction",
)
# Once a round is open, attempts depend on everything but its title and its close (which may only move later).
OPEN_ROUND_FIELDS = ("title", "closes_at")
LIMITS = {
    "question_count": (1, 200),
    "time_limit_seconds": (60, 24 * 3600),
    "grace_seconds": (0, 300),
    "attempts_allowed": (1, 10),
    "prize_min_percent": (0, 100),
}
MAX_PRIZES = 1000


class InvalidRound(DomainError):
    code = "invalid_round"
    status = 422


def check_round(values: dict, *, bank_size: int | None) -> dict:
    """The round's settings checked and normalised; raises ``InvalidRound`` on the first field that is wrong.
    ``bank_size``: how many questions the round's pool still has that no closed round of the contest published
    (None: not checked, for an open round whose draws are made)."""
    title = " ".join(str(values.get("title") or "").split())
    if not title or len(title) > 200:
        raise InvalidRound(_l("Give the round a title (at most 200 characters)."), field="title")
    opens_at, closes_at = values.get("opens_at"), values.get("closes_at")
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise InvalidRound(_l("The round must close after it opens."), field="closes_at")
    for name, (low, high) in LIMITS.items():
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidRound(_l("Enter a whole number from %(low)s to %(high)s.", low=low, high=high), field=name)
    if bank_size is not None and values["question_count"] > bank_size:
        raise InvalidRound(
            _l(
                "Its topics have only %(have)s questions that no closed round of this contest has published; "
                "the round needs %(need)s. Add questions, choose more topics or draw fewer.",
                have=bank_size,
                need=values["question_count"],
            ),
            field="question_count",
        )
    table = values.get("prize_table") or {}
    prizes = {}
    for name in PRIZE_ORDER:
        count = table.get(name, 0) or 0
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_PRIZES:
            raise InvalidRound(
                _l("Enter a whole number from %(low)s to %(high)s.", low=0, high=MAX_PRIZES), field=f"prize_{name}"
            )
        prizes[name] = count
    pool = values.get("pool_topic_ids") or []
    if not isinstance(pool, list | tuple) or not all(isinstance(t, int) and not isinstance(t, bool) for t in pool):
        raise InvalidRound(_l("Choose topics from the list."), field="pool_topic_ids")
    return {
        **values,
        "title": title,
        "prize_table": prizes,
        "pool_topic_ids": sorted(set(pool)),
        "asks_prediction": bool(values.get("asks_prediction")),
    }


def _pool_size(session: Session, contest_id: int, topic_ids) -> int:
    """What the pool may still draw; a topic that does not exist is refused on the pool's field."""
    topics = sorted(set(topic_ids or ()))
    if topics and session.scalar(select(func.count(QuizTopic.id)).where(QuizTopic.id.in_(topics))) != len(topics):
        raise InvalidRound(_l("Choose topics from the list."), field="pool_topic_ids")
    return pools.available(session, contest_id, topics)


def create_round(session: Session, contest: Contest, *, now: datetime, **values) -> QuizRound:
    """A new round of an online quiz, scheduled (the scheduler opens it at its time); numbered after the others.
    Refused when its pool cannot fill its draw with questions no closed round of the contest has published."""
    if contest.kind != ContestKind.ONLINE_QUIZ:
        raise DomainError(_l("This contest does not take online registrations."), code="not_a_quiz")
    unknown = set(values) - set(ROUND_FIELDS)
    if unknown:
        raise ValueError(f"not round fields: {sorted(unknown)}")
    defaults = {
        "grace_seconds": 15,
        "attempts_allowed": 1,
        "prize_table": dict(DEFAULT_PRIZE_TABLE),
        "prize_min_percent": DEFAULT_PRIZE_MIN_PERCENT,
        "pool_topic_ids": [],
        "asks_prediction": True,
    }
    values = defaults | values
    checked = check_round(values, bank_size=_pool_size(session, contest.id, values.get("pool_topic_ids")))
    position = (session.scalar(select(func.max(QuizRound.position)).where(QuizRound.contest_id == contest.id)) or 0) + 1
    quiz_round = QuizRound(
        contest_id=contest.id, position=position, state=RoundState.SCHEDULED, created_at=now, **checked
    )
    session.add(quiz_round)
    session.flush()
    return quiz_round


def update_round(session: Session, quiz_round: QuizRound, *, now: datetime, **changes) -> QuizRound:
    """Change a round's settings: all of them before it opens; once open only its title and a later close (the
    attempts already running depend on the rest); a closed round's results are frozen."""
    unknown = set(changes) - set(ROUND_FIELDS)
    if unknown:
        raise ValueError(f"not round fields: {sorted(unknown)}")
    if quiz_round.state == RoundState.CLOSED:
        raise Conflict(_l("A closed round cannot be changed: its results are frozen."), code="round_closed")
    current = {name: getattr(quiz_round, name) for name in ROUND_FIELDS}
    changed = {name for name, value in changes.items() if value != current[name]}
    if quiz_round.state == RoundState.OPEN:
        locked = sorted(changed - set(OPEN_ROUND_FIELDS))
        if locked:
            raise InvalidRound(_l("This cannot change while the round is open."), field=locked[0])
        if "closes_at" in changed and (changes["closes_at"] <= now or changes["closes_at"] < quiz_round.closes_at):
            raise InvalidRound(_l("An open round's close can only move later."), field="closes_at")
    merged = current | changes
    # An open round has drawn already: its pool is not checked again when an earlier round's close shrinks it.
    size = (
        None
        if quiz_round.state == RoundState.OPEN
        else _pool_size(session, quiz_round.contest_id, merged.get("pool_topic_ids"))
    )
    checked = check_round(merged, bank_size=size)
    for name in changed:
        setattr(quiz_round, name, checked[name])
    return quiz_round
