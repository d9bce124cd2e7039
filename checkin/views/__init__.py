"""Pages of the check-in feature, one module per sub-feature."""

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from app.auth import role_required
from app.extensions import db
from app.models import utcnow

from .. import bp
from ..models import Checkpoint
from ..services import checkpoints as checkpoint_services


@bp.route("/")
@role_required("organizer", "volunteer")
def index():
    # a volunteer sees only the checkpoints they scan at, each with its scanner link; organizers see every one
    only = None
    if not current_user.is_organizer:
        only = set(db.session.scalars(select(Checkpoint.id).where(Checkpoint.scoped_to(current_user))))
    return render_template(
        "checkin/index.html",
        groups=checkpoint_services.checkpoints_by_activity(db.session, only),
        to_set_up=checkpoint_services.activities_to_set_up(db.session, utcnow()) if only is None else [],
    )


from . import badges, checkpoints, counts, scanner, tickets, walkins  # noqa: E402,F401
