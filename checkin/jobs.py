"""Scheduled jobs of check-in, registered when its blueprint is set up."""

from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import utcnow
from app.scheduler import scheduled

from . import badging
from .services import badges


@scheduled("checkin.build_badges", "interval", _l("Build the badge sheets organizers asked for"), seconds=20)
def build_badges(session, now):
    return badges.build_queued(
        db.engine, now=utcnow, folder=badging.folder(), badges_for=badging.badges_for, title_for=badging.title_for
    )


@scheduled("checkin.prune_badges", "cron", _l("Delete badge sheets built more than 7 days ago"), hour=3, minute=50)
def prune_badges(session, now):
    return badges.prune_sheets(session, now, folder=badging.folder())
