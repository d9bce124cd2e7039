"""Live counts of an activity's check-in: admissions per checkpoint and hour, unique visitors per booth, and
"inside now" from the entrance/exit pairs. Every figure is one SQL aggregate over the scan log; Python only
arranges the few result rows (one per checkpoint or per hour), never the scans themselves.

An admission is a scan that was admitted and not undone. A person is inside when the last admission of their
ticket at an entrance or an exit of the activity (by the scan's own time, then its id) was at an entrance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, literal_column, select
from sqlalchemy.orm import Session

from app.models import ContentVersion

from ..models import Checkpoint, CheckpointKind, Scan

ADMISSION = and_(Scan.admitted.is_(True), Scan.undone_at.is_(None))


@dataclass(frozen=True)
class PointCount:
    checkpoint_id: int
    name: str
    kind: CheckpointKind
    admissions: int
    visitors: int  # distinct tickets admitted
    refused: int
    percent: int  # of the busiest checkpoint's admissions, for the bar


@dataclass(frozen=True)
class HourCount:
    starts_at: datetime  # local, aware
    by_checkpoint: dict[int, int]
    total: int
    percent: int  # of the busiest hour


def inside_now(session: Session, activity_id: int, *, since: datetime | None = None) -> int:
    """How many tickets are inside: their last entrance-or-exit admission was at an entrance (counting only
    admissions from ``since`` on, e.g. today's on a multi-day activity: yesterday's visitor who left by another
    way is not inside)."""
    conditions = [] if since is None else [Scan.scanned_at >= since]
    ranked = (
        select(
            Checkpoint.kind.label("kind"),
            func.row_number()
            .over(partition_by=Scan.ticket_id, order_by=(Scan.scanned_at.desc(), Scan.id.desc()))
            .label("rank"),
        )
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .where(
            Checkpoint.activity_id == activity_id,
            Checkpoint.kind.in_([CheckpointKind.ENTRANCE, CheckpointKind.EXIT]),
            Scan.ticket_id.is_not(None),
            ADMISSION,
            *conditions,
        )
        .subquery()
    )
    return (
        session.scalar(
            select(func.count()).select_from(ranked).where(ranked.c.rank == 1, ranked.c.kind == CheckpointKind.ENTRANCE)
        )
        or 0
    )


def people_admitted(session: Session, activity_id: int) -> int:
    """Distinct tickets admitted at any entrance of the activity (everyone who came in, inside or gone)."""
    return (
        session.scalar(
            select(func.count(distinct(Scan.ticket_id)))
            .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
            .where(Checkpoint.activity_id == activity_id, Checkpoint.kind == CheckpointKind.ENTRANCE, ADMISSION)
        )
        or 0
    )


def checkpoint_counts(
    session: Session, activity_id: int, *, since: datetime | None = None, until: datetime | None = None
) -> list[PointCount]:
    """Per checkpoint of the activity (all of them, scanned or not, in their order): admissions, distinct tickets
    admitted (the unique visitors of a booth) and refusals; only scans in [``since``, ``until``) when given."""
    admitted = case((ADMISSION, 1), else_=0)
    window = [Scan.scanned_at >= since] if since is not None else []
    if until is not None:
        window.append(Scan.scanned_at < until)
    totals = (
        select(
            Scan.checkpoint_id.label("checkpoint_id"),
            func.sum(admitted).label("admissions"),
            func.count(distinct(case((ADMISSION, Scan.ticket_id)))).label("visitors"),
            func.sum(case((Scan.admitted.is_(False), 1), else_=0)).label("refused"),
        )
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .where(Checkpoint.activity_id == activity_id, *window)
        .group_by(Scan.checkpoint_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Checkpoint.id,
            Checkpoint.name,
            Checkpoint.kind,
            func.coalesce(totals.c.admissions, 0),
            func.coalesce(totals.c.visitors, 0),
            func.coalesce(totals.c.refused, 0),
        )
        .outerjoin(totals, totals.c.checkpoint_id == Checkpoint.id)
        .where(Checkpoint.activity_id == activity_id)
        .order_by(Checkpoint.position, Checkpoint.name, Checkpoint.id)
    ).all()
    busiest = max((row[3] for row in rows), default=0)
    return [
        PointCount(point_id, name, kind, int(admissions), int(visitors), int(refused), _percent(admissions, busiest))
        for point_id, name, kind, admissions, visitors, refused in rows
    ]


def _percent(value: int, most: int) -> int:
    return 100 * int(value) // int(most) if most else 0


def _local_hour(session: Session, tz: ZoneInfo, at: datetime):
    """SQL for the local hour of a scan as text "YYYY-MM-DD HH". PostgreSQL converts in the zone itself; SQLite
    (no zones) adds the zone's offset at ``at`` (exact for zones without daylight saving, like Vietnam's)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(tz.key, Scan.scanned_at), literal_column("'YYYY-MM-DD HH24'"))
    minutes = int(tz.utcoffset(at.replace(tzinfo=None)).total_seconds() // 60)
    return func.strftime("%Y-%m-%d %H", Scan.scanned_at, f"{minutes:+d} minutes")


def hourly_counts(session: Session, activity_id: int, *, tz: ZoneInfo, at: datetime) -> list[HourCount]:
    """Admissions per local hour (only hours with admissions), each split by checkpoint, oldest first."""
    hour = _local_hour(session, tz, at).label("hour")
    rows = session.execute(
        select(hour, Scan.checkpoint_id, func.count(Scan.id))
        .join(Checkpoint, Checkpoint.id == Scan.checkpoint_id)
        .where(Checkpoint.activity_id == activity_id, ADMISSION)
        .group_by(hour, Scan.checkpoint_id)
        .order_by(hour)
    ).all()
    hours: dict[str, dict[int, int]] = {}
    for label, point_id, count in rows:
        hours.setdefault(label, {})[point_id] = int(count)
    busiest = max((sum(points.values()) for points in hours.values()), default=0)
    result = []
    for label, points in hours.items():
        starts = datetime.strptime(label, "%Y-%m-%d %H").replace(tzinfo=tz)
        total = sum(points.values())
        result.append(HourCount(starts, points, total, _percent(total, busiest)))
    return result


def hour_label(hour: HourCount) -> str:
    """An hour of the counts table as the page shows it: "10/10 08:00–09:00" (local day and hours)."""
    end = hour.starts_at + timedelta(hours=1)
    return f"{hour.starts_at:%d/%m} {hour.starts_at:%H}:00–{end:%H}:00"


def screen_figures(session: Session, activity_id: int) -> dict:
    """What the public big screen shows: no names, no tickets, only numbers."""
    points = checkpoint_counts(session, activity_id)
    has_pair = {CheckpointKind.ENTRANCE, CheckpointKind.EXIT} <= {point.kind for point in points}
    return {
        "inside": inside_now(session, activity_id) if has_pair else None,
        "admitted": people_admitted(session, activity_id),
        "booths": [point for point in points if point.kind == CheckpointKind.BOOTH],
        "has_entrance": any(point.kind == CheckpointKind.ENTRANCE for point in points),
    }


def data_version(session: Session) -> tuple[int, int]:
    """The versions of what the big screen names, in one statement: the events version (titles, venues) and the
    check-in version (checkpoints). Scans are not in it on purpose: at the festival they arrive every second, and
    a key that moved with each one would make every visitor of the public screen pay for the aggregates; the
    screen's cache key carries a short time window for them instead."""

    def named(name: str):
        return select(ContentVersion.version).where(ContentVersion.name == name).scalar_subquery()

    row = session.execute(select(named("events"), named("checkin"))).one()
    return tuple(value or 0 for value in row)
