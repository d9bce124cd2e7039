"""The export of an activity's registrations: the XLSX workbook (for organizers only) and its entry in the
audit trail."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.models import AuditEntry

from ...models import Activity, Registration
from .common import CANCELLED, CONFIRMED, WAITLISTED


def registrations_workbook(rows: list[tuple[Registration, int | None]], activity: Activity, *, tz: ZoneInfo) -> bytes:
    """The activity's registrations as an XLSX file, full phone numbers included (for organizers only; the view
    records the export with ``record_export``). Every text typed by a citizen is written as text, never a formula."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..transfer.writing import write_cell

    status_labels = {CONFIRMED: _l("Confirmed"), WAITLISTED: _l("On the waitlist"), CANCELLED: _l("Cancelled")}
    headers = [
        _l("No."),
        _l("Full name"),
        _l("Phone number"),
        _l("Ward or commune"),
        _l("District"),
        _l("Email"),
        _l("Status"),
        _l("Waitlist position"),
        _l("Registered at"),
    ]
    book = Workbook()
    sheet = book.active
    sheet.title = str(_l("Registrations"))[:31]
    write_cell(sheet, 1, 1, activity.title).font = Font(bold=True, size=14)
    for column, header in enumerate(headers, start=1):
        write_cell(sheet, 3, column, str(header)).font = Font(bold=True)
    for widths, letter in zip((6, 30, 14, 26, 26, 28, 18, 10, 18), "ABCDEFGHI", strict=True):
        sheet.column_dimensions[letter].width = widths
    sheet.freeze_panes = "A4"
    for number, (registration, position) in enumerate(rows, start=1):
        ward = registration.ward
        values = [
            number,
            registration.name,
            registration.phone,
            ward.name if ward is not None else "",
            ward.parent.name if ward is not None and ward.parent is not None else "",
            registration.email or "",
            str(status_labels.get(registration.status, registration.status)),
            position,
            registration.created_at.astimezone(tz).replace(tzinfo=None) if registration.created_at else None,
        ]
        for column, value in enumerate(values, start=1):
            cell = write_cell(sheet, number + 3, column, value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def record_export(session: Session, activity_id: int, count: int, actor_id: int | None) -> None:
    """Put the export of an activity's registrations in the audit trail: who, when, which activity, how many rows;
    never the personal data itself. Its entity id names the activity ("activity:12"), so the purge of expired
    registrations (which deletes entries by registration id) cannot mistake it for one registration's."""
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action="export",
            entity="Registration",
            entity_id=f"activity:{activity_id}",
            changes={"activity_id": activity_id, "count": count},
        )
    )
