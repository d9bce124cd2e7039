"""Tickets: a registration's token is its ticket. A submission key (the page's hidden key or the API's
Idempotency-Key) makes a submission idempotent: the token is derived from it, so a replay finds what the first
submission made. The check-in feature reads a ticket by its token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import Activity, Plan, Registration

# A submission key (the page's hidden key, or the API's Idempotency-Key) has this shape; anything else is ignored.
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def ticket_token(secret: str, submission_key: str | None) -> str | None:
    """The ticket token for a submission key: unguessable without the server's ``secret``, the same for a replay
    of the same submission; None when there is no usable key (a fresh random token is then made)."""
    if not submission_key or not SUBMISSION_KEY.match(submission_key):
        return None
    digest = hmac.new(secret.encode(), b"dxday-registration:" + submission_key.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()  # 32 characters, like secrets.token_urlsafe(24)


def ticket_for(session: Session, token: str) -> Registration | None:
    """The registration holding ``token`` with its activity (venue, plan) and ward loaded, or None. The check-in
    feature turns it into a ticket and QR code; only a confirmed registration should be admitted."""
    if not token:
        return None
    return session.scalar(
        select(Registration)
        .where(Registration.token == token)
        .options(
            selectinload(Registration.activity).selectinload(Activity.venue),
            selectinload(Registration.activity).selectinload(Activity.plan).selectinload(Plan.lead_unit),
            selectinload(Registration.ward),
        )
    )
