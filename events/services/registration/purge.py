"""How long registrants' personal data is kept, and the job that deletes it once that period ends."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import outbox
from app.models import AuditEntry
from app.scheduler import JobResult

from ...models import Activity, Plan, Registration

log = logging.getLogger(__name__)

# Personal data is kept this long after the campaign's report deadline (or the end of its period when the plan
# sets no deadline): long enough to answer questions about the report, then it is deleted (Decree 13/2023).
RETENTION_AFTER_REPORT = timedelta(days=30)


def retention_until(plan: Plan) -> date:
    """The last day registrants' personal data for ``plan`` is kept (stated in the consent text)."""
    try:
        return (plan.report_deadline or plan.period_end) + RETENTION_AFTER_REPORT
    except OverflowError:  # a plan dated at the end of the calendar (a typo) keeps its data until it is fixed
        return date.max


def purge_expired_registrations(session: Session, now: datetime, *, tz: ZoneInfo) -> JobResult:
    """Delete the registrations (and so the personal data) of plans whose retention period ended
    (``retention_until``, by the local date in ``tz``), with their audit entries. Idempotent."""
    today = now.astimezone(tz).date()
    expired = []
    for plan in session.scalars(select(Plan)):
        try:
            if retention_until(plan) < today:
                expired.append(plan.id)
        except Exception:  # one broken plan must not keep every other plan's personal data past its retention
            log.exception("purge: cannot compute the retention of plan %s; skipped", plan.id)
    ids = (
        list(session.scalars(select(Registration.id).join(Registration.activity).where(Activity.plan_id.in_(expired))))
        if expired
        else []
    )
    outbox.forget(session, [f"Registration:{i}" for i in ids])
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        session.execute(
            delete(AuditEntry).where(
                AuditEntry.entity == "Registration", AuditEntry.entity_id.in_([str(i) for i in chunk])
            )
        )
        session.execute(
            delete(Registration).where(Registration.id.in_(chunk)).execution_options(synchronize_session=False)
        )
    return JobResult(changed=len(ids), message=_l("%(count)s registrations deleted", count=len(ids)))
