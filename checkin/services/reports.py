"""What check-in offers summary reports (app/providers.py's report sections): the admissions at each checkpoint
of a plan's activities. Registered when the blueprint is set up; a report collects it without importing
check-in."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session

from app.providers import Period, ReportColumn, ReportSection
from events.models import Activity

from ..models import Checkpoint, Scan


def checkpoint_rows(session: Session, plan_id: int | None, period: Period | None) -> list[dict]:
    """One row per checkpoint of the plan's activities (every plan's when None), in the activities' time order:
    the admissions that stand (admitted, not undone) within ``period`` and the different tickets admitted (one
    grouped query; a checkpoint without admissions is a row of zeros)."""
    joined = Scan.checkpoint_id == Checkpoint.id
    if period is not None:
        joined = and_(joined, Scan.scanned_at >= period.start, Scan.scanned_at < period.end)
    stmt = (
        select(
            Activity.title,
            Checkpoint.name,
            Checkpoint.kind,
            func.count(Scan.id).filter(Scan.counts),
            func.count(distinct(Scan.ticket_id)).filter(Scan.counts),
        )
        .join(Checkpoint.activity)
        .outerjoin(Scan, joined)
        .group_by(Activity.id, Activity.title, Activity.starts_at, Checkpoint.id, Checkpoint.name, Checkpoint.kind)
        .order_by(Activity.starts_at, Activity.id, Checkpoint.position, Checkpoint.id)
    )
    if plan_id is not None:
        stmt = stmt.where(Activity.plan_id == plan_id)
    return [
        {
            "activity": activity,
            "checkpoint": name,
            "kind": kind.label,
            "admissions": int(admissions or 0),
            "visitors": int(visitors or 0),
        }
        for activity, name, kind, admissions, visitors in session.execute(stmt)
    ]


CHECKPOINTS = ReportSection(
    key="checkin.checkpoints",
    title=_l("Admissions per checkpoint"),
    columns=(
        ReportColumn("activity", _l("Activity")),
        ReportColumn("checkpoint", _l("Checkpoint")),
        ReportColumn("kind", _l("Kind")),
        ReportColumn("admissions", _l("Admissions")),
        ReportColumn("visitors", _l("Visitors")),
    ),
    rows=checkpoint_rows,
    order=20,
)
