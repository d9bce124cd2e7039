"""Writing XLSX: the import template and the export of a plan's schedule."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import object_session, selectinload

from ...models import Activity, Plan, ProgrammeItem, TourStop
from .columns import (
    AUDIENCE_GROUPS,
    AUDIENCE_LABEL,
    COLUMNS,
    DATA_SHEET,
    DATETIME_FORMAT,
    EXAMPLE_ROW,
    GUIDE_SHEET,
    KIND_LABEL,
    KINDS,
    MAX_ROWS,
    NO,
    PROGRAMME_HEADERS,
    PROGRAMME_SHEET,
    STOPS_HEADERS,
    STOPS_SHEET,
    YES,
)

# --- writing XLSX --------------------------------------------------------------------------------------------


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    return {
        "header_font": Font(bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor="B71C1C"),
        "header_border": Border(bottom=Side(style="thin", color="7F0000")),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "top": Alignment(vertical="top"),
        "bold": Font(bold=True),
        "title": Font(bold=True, size=14),
    }


def _write_header(sheet, row: int) -> None:
    from openpyxl.utils import get_column_letter

    styles = _styles()
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=row, column=index, value=column.header)
        cell.font, cell.fill, cell.border = styles["header_font"], styles["header_fill"], styles["header_border"]
        cell.alignment = styles["wrap"]
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def write_cell(sheet, row: int, column: int, value):
    """Write one cell; text someone typed stays text (never a formula that runs when the file is opened, whatever
    it starts with) and loses the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _write_row(sheet, row: int, values: dict) -> None:
    styles = _styles()
    for index, column in enumerate(COLUMNS, start=1):
        value = values.get(column.key)
        cell = write_cell(sheet, row, index, value)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT
        wrapped = ("title", "description", "audience", "audience_groups", "what_to_bring")
        cell.alignment = styles["wrap"] if column.key in wrapped else styles["top"]


def _add_validations(sheet, first_row: int, kinds_range: str) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    last_row = first_row + MAX_ROWS - 1
    letter = {c.key: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    kinds = DataValidation(type="list", formula1=kinds_range, allow_blank=True, errorStyle="warning")
    kinds.error = str(_l("Choose a kind from the list (or its code)."))
    public = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    public.error = str(_l("Write “Có” or “Không”."))
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    counts.error = str(_l("Write a number of 0 or more."))
    for validation in (kinds, public, counts):
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)
    kinds.add(f"{letter['kind']}{first_row}:{letter['kind']}{last_row}")
    for key in ("is_public", "registration_open"):
        public.add(f"{letter[key]}{first_row}:{letter[key]}{last_row}")
    for key in ("expected_headcount", "capacity"):
        counts.add(f"{letter[key]}{first_row}:{letter[key]}{last_row}")


def _table_sheet(workbook, title: str, headers: Sequence[tuple[str, int]], rows: Iterable[Sequence]) -> None:
    """A sheet of ``rows`` under a styled, frozen header row; date-times shown dd/mm/yyyy hh:mm."""
    from openpyxl.utils import get_column_letter

    styles = _styles()
    sheet = workbook.create_sheet(title)
    for index, (header, width) in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill, cell.border = styles["header_font"], styles["header_fill"], styles["header_border"]
        cell.alignment = styles["wrap"]
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    number = 1
    for number, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            cell = write_cell(sheet, number, index, value)
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            cell.alignment = styles["wrap"] if isinstance(value, str) else styles["top"]
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(number, 1)}"
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = "1:1"


def programme_rows(activities: Iterable[Activity], *, tz: ZoneInfo) -> list[list]:
    """The "Chương trình" sheet: each activity's programme items in time order (activity, start, end, item,
    responsible unit, tour stop)."""
    rows = []
    for activity in activities:
        items: list[ProgrammeItem] = sorted(activity.programme, key=lambda i: (i.starts_at, i.position, i.id or 0))
        for item in items:
            rows.append(
                [
                    activity.title,
                    _naive(item.starts_at, tz),
                    _naive(item.ends_at, tz),
                    item.title,
                    item.responsible_unit.name if item.responsible_unit else None,
                    item.stop.name if item.stop else None,
                ]
            )
    return rows


def stop_rows(activities: Iterable[Activity], *, tz: ZoneInfo) -> list[list]:
    """The "Điểm tổ chức" sheet: each tour's stops in order (tour, position, stop, host unit, participating
    units, start, end, venue)."""
    rows = []
    for activity in activities:
        stops: list[TourStop] = sorted(activity.stops, key=lambda s: s.position)
        for stop in stops:
            rows.append(
                [
                    activity.title,
                    stop.position,
                    stop.name,
                    stop.host_unit.name if stop.host_unit else None,
                    "; ".join(unit.name for unit in stop.participating_units) or None,
                    _naive(stop.starts_at, tz),
                    _naive(stop.ends_at, tz),
                    stop.venue.name if stop.venue else None,
                ]
            )
    return rows


