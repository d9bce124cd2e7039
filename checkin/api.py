"""The check-in JSON API (described in /api/openapi.json): the public keys, a checkpoint's sync, scans and undo.

Scanners are signed-in volunteers, organizers and admins (403 for other roles); a volunteer reaches only the
checkpoints they are assigned to, and their scans (``Checkpoint``'s scope: any other is 404, as if it did not
exist). Writes carry the CSRF token in the X-CSRFToken header (the scanner page has it in
<meta name="csrf-token">). Without a session the answer is 401 JSON (a scanner's fetch must not follow a
redirect to the sign-in page)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, jsonify, request
from flask_babel import force_locale, format_time
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import session_account
from app.errors import DomainError
from app.extensions import db, limiter
from app.models import utcnow
from app.scopes import get_in_scope
from app.timezone import campaign_zone
from app.views import locale_for

from . import bp, keys
from .forms import ShapeError, parse_scan
from .models import Checkpoint, Scan, ScanVerdict
from .services import scans, tokens

SCANNER_ROLES = ("admin", "organizer", "volunteer")


def json_error(status: int, code: str, message, fields: dict | None = None):
    body = {"code": code, "message": str(message)}
    if fields:
        body["fields"] = {name: [str(m) for m in messages] for name, messages in fields.items()}
    return jsonify(error=body), status


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _refusal():
    """A JSON answer refusing the current user for their role, or None when they are a scanner. Which
    checkpoints they reach is the checkpoint's scope (``get_in_scope``: 404 elsewhere)."""
    if not current_user.is_authenticated:
        return json_error(401, "sign_in_required", _("Sign in to scan tickets."))
    if not current_user.has_role(*SCANNER_ROLES):
        return json_error(403, "forbidden", _("Only volunteers and organizers scan tickets."))
    return None


def ticket_days(scan: Scan) -> str:
    """The day a ticket is for, or its first and last days, as a volunteer reads them: "02/10/2027"."""
    activity = scan.checkpoint.activity
    days = scans.activity_days(activity.starts_at, activity.ends_at, campaign_zone())
    shown = [day.strftime("%d/%m/%Y") for day in (days[0], days[-1])]
    return shown[0] if len(days) == 1 else "\u2013".join(shown)


def verdict_message(verdict: ScanVerdict, first: Scan | None, days: str = "") -> str:
    """The sentence a scanner shows under the verdict (``days``: the ticket's days, for ``other_day``)."""
    if verdict == ScanVerdict.ADMITTED:
        return _("Valid ticket. Welcome!")
    if verdict == ScanVerdict.ALREADY_CHECKED_IN:
        if first is not None:
            return _(
                "Already checked in at %(time)s at %(checkpoint)s.",
                time=format_time(first.scanned_at, "HH:mm"),
                checkpoint=first.checkpoint.name,
            )
        return _("Already checked in.")
    return {
        ScanVerdict.REVOKED: lambda: _("This ticket was cancelled: do not admit."),
        ScanVerdict.OTHER_ACTIVITY: lambda: _("This ticket is for another activity."),
        ScanVerdict.OTHER_DAY: lambda: _("This ticket cannot be used today (ticket for %(days)s).", days=days),
        ScanVerdict.EXPIRED: lambda: _("This ticket has expired: its activity is over."),
        ScanVerdict.UNKNOWN: lambda: _("Unknown ticket: the code is not one of ours or was mistyped."),
        ScanVerdict.ACTIVITY_CANCELLED: lambda: _("This activity was cancelled: its tickets are no longer valid."),
        ScanVerdict.FLAGGED: lambda: _(
            "The phone's time of this scan cannot be trusted: it is kept for the organizers to review and "
            "does not count as an admission."
        ),
    }[verdict]()


def scan_body(scan: Scan, first: Scan | None = None) -> dict:
    undo_until = scan.received_at + scans.UNDO_WINDOW if scan.counts else None
    return {
        "scan": {
            "id": scan.id,
            "verdict": scan.verdict.value,
            "label": str(scan.verdict.label),
            "admitted": scan.admitted,
            "undone": scan.undone_at is not None,
            "message": verdict_message(
                scan.verdict, first, ticket_days(scan) if scan.verdict == ScanVerdict.OTHER_DAY else ""
            ),
            "ticket_id": scan.ticket_id,
            "checkpoint_id": scan.checkpoint_id,
            "scanned_at": iso(scan.scanned_at),
            "offline": scan.offline,
            "first_admitted_at": iso(first.scanned_at) if first is not None else None,
            "first_checkpoint": first.checkpoint.name if first is not None else None,
            "undo_until": iso(undo_until),
        }
    }


