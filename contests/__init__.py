"""Contests of the campaign: online quizzes, juried contests, public votes."""

from flask import Blueprint

bp = Blueprint("contests", __name__, url_prefix="/contests")

from . import views  # noqa: E402,F401


@bp.record_once
def _register(state) -> None:
    from app.demo import register_loader
    from app.providers import figures

    from . import demo, services

    register_loader("contests", demo.load)

    figures.register("contests", services.figures)
