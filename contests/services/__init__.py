"""Rules of contests, by sub-feature, one name in every layer (``views/``, ``forms/``, ``services/``,
``templates/contests/``): here the contests themselves (listing, phases, dashboard figures, the plan-copy hook and
finding a quiz); ``participants`` (sign-up, the way back, a participant's rounds; with ``identities``,
``return_codes`` and ``retention``), ``attempts`` (the draw, answers, grading, submission, and what the question
pages read; with ``handles``), ``questions`` (the bank and versions of questions; with ``bank``, ``images``,
``pools`` and ``topics``), ``rounds`` (the organizer's rounds, opening and closing; with ``ranking`` and
``exports``), ``results`` (a closed round's results and the organizer's full ranking; with ``standings``) and
``flags`` (what an organizer should review; disqualification)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.providers import Figure, LiveFigure
from events.services.transfer import shift_years_in_text

from ..models import Contest, ContestKind, ContestPhase, QuizAttempt, QuizRound, RoundState

PAGE_NOT_FOUND = _l("The page you are looking for does not exist.")  # the 404 page's own words


def quiz_or_404(session: Session, contest_id: int | None) -> Contest:
    """The online quiz ``contest_id`` (published or not: organizers' pages), or NotFound."""
    contest = session.get(Contest, contest_id) if contest_id else None
    if contest is None or not contest.is_quiz:
        raise NotFound(PAGE_NOT_FOUND)
    return contest


def public_quiz_or_404(session: Session, contest_id: int) -> Contest:
    """The online quiz ``contest_id`` if citizens may see it, or NotFound."""
    contest = quiz_or_404(session, contest_id)
    if not contest.is_public:
        raise NotFound(PAGE_NOT_FOUND)
    return contest


def contest_phase(contest: Contest, now: datetime, *, round_open: bool = False) -> ContestPhase:
    """Where a contest stands at ``now``: upcoming, open or closed (no dates means open until closed). A quiz with
    a round taking attempts is open whatever its own dates say: the round is what a citizen can do today."""
    if round_open:
        return ContestPhase.OPEN
    if contest.opens_at and now < contest.opens_at:
        return ContestPhase.UPCOMING
    if contest.closes_at and now >= contest.closes_at:
        return ContestPhase.CLOSED
    return ContestPhase.OPEN


def open_round_contest_ids(session: Session, now: datetime) -> set[int]:
    """The contests with a round taking attempts at ``now`` (the rule of ``QuizRound.accepts_attempts``)."""
    return set(
        session.scalars(
            select(QuizRound.contest_id)
            .where(QuizRound.state == RoundState.OPEN, QuizRound.opens_at <= now, QuizRound.closes_at > now)
            .distinct()
        )
    )


def listed_contests(session: Session, include_unpublished: bool) -> list[Contest]:
    """Contests in the order they open; unpublished ones (or ones of a draft plan) only for organizers."""
    stmt = select(Contest).options(selectinload(Contest.organizer_unit)).order_by(Contest.opens_at, Contest.id)
    if not include_unpublished:
        stmt = stmt.where(Contest.is_public)
    return list(session.scalars(stmt))


def contest_listing(session: Session, include_unpublished: bool, now: datetime) -> list[tuple[Contest, ContestPhase]]:
    """The contests list: (contest, phase) pairs, those with a round open now first (what one can do today),
    then open, upcoming and closed ones, each group in the order they open."""
    with_open_round = open_round_contest_ids(session, now)
    rows = [
        (contest, contest_phase(contest, now, round_open=contest.id in with_open_round))
        for contest in listed_contests(session, include_unpublished)
    ]
    order = {phase: place for place, phase in enumerate(ContestPhase, start=1)}
    # sorted() is stable: within a group the contests keep their opening order.
    return sorted(rows, key=lambda row: 0 if row[0].id in with_open_round else order[row[1]])


def open_now(session: Session, now: datetime) -> list[Contest]:
    """The published contests with a round taking attempts at ``now``, for the home page."""
    ids = open_round_contest_ids(session, now)
    if not ids:
        return []
    return [contest for contest in listed_contests(session, include_unpublished=False) if contest.id in ids]


def figures(session: Session, plan_id: int | None = None) -> list[Figure]:
    """The contests feature's numbers for the dashboard and plan pages."""
    stmt = select(func.count(Contest.id)).where(Contest.is_public)
    if plan_id is not None:
        stmt = stmt.where(Contest.plan_id == plan_id)
    return [Figure(str(_l("Contests")), session.scalar(stmt) or 0, "contests.index")]


LIVE_ROUNDS = 2  # the big screen has room for this many open rounds at once


def live_figures(session: Session, plan_id: int, now: datetime) -> list[LiveFigure]:
    """For the big screen of the plan's activities: each public quiz of the plan with a round taking attempts at
    ``now``, and how many people have started that round (one grouped query)."""
    rows = session.execute(
        select(Contest.id, Contest.title, QuizRound.title, func.count(func.distinct(QuizAttempt.participant_id)))
        .join(QuizRound, QuizRound.contest_id == Contest.id)
        .outerjoin(QuizAttempt, QuizAttempt.round_id == QuizRound.id)
        .where(
            Contest.plan_id == plan_id,
            Contest.kind == ContestKind.ONLINE_QUIZ,
            Contest.is_public,
            QuizRound.state == RoundState.OPEN,
            QuizRound.opens_at <= now,
            QuizRound.closes_at > now,
        )
        .group_by(Contest.id, Contest.title, QuizRound.id, QuizRound.title, QuizRound.opens_at)
        .order_by(QuizRound.opens_at, QuizRound.id)
        .limit(LIVE_ROUNDS)
    ).all()
    return [
        LiveFigure(
            str(_l("took part in %(round)s", round=round_title)),
            contest_title,
            int(count),
            "contests.contest_page",
            {"contest_id": contest_id},
        )
        for contest_id, contest_title, round_title, count in rows
    ]


def copy_with_plan(session: Session, old_plan, new_plan, activity_id_map: dict[int, int], shift) -> int:
    """The copy hook of contests: the plan's contests, one campaign on, for the copied plan.

    Opening and closing move together by ``shift`` (anchored on the opening, so a Saturday opening stays a
    Saturday); titles have the old period's years moved on, like the plan's activities; each copy is unpublished
    until the organizer checks it. A quiz brings its rounds along as drafts (same rules, prize table and least score
    for a prize, each with its own pool of topics, times moved by the same shift) and its own questions (the active
    version of each, with options, explanation, source and picture): last campaign's attempts, participants and
    results stay with last campaign. Returns how many contests were copied."""
    years = new_plan.period_start.year - old_plan.period_start.year
    first_year, last_year = old_plan.period_start.year, old_plan.period_end.year
    contests = session.scalars(select(Contest).where(Contest.plan_id == old_plan.id).order_by(Contest.id)).all()
    for contest in contests:
        anchor = contest.opens_at or contest.closes_at
        copy = Contest(
            plan_id=new_plan.id,
            title=shift_years_in_text(contest.title, first_year, last_year, years),
            kind=contest.kind,
            description=contest.description,
            audience=contest.audience,
            organizer_unit_id=contest.organizer_unit_id,
            opens_at=shift(contest.opens_at, anchor),
            closes_at=shift(contest.closes_at, anchor),
            is_published=False,
            created_at=new_plan.created_at,
        )
        session.add(copy)
        session.flush()
        _copy_quiz(session, contest, copy, lambda value, anchor=anchor: shift(value, anchor), new_plan.created_at,
                   lambda text: shift_years_in_text(text, first_year, last_year, years))  # fmt: skip
    return len(contests)


def _copy_quiz(session: Session, old: Contest, new: Contest, move, now, retitle) -> None:
    from ..models import Question, QuestionOption

    for quiz_round in session.scalars(select(QuizRound).where(QuizRound.contest_id == old.id)):
        session.add(
            QuizRound(
                contest_id=new.id, title=retitle(quiz_round.title), position=quiz_round.position,
                opens_at=move(quiz_round.opens_at), closes_at=move(quiz_round.closes_at),
                question_count=quiz_round.question_count, time_limit_seconds=quiz_round.time_limit_seconds,
                grace_seconds=quiz_round.grace_seconds, attempts_allowed=quiz_round.attempts_allowed,
                prize_table=dict(quiz_round.prize_table or {}), asks_prediction=quiz_round.asks_prediction,
                prize_min_percent=quiz_round.prize_min_percent, pool_topic_ids=list(quiz_round.pool_topic_ids or []),
                state=RoundState.DRAFT, created_at=now,
            )
        )  # fmt: skip
    questions = session.scalars(
        select(Question)
        .where(Question.contest_id == old.id, Question.is_active.is_(True))
        .options(selectinload(Question.options))
        .order_by(Question.id)
    )
    for question in questions:
        session.add(
            Question(
                contest_id=new.id, topic_id=question.topic_id, difficulty=question.difficulty, text=question.text,
                multiple=question.multiple, explanation=question.explanation, source=question.source,
                image_path=question.image_path, image_alt=question.image_alt, version=1, is_active=True,
                created_at=now,
                options=[QuestionOption(position=o.position, text=o.text, is_correct=o.is_correct)
                         for o in question.options],
            )
        )  # fmt: skip
