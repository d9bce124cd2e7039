"""The scanner page of a checkpoint (a volunteer's phone at the gate), and the organizers' review of the double
admissions that offline phones caused."""

from __future__ import annotations

from flask import current_app, make_response, render_template, send_from_directory, url_for
from flask_login import current_user

from app.auth import role_required
from app.extensions import db
from app.scopes import get_in_scope
from app.security import CSP
from app.timezone import campaign_zone
from events.models import Activity

from .. import bp
from ..models import Checkpoint
from ..services import scanner as services

# The vendored QR decoder (qr-scanner) starts its worker from a Blob URL; nothing else is loosened.
SCANNER_CSP = CSP + "; worker-src 'self' blob:"


@bp.route("/checkpoints/<int:checkpoint_id>/scan")
@role_required("organizer", "volunteer")
def scan(checkpoint_id: int):
    checkpoint = get_in_scope(db.session, Checkpoint, checkpoint_id, current_user)  # 404 where not assigned
    response = make_response(
        render_template(
            "checkin/scanner.html",
            checkpoint=checkpoint,
            scan_url=url_for("checkin.api_scan"),
            undo_url=url_for("checkin.api_undo", scan_id=0),
            sync_url=url_for("checkin.api_sync", checkpoint_id=checkpoint.id),
            timezone=current_app.config["TIMEZONE"],
        )
    )
    response.headers["Content-Security-Policy"] = SCANNER_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/activities/<int:activity_id>/review")
@role_required("organizer")
def review(activity_id: int):
    activity = db.get_or_404(Activity, activity_id)
    doubles = services.double_admissions(db.session, activity.id, tz=campaign_zone())
    mistakes = services.offline_mistakes(db.session, activity.id)
    flagged = services.flagged_scans(db.session, activity.id)
    return render_template(
        "checkin/review.html", activity=activity, doubles=doubles, mistakes=mistakes, flagged=flagged
    )


@bp.route("/scanner-sw.js")
def scanner_worker():
    """The scanner's service worker, served from /checkin/ so that it may control the scanner pages (a worker's
    scope is at most the folder of its script). Public: it is a static script."""
    response = send_from_directory(current_app.static_folder, "js/scanner-sw.js", mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