def _guide_sheet(workbook) -> str:
    """Fill the "Hướng dẫn" sheet; returns the range holding the kind labels, for the drop-down list."""
    styles = _styles()
    sheet = workbook.create_sheet(GUIDE_SHEET)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 90
    lines = [
        (str(_l("How to fill in the import file")), styles["title"]),
        (
            str(_l("One row per activity, on the “%(sheet)s” sheet. Keep the header row as it is.", sheet=DATA_SHEET)),
            None,
        ),
        (str(_l("Delete the example row before you import, or the example activity is imported too.")), None),
        (str(_l("Times are Vietnam time (UTC+7), written dd/mm/yyyy hh:mm in 24 hours, e.g. 05/10/2024 07:30.")), None),
        (str(_l("If any row has an error, nothing is imported: the page lists each error with its row number.")), None),
        (
            str(
                _l(
                    "The import reads only the “%(sheet)s” sheet; an export's “%(programme)s” and “%(stops)s” sheets "
                    "are for reading.",
                    sheet=DATA_SHEET,
                    programme=PROGRAMME_SHEET,
                    stops=STOPS_SHEET,
                )
            ),
            None,
        ),
        (
            str(_l("At most %(count)s activities and 2 MB per file; .xlsx, or .csv saved as UTF-8.", count=MAX_ROWS)),
            None,
        ),
    ]
    row = 1
    for text, font in lines:
        cell = sheet.cell(row=row, column=1, value=text)
        if font:
            cell.font = font
        row += 1
    row += 1
    explanations = {
        "title": _l("The activity's name, as the plan writes it."),
        "kind": _l("One of the kinds listed below (the label or the code)."),
        "starts_at": _l("dd/mm/yyyy hh:mm, e.g. 05/10/2024 07:30."),
        "ends_at": _l("dd/mm/yyyy hh:mm, after the start."),
        "venue": _l("The name of a venue already in the app, or empty."),
        "lead_unit": _l("The name or short name of a unit already in the app."),
        "coordinators": _l("Unit names separated by “;”."),
        "audience": _l("Who it is for, in words."),
        "expected_headcount": _l("A whole number, 0 or more."),
        "capacity": _l("A whole number, 0 or more; empty when there is no limit."),
        "is_public": _l("“Có” to show it on the public calendar, “Không” for internal activities. Empty means Có."),
        "description": _l("What happens, in words."),
        "registration_open": _l("“Có” to take registrations from citizens. Empty means Không."),
        "registration_opens_at": _l("When registration opens, dd/mm/yyyy hh:mm; empty: as soon as it is open."),
        "registration_closes_at": _l(
            "When registration closes, dd/mm/yyyy hh:mm, after it opens; empty: at the start."
        ),
        "audience_groups": _l("Groups listed below (the label or the code), separated by commas."),
        "area": _l("The ward, commune or district it takes place in, as on the Units page; empty: the venue's ward."),
        "what_to_bring": _l("What participants should bring, in words."),
    }
    for index, text in enumerate((_l("Column"), _l("Required"), _l("What to write")), start=1):
        sheet.cell(row=row, column=index, value=str(text)).font = styles["bold"]
    row += 1
    for column in COLUMNS:
        sheet.cell(row=row, column=1, value=column.header)
        sheet.cell(row=row, column=2, value=YES if column.required else NO)
        sheet.cell(row=row, column=3, value=str(explanations[column.key])).alignment = styles["wrap"]
        row += 1
    row += 1
    for index, text in enumerate((_l("Kind (Loại)"), _l("Code")), start=1):
        sheet.cell(row=row, column=index, value=str(text)).font = styles["bold"]
    row += 1
    first_kind = row
    for code, label, _english in KINDS:
        sheet.cell(row=row, column=1, value=label)
        sheet.cell(row=row, column=2, value=code)
        row += 1
    kinds_range = f"'{GUIDE_SHEET}'!$A${first_kind}:$A${row - 1}"
    row += 1
    for index, text in enumerate((_l("Audience group (Nhóm đối tượng)"), _l("Code")), start=1):
        sheet.cell(row=row, column=index, value=str(text)).font = styles["bold"]
    row += 1
    for code, label, _english in AUDIENCE_GROUPS:
        sheet.cell(row=row, column=1, value=label)
        sheet.cell(row=row, column=2, value=code)
        row += 1
    return kinds_range


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template() -> bytes:
    """The import template (XLSX): the header row and one example row (the Tân Uyên festival) on the
    "Hoạt động" sheet, drop-down lists for Loại and Công khai, and a "Hướng dẫn" sheet explaining every column."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    _write_header(sheet, 1)
    _write_row(sheet, 2, EXAMPLE_ROW)
    kinds_range = _guide_sheet(workbook)
    _add_validations(sheet, 2, kinds_range)
    return _save(workbook)


def _naive(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A time as a spreadsheet holds it: local wall-clock time in ``tz``, without a zone."""
    return value.astimezone(tz).replace(tzinfo=None) if value is not None else None


