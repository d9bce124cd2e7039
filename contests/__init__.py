"""Contests of the campaign: online quizzes, juried contests, public votes."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests")
PUBLIC_CACHE = "contests"  # the public pages kept as bytes (app.cache.page)

from . import api, views  # noqa: E402,F401


@bp.record_once
def _register(state) -> None:
    from flask_babel import lazy_gettext as _l

    from app import cache
    from app.demo import register_loader
    from app.providers import figures, live, spotlights
    from app.scheduler import register_jobs
    from events.services.transfer import copy_hooks

    from . import cli, demo, jobs, services

    register_loader("contests", demo.load)
    from .models import Contest, Question, QuestionOption, QuizRound, UnitPopulation
    from .services.questions.pools import BANK_CACHE

    # The sign-up form and the results are kept as bytes. A closed round's places change only when it is ranked
    # again, and every re-ranking (a disqualification, a reinstatement, a new prize table) changes the round's row.
    cache.track(PUBLIC_CACHE, Contest, QuizRound, UnitPopulation)
    cache.track(BANK_CACHE, Question, QuestionOption)  # starts draw from the bank kept per version

    figures.register("contests", services.figures)
    live.register("contests", services.live_figures)
    spotlights.register("contests", _spotlights)
    copy_hooks.register("contests", _l("Copy the plan's contests"), services.copy_with_plan)
    register_jobs(jobs)
    state.app.cli.add_command(cli.contests_cli)
    _register_report_sections()


def _register_report_sections() -> None:
    """What contests offer summary reports (app/providers.py): each quiz round of the plan with the people who
    started and submitted it, read through the organizer's round overview."""
    from flask_babel import lazy_gettext as _l

    from app.providers import ReportColumn, ReportSection, report_sections

    from .services import listed_contests
    from .services.rounds import rounds_overview

    def rows(session, plan_id, period):
        return [
            {
                "contest": contest.title,
                "round": line.quiz_round.title,
                "opens_at": line.quiz_round.opens_at,
                "closes_at": line.quiz_round.closes_at,
                "started": line.started,
                "submitted": line.submitted,
            }
            for contest in listed_contests(session, include_unpublished=True)
            if plan_id is None or contest.plan_id == plan_id
            for line in rounds_overview(session, contest.id)
            if period is None or period.holds(line.quiz_round.opens_at)
        ]

    columns = [
        ("contest", _l("Contest")),
        ("round", _l("Round")),
        ("opens_at", _l("Opens at")),
        ("closes_at", _l("Closes at")),
        ("started", _l("Started")),
        ("submitted", _l("Submitted")),
    ]
    report_sections.register(
        ReportSection(
            "contests.quiz_rounds",
            _l("Quiz rounds and participants"),
            tuple(ReportColumn(key, title) for key, title in columns),
            rows,
            order=30,
        )
    )


def _spotlights(session, now):
    """The home page's "open now": each published quiz with a round taking attempts, linked to its page."""
    from flask import url_for
    from flask_babel import gettext as _

    from app.providers import Spotlight

    from .services import open_now

    return [
        Spotlight(contest.title, url_for("contests.contest_page", contest_id=contest.id), _("Open now"))
        for contest in open_now(session, now)
    ]
