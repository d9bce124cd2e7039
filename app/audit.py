"""The audit trail: every insert, update and delete of an ``Audited`` model writes an AuditEntry
in the same transaction, so a change and its record land or roll back together."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from .models import Audited, AuditEntry, utcnow

_PENDING = "dxday_audit_pending"
_actor_provider: Callable[[], int | None] = lambda: None


def set_actor_provider(provider: Callable[[], int | None]) -> None:
    """Tell the trail how to find who is acting (the web layer passes the logged-in user)."""
    global _actor_provider
    _actor_provider = provider


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _columns(obj):
    mapper = inspect(obj).mapper
    excluded = set(getattr(obj, "__audit_exclude__", ()))
    return [attr for attr in mapper.column_attrs if attr.key not in excluded]


def _snapshot(obj) -> dict:
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in _columns(obj)}


def _diff(obj) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in _columns(obj):
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _plain(old) != _plain(new):
                changes[attr.key] = [_plain(old), _plain(new)]
    excluded = set(getattr(obj, "__audit_exclude__", ()))
    for key in excluded:
        if key in state.attrs and state.attrs[key].history.has_changes():
            changes[key] = ["***", "***"]  # say that it changed, never what it was
    return changes


def _identity(obj) -> str:
    # The identity key is not assigned yet inside after_flush; the primary-key columns are.
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(part) for part in key if part is not None)


def _before_flush(session: Session, flush_context, instances) -> None:
    pending = session.info.setdefault(_PENDING, [])
    for obj in session.new:
        if isinstance(obj, Audited):
            pending.append(("create", obj, None))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            changes = _diff(obj)
            if changes:
                pending.append(("update", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            pending.append(("delete", obj, _snapshot(obj)))


def _after_flush(session: Session, flush_context) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    actor_id = _actor_provider()
    for action, obj, changes in pending:
        if action == "create":
            changes = _created(obj)
        # Added now, written by the commit's next flush pass, inside the same transaction.
        session.add(_entry(actor_id, action, obj, changes))


def _created(obj) -> dict:
    return {k: v for k, v in _snapshot(obj).items() if v is not None}


def _entry(actor_id: int | None, action: str, obj, changes: dict | None) -> AuditEntry:
    return AuditEntry(
        actor_id=actor_id, action=action, entity=type(obj).__name__, entity_id=_identity(obj), changes=changes or {}
    )


def record_created(session: Session, obj) -> None:
    """The trail's "create" entry for ``obj`` when a statement inserted it (an INSERT … ON CONFLICT DO NOTHING
    … RETURNING, which no flush sees), the same as a flush would have written; in the caller's transaction."""
    session.add(AuditEntry(**created_values(obj)))


def created_values(obj) -> dict:
    """The columns of the trail's "create" entry for ``obj`` as a flush would write it, for a statement that
    inserts the entry itself. For an ``obj`` not inserted yet, ``entity_id`` is empty and ``changes`` lacks what
    the database will fill in (its id): the statement adds them."""
    return {"at": utcnow(), "actor_id": _actor_provider(), "action": "create", "entity": type(obj).__name__,
            "entity_id": _identity(obj), "changes": _created(obj)}  # fmt: skip


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def register_audit(session_class=Session) -> None:
    """Attach the trail's listeners to every session (idempotent)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_soft_rollback", lambda s, t: _after_rollback(s))
