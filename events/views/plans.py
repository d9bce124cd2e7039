"""Pages of the events feature."""

from flask import render_template
from flask_login import current_user

from app.extensions import db

from .. import bp
from ..services import plans as services


@bp.route("/")
def index():
    organizer = current_user.is_authenticated and current_user.has_role("admin", "organizer")
    return render_template("events/index.html", plans=services.visible_plans(db.session, include_internal=organizer))


@bp.app_context_processor
def labels():
    from flask_babel import lazy_gettext as _l

    return {
        "activity_kind_labels": {
            "festival": _l("Fair / festival"),
            "exhibition": _l("Exhibition space"),
            "cluster_tour": _l("Cluster tour"),
            "contest": _l("Contest"),
            "door_to_door": _l("Door-to-door campaign"),
            "training": _l("Training class"),
            "cyber_drill": _l("Cybersecurity drill"),
            "cashless_drive": _l("Cashless-payment drive"),
            "communications": _l("Communications"),
            "ceremony": _l("Ceremony"),
        },
        "plan_status_labels": {"draft": _l("Draft"), "published": _l("Published"), "closed": _l("Closed")},
    }
