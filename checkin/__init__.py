"""Check-in at the entrances and booths of activities."""

from flask import Blueprint

bp = Blueprint("checkin", __name__, url_prefix="/checkin")

from . import api, views  # noqa: E402,F401


@bp.record_once
def _register(state) -> None:
    from flask_babel import lazy_gettext as _l

    from app.demo import register_loader
    from app.providers import figures
    from events.services.transfer import copy_hooks

    from . import demo
    from .services import checkpoints

    register_loader("checkin", demo.load)

    figures.register("checkin", checkpoints.figures)
    copy_hooks.register("checkin", _l("Copy the check-in points"), checkpoints.copy_with_plan)
