"""Write once per form submission (web layer: it commits).

Creation forms carry a random ``submission`` key. ``run_once`` does the write, records the key with the page to
show afterwards, and commits; a second request with the same key, even one racing the first, gets that page
instead of writing again: the key's primary key makes the database the referee."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .models import SubmissionKey
from .scheduler import JobResult

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP = timedelta(days=2)


def new_key() -> str:
    """A fresh key for a form about to be shown."""
    return secrets.token_urlsafe(24)


def _done(key: str) -> str | None:
    return db.session.scalar(select(SubmissionKey.result_url).where(SubmissionKey.key == key))


def run_once(key: str | None, action: Callable[[], str]) -> tuple[str, bool]:
    """Run ``action`` (which writes, flushes and returns the URL to show next) and commit, once per ``key``.

    Returns (url, replayed). Without a well-formed key the action simply runs. A ``DomainError`` from the action
    propagates with nothing recorded, so the corrected form can be sent again under the same key."""
    key = key if key and KEY_PATTERN.match(key) else None
    if key and (url := _done(key)):
        return url, True
    url = action()
    if key:
        db.session.add(SubmissionKey(key=key, result_url=url))
        try:
            db.session.flush()
        except IntegrityError:  # the same submission won a race a moment ago: show its result
            db.session.rollback()
            if url := _done(key):
                return url, True
            raise
    db.session.commit()
    return url, False


def prune_submission_keys(session, now: datetime) -> JobResult:
    """Scheduled: forget submission keys older than two days (nobody double-clicks that slowly)."""
    count = session.execute(delete(SubmissionKey).where(SubmissionKey.created_at < now - KEEP)).rowcount or 0
    return JobResult(changed=count, message=_l("%(count)s old submission keys removed", count=count))
