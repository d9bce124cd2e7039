"""Pages of the check-in feature."""

from flask import render_template
from flask_login import current_user

from app.auth import role_required
from app.extensions import db

from .. import bp
from ..services import checkpoints
from ..services import scanner as scanner_services


@bp.route("/")
@role_required("organizer", "volunteer")
def index():
    # a volunteer sees only the checkpoints they scan at; organizers see every one
    only = None if current_user.is_organizer else scanner_services.assigned_checkpoint_ids(db.session, current_user.id)
    return render_template("checkin/index.html", groups=checkpoints.checkpoints_by_activity(db.session, only))


from . import scanner  # noqa: E402,F401
