"""The ticket: what its template shows and its QR image (checkin-core's, moved here from checkin/views.py)."""

import io

from flask import abort, request, send_file, url_for

from app.extensions import db
from events.models import RegistrationStatus
from events.services import registration as registration_services

from .. import bp, keys
from ..services import tickets


@bp.app_template_global("checkin_ticket")
def checkin_ticket(registration) -> dict:
    """What the ticket shows (templates/checkin/_ticket.html, inside the registration's confirmation page): the
    signed token, its QR image and download, the short code for typing, the activity's calendar file."""
    token = keys.ticket_token(registration)
    return {
        "token": token,
        "code": keys.ticket_code(registration),
        "qr_url": url_for("checkin.ticket_qr", token=registration.token),
        "download_url": url_for("checkin.ticket_qr", token=registration.token, download=1),
        "qr_size": tickets.qr_size(token),
        "calendar_url": url_for("events.activity_ics", activity_id=registration.activity_id),
    }


@bp.route("/tickets/<token>.png")
def ticket_qr(token: str):
    """The QR code of a confirmed registration's ticket, found by the registration's secret (the confirmation
    page's link); ``?download=1`` saves it as a file. Never cached or indexed: the image is the ticket. None for
    a cancelled activity (its tickets are revoked)."""
    registration = None
    if registration_services.SUBMISSION_KEY.match(token):
        registration = registration_services.ticket_for(db.session, token)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED or registration.activity.cancelled:
        abort(404)
    png = tickets.qr_png(keys.ticket_token(registration))
    response = send_file(
        io.BytesIO(png),
        mimetype="image/png",
        as_attachment=request.args.get("download") == "1",
        download_name=f"ve-{registration.id}.png",
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
