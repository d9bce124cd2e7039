"""Contests of the campaign: online quizzes, juried contests, public votes."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests")

from . import api, views  # noqa: E402,F401


@bp.record_once
def _register(state) -> None:
    from flask_babel import lazy_gettext as _l

    from app.demo import register_loader
    from app.providers import figures
    from app.scheduler import register_jobs
    from events.services.transfer import copy_hooks

    from . import cli, demo, jobs, services

    register_loader("contests", demo.load)

    figures.register("contests", services.figures)
    copy_hooks.register("contests", _l("Copy the plan's contests"), services.copy_with_plan)
    register_jobs(jobs)
    state.app.cli.add_command(cli.contests_cli)