@bp.route("/api/keys")
def api_keys():
    response = jsonify(keys=tokens.describe_keys(keys.verifying_keys()))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/api/checkpoints/<int:checkpoint_id>/sync")
def api_sync(checkpoint_id: int):
    refused = _refusal()
    if refused:
        return refused
    checkpoint = get_in_scope(db.session, Checkpoint, checkpoint_id, current_user)
    payload = scans.sync_payload(
        db.session,
        checkpoint,
        now=utcnow(),
        tz=campaign_zone(),
        keys=tokens.describe_keys(keys.verifying_keys()),
        secret=current_app.config["SECRET_KEY"],
    )
    payload["checkpoint"]["expires_at"] = iso(payload["checkpoint"]["expires_at"])
    payload["server_time"] = iso(payload["server_time"])
    for row in payload["admitted"]:
        row["scanned_at"] = iso(row["scanned_at"])
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


def scan_limit() -> str:
    return current_app.config["SCAN_RATE_LIMIT"]


def scanner_key() -> str:
    """Rate-limit key of the scanner account that the signed session names (an account, wherever its phones are),
    else the address. Read from the cookie without loading the account: the key holds the session version too, so
    that an old cookie (before a password change or a sign-out everywhere) spends a budget of its own, never the
    owner's."""
    account = session_account()
    if account is not None:
        return f"scanner:{account[0]}:{account[1]}"
    return request.remote_addr or ""


@bp.route("/api/scans", methods=["POST"])
@limiter.limit(scan_limit, methods=["POST"], key_func=scanner_key)
def api_scan():
    payload = request.get_json(silent=True)
    try:
        sent = parse_scan(payload) if isinstance(payload, dict) else None
    except ShapeError as error:
        sent, shape_error = None, error
    else:
        shape_error = None
    account = session_account()
    if sent is not None and account is not None:
        # The gate's hot path: an admission in one statement that also checks the session, the role and the
        # checkpoint's scope; whatever it does not admit goes the long way below, which loads the account.
        admitted = scans.admit_at_once(
            db.session,
            sent.checkpoint_id,
            may_scan=Checkpoint.scannable_by(*account),
            user_id=account[0],
            **_scan_arguments(sent),
        )
        if admitted is not None:
            scan, account_locale = admitted
            with force_locale(locale_for(account_locale)):
                body = scan_body(scan)
            db.session.commit()
            return jsonify(body), 201
    refused = _refusal()
    if refused:
        return refused
    if shape_error is not None:
        return json_error(422, "invalid", _("Please correct the fields marked below."), shape_error.fields)
    if sent is None:
        return json_error(400, "bad_request", _("Send the scan as a JSON object."))
    checkpoint = get_in_scope(db.session, Checkpoint, sent.checkpoint_id, current_user, write=True)
    try:
        result = scans.redeem(db.session, checkpoint, user_id=current_user.id, **_scan_arguments(sent))
    except DomainError as error:
        db.session.rollback()
        return json_error(error.status, error.code, error.message)
    body = scan_body(result.scan, result.first)
    db.session.commit()
    return jsonify(body), 201 if result.created else 200


def _scan_arguments(sent) -> dict:
    """What the scan services take from a scan as sent, and the server's clock, zone and keys."""
    return {
        "token": sent.token,
        "device_id": sent.device_id,
        "nonce": sent.nonce,
        "scanned_at": sent.scanned_at,
        "offline": sent.offline,
        "client_verdict": sent.client_verdict,
        "sync_stamp": sent.sync_stamp,
        "now": utcnow(),
        "tz": campaign_zone(),
        "public_keys": keys.verifying_keys(),
        "secret": current_app.config["SECRET_KEY"],
    }


@bp.route("/api/scans/<int:scan_id>/undo", methods=["POST"])
def api_undo(scan_id: int):
    refused = _refusal()
    if refused:
        return refused
    scan = get_in_scope(db.session, Scan, scan_id, current_user, write=True)
    try:
        scans.undo(db.session, scan, utcnow())
    except DomainError as error:
        db.session.rollback()
        return json_error(error.status, error.code, error.message)
    body = scan_body(scan)
    db.session.commit()
    return jsonify(body)
