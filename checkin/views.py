"""Pages of the check-in feature."""

from flask import render_template

from app.auth import role_required
from app.extensions import db

from . import bp
from .services import checkpoints


@bp.route("/")
@role_required("organizer", "volunteer")
def index():
    return render_template("checkin/index.html", groups=checkpoints.checkpoints_by_activity(db.session))
