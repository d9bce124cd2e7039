"""Check-in at the entrances and booths of activities."""

from flask import Blueprint

bp = Blueprint("checkin", __name__, url_prefix="/checkin")

from . import api, views  # noqa: E402,F401


@bp.record_once
def _register(state) -> None:
    from flask_babel import lazy_gettext as _l

    from app.demo import register_loader
    from app.providers import figures, fragments
    from events.services.transfer import copy_hooks

    from . import demo
    from .services import checkpoints

    register_loader("checkin", demo.load)

    figures.register("checkin", checkpoints.figures)
    fragments.register("registration.ticket", "checkin", "checkin/_ticket.html")
    copy_hooks.register("checkin", _l("Copy the check-in points"), checkpoints.copy_with_plan)

    _register_ops(state)
    _register_report_sections()


def _register_ops(state) -> None:
    """The organizer's side: badge sheets (a kind of document, built by the core's document job) and their
    command, the big screen's cache version."""
    from app import cache
    from app.documents import documents

    from . import badging, cli
    from .models import Checkpoint

    cache.track("checkin", Checkpoint)  # the checkpoints the big screen lists
    documents.register(badging.kind())
    state.app.cli.add_command(cli.checkin_cli)


def _register_report_sections() -> None:
    """What check-in offers summary reports (app/providers.py)."""
    from app.providers import report_sections

    from .services.reports import CHECKPOINTS

    report_sections.register(CHECKPOINTS)