def export_rows(activities: Iterable[Activity], *, tz: ZoneInfo) -> list[dict]:
    """Activities as rows of the column spec (times as naive datetimes in ``tz``, as a spreadsheet holds them)."""
    rows = []
    for activity in activities:
        rows.append(
            {
                "title": activity.title,
                "kind": KIND_LABEL.get(activity.kind, activity.kind),
                "starts_at": _naive(activity.starts_at, tz),
                "ends_at": _naive(activity.ends_at, tz),
                "venue": activity.venue.name if activity.venue else None,
                "lead_unit": activity.lead_unit.name if activity.lead_unit else None,
                "coordinators": "; ".join(unit.name for unit in activity.coordinating_units) or None,
                "audience": activity.audience or None,
                "expected_headcount": activity.expected_headcount,
                "capacity": activity.capacity,
                "is_public": YES if activity.is_public else NO,
                "description": activity.description or None,
                "registration_open": YES if activity.registration_open else NO,
                "registration_opens_at": _naive(activity.registration_opens_at, tz),
                "registration_closes_at": _naive(activity.registration_closes_at, tz),
                "audience_groups": ", ".join(
                    AUDIENCE_LABEL[code]
                    for code, _label, _en in AUDIENCE_GROUPS
                    if code in activity.audience_group_list
                )
                or None,
                "area": activity.area_unit.name if activity.area_unit else None,
                "what_to_bring": activity.what_to_bring or None,
            }
        )
    return rows


def schedule_activities(plan: Plan) -> list[Activity]:
    """The plan's activities that are going ahead, by start time, with what the export shows loaded at once."""
    session = object_session(plan)
    if session is None:
        activities = list(plan.activities)
    else:
        activities = list(
            session.scalars(
                select(Activity)
                .where(Activity.plan_id == plan.id)
                .options(
                    selectinload(Activity.venue),
                    selectinload(Activity.lead_unit),
                    selectinload(Activity.area_unit),
                    selectinload(Activity.coordinating_units),
                    selectinload(Activity.programme).selectinload(ProgrammeItem.responsible_unit),
                    selectinload(Activity.programme).selectinload(ProgrammeItem.stop),
                    selectinload(Activity.stops).selectinload(TourStop.host_unit),
                    selectinload(Activity.stops).selectinload(TourStop.venue),
                    selectinload(Activity.stops).selectinload(TourStop.participating_units),
                )
                .order_by(Activity.starts_at, Activity.id)
            )
        )
    return sorted((a for a in activities if not a.cancelled), key=lambda a: (a.starts_at, a.id or 0))


def export_schedule(
    plan: Plan,
    *,
    tz: ZoneInfo,
    activities: Sequence[Activity] | None = None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The plan's schedule as XLSX: a block with the plan's number, title and period, then the template's
    columns (so the file can be imported again), real date-time cells shown dd/mm/yyyy hh:mm in ``tz``,
    a frozen header row and fitted column widths; then the "Chương trình" sheet (every activity's programme) and
    the "Điểm tổ chức" sheet (every tour's stops), and the "Hướng dẫn" sheet. Cancelled activities are left out.
    ``activities`` saves a query when the caller already has ``schedule_activities(plan)``; ``progress(1)`` is
    called after each one."""
    from openpyxl import Workbook

    styles = _styles()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    number = plan.number or str(_l("(no number yet)"))
    write_cell(sheet, 1, 1, str(_l("Plan No. %(number)s", number=number))).font = styles["bold"]
    write_cell(sheet, 2, 1, plan.title).font = styles["title"]
    period = f"{plan.period_start:%d/%m/%Y} – {plan.period_end:%d/%m/%Y}"
    write_cell(sheet, 3, 1, str(_l("Period: %(period)s", period=period)))
    header_row = 5
    _write_header(sheet, header_row)
    row = header_row + 1
    if activities is None:
        activities = schedule_activities(plan)
    for values in export_rows(activities, tz=tz):
        _write_row(sheet, row, values)
        row += 1
        if progress:
            progress(1)
    _table_sheet(workbook, PROGRAMME_SHEET, PROGRAMME_HEADERS, programme_rows(activities, tz=tz))
    _table_sheet(workbook, STOPS_SHEET, STOPS_HEADERS, stop_rows(activities, tz=tz))
    kinds_range = _guide_sheet(workbook)
    _add_validations(sheet, header_row + 1, kinds_range)
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=header_row, column=len(COLUMNS)).column_letter}{row - 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    return _save(workbook)


def export_filename(plan: Plan) -> str:
    """The export's file name, from the plan's number ("/" cannot be in a file name)."""
    name = re.sub(r"[\\/:*?\"<>|]+", "-", plan.number) if plan.number else f"ke-hoach-{plan.id}"
    return f"Lịch hoạt động {name}.xlsx"
