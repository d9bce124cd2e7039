"""The shape of what scanners send (JSON bodies): checked here, judged by the services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from app.urls import MAX_DB_INT

from ..models import ScanVerdict

DEVICE_ID = re.compile(r"\A[A-Za-z0-9_.:-]{1,64}\Z")  # a UUID, or any short id of the same characters
# Control characters (C0, DEL, C1) and lone surrogates are refused; anything else a camera or a keyboard may give
# is stored and judged (a stranger's QR code is an "unknown" ticket). /api/openapi.json states the same pattern.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
LEAP_SECOND = re.compile(r"(?<=T\d\d:\d\d:)60", re.IGNORECASE)  # RFC 3339 allows :60; it counts as :59
MAX_TOKEN_LENGTH = 400  # a token is 117 characters; a typed code far less
SYNC_STAMP = re.compile(r"\A[0-9]{1,11}\.[0-9a-f]{32}\Z")  # what the checkpoint's sync gave the phone
MIN_YEAR, MAX_YEAR = 2000, 2100  # a scan's time outside these years is a broken clock, not a date to store


class ShapeError(Exception):
    """The body is not what the API takes: ``fields`` maps each wrong field to its messages."""

    def __init__(self, fields: dict[str, list]):
        super().__init__("invalid")
        self.fields = fields


@dataclass(frozen=True)
class ScanRequest:
    token: str
    checkpoint_id: int
    device_id: str
    nonce: str
    scanned_at: datetime
    offline: bool
    client_verdict: str | None
    sync_stamp: str | None = None


def whole_number(value) -> int | None:
    """A JSON integer, also when a client sends it as ``281.0`` (JSON Schema's integer includes it); None for
    anything else, booleans included."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def parse_scan(payload: dict) -> ScanRequest:
    """A scan's fields from a JSON object; ShapeError with a message per wrong field."""
    errors: dict[str, list] = {}

    def fail(name: str, message) -> None:
        errors.setdefault(name, []).append(message)

    token = payload.get("token")
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        fail("token", _l("Scan a ticket's QR code or type the code printed under it."))
    elif CONTROL.search(token):
        fail("token", _l("The code holds characters a ticket never has."))
    checkpoint_id = whole_number(payload.get("checkpoint_id"))
    if checkpoint_id is None or not 1 <= checkpoint_id <= MAX_DB_INT:
        fail("checkpoint_id", _l("Choose a checkpoint."))
    for name in ("device_id", "nonce"):
        value = payload.get(name)
        if not isinstance(value, str) or not DEVICE_ID.match(value):
            fail(name, _l("Up to 64 letters, digits, dots, colons, dashes or underscores."))
    scanned_at = _instant(payload.get("scanned_at"))
    if scanned_at is None:
        fail("scanned_at", _l("The time of the scan, as an ISO 8601 date and time with its offset."))
    offline = payload.get("offline", False)
    if not isinstance(offline, bool):
        fail("offline", _l("True or false."))
    client_verdict = payload.get("client_verdict")
    if client_verdict is not None and (
        not isinstance(client_verdict, str) or client_verdict not in {v.value for v in ScanVerdict}
    ):
        fail("client_verdict", _l("One of the verdicts a scanner shows."))
    sync_stamp = payload.get("sync_stamp")
    if sync_stamp is not None and (not isinstance(sync_stamp, str) or not SYNC_STAMP.match(sync_stamp)):
        fail("sync_stamp", _l("The stamp of the checkpoint's last sync, as the sync gave it."))
    if errors:
        raise ShapeError(errors)
    device_id, nonce = payload["device_id"], payload["nonce"]
    return ScanRequest(token, checkpoint_id, device_id, nonce, scanned_at, offline, client_verdict, sync_stamp)


def _instant(value) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:  # RFC 3339 allows a lower-case "t" and "z"
        moment = datetime.fromisoformat(LEAP_SECOND.sub("59", value.upper()))
    except ValueError:
        return None
    if moment.tzinfo is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None
    return moment.astimezone(UTC)
