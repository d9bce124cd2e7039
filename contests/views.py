"""Pages of the contests feature."""

from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.models import utcnow

from . import bp, services


@bp.route("/")
def index():
    now = utcnow()
    listed = services.listed_contests(db.session, include_unpublished=current_user.is_organizer)
    contests = [(c, services.contest_phase(c, now)) for c in listed]
    return render_template("contests/index.html", contests=contests)


@bp.app_context_processor
def labels():
    from flask_babel import lazy_gettext as _l

    return {
        "contest_phase_labels": {"upcoming": _l("Upcoming"), "open": _l("Open"), "closed": _l("Closed")},
    }
