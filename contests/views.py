"""Pages of the contests feature."""

from flask import render_template
from flask_login import current_user

from app.extensions import db
from app.models import utcnow

from . import bp, services


@bp.route("/")
def index():
    organizer = current_user.is_authenticated and current_user.has_role("admin", "organizer")
    now = utcnow()
    contests = [(c, services.contest_phase(c, now)) for c in services.listed_contests(db.session, organizer)]
    return render_template("contests/index.html", contests=contests)


@bp.app_context_processor
def labels():
    from flask_babel import lazy_gettext as _l

    return {
        "contest_kind_labels": {
            "online_quiz": _l("Online quiz"),
            "juried": _l("Juried contest"),
            "public_vote": _l("Public vote"),
            "gameshow": _l("Gameshow"),
            "esports": _l("E-sports tournament"),
            "livestream": _l("Livestream selling"),
        },
        "contest_phase_labels": {"upcoming": _l("Upcoming"), "open": _l("Open"), "closed": _l("Closed")},
    }
