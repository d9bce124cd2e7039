"""Pages of the check-in feature, one module per sub-feature."""

from flask import render_template
from flask_login import current_user

from app.auth import role_required
from app.extensions import db
from app.models import utcnow

from .. import bp
from ..services import checkpoints as checkpoint_services
from ..services import scanner as scanner_services


@bp.route("/")
@role_required("organizer", "volunteer")
def index():
    # a volunteer sees only the checkpoints they scan at, each with its scanner link; organizers see every one
    only = None if current_user.is_organizer else scanner_services.assigned_checkpoint_ids(db.session, current_user.id)
    return render_template(
        "checkin/index.html",
        groups=checkpoint_services.checkpoints_by_activity(db.session, only),
        to_set_up=checkpoint_services.activities_to_set_up(db.session, utcnow()) if only is None else [],
    )


from . import badges, checkpoints, counts, scanner, tickets, walkins  # noqa: E402,F401
